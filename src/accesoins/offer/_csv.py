"""Shared reading helpers for the importers (validation lives in :mod:`._validate`).

Every importer goes through the same steps: decode the file (strictly, or with
the fallback encoding its format declares), split it into records while
keeping the physical line number of each (for error messages), check each
record has the expected number of fields, then validate counts, coordinates
and commune codes column by column with pandas. The helpers here raise
:class:`~accesoins.errors.InputError` naming the file, the 1-based physical
line (header included) and the field, with a French message.

All files read here hold one record per physical line (no quoted newlines),
which is true of every national format we import.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from accesoins.errors import InputError
from accesoins.offer.batch import OFFER_COLUMNS, POPULATION_COLUMNS, ImportBatch

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
RULES_PATH = RULES_DIR / "categories.yaml"
OUTSIDE_REASON = "hors territoire"  # prefix of the rejection reason of outside rows

SEPARATOR_NAMES = {";": "point-virgule", ",": "virgule", "\t": "tabulation", "|": "barre verticale"}

# --------------------------------------------------------------------------- decoding


def _data_member(path: Path, zf: zipfile.ZipFile) -> str:
    """The data file of an archive: its only .csv/.txt, or INSEE Melodi's ``*_data.csv``."""
    members = [n for n in zf.namelist() if not n.endswith("/")]
    data_members = [n for n in members if n.lower().endswith((".csv", ".txt"))]
    if len(data_members) > 1:
        # INSEE's Melodi archives hold DS_…_data.csv and DS_…_metadata.csv
        melodi = [n for n in data_members if n.lower().endswith("_data.csv")]
        data_members = melodi if len(melodi) == 1 else data_members
    if len(data_members) != 1:
        raise InputError(
            "l'archive doit contenir exactement un fichier .csv ou .txt "
            f"(trouvé : {', '.join(members) or 'aucun'})",
            file=path,
        )
    return data_members[0]


def read_bytes(path: str | Path) -> bytes:
    """The file's bytes; a ``.zip`` holding one data file is opened transparently."""
    path = Path(path)
    if not path.exists():
        raise InputError("fichier introuvable", file=path)
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as zf:
            return zf.read(_data_member(path, zf))
    return path.read_bytes()


def read_filtered_bytes(
    path: str | Path, keep: str, literal: bytes | None = None
) -> tuple[bytes, np.ndarray]:
    """The first non-blank line and the lines matching ``keep``, streamed, with their numbers.

    For national files of which a small part is read (1.5 GB for the geolocated BPE):
    lines are tested as bytes while the file (or zip member) is streamed, so memory
    holds only the kept lines. Returns the kept bytes and the 1-based physical line
    number of each kept line. ``literal``, when given, is a substring every kept line
    contains, tested before the expression.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("fichier introuvable", file=path)
    pattern = re.compile(keep.encode("ascii"))
    kept: list[bytes] = []
    numbers: list[int] = []

    def scan(fh) -> None:
        header_seen = False
        for n, raw in enumerate(fh, start=1):
            if not header_seen:
                if raw.strip():
                    kept.append(raw.rstrip(b"\r\n"))
                    numbers.append(n)
                    header_seen = True
                continue
            # a cheap substring test first: the regular expression runs on few lines
            if (literal is None or literal in raw) and pattern.search(raw):
                kept.append(raw.rstrip(b"\r\n"))
                numbers.append(n)

    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as zf, zf.open(_data_member(path, zf)) as fh:
            scan(fh)
    else:
        with path.open("rb") as fh:
            scan(fh)
    return b"\n".join(kept) + b"\n", np.asarray(numbers, dtype=np.int64)


def decode(
    data: bytes, *, file: str | Path, encoding: str = "utf-8", fallback: str | None = None
) -> tuple[str, str, list[str]]:
    """Decode ``data``; return ``(text, encoding used, warnings)``.

    A UTF-8 byte-order mark is dropped. When ``encoding`` fails and the format
    declares a ``fallback`` (e.g. ``cp1252`` for FINESS), the fallback is used and
    a warning says so; otherwise an :class:`InputError` names the first bad line.
    """
    warnings: list[str] = []
    if not data.strip():
        raise InputError("fichier vide : aucune ligne d'en-tête ni de données", file=file, line=1)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode(encoding), encoding, warnings
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        if fallback is not None:
            try:
                text = data.decode(fallback)
            except UnicodeDecodeError as exc2:
                line2 = data[: exc2.start].count(b"\n") + 1
                raise InputError(
                    f"encodage illisible : octet 0x{data[exc2.start]:02X} ni {encoding} ni {fallback}",
                    file=file,
                    line=line2,
                ) from exc2
            warnings.append(
                f"fichier non {encoding} (première anomalie ligne {line}) : lu en {fallback}, "
                "l'encodage déclaré par ce format"
            )
            return text, fallback, warnings
        raise InputError(
            f"encodage invalide : l'octet 0x{data[exc.start]:02X} n'est pas du {encoding.upper()} "
            "(fichier en latin-1 / windows-1252 ?) ; réenregistrez le fichier en UTF-8",
            file=file,
            line=line,
        ) from exc


def split_lines(text: str) -> pd.Series:
    """Physical lines as a Series indexed by 1-based line number (line ends dropped)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    s = pd.Series(lines, dtype="object")
    s = s.str.rstrip("\r")
    s.index = np.arange(1, len(s) + 1)
    return s


