"""DREES APL to general practitioners: the official workbook and the 2018 reference CSV.

The DREES publishes the APL (data.drees, dataset ``530_l-accessibilite-potentielle-localisee-apl``)
as an Excel workbook: a « Paramètres » sheet (scope, activity bounds, distance decay, age
weights) and one sheet per vintage (« APL 2022 », « APL 2023 »), each with a block of title,
sources, scope and notes lines before its table. The header row is found by its « Code commune »
cell (not by position); the row under it carries the units; data rows follow, one per commune::

    Code commune INSEE | Commune | APL aux médecins généralistes |
    APL aux médecins généralistes de moins de 65 ans |
    Population standardisée 2020 pour la médecine générale | Population totale 2020

The 2018 vintage circulates as a CSV ``code_commune,apl_mg2018,apl_mg2018_65``.

Both are read into long rows ``indicator, variant, vintage, code_commune, value``:
``apl_medecin_generaliste`` with variant ``tous`` or ``moins_65`` (``moins_62``,
``moins_60`` when the sheet carries them), and ``population_standardisee_mg`` and
``population_totale`` (variant ``tous``) when the sheet carries them. Codes of communes
merged since are mapped to the current commune (APL averaged, weighted by the standardised
population when the file carries it, else a simple mean) and reported; the municipal
arrondissements of Paris, Lyon and Marseille keep their own code.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from accesoins.errors import InputError
from accesoins.offer import _csv, _validate
from accesoins.territory.codes import CommuneIndex, normalise_code

APL = "apl_medecin_generaliste"
POP_STD = "population_standardisee_mg"
POP_TOTAL = "population_totale"
TITLE = "DREES, accessibilité potentielle localisée (APL) aux médecins généralistes"
LICENCE = "Licence Ouverte / Open Licence 2.0"
ATTRIBUTION = "DREES, data.drees, jeu 530_l-accessibilite-potentielle-localisee-apl"
URL = "https://data.drees.solidarites-sante.gouv.fr/explore/dataset/530_l-accessibilite-potentielle-localisee-apl/"

_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_CSV_COLUMN = re.compile(r"^apl_mg(\d{4})(?:_(\d{2}))?$", re.IGNORECASE)


@dataclass
class ReferenceBatch:
    """What a reference file brings, validated, before it touches the store."""

    file: str
    rows: pd.DataFrame  # indicator, variant, vintage, code_commune, value
    parameters: dict[str, object] = field(default_factory=dict)
    remapped: pd.DataFrame = field(default_factory=pd.DataFrame)
    rejected: pd.DataFrame = field(default_factory=_validate.empty_rejected)
    kept_arrondissements: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def vintages(self) -> list[str]:
        return sorted(self.rows["vintage"].unique().tolist())


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _norm(label: object) -> str:
    """Lower-case label without accents' variants that matter here, spaces collapsed."""
    t = re.sub(r"\s+", " ", _text(label)).lower()
    return t.replace("é", "e").replace("è", "e").replace("â", "a")


def column_meaning(label: object) -> tuple[str, str] | None:
    """(indicator, variant) of a table header cell, or None when the column is not kept."""
    t = _norm(label)
    if t.startswith("apl"):
        m = re.search(r"(\d{2}) ans", t)
        return APL, (f"moins_{m.group(1)}" if m else "tous")
    if t.startswith("population standardisee"):
        return POP_STD, "tous"
    if t.startswith("population totale") or t.startswith("population municipale"):
        return POP_TOTAL, "tous"
    return None


def read_parameters_sheet(rows: list[tuple]) -> dict[str, object]:
    """The « Paramètres » sheet as data: scope, activity bounds, distance decay, age weights."""
    lines = [[c for c in row if c is not None and _text(c) != ""] for row in rows]
    out: dict[str, object] = {"lignes": [[_text(c) if isinstance(c, str) else c for c in ln]
                                         for ln in lines if ln]}
    for i, ln in enumerate(lines):
        head = _norm(ln[0]) if ln else ""
        if head.startswith("champ de l") and i + 1 < len(lines) and lines[i + 1]:
            out["champ"] = _text(lines[i + 1][0])
        if head.startswith("tranche d'age"):
            vintages = [re.search(r"(\d{4})", _text(c)).group(1) for c in ln[1:]
                        if re.search(r"(\d{4})", _text(c))]
            weights: dict[str, dict[str, float]] = {v: {} for v in vintages}
            for row in lines[i + 1:]:
                if len(row) != len(vintages) + 1 or not all(isinstance(x, (int, float)) for x in row[1:]):
                    break
                for v, w in zip(vintages, row[1:], strict=True):
                    weights[v][_text(row[0])] = float(w)
            out["poids_age"] = weights
        if head.startswith("temps de trajet"):
            decay = {}
            for row in lines[i + 1:]:
                if len(row) != 2 or not isinstance(row[1], (int, float)):
                    break
                decay[_text(row[0])] = float(row[1])
            out["decroissance_distance"] = decay
    return out


