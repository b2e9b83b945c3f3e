"""Helpers of the participation tests: an app on in-memory stores, test accounts, signing in.

The main store is an empty in-memory store with one département and two
communes added, so site locations and territorial aggregates are exercised
without building the national territory.
"""

from __future__ import annotations

import warnings
from pathlib import Path

warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient.*")

from accesoins.api.app import create_app  # noqa: E402
from accesoins.config import PROJECT_ROOT, Settings  # noqa: E402
from accesoins.participation_store import open_participation  # noqa: E402
from accesoins.services.participation import accounts, questionnaires  # noqa: E402
from accesoins.store import open_store  # noqa: E402

PASSWORD = "correct horse battery staple"
ACCOUNTS = {  # login -> (role, organisation)
    "admin": ("admin", "accesoins"),
    "asso-a": ("editor", "asso-a"),
    "asso-b": ("editor", "asso-b"),
    "site-x": ("site_manager", "clinique-x"),
}
QID = "experience-consultation"
QUESTIONS = ["delai_rdv", "accueil", "ecoute", "explications", "decision_partagee", "coordination", "recommandation"]


def small_main_store():
    """An in-memory main store holding Cantal (15) with Aurillac and Arpajon-sur-Cère."""
    main = open_store(None)
    main.con.execute("INSERT INTO departements VALUES ('15', 'Cantal', '84')")
    for code, name in (("15014", "Aurillac"), ("15012", "Arpajon-sur-Cère")):
        main.con.execute(
            "INSERT INTO communes (code_commune, nom, code_departement, code_region, zone) "
            "VALUES (?, ?, '15', '84', 'metro')",
            [code, name],
        )
    return main


def make_app(tmp_path: Path | None = None):
    """An app whose participation database is in memory (or in ``tmp_path``), with the test accounts."""
    app = create_app(
        Settings(db_path=Path("/nonexistent/accesoins.duckdb"), node_modules=PROJECT_ROOT / "node_modules"),
        store=small_main_store(),
    )
    ps = open_participation(tmp_path / "participation.duckdb" if tmp_path else None)
    questionnaires.ensure_bundled(ps)
    actor = {"account_id": "test", "role": "admin", "organisation_id": "accesoins"}
    for login, (role, org) in ACCOUNTS.items():
        accounts.create_account(
            ps, actor, login=login, display_name=login, password=PASSWORD, role=role, organisation_id=org
        )
    app.state.participation = ps
    return app



def sign_in(client, login: str) -> dict:
    """Open a session for ``login`` on ``client``; returns the headers carrying its CSRF token."""
    r = client.post("/participation/api/session", json={"login": login, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"X-CSRF-Token": r.json()["csrf"]}


def answers(value: int = 4) -> dict:
    return {q: value for q in QUESTIONS}


def answer_as(app, address: str, token: str, site: str, values: dict | None = None, qid=QID):
    """POST one response from the client ``address`` (a distinct machine); returns the response."""
    from fastapi.testclient import TestClient

    c = TestClient(app, client=(address, 50000))
    return c.post(
        "/participation/api/reponses",
        json={"token": token, "questionnaire_id": qid, "version": 1, "site": site, "answers": values or answers()},
    )


def varied(i: int) -> dict:
    """Answers that differ between respondents (no unanimous group, so results can be shown)."""
    return {q: 1 + (i + j) % 4 for j, q in enumerate(QUESTIONS)}


def at(app, day):
    """Move the participation store's clock (periods close when the quarter changes)."""
    app.state.participation.today = lambda: day
