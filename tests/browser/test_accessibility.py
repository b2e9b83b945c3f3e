"""Automated accessibility audit (axe-core, WCAG 2.1 A/AA rules) of the main pages in Chromium.

axe-core comes from the npm registry (installed by ``make test``) and is injected into each
page; serious and critical violations fail the test, with what and where in the message.
"""

from __future__ import annotations

import pytest

from accesoins.config import PROJECT_ROOT

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [
    "/", "/sources", "/communes?q=saint", "/commune/15014", "/observatoire", "/territoire/departement/15",
    "/comparer?niveau=departement&codes=15,75", "/donnees", "/observatoire/series",
    "/orientation", "/orientation/pharmacies?cp=15000&at=2026-12-25T03:00", "/orientation/a-qui-m-adresser",
    "/orientation/simulateurs/css", "/orientation/conseils",
    "/planification", "/planification/france-sante?departement=48&k=3",
    "/participation", "/participation/repondre/experience-consultation",
]


@pytest.fixture
def audit_page(browser):
    """A page whose CSP lets axe-core be injected (the site's own CSP is checked by test_csp.py)."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violation(audit_page, live_site, path):
    page = audit_page
    page.goto(live_site.url + path)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', "
        "'wcag21aa']}, resultTypes: ['violations']})")
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    detail = "; ".join(f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
                       for v in serious)
    assert not serious, f"{path}: {detail}"