def _find_header(rows: list[tuple]) -> int | None:
    for i, row in enumerate(rows):
        for cell in row[:3]:
            if _norm(cell).startswith("code commune") or _norm(cell) == "code_commune":
                return i
    return None


def _sheet_vintage(title: str, rows: list[tuple], header: int) -> str | None:
    for row in rows[:header]:
        for cell in row:
            m = re.search(r"mill[ée]sime\s*:?\s*(\d{4})", _text(cell), re.IGNORECASE)
            if m:
                return m.group(1)
    m = re.search(r"(\d{4})", title)
    return m.group(1) if m else None


def _read_sheet(title: str, rows: list[tuple], *, file: str) -> pd.DataFrame:
    """Long rows (plus ``line``) of one « APL yyyy » sheet."""
    where = f"{file} (feuille « {title} »)"
    header = _find_header(rows)
    if header is None:
        raise InputError("en-tête du tableau introuvable : aucune cellule « Code commune » dans les "
                         "premières colonnes", file=where)
    vintage = _sheet_vintage(title, rows, header)
    if vintage is None:
        raise InputError("millésime introuvable (ni « Millésime : AAAA » ni année dans le nom de la feuille)",
                         file=where, line=1)
    head = rows[header]
    columns = {j: column_meaning(c) for j, c in enumerate(head)}
    columns = {j: m for j, m in columns.items() if m}
    if not any(m[0] == APL for m in columns.values()):
        raise InputError("aucune colonne « APL … » dans l'en-tête", file=where, line=header + 1)
    code_col = next(j for j, c in enumerate(head) if _norm(c).startswith("code commune")
                    or _norm(c) == "code_commune")
    records = []
    started = False
    for i in range(header + 1, len(rows)):
        row = rows[i]
        line = i + 1
        raw = row[code_col] if code_col < len(row) else None
        code = normalise_code(raw) if raw is not None and _text(raw) != "" else ""
        values = {j: (row[j] if j < len(row) else None) for j in columns}
        has_number = any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values.values())
        if not _CODE.match(code):
            if has_number:
                raise InputError(f"code commune « {_text(raw)} » invalide (5 caractères attendus)",
                                 file=where, line=line, field=_text(head[code_col]))
            continue  # the units line under the header, blank lines, footnotes
        started = True
        for j, (indicator, variant) in columns.items():
            v = values[j]
            if v is None or _text(v) in ("", "-", "nd", "n.d.", "NA", "s"):
                value = math.nan
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                value = float(v)
            else:
                try:
                    value = float(_text(v).replace(",", ".").replace("\u202f", "").replace(" ", ""))
                except ValueError:
                    raise InputError(f"valeur « {_text(v)} » non numérique", file=where, line=line,
                                     field=_text(head[j])) from None
            if value < 0 or not math.isfinite(value) and not math.isnan(value):
                raise InputError(f"valeur {v} hors bornes (négative ou infinie)", file=where, line=line,
                                 field=_text(head[j]))
            records.append((indicator, variant, vintage, code, value, line, where))
    if not started:
        raise InputError("aucune ligne de commune sous l'en-tête", file=where, line=header + 2)
    return pd.DataFrame(records, columns=["indicator", "variant", "vintage", "raw_code", "value", "line", "where"])


def _read_workbook(path: Path) -> tuple[pd.DataFrame, dict[str, object], list[str]]:
    wb = _csv.open_workbook(path)
    try:
        parts, params, sheets, ignored = [], {}, [], []
        for ws in wb.worksheets:
            rows = list(ws.iter_rows(values_only=True))
            if _norm(ws.title).startswith("parametre"):
                params = read_parameters_sheet(rows)
                sheets.append(ws.title)
                continue
            if _find_header(rows) is None and not _norm(ws.title).startswith("apl"):
                ignored.append(ws.title)  # a notes sheet without a commune table
                continue
            parts.append(_read_sheet(ws.title, rows, file=str(path)))
            sheets.append(ws.title)
    finally:
        wb.close()
    if not parts:
        raise InputError("aucune feuille de données APL (tableau « Code commune … ») dans le classeur", file=path)
    if ignored:
        params = {**params, "feuilles_ignorees": ignored}
    return pd.concat(parts, ignore_index=True), params, sheets