# --------------------------------------------------------------------------- records


def count_fields(lines: pd.Series, sep: str, *, quoting: bool = True) -> pd.Series:
    """Number of fields on each line (quoted parts ignored when ``quoting``)."""
    text = lines.str.replace(r'"[^"]*"', "", regex=True) if quoting else lines
    return text.str.count(re.escape(sep)) + 1


def parse_records(
    lines: pd.Series,
    names: Sequence[str],
    sep: str,
    *,
    file: str | Path,
    quoting: bool = True,
    allowed_counts: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Parse ``lines`` (indexed by line number) into a DataFrame of strings.

    Every line must have ``len(names)`` fields (or one of ``allowed_counts``, the
    missing trailing fields then read as empty). The result is indexed by line
    number. Raises :class:`InputError` on the first line with a wrong count.
    """
    n = len(names)
    if quoting:
        odd = (lines.str.count('"') % 2) == 1
        if odd.any():  # a quote never closed on its line (fields never span lines in these files)
            line = int(lines.index[odd.argmax()])
            before = lines[line][: lines[line].rfind('"')]
            k = count_fields(pd.Series([before]), sep, quoting=True).iloc[0] - 1
            raise InputError(
                "guillemet ouvert jamais refermé sur cette ligne",
                file=file,
                line=line,
                field=names[k] if 0 <= k < n else None,
            )
    counts = count_fields(lines, sep, quoting=quoting)
    allowed = set(allowed_counts) if allowed_counts is not None else {n}
    bad = ~counts.isin(allowed)
    if bad.any():
        line = int(counts.index[bad.argmax()])
        k = int(counts[line])
        if k < n:
            fld = names[k]
            msg = (
                f"ligne tronquée : {k} champ(s) au lieu de {n} attendus (séparateur "
                f"« {sep} »), le champ « {fld} » et les suivants manquent"
            )
        else:
            fld = None
            msg = f"ligne mal formée : {k} champs au lieu de {n} attendus (séparateur « {sep} »)"
        raise InputError(msg, file=file, line=line, field=fld)
    if len(lines) == 0:
        return pd.DataFrame(columns=list(names), dtype="object")
    frame = pd.read_csv(
        io.StringIO("\n".join(lines.tolist())),
        sep=sep,
        header=None,
        names=list(names),
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=False,
        quoting=0 if quoting else 3,
        engine="c",
    )
    frame.index = lines.index
    return frame


@dataclass
class Table:
    """A delimited file read as strings, with the physical line number of each row."""

    frame: pd.DataFrame  # indexed by physical line number, str columns
    file: str
    sep: str
    encoding: str
    header_line: int = 1
    warnings: list[str] = field(default_factory=list)

    def require(self, columns: Iterable[str], *, hint: str = "") -> None:
        """Raise naming the header line when one of ``columns`` is missing."""
        missing = [c for c in columns if c not in self.frame.columns]
        if missing:
            raise InputError(
                f"colonne obligatoire « {missing[0]} » absente de l'en-tête"
                f"{hint}{_separator_hint(self)}",
                file=self.file,
                line=self.header_line,
                field=missing[0],
            )

    def pick(self, *names: str) -> str | None:
        """First of ``names`` present among the columns (case-insensitive), or ``None``."""
        upper = {c.upper(): c for c in self.frame.columns}
        for name in names:
            if name in self.frame.columns:
                return name
            if name.upper() in upper:
                return upper[name.upper()]
        return None


def _separator_hint(table: Table) -> str:
    cols = list(table.frame.columns)
    if len(cols) == 1:
        others = [s for s in SEPARATOR_NAMES if s != table.sep and s in cols[0]]
        if others:
            return (
                f" ; l'en-tête ne forme qu'une colonne : le séparateur attendu est "
                f"« {table.sep} » ({SEPARATOR_NAMES[table.sep]}) mais le fichier semble "
                f"utiliser « {others[0]} » ({SEPARATOR_NAMES[others[0]]})"
            )
    return ""


def detect_separator(header: str, candidates: Sequence[str]) -> str:
    """The candidate separator found most often in ``header`` (quoted parts ignored)."""
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = [(unquoted.count(s), -i, s) for i, s in enumerate(candidates)]
    best = max(counts)
    return best[2] if best[0] > 0 else candidates[0]


def read_table(
    path: str | Path,
    *,
    seps: Sequence[str] = (";",),
    encoding: str = "utf-8",
    fallback: str | None = None,
    quoting: bool = True,
    drop_empty_trailing: bool = True,
    keep: str | None = None,
    keep_literal: bytes | None = None,
) -> Table:
    """Read a delimited file with a header line into a :class:`Table`.

    The separator is chosen among ``seps`` from the header; blank lines are
    skipped (their numbers are kept for the other lines); a header-only file is
    an error. Column names are stripped of spaces and quotes. ``keep``, a regular
    expression (ASCII), keeps only the data lines that contain it, tested while the
    file is streamed (physical line numbers unchanged): national files of which we
    read a small part (the BPE's health domain among 3 million equipments) are
    neither loaded nor parsed whole.
    """
    file = str(path)
    numbers = None
    if keep is not None:
        data, numbers = read_filtered_bytes(path, keep, keep_literal)
    else:
        data = read_bytes(path)
    try:
        text, used, warnings = decode(data, file=file, encoding=encoding, fallback=fallback)
    except InputError as exc:
        if numbers is None or exc.line is None or exc.line > len(numbers):
            raise
        raise InputError(exc.message, file=file, line=int(numbers[exc.line - 1]), field=exc.field) from exc
    lines = split_lines(text)
    if numbers is not None:
        lines.index = numbers[: len(lines)]
    nonblank = lines[lines.str.strip() != ""]
    if nonblank.empty:
        raise InputError("fichier vide : aucune ligne d'en-tête ni de données", file=file, line=1)
    header_line = int(nonblank.index[0])
    header = nonblank.iloc[0]
    sep = detect_separator(header, seps)
    names = [h.strip().strip('"').strip() for h in header.split(sep)] if not quoting else None
    if names is None:
        names = [
            str(h).strip()
            for h in pd.read_csv(
                io.StringIO(header), sep=sep, header=None, dtype=str, keep_default_na=False
            ).iloc[0]
        ]
    if drop_empty_trailing and len(names) > 1 and names[-1] == "":
        # a trailing separator on every line (RPPS extractions): an empty last column
        names = names[:-1] + ["__trailing__"]
    dupes = pd.Series(names)[pd.Series(names).duplicated()]
    if len(dupes):
        raise InputError(
            f"colonne « {dupes.iloc[0]} » en double dans l'en-tête",
            file=file,
            line=header_line,
            field=str(dupes.iloc[0]),
        )
    body = nonblank.iloc[1:]
    if body.empty:
        raise InputError(
            "le fichier ne contient que l'en-tête : aucune ligne de données",
            file=file,
            line=header_line + 1,
        )
    frame = parse_records(body, names, sep, file=file, quoting=quoting)
    frame = frame.drop(columns=["__trailing__"], errors="ignore")
    return Table(
        frame=frame, file=file, sep=sep, encoding=used, header_line=header_line, warnings=warnings
    )


# --------------------------------------------------------------------------- workbooks


def open_workbook(path: Path):
    """An Excel workbook, read-only with cached values; a French error when it is not one."""
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(f"classeur Excel illisible ({exc.__class__.__name__}) : fichier .xlsx attendu",
                         file=path) from exc


# --------------------------------------------------------------------------- rules and output


@lru_cache(maxsize=1)
def load_rules() -> dict:
    """The parsed ``rules/categories.yaml``."""
    with RULES_PATH.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=8)
def load_rules_file(name: str) -> dict:
    """A parsed YAML file of ``rules/`` (e.g. ``import_bounds.yaml``)."""
    with (RULES_DIR / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def max_quantity(unit: str | None) -> float:
    """Plausible maximum of one line's quantity for ``unit`` (rules/import_bounds.yaml)."""
    per_line = load_rules_file("import_bounds.yaml")["per_line"]
    return float(per_line.get(unit, max(per_line.values())) if unit else max(per_line.values()))


def outside_collectivity(codes: pd.Series) -> pd.Series:
    """Name of the collectivity outside the territory of each INSEE code, NaN when inside."""
    rules = load_rules_file("outside_territory.yaml")
    s = codes.astype("object").fillna("").astype(str).str.strip().str.upper()
    found = s.map(rules["legacy_codes"])
    by_prefix = s.str[:3].map(rules["prefixes"])
    # a FINESS overseas letter code the rules do not list (e.g. 9G…): still outside
    letter = s.str.extract(r"^(9[A-Z])", expand=False)
    other = ("collectivité d'outre-mer (département FINESS " + letter + ")").where(letter.notna())
    return found.fillna(by_prefix).fillna(other)


def known_categories() -> set[str]:
    return set(load_rules()["categories"])


def to_json_column(frame: pd.DataFrame) -> pd.Series:
    """One JSON object per row (vectorised through pandas); empty strings become null."""
    if frame.empty:
        return pd.Series([], dtype="object", index=frame.index)
    clean = frame.astype("object").where(frame.astype("object") != "", None)
    text = clean.to_json(orient="records", lines=True, force_ascii=False)
    out = text.rstrip("\n").split("\n")
    return pd.Series(out, index=frame.index, dtype="object")


def offer_rows(n_index: pd.Index, **columns: object) -> pd.DataFrame:
    """A frame with exactly :data:`OFFER_COLUMNS`, missing ones filled with ``None``/NaN."""
    data = {}
    for col in OFFER_COLUMNS:
        value = columns.get(col)
        if isinstance(value, pd.Series):
            data[col] = value.to_numpy()
        elif value is None and col in ("lat", "lon"):
            data[col] = np.full(len(n_index), np.nan)
        else:
            data[col] = (
                [value] * len(n_index) if not isinstance(value, (np.ndarray, list)) else value
            )
    frame = pd.DataFrame(data, index=n_index)
    frame["quantity"] = frame["quantity"].astype(float)
    frame["lat"] = frame["lat"].astype(float)
    frame["lon"] = frame["lon"].astype(float)
    return frame


def finish(
    *,
    kind: str,
    source: str,
    title: str,
    vintage: str,
    licence: str,
    attribution: str,
    file: str,
    rows: pd.DataFrame,
    parameters: dict[str, object] | None = None,
    remapped: pd.DataFrame | None = None,
    rejected: pd.DataFrame | None = None,
    warnings: list[str] | None = None,
) -> ImportBatch:
    """Assemble an :class:`ImportBatch`, with a clean RangeIndex and the table's columns."""
    columns = OFFER_COLUMNS if kind == "offer" else POPULATION_COLUMNS
    rows = rows[columns].reset_index(drop=True)
    batch = ImportBatch(
        kind=kind,
        source=source,
        title=title,
        vintage=vintage,
        licence=licence,
        attribution=attribution,
        file=file,
        rows=rows,
        parameters=dict(parameters or {}),
        warnings=list(warnings or []),
    )
    if remapped is not None:
        batch.remapped = remapped.reset_index(drop=True)
    if rejected is not None and len(rejected):
        rejected = rejected.sort_values("line").reset_index(drop=True)
        is_out = rejected["reason"].astype(str).str.startswith(OUTSIDE_REASON)
        if is_out.any():
            out = rejected[is_out]
            batch.outside = pd.DataFrame(
                {
                    "line": out["line"].to_numpy(),
                    "code": out["value"].to_numpy(),
                    "collectivity": out["reason"].str.split(" : ", n=1).str[1].to_numpy(),
                }
            )
        batch.rejected = rejected[~is_out].reset_index(drop=True)
    return batch


def json_dumps(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True)
