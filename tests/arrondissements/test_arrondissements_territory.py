"""The 45 arrondissements of Paris, Lyon and Marseille as units beneath their commune.

Checked against the official files of ``../shared`` (COG 2024 points and 2021 populations) and
for the rule that makes the city the sum of its arrondissements, never counted twice.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from accesoins.offer.arrondissements import largest_remainders, spread_city_rows
from accesoins.store.territory import territory_stats

pytestmark = pytest.mark.slow
CITIES = {"75056": 20, "69123": 9, "13055": 16}


def test_45_arrondissements_with_code_name_point_contour_population(store):
    arm = store.df("SELECT * FROM arrondissements ORDER BY 1")
    assert len(arm) == 45
    assert arm.groupby("code_commune").size().to_dict() == CITIES
    assert set(arm["code_arrondissement"]) == (
        {f"751{i:02d}" for i in range(1, 21)} | {f"6938{i}" for i in range(1, 10)}
        | {f"132{i:02d}" for i in range(1, 17)})
    assert arm.loc[arm.code_arrondissement == "75111", "nom"].item() == "Paris 11e arrondissement"
    assert arm["lat"].notna().all() and arm["population"].gt(0).all()
    contours = store.df("SELECT code, geojson FROM contours WHERE level = 'arrondissement'").set_index("code")
    assert set(contours.index) == set(arm["code_arrondissement"])
    shapes = shapely.from_geojson(contours.loc[arm["code_arrondissement"], "geojson"].to_numpy())
    inside = shapely.contains(shapes, shapely.points(arm["lon"], arm["lat"]))
    # the points rule: inside, or a mairie d'arrondissement within 500 m of the contour
    near_mairie = (arm["point_method"] == "mairie") & (arm["mairie_distance_m"] <= 500)
    assert (inside | near_mairie).all(), arm.loc[~inside, "code_arrondissement"].tolist()
    assert inside.sum() >= 44
    # the arrondissements tile their city: areas add up to the commune's within 1 %
    areas = arm.groupby("code_commune")["area_km2"].sum()
    city_area = store.df("SELECT code_commune, area_km2 FROM communes WHERE code_commune IN "
                         "('75056', '69123', '13055')").set_index("code_commune")["area_km2"]
    assert np.allclose(areas.sort_index(), city_area.sort_index(), rtol=0.01)


def test_legal_population_sums_to_the_city_and_matches_insee(store, real_data):
    arm = store.df("SELECT code_arrondissement, code_commune, population, lat, lon FROM arrondissements")
    city = store.df("SELECT code_commune, population FROM communes WHERE code_commune IN "
                    "('75056', '69123', '13055')").set_index("code_commune")["population"]
    assert (arm.groupby("code_commune")["population"].sum() == city.reindex(list(CITIES)).sort_index()).all()
    cog = pd.read_csv(real_data / "communes_cog2024.csv", dtype=str)
    cog = cog[cog["commune_type"] == "ARM"].drop_duplicates("insee_com").set_index("insee_com")  # 75116: 2 CP
    cog[["population_2021", "lat", "lng"]] = cog[["population_2021", "lat", "lng"]].astype(float)
    assert len(cog) == 45
    both = arm.set_index("code_arrondissement").join(
        cog[["population_2021", "lat", "lng"]].rename(columns={"lat": "cog_lat", "lng": "cog_lon"}))
    # populations légales (package) against the 2021 census of the COG file: a year apart, each
    # arrondissement within 10 % and each city within 2 %
    ratio = both["population"] / both["population_2021"]
    assert ratio.between(0.9, 1.1).all(), ratio[~ratio.between(0.9, 1.1)]
    cities = both.groupby("code_commune")[["population", "population_2021"]].sum()
    assert (cities["population"] / cities["population_2021"]).between(0.98, 1.02).all()
    # the COG file's point of each arrondissement lies in (or, on the coast, within 1 km of) our contour
    contours = store.df("SELECT code, geojson FROM contours WHERE level = 'arrondissement'").set_index("code")
    shapes = shapely.from_geojson(contours.loc[both.index, "geojson"].to_numpy())
    cog_points = shapely.points(both["cog_lon"], both["cog_lat"])
    assert shapely.contains(shapes, cog_points).sum() >= 43
    assert (shapely.distance(shapes, cog_points) * 111 < 1.0).all()
    # in Paris and Lyon our point (mostly the mairie) is near the COG file's; the 12e and 16e hold woods
    km = np.hypot((both["lat"] - both["cog_lat"]) * 111,
                  (both["lon"] - both["cog_lon"]) * 111 * np.cos(np.radians(both["lat"])))
    small = km[both["code_commune"].isin(["75056", "69123"])]
    assert small.max() < 2.5 and small.median() < 1.0, small.sort_values().tail()


def test_units_count_the_cities_once(store):
    units = store.df("SELECT * FROM territory_units")
    assert len(units) == 34_875 - 3 + 45
    assert not units["code_commune"].isin(list(CITIES)).any()
    assert units["population"].sum() == store.scalar("SELECT sum(population) FROM communes")
    assert units["code_commune"].is_unique


def test_territory_stats_and_cli_count_the_arrondissements(store, settings, monkeypatch):
    stats = territory_stats(store)
    assert stats["arrondissements"] == 45
    by_city = {r["code_commune"]: r for r in stats["arrondissements_by_city"]}
    assert {c: r["arrondissements"] for c, r in by_city.items()} == CITIES
    assert all(r["population"] == r["population_commune"] for r in by_city.values())
    from accesoins.cli import app

    monkeypatch.setenv("ACCESOINS_DB", str(settings.db_path))
    result = CliRunner().invoke(app, ["territory", "stats"])
    assert result.exit_code == 0, result.output
    assert "Arrondissements municipaux : 45" in result.output
    result = CliRunner().invoke(app, ["territory", "stats", "--json"])
    assert json.loads(result.output)["arrondissements"] == 45


def test_observatory_city_is_the_aggregate_of_its_arrondissements(store):
    vals = store.df("SELECT level, code, indicator, value FROM indicator_values")
    pops = store.df("SELECT level, code, population FROM territory_populations").set_index(["level", "code"])
    arm = vals[vals.level == "arrondissement"]
    assert arm["code"].nunique() == 45
    # Paris is its own département: the département's value is the city's, computed once
    paris = vals[(vals.level == "commune") & (vals.code == "75056")].set_index("indicator")["value"]
    dep = vals[(vals.level == "departement") & (vals.code == "75")].set_index("indicator")["value"]
    assert np.allclose(paris.sort_index(), dep.reindex(paris.index).sort_index(), equal_nan=True)
    assert pops.loc[("commune", "75056"), "population"] == pops.loc[("departement", "75"), "population"]
    # populations add up: France counts each inhabitant once
    assert pops.loc[("france", "FR"), "population"] == store.scalar("SELECT sum(population) FROM communes")
    # the city's density is the ratio of its arrondissements' sums
    d = "densite_medecin_generaliste"
    offer = store.df("SELECT code_commune, sum(quantity) AS q FROM offer WHERE category = 'medecin_generaliste' "
                     "AND code_commune LIKE '751%' GROUP BY 1")
    expected = offer["q"].sum() / pops.loc[("commune", "75056"), "population"] * 10_000
    assert paris[d] == pytest.approx(expected)
    # an arrondissement's APL is its own, and the city's lies within its arrondissements' range
    apl = arm[arm.indicator == "apl_medecin_generaliste"]
    apl = apl[apl.code.str.startswith("751")]["value"]
    assert apl.min() <= paris["apl_medecin_generaliste"] <= apl.max() and apl.std() > 0


def test_largest_remainders_keeps_the_total():
    parts = largest_remainders(1001, np.array([1.0, 2.0, 3.0, 0.5]))
    assert parts.sum() == 1001 and (parts == np.round(parts)).all()
    assert list(largest_remainders(2, np.array([1.0, 1.0, 1.0]))) == [1.0, 1.0, 0.0]


def test_spread_rule_located_site_and_totals():
    arm = pd.DataFrame({"code_arrondissement": ["69381", "69382", "69383"], "code_commune": "69123",
                        "population": [100, 300, 600]})
    rows = pd.DataFrame({
        "category": "x", "code_commune": ["69123", "69123", "69123", "01001"],
        "quantity": [10.0, 1.0, 1.0, 4.0], "unit": ["count", "sites", "sites", "count"],
        "site_id": [None, "A", "B", None], "name": [None, "a", "b", None],
        "lat": [None, 45.0, None, None], "lon": [None, 4.8, None, None], "attributes": None})
    out, report = spread_city_rows(rows, arm, seats={"69123": "69381"},
                                   locate=lambda lat, lon: np.array(["69382"] * len(lat), dtype=object))
    assert report == {"lignes_ville": 3, "localisees": 1, "mairie": 1, "reparties": 1}
    by = out.groupby("code_commune")["quantity"].sum()
    assert by.to_dict() == {"01001": 4.0, "69381": 1.0 + 1.0, "69382": 3.0 + 1.0, "69383": 6.0}
    assert out["quantity"].sum() == rows["quantity"].sum()


def test_rows_stored_for_a_whole_city_are_read_per_arrondissement(store_copy):
    """A store filled before migration 012 may hold offer rows coded 75056: the engine spreads them."""
    from accesoins.services.data import inputs

    before = inputs.site_counts(store_copy, "pharmacie")
    store_copy.con.execute("INSERT INTO offer (source_id, category, code_commune, quantity, unit) "
                           "VALUES ('demo', 'pharmacie', '75056', 20, 'sites')")
    after = inputs.site_counts(store_copy, "pharmacie")
    assert "75056" not in after.index
    added = after.sub(before, fill_value=0.0)
    added = added[added != 0]
    assert added.sum() == 20 and added.index.str.startswith("751").all() and (added == added.round()).all()
    rows, _ = inputs.supply(store_copy, "pharmacie")
    assert "75056" not in set(rows["site"]) and rows["quantity"].sum() == after.sum()
