"""Planning pages and JSON twins on the national demonstration store; bad input is a 4xx."""

from __future__ import annotations

import pytest

HTML = {"accept": "text/html"}


def test_france_sante_page_and_twin(client):
    r = client.get("/planification/france-sante?departement=48&k=4&existants=false&candidats=toutes", headers=HTML)
    assert r.status_code == 200 and 'id="coverage-curve"' in r.text and "L5125" not in r.text
    data = client.get("/planification/france-sante.json?departement=48&k=4&existants=false&candidats=toutes").json()
    assert len(data["sites"]) == 4 and data["exact"]["objective"] >= data["exact"]["greedy"]
    assert [p["covered"] for p in data["curve"]] == sorted(p["covered"] for p in data["curve"])
    e = data["exact"]
    # The reported gap is the measured one, and the page lists the exact solution when it is better.
    assert e["gap"] == pytest.approx((e["objective"] - e["greedy"]) / e["objective"], abs=1e-12)
    assert data["greedy_curve"][-1]["covered"] == pytest.approx(e["greedy"])
    listed = sorted(site["code_commune"] for site in data["sites"])
    if e["objective"] > e["greedy"]:
        assert data["solution"] == "exacte" and listed == sorted(e["sites"])
        assert data["sites"][-1]["covered"] == pytest.approx(e["objective"])
    else:
        assert data["solution"] == "gloutonne" and listed == sorted(e["greedy_sites"])
    assert f'data-solution="{data["solution"]}"' in r.text
    geo = client.get("/planification/france-sante.geojson?departement=48&k=4&existants=false&candidats=toutes")
    assert geo.headers["content-type"].startswith("application/geo+json")
    assert len(geo.json()["features"]) == 4


def test_rota_scenario_installation(client):
    rota = client.get("/planification/medecins-solidaires.json?departement=15&annee=2026&mois=3").json()
    a = rota["assignments"]
    assert a and max(sum(1 for x in a if x["volunteer"] == v) for v in {x["volunteer"] for x in a}) <= 2
    assert rota["summary"]["apl_mean_after"] >= rota["summary"]["apl_mean_before"]
    sc = client.get("/planification/scenario.json?retraite=60&departement=15").json()
    assert sc["summary"]["mean_after"] < sc["summary"]["mean_before"]
    inst = client.get("/planification/installation.json?type=officine&commune=15014").json()
    assert inst["answer"]["rules"][0]["id"] == "pharmacy.first_threshold"


@pytest.mark.parametrize("url", [
    "/planification/scenario.json?nom=Mauvais!",
    "/planification/scenario.json?installations=15014:inconnue:1",
    "/planification/france-sante.json?departement=99",
    "/planification/france-sante.json?k=-1",
    "/planification/medecins-solidaires.json?departement=15&jours_volontaire=3",
    "/planification/installation.json?type=un_pour_un&commune=15014&profession=medecin_generaliste",
    "/planification/installation.json?commune=99999",
])
def test_bad_input_is_a_clear_french_4xx(client, url):
    r = client.get(url)
    assert 400 <= r.status_code < 500
    assert r.json()["error"]["message"]
