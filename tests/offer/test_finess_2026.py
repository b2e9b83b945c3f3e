"""FINESS in its 2026 forms: the Etalab stock extraction of 12 May 2026 and FINESS+ JSON."""

from __future__ import annotations

import json
import math
import zipfile

import pytest

from accesoins.errors import InputError
from accesoins.offer._proj import finess_epsg
from accesoins.offer.finess import finess_commune_code, read_finess
from accesoins.offer.finess_plus import read_finess_plus
from conftest import FIXTURES

FORMATS = FIXTURES.parents[2] / "shared" / "data" / "formats" / "finess"
EXCERPT = FORMATS / "etalab-cs1100502-stock-20260512-excerpt.csv"
PLUS = FIXTURES / "finess_plus_structures_fixture.json"

# geolocalisation lines in the 2026 forms of sourcecoordet (five tokens, CRS last); the
# Lambert-93 coordinates of the CH de Fleyriat are those of the 2026 extraction.
GEO_2026 = [
    "geolocalisation;010000024;870262.2;6571540.8;1,ATLASANTE,96,BAN,"
    "EPSG:2154 RGF93 / Lambert-93 (Métropole);2026-05-04",
    "geolocalisation;970300026;352980.2;545868.9;2,ATLASANTE,91,BAN,"
    "EPSG:2972 RGFG95/UTM zone 22N (Guyane);2026-05-04",
    "geolocalisation;970400024;338811.2;7690101.4;1,ATLASANTE,97,BAN,"
    "EPSG:2975 RGR92/UTM zone 40S (La Réunion);2026-05-04",
    "geolocalisation;980600027;589418.8;8531475.3;4,ATLASANTE,.,MAPS 06-11-2024,"
    "WGS84/UTM zone 1S (Wallis-et-Futuna);2026-05-04",
]


def test_crs_names_of_2026_and_before():
    assert finess_epsg("EPSG:2154 RGF93 / Lambert-93 (Métropole)") == 2154
    assert finess_epsg("EPSG:5490 RGAF09/UTM Zone 20N (Antilles)") == 5490
    assert finess_epsg("WGS84/UTM zone 21N (Saint-Pierre-et-Miquelon)") == 32621
    assert finess_epsg("WGS84/UTM zone 1S (Wallis-et-Futuna)") == 32701
    assert finess_epsg("LAMBERT_93") == 2154 and finess_epsg("UTM_S40") == 2975
    assert math.isnan(finess_epsg("GAUSS_LABORDE"))


def test_finess_departement_codes():
    import pandas as pd

    codes = finess_commune_code(pd.Series(["01", "9A", "9A", "9D", "9F", "9J", "2A", "9E"]),
                                pd.Series(["451", "123", "127", "411", "606", "613", "004", "502"]))
    assert codes.tolist() == ["01451", "97123", "97127", "97411", "97606", "98613", "2A004", "97502"]


def test_etalab_2026_excerpt(real_communes):
    b = read_finess(EXCERPT, communes=real_communes)
    assert b.vintage == "2026-05-12"
    rows = b.rows.set_index("site_id")
    assert rows.code_commune.to_dict() == {"010000024": "01451", "970300026": "97302", "970400024": "97411",
                                           "970409645": "97408"}
    assert rows.category.to_dict() == {"010000024": "hopital", "970300026": "hopital", "970400024": "hopital",
                                       "970409645": "autre_sante"}  # 146, alternative à la dialyse
    # Saint-Barthélemy (9A/123), Saint-Martin (9A/127, twice) and Wallis (9J): counted, not errors
    assert b.outside_counts() == {"Saint-Martin": 2, "Saint-Barthélemy": 1, "Wallis-et-Futuna": 1}
    assert b.outside.line.tolist() == [3, 4, 5, 13]
    assert len(b.rejected) == 0
    assert any(w.startswith("6 établissements d'autres catégories") for w in b.warnings)


