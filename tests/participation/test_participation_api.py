"""Participation through the ASGI app: answering, review workflow, directory, sessions, roles."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from phelpers import ACCOUNTS, answer_as, answers, at, sign_in, varied
from starlette.routing import Route
from starlette.testclient import TestClient

from accesoins.api.participation.base import COOKIE, PUBLIC_WRITES
from accesoins.experience import auth

HTML = {"accept": "text/html"}
QID = "experience-consultation"


def post_answer(client, token, site="750712184", **kw):
    return client.post(
        "/participation/api/reponses",
        json={"token": token, "questionnaire_id": QID, "version": 1, "site": site, "answers": answers(), **kw},
    )


def test_answer_is_idempotent_and_stores_no_personal_data(client):
    assert post_answer(client, "t" * 20).status_code == 201
    again = post_answer(client, "t" * 20)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    ps = client.app.state.participation
    assert ps.scalar("SELECT count(*) FROM responses") == 1
    cols = {r["column_name"] for r in ps.records("SELECT column_name FROM information_schema.columns")}
    assert not cols & {"ip", "ip_address", "client", "email", "created_at_response", "user_agent"}
    assert re.match(r"^\d{4}-T[1-4]$", ps.scalar("SELECT quarter FROM responses"))


def test_bad_answers_get_french_errors_never_500(client):
    r = post_answer(client, "u" * 20, site="123")
    assert r.status_code == 400 and "FINESS" in r.json()["error"]["message"]
    r = client.post(
        "/participation/api/reponses",
        json={"token": "v" * 20, "questionnaire_id": QID, "version": 1, "site": "750712184", "answers": {"accueil": 4}},
    )
    assert r.status_code == 400 and "pas répondu" in r.json()["error"]["message"]
    r = client.post(
        "/participation/api/reponses",
        json={"token": "w" * 20, "questionnaire_id": "nope", "version": 1, "site": "750712184", "answers": {}},
    )
    assert r.status_code == 404
    form = client.get("/participation/repondre/" + QID, headers=HTML)
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    r = client.post("/participation/repondre/" + QID, data={"site": "750712184", "csrf": csrf}, headers=HTML)
    assert r.status_code == 400 and "Jeton de formulaire" in r.text


def test_rate_limit_answers_429(client):
    answers_ = [post_answer(client, f"rate-{i:016d}") for i in range(25)]
    codes = [r.status_code for r in answers_]
    assert codes.count(429) == 5 and set(codes[:20]) == {201}
    last = answers_[-1]
    assert int(last.headers["retry-after"]) > 0 and last.json()["error"]["status"] == 429
    assert "réessayez" in last.json()["error"]["message"]


def test_form_page_is_never_cached_and_has_easy_version(client):
    r = client.get(f"/participation/repondre/{QID}?facile=1", headers=HTML)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert "Personne ne saura que c&#39;est vous" in r.text and 'name="token"' in r.text


def test_login_cookie_is_httponly_samesite_and_session_expires(client, monkeypatch):
    r = client.post("/participation/api/session", json={"login": "asso-a", "password": "wrong password!"})
    assert r.status_code == 401 and "incorrect" in r.json()["error"]["message"]
    r = client.post("/participation/api/session", json={"login": "asso-a", "password": "correct horse battery staple"})
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax") and "Secure" not in cookie
    ps = client.app.state.participation
    assert (
        ps.scalar(
            "SELECT count(*) FROM sessions WHERE token_digest = ?", [auth.token_digest(client.cookies.get(COOKIE))]
        )
        == 1
    )
    # idle timeout: the session is refused once it has been idle too long
    ps.write(lambda con: con.execute("UPDATE sessions SET last_seen = last_seen - 4000"))
    r = client.post(
        "/participation/api/questionnaires/nouveau-q/versions",
        json={"definition": {}},
        headers={"X-CSRF-Token": r.json()["csrf"]},
    )
    assert r.status_code == 401


def test_csrf_is_required(client):
    sign_in(client, "asso-a")
    r = client.post(f"/participation/api/questionnaires/{QID}/versions", json={"definition": {}})
    assert r.status_code == 403 and "CSRF" in r.json()["error"]["message"]


def _yaml_of(client, headers, version):
    return client.get(f"/participation/gestion/questionnaire/{QID}/{version}", headers=HTML).text


def test_review_workflow_two_organisations_and_audit(client):
    ps = client.app.state.participation
    h_a = sign_in(client, "asso-a")
    from accesoins.experience import questionnaires as qn

    d = dict(qn.bundled()[0].definition)
    d["title"] = "Votre expérience (version relue)"
    r = client.post(f"/participation/api/questionnaires/{QID}/versions", json={"definition": d}, headers=h_a)
    assert r.status_code == 201 and r.json()["version"] == 2
    r = client.put(f"/participation/api/questionnaires/{QID}/versions/2", json={"definition": "id: [oops"}, headers=h_a)
    assert r.status_code == 400 and "YAML" in r.json()["error"]["message"]
    assert client.post(f"/participation/api/questionnaires/{QID}/versions/2/soumission", headers=h_a).status_code == 200
    # the author's organisation cannot approve its own version
    r = client.post(
        f"/participation/api/questionnaires/{QID}/versions/2/relecture", json={"approve": True}, headers=h_a
    )
    assert r.status_code == 403
    client.cookies.clear()
    h_b = sign_in(client, "asso-b")
    r = client.post(
        f"/participation/api/questionnaires/{QID}/versions/2/relecture",
        json={"approve": True, "note": "Relu avec l'association B"},
        headers=h_b,
    )
    assert r.status_code == 200 and r.json()["status"] == "published"
    assert client.get(f"/participation/questionnaire/{QID}.json").json()["questionnaire"]["version"] == 2
    # old responses to version 1 are still accepted (archived versions stay open) and scored
    assert post_answer(client, "old-version-000001").status_code == 201
    log = ps.records(
        "SELECT * FROM audit_log WHERE entity = 'questionnaire' AND entity_id = ? ORDER BY audit_id", [f"{QID}@2"]
    )
    assert [e["action"] for e in log] == ["create_draft", "submit", "approve"]
    assert all(e["account_id"] and e["happened_at"] for e in log)
    assert '"submitted"' in log[-1]["before"] and '"published"' in log[-1]["after"]


def test_editing_page_with_the_keyboardless_form_flow(client):
    login_page = client.get("/participation/connexion", headers=HTML)
    token = re.search(r'name="csrf" value="([^"]+)"', login_page.text).group(1)
    r = client.post(
        "/participation/connexion",
        data={"login": "asso-a", "password": "correct horse battery staple", "csrf": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = client.get("/participation/gestion", headers=HTML)
    assert page.status_code == 200 and "asso-a" in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = client.post(
        f"/participation/gestion/questionnaire/{QID}/nouveau", data={"csrf": csrf}, headers=HTML, follow_redirects=False
    )
    assert r.status_code == 303
    edit = client.get(r.headers["location"], headers=HTML)
    assert "<textarea" in edit.text and "experience-consultation" in edit.text
    bad = client.post(r.headers["location"], data={"csrf": csrf, "definition": "id: [x"}, headers=HTML)
    assert bad.status_code == 400 and "YAML" in bad.text


def test_directory_shows_only_consented_fields_and_withdrawal(client):
    h = sign_in(client, "asso-a")
    person = {
        "display_name": "Camille Martin",
        "role": "patient_partenaire",
        "domains": ["formation", "qualite"],
        "structure": "Association A",
        "contact_email": "camille@example.org",
        "contact_phone": "06 00 00 00 00",
        "consent": {"display_name": True, "role": True, "domains": True, "contact_email": True},
    }
    r = client.post("/participation/api/annuaire/personnes", json=person, headers=h)
    assert r.status_code == 201
    pid = r.json()["person_id"]
    shown = client.get("/participation/annuaire.json").json()["people"][0]
    assert shown["display_name"] == "Camille Martin" and shown["contact_email"] == "camille@example.org"
    assert "contact_phone" not in shown and "structure" not in shown
    r = client.put(
        f"/participation/api/annuaire/personnes/{pid}",
        json={**person, "consent": {"role": True, "domains": True}},
        headers=h,
    )
    assert r.status_code == 200
    shown = client.get("/participation/annuaire.json").json()["people"][0]
    assert "display_name" not in shown and "contact_email" not in shown
    audit = client.app.state.participation.records("SELECT before, after FROM audit_log WHERE entity = 'person'")
    assert all("camille@example.org" not in (a["before"] or "") + (a["after"] or "") for a in audit)
    assert client.delete(f"/participation/api/annuaire/personnes/{pid}", headers=h).status_code == 200
    assert client.get("/participation/annuaire.json").json()["people"] == []
    r = client.post(
        "/participation/api/annuaire/structures",
        headers=h,
        json={
            "name": "Centre de santé communautaire du Lac",
            "kind": "centre_de_sante",
            "code_commune": "15014",
            "governance": "Conseil d'administration avec des habitants",
            "inhabitants": "Comité d'usagers mensuel",
        },
    )
    assert r.status_code == 201
    html = client.get("/participation/annuaire", headers=HTML).text
    assert "Centre de santé communautaire du Lac" in html


def test_site_manager_declares_a_site_and_the_site_page_shows_four_families(client):
    h = sign_in(client, "site-x")
    r = client.put(
        "/participation/api/sites",
        json={"site_id": "site-maison-du-lac", "name": "Maison du Lac", "code_commune": "15014"},
        headers=h,
    )
    assert r.status_code == 200
    r = client.put(
        "/participation/api/sites", json={"site_id": "site-x", "name": "X", "code_commune": "99999"}, headers=h
    )
    assert r.status_code == 400 and "inconnue" in r.json()["error"]["message"]
    at(client.app, dt.date(2026, 2, 10))
    for i in range(12):
        r = answer_as(client.app, f"10.0.0.{i}", f"lac-{i:016d}", "site-maison-du-lac", varied(i))
        assert r.status_code == 201, r.text
    assert not client.get("/participation/site/site-maison-du-lac.json").json()["families"]["experience"]["items"][0][
        "published"
    ], "the open quarter is not published"
    at(client.app, dt.date(2026, 4, 2))
    data = client.get("/participation/site/site-maison-du-lac.json").json()
    assert data["site"]["commune"] == "Aurillac" and data["site"]["code_departement"] == "15"
    fam = data["families"]
    assert not fam["activity"]["available"] and "Non disponible" in fam["activity"]["note"]
    exp = fam["experience"]["items"][0]
    assert exp["published"] and exp["n"] == 10 and exp["quarter"] == "2026-T1"  # 12 rounded to base 5
    assert exp["score"]["value"] % 5 == 0 and 0 <= exp["score"]["low"] < exp["score"]["high"] <= 100
    html = client.get("/participation/site/site-maison-du-lac", headers=HTML).text
    for label in (
        "Volumes d&#39;activité",
        "Pratiques organisationnelles",
        "Expérience et satisfaction",
        "Résultats de santé",
    ):
        assert label in html


# -- role checks on every write route -----------------------------------------------------------------------------
def all_routes(routes):
    """The app's routes, descending into included routers (FastAPI keeps them nested)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from all_routes(inner.routes)
        else:
            yield route


