"""The observatory build: every indicator for every commune, rolled up to territories.

``accesoins observatoire build`` (and ``make run``) calls :func:`build_observatory`;
pages and the API only read what it stored.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from ...errors import NotBuiltError
from ...indicators.aggregate import aggregate, class_populations
from ...indicators.catalog import Indicator, catalog, observatory_rules
from ...indicators.classify import classify_apl
from ...store.db import Store
from ...store.territory import insert_frame
from ...travel.road import RoadTimeModel
from ..access.compute import NEAREST_CAPS, Computed, compute_apl, compute_coverage, compute_nearest
from ..data import inputs

Step = Callable[[str], None]


def _present(store: Store) -> set[str]:
    return {r["category"] for r in store.records("SELECT DISTINCT category FROM offer")}


def compute_commune_indicators(store: Store, *, step: Step | None = None,
                               model: RoadTimeModel | None = None):
    """All commune indicators: (values, numerators, weights, meta by indicator, report)."""
    say = step or (lambda _l: None)
    model = model or RoadTimeModel()
    rules = observatory_rules()
    cat = catalog()
    present = _present(store)
    points = inputs.commune_points(store)
    population = points["population"].astype(float)
    values = pd.DataFrame(index=points.index)
    numerators = pd.DataFrame(index=points.index)
    weights = pd.DataFrame(index=points.index)
    meta: dict[str, Computed] = {}
    skipped: dict[str, str] = {}
    nearest_sites: list[pd.DataFrame] = []

    def keep(name: str, series: pd.Series, computed: Computed) -> None:
        values[name] = series.reindex(points.index)
        meta[name] = computed

    for prof in rules["apl_professions"]:
        if prof not in present:
            skipped[f"apl_{prof}"] = "aucune offre de cette profession dans la base"
            continue
        say(f"APL {prof}")
        c = compute_apl(store, prof, model=model)
        keep(f"apl_{prof}", c.values.iloc[:, 0], c)
        weights[f"apl_{prof}"] = _standardised(store, prof, population)
        if prof == "medecin_generaliste":
            c65 = compute_apl(store, prof, max_age=65, model=model)
            keep(f"apl_{prof}_65", c65.values.iloc[:, 0], c65)
            weights[f"apl_{prof}_65"] = weights[f"apl_{prof}"]
    say("Densités")
    for category in rules["density_categories"]:
        if category not in present:
            skipped[f"densite_{category}"] = "aucune offre de cette catégorie dans la base"
            continue
        q = inputs.site_counts(store, category).reindex(points.index).fillna(0.0)
        numerators[f"densite_{category}"] = q
        dens = q / population.replace(0.0, np.nan) * rules["density_per"]
        offer = inputs.offer_provenance(store, category)
        keep(f"densite_{category}", dens, Computed(
            "density", pd.DataFrame(), {"indicator": "densite", "category": category,
                                        "per": rules["density_per"]},
            {"territoire": inputs.territory_vintage(store), "offre": offer["offer"]}, bool(offer["is_demo"])))
    fs = rules["france_sante"]
    for key in rules["nearest"]:
        cats = fs["categories"] if key == "france_sante" else [key]
        cats = [c for c in cats if c in present]
        if not cats:
            skipped[f"temps_{key}"] = "aucune offre de cette catégorie dans la base"
            continue
        say(f"Temps vers {key}")
        c = compute_nearest(store, cats, model=model, name=key)
        minutes = c.values["nearest_minutes"].reindex(points.index)
        beyond = minutes.isna() & population.notna()
        cap = float(NEAREST_CAPS[-1])
        c.params.update({"beyond_cap_minutes": cap, "beyond_cap_communes": int(beyond.sum()),
                         "beyond_cap_population": float(population[beyond].sum()),
                         "beyond_cap_rule": "communes sans site à moins de la limite de recherche : "
                                            "comptées à cette limite dans les moyennes (borne basse)"})
        keep(f"temps_{key}", minutes, c)
        keep(f"part_au_dela_{key}", beyond.astype(float) * 100.0,
             replace(c, params={**c.params, "indicator": "beyond_cap_share", "unit": "%"}))
        nearest_sites.append(pd.DataFrame({
            "code_commune": c.values.index, "target": key,
            "site_commune": c.values["nearest_site"].astype(object).to_numpy(),
            "minutes": c.values["nearest_minutes"].to_numpy()}))
    fs_cats = [c for c in fs["categories"] if c in present]
    if fs_cats:
        say("Couverture à 30 minutes (France Santé)")
        cov, summary = compute_coverage(store, fs_cats, fs["max_minutes"]["value"], model=model)
        cov.params["summary"] = summary
        keep("population_au_dela_france_sante", cov.values["population_beyond"], cov)
    report = {"indicators": sorted(values.columns), "skipped": skipped}
    sites = pd.concat(nearest_sites, ignore_index=True) if nearest_sites else pd.DataFrame(
        columns=["code_commune", "target", "site_commune", "minutes"])
    return values, numerators, weights, meta, cat, report, sites


def _standardised(store: Store, profession: str, population: pd.Series) -> pd.Series:
    """Demand used by the APL (standardised population when ages are known), for weighting."""
    pop, _ = inputs.population(store, by_age=profession == "medecin_generaliste")
    if isinstance(pop, pd.DataFrame):
        from ...access.rules import load_apl_rules, profession_rules

        rule = profession_rules(profession, load_apl_rules()).get("age_weights", {})
        rule = rule.get("2023", rule)
        w = pd.Series({str(k): float(v) for k, v in rule["value"].items()})
        return pop[w.index].mul(w, axis=1).sum(axis=1)
    return population


def _as_computed(ind: Indicator, computed: Computed) -> Indicator:
    """The catalogue entry with the unit of what was computed (e.g. a headcount, not FTE)."""
    unit = computed.params.get("unit") if ind.family == "apl" else None
    if not unit or ind.name.startswith("apl_medecin_generaliste"):
        return ind
    what, _, whom = str(unit).partition("/100 000 ")
    return replace(ind, unit=f"{what} pour 100 000 {'hab.' if whom == 'habitants' else whom}")


def _groups(store: Store) -> dict[str, pd.Series]:
    """Unit → containing territory; the three cities' arrondissements stand for them (no double count)."""
    units = store.df("SELECT code_commune, code_epci, code_departement, code_region FROM territory_units")
    units = units.set_index("code_commune")
    return {
        "epci": units["code_epci"].dropna(),
        "departement": units["code_departement"],
        "region": units["code_region"],
        "france": pd.Series("FR", index=units.index),
    }


