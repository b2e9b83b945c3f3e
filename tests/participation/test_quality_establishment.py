"""Official quality indicators (HAS files, written from their column lists: see
``tests/fixtures/has_quality/README.md``) beside the platform's PREMS of the same FINESS number,
in the four families; errors name file, line and field and leave the store unchanged."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from phelpers import answer_as, at, sign_in, varied
from typer.testing import CliRunner

from accesoins.errors import InputError
from accesoins.offer.has_quality import read_metadata, read_values
from accesoins.services.observatory import quality

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "has_quality"
SITE = "750712184"


def test_reader_types_and_families():
    v = read_values(FIX / "valeurs.csv")
    assert len(v) == 8 and set(v.finess) == {"750712184", "010000024"}
    row = v[(v.indicator == "esatis_mco48h_score_all_rea_ajust") & (v.year == "2024") & (v.finess == SITE)].iloc[0]
    assert row.value == pytest.approx(74.12)
    assert v.loc[v.indicator == "certification_visite_realisee", "value"].iloc[0] == 1.0
    assert v.loc[v.indicator == "certification_decision", "text"].iloc[0] == "Haute qualité des soins"
    iso = v[v.indicator == "iqss_iso_ortho_ratio"].iloc[0]
    assert iso.value != iso.value and iso.missing == "Effectif insuffisant"
    m = read_metadata(FIX / "metadata.csv").set_index("indicator")["family"].to_dict()
    assert m == {"esatis_mco48h_score_all_rea_ajust": "experience", "iqss_dpa_tdp_mco": "pratiques",
                 "iqss_iso_ortho_ratio": "resultats", "certification_decision": "pratiques",
                 "certification_visite_realisee": "pratiques", "activite_nb_sejours_mco": "activite"}


@pytest.mark.parametrize(("old", "new", "line", "field"), [
    ("750712184,geo,iqss_dpa_tdp_mco", "75O712184,geo,iqss_dpa_tdp_mco", 4, "finess"),
    ("iqss_dpa_tdp_mco,2024,,,,88", "iqss_dpa_tdp_mco,vingt,,,,88", 4, "annee"),
    ("iqss_dpa_tdp_mco,2024,,,,88", "iqss_dpa_tdp_mco,2024,,,,quatre-vingt", 4, "value_float"),
    ("2024,true,", "2024,peut-être,", 7, "value_boolean"),
    ("activite_nb_sejours_mco,2023", "esatis_mco48h_score_all_rea_ajust,2023", 8, "key"),
    ("finess,finess_type,key,annee", "etab,finess_type,key,annee", 1, "finess"),
])
def test_bad_values_name_line_and_field(store_for_quality, tmp_path, old, new, line, field):
    bad = tmp_path / "valeurs.csv"
    bad.write_text((FIX / "valeurs.csv").read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    before = store_for_quality.scalar("SELECT count(*) FROM has_quality_values")
    with pytest.raises(InputError) as err:
        quality.import_has(store_for_quality, bad, FIX / "metadata.csv")
    assert (err.value.line, err.value.field) == (line, field) and err.value.file.endswith("valeurs.csv")
    assert store_for_quality.scalar("SELECT count(*) FROM has_quality_values") == before


@pytest.fixture
def store_for_quality(client):
    store = client.app.state.store  # the app's main store (in memory), opened with its migrations
    quality.import_has(store, FIX / "valeurs.csv", FIX / "metadata.csv", vintage="2024")
    return store


def test_establishment_page_beside_prems(client, store_for_quality):
    h = sign_in(client, "admin")
    assert client.put("/participation/api/sites", json={"site_id": SITE, "name": "Clinique de test",
                                                       "code_commune": "15014"}, headers=h).status_code == 200
    at(client.app, dt.date(2026, 2, 1))
    for i in range(10):
        assert answer_as(client.app, f"192.0.2.{i}", f"q-{i:018d}", SITE, varied(i)).status_code == 201
    at(client.app, dt.date(2026, 4, 2))  # quarter closed: the PREMS are published
    data = client.get(f"/qualite/{SITE}.json").json()
    fams = {f["id"]: f for f in data["families"]}
    assert list(fams) == ["activite", "pratiques", "experience", "resultats"]
    assert data["name"] == "Clinique de test"
    esatis = [r for r in fams["experience"]["official"] if r["indicator"].startswith("esatis")]
    assert [(r["year"], r["value"]) for r in esatis] == [("2024", 74.12), ("2023", 72.5)]
    assert all(r["vintage"] == "2024" for r in esatis)
    prems = fams["experience"]["platform"]
    assert fams["experience"]["platform_kind"] == "PREMS" and prems[0]["published"] and prems[0]["n"] == 10
    assert fams["resultats"]["official"][0]["missing"] == "Effectif insuffisant"
    assert fams["activite"]["official"][0]["value"] == 18250
    html = client.get(f"/qualite/{SITE}", headers={"accept": "text/html"}).text
    text = re.sub(r"\s+", " ", html)
    for label in ("Activité", "Pratiques organisationnelles", "Expérience patient", "Résultats"):
        assert f"<h2>{label}</h2>" in text
    assert "74,12" in text and "18 250" in text and "Haute qualité des soins" in text
    assert "non publié (Effectif insuffisant)" in text and "2026-T1" in text
    assert 'href="/qualite"' in html  # reachable from the navigation
    site_page = client.get(f"/participation/site/{SITE}", headers={"accept": "text/html"}).text
    assert f'href="/qualite/{SITE}"' in site_page  # the platform's own site page links to it
    listing = client.get("/qualite.json").json()
    assert [e["finess"] for e in listing["establishments"]] == ["010000024", SITE]
    table = client.get("/donnees/qualite_has.json", params={"finess": SITE, "famille": "experience"}).json()
    assert table["total"] == 2 and {r["millesime"] for r in table["rows"]} == {"2024"}
    csv_text = client.get("/telecharger/qualite_has.csv", params={"finess": SITE}).text
    assert csv_text.splitlines()[0].lstrip("\ufeff").startswith("finess;type_finess;indicateur")  # French CSV
    assert client.get("/qualite/123").status_code == 400
    assert client.get("/qualite/690000880").status_code == 404


def test_cli_import(tmp_path, monkeypatch):
    from accesoins.cli import app

    monkeypatch.setenv("ACCESOINS_DB", str(tmp_path / "q.duckdb"))
    result = CliRunner().invoke(app, ["qualite", "import", str(FIX / "valeurs.csv"),
                                      "--metadonnees", str(FIX / "metadata.csv")])
    assert result.exit_code == 0, result.output
    assert "8 valeurs importées pour 2 établissements" in re.sub(r"\s+", " ", result.output)
    bad = tmp_path / "v.csv"
    bad.write_text("finess,key,annee,value_float\n750712184,x,2024,abc\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["qualite", "import", str(bad)])
    assert result.exit_code == 2 and "ligne 2" in result.output and "value_float" in result.output
