"""Issue 12 items 8-9 at the reader and export level: each error names file, line and field in French."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from accesoins.errors import InputError
from accesoins.offer.bpe import read_bpe
from accesoins.offer.generic import read_generic
from accesoins.services.observatory.exports import neutralise, spreadsheet_safe
from accesoins.territory.codes import CommuneIndex

COMMUNES = CommuneIndex(frozenset({"15014", "15012", "13055", "75056"}), {})


def test_a_point_at_sea_is_reported_as_such(tmp_path):
    f = tmp_path / "offre.csv"
    # 43.0 N, 4.6 E: the Gulf of Lion, inside metropolitan France's bounding box, in no commune
    f.write_text("code_commune,latitude,longitude,categorie,etp,nom\n"
                 ",43.2965,5.3698,infirmier,1.5,Cabinet du Vieux-Port\n"
                 ",43.0000,4.6000,infirmier,1.0,Bateau\n", encoding="utf-8")
    located = {(43.2965, 5.3698): "13055"}
    with pytest.raises(InputError) as e:
        read_generic(f, communes=COMMUNES, locate=lambda lat, lon: located.get((lat, lon)))
    msg = str(e.value)
    assert "en mer" in msg and "vide" not in msg and "--skip-unknown" in msg
    assert e.value.line == 3 and e.value.field == "latitude" and e.value.file == str(f)


def test_unknown_commune_suggests_the_cli_option(tmp_path):
    f = tmp_path / "bpe.csv"
    f.write_text("CODGEO;LIBGEO;NB_D201\n15014;Aurillac;3\n99999;Nulle part;2\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_bpe(f, communes=COMMUNES)
    assert "--skip-unknown" in str(e.value) and "skip_unknown=True" not in str(e.value)
    assert e.value.line == 3


def test_unclosed_quote_names_line_and_field(tmp_path):
    f = tmp_path / "bpe.csv"
    f.write_text('CODGEO;LIBGEO;NB_D201\n15014;Aurillac;3\n15012;"Arpajon;2\n15187;Saint-Flour;4\n', encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_bpe(f, communes=COMMUNES)
    assert "guillemet" in str(e.value) and e.value.line == 3 and e.value.field == "LIBGEO"


def test_carriage_return_prefix_is_neutralised():
    assert neutralise("\rx") == "'\rx" and neutralise("Clinique") == "Clinique" and neutralise(3.5) == 3.5


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tx"])
def test_export_neutralises_formula_prefixes(cell):
    assert neutralise(cell) == "'" + cell
    frame = pd.DataFrame({"nom": [cell, "Clinique"], "quantite": [-1.5, 2.0]})
    out = pd.read_csv(io.StringIO(spreadsheet_safe(frame).to_csv(index=False)), keep_default_na=False)
    assert out["nom"][0].startswith("'") and out["nom"][1] == "Clinique"
    assert out["quantite"].tolist() == [-1.5, 2.0]  # numbers stay numbers
