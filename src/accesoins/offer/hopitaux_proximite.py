"""The published list of labelled hôpitaux de proximité (DGOS / ARS): CSV or XLSX, read and validated.

« Hôpital de proximité » is a label given by order of the ARS director general (CSP L. 6111-3-1;
ordonnance and décret of 12 May 2021), not a FINESS category: the only way to identify these
hospitals in the offer is the list of their FINESS numbers. The exact column list of the published
file could not be read here, so this reader ASSUMES one table whose header row has a cell
containing « finess » (title lines above it are skipped) and picks its columns by the patterns of
``rules/structures.yaml`` (``liste_hopitaux_proximite``): the geographic (ET) number rather than a
legal-entity (EJ) one, and optionally the name, the région and the date of labelling. What it took
for what is returned with the rows (``assumptions``), for the report and the source's parameters.

A FINESS number is 9 characters, ``[0-9][0-9AB][0-9]{7}`` (Corsica 2A/2B). Spreadsheets store it as
a number and drop the leading zero of départements 01 to 09: an 8-digit number is padded and
counted. Any other bad number is an :class:`~accesoins.errors.InputError` naming file, line and
field. Nothing here touches the store.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from accesoins.errors import InputError
from accesoins.offer import _csv
from accesoins.territory.codes import fold

FINESS = re.compile(r"^[0-9][0-9AB][0-9]{7}$")
SEPARATORS = (";", ",", "\t")
MAX_HEADER = 60  # a header cell is short; a longer text naming FINESS is a title or a note


def list_rules() -> dict:
    """The ``liste_hopitaux_proximite`` section of ``rules/structures.yaml``."""
    return _csv.load_rules_file("structures.yaml")["liste_hopitaux_proximite"]


@dataclass
class HpList:
    """The list as read: one row per FINESS number, with what the reader assumed."""

    file: str
    rows: pd.DataFrame  # finess, nom, region, date_label (datetime.date or None), line
    columns: dict[str, str]  # role → header text of the column taken
    header_line: int
    sheet: str | None = None
    padded: int = 0
    padded_sample: list[dict] = field(default_factory=list)
    duplicates: int = 0
    without_number: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def assumptions(self) -> list[str]:
        """What was assumed of the layout, in French, for the report."""
        where = f"feuille « {self.sheet} », " if self.sheet else ""
        out = [f"en-tête pris à la ligne {self.header_line} ({where}première ligne ayant une cellule « finess »)"]
        labels = {"finess": "numéro FINESS", "nom": "nom", "region": "région", "date_label": "date de labellisation"}
        for role, label in labels.items():
            col = self.columns.get(role)
            out.append(f"{label} : colonne « {col} »" if col else f"{label} : aucune colonne reconnue")
        return out


def norm(label: object) -> str:
    """Header text folded as names are (lower case, no accents, spaces collapsed) for the rules' patterns."""
    return fold("" if label is None else str(label))


# --------------------------------------------------------------------------- raw rows


def _csv_rows(path: Path) -> tuple[list[list[str]], list[int], list[str]]:
    """Rows of a delimited file (fields of each physical line), their line numbers, warnings."""
    data = _csv.read_bytes(path)
    text, _, warnings = _csv.decode(data, file=path, encoding="utf-8", fallback="cp1252")
    lines = text.split("\n")
    marker = list_rules()["header_marker"]
    # the separator of the header line: of the lines naming « finess », the one with most separators
    marked = [ln for ln in lines[:200] if marker in norm(ln)]
    best = max(marked, key=lambda ln: max(ln.count(s) for s in SEPARATORS), default="")
    sep = _csv.detect_separator(best, SEPARATORS)
    rows, numbers = [], []
    for i, ln in enumerate(lines):
        ln = ln.rstrip("\r")
        if not ln.strip():
            continue
        try:
            fields = next(csv.reader([ln], delimiter=sep))
        except (csv.Error, StopIteration):
            fields = [ln]
        rows.append(fields)
        numbers.append(i + 1)
    return rows, numbers, warnings


def _xlsx_rows(path: Path) -> tuple[list[list[object]], list[int], str | None]:
    """Rows (Excel row numbers) of the first sheet having a « finess » header cell."""
    wb = _csv.open_workbook(path)
    marker = list_rules()["header_marker"]
    try:
        first = None
        for ws in wb.worksheets:
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            if first is None:
                first = (rows, ws.title)
            if any(marker in norm(c) for r in rows for c in r if isinstance(c, str)):
                return rows, list(range(1, len(rows) + 1)), ws.title
        rows, title = first if first is not None else ([], None)
        return rows, list(range(1, len(rows) + 1)), title
    finally:
        wb.close()


def _is_xlsx(path: Path) -> bool:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return True
    if path.suffix.lower() == ".zip":  # a zipped CSV (read_bytes opens it)
        return False
    with path.open("rb") as fh:
        return fh.read(4) == b"PK\x03\x04" and zipfile.is_zipfile(path)


# --------------------------------------------------------------------------- columns


def _first_match(headers: dict[int, str], patterns: list[str], skip: set[int]) -> int | None:
    for pattern in patterns:
        for j, h in headers.items():
            if j not in skip and h and re.search(pattern, h):
                return j
    return None


