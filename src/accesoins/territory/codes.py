"""Commune codes: current codes and the mapping of outdated ones.

Files from earlier years carry codes of communes that have since merged
(communes nouvelles), communes déléguées or associées, and the municipal
arrondissements of Paris, Lyon and Marseille. :class:`CommuneIndex` maps each
of them to the current commune so importers never drop a row silently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class CommuneIndex:
    """Current commune codes and the history that maps old codes onto them.

    Parameters
    ----------
    current : frozenset of str
        INSEE codes of the current communes (métropole and DROM).
    history : mapping of str to str
        Old or secondary code → current code (merged communes, communes
        déléguées and associées, municipal arrondissements).
    """

    current: frozenset[str]
    history: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_frames(cls, communes: pd.DataFrame, history: pd.DataFrame | None = None) -> CommuneIndex:
        """Build from the store's ``communes`` and ``commune_history`` tables."""
        hist: dict[str, str] = {}
        if history is not None and len(history):
            hist = dict(zip(history["old_code"], history["code_commune"], strict=True))
        return cls(frozenset(communes["code_commune"]), hist)

    def resolve(self, code: str) -> str | None:
        """The current commune for ``code``, or ``None`` when it is unknown."""
        code = normalise_code(code)
        if code in self.current:
            return code
        return self.history.get(code)

    def resolve_many(self, codes: Iterable[str]) -> pd.Series:
        """Vectorised :meth:`resolve`: a Series aligned on ``codes``, NaN where unknown."""
        s = pd.Series(list(codes), dtype="object").map(normalise_code)
        known = s.where(s.isin(self.current))
        return known.fillna(s.map(self.history))


def normalise_code(code: object) -> str:
    """INSEE commune code as five characters (``1001`` → ``01001``; Corsica keeps 2A/2B)."""
    text = str(code).strip().upper()
    if text.endswith(".0") and text[:-2].isdigit():  # read as a float by a spreadsheet
        text = text[:-2]
    if text.isdigit() and len(text) < 5:
        text = text.zfill(5)
    return text


def fold(text: str) -> str:
    """Lower case, no accents, hyphens and apostrophes as spaces: for name matching."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[-'’]", " ", text).split())
