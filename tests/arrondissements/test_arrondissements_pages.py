"""Arrondissements on the site: portrait and JSON twin, search, map level, comparison, open data,
pharmacy search from a postcode area, and the DREES comparison per arrondissement."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from accesoins.services.observatory.fidelity import to_current_communes

pytestmark = pytest.mark.slow
HTML = {"accept": "text/html"}


def test_paris_11e_portrait_and_json_twin(client):
    r = client.get("/commune/75111", headers=HTML)
    assert r.status_code == 200
    assert "Paris 11e arrondissement" in r.text and 'href="/commune/75056"' in r.text
    assert "75011" in r.text and "Rang dans le département" in r.text
    data = client.get("/commune/75111.json").json()
    assert data["level"] == "arrondissement" and data["commune"]["code_ville"] == "75056"
    assert data["codes_postaux"] == ["75011"] and data["contour"]
    obs = data["observatory"]
    first = obs["parents"][0]
    assert obs["level"] == "arrondissement" and (first["level"], first["code"], first["nom"]) == ("commune", "75056",
                                                                                                  "Paris")
    assert first["label"] == "Paris (commune)"  # the département has the same name
    apl = next(i for i in obs["indicators"] if i["indicator"] == "apl_medecin_generaliste")
    assert apl["value"] is not None and apl["compare"]["commune"] is not None
    assert apl["n_departement"] == 20  # ranked among the 20 arrondissements of Paris (département 75)
    assert {n["target"] for n in data["nearest"]} and data["offer"]


def test_city_portrait_lists_its_arrondissements_and_sums_their_offer(client):
    data = client.get("/commune/75056.json").json()
    assert [a["code"] for a in data["arrondissements"]] == [f"751{i:02d}" for i in range(1, 21)]
    assert sum(a["population"] for a in data["arrondissements"]) == data["commune"]["population"]
    eleven = {o["category"]: o["quantity"] for o in client.get("/commune/75111.json").json()["offer"]}
    city = {o["category"]: o["quantity"] for o in data["offer"]}
    assert city["medecin_generaliste"] > eleven["medecin_generaliste"] > 0
    html = client.get("/commune/13055", headers=HTML).text
    assert "Marseille 8e arrondissement" in html and "niveau=arrondissement" in html


@pytest.mark.parametrize("q, first", [("Paris 11e", "75111"), ("75011", "75111"), ("paris 16", "75116"),
                                      ("75116", "75116"), ("Lyon 3e", "69383"), ("13008", "13208"),
                                      ("Paris", "75056")])
def test_search_by_name_and_postcode(client, q, first):
    data = client.get("/communes.json", params={"q": q}).json()
    assert data["results"][0]["code_commune"] == first


def test_map_level_comparison_and_open_data(client):
    dash = client.get("/observatoire.json", params={"niveau": "arrondissement", "departement": "75"}).json()
    assert dash["count"] == 20 and dash["geo_url"] == "/geo/arrondissement.geojson?departement=75"
    geo = client.get("/geo/arrondissement.geojson").json()
    assert len(geo["features"]) == 45
    assert {f["properties"]["code"] for f in geo["features"]} >= {"75111", "69381", "13216"}
    values = client.get("/observatoire/carte.json", params={"niveau": "arrondissement"}).json()["values"]
    assert len(values) == 45
    html = client.get("/observatoire", params={"niveau": "arrondissement"}, headers=HTML)
    assert html.status_code == 200 and "Arrondissements (Paris, Lyon, Marseille)" in html.text
    comp = client.get("/comparer.json", params={"niveau": "arrondissement", "codes": "75111,75116,69381"}).json()
    assert [t["nom"] for t in comp["territories"]] == ["Paris 11e arrondissement", "Paris 16e arrondissement",
                                                        "Lyon 1er arrondissement"]
    terr = client.get("/territoire/arrondissement/75111.json").json()
    assert terr["nom"] == "Paris 11e arrondissement" and terr["classe"]
    table = client.get("/donnees/arrondissements.json").json()
    assert json.dumps(table, ensure_ascii=False).count('"code_arrondissement"') >= 20
    csv = client.get("/telecharger/indicateurs.csv", params={"niveau": "arrondissement", "departement": "69"})
    assert csv.status_code == 200
    frame = pd.read_csv(io.StringIO(csv.text), sep=None, engine="python", dtype=str)
    assert set(frame["code"]) == {f"6938{i}" for i in range(1, 10)}


def test_pharmacies_from_postcode_75011_start_in_the_11e(client):
    data = client.get("/orientation/pharmacies.json", params={"commune": "75011",
                                                              "at": "2026-12-25T03:00"}).json()
    place = data["result"]["place"]
    assert place["code_commune"] == "75111" and "11e" in place["label"]
    assert abs(place["lat"] - 48.8585) < 0.01 and abs(place["lon"] - 2.3795) < 0.01  # not the Hôtel de Ville
    lyon = client.get("/orientation/pharmacies.json", params={"cp": "69008", "at": "2026-12-25T03:00"}).json()
    assert lyon["result"]["place"]["code_commune"] == "69388"
    named = client.get("/orientation/pharmacies.json", params={"commune": "Marseille 13e",
                                                               "at": "2026-12-25T03:00"}).json()
    assert named["result"]["place"]["code_commune"] == "13213"


def test_drees_comparison_keeps_arrondissements_when_the_territory_has_them():
    official = pd.Series({"75111": 3.1, "75116": 4.2, "69381": 3.9, "01001": 2.0})
    known = {"75111", "75116", "69381", "01001"}
    kept, report = to_current_communes(official, lambda s: s.where(s.isin(known)))
    assert kept.to_dict() == official.to_dict() and report["arrondissements_averaged"] == 0
    folded, report = to_current_communes(  # a territory of whole cities: averaged to the city
        official, lambda s: s.map({"75111": "75056", "75116": "75056", "69381": "69123", "01001": "01001"}))
    assert folded["75056"] == pytest.approx(3.65) and report["arrondissements_averaged"] == 3
