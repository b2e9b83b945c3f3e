"""Address and telephone of FINESS establishments kept for orientation (Etalab 2026, AtlaSanté)."""

from __future__ import annotations

import json

import pandas as pd

from accesoins.offer.contact import atlas_contact, french_phone
from accesoins.offer.finess import read_finess
from conftest import FIXTURES

EXCERPT = FIXTURES.parents[2] / "shared" / "data" / "formats" / "finess" / "etalab-cs1100502-stock-20260512-excerpt.csv"


def test_etalab_excerpt_keeps_address_and_phone(real_communes):
    rows = read_finess(EXCERPT, communes=real_communes).rows.set_index("site_id")
    attrs = {k: json.loads(v) for k, v in rows["attributes"].items()}
    assert attrs["010000024"]["adresse"] == "900 RTE DE PARIS, 01440 VIRIAT"
    assert attrs["010000024"]["telephone"] == "04 74 45 46 47"
    # no street number nor street: the post-office box and the delivery line remain
    assert attrs["970300026"]["adresse"] == "AV ALEXIS BLAISE, BP 6006, 97306 CAYENNE CEDEX"
    assert attrs["970300026"]["telephone"] == "05 94 39 50 50"


def test_phone_numbers_french_or_nothing():
    got = french_phone(pd.Series(["0474454647", "474454647", "04.74.45.46.47", "12", None, "+33474454647"]))
    assert got.tolist() == ["04 74 45 46 47", "04 74 45 46 47", "04 74 45 46 47", "", "", ""]


def test_atlasante_rows():
    f = pd.DataFrame({"house_number": ["900", ""], "street": ["ROUTE DE PARIS", "CHEMIN DES NIVRES"],
                      "postcode": ["01440", "01190"], "city": ["VIRIAT", "PONT DE VAUX"], "tel": ["474454647", ""]})
    assert atlas_contact(f).to_dict("records") == [
        {"adresse": "900 ROUTE DE PARIS, 01440 VIRIAT", "telephone": "04 74 45 46 47"},
        {"adresse": "CHEMIN DES NIVRES, 01190 PONT DE VAUX", "telephone": ""}]
