"""DREES APL reference: the official workbook (Cantal excerpt) and the 2018 CSV, through the
service and the CLI, with exact counts; bad files change nothing; old codes and arrondissements."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accesoins.cli import app
from accesoins.errors import InputError, NotBuiltError, ParameterError
from accesoins.services.data.imports import import_file
from accesoins.services.observatory.references import import_drees_apl, reference_apl, reference_vintages

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
WORKBOOK = SHARED / "formats" / "drees" / "apl_generalistes_2022_2023-excerpt-cantal.xlsx"
REF2018 = SHARED / "reference" / "drees_apl_medecins_generalistes_2018.csv"


def snapshot(store) -> tuple[str, str]:
    return (store.df("SELECT * EXCLUDE (imported_at) FROM reference_indicator ORDER BY ALL").to_csv(),
            store.df("SELECT source_id, row_count FROM sources ORDER BY ALL").to_csv())


def test_workbook_every_sheet(store_copy):
    report = import_drees_apl(store_copy, WORKBOOK)
    assert report["vintages"] == ["2022", "2023"] and report["variants"] == ["moins_65", "tous"]
    # 246 Cantal communes × 2 vintages × (2 APL variants + standardised and total populations)
    assert report["rows"] == 246 * 2 * 4 and report["communes"] == 246
    assert report["remapped"] == 0 and report["rejected"] == 0
    totals = {(r["indicator"], r["variant"], r["vintage"]): (r["n"], r["s"]) for r in store_copy.records(
        "SELECT indicator, variant, vintage, count(*) AS n, round(sum(value), 3) AS s "
        "FROM reference_indicator GROUP BY ALL")}
    assert totals[("apl_medecin_generaliste", "tous", "2022")] == (246, 691.303)
    assert totals[("apl_medecin_generaliste", "moins_65", "2023")] == (246, 636.845)
    assert totals[("population_totale", "tous", "2023")] == (246, 144226.0)
    assert totals[("population_standardisee_mg", "tous", "2022")] == (246, 156455.842)
    params = json.loads(store_copy.scalar("SELECT parameters FROM sources WHERE source_id = 'drees_apl:2023'"))
    drees = params["parametres_drees"]
    assert drees["poids_age"]["2023"]["Plus de 90 ans"] == 2.26 and drees["poids_age"]["2022"]["Moins de 5 ans"] == 0.93
    assert drees["decroissance_distance"]["Entre 10 et 15 minutes"] == pytest.approx(2 / 3)
    assert drees["champ"].startswith("Omnipraticiens libéraux")
    latest = reference_apl(store_copy)
    assert latest.attrs["vintage"] == "2023" and len(latest) == 246
    assert list(latest.columns) == ["code_commune", "value"]
    assert latest.set_index("code_commune").loc["15001", "value"] == 3.214  # Allanche
    old = reference_apl(store_copy, 2022, "moins_65").set_index("code_commune")["value"]
    assert old["15269"] == 5.612 and old["15001"] == 2.542
    with pytest.raises(ParameterError):
        reference_apl(store_copy, 2018)
    with pytest.raises(ParameterError):
        reference_apl(store_copy, variant="moins_70")
    # re-importing (here through the generic import service) is idempotent
    again = import_file(store_copy, "drees-apl", WORKBOOK)
    assert again["replaced"] == 246 * 2 * 4
    assert store_copy.scalar("SELECT count(*) FROM reference_indicator") == 246 * 2 * 4


def test_2018_csv_through_the_cli_leaves_the_workbook(built_db, tmp_path, monkeypatch):
    db = tmp_path / "cli.duckdb"
    shutil.copyfile(built_db, db)
    monkeypatch.setenv("ACCESOINS_DB", str(db))
    runner = CliRunner()
    first = runner.invoke(app, ["import", "drees-apl", str(WORKBOOK)])
    assert first.exit_code == 0, first.output
    result = runner.invoke(app, ["import", "drees-apl", str(REF2018), "--vintage", "2018"])
    assert result.exit_code == 0, result.output
    text = re.sub(r"\s+", " ", result.output)
    assert "(2018)" in text and "variantes moins_65, tous" in text
    assert "107 codes anciens rattachés, 0 lignes écartées" in text
    from accesoins.store import open_store

    store = open_store(db)
    try:
        rows = {r["variant"]: r["communes"] for r in reference_vintages(store) if r["vintage"] == "2018"}
        assert rows == {"tous": N2018, "moins_65": N2018}
        assert store.scalar("SELECT count(*) FROM reference_indicator WHERE vintage = '2023'") == 246 * 4
        ref = reference_apl(store, "2018")
        assert len(ref) == N2018 and ref.attrs["source"] == "drees_apl:2018"
        assert ref.set_index("code_commune").loc["38522", "value"] == pytest.approx(0.333)
        assert reference_apl(store).attrs["vintage"] == "2023"
    finally:
        store.close()


# The 34,832 communes of the 2018 file are 34,729 current ones: 107 old codes of communes merged
# since then are mapped to their current commune (COG history of the store).
N2018 = 34_729


def test_old_codes_and_arrondissements(store_copy, tmp_path):
    path = tmp_path / "apl2019.csv"
    path.write_text("code_commune,apl_mg2019,apl_mg2019_65\n"
                    "75101,6.0,5.0\n75102,2.0,1.0\n13201,1.5,1.5\n"
                    "50129,2.0,2.0\n50602,4.0,3.0\n15001,3.0,\n", encoding="utf-8")
    report = import_drees_apl(store_copy, path)
    assert report["vintages"] == ["2019"] and report["arrondissements"] == 3 and report["remapped"] == 1
    assert report["remapped_sample"][0]["old_code"] == "50602"
    stored = dict(store_copy.df("SELECT code_commune, value FROM reference_indicator "
                                "WHERE variant = 'tous'").itertuples(index=False))
    assert stored["75101"] == 6.0 and stored["13201"] == 1.5 and stored["50129"] == 3.0  # simple mean
    default = reference_apl(store_copy, "2019").set_index("code_commune")["value"]
    assert default["75056"] == 4.0 and default["13055"] == 1.5 and "75101" not in default
    kept = reference_apl(store_copy, "2019", arrondissements=True).set_index("code_commune")["value"]
    assert kept["75101"] == 6.0 and "75056" not in kept
    below = reference_apl(store_copy, "2019", "moins_65").set_index("code_commune")["value"]
    assert below.isna()["15001"] and below["75056"] == 3.0


def _bad_workbook(tmp_path: Path, sheet: str, cell: str, value: object) -> Path:
    import openpyxl

    wb = openpyxl.load_workbook(WORKBOOK)
    wb[sheet][cell] = value
    out = tmp_path / "apl_bad.xlsx"
    wb.save(out)
    return out


@pytest.mark.parametrize(("sheet", "cell", "value", "line", "field", "words"), [
    ("APL 2023", "C20", "beaucoup", 20, "APL aux médecins généralistes", "non numérique"),
    ("APL 2022", "A30", "15A01", 30, "Code commune INSEE", "invalide"),
    ("APL 2022", "A31", "15999", 31, "code commune", "inconnu"),
    ("APL 2023", "D12", -1.5, 12, "APL aux médecins généralistes de moins de 65 ans", "négative"),
    ("APL 2022", "A9", "Commune", None, None, "en-tête"),
])
def test_bad_workbooks_change_nothing(store_copy, tmp_path, sheet, cell, value, line, field, words):
    import_drees_apl(store_copy, WORKBOOK)
    before = snapshot(store_copy)
    with pytest.raises(InputError) as err:
        import_drees_apl(store_copy, _bad_workbook(tmp_path, sheet, cell, value))
    e = err.value
    assert "apl_bad.xlsx" in e.file and words in e.message, str(e)
    assert sheet in e.file
    assert e.line == line and e.field == field, str(e)
    assert snapshot(store_copy) == before


@pytest.mark.parametrize(("text", "line", "field"), [
    ("code_commune,apl_mg2018\n15001,trois\n", 2, "apl_mg2018"),
    ("code_commune,apl_mg2018\n15001,1.2\n99999,1.0\n", 3, "code commune"),
    ("code_commune,autre\n15001,1.2\n", 1, "apl_mg2018"),
    ("commune,apl_mg2018\n15001,1.2\n", 1, "code_commune"),
])
def test_bad_csv_change_nothing(store_copy, tmp_path, text, line, field):
    path = tmp_path / "apl.csv"
    path.write_text(text, encoding="utf-8")
    before = snapshot(store_copy)
    with pytest.raises(InputError) as err:
        import_drees_apl(store_copy, path)
    assert err.value.line == line and err.value.field == field and err.value.file.endswith("apl.csv")
    assert snapshot(store_copy) == before


def test_not_a_workbook_and_nothing_imported(store_copy, tmp_path):
    fake = tmp_path / "apl.xlsx"
    fake.write_text("pas un classeur", encoding="utf-8")
    with pytest.raises(InputError, match="illisible"):
        import_drees_apl(store_copy, fake)
    with pytest.raises(NotBuiltError, match="drees-apl"):
        reference_apl(store_copy)


def test_merged_communes_weighted_by_standardised_population(communes, tmp_path):
    """Cherbourg-Octeville (50602, merged into 50129 in 2016) listed beside 50129: the APL of the
    current commune is the mean weighted by the standardised population the sheet gives."""
    import openpyxl

    from accesoins.offer.drees import read_drees_apl

    wb = openpyxl.load_workbook(WORKBOOK)
    del wb["APL 2023"]
    ws = wb["APL 2022"]
    ws.delete_rows(13, 300)
    for row, values in ((11, ("50602", 2.0, 1.0, 100.0, 90)), (12, ("50129", 4.0, None, 300.0, 280))):
        for col, v in zip("ACDEF", values, strict=True):
            ws[f"{col}{row}"] = v
    path = tmp_path / "apl_fusion.xlsx"
    wb.save(path)
    b = read_drees_apl(path, communes=communes)
    v = b.rows.set_index(["indicator", "variant"])["value"]
    assert v[("apl_medecin_generaliste", "tous")] == 3.5  # (2 × 100 + 4 × 300) / 400
    assert v[("population_standardisee_mg", "tous")] == 400 and v[("population_totale", "tous")] == 370
    assert b.rows.code_commune.unique().tolist() == ["50129"] and b.remapped.old_code.tolist() == ["50602"]


@pytest.mark.parametrize(("text", "line", "field"), [
    ("code_commune,apl_mg2018\n15001,1.2\n15002,1e308\n", 3, "apl_medecin_generaliste (tous)"),
    ("code_commune,apl_mg2018,apl_mg2018_65\n15001,1.2,250\n", 2, "apl_medecin_generaliste (moins_65)"),
])
def test_implausible_values_are_refused(communes, tmp_path, text, line, field):
    from accesoins.offer.drees import read_drees_apl

    path = tmp_path / "apl.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="bornes plausibles") as err:
        read_drees_apl(path, communes=communes)
    assert (err.value.line, err.value.field) == (line, field) and err.value.file.endswith("apl.csv")
