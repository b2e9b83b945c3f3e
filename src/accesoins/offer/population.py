"""INSEE census population by single year of age and sex per commune → APL age bands.

INSEE's census « tableaux détaillés » table **POP1B** (« Population par sexe et
âge », single years 0 to 100 and over) is published per commune in two layouts
(e.g. https://www.insee.fr/fr/statistiques/fichier/5395878/BTT_TD_POP1B_2018.zip):

* **long** ``BTT_TD_POP1B_<year>.csv`` — ``;``-separated, columns ``NIVGEO;
  CODGEO; LIBGEO; SEXE; AGED100; NB``: one line per commune × sex (1 men, 2 women)
  × age (``000``…``100``, 100 meaning 100 or over); ``NB`` is a weighted census
  count with decimals;
* **wide** ``BTX_TD_POP1B_<year>`` — ``CODGEO; LIBGEO`` then one column per sex ×
  age, ``SEXE1_AGED100000`` … ``SEXE2_AGED100100``.

INSEE now also publishes census tables through its « Melodi » catalogue, as long CSV files
with the same columns as its other Melodi files (e.g. ``DS_BPE_data.csv``): ``GEO; GEO_OBJECT;
…dimensions…; TIME_PERIOD; OBS_VALUE``, here with the dimensions ``SEX`` (``M``, ``F``, ``_T``)
and ``AGE`` in SDMX codes (``Y_LT5``, ``Y5T9``, ``Y_GE90``, single years ``Y42``; ``_T`` total)
and ``RP_MEASURE`` (``POP``). Only ``GEO_OBJECT = COM`` rows are kept, the ``_T`` sex when
present (else men and women summed), and age codes each within one APL band; a code spanning
several bands, or bands left uncovered, is an error naming the ``AGE`` field. The real excerpt of
the wide layout found in ``../shared`` adds a ``YEAR`` column (read as the vintage) and has its
accents replaced by U+FFFD: names are not used, only codes, and a warning says so.

All are summed over sexes into the 5-year bands of the APL age weights:
``0-4``, ``5-9``, …, ``85-89``, ``90+``. INSEE's files are windows-1252 in older
years and UTF-8 lately: both are read. In the long layout only ``NIVGEO = COM``
lines are kept when the column is present (arrondissements, listed as ``ARM``,
would otherwise be counted twice).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from accesoins.errors import InputError
from accesoins.offer import _csv, _validate
from accesoins.offer.arrondissements import keep_levels
from accesoins.offer.batch import ImportBatch
from accesoins.territory.codes import CommuneIndex

AGE_BANDS = [f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"]
_WIDE = re.compile(r"^SEXE([12])_AGED100(\d{3})$", re.IGNORECASE)

TITLE = "INSEE, recensement de la population — population par sexe et âge (POP1B)"
LICENCE = "Licence Ouverte / Open Licence 2.0"
ATTRIBUTION = "Insee, recensement de la population, exploitation principale"


def age_band(age: pd.Series) -> pd.Series:
    """APL band label of integer ages (``0-4`` … ``85-89``, ``90+``)."""
    idx = np.minimum(age.to_numpy(dtype=int) // 5, 18)
    return pd.Series(np.array(AGE_BANDS, dtype=object)[idx], index=age.index)


def read_population_by_age(
    path: str | Path,
    *,
    communes: CommuneIndex,
    skip_unknown: bool = False,
    vintage: str | None = None,
) -> ImportBatch:
    """Read an INSEE POP1B file (long or wide) into ``population_by_age`` rows.

    Parameters
    ----------
    path : str or Path
        ``BTT_TD_POP1B_<year>.csv`` (long) or a CSV export of ``BTX_TD_POP1B_<year>``
        (wide), or a ``.zip`` holding one of them.
    communes : CommuneIndex
        Current communes and the mapping of old codes (populations of old codes are
        added to their current commune).
    skip_unknown : bool, default False
        Put rows whose commune code is unknown in ``batch.rejected`` instead of raising.
    vintage : str, optional
        Census year; by default read from the file name (``…_POP1B_2018…`` → ``2018``).

    Returns
    -------
    ImportBatch
        ``kind='population_by_age'``, rows ``code_commune, age_band, population``,
        one per commune × band (19 bands), sexes summed.

    Raises
    ------
    InputError
        Missing column or wrong separator, unknown age or sex, non-numeric or
        negative count, unknown commune (unless ``skip_unknown``), truncated line,
        unreadable encoding, empty file.
    """
    table = _csv.read_table(path, seps=(";", ","), encoding="utf-8", fallback="cp1252")
    f = table.frame
    warnings = list(table.warnings)
    wide_cols = [c for c in f.columns if _WIDE.match(c)]
    if "CODGEO" not in f.columns and "GEO" not in f.columns:
        table.require(["CODGEO"])
    year_col = table.pick("YEAR", "ANNEE", "AN")
    if vintage is None and year_col and layout_year_unique(f[year_col]):
        vintage = f[year_col].str.strip().iloc[0]
    libgeo = table.pick("LIBGEO")
    if libgeo and f[libgeo].str.contains("\ufffd", regex=False).any():
        warnings.append(f"{int(f[libgeo].str.contains(chr(0xFFFD), regex=False).sum())} noms de communes "
                        "illisibles (caractères U+FFFD dans LIBGEO) : seuls les codes communes sont utilisés")
    if "OBS_VALUE" in f.columns and "AGE" in f.columns:
        layout = "melodi"
        long, melodi_vintage, more = _melodi_long(table)
        warnings += more
        vintage = vintage or melodi_vintage
    elif wide_cols:
        layout = "wide"
        parts = []
        for col in wide_cols:
            age = int(_WIDE.match(col).group(2))
            nb = _validate.parse_quantity(f[col], file=table.file, field=col)
            parts.append(pd.DataFrame({"code": f["CODGEO"], "age": age, "nb": nb, "col": col}))
        long = pd.concat(parts)
    else:
        layout = "long"
        table.require(["CODGEO", "SEXE", "AGED100", "NB"], hint=" (format long BTT_TD_POP1B)")
        if "NIVGEO" in f.columns:
            level = f["NIVGEO"].str.strip().str.upper()
            kept, note = keep_levels(level, f["CODGEO"])  # Paris, Lyon, Marseille: ARM lines when present
            warnings.extend([note] if note else [])
            other = ~kept
            if other.any():
                warnings.append(
                    f"{int(other.sum())} lignes d'autres niveaux ({', '.join(sorted(set(level[other])))}) ignorées"
                )
            f = f[~other]
        sex = f["SEXE"].str.strip()
        bad_sex = ~sex.isin(["1", "2"])
        _validate.reject_first(
            bad_sex,
            lambda line: f"sexe « {sex[line]} » inconnu (attendu 1 ou 2)",
            file=table.file,
            field="SEXE",
        )
        age_text = f["AGED100"].str.strip()
        age = pd.to_numeric(age_text, errors="coerce")
        bad_age = age.isna() | (age < 0) | (age > 120) | (age % 1 != 0)
        _validate.reject_first(
            bad_age,
            lambda line: f"âge « {age_text[line]} » invalide (attendu 000 à 100)",
            file=table.file,
            field="AGED100",
        )
        nb = _validate.parse_quantity(f["NB"], file=table.file, field="NB")
        long = pd.DataFrame({"code": f["CODGEO"], "age": age.astype(int), "nb": nb})

    _check_bounds(long, file=table.file, field="OBS_VALUE" if layout == "melodi" else "NB")
    res = _validate.resolve_communes(
        long["code"], communes, file=table.file, field="GEO" if layout == "melodi" else "CODGEO",
        skip_unknown=skip_unknown,
    )
    if layout in ("wide", "melodi"):
        # the same line appears once per column: keep one entry per line in the report
        res.remapped = res.remapped.drop_duplicates("line")
        res.rejected = res.rejected.drop_duplicates("line")
    warnings += _validate.double_count_warning(res)
    long = long.assign(code_commune=res.code.to_numpy())
    long = long[long["code_commune"].notna()]
    long["age_band"] = age_band(long["age"])
    agg = long.groupby(["code_commune", "age_band"], as_index=False, sort=False)["nb"].sum()
    # every commune gets all 19 bands (zeros where the census has none)
    full = pd.MultiIndex.from_product(
        [sorted(agg["code_commune"].unique()), AGE_BANDS], names=["code_commune", "age_band"]
    )
    agg = (
        agg.set_index(["code_commune", "age_band"])["nb"]
        .reindex(full, fill_value=0.0)
        .reset_index()
    )
    rows = agg.rename(columns={"nb": "population"})
    if vintage is None:
        m = re.search(r"POP1[AB]_(\d{4})", Path(path).name, re.IGNORECASE)
        vintage = m.group(1) if m else None
    return _csv.finish(
        kind="population_by_age",
        source="insee_pop_age",
        title=TITLE,
        vintage=vintage or "non précisé",
        licence=LICENCE,
        attribution=ATTRIBUTION,
        file=table.file,
        rows=rows,
        parameters={"layout": layout, "skip_unknown": skip_unknown, "age_bands": AGE_BANDS},
        remapped=res.remapped,
        rejected=res.rejected,
        warnings=warnings,
    )


def _check_bounds(long: pd.DataFrame, *, file: str, field: str) -> None:
    """A count above the plausible bound of ``rules/population.yaml`` is an error."""
    rules = yaml.safe_load((resources.files("accesoins") / "rules" / "population.yaml").read_text(encoding="utf-8"))
    b = rules["bornes"]["population_par_ligne"]
    bad = long["nb"] > b["max"]
    if bad.any():
        line = int(long.index[bad.to_numpy().argmax()])
        first = long[bad].iloc[0]
        raise InputError(f"effectif {first['nb']:g} hors des bornes plausibles (au plus "
                         f"{b['max']:,} {b['unit']} par ligne, rules/population.yaml)".replace(",", " "),
                         file=file, line=line, field=first["col"] if "col" in long else field)


def layout_year_unique(values: pd.Series) -> bool:
    """The file's year column holds one four-digit year."""
    v = values.str.strip().unique()
    return len(v) == 1 and bool(re.fullmatch(r"\d{4}", v[0]))


