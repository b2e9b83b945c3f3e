"""Each importer reads its fixture correctly: totals, remapping, coordinates, provenance."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from accesoins.offer.batch import OFFER_COLUMNS, POPULATION_COLUMNS
from accesoins.offer.bpe import read_bpe
from accesoins.offer.finess import finess_commune_code, read_finess
from accesoins.offer.generic import read_generic
from accesoins.offer.population import AGE_BANDS, read_population_by_age
from accesoins.offer.rpps import read_rpps


def _totals(batch):
    return batch.rows.groupby(["code_commune", "category"])["quantity"].sum().to_dict()


def test_bpe_communal_counts(communes, fixtures):
    b = read_bpe(fixtures / "bpe_ensemble_communes.csv", communes=communes)
    assert list(b.rows.columns) == OFFER_COLUMNS and b.kind == "offer" and b.source == "bpe"
    assert b.vintage == "2021" and b.parameters["layout"] == "communal"
    t = _totals(b)
    assert t[("75056", "medecin_generaliste")] == 64 + 212
    assert t[("13055", "medecin_generaliste")] == 48 + 131
    assert t[("01001", "medecin_generaliste")] == 3  # duplicated line summed
    assert t[("50129", "medecin_generaliste")] == 16  # two merged communes
    assert ("01001", "A101") not in t and not (b.rows.category == "A101").any()
    assert set(b.rows.unit) == {"count"}
    assert any("en double" in w and "01001" in w for w in b.warnings)
    assert any("double compte" in w for w in b.warnings)  # 74011 → 74010 also listed directly
    assert {"75101", "75115", "50602", "74011"} <= set(b.remapped.old_code)
    assert b.remapped.loc[b.remapped.old_code == "50602", "line"].tolist() == [20]


def test_bpe_wide(communes, fixtures):
    b = read_bpe(fixtures / "bpe_wide_medecins.csv", communes=communes, vintage="2017")
    assert b.parameters["layout"] == "wide" and b.parameters["separator"] == ","
    assert b.rows.quantity.sum() == 1 + 24 + 97 + 64 + 212 + 131 + 55 + 201 + 9 + 3
    assert _totals(b)[("01004", "medecin_generaliste")] == 27
    assert b.vintage == "2017"


def test_bpe_points_reprojected(communes, fixtures):
    b = read_bpe(fixtures / "bpe18_ensemble_xy.csv", communes=communes)
    assert b.parameters["layout"] == "points" and b.parameters["encoding"] == "cp1252"
    assert len(b.rows) == 11
    r = b.rows.set_index(
        b.rows.attributes.map(lambda a: json.loads(a)["qualite_xy"]) + b.rows.code_commune
    )
    assert r.loc["Bonne97411", "lat"] == pytest.approx(-20.8823, abs=1e-4)
    assert r.loc["Bonne97411", "lon"] == pytest.approx(55.4504, abs=1e-4)
    assert r.loc["Acceptable97101", "lon"] == pytest.approx(-61.5331, abs=1e-4)
    assert r.loc["Bonne2A004", "lat"] == pytest.approx(41.9192, abs=1e-4)
    assert r.loc["Non géolocalisé01001", "lat"] != r.loc["Non géolocalisé01001", "lat"]  # NaN
    assert any("sans coordonnées" in w for w in b.warnings)


def test_finess_stock(communes, fixtures):
    b = read_finess(fixtures / "etalab-cs1100507-stock-20240112-0336.csv", communes=communes)
    assert b.vintage == "2024-01-12" and b.source == "finess"
    rows = b.rows.set_index("site_id")
    assert len(rows) == 7  # the EHPAD (500) is not care offer we measure
    assert rows.loc["010000024", "code_commune"] == "01451"
    assert rows.loc["2A0000014", "code_commune"] == "2A004"
    assert rows.loc["970100012", "code_commune"] == "97101"
    assert rows.loc["970407718", "code_commune"] == "97411"
    assert rows.loc["750100125", "code_commune"] == "75056"
    assert rows.loc["500000011", "code_commune"] == "50129"
    assert rows.loc["970100012", "lat"] == pytest.approx(16.2460, abs=1e-4)
    assert rows.loc["970407718", "lon"] == pytest.approx(55.4480, abs=1e-4)
    assert rows.loc["010000024", "lon"] == pytest.approx(5.20879, abs=1e-4)
    assert rows.loc["750100125", "name"] == "GROUPE HOSPITALIER PITIÉ-SALPÊTRIÈRE"  # cp1252 decoded
    assert rows.loc["130000001", "category"] == "maison_sante"
    assert json.loads(rows.loc["970407718", "attributes"])["categetab"] == "620"
    assert set(b.rows.unit) == {"sites"}


def test_finess_commune_code():
    dep = pd.Series(["01", "2A", "9A", "9D", "9F", "75"])
    com = pd.Series(["451", "004", "101", "411", "611", "113"])
    assert finess_commune_code(dep, com).tolist() == [
        "01451",
        "2A004",
        "97101",
        "97411",
        "97611",
        "75113",
    ]


def test_rpps(communes, fixtures):
    b = read_rpps(fixtures / "PS_LibreAcces_Personne_activite_202401150930.txt", communes=communes)
    assert b.vintage == "2024-01-15" and b.source == "rpps"
    t = b.rows.groupby("category").size().to_dict()
    # DREES scope: SM54 libéral ×2 (one duplicated line); the voluntary SM26 (line 11) and the
    # salaried SM54 outside a centre de santé (line 13) are GPs out of scope, counted, not stored
    assert t["medecin_generaliste"] == 2
    assert b.parameters["comptes"]["generalistes_hors_perimetre_drees"] == 2
    assert t["medecin_specialiste"] == 1
    assert "Audioprothésiste" not in set(b.rows.name)
    r = b.rows.set_index("site_id")
    assert "10001234575" not in r.index and "10001234577" not in r.index
    cardio = json.loads(r.loc["10001234568", "attributes"])
    assert cardio["mode"] == "salarié" and cardio["specialite"] == "SM04" and cardio["perimetre_apl"] is False
    assert r.loc["10001234574", "code_commune"] == "74010"
    assert len(b.rejected) == 0


@pytest.mark.parametrize(
    "name,layout", [("BTT_TD_POP1B_2018.csv", "long"), ("BTX_TD_POP1B_2018.csv", "wide")]
)
def test_population(communes, fixtures, name, layout):
    b = read_population_by_age(fixtures / name, communes=communes)
    assert b.kind == "population_by_age" and list(b.rows.columns) == POPULATION_COLUMNS
    assert b.parameters["layout"] == layout and b.vintage == "2018"
    per = b.rows.groupby("code_commune").age_band.apply(list)
    assert all(v == AGE_BANDS for v in per)
    raw = pd.read_csv(
        fixtures / name,
        sep=";",
        dtype={"CODGEO": str},
        encoding="cp1252" if layout == "long" else "utf-8",
    )
    if layout == "long":
        raw = raw[raw.NIVGEO == "COM"]
        expected = raw.NB.sum()
        # ages 90..100 of both sexes go to 90+
        e90 = raw[(raw.CODGEO == "01001") & (raw.AGED100 >= 90)].NB.sum()
        got = b.rows.query("code_commune == '01001' and age_band == '90+'").population.item()
        assert got == pytest.approx(e90)
        assert "74010" in set(b.rows.code_commune)
    else:
        expected = raw.iloc[:, 2:].to_numpy().sum()
    assert b.rows.population.sum() == pytest.approx(expected)


def test_generic_codes(communes, fixtures):
    b = read_generic(fixtures / "generic_offre.csv", communes=communes, vintage="2024")
    assert len(b.rows) == 8 and set(b.rows.unit) == {"count"}
    assert b.rows.quantity.sum() == pytest.approx(26.5)
    assert (
        b.rows.loc[b.rows.name == "Maison médicale de Tourlaville", "code_commune"].item()
        == "50129"
    )
    assert json.loads(b.rows.attributes[0]) == {"commentaire": "ouvert le samedi"}


def test_generic_coordinates_with_bom_and_etp(communes, fixtures, locate):
    b = read_generic(fixtures / "generic_coords_etp.csv", communes=communes, locate=locate)
    assert set(b.rows.unit) == {"fte"} and b.parameters["separator"] == ","
    assert b.rows.code_commune.tolist() == ["75056", "13055", "97411", "2A004"]


def test_generic_wide_and_constant_category(communes, fixtures, tmp_path):
    b = read_generic(
        fixtures / "generic_wide.csv",
        communes=communes,
        mapping={"code_commune": "commune"},
        wide={"MG": "medecin_generaliste", "IDE": "infirmier", "KINE": "masseur_kinesitherapeute"},
    )
    assert _totals(b)[("74010", "medecin_generaliste")] == 2 and b.rows.quantity.sum() == 40 - 0
    p = tmp_path / "pharma.csv"
    p.write_text("CODGEO;NB\n75115;3\n01001;1\n", encoding="utf-8")
    b = read_generic(
        p,
        communes=communes,
        mapping={"code_commune": "CODGEO", "nombre": "NB"},
        category="pharmacie",
    )
    assert set(b.rows.category) == {"pharmacie"} and b.rows.quantity.sum() == 4


def test_zip_input(communes, fixtures, tmp_path):
    import zipfile

    z = tmp_path / "BTT_TD_POP1B_2018.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(fixtures / "BTT_TD_POP1B_2018.csv", "BTT_TD_POP1B_2018.csv")
    assert len(read_population_by_age(z, communes=communes).rows) == 4 * 19