# --------------------------------------------------------------------------- CSV 2018


def _read_csv(path: Path, vintage: str | None) -> tuple[pd.DataFrame, dict[str, object]]:
    table = _csv.read_table(path, seps=(",", ";"), encoding="utf-8")
    code_col = table.pick("code_commune", "CODGEO", "codecommune")
    if code_col is None:
        table.require(["code_commune"], hint=" (colonnes attendues : code_commune, apl_mg2018, apl_mg2018_65)")
    parts = []
    for col in table.frame.columns:
        m = _CSV_COLUMN.match(col)
        if not m:
            continue
        vint = vintage or m.group(1)
        variant = f"moins_{m.group(2)}" if m.group(2) else "tous"
        text = table.frame[col].str.strip()
        empty = text.isin(["", "NA", "nan"])
        num = pd.to_numeric(text.str.replace(",", ".", regex=False).where(~empty), errors="coerce")
        bad = num.isna() & ~empty
        if bad.any():
            line = _validate.first_bad(bad)
            raise InputError(f"valeur « {text[line]} » non numérique", file=table.file, line=line, field=col)
        neg = num < 0
        if neg.any():
            line = _validate.first_bad(neg)
            raise InputError(f"APL négatif ({text[line]})", file=table.file, line=line, field=col)
        parts.append(pd.DataFrame({"indicator": APL, "variant": variant, "vintage": vint,
                                   "raw_code": table.frame[code_col].map(normalise_code),
                                   "value": num.astype(float), "line": table.frame.index,
                                   "where": table.file}))
    if not parts:
        raise InputError("aucune colonne apl_mgAAAA[_65] dans l'en-tête", file=table.file,
                         line=table.header_line, field="apl_mg2018")
    frame = pd.concat(parts, ignore_index=True)
    bad = ~frame["raw_code"].str.match(_CODE)
    if bad.any():
        row = frame[bad].iloc[0]
        raise InputError(f"code commune « {row['raw_code']} » invalide", file=table.file,
                         line=int(row["line"]), field=code_col)
    return frame, {"layout": "csv", "warnings": table.warnings}


# --------------------------------------------------------------------------- codes


def _map_codes(frame: pd.DataFrame, communes: CommuneIndex, arrondissements: set[str], *,
               skip_unknown: bool) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int]:
    codes = frame["raw_code"]
    keep_arm = codes.isin(arrondissements)
    resolved = pd.Series(communes.resolve_many(codes.tolist()).to_numpy(), index=frame.index, dtype="object")
    resolved = resolved.where(~keep_arm, codes)
    unknown = resolved.isna()
    rejected = _validate.empty_rejected()
    if unknown.any():
        first = frame[unknown].iloc[0]
        if not skip_unknown:
            raise InputError(f"code commune « {first['raw_code']} » inconnu (ni commune actuelle, ni ancien "
                             "code connu) ; utilisez --skip-unknown pour écarter ces lignes",
                             file=first["where"], line=int(first["line"]), field="code commune")
        lines = frame[unknown].drop_duplicates("line")
        rejected = pd.DataFrame({"line": lines["line"].astype(int), "field": "code commune",
                                 "value": lines["raw_code"], "reason": "code commune inconnu"})
    moved = ~unknown & (resolved != codes)
    remapped = frame[moved].assign(code_commune=resolved[moved]).drop_duplicates(["raw_code", "vintage"])[
        ["line", "raw_code", "code_commune", "vintage"]].rename(columns={"raw_code": "old_code"})
    out = frame[~unknown].assign(code_commune=resolved[~unknown])
    n_arm = int(frame.loc[keep_arm, "raw_code"].nunique())
    return out, remapped.reset_index(drop=True), rejected, n_arm


