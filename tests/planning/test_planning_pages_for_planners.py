"""Planning pages for planners: labelled rows, no raw codes, maps, scenarios saved from the page."""

from __future__ import annotations

import html
import re
import warnings

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient.*")

from fastapi.testclient import TestClient  # noqa: E402

from accesoins.api.app import create_app  # noqa: E402
from accesoins.participation_store import open_participation  # noqa: E402
from accesoins.services.participation import accounts, questionnaires  # noqa: E402

PASSWORD = "correct horse battery staple"
HTML = {"accept": "text/html"}
ROWS = {"inst_commune_1": "Aurillac", "inst_type_1": "medecin_generaliste", "inst_nombre_1": "20",
        "departement": "15"}


@pytest.fixture(scope="module")
def client(settings):
    app = create_app(settings)
    ps = open_participation(None)
    questionnaires.ensure_bundled(ps)
    actor = {"account_id": "test", "role": "admin", "organisation_id": "accesoins"}
    for login, role, org in (("planif", "admin", "accesoins"), ("asso", "editor", "asso")):
        accounts.create_account(ps, actor, login=login, display_name=login.title(), password=PASSWORD, role=role,
                            organisation_id=org)
    app.state.participation = ps
    with TestClient(app) as c:
        yield c


def visible_text(page: str) -> str:
    main = page[page.index("<main"):page.index("</main>")]
    main = re.sub(r"<details><summary>Méthode</summary>.*?</details>", " ", main, flags=re.S)
    main = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", main, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


def test_labelled_rows_make_the_scenario_and_the_page_shows_no_code(client):
    r = client.get("/planification/scenario", params=ROWS, headers=HTML)
    assert r.status_code == 200
    text = visible_text(r.text)
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", text), re.findall(r"\b[a-z]+_[a-z_]+\b", text)[:5]
    assert not re.search(r"\{['\"]", text) and "MILP" not in text and "glouton" not in text
    assert 'id="plan-map-diff"' in r.text and "data-diff=\"/planification/scenario.geojson?" in r.text
    data = client.get("/planification/scenario.json", params=ROWS).json()
    assert data["summary"]["communes_changed"] > 0
    # the free-text field takes the type by its label too, and gives the same result
    same = client.get("/planification/scenario.json", params={
        "installations": "15014:Médecin généraliste:20", "departement": "15"}).json()
    assert same["summary"] == data["summary"]


def test_a_bad_row_is_named_and_its_field_marked(client):
    r = client.get("/planification/scenario", params={"inst_commune_2": "Zorglub", "inst_nombre_2": "3"},
                   headers=HTML)
    assert r.status_code == 200 and "Installation 2 — Commune : « Zorglub » est inconnue" in html.unescape(r.text)
    assert re.search(r'id="inst_commune_2"[^>]*aria-invalid="true"', r.text)
    r = client.get("/planification/scenario", params={"inst_commune_1": "Saint-Denis", "inst_nombre_1": "3"},
                   headers=HTML)
    assert "plusieurs communes s'appellent" in html.unescape(r.text)


def test_france_sante_page_has_a_map_of_the_chosen_sites(client):
    r = client.get("/planification/france-sante", params={"departement": "15", "k": "3"}, headers=HTML)
    assert r.status_code == 200 and 'id="plan-map-sites"' in r.text
    assert 'data-contour="/geo/commune.geojson?departement=15"' in r.text
    assert '<script src="/static/planning-map.js">' in r.text and "<script>" not in r.text
    text = visible_text(r.text)
    assert "MILP" not in text and "CELF" not in text  # solver words only behind « Méthode »


def test_saving_a_scenario_needs_an_administrator_and_a_csrf_token(client):
    query = "installations=15014%3Amedecin_generaliste%3A20&departement=15&inconnu=1"
    anonymous = client.get(f"/participation/planification/enregistrer?{query}", headers=HTML)
    assert anonymous.status_code == 401 and "Connectez-vous" in anonymous.text
    assert client.post("/participation/planification/enregistrer",
                       data={"titre": "x", "query": query}).status_code == 401

    client.post("/participation/api/session", json={"login": "asso", "password": PASSWORD})
    editor = client.get(f"/participation/planification/enregistrer?{query}", headers=HTML)
    assert "seuls les administrateurs" in editor.text and "<form method=\"post\"" not in editor.text
    client.cookies.clear()

    client.post("/participation/api/session", json={"login": "planif", "password": PASSWORD})
    form = client.get(f"/participation/planification/enregistrer?{query}", headers=HTML)
    assert form.status_code == 200
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)[1]
    kept = html.unescape(re.search(r'name="query" value="([^"]+)"', form.text)[1])
    assert "inconnu" not in kept  # only the scenario's own parameters are stored
    assert client.post("/participation/planification/enregistrer",
                       data={"titre": "Vingt généralistes à Aurillac", "query": kept}).status_code == 403
    empty = client.post("/participation/planification/enregistrer", data={"titre": " ", "query": kept, "csrf": token})
    assert empty.status_code == 400 and "donnez un titre" in html.unescape(empty.text)
    done = client.post("/participation/planification/enregistrer", follow_redirects=False,
                       data={"titre": "Vingt généralistes à Aurillac", "query": kept, "csrf": token})
    assert done.status_code == 303 and done.headers["location"].startswith("/planification/scenarios#enregistre-")
    listed = client.get("/planification/scenarios", headers=HTML).text
    assert "Vingt généralistes à Aurillac" in listed and "enregistré par Planif" in listed
    saved = client.get("/planification/scenarios.json").json()["saved"]
    assert saved[0]["url"] == f"/planification/scenario?{kept}"
    client.cookies.clear()
