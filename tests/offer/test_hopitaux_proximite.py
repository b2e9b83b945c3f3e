"""The published list of labelled hôpitaux de proximité (issue 15, part 3): import, structures, planning.

The list's fixture (tests/fixtures/hopitaux_proximite/liste.csv) is written for the tests in an
ASSUMED layout; its FINESS ET numbers are those of the FINESS fixture
tests/fixtures/etalab-cs1100507-stock-20240112-0336.csv (CH de Fleyriat, 01451 Viriat; CH
Annonciade, 2A004 Ajaccio), plus one number absent from every fixture. Whether these
establishments are really labelled is not claimed.
"""

from __future__ import annotations

import re
import shutil

import openpyxl
import pytest
from typer.testing import CliRunner

from accesoins.cli import app
from accesoins.errors import InputError
from accesoins.offer.hopitaux_proximite import read_hopitaux_proximite
from accesoins.planning.rules import value as rule_value
from accesoins.services.data.imports import import_file
from accesoins.services.observatory import structures
from accesoins.services.observatory.hopitaux_proximite import list_status
from accesoins.services.planning.france_sante import france_sante_plan

LIST = "hopitaux_proximite/liste.csv"
FINESS = "etalab-cs1100507-stock-20240112-0336.csv"
HEADER = ["Région", "Département", "N° FINESS EJ", "N° FINESS ET", "Raison sociale", "Date de labellisation"]


