"""The engine from the command line: APL, nearest, coverage written with their provenance."""

from __future__ import annotations

import json
import shutil

import pandas as pd
from typer.testing import CliRunner

from accesoins.cli import app
from accesoins.store import open_store


def _db(built_db, tmp_path, monkeypatch):
    db = tmp_path / "cli.duckdb"
    shutil.copyfile(built_db, db)
    monkeypatch.setenv("ACCESOINS_DB", str(db))
    return db


def test_apl_writes_csv_with_provenance_and_stores_result(built_db, tmp_path, monkeypatch):
    db = _db(built_db, tmp_path, monkeypatch)
    out = tmp_path / "apl.csv"
    result = CliRunner().invoke(app, ["apl", "--profession", "medecin_generaliste", "--max-age", "65",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, dtype={"code_commune": str})
    # one value per unit: the communes, Paris, Lyon and Marseille by arrondissement (34,875 - 3 + 45)
    assert list(frame.columns) == ["code_commune", "apl_65"] and len(frame) == 34_917
    assert 2.0 < frame["apl_65"].mean() < 6.0
    prov = json.loads(out.with_suffix(".csv.provenance.json").read_text())
    assert prov["is_demo"] is True and prov["parameters"]["max_age"] == 65
    assert "territoire" in prov["vintages"]
    store = open_store(db, read_only=True)
    assert store.scalar("SELECT count(*) FROM results WHERE kind = 'apl'") == 1
    store.close()


def test_apl_from_a_user_od_matrix(built_db, tmp_path, monkeypatch):
    _db(built_db, tmp_path, monkeypatch)
    od = tmp_path / "od.csv"
    # three communes of the Cantal and an old code (13201 → Marseille) to be mapped
    od.write_text("origin,destination,minutes\n15014,15014,0\n15014,15187,12\n15187,15014,12\n15187,15187,0\n"
                  "13201,13055,3\n", encoding="utf-8")
    out = tmp_path / "apl_od.parquet"
    result = CliRunner().invoke(app, ["apl", "--od", str(od), "--out", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(out).set_index("code_commune")
    assert frame.loc["15014", "apl"] > 0 and frame.loc["15187", "apl"] > 0
    assert frame.loc["01001", "apl"] == 0  # no pair: no accessibility from this matrix
    bad = tmp_path / "bad.csv"
    bad.write_text("origin,destination,minutes\n15014,99999,5\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["apl", "--od", str(bad)])
    assert result.exit_code == 2 and "99999" in result.output


def test_nearest_and_coverage(built_db, tmp_path, monkeypatch):
    _db(built_db, tmp_path, monkeypatch)
    out = tmp_path / "urgences.csv"
    result = CliRunner().invoke(app, ["access", "nearest", "--category", "urgences", "--out", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, dtype={"code_commune": str}).set_index("code_commune")
    assert {"nearest_minutes", "second_minutes"} <= set(frame.columns)
    assert (frame["nearest_minutes"].dropna() <= frame["second_minutes"].dropna().reindex(
        frame["nearest_minutes"].dropna().index).fillna(1e9)).all()
    # coverage, checked against the nearest site of the same categories (another code path) and the
    # communes' legal population in the store
    cats = ["--category", "maison_sante", "--category", "centre_sante"]
    near_out, cov_out = tmp_path / "near.csv", tmp_path / "coverage.csv"
    result = CliRunner().invoke(app, ["access", "nearest", *cats, "--out", str(near_out)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["access", "coverage", *cats, "--minutes", "30", "--out", str(cov_out)])
    assert result.exit_code == 0, result.output
    near = pd.read_csv(near_out, dtype={"code_commune": str}).set_index("code_commune")["nearest_minutes"]
    cov = pd.read_csv(cov_out, dtype={"code_commune": str}).set_index("code_commune")
    assert len(cov) == 34_917 and set(cov["covered"].unique()) == {0.0, 1.0}
    within = (near.reindex(cov.index) <= 30).astype(float)  # no site reached (NaN): not covered
    assert (cov["covered"] == within).all()
    assert 0 < within.sum() < len(within)
    store = open_store(built_db, read_only=True)
    population = store.df("SELECT code_commune, population FROM territory_units").set_index("code_commune")
    population = population["population"]
    store.close()
    beyond = population.reindex(cov.index).astype(float).where(cov["covered"] == 0, 0.0)
    assert (cov["population_beyond"] == beyond).all()
    share = 1 - beyond.sum() / population.sum()
    prov = json.loads(cov_out.with_suffix(".csv.provenance.json").read_text())
    assert prov["part couverte"] == f"{share:.2%}" and prov["parameters"]["max_minutes"] == 30
    assert prov["population au-delà"] == f"{beyond.sum():,.0f}".replace(",", " ")
    assert prov["part couverte"] in result.output
