"""Three journeys, one per kind of user, in Chromium against a real server; each step screenshotted.

Screenshots: ``tests/artifacts/journey-<kind>-NN-<step>.png`` (kept in the repository).

- citizen at night, on a phone: « enfant fièvre la nuit » → advice with the numbers to call →
  pharmacies open now → the care sites near home with their address, phone and hours;
- planner: France Santé planning on a département → map of the chosen sites → a scenario →
  saved from the page by a signed-in administrator → listed among saved scenarios;
- association: an establishment's published experience results → its questionnaire → thanks.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from accesoins.api.app import create_app
from accesoins.participation_store import open_participation
from accesoins.services.participation import accounts, questionnaires
from livesite import LiveServer, shot

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "participation"))
from phelpers import PASSWORD, answer_as, varied  # noqa: E402

SITE = "150780096"  # a FINESS-shaped identifier of a fictitious establishment in Aurillac
SLOW = 240_000  # ms: a cold scenario recomputes the national APL


@pytest.fixture(scope="module")
def journey_site(settings):
    """A server whose participation database has an administrator and one site with published results."""
    app = create_app(settings)
    ps = open_participation(None)
    questionnaires.ensure_bundled(ps)
    actor = {"account_id": "test", "role": "admin", "organisation_id": "accesoins"}
    accounts.create_account(ps, actor, login="planif", display_name="Claire Planif", password=PASSWORD, role="admin",
                        organisation_id="accesoins")
    app.state.participation = ps
    with TestClient(app) as c:
        token = c.post("/participation/api/session", json={"login": "planif", "password": PASSWORD}).json()["csrf"]
        r = c.put("/participation/api/sites", json={"site_id": SITE, "name": "Maison de santé du Prat (fictive)",
                                                    "code_commune": "15014"}, headers={"X-CSRF-Token": token})
        assert r.status_code == 200, r.text
    ps.today = lambda: dt.date(2026, 2, 1)
    for i in range(12):  # twelve distinct people in a closed quarter: published
        assert answer_as(app, f"192.0.2.{i}", f"journey-{i:012d}", SITE, varied(i)).status_code == 201
    ps.today = lambda: dt.date(2026, 4, 1)
    server = LiveServer(app).start()
    yield server
    server.stop()


def answer_flow(pg, answers: dict[str, str], kind: str, first: int) -> int:
    """Answer « À qui m'adresser ? » question by question, one screenshot each; returns the next number."""
    n = first
    for _ in range(10):
        if pg.locator("#resultat").count():
            return n
        radio = pg.locator("form.o-form input[type=radio]")
        name = radio.first.get_attribute("name") if radio.count() else pg.locator("form.o-form input[type=text]")\
            .first.get_attribute("name")
        if radio.count():
            pg.check(f"input[name={name}][value={answers[name]}]")
        else:
            pg.fill(f"#{name}", answers[name])
        shot(pg, f"journey-{kind}-{n:02d}-{name}")
        n += 1
        pg.get_by_role("button", name="Continuer").click()
        pg.wait_for_load_state()
    raise AssertionError("the flow never reached a result")


def test_citizen_at_night_on_a_phone(phone, journey_site):
    pg = phone
    pg.goto(journey_site.url + "/orientation")
    menu = pg.get_by_role("button", name="Menu")
    assert menu.get_attribute("aria-expanded") == "false"
    assert pg.locator("header.site").bounding_box()["height"] < 100  # one compact row at 390 px
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true" and pg.get_by_role("link", name="Où me soigner ?").is_visible()
    shot(pg, "journey-citoyen-01-menu")
    menu.click()
    pg.goto(journey_site.url + "/orientation/a-qui-m-adresser")
    n = answer_flow(pg, {"urgence": "non", "motif": "enfant", "signes_enfant": "non", "age": "4",
                         "moment": "garde", "medecin": "indispo"}, "citoyen", 2)
    result = pg.locator("main").inner_text()
    # the numbers a parent needs at night, each where it applies
    for number in ("15", "112", "114", "116 117", "32 37"):
        assert number in result, number
    cards = pg.locator(".o-cards .o-card h3").all_inner_texts()
    assert cards[0].startswith("Le médecin de garde : appelez le 116 117") and cards[1] == "La pharmacie de garde"
    shot(pg, f"journey-citoyen-{n:02d}-conseils-la-nuit")
    n += 1
    pg.get_by_role("link", name="Trouver une pharmacie ouverte ou de garde").click()
    pg.fill("#commune", "15000")
    pg.get_by_role("button", name="Chercher les pharmacies ouvertes").click()
    pg.wait_for_selector("#resultats")
    first = pg.locator(".o-card").first
    assert first.is_visible() and "Téléphone" in first.inner_text()
    shot(pg, f"journey-citoyen-{n:02d}-pharmacies-ouvertes")
    n += 1
    pg.go_back()
    pg.go_back()
    pg.fill("#lieu", "Aurillac")
    pg.get_by_role("button", name="Chercher près de chez moi").click()
    site = pg.locator(".o-site").first
    site.wait_for()
    text = site.inner_text()
    assert "Adresse" in text and "Téléphone" in text and "Horaires non connus" in text
    site.scroll_into_view_if_needed()
    shot(pg, f"journey-citoyen-{n:02d}-lieu-de-soins")


