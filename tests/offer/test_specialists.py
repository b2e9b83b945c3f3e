"""Access to specialists from an RPPS extraction in the published format (issue 15, part 1).

The RPPS file is written from the real extraction's header and médecin line (rpps_specialists.py);
the store is the national territory with the demonstration offer.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from rpps_specialists import write_specialists

from accesoins.errors import NotBuiltError, ParameterError
from accesoins.indicators.specialists import access_table, territories_without
from accesoins.offer.specialties import code_to_specialty, followed, official_label, specialty_rules
from accesoins.services.data.imports import import_file
from accesoins.services.observatory.specialists import (
    HOW_TO_IMPORT,
    build_specialists,
    ensure_specialists,
    nearest_places,
    observatory,
    portrait,
    status,
)


def test_nomenclature_is_the_official_one_and_groups_are_disjoint():
    rules = specialty_rules()
    assert rules["nomenclature"]["version"] == "20260730120000" and rules["nomenclature"]["url"].startswith(
        "https://mos.esante.gouv.fr/NOS/TRE_R38")
    assert official_label("SM57") == "Allergologie" and official_label("SM04") == "Cardiologie et Maladies vasculaires"
    codes = [c for s in followed().values() for c in s["codes"]]
    assert len(codes) == len(set(codes)) and all(official_label(c) for c in codes)
    # general practice and the DREES particular practices are GPs, never a followed specialty
    assert not {"SM26", "SM53", "SM54", "SM18", "SM29"} & set(code_to_specialty())


def test_access_table_rolls_up_with_the_cap_and_distinct_professionals():
    pop = pd.Series([1000.0, 3000.0, 500.0, 0.0], index=["a", "b", "c", "d"])
    minutes = pd.Series([5.0, 40.0, float("nan"), 70.0], index=pop.index)
    where = pd.Series(["a", "a", None, "a"], index=pop.index)
    people = pd.DataFrame({"pp": ["1", "1", "2"], "code_commune": ["a", "b", "a"]})
    dep = pd.Series(["X", "X", "Y", "Y"], index=pop.index)
    t = access_table(pop, minutes, where, people, {"departement": dep}, cap=180.0).set_index(["level", "code"])
    x = t.loc[("departement", "X")]
    assert x["professionals"] == 2 and x["population"] == 4000  # professional 1 counted once
    assert x["minutes"] == pytest.approx((5 * 1000 + 40 * 3000) / 4000)
    assert (x["beyond_30"], x["beyond_45"], x["beyond_60"]) == (3000, 0, 0)
    y = t.loc[("departement", "Y")]
    assert y["professionals"] == 0 and y["minutes"] == pytest.approx(180.0)  # no time: counted at the cap
    assert (y["beyond_30"], y["beyond_60"]) == (500, 500)
    assert t.loc[("commune", "a"), "density"] == pytest.approx(2 / 1000 * 100_000)
    assert math.isnan(t.loc[("commune", "d"), "density"])
    assert territories_without(t.reset_index()) == ["Y"]


def test_without_rpps_import_pages_say_how_to_import(store_copy):
    st = status(store_copy)
    assert not st["imported"] and not st["built"] and st["message"] == HOW_TO_IMPORT
    assert observatory(store_copy, "cardiologie")["rows"] == []
    assert portrait(store_copy, "commune", "15014")["rows"] == []
    with pytest.raises(NotBuiltError, match="accesoins import rpps"):
        build_specialists(store_copy)


def test_specialists_from_the_rpps_extraction(store_copy, tmp_path):
    path = write_specialists(tmp_path / "PS_LibreAcces_Personne_activite_202601050000.txt")
    import_file(store_copy, "rpps", path)
    assert status(store_copy)["message"].startswith("L'Annuaire santé est importé")
    report = ensure_specialists(store_copy)  # what `accesoins build` runs after the observatory
    assert ensure_specialists(store_copy) is None  # current: nothing to do
    st = status(store_copy)
    assert st["built"] and not st["is_demo"] and "2026-01-05" in st["vintages"]["offre"][0] and "stale" not in st
    # allergology only in the Puy-de-Dôme: the Cantal, the Haute-Loire and the Lozère have none
    assert {"15", "43", "48"} <= set(report["specialites"]["allergologie"]["departements_sans"])
    assert "63" not in report["specialites"]["allergologie"]["departements_sans"]
    cardio = {r["code"]: r for r in observatory(store_copy, "cardiologie")["rows"]}
    cantal = cardio["15"]
    # SM04 and SM73 are both cardiology; professional 3 practises in two places of the Cantal
    assert cantal["professionals"] == 3
    assert cantal["density"] == pytest.approx(3 / cantal["population"] * 100_000)
    assert cantal["population"] >= cantal["beyond_30"] >= cantal["beyond_45"] >= cantal["beyond_60"] >= 0
    assert cantal["beyond_30"] > 0 and cardio["75"]["beyond_30"] == 0
    block = {r["specialty"]: r for r in portrait(store_copy, "commune", "15014")["rows"]}
    assert 0 < block["cardiologie"]["minutes"] < 10 and block["cardiologie"]["site_commune"] == "15014"
    assert block["allergologie"]["site_commune"] == "63113" and block["allergologie"]["minutes"] > 60
    assert block["allergologie"]["beyond_60"] == block["allergologie"]["population"]
    # the GP line (SM54) is not a specialist
    assert sum(r["professionals"] for r in block.values()) == 3
    without = [d["code"] for d in observatory(store_copy, "allergologie")["without"]]
    assert "15" in without and "63" not in without


def test_find_a_specialist_near_me(store_copy, tmp_path):
    import_file(store_copy, "rpps", write_specialists(tmp_path / "PS_LibreAcces_Personne_activite_202601050000.txt"))
    out = nearest_places(store_copy, "cardiologie", "15000")  # a postcode: Aurillac
    assert out["commune"]["code_commune"] == "15014"
    places = out["places"]
    assert [p["code_commune"] for p in places][:2] == ["15014", "15187"]
    assert places[0]["minutes"] < places[1]["minutes"] and places[0]["specialists"] == 3
    assert "CABINET FICTIF A" in places[0]["structures"]
    assert "médecin traitant" in out["advice"]["text"] and out["advice"]["source"]["url"].startswith("https://")
    assert nearest_places(store_copy, "allergologie", "Aurillac")["places"][0]["code_commune"] == "63113"
    with pytest.raises(ParameterError, match="spécialité"):
        nearest_places(store_copy, "astrologie", "Aurillac")