_AGE_CODE = re.compile(r"^Y(?:_LT(?P<lt>\d+)|_GE(?P<ge>\d+)|(?P<a>\d+)T(?P<b>\d+)|(?P<one>\d+))$")


def age_interval(code: str) -> tuple[int, int] | None:
    """(first, last) age of an SDMX age code (``Y_LT5`` → (0, 4), ``Y_GE90`` → (90, 200)); None for totals."""
    c = code.strip().upper()
    if c in ("_T", "TOTAL", "_Z"):
        return None
    m = _AGE_CODE.match(c)
    if not m:
        raise ValueError(c)
    if m.group("lt"):
        return 0, int(m.group("lt")) - 1
    if m.group("ge"):
        return int(m.group("ge")), 200
    if m.group("a"):
        return int(m.group("a")), int(m.group("b"))
    return int(m.group("one")), int(m.group("one"))


def _band_index(age: int) -> int:
    return min(age // 5, len(AGE_BANDS) - 1)


def _melodi_long(table: _csv.Table) -> tuple[pd.DataFrame, str | None, list[str]]:
    """(code, age, nb) rows of a Melodi long file, its latest TIME_PERIOD, warnings."""
    f = table.frame
    table.require(["GEO", "AGE", "OBS_VALUE"], hint=" (format Melodi : GEO;GEO_OBJECT;SEX;AGE;…;OBS_VALUE)")
    warnings: list[str] = []
    all_nb = _validate.parse_quantity(f["OBS_VALUE"], file=table.file, field="OBS_VALUE")  # every line checked
    keep = pd.Series(True, index=f.index)
    if "GEO_OBJECT" in f.columns:
        level = f["GEO_OBJECT"].str.strip().str.upper()
        kept, note = keep_levels(level, f["GEO"])  # Paris, Lyon, Marseille: ARM lines when present
        warnings.extend([note] if note else [])
        other = ~kept
        if other.any():
            warnings.append(f"{int(other.sum())} lignes d'autres niveaux géographiques "
                            f"({', '.join(sorted(set(level[other])))}) ignorées")
        keep &= ~other
    if "RP_MEASURE" in f.columns:
        measure = f["RP_MEASURE"].str.strip().str.upper()
        if (measure == "POP").any():
            keep &= measure == "POP"
    if "SEX" in f.columns:
        sex = f["SEX"].str.strip().str.upper()
        bad = ~sex.isin(["M", "F", "_T", "1", "2"])
        if bad.any():
            line = _validate.first_bad(bad)
            raise InputError(f"sexe « {sex[line]} » inconnu (attendu M, F ou _T)", file=table.file, line=line,
                             field="SEX")
        keep &= (sex == "_T") if (sex[keep] == "_T").any() else sex.isin(["M", "F", "1", "2"])
    vintage = None
    if "TIME_PERIOD" in f.columns:
        period = f["TIME_PERIOD"].str.strip()
        years = sorted(set(period[keep]))
        vintage = years[-1] if years else None
        if len(years) > 1:
            warnings.append(f"plusieurs millésimes ({', '.join(years)}) : seul {vintage} est importé")
        keep &= period == vintage
    f = f[keep]
    codes = f["AGE"].str.strip().str.upper()
    intervals = {}
    for code in codes.unique():
        try:
            intervals[code] = age_interval(code)
        except ValueError:
            line = _validate.first_bad(codes == code)
            raise InputError(f"code d'âge « {code} » illisible (attendu Y_LT5, Y5T9, Y_GE90, Y42 ou _T)",
                             file=table.file, line=line, field="AGE") from None
    fitting = {c: iv for c, iv in intervals.items() if iv is not None and _band_index(iv[0]) == _band_index(iv[1])}
    # nested codes (Y0T4 and Y0…Y4 both published): keep the widest, count each person once
    chosen = {c: iv for c, iv in fitting.items()
              if not any(o != c and o_iv[0] <= iv[0] and iv[1] <= o_iv[1] for o, o_iv in fitting.items())}
    covered = sorted({_band_index(a) for lo, hi in chosen.values() for a in range(lo, min(hi, 90) + 1)})
    if covered != list(range(len(AGE_BANDS))):
        spanning = sorted(c for c, iv in intervals.items() if iv is not None and c not in fitting)
        missing = [AGE_BANDS[i] for i in range(len(AGE_BANDS)) if i not in covered]
        line = _validate.first_bad(codes.isin(spanning)) if spanning else table.header_line
        raise InputError(f"tranches d'âge {', '.join(missing)} non couvertes par des codes d'âge compatibles "
                         f"avec les tranches quinquennales de l'APL"
                         + (f" (codes trop larges : {', '.join(spanning[:6])})" if spanning else ""),
                         file=table.file, line=line, field="AGE")
    f = f[codes.isin(chosen)]
    nb = all_nb[f.index]
    age = f["AGE"].str.strip().str.upper().map(lambda c: chosen[c][0])
    return pd.DataFrame({"code": f["GEO"], "age": age.astype(int), "nb": nb}), vintage, warnings


__all__ = ["read_population_by_age", "AGE_BANDS", "age_band", "age_interval"]
