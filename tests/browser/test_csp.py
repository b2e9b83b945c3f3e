"""The strict Content-Security-Policy breaks no page: scripts, maps and Swagger UI still run."""

from __future__ import annotations

import pytest

PAGES = [
    ("/", "h1"),
    ("/commune/15014", ".leaflet-container, h1"),
    ("/observatoire", "h1"),
    ("/participation/repondre/experience-consultation", "form.questionnaire"),
    ("/participation/connexion", "form"),
    ("/docs", ".swagger-ui .info"),
]


@pytest.mark.parametrize(("path", "selector"), PAGES)
def test_no_csp_violation(page, live_site, path, selector):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    response = page.goto(live_site.url + path)
    assert response is not None and response.ok, path
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(selector, timeout=20_000)
    page.wait_for_load_state("networkidle")
    assert violations == [], violations


def test_map_draws_under_the_csp(page, live_site):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(live_site.url + "/observatoire")
    page.wait_for_selector("#map[data-ready]", timeout=60_000)  # map.js ran, Leaflet drew the layer
    assert violations == [], violations
