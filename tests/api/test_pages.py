"""Pages and their JSON twins, driven in-process through the ASGI app."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from accesoins.api.rendering import PAGES

HTML = {"accept": "text/html"}


def test_home_page_shows_territory_sources_and_demo_notice(client):
    r = client.get("/", headers=HTML)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<html lang="fr">' in html
    assert "34 875" in html and "100.00 %" in html
    assert "Licence Ouverte" in html and "CC-BY" in html
    assert "données fictives" in html.lower()
    assert 'href="/index.json"' in html
    assert not re.search(r'(src|href)="https?://(?!127\.0\.0\.1)', html.split("<footer")[0]), "no external asset"


def test_home_json_twin(client):
    data = client.get("/index.json").json()
    assert data["territory"]["communes"] == 34_875
    assert data["demo_notice"]
    assert any(s["source_id"] == "geonames_postal" for s in data["sources"])


def test_every_page_has_a_json_twin_in_openapi(client):
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert len(PAGES) >= 4
    for path, twin in PAGES:
        assert path not in paths, f"{path} is a page: only its twin belongs to the API description"
        assert twin in paths, f"{path} has no JSON twin in the OpenAPI description"


@pytest.mark.parametrize(
    ("q", "expected"),
    [("saint etienne", "42218"), ("SAINT-ÉTIENNE", "42218"), ("42000", "42218"), ("75056", "75056"),
     ("13201", "13201"), ("l'ile d'yeu", "85113")],  # an arrondissement is found as itself (issue 16)
)
def test_search(client, q, expected):
    results = client.get("/communes.json", params={"q": q}).json()["results"]
    assert results and results[0]["code_commune"] == expected


def test_portrait_and_redirect_of_old_codes(client):
    data = client.get("/commune/01340.json").json()
    assert data["commune"]["code_commune"] == "01015" and data["redirected_from"] == "01340"
    r = client.get("/commune/75056", headers=HTML)
    assert r.status_code == 200
    assert re.search(r"<h1>Paris <small>\(Paris\)</small></h1>", r.text), r.text[:2000]
    assert "<dt>Code INSEE</dt><dd>75056</dd>" in r.text


def test_errors_share_one_json_shape_and_never_500(client):
    r = client.get("/commune/99999.json")
    assert r.status_code == 404 and r.json()["error"]["status"] == 404
    r = client.get("/communes.json", params={"limit": "abc"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "limit"
    r = client.get("/nope", headers=HTML)
    assert r.status_code == 404 and "Erreur 404" in r.text


@hsettings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_no_input_makes_the_server_fail(client, text):
    from urllib.parse import quote

    for url, params in (("/communes.json", {"q": text}), (f"/commune/{quote(text, safe='')}.json", None)):
        r = client.get(url, params=params)
        assert r.status_code < 500


def test_http_caching_headers(client):
    r = client.get("/index.json")
    assert "max-age" in r.headers["cache-control"] and r.headers["etag"]
    again = client.get("/index.json", headers={"if-none-match": r.headers["etag"]})
    assert again.status_code == 304


def test_docs_use_local_assets_only(client):
    html = client.get("/docs").text
    assert "/assets/swagger/swagger-ui-bundle.js" in html
    assert "cdn.jsdelivr" not in html
    assert client.get("/assets/swagger/swagger-ui-bundle.js").status_code == 200
