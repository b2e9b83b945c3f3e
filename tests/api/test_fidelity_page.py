"""The « Écart à la DREES » page and its JSON twin, with and without the official APL imported."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from accesoins.api.app import create_app
from accesoins.config import PROJECT_ROOT, Settings
from accesoins.services.data.imports import import_file
from accesoins.store import open_store

REFERENCE = PROJECT_ROOT.parent / "shared" / "data" / "reference" / "drees_apl_medecins_generalistes_2018.csv"
HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def with_reference(built_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("fidelity") / "ref.duckdb"
    shutil.copyfile(built_db, path)
    store = open_store(path)
    try:
        report = import_file(store, "drees-apl", REFERENCE, vintage="2018")
        assert report["variants"] == ["moins_65", "tous"] and report["rejected"] == 0
    finally:
        store.close()
    settings = Settings(db_path=path, node_modules=PROJECT_ROOT / "node_modules")
    with TestClient(create_app(settings)) as client:
        yield client


def test_page_without_reference_names_the_import_command(settings):
    with TestClient(create_app(settings)) as client:
        data = client.get("/ecart-drees.json").json()
        assert data["imported"] is False and "accesoins import drees-apl" in data["message"]
        html = client.get("/ecart-drees", headers=HTML).text
        assert "ne sont pas importées" in html and "accesoins import drees-apl" in html


def test_json_twin_has_the_agreement_figures(with_reference):
    data = with_reference.get("/ecart-drees.json").json()
    assert data["imported"] and data["computed"] and data["reference"]["vintage"] == "2018"
    f = data["figures"]
    for key in ("spearman", "pearson", "departement_spearman", "departement_pearson", "share_within_0_5",
                "population_under_2_5_ours", "population_under_2_5_official", "median_ours", "median_official"):
        assert key in f
    assert f["communes"] > 30_000 and f["departements"] >= 95
    assert -1 <= f["spearman"] <= 1 and 0 <= f["share_within_0_5"] <= 1
    assert data["is_demo"] is True  # the test store's offer is the demonstration one: said on the page
    # the 2018 reference has no row for Paris, Lyon and Marseille (neither cities nor arrondissements)
    assert data["mapping"]["arrondissements_averaged"] == 0 and "75056" not in str(data["largest_differences"])
    assert len(data["scatter"]) > 100 and len(data["largest_differences"]) == 20
    assert data["map"]["level"] == "departement"


def test_departement_page_html_and_map(with_reference):
    r = with_reference.get("/ecart-drees?niveau=departement&code=15", headers=HTML)
    assert r.status_code == 200
    html = r.text
    assert "Cantal" in html and "Spearman" in html and "<svg" in html and 'id="map"' in html
    assert 'href="/ecart-drees.json?niveau=departement&amp;code=15"' in html or "ecart-drees.json" in html
    data = with_reference.get("/ecart-drees.json?niveau=departement&code=15").json()
    assert data["figures"]["departements"] == 1 and data["map"]["level"] == "commune"
    carte = with_reference.get(data["map"]["values_url"]).json()
    assert len(carte["values"]) > 200 and len(carte["legend"]) == len(carte["breaks"]) + 1
    assert all(code.startswith("15") for code in carte["values"])


def test_bad_territory_is_a_clear_400(with_reference):
    r = with_reference.get("/ecart-drees.json?niveau=departement&code=XX")
    assert r.status_code in (400, 404, 422) and "XX" in r.text
    r = with_reference.get("/ecart-drees.json?variante=autre")
    assert r.status_code in (400, 422)
