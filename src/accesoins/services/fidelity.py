"""Agreement of the recomputed APL with the official DREES APL (« écart à la DREES »).

The official values live in the store table ``reference_indicator`` (written by
``accesoins import drees-apl``); :func:`reference_apl` reads them back by vintage
and variant. :func:`agreement` compares two Series commune by commune and
département by département (population-weighted means, as the DREES aggregates),
with rank (Spearman) and linear (Pearson) correlations, the share of communes
within 0.5 and the share of the population under the 2.5 threshold.

Codes of the reference year are mapped to current communes through the commune
history; a current commune absorbing several reference communes is left out of
the commune comparison (which official value would it be?), and Paris, Lyon and
Marseille arrondissements are averaged to their city, since the territory holds
whole cities.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError
from ..store.db import Store

TABLE = "reference_indicator"
INDICATOR = "apl_medecin_generaliste"
VARIANTS = {"ensemble": "tous les médecins généralistes", "65": "médecins de 65 ans ou moins"}
THRESHOLD = 2.5  # zonage: under-served below 2.5 consultations/year/standardised inhabitant
WITHIN = 0.5
IMPORT_COMMAND = "accesoins import drees-apl FICHIER"
DREES_2018_SOURCE = ("DREES, APL aux médecins généralistes 2018 (redistribution publique, "
                     "communes_scored.RData), Licence Ouverte")
_CITY = {"751": "75056", "693": "69123", "132": "13055"}  # arrondissement prefixes → city code


def has_reference_table(store: Store) -> bool:
    return bool(store.scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [TABLE]))


def ensure_reference_table(con) -> None:
    """The reference table, as migration 007 (importer ``drees-apl``) creates it."""
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} (indicator VARCHAR NOT NULL, variant VARCHAR NOT NULL, "
        "vintage VARCHAR NOT NULL, code_commune VARCHAR NOT NULL, value DOUBLE, source VARCHAR, "
        "imported_at TIMESTAMP DEFAULT current_timestamp)"
    )


def read_drees_2018_csv(path: str | Path) -> pd.DataFrame:
    """The 2018 reference CSV (``code_commune, apl_mg2018, apl_mg2018_65``) as a long frame."""
    path = Path(path)
    with path.open(encoding="utf-8") as f:
        header = next(csv.reader(f), [])
    need = ["code_commune", "apl_mg2018", "apl_mg2018_65"]
    missing = [c for c in need if c not in header]
    if missing:
        raise InputError(f"colonne(s) manquante(s) : {', '.join(missing)}", file=str(path), line=1,
                         field=missing[0])
    frame = pd.read_csv(path, dtype={"code_commune": str})
    for col in need[1:]:
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = values.isna() & frame[col].notna()
        if bad.any():
            line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
            raise InputError(f"valeur non numérique « {frame[col][bad].iloc[0]} »", file=str(path),
                             line=line, field=col)
        frame[col] = values
    long = pd.concat([
        pd.DataFrame({"variant": "ensemble", "code_commune": frame["code_commune"], "value": frame["apl_mg2018"]}),
        pd.DataFrame({"variant": "65", "code_commune": frame["code_commune"], "value": frame["apl_mg2018_65"]}),
    ], ignore_index=True)
    long.insert(0, "indicator", INDICATOR)
    long.insert(2, "vintage", "2018")
    long["source"] = DREES_2018_SOURCE
    return long


def load_drees_2018_csv(store: Store, path: str | Path) -> int:
    """Write the 2018 reference CSV into ``reference_indicator`` (replacing that vintage); rows written."""
    long = read_drees_2018_csv(path)
    with store.transaction() as con:
        ensure_reference_table(con)
        con.execute(f"DELETE FROM {TABLE} WHERE indicator = ? AND vintage = '2018'", [INDICATOR])
        con.register("reference_rows", long)
        con.execute(f"INSERT INTO {TABLE} (indicator, variant, vintage, code_commune, value, source) "
                    "SELECT indicator, variant, vintage, code_commune, value, source FROM reference_rows")
        con.unregister("reference_rows")
    return len(long)


def reference_vintages(store: Store) -> list[str]:
    if not has_reference_table(store):
        return []
    rows = store.records(f"SELECT DISTINCT vintage FROM {TABLE} WHERE indicator = ? ORDER BY 1 DESC",
                         [INDICATOR])
    return [str(r["vintage"]) for r in rows]


def reference_apl(store: Store, vintage: str | int | None = None,
                  variant: str = "ensemble") -> tuple[pd.Series, dict[str, object]] | None:
    """Official APL by reference-year commune code, or None when not imported."""
    vintages = reference_vintages(store)
    if not vintages:
        return None
    vintage = str(vintage) if vintage is not None else vintages[0]
    frame = store.df(
        f"SELECT code_commune, value, source FROM {TABLE} WHERE indicator = ? AND vintage = ? "
        "AND variant = ?", [INDICATOR, vintage, variant])
    if frame.empty:
        return None
    series = frame.drop_duplicates("code_commune").set_index("code_commune")["value"].astype(float)
    return series, {"vintage": vintage, "variant": variant, "source": str(frame["source"].iloc[0])}


def to_current_communes(official: pd.Series, resolve) -> tuple[pd.Series, dict[str, int]]:
    """Map reference codes to current communes (``resolve``: Series of codes → current code or NaN).

    Arrondissements are averaged to their city; merged communes are left out.
    """
    codes = pd.Series(official.index.astype(str), index=official.index)
    city = codes.str[:3].map(_CITY).where(codes.str[:2].isin(["75", "69", "13"])
                                          & ~codes.isin(list(_CITY.values())))
    arrondissement = city.notna() & codes.str[3:].str.len().eq(2)
    current = pd.Series(resolve(codes).to_numpy(), index=official.index)
    current = current.where(~arrondissement, city)
    frame = pd.DataFrame({"current": current, "value": official.to_numpy()}).dropna(subset=["current"])
    size = frame.groupby("current")["current"].transform("size")
    plm = frame["current"].isin(list(_CITY.values()))
    kept = frame[(size == 1) | plm]
    out = kept.groupby("current")["value"].mean()
    report = {"reference_codes": int(len(official)), "unknown_codes": int(current.isna().sum()),
              "merged_left_out": int(((size > 1) & ~plm).sum()),
              "arrondissements_averaged": int(arrondissement.sum())}
    return out, report


def _corr(a: np.ndarray, b: np.ndarray) -> tuple[float | None, float | None]:
    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return None, None
    return float(stats.spearmanr(a, b).statistic), float(stats.pearsonr(a, b).statistic)


def agreement(ours: pd.Series, official: pd.Series, population: pd.Series,
              departement: pd.Series) -> dict[str, object]:
    """Figures of agreement between two APL Series indexed by current commune code.

    ``population`` weights the département means and the share under the threshold;
    ``departement`` gives each commune's département code.
    """
    codes = ours.index.intersection(official.index)
    ours, official = ours.reindex(codes).astype(float), official.reindex(codes).astype(float)
    ok = ours.notna() & official.notna()
    ours, official = ours[ok], official[ok]
    pop = population.reindex(ours.index).fillna(0.0).astype(float)
    dep = departement.reindex(ours.index)
    rho, r = _corr(ours.to_numpy(), official.to_numpy())
    diff = ours - official

    weighted = pd.DataFrame({"dep": dep, "w": pop, "o": ours * pop, "f": official * pop})
    by_dep = weighted.groupby("dep").sum(numeric_only=True)
    by_dep = by_dep[by_dep["w"] > 0]
    dep_ours, dep_official = by_dep["o"] / by_dep["w"], by_dep["f"] / by_dep["w"]
    d_rho, d_r = _corr(dep_ours.to_numpy(), dep_official.to_numpy())
    total = float(pop.sum()) or 1.0
    return {
        "communes": int(len(ours)),
        "spearman": rho, "pearson": r,
        "share_within_0_5": float((diff.abs() <= WITHIN).mean()) if len(diff) else None,
        "median_ours": float(ours.median()) if len(ours) else None,
        "median_official": float(official.median()) if len(official) else None,
        "mean_abs_difference": float(diff.abs().mean()) if len(diff) else None,
        "population_under_2_5_ours": float(pop[ours < THRESHOLD].sum() / total),
        "population_under_2_5_official": float(pop[official < THRESHOLD].sum() / total),
        "departements": int(len(by_dep)),
        "departement_spearman": d_rho, "departement_pearson": d_r,
        "by_departement": pd.DataFrame({"ours": dep_ours, "official": dep_official}),
        "by_commune": pd.DataFrame({"ours": ours, "official": official, "difference": diff,
                                    "population": pop, "departement": dep}),
    }
