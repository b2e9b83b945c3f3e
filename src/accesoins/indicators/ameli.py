"""Time series of the Assurance Maladie's open data (Observatoire de l'accès aux soins).

Reads the CSV exports of data.ameli.fr (an Opendatasoft portal: ``;``-separated,
UTF-8 with a BOM, one header line of field names) in either layout:

- **long**: a period column, a territory column, an indicator column and a value
  column (``annee;departement;indicateur;valeur``);
- **wide**: a period column, a territory column and one numeric column per
  indicator (``annee;departement;patients_ald_sans_mt;teleconsultations``).

The period is a year (``2024``), a quarter (``2024-T1``, ``2024T1``, ``T1 2024``) or a
month (``2024-03``); territories are départements (``dept``, ``departement``…),
régions or ``FR``. Labels of known indicators come from ``rules/ameli.yaml``.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd
import yaml

from ..errors import InputError
from ..offer import _csv

PERIOD_COLUMNS = ("annee", "année", "periode", "période", "trimestre", "mois", "date")
TERRITORY_COLUMNS = {
    "departement": ("departement", "département", "dept", "code_departement", "dep", "code_dept"),
    "region": ("region", "région", "code_region", "reg"),
}
LONG_COLUMNS = (("indicateur", "indicator", "libelle_indicateur"), ("valeur", "value", "nombre"))
_QUARTER = re.compile(r"^(?:(\d{4})\s*-?\s*[Tt]([1-4])|[Tt]([1-4])\s*-?\s*(\d{4}))$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-\d{2})?$")


@cache
def ameli_rules() -> dict:
    return yaml.safe_load((resources.files("accesoins") / "rules" / "ameli.yaml").read_text(encoding="utf-8"))


def normalise_period(text: str) -> str | None:
    """'2024', '2024-T1' or '2024-03'; None when unreadable."""
    t = text.strip()
    if re.fullmatch(r"\d{4}", t):
        return t
    m = _QUARTER.match(t)
    if m:
        year, q = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        return f"{year}-T{q}"
    m = _MONTH.match(t)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{m.group(1)}-{m.group(2)}"
    return None


def read_ameli_series(path: str | Path, *, departements: set[str], regions: set[str]) -> pd.DataFrame:
    """Long frame ``indicator, label, level, code, period, value`` from one export file."""
    table = _csv.read_table(path, seps=(";", ","), encoding="utf-8")
    frame, file = table.frame, table.file
    lower = {c.lower(): c for c in frame.columns}
    period_col = next((lower[c] for c in PERIOD_COLUMNS if c in lower), None)
    if period_col is None:
        raise InputError(f"colonne de période absente (une de : {', '.join(PERIOD_COLUMNS)})",
                         file=file, line=table.header_line, field="annee")
    level, terr_col = None, None
    for lvl, names in TERRITORY_COLUMNS.items():
        terr_col = next((lower[c] for c in names if c in lower), None)
        if terr_col:
            level = lvl
            break
    if terr_col is None:
        raise InputError("colonne de territoire absente (département ou région)", file=file,
                         line=table.header_line, field="departement")
    periods = frame[period_col].map(normalise_period)
    if periods.isna().any():
        bad = _csv.first_bad(periods.isna())
        raise InputError(f"période illisible « {frame.loc[bad, period_col]} » (attendu 2024, 2024-T1 ou 2024-03)",
                         file=file, line=bad, field=period_col)
    codes = frame[terr_col].str.strip().str.upper()
    codes = codes.where(~codes.str.fullmatch(r"\d"), "0" + codes)  # '1' → '01' (spreadsheet exports)
    known = departements if level == "departement" else regions
    unknown = ~codes.isin(known | {"FR", "FRANCE"})
    if unknown.any():
        bad = _csv.first_bad(unknown)
        raise InputError(f"code de {level} inconnu « {codes[bad]} »", file=file, line=bad, field=terr_col)
    levels = pd.Series(level, index=frame.index).where(~codes.isin({"FR", "FRANCE"}), "france")
    codes = codes.where(levels != "france", "FR")
    ind_col = next((lower[c] for c in LONG_COLUMNS[0] if c in lower), None)
    val_col = next((lower[c] for c in LONG_COLUMNS[1] if c in lower), None)
    if ind_col and val_col:
        long = pd.DataFrame({"indicator": frame[ind_col].str.strip(), "level": levels, "code": codes,
                             "period": periods, "raw": frame[val_col], "field": val_col})
    else:
        value_cols = [c for c in frame.columns if c not in (period_col, terr_col)
                      and not c.lower().startswith(("libelle", "libellé", "nom"))]
        if not value_cols:
            raise InputError("aucune colonne de valeur", file=file, line=table.header_line)
        parts = [pd.DataFrame({"indicator": c, "level": levels, "code": codes, "period": periods,
                               "raw": frame[c], "field": c}) for c in value_cols]
        long = pd.concat(parts)
    text = long["raw"].str.strip().str.replace(",", ".", regex=False).str.replace(" ", "", regex=False)
    values = pd.to_numeric(text.where(text != "", None), errors="coerce")
    bad_mask = values.isna() & text.ne("") & text.notna()
    if bad_mask.any():
        line = int(bad_mask[bad_mask].index.min())
        row = long.loc[[line]].iloc[0]
        raise InputError(f"valeur non numérique « {row['raw']} »", file=file, line=line, field=row["field"])
    labels = ameli_rules()["indicators"]
    long = long.assign(value=values, label=long["indicator"].map(
        lambda k: labels.get(k, {}).get("label", k)))
    return long[["indicator", "label", "level", "code", "period", "value"]].reset_index(drop=True)