def write_routes(app):
    out = []
    for route in all_routes(app.routes):
        if not isinstance(route, Route) or not route.path.startswith("/participation"):
            continue
        for method in sorted((route.methods or set()) - {"GET", "HEAD", "OPTIONS"}):
            out.append((method, route))
    return out


def concrete(path: str) -> str:
    values = {"qid": QID, "version": "1", "person_id": "0" * 32, "structure_id": "0" * 32, "action": "soumettre"}
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def test_every_write_route_refuses_anonymous_and_wrong_roles(papp):
    from fastapi.testclient import TestClient

    routes = write_routes(papp)
    assert len(routes) >= 15
    checked = 0
    with TestClient(papp) as anon:
        clients = {}
        for login in ACCOUNTS:
            c = TestClient(papp)
            clients[login] = (c, sign_in(c, login))
        for method, route in routes:
            if route.path in PUBLIC_WRITES:
                continue
            allowed = (route.openapi_extra or {}).get("x-roles")
            assert allowed, f"{method} {route.path} declares no roles"
            url = concrete(route.path)
            r = anon.request(method, url, json={})
            assert r.status_code == 401, (method, url, r.status_code)
            for login, (role, _org) in ACCOUNTS.items():
                if role in allowed:
                    continue
                c, h = clients[login]
                r = c.request(method, url, json={}, headers=h)
                assert r.status_code == 403 and "rôle" in r.json()["error"]["message"], (method, url, login)
                checked += 1
    assert checked >= 10


