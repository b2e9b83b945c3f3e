"""Scenario validation and application; installation rules with their figures."""

from __future__ import annotations

import pandas as pd
import pytest

from accesoins.errors import ParameterError
from accesoins.planning.installation import (
    check_gp_zoning,
    check_one_for_one,
    check_pharmacy_aid,
    check_pharmacy_opening,
    pharmacy_quota,
)
from accesoins.planning.scenario import apply_to_supply, compare, teleconsultation_mix, validate_scenario


def test_unknown_keys_are_refused():
    with pytest.raises(ParameterError, match="inconnue"):
        validate_scenario({"name": "a", "retirement": 60})
    with pytest.raises(ParameterError, match="inconnue"):
        validate_scenario({"name": "a", "installations": [{"commune": "1", "category": "x", "n": 1}]})
    with pytest.raises(ParameterError, match="teleconsultation"):
        validate_scenario({"name": "a", "teleconsultation_share": 0.5})
    with pytest.raises(ParameterError, match="catégorie inconnue"):
        validate_scenario({"name": "a", "closures": [{"commune": "1", "category": "x"}]}, categories={"y"})


def test_scenario_changes_supply():
    rows = pd.DataFrame({"site": ["a", "a", "b"], "quantity": 1.0, "age": [70, 50, 66],
                         "activity": [5000.0, 4000.0, 3000.0]})
    scen = validate_scenario({"name": "s", "gp_retirement_age": 65,
                              "installations": [{"commune": "c", "category": "medecin_generaliste", "count": 2}],
                              "medical_assistants": {"share": 1.0}})
    out, notes = apply_to_supply(rows, "medecin_generaliste", scen)
    assert list(out["site"]) == ["a", "c", "c"]
    assert out["activity"].iloc[0] == pytest.approx(4000 * 1.195)
    assert out["activity"].iloc[1:].isna().all()
    assert any("2 médecin(s) de plus de 65 ans" in n for n in notes)
    closed, _ = apply_to_supply(pd.DataFrame({"site": ["a", "b"], "quantity": [3.0, 1.0]}), "urgences",
                                validate_scenario({"name": "s", "closures": [{"commune": "a", "category": "urgences",
                                                                              "count": 2}]}))
    assert closed.set_index("site")["quantity"].to_dict() == {"a": 1.0, "b": 1.0}


def test_teleconsultation_and_compare():
    apl = pd.Series({"a": 1.0, "b": 3.0})
    pop = pd.Series({"a": 100.0, "b": 100.0})
    mixed = teleconsultation_mix(apl, pop, 0.2)
    assert mixed["a"] == pytest.approx(0.8 + 0.4) and (mixed * pop).sum() == pytest.approx((apl * pop).sum())
    frame, by = compare(apl, mixed, pd.DataFrame({"dep": {"a": "1", "b": "1"}}), pop)
    assert frame.loc["a", "difference"] == pytest.approx(0.2)
    assert by["dep"].loc["1", "difference"] == pytest.approx(0.0)


@pytest.mark.parametrize("pop,dep,allowed", [(2499, "15", 0), (2500, "15", 1), (6999, "15", 1), (7000, "15", 2),
                                             (11500, "15", 3), (3499, "57", 0), (3500, "67", 1)])
def test_pharmacy_quota(pop, dep, allowed):
    assert pharmacy_quota(pop, departement=dep)[1] == allowed


def test_pharmacy_answers_cite_l5125_4():
    a = check_pharmacy_opening(population=7200, existing=1, departement="15")
    assert a["decision"] == "autorisé" and a["figures"]["allowed"] == 2
    assert "L5125-4" in a["rules"][0]["source"]["title"]
    assert check_pharmacy_opening(population=1200, existing=0, departement="15")["decision"] == "refusé"
    assert check_pharmacy_opening(population=1200, existing=0, departement="15",
                                  last_pharmacy_served=2600)["decision"] == "autorisé"
    assert check_pharmacy_opening(population=900, existing=0, departement="15",
                                  fragile_group=[2100, 500])["decision"] == "autorisé"


def test_one_for_one_and_aids():
    assert check_one_for_one(profession="masseur_kinesitherapeute", zone="non_prioritaire")["decision"] == "refusé"
    assert check_one_for_one(profession="masseur_kinesitherapeute", zone="non_prioritaire",
                             departures=1)["decision"] == "autorisé"
    assert check_one_for_one(profession="infirmier", zone="intermediaire")["decision"] == "autorisé"
    assert check_one_for_one(profession="sage_femme", zone=None)["decision"] == "à vérifier"
    with pytest.raises(ParameterError):
        check_one_for_one(profession="medecin_generaliste", zone="sur_dotee")
    aid = dict(pharmacies_in_commune=1, turnover_euros=800_000, fragile_territory=True, gp_underserved=None)
    assert check_pharmacy_aid(**aid, gp_apl=2.0)["decision"] == "éligible"
    assert check_pharmacy_aid(**{**aid, "turnover_euros": 1_200_000}, gp_apl=2.0)["decision"] == "non éligible"
    assert check_pharmacy_aid(**{**aid, "pharmacies_in_commune": 2}, gp_apl=2.0)["decision"] == "non éligible"
    assert check_gp_zoning(gp_apl_65=2.49)["decision"] == "éligible"
    assert check_gp_zoning(gp_apl_65=2.5)["decision"] == "à vérifier"