def test_planner_plans_maps_and_saves_a_scenario(page, journey_site):
    pg = page
    pg.set_default_timeout(SLOW)
    pg.goto(journey_site.url + "/planification")
    shot(pg, "journey-planificateur-01-accueil")
    pg.goto(journey_site.url + "/planification/france-sante?departement=48&k=3")
    pg.wait_for_selector("#plan-map-sites[data-ready]")
    assert int(pg.locator("#plan-map-sites").get_attribute("data-ready")) >= 1
    assert pg.locator("#plan-map-sites .leaflet-interactive").count() >= 1
    assert pg.get_by_title("Zoom avant").count() == 1
    pg.locator("#plan-map-sites").scroll_into_view_if_needed()
    shot(pg, "journey-planificateur-02-carte-des-sites")
    pg.goto(journey_site.url + "/planification/scenario")
    pg.fill("#inst_commune_1", "Mende")
    pg.select_option("#inst_type_1", label="Médecin généraliste")
    pg.fill("#inst_nombre_1", "10")
    pg.select_option("#departement", "48")
    shot(pg, "journey-planificateur-03-scenario")
    pg.get_by_role("button", name="Comparer").click()
    pg.wait_for_selector("#plan-map-diff[data-ready]")
    assert int(pg.locator("#plan-map-diff").get_attribute("data-ready")) > 0
    pg.locator("#plan-map-diff").scroll_into_view_if_needed()
    shot(pg, "journey-planificateur-04-carte-des-differences")
    pg.get_by_role("link", name="Enregistrer ce scénario").click()
    save_url = pg.url
    assert "Seul un administrateur connecté" in pg.locator("main").inner_text()
    pg.get_by_role("link", name="Connectez-vous").click()
    pg.fill("#login", "planif")
    pg.fill("#password", PASSWORD)
    pg.get_by_role("button", name="Se connecter").click()
    pg.wait_for_url(re.compile(r"/participation/gestion"))
    pg.goto(save_url)
    pg.fill("#titre", "Dix généralistes de plus à Mende")
    shot(pg, "journey-planificateur-05-enregistrer")
    pg.get_by_role("button", name="Enregistrer").click()
    pg.wait_for_url(re.compile(r"/planification/scenarios#enregistre-\d+"))
    saved = pg.get_by_role("link", name="Dix généralistes de plus à Mende")
    assert saved.is_visible() and "enregistré par Claire Planif" in pg.locator("main").inner_text()
    shot(pg, "journey-planificateur-06-scenarios-enregistres")
    saved.click()
    assert "10 médecin" in pg.locator("main").inner_text() or pg.locator("#plan-map-diff").count() == 1


def test_association_reads_results_then_answers(page, journey_site):
    pg = page
    pg.goto(journey_site.url + "/participation")
    pg.fill("#site-recherche", SITE)
    shot(pg, "journey-association-01-recherche")
    pg.get_by_role("button", name="Voir les résultats").click()
    pg.wait_for_url(re.compile(rf"/participation/site/{SITE}"))
    body = pg.locator("main").inner_text()
    assert "Score global" in body and "2026-T1" in body
    table = pg.locator("main table").first
    assert table.get_attribute("tabindex") == "0"  # a scrollable table reachable with the keyboard
    shot(pg, "journey-association-02-resultats-publies")
    pg.locator("main a[href^='/participation/repondre/experience-consultation']").first.click()
    assert pg.locator("#site").input_value() == SITE
    for group in pg.locator("form fieldset:has(input[type=radio])").all():
        group.locator("input[type=radio]").first.check()
    shot(pg, "journey-association-03-questionnaire")
    pg.get_by_role("button", name="Envoyer mes réponses").click()
    ack = pg.locator("#accuse")
    ack.wait_for()
    text = pg.locator("main").inner_text()
    assert "{{" not in text and re.search(r"\b10\b", text), text
    shot(pg, "journey-association-04-merci")