def test_public_writes_are_exactly_answering_and_signing_in(papp):
    """Pinned as a literal: a route added to PUBLIC_WRITES would otherwise escape every role test."""
    assert PUBLIC_WRITES == {
        "/participation/api/reponses",
        "/participation/repondre/{qid}",
        "/participation/api/session",
        "/participation/connexion",
    }
    routes = write_routes(papp)
    assert PUBLIC_WRITES <= {route.path for _, route in routes}
    for method, route in routes:
        roles_ = (route.openapi_extra or {}).get("x-roles")
        if route.path in PUBLIC_WRITES and not (method == "DELETE" and route.path.endswith("/session")):
            assert not roles_, f"{method} {route.path} is public but declares roles"


def test_claiming_a_finess_needs_an_administrator_and_is_audited(client):
    h = sign_in(client, "site-x")
    r = client.put("/participation/api/sites", json={"site_id": "750712184", "name": "Pris", "code_commune": "15014"},
                   headers=h)
    assert r.status_code == 403 and "administrateur" in r.json()["error"]["message"]
    r = client.put("/participation/api/sites", headers=h,
                   json={"site_id": "site-x-annexe", "name": "Annexe", "organisation_id": "clinique-x"})
    assert r.status_code == 403  # only an administrator assigns a site to an organisation
    ps = client.app.state.participation
    assert ps.scalar("SELECT count(*) FROM sites") == 0
    admin = TestClient(client.app)
    ha = sign_in(admin, "admin")
    r = admin.put("/participation/api/sites", headers=ha,
                  json={"site_id": "750712184", "name": "Clinique X", "code_commune": "15014",
                        "organisation_id": "clinique-x"})
    assert r.status_code == 200 and r.json()["organisation_id"] == "clinique-x"
    r = client.put("/participation/api/sites", json={"site_id": "750712184", "name": "Clinique X (site)",
                                                    "code_commune": "15014"}, headers=h)
    assert r.status_code == 200, r.text  # now its manager may rename it
    other = TestClient(client.app)
    assert other.put("/participation/api/sites", headers=sign_in(other, "asso-a"),
                     json={"site_id": "750712184", "name": "Volé"}).status_code == 403
    log = admin.get("/participation/api/journal").json()
    actions = [(e["action"], e["account_id"] != "", e["role"]) for e in log if e["entity_id"] == "750712184"]
    assert ("claim", True, "admin") in actions and ("update", True, "site_manager") in actions


@pytest.mark.parametrize(
    "path",
    [
        "/participation",
        "/participation/annuaire",
        "/participation/questionnaire/" + QID,
        "/participation/site/750712184",
        "/participation/territoire/departement/15",
    ],
)
def test_pages_have_json_twins_and_no_external_assets(client, path):
    r = client.get(path, headers=HTML)
    assert r.status_code == 200 and '<html lang="fr">' in r.text
    assert not re.search(
        r'(src|href)="https?://',
        r.text.split("<main")[1]
        .split("</main>")[0]
        .replace('href="https://www.has-sante.fr', "")
        .replace('href="https://www.oecd.org', ""),
    )
    assert client.get(path + ".json").status_code == 200