def _aggregate(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator × variant × vintage × current commune (merged communes combined)."""
    key = ["indicator", "variant", "vintage", "code_commune"]
    dup = frame.duplicated(key, keep=False)
    if not dup.any():
        return frame[key + ["value"]]
    single, multi = frame[~dup], frame[dup]
    pops = multi[multi["indicator"] == POP_STD].set_index(["vintage", "raw_code"])["value"]
    parts = [single[key + ["value"]]]
    summed = multi[multi["indicator"] != APL].groupby(key, as_index=False)["value"].sum(min_count=1)
    parts.append(summed)
    apl = multi[multi["indicator"] == APL]
    if len(apl):
        w = pd.Series(pops.reindex(pd.MultiIndex.from_arrays([apl["vintage"], apl["raw_code"]])).to_numpy(),
                      index=apl.index)
        w = w.where(apl["value"].notna())
        weighted = (apl["value"] * w).groupby([apl[k] for k in key]).sum(min_count=1)
        weights = w.groupby([apl[k] for k in key]).sum(min_count=1)
        plain = apl.groupby(key)["value"].mean()
        value = (weighted / weights).where(weights > 0, plain)
        parts.append(value.rename("value").reset_index())
    return pd.concat(parts, ignore_index=True)


def _check_bounds(frame: pd.DataFrame) -> None:
    """Values outside the plausible bounds of ``rules/references.yaml`` are errors."""
    bounds = yaml.safe_load((resources.files("accesoins") / "rules" / "references.yaml")
                            .read_text(encoding="utf-8"))["bornes"]
    for indicator, b in bounds.items():
        part = frame[(frame["indicator"] == indicator) & frame["value"].notna()]
        bad = part[(part["value"] < b["min"]) | (part["value"] > b["max"])]
        if len(bad):
            row = bad.iloc[0]
            raise InputError(f"valeur {row['value']:g} hors des bornes plausibles [{b['min']:g} ; {b['max']:g}] "
                             f"({b['unit']}, rules/references.yaml)", file=row["where"], line=int(row["line"]),
                             field=f"{indicator} ({row['variant']})")


def read_drees_apl(
    path: str | Path,
    *,
    communes: CommuneIndex,
    arrondissements: set[str] | frozenset[str] = frozenset(),
    vintage: str | None = None,
    skip_unknown: bool = False,
) -> ReferenceBatch:
    """Read the DREES APL workbook (``.xlsx``, every sheet) or the 2018 CSV into a batch.

    Parameters
    ----------
    path : str or Path
        ``apl_generalistes_….xlsx`` or a CSV ``code_commune,apl_mgAAAA,apl_mgAAAA_65``.
    communes : CommuneIndex
        Current communes and the mapping of old codes.
    arrondissements : set of str
        Codes of municipal arrondissements, kept as they are (not merged into their commune).
    vintage : str, optional
        Overrides the vintage (CSV only; a workbook names its vintage on each sheet).
    skip_unknown : bool, default False
        Reject (and list) rows whose commune code is unknown instead of raising.

    Raises
    ------
    InputError
        Unreadable workbook, no « Code commune » header, non-numeric or negative value,
        invalid or unknown commune code — naming the file (and sheet), line and field.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("fichier introuvable", file=path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        frame, params, sheets = _read_workbook(path)
        ignored = params.pop("feuilles_ignorees", [])
        parameters: dict[str, object] = {"layout": "xlsx", "feuilles": sheets, "parametres_drees": params}
        warnings = [f"feuille « {t} » ignorée : pas de tableau par commune" for t in ignored]
    else:
        frame, parameters = _read_csv(path, vintage)
        warnings = list(parameters.pop("warnings", []))
    _check_bounds(frame)
    mapped, remapped, rejected, n_arm = _map_codes(frame, communes, set(arrondissements),
                                                   skip_unknown=skip_unknown)
    rows = _aggregate(mapped)
    merged = int(mapped.duplicated(["indicator", "variant", "vintage", "code_commune"]).sum())
    if len(remapped):
        warnings.append(f"{remapped['old_code'].nunique()} anciens codes communes rattachés à leur commune "
                        f"actuelle ({merged} valeurs regroupées : APL moyen pondéré par la population "
                        "standardisée si le fichier la donne, sinon moyenne simple)")
    if len(rejected):
        warnings.append(f"{len(rejected)} lignes à code commune inconnu écartées")
    if n_arm:
        warnings.append(f"{n_arm} arrondissements municipaux conservés sous leur propre code")
    parameters.update({"anciens_codes_rattaches": int(remapped["old_code"].nunique()) if len(remapped) else 0,
                       "arrondissements_conserves": n_arm, "lignes_ecartees": int(len(rejected))})
    rows = rows.assign(value=rows["value"].astype(float)).replace({np.inf: np.nan})
    return ReferenceBatch(file=str(path), rows=rows.reset_index(drop=True), parameters=parameters,
                          remapped=remapped, rejected=rejected, kept_arrondissements=n_arm, warnings=warnings)


__all__ = ["read_drees_apl", "ReferenceBatch", "APL", "POP_STD", "POP_TOTAL", "column_meaning"]
