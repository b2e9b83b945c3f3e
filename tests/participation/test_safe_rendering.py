"""Issue 12 item 4-5: no script from user content, strict headers on every answer, CSRF on every form,
bounded YAML, and no connection reset after a 500."""

from __future__ import annotations

import re
import socket
import time

import pytest
from phelpers import make_app, sign_in
from starlette.testclient import TestClient

from accesoins.api.app import CSP, safe_url

HTML = {"accept": "text/html"}
BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)


def draft(client, h, text_or_dict):
    r = client.post("/participation/api/questionnaires/experience-consultation/versions",
                    json={"definition": text_or_dict}, headers=h)
    return r


def test_javascript_link_is_refused_at_input_and_never_rendered(client):
    h = sign_in(client, "asso-a")
    base = client.get("/participation/questionnaire/experience-consultation.json").json()["questionnaire"]
    r = draft(client, h, {"id": "x", "version": 1, "kind": "PREMS", "title": base["title"],
                          "inspired_by": [{"title": "piège", "url": "javascript:alert(1)"}]})
    assert r.status_code == 400 and "https://" in r.json()["error"]["message"], r.text
    assert r.json()["error"]["field"] == "url"
    # output side: a bad URL already stored (older data) is shown as text, never as a link
    assert safe_url("javascript:alert(1)") is None and safe_url("JaVaScRiPt:x") is None
    assert safe_url('https://a.fr/" onmouseover="x') is None
    assert safe_url("https://www.has-sante.fr/x") == "https://www.has-sante.fr/x"


def test_yaml_alias_bomb_is_refused_quickly(client):
    h = sign_in(client, "asso-a")
    assert draft(client, h, "id: experience-consultation\n").status_code == 400  # incomplete: refused
    start = time.perf_counter()
    r = draft(client, h, BOMB)
    assert time.perf_counter() - start < 1.0
    assert r.status_code == 400 and "alias" in r.json()["error"]["message"] and r.json()["error"]["line"] == 2
    r = draft(client, h, "a: " + "x" * 60_000)
    assert r.status_code == 400 and "trop long" in r.json()["error"]["message"]
    assert client.app.state.participation.scalar(
        "SELECT count(*) FROM questionnaire_versions WHERE status = 'draft'") == 0


@pytest.mark.parametrize("path", ["/", "/participation", "/participation/connexion", "/etat.json", "/docs",
                                  "/static/site.css", "/nexiste-pas", "/participation/site/123"])
def test_security_headers_on_every_answer(client, path):
    r = client.get(path, headers=HTML)
    assert r.headers["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP and "frame-ancestors 'none'" in CSP
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_no_inline_script_or_style_in_templates():
    from importlib import resources

    root = resources.files("accesoins.web") / "templates"
    offenders = []
    for path in _walk(root):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\sstyle=|<style", text) or re.search(
            r"\son[a-z]+=", text
        ):
            offenders.append(path.name)
    assert offenders == []
    assert "<script>" not in TestClient(make_app()).get("/docs").text


def _walk(folder):
    for p in folder.iterdir():
        if p.is_dir():
            yield from _walk(p)
        elif p.name.endswith(".html"):
            yield p


def test_login_form_requires_its_csrf_token(client):
    r = client.post("/participation/connexion", data={"login": "admin", "password": "x" * 20}, headers=HTML)
    assert r.status_code == 403 and "anti-CSRF" in r.text
    page = client.get("/participation/connexion", headers=HTML)
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    assert "samesite=strict" in page.headers["set-cookie"].lower()
    from phelpers import PASSWORD

    r = client.post("/participation/connexion", data={"login": "admin", "password": PASSWORD, "csrf": token},
                    headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    # another site's page cannot know the token: a cookie-less forged post fails
    forged = TestClient(client.app)
    r = forged.post("/participation/connexion", data={"login": "admin", "password": PASSWORD, "csrf": token},
                    headers=HTML, follow_redirects=False)
    assert r.status_code == 403


def test_answer_form_requires_its_csrf_token(client):
    r = client.post("/participation/repondre/experience-consultation",
                    data={"site": "750712184", "token": "a" * 20, "version": "1"}, headers=HTML)
    assert r.status_code == 403 and "anti-CSRF" in r.text
    assert client.app.state.participation.scalar("SELECT count(*) FROM responses") == 0


def test_keep_alive_connection_survives_a_500(tmp_path):
    """Issue 12 item 11: after a 500, the next request on the same connection is answered."""
    import threading

    import uvicorn

    app = make_app()

    @app.get("/boom-test")
    def boom():
        raise RuntimeError("boom")

    app.router.routes.insert(0, app.router.routes.pop())
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="critical", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            replies = []
            for path in ("/boom-test", "/etat.json", "/boom-test", "/etat.json"):
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                replies.append(_read_response(s))
        assert [r[0] for r in replies] == [500, 200, 500, 200]
        assert "Erreur interne" in replies[0][1] and "content-security-policy" in replies[0][2].lower()
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _read_response(sock) -> tuple[int, str, str]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "connection closed by the server"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = int(re.search(rb"content-length: (\d+)", head, re.I).group(1))
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed by the server"
        body += chunk
    return int(head.split()[1]), body.decode(), head.decode()


@pytest.mark.parametrize(
    ("body", "ctype", "needle"),
    [
        (b'{"token": "abc', "application/json", "JSON illisible"),
        (b"[1, 2]", "application/json", "objet JSON attendu"),
        (b"%%%", "multipart/form-data; boundary=x", "illisible"),
    ],
)
def test_malformed_bodies_get_french_json_errors(client, body, ctype, needle):
    url = "/participation/api/reponses" if "json" in ctype else "/participation/connexion"
    r = client.post(url, content=body, headers={"content-type": ctype})
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert set(err) == {"status", "message", "file", "line", "field"} and err["status"] == 400
    assert needle in err["message"], err
    assert client.app.state.participation.scalar("SELECT count(*) FROM responses") == 0
