"""Scenario answers that were wrong: GP installations, territorial counts, percentages, national scope."""

from __future__ import annotations

import re

import pytest

HTML = {"accept": "text/html"}


def test_installing_gps_in_aurillac_raises_its_apl_and_its_neighbours(client):
    data = client.get("/planification/scenario.json?installations=15014:medecin_generaliste:20"
                      "&departement=15").json()
    changed = {c["code_commune"]: c for c in data["communes"]}
    assert "15014" in changed and changed["15014"]["difference"] > 0
    # the new GPs serve the communes within 30 minutes too
    assert sum(1 for c in changed.values() if c["difference"] > 0) >= 10
    assert data["summary"]["mean_after"] > data["summary"]["mean_before"]


def test_retirement_note_counts_the_territory_only(client):
    cantal = client.get("/planification/scenario.json?retraite=62&departement=15").json()
    france = client.get("/planification/scenario.json?retraite=62&departement=").json()
    def gone(d):
        note = next(n for n in d["notes"] if "plus de 62 ans" in n)
        return int(note.split(" ")[0].replace("\u202f", "").replace(" ", ""))
    assert 0 < gone(cantal) < gone(france) / 20


def test_empty_departement_means_france_entiere(client):
    fs = client.get("/planification/france-sante.json?departement=&k=3").json()
    assert fs["territory"] == "France entière" and len(fs["sites"]) == 3 and "exact" not in fs
    page = client.get("/planification/france-sante?departement=&k=3", headers=HTML)
    assert page.status_code == 200 and '<option value="" selected>France entière</option>' in page.text
    sc = client.get("/planification/scenario.json?retraite=62&departement=").json()
    assert sc["territory"] == "France entière"


@pytest.mark.parametrize("url", [
    "/planification/france-sante.json?departement=1",
    "/planification/france-sante.json?departement=ab",
    "/planification/scenario.json?departement=999",
    "/planification/scenario.json?teleconsultation=25",
    "/planification/scenario.json?assistants=101",
    "/planification/installation.json?commune=1",
])
def test_planning_validation_messages_are_french(client, url):
    r = client.get(url)
    assert r.status_code == 400
    message = r.json()["error"]["message"]
    for english in ("should", "String", "pattern", "Input ", "Value ", "match"):
        assert english not in message, message


def test_percentages_as_people_type_them(client):
    sc = client.get("/planification/scenario.json?teleconsultation=20&assistants=30&departement=15").json()
    assert sc["scenario"]["teleconsultation_share"] == pytest.approx(0.2)
    assert sc["scenario"]["medical_assistants"]["share"] == pytest.approx(0.3)
    assert sc["summary"]["mean_after"] != sc["summary"]["mean_before"]
    page = client.get("/planification/scenario?teleconsultation=20&departement=15", headers=HTML).text
    assert 'name="teleconsultation" type="number" min="0" max="20"' in page and 'value="20"' in page
    assert "(%)" in page


def test_planning_pages_speak_french_not_solver(client):
    pages = [client.get(u, headers=HTML).text for u in (
        "/planification/france-sante?departement=48&k=4",
        "/planification/scenario?installations=15014:medecin_generaliste:2&departement=15",
        "/planification", "/planification/installation?type=officine&commune=15014")]
    for text in pages:
        visible = text.split("<details><summary>Méthode")[0]  # technical words are allowed behind « Méthode »
        visible = re.sub(r'data-[a-z]+="[^"]*"', "", visible)  # machine-readable attributes
        for jargon in ("MILP", "HiGHS", "glouton", "CELF", "{&#34;", '{"', "france_sante.", "medecin generaliste"):
            assert jargon not in visible, jargon
    fs, sc = pages[0], pages[1]
    assert "<details><summary>Méthode</summary>" in fs and "<details><summary>Méthode</summary>" in sc
    assert '<option value="medecin_generaliste" selected>Médecins généralistes</option>' in sc
    assert "Aurillac (15014)" in sc


def test_national_scenario_map_is_refused_in_french_not_computed(client):
    r = client.get("/planification/scenario.geojson?retraite=62&departement=")
    assert r.status_code == 400 and "choisissez un département" in r.json()["error"]["message"]
    page = client.get("/planification/scenario?retraite=62&departement=", headers=HTML).text
    assert "trop de communes changent" in page and "scenario.geojson" not in page


def test_installation_form_offers_labelled_choices(client):
    page = client.get("/planification/installation?type=un_pour_un&commune=15014&profession=infirmier"
                      "&zone=tres_sous_dotee", headers=HTML).text
    assert '<option value="infirmier" selected>Infirmier</option>' in page
    assert '<option value="tres_sous_dotee" selected>très sous-dotée</option>' in page


def test_forms_empty_optional_fields_are_not_errors(client):
    # what the forms send when the optional fields are left empty
    sc = client.get("/planification/scenario.json?nom=essai&retraite=&assistants=0&teleconsultation=0"
                    "&installations=15014%3Amedecin_generaliste%3A2&fermetures=&departement=15")
    assert sc.status_code == 200 and sc.json()["scenario"]["gp_retirement_age"] is None
    fs = client.get("/planification/france-sante.json?departement=48&k=3&minutes=")
    assert fs.status_code == 200 and fs.json()["params"]["max_minutes"] == 30
    bad = client.get("/planification/scenario.json?retraite=cent")
    assert bad.status_code == 400 and "âge de départ" in bad.json()["error"]["message"]


def test_scenario_form_errors_keep_the_form_and_name_the_field(client):
    r = client.get("/planification/scenario?installations=15014:inconnue:2&teleconsultation=10&departement=15",
                   headers=HTML)
    assert r.status_code == 200  # the form page itself, with an error summary, as the orientation forms
    assert 'class="plan-errors" role="alert"' in r.text and 'href="#installations"' in r.text
    assert 'id="installations" name="installations" aria-describedby="fmt" value="15014:inconnue:2" ' \
           'aria-invalid="true"' in r.text
    assert 'id="teleconsultation" name="teleconsultation" type="number" min="0" max="20" step="any" ' \
           'value="10"' in r.text
    assert client.get("/planification/scenario.json?installations=15014:inconnue:2").status_code == 400
