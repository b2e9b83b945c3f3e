"""Real supply by arrondissement: the SIRENE counts (which carry Paris, Lyon and Marseille by
arrondissement) and the BPE file (Lyon and Marseille as whole cities) through the real importers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from accesoins.access.apl import apl
from accesoins.services.data import inputs
from accesoins.services.data.imports import import_file
from accesoins.services.observatory.communes import portrait
from accesoins.travel.road import RoadTimeModel

pytestmark = pytest.mark.slow
IDF_CORE = ("75", "92", "93", "94")


def _sirene(real_data) -> pd.DataFrame:
    return pd.read_csv(real_data / "sirene_naf86_etablissements_par_commune.csv", sep=";",
                       dtype={"codecommuneetablissement": str}).set_index("codecommuneetablissement")


@pytest.fixture
def sirene_store(store_copy, real_data):
    report = import_file(store_copy, "generic", real_data / "sirene_naf86_etablissements_par_commune.csv",
                         skip_unknown=True, preset="sirene_naf86", vintage="2019")
    return store_copy, report


def test_sirene_keeps_arrondissements_and_city_supply_is_their_sum(sirene_store, real_data):
    store, report = sirene_store
    raw = _sirene(real_data)
    gp = store.df("SELECT code_commune, sum(quantity) AS q FROM offer WHERE category = 'medecin_generaliste' "
                  "GROUP BY 1").set_index("code_commune")["q"]
    assert not gp.index.isin(["75056", "69123", "13055"]).any()
    for prefix, n in (("751", 20), ("6938", 9), ("132", 16)):
        own = raw[raw.index.str.startswith(prefix) & (raw.index.str.len() == 5)]["generaliste"]
        assert len(own) == n
        assert (gp.reindex(own.index) == own).all(), prefix  # each arrondissement keeps its own count
    paris_file = raw[raw.index.str.startswith("751")]["generaliste"].sum()
    city = {o["category"]: o["quantity"] for o in portrait(store, "75056")["offer"]}
    assert city["medecin_generaliste"] == paris_file == gp[gp.index.str.startswith("751")].sum()
    assert inputs.site_counts(store, "medecin_generaliste").filter(regex=r"^751\d\d$").sum() == paris_file
    assert report["arrondissements"] == {}  # no line given for a whole city in this file


def _frames(store, single_point: bool):
    """Points, population and GP supply of the Paris core, by arrondissement or with Paris as one point."""
    units = inputs.commune_points(store)
    deps = store.df("SELECT code_commune, code_departement FROM territory_units").set_index("code_commune")
    units = units[deps["code_departement"].reindex(units.index).isin(IDF_CORE)]
    supply = inputs.site_counts(store, "medecin_generaliste").reindex(units.index).fillna(0.0)
    if not single_point:
        return units, units["population"].astype(float), supply
    paris = store.df("SELECT lat, lon, population, area_km2 FROM communes WHERE code_commune = '75056'").iloc[0]
    arm = units.index.str.startswith("751")
    one = pd.DataFrame({"lat": [paris["lat"]], "lon": [paris["lon"]], "population": [paris["population"]],
                        "density": [paris["population"] / paris["area_km2"]], "area_km2": [paris["area_km2"]],
                        "zone": [int(units.loc[arm, "zone"].iloc[0])]}, index=pd.Index(["75056"]))
    points = pd.concat([units[~arm], one[units.columns]])
    folded = pd.concat([supply[~arm], pd.Series({"75056": supply[arm].sum()})])
    return points, points["population"].astype(float), folded


def test_apl_per_arrondissement_differs_from_the_single_point_where_it_should(sirene_store):
    store, _ = sirene_store
    model = RoadTimeModel()
    res = {}
    for single in (False, True):
        points, pop, supply = _frames(store, single)
        cost = model.travel_times(points, max_minutes=30.0)
        res[single] = apl(pop, supply, cost, profession="medecin_generaliste").values
    per_arm, one = res[False], res[True]
    paris = one["75056"]
    arm = per_arm[per_arm.index.str.startswith("751")]
    assert len(arm) == 20
    # one point gives all of Paris one value; by arrondissement they spread widely around it
    assert arm.max() / arm.min() > 1.2
    assert arm.min() < paris < arm.max()
    # where it should: GPs are densest in the centre, so by arrondissement the APL falls with the
    # distance from the centre; the central ones are above the single value, the outer ones below
    points, pop, _ = _frames(store, False)
    centre = store.df("SELECT lat, lon FROM communes WHERE code_commune = '75056'").iloc[0]
    km = np.hypot(points.loc[arm.index, "lat"] - centre["lat"],
                  (points.loc[arm.index, "lon"] - centre["lon"]) * np.cos(np.radians(centre["lat"]))) * 111
    assert spearmanr(km, arm).statistic < -0.5
    by_distance = arm[km.sort_values().index]
    assert by_distance.head(5).mean() > paris > by_distance.tail(5).mean()
    # Paris's neighbours see the supply where it is, not piled at the Hôtel de Ville
    both = pd.DataFrame({"arm": per_arm, "one": one}).dropna().drop(index="75056", errors="ignore")
    both = both[~both.index.str.startswith("751")]
    changed = (both["arm"] - both["one"]).abs() / both["one"].clip(lower=0.1)
    assert (changed > 0.05).sum() >= 10, changed.sort_values().tail(10)
    # and a city's whole-population APL is close to its arrondissements' population-weighted mean
    mean = np.average(arm, weights=pop[arm.index])
    assert mean == pytest.approx(paris, rel=0.25)


def test_bpe_city_totals_are_kept_and_spread_by_legal_population_when_computing(store_copy, real_data):
    report = import_file(store_copy, "bpe", real_data / "bpe_medecins_generalistes_par_commune.csv",
                         skip_unknown=True, vintage="2017")
    raw = pd.read_csv(real_data / "bpe_medecins_generalistes_par_commune.csv", dtype={"CODGEO": str})
    assert report["arrondissements"]["reparties"] == 2  # Lyon and Marseille, each one line
    assert any("Paris, Lyon, Marseille" in w and "prorata" in w for w in report["warnings"])
    stored = store_copy.df("SELECT code_commune, quantity FROM offer WHERE category = 'medecin_generaliste' "
                           "AND source_id = 'bpe:2017'").set_index("code_commune")["quantity"]
    counts = inputs.site_counts(store_copy, "medecin_generaliste")
    assert not counts.index.isin(["69123", "13055"]).any()
    for city, prefix in (("69123", "6938"), ("13055", "132")):
        total = raw.loc[raw.CODGEO == city, "NB_D201"].sum()
        assert stored[city] == total  # the store keeps the line as the file gives it
        part = counts[counts.index.str.startswith(prefix) & (counts.index.str.len() == 5)]
        assert part.sum() == total and (part == part.round()).all()
        pops = store_copy.df("SELECT code_arrondissement, population FROM arrondissements WHERE code_commune = ?",
                             [city]).set_index("code_arrondissement")["population"]
        share = part.reindex(pops.index).fillna(0) / total
        assert np.allclose(share, pops / pops.sum(), atol=2 / total)
    # and the city's portrait shows the line where the file put it
    lyon = {o["category"]: o["quantity"] for o in portrait(store_copy, "69123")["offer"]}
    assert lyon["medecin_generaliste"] >= raw.loc[raw.CODGEO == "69123", "NB_D201"].sum()
