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

Both are summed over sexes into the 5-year bands of the APL age weights:
``0-4``, ``5-9``, …, ``85-89``, ``90+``. INSEE's files are windows-1252 in older
years and UTF-8 lately: both are read. In the long layout only ``NIVGEO = COM``
lines are kept when the column is present (arrondissements, listed as ``ARM``,
would otherwise be counted twice).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from accesoins.errors import InputError
from accesoins.offer import _csv
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
    if "CODGEO" not in f.columns:
        table.require(["CODGEO"])
    if wide_cols:
        layout = "wide"
        parts = []
        for col in wide_cols:
            age = int(_WIDE.match(col).group(2))
            nb = _csv.parse_quantity(f[col], file=table.file, field=col)
            parts.append(pd.DataFrame({"code": f["CODGEO"], "age": age, "nb": nb}))
        long = pd.concat(parts)
    else:
        layout = "long"
        table.require(["CODGEO", "SEXE", "AGED100", "NB"], hint=" (format long BTT_TD_POP1B)")
        if "NIVGEO" in f.columns:
            level = f["NIVGEO"].str.strip().str.upper()
            other = level != "COM"
            if other.any():
                warnings.append(
                    f"{int(other.sum())} lignes d'autres niveaux ({', '.join(sorted(set(level[other])))}) ignorées"
                )
            f = f[~other]
        sex = f["SEXE"].str.strip()
        bad_sex = ~sex.isin(["1", "2"])
        if bad_sex.any():
            line = _csv.first_bad(bad_sex)
            raise InputError(
                f"sexe « {sex[line]} » inconnu (attendu 1 ou 2)",
                file=table.file,
                line=line,
                field="SEXE",
            )
        age_text = f["AGED100"].str.strip()
        age = pd.to_numeric(age_text, errors="coerce")
        bad_age = age.isna() | (age < 0) | (age > 120) | (age % 1 != 0)
        if bad_age.any():
            line = _csv.first_bad(bad_age)
            raise InputError(
                f"âge « {age_text[line]} » invalide (attendu 000 à 100)",
                file=table.file,
                line=line,
                field="AGED100",
            )
        nb = _csv.parse_quantity(f["NB"], file=table.file, field="NB")
        long = pd.DataFrame({"code": f["CODGEO"], "age": age.astype(int), "nb": nb})

    res = _csv.resolve_communes(
        long["code"], communes, file=table.file, field="CODGEO", skip_unknown=skip_unknown
    )
    if layout == "wide":
        # the same line appears once per column: keep one entry per line in the report
        res.remapped = res.remapped.drop_duplicates("line")
        res.rejected = res.rejected.drop_duplicates("line")
    warnings += _csv.double_count_warning(res)
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


__all__ = ["read_population_by_age", "AGE_BANDS", "age_band"]
