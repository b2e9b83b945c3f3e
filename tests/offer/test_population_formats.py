"""INSEE population by age: the real POP1B excerpt (wide, YEAR column, U+FFFD in names) and the
Melodi long layout, into the 19 APL bands with exact totals; bad files name line and field."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from accesoins.cli import app
from accesoins.errors import InputError
from accesoins.offer.population import AGE_BANDS, age_interval, read_population_by_age

EXCERPT = (Path(__file__).resolve().parents[2].parent / "shared" / "data" / "formats" / "insee"
           / "pop1b-2018-one-commune-excerpt.csv")

# Written from INSEE's Melodi column convention (GEO;GEO_OBJECT;…dimensions…;TIME_PERIOD;OBS_VALUE,
# as DS_BPE_data.csv in INSEE's catalogue) with the census dimensions SEX, AGE (SDMX codes) and
# RP_MEASURE; figures made up for the test. Men and women are given, and their total (_T).
BANDS = ["Y_LT5"] + [f"Y{a}T{a + 4}" for a in range(5, 90, 5)] + ["Y_GE90"]


def melodi(rows_per_commune: dict[tuple[str, str], float], *, extra: str = "", bands=BANDS) -> str:
    lines = ["GEO;GEO_OBJECT;RP_MEASURE;SEX;AGE;TIME_PERIOD;OBS_VALUE"]
    for (geo, obj), base in rows_per_commune.items():
        for i, code in enumerate(bands):
            m, f = base + i, base + 2 * i
            lines += [f"{geo};{obj};POP;M;{code};2021;{m}", f"{geo};{obj};POP;F;{code};2021;{f}",
                      f"{geo};{obj};POP;_T;{code};2021;{m + f}"]
        lines.append(f"{geo};{obj};POP;_T;_T;2021;999999")  # the total row is not an age band
    return "\n".join(lines) + "\n" + extra


def test_real_pop1b_excerpt(communes):
    b = read_population_by_age(EXCERPT, communes=communes)
    raw = pd.read_csv(EXCERPT, dtype={"CODGEO": str})
    ages = raw.filter(regex=r"^SEXE[12]_AGED100\d{3}$")
    assert ages.shape[1] == 202 and b.vintage == "2018" and b.parameters["layout"] == "wide"
    assert b.rows.code_commune.unique().tolist() == ["01001"] and b.rows.age_band.tolist() == AGE_BANDS
    assert b.rows.population.sum() == pytest.approx(ages.to_numpy().sum()) and round(b.rows.population.sum()) == 771
    under5 = sum(raw[f"SEXE{s}_AGED100{a:03d}"].item() for s in (1, 2) for a in range(5))
    assert b.rows.set_index("age_band").loc["0-4", "population"] == pytest.approx(under5)
    assert any("U+FFFD" in w for w in b.warnings)


def test_melodi_long_layout(communes, tmp_path):
    path = tmp_path / "DS_RP_POPULATION_data.csv"
    path.write_text(melodi({("01001", "COM"): 10.0, ("75101", "ARM"): 500.0, ("75056", "COM"): 1000.0},
                           extra="01001;COM;POP;_T;Y_LT5;2020;1\n"), encoding="utf-8")
    b = read_population_by_age(path, communes=communes)
    assert b.parameters["layout"] == "melodi" and b.vintage == "2021"
    pop = b.rows.set_index(["code_commune", "age_band"])["population"]
    # band i: men base + i, women base + 2i; the _T rows are used, arrondissement rows ignored
    assert pop[("01001", "0-4")] == 20 and pop[("01001", "90+")] == 20 + 3 * 18
    assert pop[("75056", "5-9")] == 2003 and len(b.rows) == 2 * 19
    assert b.rows.population.sum() == pytest.approx(sum(2 * base + 3 * i for base in (10, 1000) for i in range(19)))
    assert any("ARM" in w for w in b.warnings) and any("2020, 2021" in w for w in b.warnings)


def test_melodi_single_years_and_men_women_only(communes, tmp_path):
    single = [f"Y{a}" for a in range(100)] + ["Y_GE100"]
    text = "\n".join(["GEO;GEO_OBJECT;SEX;AGE;TIME_PERIOD;OBS_VALUE"]
                     + [f"01001;COM;{s};{c};2021;1" for s in "MF" for c in single]) + "\n"
    path = tmp_path / "pop.csv"
    path.write_text(text, encoding="utf-8")
    pop = read_population_by_age(path, communes=communes).rows.set_index("age_band")["population"]
    assert pop["0-4"] == 10 and pop["90+"] == 2 * 11 and pop.sum() == 202


@pytest.mark.parametrize(("mutate", "line", "field", "words"), [
    # the _T rows are the ones used when the file has them: errors name their line
    (lambda t: t.replace(";Y5T9;", ";Y5T14;"), 7, "AGE", "5-9"),
    (lambda t: t.replace(";Y5T9;", ";Y5-9;"), 7, "AGE", "illisible"),
    (lambda t: t.replace("2021;13", "2021;treize", 1), 11, "OBS_VALUE", "nombre"),
    (lambda t: t.replace("01001;COM", "01999;COM"), 4, "GEO", "inconnu"),
    (lambda t: t.replace(";M;Y_LT5;", ";H;Y_LT5;"), 2, "SEX", "sexe"),
])
def test_bad_melodi_files(communes, tmp_path, mutate, line, field, words):
    path = tmp_path / "pop.csv"
    path.write_text(mutate(melodi({("01001", "COM"): 10.0})), encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_population_by_age(path, communes=communes)
    assert (err.value.line, err.value.field) == (line, field) and words in err.value.message, str(err.value)


def test_age_codes():
    assert age_interval("Y_LT5") == (0, 4) and age_interval("Y_GE90") == (90, 200)
    assert age_interval("Y20T24") == (20, 24) and age_interval("Y7") == (7, 7) and age_interval("_T") is None


def test_cli_imports_the_real_excerpt(built_db, tmp_path, monkeypatch):
    db = tmp_path / "cli.duckdb"
    shutil.copyfile(built_db, db)
    monkeypatch.setenv("ACCESOINS_DB", str(db))
    result = CliRunner().invoke(app, ["import", "population", str(EXCERPT)])
    assert result.exit_code == 0, result.output
    assert "(2018) : 19 lignes importées" in re.sub(r"\s+", " ", result.output)
    from accesoins.store import open_store

    store = open_store(db)
    try:
        assert round(store.scalar("SELECT sum(population) FROM population_by_age "
                                  "WHERE source_id = 'insee_pop_age:2018' AND code_commune = '01001'")) == 771
    finally:
        store.close()


def test_implausible_counts_are_refused(communes, tmp_path):
    text = EXCERPT.read_text(encoding="utf-8").replace(",12.82914245,", ",1e308,", 1)
    path = tmp_path / "pop1b.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="bornes plausibles") as err:
        read_population_by_age(path, communes=communes)
    assert (err.value.line, err.value.field) == (2, "SEXE1_AGED100000")
    melodi_path = tmp_path / "melodi.csv"
    melodi_path.write_text(melodi({("01001", "COM"): 10.0}).replace("2021;20", "2021;4000000", 1), encoding="utf-8")
    with pytest.raises(InputError, match="bornes plausibles") as err:
        read_population_by_age(melodi_path, communes=communes)
    assert (err.value.line, err.value.field) == (4, "OBS_VALUE")
