"""Imports through the service and the CLI, on the national store: real files land with the
right counts; every kind of bad file is refused with file, line and field, and the store is
left exactly as it was."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accesoins.cli import app
from accesoins.errors import InputError
from accesoins.services.data.imports import import_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TABLES = ["sources", "offer", "population_by_age", "import_log"]


def snapshot(store) -> dict[str, str]:
    return {t: store.df(f"SELECT * FROM {t} ORDER BY ALL").to_csv() for t in TABLES}


def _generic(tmp_path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    path = tmp_path / "offre.csv"
    path.write_bytes(text.encode(encoding))
    return path


GOOD = FIXTURES.joinpath("generic_offre.csv").read_text(encoding="utf-8")
BAD_FILES = {
    "wrong separator": (lambda: GOOD.replace(";", "\t"), 1, None),
    "missing column": (lambda: "code_commune;nombre\n75056;3\n", 1, "categorie"),
    "unknown commune": (lambda: "code_commune;categorie;nombre\n75056;pharmacie;1\n99999;pharmacie;2\n", 3,
                        "code_commune"),
    "outside France": (lambda: "latitude;longitude;categorie;nombre\n48.85;2.35;pharmacie;1\n0.0;0.0;pharmacie;1\n",
                       3, "latitude"),
    "truncated": (lambda: GOOD.rstrip("\n").rsplit(";", 3)[0] + "\n", len(GOOD.strip().splitlines()), None),
    "negative count": (lambda: "code_commune;categorie;nombre\n75056;pharmacie;-2\n", 2, "nombre"),
    "empty": (lambda: "", None, None),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_generic_files_change_nothing(store_copy, tmp_path, case):
    make, line, field = BAD_FILES[case]
    path = _generic(tmp_path, make())
    before = snapshot(store_copy)
    with pytest.raises(InputError) as err:
        import_file(store_copy, "generic", path)
    assert err.value.file and Path(err.value.file).name == "offre.csv"
    if line is not None:
        assert err.value.line == line, str(err.value)
    if field is not None:
        assert err.value.field and field in err.value.field, str(err.value)
    assert snapshot(store_copy) == before


def test_wrong_encoding_changes_nothing(store_copy, tmp_path):
    path = _generic(tmp_path, "code_commune;categorie;nombre;nom\n75056;pharmacie;1;Pharmacie de l'Église\n",
                    encoding="latin-1")
    before = snapshot(store_copy)
    with pytest.raises(InputError) as err:
        import_file(store_copy, "generic", path)
    assert err.value.line == 2 and "UTF-8" in str(err.value)
    assert snapshot(store_copy) == before


@pytest.mark.parametrize("kind,fixture", [("bpe", "bpe_ensemble_communes.csv"),
                                          ("rpps", "PS_LibreAcces_Personne_activite_202401150930.txt"),
                                          ("finess", "etalab-cs1100507-stock-20240112-0336.csv")])
def test_truncated_national_files_change_nothing(store_copy, tmp_path, kind, fixture):
    raw = (FIXTURES / fixture).read_bytes()
    cut = tmp_path / fixture
    cut.write_bytes(raw[: int(len(raw) * 0.6)].rsplit(b"\n", 1)[0][:-3] + b"\n")  # last line cut short
    last = cut.read_bytes().count(b"\n")  # the physical line number of the cut line, header = 1
    before = snapshot(store_copy)
    with pytest.raises(InputError) as err:
        import_file(store_copy, kind, cut)
    assert err.value.line == last, str(err.value)
    assert err.value.file is not None and err.value.file.endswith(fixture)
    assert f"ligne {last}" in str(err.value)
    assert snapshot(store_copy) == before


def test_cli_reports_the_error_and_exits_2(built_db, tmp_path, monkeypatch):
    db = tmp_path / "cli.duckdb"
    shutil.copyfile(built_db, db)
    monkeypatch.setenv("ACCESOINS_DB", str(db))
    path = _generic(tmp_path, "code_commune;categorie;nombre\n75056;pharmacie;1\n99999;pharmacie;2\n")
    result = CliRunner().invoke(app, ["import", "generic", str(path)])
    assert result.exit_code == 2
    text = re.sub(r"\s+", " ", result.output + (result.stderr if result.stderr_bytes else ""))
    assert "ligne 3" in text and "code_commune" in text and "offre.csv" in text


def test_real_files_land_with_their_totals(store_copy, real_data):
    report = import_file(store_copy, "bpe", real_data / "bpe_medecins_generalistes_par_commune.csv",
                         skip_unknown=True, vintage="2017")
    stored = store_copy.scalar("SELECT sum(quantity) FROM offer WHERE source_id = 'bpe:2017'")
    rejected = report["rejected"]
    assert report["replaced_demo_categories"] == ["medecin_generaliste"]
    assert 57_000 < stored <= 58_034 and rejected < 60  # old 2017 codes are mapped, a few are unknown
    assert store_copy.scalar("SELECT count(*) FROM offer WHERE category = 'medecin_generaliste' "
                             "AND source_id = 'demo'") == 0
    mat = import_file(store_copy, "bpe", real_data / "bpe_maternites_par_commune.csv", skip_unknown=True,
                      vintage="2017")
    assert mat["rows"] > 400
    assert store_copy.scalar("SELECT sum(quantity) FROM offer WHERE category = 'maternite' "
                             "AND source_id = 'bpe:2017'") > 450
    hosp = import_file(store_copy, "finess-atlasante", real_data / "finess_hopitaux_2020.csv",
                       skip_unknown=True, vintage="2020-03-06")
    assert hosp["rows"] > 5_300 and hosp["rejected"] <= 5
    sirene = import_file(store_copy, "generic", real_data / "sirene_naf86_etablissements_par_commune.csv",
                         preset="sirene_naf86", skip_unknown=True, vintage="2019")
    assert sirene["rows"] > 20_000
    sources = {r["source_id"] for r in store_copy.records("SELECT source_id FROM sources")}
    assert {"bpe:2017", "sirene_naf86:2019"} <= sources
