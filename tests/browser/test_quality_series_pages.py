"""Accessibility audit (axe-core, WCAG 2.1 A/AA) of the Assurance Maladie series pages and the
establishment quality pages, on a store holding the fixtures of both (see their README files)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from accesoins.api.app import create_app
from accesoins.config import PROJECT_ROOT, Settings
from accesoins.services.data.imports import import_file
from accesoins.services.observatory import quality
from accesoins.store import open_store
from livesite import LiveServer

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
FIX = Path(__file__).resolve().parents[1] / "fixtures"
PAGES = [
    ("/observatoire/series/france", "Indicateurs de l'Assurance Maladie"),
    ("/observatoire/series?indicateur=taux_patients_ald_sans_mt&niveau=france", "Séries de l'Observatoire"),
    ("/qualite", "Qualité des établissements"),
    ("/qualite/750712184", "Qualité — établissement 750712184"),
]


@pytest.fixture(scope="module")
def site(built_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("quality") / "store.duckdb"
    shutil.copyfile(built_db, path)
    store = open_store(path)
    for f in sorted((FIX / "ameli_observatoire").glob("*.csv")):
        import_file(store, "ameli", f)
    quality.import_has(store, FIX / "has_quality" / "valeurs.csv", FIX / "has_quality" / "metadata.csv")
    store.close()
    server = LiveServer(create_app(Settings(db_path=path, node_modules=PROJECT_ROOT / "node_modules"))).start()
    yield server
    server.stop()


@pytest.mark.parametrize(("path", "heading"), PAGES)
def test_pages_have_no_serious_violation(browser, site, path, heading):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    try:
        response = page.goto(site.url + path)
        assert response is not None and response.status == 200, f"{path}: HTTP {response and response.status}"
        h1 = page.get_by_role("heading", level=1)
        assert h1.count() == 1 and h1.inner_text().startswith(heading), f"{path}: h1 {h1.all_inner_texts()}"
        assert page.locator("table").count() >= 1  # every chart has its table
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', "
            "'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})")
        serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        detail = "; ".join(f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes'][:3]]}" for v in serious)
        assert not serious, f"{path}: {detail}"
    finally:
        context.close()