def choose_columns(header: list[object], *, file: str, line: int) -> dict[str, int]:
    """Role → column index from a header row (the FINESS column required, the others optional)."""
    rules = list_rules()
    headers = {j: norm(h) for j, h in enumerate(header)}
    marker = rules["header_marker"]
    candidates = [j for j, h in headers.items() if marker in h and len(h) <= MAX_HEADER]
    avoid = rules["columns"]["finess"]["avoid"]
    usable = [j for j in candidates if not any(re.search(p, headers[j]) for p in avoid)]
    if not usable:
        shown = " ; ".join(f"« {header[j]} »" for j in candidates)
        raise InputError(f"seule une colonne de numéro FINESS d'entité juridique (EJ) ({shown}) : la liste doit "
                         "donner le numéro FINESS de l'établissement géographique (ET), celui des sites de l'offre",
                         file=file, line=line, field=str(header[candidates[0]]) if candidates else None)
    preferred = _first_match({j: headers[j] for j in usable}, rules["columns"]["finess"]["prefer"], set())
    chosen = {"finess": preferred if preferred is not None else usable[0]}
    skip = set(candidates)
    for role in ("nom", "region", "date_label"):
        j = _first_match(headers, rules["columns"][role], skip)
        if j is not None:
            chosen[role] = j
            skip.add(j)
    return chosen


# --------------------------------------------------------------------------- values


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def finess_number(value: object) -> tuple[str, bool]:
    """(FINESS number, padded?) of a cell; the number as written when it is not valid."""
    raw = _text(value)
    s = re.sub(r"[\s\u00a0\u202f.]", "", raw).upper()
    if re.fullmatch(r"[0-9]{8}", s):
        return "0" + s, True
    return s, False


def parse_date(value: object, *, file: str, line: int, field: str) -> dt.date | None:
    if value is None or _text(value) == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20_000 < value < 80_000:
        # an Excel serial day number (a date cell without its date format): days since 1899-12-30
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    text = _text(value)
    for fmt in list_rules()["date_formats"]:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise InputError(f"date « {text} » illisible : jj/mm/aaaa ou aaaa-mm-jj attendu", file=file, line=line,
                     field=field)


# --------------------------------------------------------------------------- reader


def _header_row(rows: list[list]) -> int | None:
    """Index of the header: the first row with a short « finess » cell among several filled cells (a
    title line above the table naming FINESS is one long cell), else the first row with such a cell."""
    marker = list_rules()["header_marker"]
    marked = [k for k, r in enumerate(rows)
              if any(marker in norm(c) and len(c) <= MAX_HEADER for c in r if isinstance(c, str))]
    wide = [k for k in marked if sum(_text(c) != "" for c in rows[k]) >= 2]
    return (wide or marked or [None])[0]


def read_hopitaux_proximite(path: str | Path) -> HpList:
    """Read the list (CSV ``;``/``,``, UTF-8 with or without BOM or Latin-1; or XLSX)."""
    path = Path(path)
    if not path.exists():
        raise InputError("fichier introuvable : vérifiez le chemin.", file=path)
    sheet, warnings = None, []
    if _is_xlsx(path):
        rows, numbers, sheet = _xlsx_rows(path)
        where = f"{path} (feuille « {sheet} »)"
    else:
        rows, numbers, warnings = _csv_rows(path)
        where = str(path)
    head = _header_row(rows)
    if head is None:
        raise InputError("en-tête introuvable : aucune cellule contenant « FINESS » (numéro FINESS des "
                         "établissements) — est-ce la liste des hôpitaux de proximité ?", file=where, line=1)
    header = rows[head]
    cols = choose_columns(header, file=where, line=numbers[head])
    names = {role: _text(header[j]) for role, j in cols.items()}
    records, padded, seen, dups, blank = [], [], set(), 0, []
    for row, line in zip(rows[head + 1:], numbers[head + 1:], strict=True):
        def cell(role: str, row: list = row) -> object:
            j = cols.get(role)
            return row[j] if j is not None and j < len(row) else None

        if all(_text(c) == "" for c in row):
            continue
        number, was_padded = finess_number(cell("finess"))
        if number == "":
            blank.append(line)  # a footnote or subtotal line under the table
            continue
        if not FINESS.match(number):
            raise InputError(f"numéro FINESS « {_text(cell('finess'))} » invalide : 9 caractères attendus, "
                             "département (2 chiffres, 2A ou 2B) puis 7 chiffres", file=where, line=line,
                             field=names["finess"])
        date = parse_date(cell("date_label"), file=where, line=line, field=names.get("date_label", ""))
        if number in seen:
            dups += 1
            continue
        seen.add(number)
        if was_padded:
            padded.append({"line": line, "value": _text(cell("finess")), "finess": number})
        records.append({"finess": number, "nom": _text(cell("nom")) or None,
                        "region": _text(cell("region")) or None, "date_label": date, "line": line})
    if not records:
        raise InputError("aucun établissement : la liste n'a aucune ligne avec un numéro FINESS", file=where,
                         line=numbers[head] + 1, field=names["finess"])
    frame = pd.DataFrame.from_records(records, columns=["finess", "nom", "region", "date_label", "line"])
    if dups:
        warnings.append(f"{dups} numéro(s) FINESS en double (établissement listé plusieurs fois) : gardé(s) une fois")
    if blank:
        warnings.append(f"{len(blank)} ligne(s) sans numéro FINESS écartée(s) (ligne(s) "
                        f"{', '.join(map(str, blank[:5]))}{'…' if len(blank) > 5 else ''})")
    if len(frame) > list_rules()["plausible_max"]:
        warnings.append(f"{len(frame)} établissements : bien plus que les hôpitaux de proximité labellisés "
                        f"(quelques centaines) ; est-ce la bonne liste ?")
    return HpList(file=str(path), rows=frame, columns=names, header_line=numbers[head], sheet=sheet,
                  padded=len(padded), padded_sample=padded[:10], duplicates=dups, without_number=blank,
                  warnings=warnings)


__all__ = ["HpList", "read_hopitaux_proximite", "choose_columns", "finess_number", "list_rules", "norm"]
