"""Exception types shared by every layer.

All derive from ``ValueError`` (as osmnx does) so that callers who only know
the standard library still catch them. Messages are in French because they are
shown to users as is; the attributes let the API and the CLI shape them.
"""

from __future__ import annotations

from pathlib import Path


class AccesoinsError(ValueError):
    """Base class of the errors accesoins raises on purpose."""


class InputError(AccesoinsError):
    """A bad input file or value: names the file, the line and the field.

    ``line`` counts physical lines from 1, the header included, as a text
    editor shows them; ``None`` when the problem concerns the whole file.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(f"fichier {self.file}")
        if self.line is not None:
            where.append(f"ligne {self.line}")
        if self.field:
            where.append(f"champ « {self.field} »")
        prefix = ", ".join(where)
        return f"{prefix} : {self.message}" if prefix else self.message

    def as_dict(self) -> dict[str, object]:
        return {"message": self.message, "file": self.file, "line": self.line, "field": self.field}


class ParameterError(AccesoinsError):
    """A bad parameter given to a function (unknown key, wrong unit, out of range)."""


class NotBuiltError(AccesoinsError):
    """Something was asked of the store before it was built or imported."""


class CommuneNotFound(AccesoinsError):
    """No current commune has this code (status 404 in the API)."""
