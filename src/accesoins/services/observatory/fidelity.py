"""Agreement of the recomputed APL with the official DREES APL (« écart à la DREES »).

The official values live in the store table ``reference_indicator`` (written by
``accesoins import drees-apl``, see :mod:`services.observatory.references`); :func:`reference_apl`
reads them back by vintage and variant. :func:`agreement` compares two Series commune by commune and
département by département (population-weighted means, as the DREES aggregates),
with rank (Spearman) and linear (Pearson) correlations, the share of communes
within 0.5 and the share of the population under the 2.5 threshold.

Codes of the reference year are mapped to current communes through the commune
history; a current commune absorbing several reference communes is left out of
the commune comparison (which official value would it be?). Paris, Lyon and
Marseille are compared arrondissement by arrondissement, as the territory computes
them (a store without arrondissements averages them to their city).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ...errors import NotBuiltError, ParameterError
from ...offer import drees
from ...store.db import Store
from . import references

INDICATOR = drees.APL
VARIANTS = {"ensemble": "tous les médecins généralistes", "65": "médecins de 65 ans ou moins"}
STORED_VARIANT = {"ensemble": "tous", "65": "moins_65"}  # the page's names → the importer's
THRESHOLD = 2.5  # zonage: under-served below 2.5 consultations/year/standardised inhabitant
WITHIN = 0.5
IMPORT_COMMAND = "accesoins import drees-apl FICHIER"
_CITY = {"751": "75056", "693": "69123", "132": "13055"}  # arrondissement prefixes → city code


def reference_vintages(store: Store) -> list[str]:
    """Vintages of the official GP APL in the store, newest first."""
    return sorted({str(r["vintage"]) for r in references.reference_vintages(store)}, reverse=True)


def reference_apl(store: Store, vintage: str | int | None = None,
                  variant: str = "ensemble") -> tuple[pd.Series, dict[str, object]] | None:
    """Official APL by commune code (read by :func:`services.observatory.references.reference_apl`), or None."""
    try:
        frame = references.reference_apl(store, vintage, STORED_VARIANT[variant], arrondissements=True)
    except (NotBuiltError, ParameterError):
        return None
    if frame.empty:
        return None
    series = frame.drop_duplicates("code_commune").set_index("code_commune")["value"].astype(float)
    return series, {"vintage": frame.attrs.get("vintage"), "variant": variant,
                    "source": str(frame.attrs.get("source", ""))}


def to_current_communes(official: pd.Series, resolve) -> tuple[pd.Series, dict[str, int]]:
    """Map reference codes to current communes (``resolve``: Series of codes → current code or NaN).

    Arrondissements are averaged to their city; merged communes are left out.
    """
    codes = pd.Series(official.index.astype(str), index=official.index)
    city = codes.str[:3].map(_CITY).where(codes.str[:2].isin(["75", "69", "13"])
                                          & ~codes.isin(list(_CITY.values())))
    current = pd.Series(resolve(codes).to_numpy(), index=official.index)
    # averaged to their city only when the territory does not compute them on their own (migration 012)
    arrondissement = city.notna() & codes.str[3:].str.len().eq(2) & current.ne(codes)
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


# --- the « Écart à la DREES » page -------------------------------------------------------------

DIFF_BREAKS = [-2.0, -1.0, -0.5, 0.5, 1.0, 2.0]
DIFF_COLOURS = ["#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b"]  # diverging
SCATTER_MAX_POINTS = 4000


def _scope(store: Store, level: str, code: str | None) -> tuple[str, str, str]:
    """SQL filter on communes, label of the territory and the map level."""
    from ...errors import ParameterError

    if level == "france":
        return "TRUE", "France", "departement"
    if level not in ("region", "departement") or not code:
        raise ParameterError("territoire : niveau « france », « region » ou « departement » (avec son code).")
    table, col = ("regions", "code_region") if level == "region" else ("departements", "code_departement")
    rows = store.records(f"SELECT nom FROM {table} WHERE {col} = ?", [code])
    if not rows:
        raise ParameterError(f"{'région' if level == 'region' else 'département'} « {code} » inconnu.")
    return f"c.{col} = '{code}'", str(rows[0]["nom"]), "commune" if level == "departement" else "departement"


def _diff_legend() -> list[dict[str, object]]:
    bounds = [None, *DIFF_BREAKS, None]
    out = []
    for i, colour in enumerate(DIFF_COLOURS):
        lo, hi = bounds[i], bounds[i + 1]
        text = (f"moins de {lo if lo is not None else hi:+g}".replace(".", ",") if lo is None else
                f"{lo:+g} ou plus".replace(".", ",") if hi is None else
                f"de {lo:+g} à moins de {hi:+g}".replace(".", ","))
        out.append({"colour": colour, "min": lo, "max": hi, "label": text})
    return out


def fidelity(store: Store, level: str = "france", code: str | None = None, *, vintage: str | None = None,
             variant: str = "ensemble") -> dict[str, object]:
    """Official and recomputed APL side by side for a territory, with the agreement figures."""
    from ...errors import ParameterError
    from ...store.territory import commune_index

    if variant not in VARIANTS:
        raise ParameterError(f"variante « {variant} » inconnue ; variantes : {', '.join(VARIANTS)}")
    store.require_territory()
    where, label, map_level = _scope(store, level, code)
    indicator = "apl_medecin_generaliste" + ("_65" if variant == "65" else "")
    base = {"title": "Écart à la DREES", "level": level, "code": code, "territory": label, "variant": variant,
            "variant_label": VARIANTS[variant], "indicator": indicator, "threshold": THRESHOLD,
            "within": WITHIN, "import_command": IMPORT_COMMAND, "vintages": reference_vintages(store)}
    reference = reference_apl(store, vintage, variant)
    if reference is None:
        return {**base, "imported": False,
                "message": "Les valeurs officielles de l'APL (DREES) ne sont pas importées : "
                           f"importez le classeur DREES avec « {IMPORT_COMMAND} »."}
    meta = store.records("SELECT unit, parameters, vintages, is_demo FROM indicator_meta WHERE indicator = ?",
                         [indicator])
    if not meta:
        return {**base, "imported": True, "computed": False, "reference": reference[1],
                "message": "L'APL recalculée n'est pas dans la base : lancez « accesoins build »."}
    official, ref_info = reference
    official, mapping = to_current_communes(official, commune_index(store).resolve_many)
    communes = store.df(
        "SELECT c.code_commune, c.nom, c.code_departement, coalesce(c.population, 0) AS population, v.value "
        "FROM territory_units c LEFT JOIN indicator_values v ON v.level IN ('commune', 'arrondissement') "
        "AND v.code = c.code_commune "
        f"AND v.indicator = ? WHERE {where}", [indicator]).set_index("code_commune")
    fig = agreement(communes["value"].dropna(), official, communes["population"], communes["code_departement"])
    by_commune, by_dep = fig.pop("by_commune"), fig.pop("by_departement")
    names = communes["nom"]
    rows = by_commune.assign(nom=names.reindex(by_commune.index)).sort_values("difference")
    worst = pd.concat([rows.head(10), rows.tail(10)]) if len(rows) > 20 else rows
    scatter = by_commune
    if len(scatter) > SCATTER_MAX_POINTS:  # the largest communes, then an even sample of the others
        scatter = scatter.sort_values("population", ascending=False).iloc[:: max(1, len(scatter) // SCATTER_MAX_POINTS)]
    dep_names = dict(store.con.execute("SELECT code_departement, nom FROM departements").fetchall())
    meta = meta[0]
    import json as _json

    return {
        **base, "imported": True, "computed": True,
        "reference": ref_info, "mapping": mapping,
        "unit": meta["unit"], "is_demo": bool(meta["is_demo"]),
        "parameters": _json.loads(meta["parameters"]), "data_vintages": _json.loads(meta["vintages"]),
        "figures": {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in fig.items()},
        "departements": [{"code": d, "nom": dep_names.get(d, d), "official": float(r.official), "ours": float(r.ours),
                          "difference": float(r.ours - r.official)} for d, r in by_dep.iterrows()],
        "largest_differences": [{"code": c, "nom": r.nom, "official": float(r.official), "ours": float(r.ours),
                                 "difference": float(r.difference)} for c, r in worst.iterrows()],
        "scatter": [[float(r.official), float(r.ours)] for r in scatter.itertuples()],
        "map": {"level": map_level, "geo_url": f"/geo/{map_level}.geojson"
                + (f"?departement={code}" if map_level == "commune" else ""),
                "values_url": f"/ecart-drees/carte.json?niveau={level}" + (f"&code={code}" if code else "")
                + f"&variante={variant}" + (f"&millesime={ref_info['vintage']}" if vintage else "")},
    }


def fidelity_map(store: Store, level: str = "france", code: str | None = None, *, vintage: str | None = None,
                 variant: str = "ensemble") -> dict[str, object]:
    """Differences (recomputed − official) for the map: by commune in a département, else by département."""
    page = fidelity(store, level, code, vintage=vintage, variant=variant)
    values: dict[str, float | None] = {}
    if page.get("computed"):
        if page["map"]["level"] == "commune":
            official, _ = reference_apl(store, vintage, variant)
            from ...store.territory import commune_index

            official, _ = to_current_communes(official, commune_index(store).resolve_many)
            ours = store.df("SELECT v.code, v.value FROM indicator_values v JOIN territory_units c "
                            "ON c.code_commune = v.code WHERE v.level IN ('commune', 'arrondissement') "
                            "AND v.indicator = ? AND c.code_departement = ?",
                            [page["indicator"], code]).set_index("code")["value"]
            diff = (ours - official.reindex(ours.index)).dropna()
            values = {c: round(float(v), 3) for c, v in diff.items()}
        else:
            values = {d["code"]: round(d["difference"], 3) for d in page["departements"]}
    return {"level": page["map"]["level"], "departement": code if page["map"]["level"] == "commune" else None,
            "unit": "d'écart (recalculée − officielle)", "values": values, "breaks": DIFF_BREAKS,
            "legend": _diff_legend()}