def test_etalab_2026_geolocalisation_forms(real_communes, tmp_path):
    path = tmp_path / EXCERPT.name
    path.write_text(EXCERPT.read_text(encoding="utf-8") + "\n".join(GEO_2026) + "\n", encoding="utf-8")
    b = read_finess(path, communes=real_communes)
    rows = b.rows.set_index("site_id")
    assert rows.loc["010000024", "lon"] == pytest.approx(5.20918, abs=1e-4)
    assert rows.loc["010000024", "lat"] == pytest.approx(46.22229, abs=1e-4)
    assert rows.loc["970300026", "lat"] == pytest.approx(4.9372, abs=1e-4)
    assert rows.loc["970400024", "lon"] == pytest.approx(55.4504, abs=1e-4)
    assert b.parameters["crs"] == [2154, 2972, 2975]
    assert b.outside_counts()["Wallis-et-Futuna"] == 1  # its UTM 1S point is not placed


def test_etalab_unknown_crs_names_line_and_field(real_communes, tmp_path):
    path = tmp_path / EXCERPT.name
    bad = GEO_2026[0].replace("EPSG:2154 RGF93 / Lambert-93 (Métropole)", "NTF / Lambert II étendu")
    path.write_text(EXCERPT.read_text(encoding="utf-8") + bad + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_finess(path, communes=real_communes)
    assert err.value.line == 16 and err.value.field == "sourcecoordet"
    assert "Lambert II" in err.value.message


def test_finess_plus_fixture(real_communes):
    header = json.loads(PLUS.read_text(encoding="utf-8"))
    assert "schema" in header["_comment"] and "written for the tests" in header["_comment"]
    for reader in (read_finess, read_finess_plus):  # read_finess detects JSON
        b = reader(PLUS, communes=real_communes)
        assert b.vintage == "2026-03-09" and b.parameters["layout"] == "finess_plus_json"
        rows = b.rows.set_index("site_id")
        assert rows.category.to_dict() == {
            "010780195": "etablissement_soins", "750000011": "pharmacie", "150000011": "maison_sante",
            "970400011": "centre_sante", "970400012": "centre_sante",
        }
        assert rows.loc["750000011", "code_commune"] == "75056"  # arrondissement 75110
        assert rows.loc["010780195", "lat"] == pytest.approx(46.211257)
        assert math.isnan(rows.loc["970400012", "lat"])
        assert b.outside_counts() == {"Saint-Martin": 1, "Wallis-et-Futuna": 1}
        assert any(w.startswith("1 sites fermés") for w in b.warnings)
        assert any(w.startswith("1 sites d'autres catégories") for w in b.warnings)


def test_finess_plus_in_a_zip(real_communes, tmp_path):
    z = tmp_path / "finess-structures.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(PLUS, "finess-structures-journalier-20260309.json")
    assert len(read_finess(z, communes=real_communes).rows) == 5
    import gzip

    gz = tmp_path / "finess-structures.json.gz"
    gz.write_bytes(gzip.compress(PLUS.read_bytes()))
    assert len(read_finess(gz, communes=real_communes).rows) == 5


@pytest.mark.parametrize("mutate,field", [
    (lambda t: t[: len(t) // 2], "pmej["),
    (lambda t: t.replace('"750000011"', '"75-0011"'), "pmej[2].ege[0].informationsGeneralesEGE.numFinessEge"),
    (lambda t: t.replace('"75110"', '"99999"'), "pmej[2].ege[0].adresse[0].cogCommune"),
    (lambda t: t.replace('"48.876"', '"4x.876"'), "pmej[2].ege[0].adresse[0].coordonneesGeographique"),
])
def test_finess_plus_bad_input_names_the_record(real_communes, tmp_path, mutate, field):
    path = tmp_path / "structures.json"
    path.write_text(mutate(PLUS.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_finess_plus(path, communes=real_communes)
    assert err.value.field.startswith(field) and err.value.file == str(path)
