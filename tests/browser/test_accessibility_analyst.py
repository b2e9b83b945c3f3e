"""axe-core (WCAG 2.1 A and AA) on every analyst page: no violation at all, whatever its impact.

The general audit (test_accessibility.py) fails on serious and critical ones; the analyst's
pages, the API documentation and the open data tables are held to none.
"""

from __future__ import annotations

import pytest
from test_accessibility import AXE

PAGES = [
    "/observatoire",
    "/observatoire?indicateur=temps_urgences&niveau=commune&departement=973",
    "/territoire/departement/15",
    "/territoire/region/94",
    "/territoire/epci/200066637",
    "/commune/15014",
    "/commune/97307",
    "/comparer?niveau=commune&codes=Aurillac,Saint-Flour",
    "/comparer?niveau=commune&codes=Aurillac,Sainte-Colombe,Zzzville",
    "/observatoire/series",
    "/ecart-drees",
    "/donnees",
    "/donnees/indicateurs",
    "/donnees/communes?departement=15",
    "/docs",
]


@pytest.fixture
def audit_page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_analyst_page_has_no_accessibility_violation(audit_page, live_site, path):
    page = audit_page
    response = page.goto(live_site.url + path)
    assert response is not None and response.status == 200, f"{path}: HTTP {response and response.status}"
    page.wait_for_load_state("networkidle")
    if path == "/docs":
        page.wait_for_selector(".opblock", timeout=30_000)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', "
        "'wcag21aa']}, resultTypes: ['violations']})")
    detail = "; ".join(f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
                       for v in result["violations"])
    assert not result["violations"], f"{path}: {detail}"


@pytest.mark.parametrize("path", ["/observatoire", "/territoire/departement/15", "/commune/15014",
                                  "/comparer?niveau=commune&codes=Aurillac,Saint-Flour", "/donnees"])
def test_analyst_page_does_not_scroll_sideways_on_a_phone(phone, live_site, path):
    phone.goto(live_site.url + path)
    phone.wait_for_load_state("networkidle")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390, path
