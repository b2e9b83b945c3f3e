"""The analyst's pages through the ASGI app: portraits with their map and ranking, comparison by
name, downloads in the French convention with their sizes, French figures."""

from __future__ import annotations

import csv
import html as htmllib
import io
import json

import pytest

HTML = {"accept": "text/html"}


def test_departement_portrait_map_has_the_territory_its_neighbours_and_its_communes(client):
    geo = client.get("/geo/portrait/departement/15.geojson").json()
    roles = {}
    for f in geo["features"]:
        roles.setdefault(f["properties"]["role"], set()).add(f["properties"]["code"])
    assert roles["territoire"] == {"15"}
    # the Cantal touches Puy-de-Dôme, Haute-Loire, Lozère, Aveyron, Lot and Corrèze
    assert roles["voisin"] == {"63", "43", "48", "12", "46", "19"}
    assert len(roles["partie"]) == 250 and all(c.startswith("15") for c in roles["partie"])


def test_commune_portrait_map_has_neighbouring_communes(client):
    geo = client.get("/geo/portrait/commune/15014.geojson").json()
    near = {f["properties"]["code"] for f in geo["features"] if f["properties"]["role"] == "voisin"}
    assert {"15012", "15140"} <= near and "15014" not in near  # Arpajon-sur-Cère, Naucelles
    html = client.get("/commune/15014", headers=HTML).text
    assert 'data-layers="/geo/portrait/commune/15014.geojson"' in html and "Légende de la carte" in html
    assert "Médecin généraliste" in html and "medecin generaliste" not in html


def test_departement_ranking_orders_communes_by_the_indicator(client):
    page = client.get("/territoire/departement/15.json", params={"indicateur": "temps_urgences"}).json()
    rows = page["ranking"]["rows"]
    assert page["ranking"]["count"] == len(rows) == 250
    ranked = [r for r in rows if r["rang"] is not None]
    assert ranked[0]["rang"] == 1
    assert [r["valeur"] for r in ranked] == sorted(r["valeur"] for r in ranked)  # shorter is better
    html = client.get("/territoire/departement/15", headers=HTML).text
    assert 'class="scroll" role="region" tabindex="0"' in html and "t-classement-caption" in html


def test_one_departement_region_is_not_a_second_column(client):
    page = client.get("/commune/97307.json").json()
    labels = [p["label"] for p in page["observatory"]["parents"]]
    assert labels.count("Guyane (département et région)") == 1 and "Guyane" not in labels


@pytest.mark.parametrize(("typed", "codes"), [("Aurillac, Saint-Flour", ["15014", "15187"]),
                                              ("aurillac,15187", ["15014", "15187"])])
def test_compare_by_name(client, typed, codes):
    page = client.get("/comparer.json", params={"niveau": "commune", "codes": typed}).json()
    assert page["codes"] == codes and not page["problems"]


def test_compare_namesakes_and_unknown_names_keep_the_form(client):
    r = client.get("/comparer", params={"niveau": "commune", "codes": "Aurillac, Sainte-Colombe, Zzzville"},
                   headers=HTML)
    assert r.status_code == 200
    text = htmllib.unescape(r.text)
    assert 'value="Aurillac, Sainte-Colombe, Zzzville"' in text
    assert "correspond à plusieurs communes" in text and "Aucune commune ne s'appelle « Zzzville »" in text
    page = client.get("/comparer.json", params={"niveau": "commune", "codes": "Sainte-Colombe"}).json()
    assert len(page["problems"][0]["choices"]) >= 10


def test_csv_is_french_by_default_and_international_on_request(client):
    params = {"niveau": "departement", "indicateur": "apl_medecin_generaliste_65"}
    fr = client.get("/telecharger/indicateurs.csv", params=params).content
    assert fr.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(fr.decode("utf-8-sig")), delimiter=";"))
    cantal = next(r for r in rows if r["code"] == "15")
    assert cantal["nom"] == "Cantal" and "," in cantal["valeur"] and "." not in cantal["valeur"]
    assert cantal["donnees_fictives"] in ("oui", "non")
    intl = client.get("/telecharger/indicateurs.csv", params={**params, "convention": "internationale"}).text
    rows = list(csv.DictReader(io.StringIO(intl)))
    assert "." in next(r for r in rows if r["code"] == "15")["valeur"]


def test_geojson_is_one_light_feature_per_territory(client):
    params = {"niveau": "commune", "departement": "15"}
    light = client.get("/telecharger/indicateurs.geojson", params=params).content
    full = client.get("/telecharger/indicateurs.geojson", params={**params, "contours": "detailles"}).content
    features = json.loads(light)["features"]
    assert len(features) == 250 and "apl_medecin_generaliste_65" in features[0]["properties"]
    assert len(light) < 0.8 * len(full)


def test_downloads_are_announced_with_their_size(client):
    page = client.get("/observatoire.json").json()
    for d in page["downloads"]:
        real = len(client.get(d["url"]).content)
        assert 0.5 * real <= d["bytes"] <= 2 * real, (d["url"], d["bytes"], real)
    html = client.get("/donnees", headers=HTML).text
    assert "contours détaillés des communes" in html and " Mo" in html


def test_figures_are_french(client):
    html = client.get("/observatoire", headers=HTML).text
    assert "hab.." not in html and "Zoom in" not in html
    html = client.get("/territoire/departement/15", headers=HTML).text
    assert "144\u202f196" in html


REGIONS = ("01", "02", "03", "04", "06", "11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94")


def test_every_departement_and_region_portrait_answers_with_its_map(client):
    form = client.get("/observatoire.json").json()
    territories = [("departement", d["code"]) for d in form["departements"]] + [("region", r) for r in REGIONS]
    failures = []
    for level, code in territories:
        page = client.get(f"/territoire/{level}/{code}", headers=HTML)
        geo = client.get(f"/geo/portrait/{level}/{code}.geojson")
        own = [f for f in geo.json()["features"] if f["properties"]["role"] == "territoire"] \
            if geo.status_code == 200 else []
        if page.status_code != 200 or len(own) != 1:
            failures.append((level, code, page.status_code, geo.status_code, len(own)))
    assert len(territories) == 119 and not failures, failures
