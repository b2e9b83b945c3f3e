"""Imports into the national store: a file replaces only what it covers; bounds; summaries.

Exact counts are those of the real files of ../shared/data/real and the excerpts of
../shared/data/formats, imported into the store built from the national territory.
"""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from accesoins.cli import app
from accesoins.errors import InputError
from accesoins.offer.bpe import read_bpe
from accesoins.services.data.imports import import_file
from accesoins.store.territory import commune_index
from conftest import FIXTURES

FORMATS = FIXTURES.parents[2] / "shared" / "data" / "formats"
TABLES = ["sources", "offer", "population_by_age", "import_log"]


def snapshot(store) -> dict[str, str]:
    return {t: store.df(f"SELECT * FROM {t} ORDER BY ALL").to_csv() for t in TABLES}


def _sum(store, category, sid="bpe:2017"):
    return store.scalar("SELECT coalesce(sum(quantity), 0) FROM offer WHERE source_id = ? AND category = ?",
                        [sid, category])


def test_two_real_bpe_files_in_sequence_keep_both(store_copy, real_data):
    gp = import_file(store_copy, "bpe", real_data / "bpe_medecins_generalistes_par_commune.csv",
                     skip_unknown=True, vintage="2017")
    gps = _sum(store_copy, "medecin_generaliste")
    assert gp["added"] == gp["rows"] and gp["replaced"] == 0 and gp["left_in_place"] == 0
    assert gp["covered_categories"] == ["medecin_generaliste"]
    mat = import_file(store_copy, "bpe", real_data / "bpe_maternites_par_commune.csv", skip_unknown=True,
                      vintage="2017")
    # exact: the national store maps every 2017 code (merged communes through their history)
    assert (gp["rows"], gp["rejected"], gps) == (9486, 0, 58_034)
    assert (mat["rows"], mat["rejected"], _sum(store_copy, "maternite")) == (421, 0, 516)
    # the maternities file replaces nothing of the GPs: they are left in place, all of them
    assert mat["replaced"] == 0 and mat["left_in_place"] == gp["rows"]
    assert _sum(store_copy, "medecin_generaliste") == gps
    assert _sum(store_copy, "maternite") == store_copy.scalar(
        "SELECT sum(quantity) FROM offer WHERE category = 'maternite' AND source_id = 'bpe:2017'")
    # every GP of the file is stored, or rejected (2017 codes unknown in the current COG) and listed
    b = read_bpe(real_data / "bpe_medecins_generalistes_par_commune.csv", communes=commune_index(store_copy),
                 skip_unknown=True)
    raw = pd.read_csv(real_data / "bpe_medecins_generalistes_par_commune.csv", dtype={"CODGEO": str})
    assert gps == b.rows.quantity.sum()
    assert gps + raw.loc[raw.index.isin(b.rejected.line - 2), "NB_D201"].sum() == 58_034
    src = store_copy.records("SELECT * FROM sources WHERE source_id = 'bpe:2017'")[0]
    assert src["row_count"] == gp["rows"] + mat["rows"]
    assert "bpe_medecins_generalistes" in src["file"] and "bpe_maternites" in src["file"]
    # importing the GP file again replaces exactly its own rows and leaves the maternities
    again = import_file(store_copy, "bpe", real_data / "bpe_medecins_generalistes_par_commune.csv",
                        skip_unknown=True, vintage="2017")
    assert again["replaced"] == gp["rows"] and again["left_in_place"] == mat["rows"]
    assert _sum(store_copy, "medecin_generaliste") == gps


def test_a_departement_file_replaces_that_departement_only(store_copy, real_data, tmp_path):
    src = real_data / "bpe_medecins_generalistes_par_commune.csv"
    national = import_file(store_copy, "bpe", src, skip_unknown=True, vintage="2017")
    cantal = tmp_path / "bpe_gp_cantal.csv"
    lines = src.read_text(encoding="utf-8").splitlines()
    cantal.write_text("\n".join([lines[0], *[ln for ln in lines[1:] if ln.startswith('"15')]]) + "\n",
                      encoding="utf-8")
    in_15 = store_copy.scalar("SELECT count(*) FROM offer o JOIN communes c USING (code_commune) "
                              "WHERE source_id = 'bpe:2017' AND c.code_departement = '15'")
    rep = import_file(store_copy, "bpe", cantal, skip_unknown=True, vintage="2017")
    assert rep["covered_departements"] == 1
    assert rep["replaced"] == in_15 and rep["added"] == in_15
    assert rep["left_in_place"] == national["rows"] - in_15


