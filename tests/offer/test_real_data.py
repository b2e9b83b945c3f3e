"""Import the real public files of ../shared/data/real (the ``real_data`` fixture; never copied into the repo)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from accesoins.offer._csv import load_rules
from accesoins.offer.bpe import read_bpe
from accesoins.offer.finess import read_finess_atlasante
from accesoins.offer.generic import read_generic


def test_bpe_general_practitioners(real_communes, real_data):
    b = read_bpe(
        real_data / "bpe_medecins_generalistes_par_commune.csv",
        communes=real_communes,
        skip_unknown=True,
        vintage="2017",
    )
    raw = pd.read_csv(real_data / "bpe_medecins_generalistes_par_commune.csv", dtype={"CODGEO": str})
    # 9,529 lines for 9,528 distinct codes (58062 appears twice), 58,034 GPs
    assert len(raw) == 9529 and raw.CODGEO.nunique() == 9528 and raw.NB_D201.sum() == 58034
    assert any("en double" in w and "58062" in w for w in b.warnings)
    # 2017 codes of communes merged since are unknown under COG 2024: few, and reported
    assert 0 < len(b.rejected) < 0.05 * len(raw)
    rejected_gps = raw.loc[raw.index.isin(b.rejected.line - 2), "NB_D201"].sum()
    assert b.rows.quantity.sum() + rejected_gps == 58034
    assert set(b.rows.category) == {"medecin_generaliste"}
    # arrondissements were folded into Paris, Lyon, Marseille
    assert {"69123", "13055"} <= set(b.rows.code_commune)  # the file has no Paris rows
    assert b.rows.code_commune.is_unique


def test_bpe_maternities(real_communes, real_data):
    b = read_bpe(real_data / "bpe_maternites_par_commune.csv", communes=real_communes, skip_unknown=True)
    raw = pd.read_csv(real_data / "bpe_maternites_par_commune.csv", dtype={"CODGEO": str})
    assert len(raw) == 421  # the README says 420
    assert set(b.rows.category) == {"maternite"}
    assert (
        b.rows.quantity.sum() + raw.loc[raw.index.isin(b.rejected.line - 2), "NB_D107"].sum()
        == raw.NB_D107.sum()
    )
    assert len(b.rejected) < 20


def test_sirene_naf86_through_generic_wide_mapping(real_communes, real_data):
    wide = load_rules()["sources"]["sirene_naf86"]["wide_columns"]
    b = read_generic(
        real_data / "sirene_naf86_etablissements_par_commune.csv",
        communes=real_communes,
        skip_unknown=True,
        mapping={"code_commune": "codecommuneetablissement"},
        wide=wide,
        unit="sites",
        source="sirene_naf86",
        vintage="2019",
    )
    raw = pd.read_csv(
        real_data / "sirene_naf86_etablissements_par_commune.csv",
        sep=";",
        dtype={"codecommuneetablissement": str},
    )
    assert len(raw) == 20478
    # collectivities outside the territory: counted apart, not rejected
    assert b.outside_counts() == {
        "Polynésie française": 4, "Nouvelle-Calédonie": 2, "Saint-Pierre-et-Miquelon": 1,
        "Saint-Barthélemy": 1, "Saint-Martin": 1,
    }
    assert len(b.rejected) == 48 and not b.rejected.value.str[:3].isin(["975", "977", "978"]).any()
    kept = ~raw.index.isin(pd.concat([b.rejected.line, b.outside.line]) - 2)
    by_cat = b.rows.groupby("category").quantity.sum()
    assert by_cat["medecin_generaliste"] == raw.loc[kept, "generaliste"].sum()
    assert (
        by_cat["medecin_specialiste"]
        == raw.loc[kept, ["autre_specialiste", "radiologiste", "chirurgien"]].to_numpy().sum()
    )
    assert b.rows.quantity.sum() == raw.loc[kept].iloc[:, 1:].to_numpy().sum()
    assert len(b.rejected) < 0.02 * len(raw) and set(b.rows.unit) == {"sites"}


def _nearest_commune_locator(real_data):
    """locate(lat, lon) by nearest commune centre of the COG 2024 file (an approximation)."""
    c = pd.read_csv(real_data / "communes_cog2024.csv", dtype=str, keep_default_na=False)
    c = c[c.commune_type.isin(["COM", "ARM"]) & (c.lat != "")].drop_duplicates("insee_com")
    tree = cKDTree(np.c_[c.lat.astype(float), c.lng.astype(float)])
    codes = c.insee_com.to_numpy()

    def locate(lat: float, lon: float) -> str:
        return codes[tree.query([lat, lon])[1]]

    return locate


def test_finess_hospitals_2020(real_communes, real_data):
    b = read_finess_atlasante(
        real_data / "finess_hopitaux_2020.csv",
        communes=real_communes,
        locate=_nearest_commune_locator(real_data),
        skip_unknown=True,
    )
    raw = pd.read_csv(real_data / "finess_hopitaux_2020.csv", dtype=str)
    assert len(raw) == 5368  # the README says 5,367
    assert len(b.rows) + len(b.rejected) == len(raw)
    assert len(b.rejected) <= 5  # Saint-Pierre-et-Miquelon is not in the COG communes
    assert b.vintage == "2020-03-06"
    assert b.rows.site_id.str.len().eq(9).all()
    # nearest commune centre is an approximation: check the département only
    assert b.rows.loc[b.rows.site_id == "010000024", "code_commune"].item().startswith("01")
    assert (b.rows.code_commune.str[:2] == b.rows.site_id.str[:2]).mean() > 0.97
    cats = b.rows.category.value_counts()
    assert cats["hopital"] == 1297 + 367 + 215
    assert cats["psychiatrie"] == 1484