def _rows(path):
    """The data rows of the CSV fixture (the lines under its header), as written."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return [ln.split(";") for ln in lines[3:]]


def _state(store):
    return (store.scalar("SELECT count(*) FROM hopitaux_proximite"),
            store.records("SELECT source_id, vintage FROM sources ORDER BY source_id"),
            store.scalar("SELECT count(*) FROM offer WHERE category = 'hopital_proximite'"))


@pytest.fixture
def with_finess(store_copy, fixtures):
    import_file(store_copy, "finess", fixtures / FINESS)
    return store_copy


def test_reader_takes_the_et_column_and_pads_the_lost_zero(fixtures):
    hp = read_hopitaux_proximite(fixtures / LIST)
    assert hp.rows["finess"].tolist() == ["010000024", "2A0000014", "390000999"]
    assert hp.columns == {"finess": "N° FINESS ET", "nom": "Raison sociale", "region": "Région",
                          "date_label": "Date de labellisation"}
    assert hp.header_line == 3 and hp.rows["line"].tolist() == [4, 5, 6]
    assert hp.padded == 1 and hp.padded_sample == [{"line": 4, "value": "10000024", "finess": "010000024"}]
    assert hp.without_number == [7]
    assert str(hp.rows["date_label"][0]) == "2022-05-03"


def test_import_types_the_listed_sites_and_says_where_the_list_comes_from(with_finess, fixtures):
    store = with_finess
    assert not list_status(store)["imported"]
    assert structures.provenance(store)["liste_hopitaux_proximite"]["message"] == (
        "aucune liste importée : les hôpitaux de proximité ne sont pas identifiés")
    report = import_file(store, "hopitaux-proximite", fixtures / LIST)
    assert (report["rows"], report["placed"], report["not_placed"], report["padded"]) == (3, 2, 1, 1)
    assert [r["finess"] for r in report["not_placed_sample"]] == ["390000999"]
    assert report["vintage"] == "2022-05-03"  # the latest date of labelling
    assert report["replaced_demo_categories"] == ["hopital_proximite"]  # the fictitious ones go
    table = structures.territory_counts(store).set_index("code")
    assert table.loc["01", "hopital_proximite"] == 1 and table.loc["2A", "hopital_proximite"] == 1
    assert table["hopital_proximite"].sum() == 2
    sites = structures.coordinated_sites(store, ["hopital_proximite"]).set_index("identifiant")
    assert sites.loc["010000024", "nom"] == "CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT"  # the offer's name
    assert sites.loc["010000024", "millesime_liste"] == "2022-05-03"
    assert sites.loc["010000024", "liste"].startswith("Liste des hôpitaux de proximité labellisés")
    status = structures.overview(store)["provenance"]["liste_hopitaux_proximite"]
    assert status["imported"] and (status["listed"], status["placed"], status["millesime"]) == (3, 2, "2022-05-03")
    assert "3 hôpitaux de proximité listés" in status["message"]
    params = store.scalar("SELECT parameters FROM sources WHERE source_id = 'hopitaux_proximite'")
    assert "N° FINESS ET" in params and "column list not found" in params


def test_france_sante_counts_them_as_existing_sites(with_finess, fixtures):
    store = with_finess
    assert "hopital_proximite" in rule_value("france_sante.existing_categories")
    assert structures.existing_site_counts(store, ["hopital_proximite"]).get("01451", 0) == 0
    import_file(store, "hopitaux-proximite", fixtures / LIST)
    assert structures.existing_site_counts(store, ["hopital_proximite"]).to_dict() == {"01451": 1.0,
                                                                                     "2A004": 1.0}
    plan = france_sante_plan(store, departement="2A", k=1)
    assert plan["existing_sites"] >= 1 and "2A004" not in {s["code_commune"] for s in plan["sites"]}


def test_xlsx_and_latin1_comma_csv_read_alike(with_finess, fixtures, tmp_path):
    rows = _rows(fixtures / LIST)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Liste HP"
    ws.append(["Liste des hôpitaux de proximité — classeur écrit pour les tests, format supposé"])
    ws.append([])
    ws.append(HEADER)
    for r in rows[:3]:
        et = int(r[3]) if r[3].isdigit() else r[3]  # a number cell, as spreadsheets store FINESS
        ws.append([r[0], r[1], r[2], et, r[4], r[5]])
    ws["F4"] = 44684  # a date cell that lost its date format: Excel's serial day of 3 May 2022
    wb.save(tmp_path / "liste.xlsx")
    hp = read_hopitaux_proximite(tmp_path / "liste.xlsx")
    assert hp.sheet == "Liste HP" and hp.header_line == 3 and hp.padded == 1
    assert str(hp.rows["date_label"][0]) == "2022-05-03"
    assert hp.rows["finess"].tolist() == ["010000024", "2A0000014", "390000999"]
    latin = tmp_path / "liste_latin1.csv"
    latin.write_bytes(("\n".join(",".join(f'"{c}"' for c in r) for r in [HEADER, *rows[:3]]) + "\n")
                      .encode("latin-1"))
    again = read_hopitaux_proximite(latin)
    assert again.rows["finess"].tolist() == hp.rows["finess"].tolist()
    assert again.rows["nom"].tolist()[2] == "ÉTABLISSEMENT ABSENT DE L'OFFRE"
    report = import_file(with_finess, "hopitaux-proximite", tmp_path / "liste.xlsx")
    assert report["placed"] == 2 and "feuille « Liste HP »" in report["assumptions"][0]


def test_bad_finess_names_line_and_field_and_leaves_the_store(with_finess, fixtures, tmp_path):
    store = with_finess
    import_file(store, "hopitaux-proximite", fixtures / LIST)
    before = _state(store)
    bad = tmp_path / "liste.csv"
    text = (fixtures / LIST).read_text(encoding="utf-8-sig").replace(";2A0000014;", ";2C0000014;")
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        import_file(store, "hopitaux-proximite", bad)
    assert (exc.value.line, exc.value.field) == (5, "N° FINESS ET")
    assert "2C0000014" in exc.value.message and "invalide" in exc.value.message
    assert _state(store) == before


def test_a_legal_entity_column_alone_is_refused(tmp_path):
    path = tmp_path / "ej.csv"
    path.write_text("Région;FINESS EJ;Nom\nCorse;2A0000386;CH\n", encoding="utf-8")
    with pytest.raises(InputError, match="entité juridique") as exc:
        read_hopitaux_proximite(path)
    assert exc.value.line == 1 and exc.value.field == "FINESS EJ"


def test_a_new_import_replaces_the_whole_list(with_finess, fixtures, tmp_path):
    store = with_finess
    import_file(store, "hopitaux-proximite", fixtures / LIST)
    one = tmp_path / "liste2.csv"
    one.write_text("N° FINESS;Nom\n2A0000014;CH ANNONCIADE\n", encoding="utf-8")
    report = import_file(store, "hopitaux-proximite", one, vintage="2024")
    assert report["replaced"] == 3 and report["rows"] == 1 and report["placed"] == 1
    assert store.scalar("SELECT list(finess) FROM hopitaux_proximite") == ["2A0000014"]
    assert store.scalar("SELECT count(*) FROM sources WHERE kind = 'hopitaux_proximite'") == 1
    assert structures.existing_site_counts(store, ["hopital_proximite"]).to_dict() == {"2A004": 1.0}
    assert list_status(store)["millesime"] == "2024"


def test_a_store_without_the_table_uses_the_rules_list(with_finess, monkeypatch):
    store = with_finess
    store.con.execute("DROP TABLE hopitaux_proximite")
    monkeypatch.setattr(structures, "_hp_list", lambda: ["2A0000014"])
    sites = structures.coordinated_sites(store, ["hopital_proximite"])
    assert "2A0000014" in set(sites["identifiant"])
    status = list_status(store, yaml_listed=1)
    assert not status["imported"] and "rules/structures.yaml" in status["message"]


def test_cli_summary_and_bad_file(built_db, fixtures, tmp_path, monkeypatch):
    db = tmp_path / "cli.duckdb"
    shutil.copyfile(built_db, db)
    monkeypatch.setenv("ACCESOINS_DB", str(db))
    runner = CliRunner()
    assert runner.invoke(app, ["import", "finess", str(fixtures / FINESS)]).exit_code == 0
    result = runner.invoke(app, ["import", "hopitaux-proximite", str(fixtures / LIST)])
    assert result.exit_code == 0, result.output
    text = re.sub(r"\s+", " ", result.output)
    assert "3 établissements lus" in text and "2 retrouvés dans l'offre FINESS importée, 1 non retrouvé(s)" in text
    assert "1 numéro(s) complété(s) d'un zéro initial" in text and "390000999" in text
    assert "colonne « N° FINESS ET »" in text
    bad = tmp_path / "bad.csv"
    bad.write_text("N° FINESS ET;Nom\n12345;X\n", encoding="utf-8")
    result = runner.invoke(app, ["import", "hopitaux-proximite", str(bad)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    text = re.sub(r"\s+", " ", result.output)
    assert "ligne 2" in text and "numéro FINESS « 12345 » invalide" in text


def test_orientation_shows_a_listed_hospital_as_hopital_de_proximite(with_finess, fixtures):
    from accesoins.services.orientation.orientation import load_orientation_data

    store = with_finess
    import_file(store, "hopitaux-proximite", fixtures / LIST)
    records = load_orientation_data(store).sites.records
    hp = sorted(r["site_id"] for r in records if r["category"] == "hopital_proximite")
    assert hp == ["010000024", "2A0000014"]  # the listed FINESS hospitals; the demo's fictitious ones gone


def test_the_page_and_its_json_twin_say_where_the_list_comes_from(with_finess, fixtures, settings):
    from fastapi.testclient import TestClient

    from accesoins.api.app import create_app
    from accesoins.config import Settings

    store = with_finess
    path = store.path

    def fetch():
        with TestClient(create_app(Settings(db_path=path, node_modules=settings.node_modules))) as c:
            html = c.get("/observatoire/structures", headers={"accept": "text/html"}).text
            return re.sub(r"\s+", " ", html), c.get("/observatoire/structures.json").json()

    store.close()
    html, data = fetch()
    hp = data["provenance"]["liste_hopitaux_proximite"]
    assert not hp["imported"] and "aucune liste importée : les hôpitaux de proximité ne sont pas identifiés" in html
    assert "accesoins import hopitaux-proximite FICHIER" in html
    from accesoins.store import open_store

    again = open_store(path)
    try:
        import_file(again, "hopitaux-proximite", fixtures / LIST)
    finally:
        again.close()
    html, data = fetch()
    hp = data["provenance"]["liste_hopitaux_proximite"]
    assert hp["imported"] and (hp["listed"], hp["placed"], hp["millesime"]) == (3, 2, "2022-05-03")
    assert data["france"]["hopital_proximite"] == 2
    assert "— 2022-05-03 : 3 établissements listés, dont 2 retrouvés dans l'offre FINESS importée" in html


def test_real_finess_hospitals_with_their_lost_zero(store_copy, real_data, tmp_path):
    """The real FINESS hospital file (AtlaSanté/Eurostat, 2020) drops the leading zero as spreadsheets do:
    a list written the same way still finds its sites. The list is written here (assumed layout); the
    two hospitals of the Ain are taken from the real file, their labelling is not claimed."""
    import_file(store_copy, "finess-atlasante", real_data / "finess_hopitaux_2020.csv", skip_unknown=True,
                vintage="2020-03-06")
    path = tmp_path / "liste.csv"
    path.write_text("FINESS ET;Etablissement\n10000024;CH DE BOURG-EN-BRESSE\n10000032;CH DE BELLEY\n"
                    "2A0000022;CH D'AJACCIO\n", encoding="utf-8")
    report = import_file(store_copy, "hopitaux-proximite", path, vintage="test")
    assert (report["rows"], report["placed"], report["padded"]) == (3, 3, 2)
    counts = structures.existing_site_counts(store_copy, ["hopital_proximite"])
    assert counts.to_dict() == {"01034": 1.0, "01451": 1.0, "2A004": 1.0}  # Belley, Viriat, Ajaccio