def _cities(store: Store) -> pd.Series:
    """Arrondissement → its commune (Paris, Lyon, Marseille)."""
    return store.df("SELECT code_arrondissement, code_commune FROM arrondissements") \
        .set_index("code_arrondissement")["code_commune"]


def _commune_values(values: pd.DataFrame, cat_used: dict, cities: pd.Series, population: pd.Series,
                    numerators: pd.DataFrame, weights: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Values and population by commune: each city is the aggregate of its arrondissements."""
    arm = cities[cities.index.isin(values.index)]
    own = ~values.index.isin(arm.index)
    if not len(arm):
        return values, population
    agg = aggregate(values, cat_used, arm, population, numerators=numerators, weights=weights)
    frame = pd.concat([values[own], agg[values.columns]])
    return frame, pd.concat([population[own], agg["population"]])


def _ranks(values: pd.DataFrame, departement: pd.Series, cat: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    ranks, sizes = {}, {}
    for name in values.columns:
        v = values[name]
        grouped = v.groupby(departement.reindex(v.index))
        ranks[name] = grouped.rank(ascending=not cat[name].higher_is_better, method="min")
        sizes[name] = grouped.transform("count")
    return pd.DataFrame(ranks), pd.DataFrame(sizes)


def build_observatory(store: Store, *, step: Step | None = None,
                      model: RoadTimeModel | None = None) -> dict[str, object]:
    """Compute and store every indicator at every level, in one transaction."""
    store.require_territory()
    if not store.scalar("SELECT count(*) FROM offer"):
        raise NotBuiltError("Aucune offre de soins dans la base : importez des fichiers ou lancez `accesoins build`.")
    started = time.perf_counter()
    values, numerators, weights, meta, cat, report, sites = compute_commune_indicators(
        store, step=step, model=model)
    say = step or (lambda _l: None)
    say("Agrégation aux intercommunalités, départements, régions et France")
    points = inputs.commune_points(store)
    population = points["population"].astype(float)
    groups = _groups(store)
    cat_used = {k: cat[k] for k in values.columns}
    cities = _cities(store)
    communes, commune_pop = _commune_values(values, cat_used, cities, population, numerators, weights)
    commune_dep = groups["departement"].rename(index=dict(zip(cities.index, cities.to_numpy(), strict=True)))
    commune_dep = commune_dep[~commune_dep.index.duplicated()]

    def classes_of(frame: pd.DataFrame) -> pd.Series:
        if "apl_medecin_generaliste_65" in frame:
            return classify_apl(frame["apl_medecin_generaliste_65"])
        return pd.Series(None, index=frame.index, dtype=object)

    classes = classes_of(values)  # by unit: what territories' zoning populations add up
    arm_codes = values.index[values.index.isin(cities.index)]
    long_frames = []
    pops = []
    for level, frame, deps, pop in (("commune", communes, commune_dep, commune_pop),
                                    ("arrondissement", values.loc[arm_codes], groups["departement"], population)):
        if frame.empty:
            continue
        ranks, sizes = _ranks(values if level == "arrondissement" else frame, deps, cat_used)
        long = frame.rename_axis("code").reset_index().melt(id_vars="code", var_name="indicator")
        for extra, name in ((ranks, "rank_departement"), (sizes, "n_departement")):
            long = long.merge(extra.rename_axis("code").reset_index().melt(
                id_vars="code", var_name="indicator", value_name=name), on=["code", "indicator"], how="left")
        long_frames.append(long.assign(level=level))
        pop = pop.reindex(frame.index)
        pops.append(pd.DataFrame({"level": level, "code": pop.index, "population": pop.to_numpy()}))
    zoning = []
    for level, grp in groups.items():
        agg = aggregate(values, cat_used, grp, population, numerators=numerators, weights=weights)
        pops.append(pd.DataFrame({"level": level, "code": agg.index, "population": agg["population"].to_numpy()}))
        long = agg.drop(columns="population").rename_axis("code").reset_index().melt(
            id_vars="code", var_name="indicator")
        long_frames.append(long.assign(level=level, rank_departement=np.nan, n_departement=np.nan))
        cp = class_populations(classes, grp, population)
        if not cp.empty:
            zoning.append(cp.rename_axis("code").reset_index().melt(
                id_vars="code", var_name="classe", value_name="population").assign(level=level))
    all_values = pd.concat(long_frames, ignore_index=True)
    all_values["value"] = pd.to_numeric(all_values["value"], errors="coerce")
    say("Écriture des indicateurs")
    seconds = time.perf_counter() - started
    report.update({"seconds": round(seconds, 2), "communes": int(len(communes)),
                   "arrondissements": int(len(arm_codes)),
                   "rows": int(len(all_values)), "is_demo": any(m.is_demo for m in meta.values())})
    with store.transaction() as con:
        for table in ("indicator_values", "indicator_meta", "territory_populations", "zoning_classes",
                      "zoning_populations", "nearest_sites"):
            con.execute(f"DELETE FROM {table}")
        insert_frame(store, "indicator_values", all_values,
                     ["level", "code", "indicator", "value", "rank_departement", "n_departement"])
        insert_frame(store, "territory_populations", pd.concat(pops, ignore_index=True),
                     ["level", "code", "population"])
        stored_classes = pd.concat([classes, classes_of(communes).drop(index=values.index, errors="ignore")])
        insert_frame(store, "zoning_classes",
                     stored_classes.rename_axis("code_commune").rename("classe").reset_index(),
                     ["code_commune", "classe"])
        insert_frame(store, "nearest_sites", sites, ["code_commune", "target", "site_commune", "minutes"])
        if zoning:
            insert_frame(store, "zoning_populations", pd.concat(zoning, ignore_index=True),
                         ["level", "code", "classe", "population"])
        for name, computed in meta.items():
            ind = _as_computed(cat[name], computed)
            con.execute(
                "INSERT INTO indicator_meta (indicator, label, unit, family, aggregate, higher_is_better, "
                "parameters, vintages, is_demo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [name, ind.label, ind.unit, ind.family, ind.aggregate, ind.higher_is_better,
                 json.dumps(computed.params, default=str), json.dumps(computed.vintages, default=str),
                 computed.is_demo],
            )
        next_id = con.execute("SELECT coalesce(max(build_id), 0) + 1 FROM observatory_builds").fetchone()[0]
        con.execute("INSERT INTO observatory_builds (build_id, seconds, report) VALUES (?, ?, ?)",
                    [next_id, seconds, json.dumps(report, default=str)])
    return report