def test_bounds_refuse_and_leave_the_store_unchanged(store_copy, tmp_path):
    before = snapshot(store_copy)
    per_line = tmp_path / "offre.csv"
    per_line.write_text("code_commune;categorie;nombre\n75056;pharmacie;1\n15014;pharmacie;3000000000\n",
                        encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_file(store_copy, "generic", per_line)
    assert err.value.line == 3 and err.value.field == "nombre" and "bornes plausibles" in err.value.message
    total = tmp_path / "offre_total.csv"
    total.write_text("code_commune;categorie;nombre\n" + "".join(f"15{i:03d};pharmacie;90000\n" for i in range(1, 4)),
                     encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_file(store_copy, "generic", total)
    assert err.value.field == "quantity" and "pharmacie" in err.value.message and err.value.file == str(total)
    assert snapshot(store_copy) == before


def test_2026_formats_land_with_exact_counts(store_copy):
    fin = import_file(store_copy, "finess", FORMATS / "finess" / "etalab-cs1100502-stock-20260512-excerpt.csv")
    assert fin["source_id"] == "finess:2026-05-12" and fin["added"] == 4 and fin["rejected"] == 0
    assert fin["outside_territory"] == {"Saint-Martin": 2, "Saint-Barthélemy": 1, "Wallis-et-Futuna": 1}
    plus = import_file(store_copy, "finess", FIXTURES / "finess_plus_structures_fixture.json")
    assert plus["source_id"] == "finess:2026-03-09" and plus["added"] == 5
    assert plus["outside_territory"] == {"Saint-Martin": 1, "Wallis-et-Futuna": 1}
    bpe = import_file(store_copy, "bpe", FIXTURES / "DS_BPE_data.csv")
    assert bpe["source_id"] == "bpe:2023" and bpe["added"] == 9
    assert bpe["out_of_scope"] == {"D401 Personnes âgées : hébergement": 120}
    assert _sum(store_copy, "medecin_generaliste", "bpe:2023") == 4531
    assert _sum(store_copy, "pharmacie", "bpe:2023") == 1468
    xy = import_file(store_copy, "bpe", FIXTURES / "BPE23.csv")
    # same source bpe:2023: the geolocated file covers GPs, pharmacies and nurses in its
    # départements (75, 13, 2A, 974, 976) and replaces the Melodi rows there only
    assert xy["covered_categories"] == ["infirmier", "medecin_generaliste", "pharmacie"]
    assert xy["covered_departements"] == 5 and xy["replaced"] == 7 and xy["added"] == 6
    assert xy["left_in_place"] == 2  # maternité of Paris, GP of 01001


def test_cli_summary(built_db, tmp_path, monkeypatch, real_data):
    db = tmp_path / "cli.duckdb"
    shutil.copyfile(built_db, db)
    monkeypatch.setenv("ACCESOINS_DB", str(db))
    runner = CliRunner()
    result = runner.invoke(app, ["import", "finess",
                                 str(FORMATS / "finess" / "etalab-cs1100502-stock-20260512-excerpt.csv")])
    assert result.exit_code == 0, result.output
    text = re.sub(r"\s+", " ", result.output)
    assert "4 lignes importées" in text and "4 lignes — Saint-Barthélemy 1, Saint-Martin 2, Wallis-et-Futuna 1" in text
    for name in ("bpe_medecins_generalistes_par_commune.csv", "bpe_maternites_par_commune.csv"):
        result = runner.invoke(app, ["import", "bpe", str(real_data / name), "--vintage", "2017"])
        assert result.exit_code == 0, result.output
    text = re.sub(r"\s+", " ", result.output)
    assert "Ajoutées : 421 ; remplacées" in text and "laissées en place (même source, hors de ce que couvre " \
        "le fichier) : 9 486" in text  # \u202f became a space
    result = runner.invoke(app, ["import", "bpe", str(FIXTURES / "DS_BPE_data.csv")])
    assert result.exit_code == 0, result.output
    text = re.sub(r"\s+", " ", result.output)
    assert "Ajoutées : 9" in text and "remplacées" in text and "laissées en place" in text
    assert "Saint-Martin 1" in text and "Saint-Barthélemy 1" in text
    assert "D401 Personnes âgées : hébergement : 120" in text
    result = runner.invoke(app, ["import", "finess-plus", str(FIXTURES / "finess_plus_structures_fixture.json")])
    assert result.exit_code == 0, result.output
    assert "Wallis-et-Futuna 1" in re.sub(r"\s+", " ", result.output)
    bad = tmp_path / "DS_BPE_data.csv"
    bad.write_text((FIXTURES / "DS_BPE_data.csv").read_text(encoding="utf-8").replace(";D307;", ";D399;"),
                   encoding="utf-8")
    result = runner.invoke(app, ["import", "bpe", str(bad)])
    assert result.exit_code == 2
    text = re.sub(r"\s+", " ", result.output + (result.stderr if result.stderr_bytes else ""))
    assert "D399" in text and "ligne 3" in text and "FACILITY_TYPE" in text
