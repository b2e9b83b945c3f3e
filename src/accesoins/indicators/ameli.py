"""Time series of the Assurance Maladie's open data (data.ameli.fr exports).

Reads the CSV exports of data.ameli.fr (an Opendatasoft portal: ``;``-separated, UTF-8 with a
BOM, one header line of field names) as published:

- **dimension columns** (``profession_sante``, ``classe_age``/``libelle_classe_age``,
  ``libelle_sexe``…, listed in ``rules/ameli.yaml``) are read as parts of the indicator, not
  as values: ``effectif`` of ``Médecins généralistes`` aged ``moins de 40 ans`` is the series
  ``effectif.medecins-generalistes.moins-de-40-ans``; totals (« Tout âge », « tout sexe »)
  add nothing to the key;
- **value columns** (``effectif``, ``densite``, ``taux_patients_ald_sans_mt_integer``…) are
  numbers (decimal comma and ``%`` accepted; ``NC`` and secret values are empty);
- **territory**: ``region`` and ``departement`` together (``region = 99`` is France,
  ``departement = 999`` the région itself, ``inconnu`` rows are counted and left out), or a
  single département or région column (``FR`` for France);
- **period**: ``annee`` (a year, or a date such as ``2024-01-01`` for yearly data), a quarter
  (``2024-T1``), a month, or a ``date`` column (end of an infra-annual period → its month);
- the older **long** layout ``annee;departement;indicateur;valeur`` is still read.

Labels of known indicators come from ``rules/ameli.yaml``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..errors import InputError
from ..offer import _csv, _validate

PERIOD_COLUMNS = ("annee", "année", "periode", "période", "trimestre", "mois")
TERRITORY_COLUMNS = {
    "departement": ("departement", "département", "dept", "code_departement", "dep", "code_dept"),
    "region": ("region", "région", "code_region", "reg"),
}
LONG_COLUMNS = (("indicateur", "indicator", "libelle_indicateur"), ("valeur", "value", "nombre"))
_QUARTER = re.compile(r"^(?:(\d{4})\s*-?\s*[Tt]([1-4])|[Tt]([1-4])\s*-?\s*(\d{4}))$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-\d{2})?(?:T.*)?$")


@cache
def ameli_rules() -> dict[str, Any]:
    text = (resources.files("accesoins") / "rules" / "ameli.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


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


def slug(text: str) -> str:
    t = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", t).strip("-")


def _periods(frame: pd.DataFrame, lower: dict[str, str], *, file: str, header_line: int) -> tuple[pd.Series, str]:
    date_col = lower.get("date")
    period_col = next((lower[c] for c in PERIOD_COLUMNS if c in lower), None)
    col = date_col or period_col
    if col is None:
        raise InputError(f"colonne de période absente (une de : {', '.join(PERIOD_COLUMNS)}, date)",
                         file=file, line=header_line, field="annee")
    text = frame[col].str.strip()
    if col == period_col and col.lower() in ("annee", "année"):
        # yearly exports carry ``annee`` as a date (first day of the year)
        text = text.str.replace(r"^(\d{4})-01-01(?:T.*)?$", r"\1", regex=True)
    periods = text.map({u: normalise_period(u) for u in text.unique()})  # few distinct periods
    if periods.isna().any():
        bad = _validate.first_bad(periods.isna())
        raise InputError(f"période illisible « {str(frame.loc[bad, col])} » (attendu 2024, 2024-T1 ou 2024-03)",
                         file=file, line=bad, field=col)
    return periods, col


def _territories(frame: pd.DataFrame, lower: dict[str, str], *, departements: set[str], regions: set[str],
                 file: str, header_line: int) -> tuple[pd.Series, pd.Series, pd.Series, list[str]]:
    """(level, code, skipped mask, territory columns) of every row."""
    rules = ameli_rules()["territoires"]
    dep_col = next((lower[c] for c in TERRITORY_COLUMNS["departement"] if c in lower), None)
    reg_col = next((lower[c] for c in TERRITORY_COLUMNS["region"] if c in lower), None)
    if dep_col is None and reg_col is None and any(c in lower for c in rules["colonnes_nationales"]):
        # a national-only dataset (ages of the professions) carries no territory column at all
        national = pd.Series("france", index=frame.index)
        return national, pd.Series("FR", index=frame.index), pd.Series(False, index=frame.index), []
    if dep_col is None and reg_col is None:
        raise InputError("colonne de territoire absente (département ou région)", file=file,
                         line=header_line, field="departement")

    def codes(col: str | None) -> pd.Series:
        if col is None:
            return pd.Series("", index=frame.index)
        c = frame[col].str.strip().str.upper()
        return c.where(~c.str.fullmatch(r"\d"), "0" + c)  # '1' → '01' (spreadsheet exports)

    dep, reg = codes(dep_col), codes(reg_col)
    unknown_tokens = {t.upper() for t in rules["inconnu"]}
    skipped = dep.isin(unknown_tokens) | reg.isin(unknown_tokens)
    france = reg.isin(set(rules["france_region"])) | dep.isin({"FR", "FRANCE"}) | (
        reg.isin({"FR", "FRANCE"}) & ((dep == "") | dep.isin(set(rules["agregat_departement"]))))
    region_row = ~france & (reg != "") & ((dep == "") | dep.isin(set(rules["agregat_departement"])))
    level = pd.Series("departement", index=frame.index).where(~region_row, "region").where(~france, "france")
    code = dep.where(level == "departement", reg).where(~france, "FR")
    for lvl, col, known in (("departement", dep_col, departements), ("region", reg_col, regions)):
        bad = (level == lvl) & ~skipped & ~code.isin(known)
        if bad.any():
            line = _validate.first_bad(bad)
            raise InputError(f"code de {lvl} inconnu « {code[line]} »", file=file, line=line,
                             field=col or dep_col or reg_col)
    return level, code, skipped, [c for c in (dep_col, reg_col) if c]


def _numbers(raw: pd.Series, *, file: str, field: str) -> pd.Series:
    masked = {t.upper() for t in ameli_rules()["valeurs_masquees"]}
    text = (raw.fillna("").str.strip().str.replace("%", "", regex=False).str.replace("\u202f", "", regex=False)
            .str.replace("\xa0", "", regex=False).str.replace(" ", "", regex=False)
            .str.replace(",", ".", regex=False))
    empty = (text == "") | text.str.upper().isin(masked)
    values = pd.to_numeric(text.where(~empty), errors="coerce")
    bad = values.isna() & ~empty
    if bad.any():
        line = _validate.first_bad(bad)
        raise InputError(f"valeur non numérique « {raw[line]} »", file=file, line=line, field=field)
    bounds = ameli_rules()["bornes"]
    b = {k: float(v) for k, v in bounds.get(re.sub(r"_integer$", "", field.lower()), bounds["defaut"]).items()}
    out = (values < b["min"]) | (values > b["max"]) | values.isin([float("inf"), float("-inf")])
    if out.any():
        line = _validate.first_bad(out)
        raise InputError(f"valeur {raw[line].strip()} hors des bornes plausibles [{b['min']:g} ; {b['max']:g}] "
                         "(rules/ameli.yaml)", file=file, line=line, field=field)
    return values.astype(float)


def read_ameli_series(path: str | Path, *, departements: set[str], regions: set[str]) -> pd.DataFrame:
    """Long frame ``indicator, label, level, code, period, value`` from one export file.

    ``attrs['skipped']`` counts the rows of unidentified territory (``inconnu``) left out;
    ``attrs['masked']`` the values published as secret (``NC``).
    """
    table = _csv.read_table(path, seps=(";", ","), encoding="utf-8")
    frame, file = table.frame, table.file
    rules = ameli_rules()
    lower = {c.lower(): c for c in frame.columns}
    periods, period_col = _periods(frame, lower, file=file, header_line=table.header_line)
    levels, codes, skipped, terr_cols = _territories(frame, lower, departements=departements, regions=regions,
                                                     file=file, header_line=table.header_line)
    used = {period_col, *terr_cols, lower.get("annee"), lower.get("date")}
    used |= {c for c in frame.columns if c.lower() in {"libelle_region", "libelle_departement", "libelle_territoire"}}
    rest = [c for c in frame.columns if c not in used
            and not c.lower().startswith(tuple(rules["colonnes_ignorees"]))]
    dim_names = set(rules["dimensions"])
    dims = [c for c in rest
            if c.lower() in dim_names or c.lower().startswith(("libelle", "libellé", "classe_", "cla_"))]
    ind_col = next((lower[c] for c in LONG_COLUMNS[0] if c in lower), None)
    val_col = next((lower[c] for c in LONG_COLUMNS[1] if c in lower), None)
    if ind_col and val_col:
        value_cols = [val_col]
        dims = [c for c in dims if c not in (ind_col, val_col)]
    else:
        value_cols = [c for c in rest if c not in dims]
        # ``x`` and its parsed twin ``x_integer``: keep the twin, named ``x``
        value_cols = [c for c in value_cols if f"{c.lower()}_integer" not in lower]
    if not value_cols:
        raise InputError("aucune colonne de valeur", file=file, line=table.header_line)

    keep = ~skipped
    base = frame[keep]
    labels = rules["indicators"]
    own = {k.lower(): {v.lower() for v in vs} for k, vs in rules.get("dimensions_par_valeur", {}).items()}
    keys: dict[tuple[str, ...], tuple[pd.Series, pd.Series]] = {}
    relative = {c.lower() for c in rules.get("colonnes_relatives", [])}
    main = next((re.sub(r"_integer$", "", c, flags=re.IGNORECASE) for c in value_cols
                 if re.sub(r"_integer$", "", c.lower()) not in relative), None)
    parts, masked = [], 0
    for col in value_cols:
        # a dimension that qualifies only some value columns (profession_sante_taux → taux_adhesions)
        short_lower = re.sub(r"_integer$", "", col.lower())
        col_dims = tuple(d for d in dims if d.lower() not in own or short_lower in own[d.lower()])
        if col_dims not in keys:
            keys[col_dims] = _dimension_keys(base, list(col_dims))
        key, label = keys[col_dims]
        values = _numbers(base[col], file=file, field=col)
        masked += int(values.isna().sum())
        if ind_col and val_col:
            name = base[ind_col].str.strip()
            lab = name.map(lambda k: labels.get(k, {}).get("label", k))
        else:
            short = re.sub(r"_integer$", "", col, flags=re.IGNORECASE)
            own_label = labels.get(short, {}).get("label", short)
            if short.lower() in relative and main:
                # an evolution rate belongs to the file's main indicator (several datasets publish one)
                own_label = f"{labels.get(main, {}).get('label', main)} — {own_label.lower()}"
                short = f"{main}.{short}"
            name = pd.Series(short, index=base.index)
            lab = pd.Series(own_label, index=base.index)
        parts.append(pd.DataFrame({"indicator": name + key, "label": lab + label, "level": levels[keep],
                                   "code": codes[keep], "period": periods[keep], "value": values}))
    long = pd.concat(parts, ignore_index=True)
    dup = long.duplicated(["indicator", "level", "code", "period"])
    if dup.any():
        row = long[dup].iloc[0]
        raise InputError(f"série en double : {row['indicator']} pour {row['code']} en {row['period']} "
                         "(une colonne de dimension n'est pas reconnue ?)", file=file)
    long.attrs.update({"skipped": int(skipped.sum()), "masked": masked,
                       "dimensions": dims, "values": value_cols})
    return long


def _dimension_keys(frame: pd.DataFrame, dims: list[str]) -> tuple[pd.Series, pd.Series]:
    """Suffixes of the indicator key and label from the dimension columns (totals add nothing)."""
    if not dims:
        empty = pd.Series("", index=frame.index)
        return empty, empty
    totals = {slug(t) for t in ameli_rules()["totaux"]}
    lower = {c.lower(): c for c in dims}
    # a code column and its label column describe one dimension: key from the code, label from the label
    pairs, seen = [], set()
    for c in dims:
        if c in seen:
            continue
        lab = lower.get(f"libelle_{c.lower()}")
        code_col = lower.get(c.lower()[len("libelle_"):]) if c.lower().startswith("libelle_") else None
        if lab:
            pairs.append((c, lab))
            seen |= {c, lab}
        elif code_col:
            pairs.append((code_col, c))
            seen |= {c, code_col}
        else:
            pairs.append((c, c))
            seen.add(c)
    cols = list(dict.fromkeys(x for p in pairs for x in p))
    combos = frame[cols].drop_duplicates().reset_index(drop=True)
    keys, labs = [], []
    for row in combos.itertuples(index=False):
        values = dict(zip(cols, row, strict=True))
        k, ls = "", []
        for code_col, lab_col in pairs:
            s = slug(values[code_col])
            if s and s not in totals and slug(values[lab_col]) not in totals:
                k += f".{s}"
                ls.append(str(values[lab_col]).strip())
        keys.append(k)
        labs.append((" — " + ", ".join(ls)) if ls else "")
    combos = combos.assign(__key=keys, __label=labs)
    merged = frame[cols].merge(combos, on=cols, how="left", sort=False)  # keeps the left order
    return (pd.Series(merged["__key"].to_numpy(), index=frame.index),
            pd.Series(merged["__label"].to_numpy(), index=frame.index))
