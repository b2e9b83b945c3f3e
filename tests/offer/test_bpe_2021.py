"""BPE 2021+ nomenclature in its three layouts: Melodi communal, geolocated, legacy communal.

The Melodi and geolocated fixtures are written from INSEE's catalogue of its files
(see tests/fixtures/bpe_2021plus_fixtures.md); their headers are checked against it here.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from accesoins.errors import InputError
from accesoins.offer._csv import known_categories, load_rules
from accesoins.offer.bpe import read_bpe
from conftest import FIXTURES, write_variant

CATALOGUE = FIXTURES.parents[2] / "shared" / "data" / "formats" / "insee" / "doremifasol_liste_donnees.json"


def _catalogue(name):
    entries = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    return list(next(e for e in entries if e["nom"] == name)["type_col"])


def _totals(batch):
    return batch.rows.groupby("category")["quantity"].sum().to_dict()


def test_fixture_headers_are_insee_catalogue_columns():
    melodi = (FIXTURES / "DS_BPE_data.csv").read_text(encoding="utf-8").splitlines()[0].split(";")
    assert sorted(melodi) == sorted(_catalogue("BPE_ENS"))
    xy = (FIXTURES / "BPE23.csv").read_text(encoding="utf-8").splitlines()[0].split(";")
    assert xy == _catalogue("BPE_ENS_XY") and len(xy) == 74


def test_rules_every_health_type_has_a_label_and_a_known_category():
    bpe = load_rules()["sources"]["bpe"]
    assert set(bpe["typequ"]) == set(bpe["labels"])
    assert not set(bpe["typequ"]) & set(bpe["out_of_scope"])
    assert set(bpe["typequ"].values()) <= known_categories()
    assert all(str(v).strip() for v in [*bpe["labels"].values(), *bpe["out_of_scope"].values()])
    # both nomenclatures of GPs and pharmacies
    assert bpe["typequ"]["D265"] == bpe["typequ"]["D201"] == "medecin_generaliste"
    assert bpe["typequ"]["D307"] == bpe["typequ"]["D301"] == "pharmacie"
    assert bpe["labels"]["D265"] == "Médecin généraliste" and bpe["labels"]["D307"] == "Pharmacie"


def test_melodi_communal(real_communes):
    b = read_bpe(FIXTURES / "DS_BPE_data.csv", communes=real_communes)
    assert b.parameters["layout"] == "melodi" and b.vintage == "2023"
    assert _totals(b) == {
        "medecin_generaliste": 2870 + 1400 + 1 + 260,
        "pharmacie": 993 + 380 + 95,
        "maternite": 12,
        "infirmier": 150,
    }
    t = b.rows.set_index(["code_commune", "category"])["quantity"]
    assert t[("75056", "medecin_generaliste")] == 2870  # 2022 line and DEP/REG aggregates not added
    assert b.outside_counts() == {"Saint-Martin": 1, "Saint-Barthélemy": 1}
    assert b.out_of_scope == {"D401 Personnes âgées : hébergement": 120}
    assert len(b.rejected) == 0
    assert any("2022" in w and "2023" in w for w in b.warnings)
    assert any("DEP" in w and "REG" in w for w in b.warnings)
    assert any("A129" in w for w in b.warnings)


def test_no_gp_or_pharmacy_of_a_2021_file_is_lost(real_communes):
    """Every D265 / D307 of the file is stored or counted outside the territory."""
    b = read_bpe(FIXTURES / "DS_BPE_data.csv", communes=real_communes)
    raw = pd.read_csv(FIXTURES / "DS_BPE_data.csv", sep=";", dtype=str)
    raw.index = raw.index + 2  # physical line numbers
    com = raw[(raw.GEO_OBJECT == "COM") & (raw.TIME_PERIOD == "2023")]
    outside = set(b.outside.line)
    for typequ, category in (("D265", "medecin_generaliste"), ("D307", "pharmacie")):
        sel = com[com.FACILITY_TYPE == typequ]
        in_file = sel.OBS_VALUE.astype(int)
        stored = b.rows.loc[b.rows.category == category, "quantity"].sum()
        assert stored == in_file[~sel.index.isin(outside)].sum()
        assert stored + in_file[sel.index.isin(outside)].sum() == in_file.sum()


def test_geolocated_bpe23(real_communes):
    b = read_bpe(FIXTURES / "BPE23.csv", communes=real_communes)
    assert b.parameters["layout"] == "points" and b.vintage == "2023"
    assert len(b.rows) == 6
    assert _totals(b) == {"medecin_generaliste": 3, "pharmacie": 2, "infirmier": 1}
    r = b.rows.set_index("name")
    assert r.loc["PHARMACIE DU BARACHOIS", "code_commune"] == "97411"
    assert r.loc["PHARMACIE DU BARACHOIS", "lat"] == pytest.approx(-20.8784, abs=1e-4)
    assert r.loc["MAISON MEDICALE DU VIEUX PORT", "code_commune"] == "13055"  # arrondissement folded
    assert pd.isna(r.loc["CABINET MEDICAL", "lat"])  # Mayotte, _U quality, no coordinates
    assert b.outside_counts() == {"Saint-Martin": 1}
    assert b.out_of_scope == {"D502 Établissement d'accueil du jeune enfant": 1}
    assert any("sans coordonnées" in w for w in b.warnings)


def test_legacy_communal_with_2021_nomenclature(real_communes, tmp_path):
    """``bpe21_ensemble.csv`` layout (columns of INSEE's catalogue entry) with 2021+ types."""
    cols = _catalogue("TEST_BPE_NEXIST")
    rows = [("01001", "D265", "2"), ("01001", "D307", "1"), ("75115", "D265", "212"), ("75056", "D401", "3")]
    lines = [";".join(cols)]
    for depcom, typequ, nb in rows:
        v = dict.fromkeys(cols, "")
        v.update(AN="2021", DEPCOM=depcom, DEP=depcom[:2], TYPEQU=typequ, NB_EQUIP=nb, DOM="D", SDOM=typequ[:2])
        lines.append(";".join(v[c] for c in cols))
    path = tmp_path / "bpe21_ensemble.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    b = read_bpe(path, communes=real_communes)
    assert b.parameters["layout"] == "communal" and b.vintage == "2021"
    assert _totals(b) == {"medecin_generaliste": 214, "pharmacie": 1}
    assert b.out_of_scope == {"D401 Personnes âgées : hébergement": 3}


@pytest.mark.parametrize("fixture,line,field", [
    ("DS_BPE_data.csv", 3, "FACILITY_TYPE"),
    ("BPE23.csv", 3, "TYPEQU"),
])
def test_unknown_health_type_is_an_error_naming_it(real_communes, tmp_path, fixture, line, field):
    path = write_variant(tmp_path, FIXTURES / fixture,
                         lambda ls: [ls[0], ls[1], ls[2].replace(";D307;", ";D399;"), *ls[3:]])
    with pytest.raises(InputError) as err:
        read_bpe(path, communes=real_communes)
    assert "D399" in err.value.message and "rules/categories.yaml" in err.value.message
    assert err.value.line == line and err.value.field == field


@pytest.mark.parametrize("value", ["3000000000", "1e308", "-4"])
def test_quantities_outside_plausible_bounds(real_communes, tmp_path, value):
    path = write_variant(tmp_path, FIXTURES / "DS_BPE_data.csv",
                         lambda ls: [*ls[:3], ls[3].rsplit(";", 1)[0] + ";" + value, *ls[4:]])
    with pytest.raises(InputError) as err:
        read_bpe(path, communes=real_communes)
    assert err.value.line == 4 and err.value.field == "OBS_VALUE"
    assert "DS_BPE_data.csv" in str(err.value)


def test_large_files_are_streamed_with_the_same_result(real_communes, monkeypatch, tmp_path):
    """National files (1.5 GB geolocated BPE) are pre-filtered while streamed; same rows, same lines."""
    import zipfile

    from accesoins.offer import bpe

    plain = {f: read_bpe(FIXTURES / f, communes=real_communes) for f in ("BPE23.csv", "DS_BPE_data.csv")}
    monkeypatch.setattr(bpe, "_STREAM_ABOVE", 0)
    for f, b in plain.items():
        s = read_bpe(FIXTURES / f, communes=real_communes)
        pd.testing.assert_frame_equal(s.rows, b.rows)
        assert s.outside.line.tolist() == b.outside.line.tolist() and s.out_of_scope == b.out_of_scope
    # INSEE's Melodi archive: DS_BPE_data.csv beside DS_BPE_metadata.csv
    z = tmp_path / "DS_BPE_CSV_FR.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(FIXTURES / "DS_BPE_data.csv", "DS_BPE_data.csv")
        zf.writestr("DS_BPE_metadata.csv", "COD_VAR;LIB_VAR\nGEO;Code géographique\n")
    assert _totals(read_bpe(z, communes=real_communes)) == _totals(plain["DS_BPE_data.csv"])
    bad = write_variant(tmp_path, FIXTURES / "BPE23.csv",
                        lambda ls: [*ls[:5], ls[5].replace(";D307;", ";D399;"), *ls[6:]])
    with pytest.raises(InputError) as err:
        read_bpe(bad, communes=real_communes)
    assert err.value.line == 6 and "D399" in err.value.message
