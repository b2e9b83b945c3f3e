"""APL: rules file completeness and hand-computed official-method cases."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from accesoins.access import apl, load_apl_rules
from accesoins.access.apl import APPROXIMATION
from accesoins.access.rules import RULE_KEYS, iter_rules
from accesoins.errors import ParameterError

BANDS = [
    "0-4",
    "5-9",
    "10-14",
    "15-19",
    "20-24",
    "25-29",
    "30-34",
    "35-39",
    "40-44",
    "45-49",
    "50-54",
    "55-59",
    "60-64",
    "65-69",
    "70-74",
    "75-79",
    "80-84",
    "85-89",
    "90+",
]


def test_every_rule_is_sourced_and_dated():
    rules = load_apl_rules()
    found = iter_rules(rules)
    assert len(found) >= 15
    for path, rule in found:
        assert rule["status"] in {"confirmed", "to_confirm", "not_published"}, path
        keys = RULE_KEYS if rule["status"] != "not_published" else ("source", "status", "note")
        for key in keys:
            assert key in rule, f"{path} sans {key}"
        assert rule["source"]["title"] and rule["source"]["url"].startswith("https://"), path
        if rule["status"] != "confirmed":
            assert rule.get("note"), f"{path}: à confirmer sans explication"


def test_official_gp_parameters():
    gp = load_apl_rules()["professions"]["medecin_generaliste"]
    assert gp["travel_steps"]["value"] == [
        [10, 1.0],
        [15, pytest.approx(2 / 3)],
        [20, pytest.approx(1 / 3)],
    ]
    assert gp["activity_bounds"]["value"] == {"zero_below": 250, "floor": 3600, "ceiling": 6000}
    assert list(gp["age_weights"]["2023"]["value"]) == BANDS
    assert gp["age_weights"]["2023"]["value"]["90+"] == 2.26
    assert gp["age_weights"]["2022"]["value"]["0-4"] == 0.93


def two_communes():
    # A: 1000 inhabitants, B: 1000 inhabitants 12 min away (w = 2/3); doctors practise in A.
    pop = pd.Series({"A": 1000.0, "B": 1000.0})
    cost = pd.DataFrame(
        {
            "origin": ["A", "B", "B", "A"],
            "dest": ["A", "A", "B", "B"],
            "minutes": [0.0, 12.0, 0.0, 12.0],
        }
    )
    return pop, cost


def test_gp_activity_bounds_and_age_cap():
    pop, cost = two_communes()
    doctors = pd.DataFrame(
        {
            "site": ["A", "A", "A", "A", "A"],
            "activity": [
                100,
                2000,
                5000,
                9000,
                float("nan"),
            ],  # → 0, 3600, 5000, 6000, 5400 imputed
            "age": [50, 40, 45, 70, 30],
        }
    )
    res = apl(pop, doctors, cost, max_age=65)
    # Doctor aged 70 (9000 acts) excluded: S_A = 0 + 3600 + 5000 + 5400 = 14000.
    # D_A = 1000·1 + 1000·2/3 = 1666.67; APL_A = 14000 / 1666.67 = 8.4; APL_B = 2/3 · 8.4 = 5.6
    assert res.values.to_dict() == pytest.approx({"A": 8.4, "B": 5.6}, rel=1e-12)
    assert res.params["supply"]["excluded_by_age"] == 1
    assert res.params["supply"]["imputed_rows"] == 1
    assert res.params["steps"][1] == [15.0, pytest.approx(2 / 3)]
    assert "activity_bounds" in res.params["rules"]


def test_headcount_imputation_is_reported():
    pop, cost = two_communes()
    res = apl(pop, pd.Series({"A": 2.0}), cost)
    # S_A = 2 × 4400 (headcount approximation) = 8800; APL_A = 8800 / 1666.67 = 5.28; APL_B = 3.52
    assert res.values.to_dict() == pytest.approx({"A": 5.28, "B": 3.52}, rel=1e-12)
    assert "4400" in res.params["supply"]["kind"] and res.params["supply"]["approximation"]
    assert "headcount_activity" in res.params["rules"]
    assert res.params["demand"]["kind"].startswith("population brute")


def test_age_standardised_demand():
    pop, cost = two_communes()
    by_age = pd.DataFrame(0.0, index=["A", "B"], columns=BANDS)
    by_age.loc["A", "0-4"] = 1000.0  # weight 2023: 1.12 → 1120
    by_age.loc["B", "90+"] = 1000.0  # weight 2023: 2.26 → 2260
    res = apl(by_age, pd.Series({"A": 1.0}), cost, vintage=2023)
    # D_A = 1120 + 2/3·2260 = 2626.67; APL_A = 4400 (headcount approximation) / 2626.67
    a = 4400 / (1120 + 2 / 3 * 2260)
    assert res.values.to_dict() == pytest.approx({"A": a, "B": 2 / 3 * a}, rel=1e-12)
    assert res.params["demand"]["age_weights"]["90+"] == 2.26
    with pytest.raises(ParameterError, match="tranches"):
        apl(by_age.drop(columns="90+"), pd.Series({"A": 1.0}), cost)


def test_other_profession_fte_per_100000():
    pop, cost = two_communes()
    nurses = pd.DataFrame({"site": ["A", "B"], "fte": [1.0, 0.5]})
    res = apl(pop, nurses, cost, profession="infirmier")
    # R_A = 1 / (1000 + 2/3·1000) = 0.0006; R_B = 0.5 / 1666.67 = 0.0003
    # APL_A = (0.0006 + 2/3·0.0003)·1e5 = 80; APL_B = (2/3·0.0006 + 0.0003)·1e5 = 70
    assert res.values.to_dict() == pytest.approx({"A": 80.0, "B": 70.0}, rel=1e-12)
    assert res.params["unit"] == "ETP/100 000 habitants" + APPROXIMATION  # steps not confirmed
    assert "travel_steps" in res.params["to_confirm"]
    rules = copy.deepcopy(load_apl_rules())  # the loaded rules may be shared: never edit them
    nurses_rules = rules["professions"]["infirmier"]
    for name in ("travel_steps", "activity"):
        nurses_rules[name] = {**nurses_rules[name], "status": "confirmed"}
    confirmed = apl(pop, nurses, cost, profession="infirmier", rules=rules)
    assert confirmed.params["unit"] == "ETP/100 000 habitants"  # said only while unconfirmed


def test_rejections():
    pop, cost = two_communes()
    with pytest.raises(ParameterError, match="pas d'APL officielle"):
        apl(pop, pd.Series({"A": 1.0}), cost, profession="pharmacie")
    with pytest.raises(ParameterError, match="inconnue"):
        apl(pop, pd.Series({"A": 1.0}), cost, profession="plombier")
    with pytest.raises(ParameterError, match="age"):
        apl(pop, pd.Series({"A": 1.0}), cost, max_age=65)


def test_unit_says_what_was_counted_midwives_included():
    pop, cost = two_communes()
    heads = pd.DataFrame({"site": ["A", "B", "B"]})
    res = apl(pop, heads, cost, profession="sage_femme")
    # A headcount over all inhabitants: neither FTE nor "per 100,000 women".
    assert res.params["unit"] == "effectif/100 000 habitants (population féminine non fournie)" + APPROXIMATION
    assert res.params["supply"]["kind"].startswith("effectif")
    fte = apl(pop, heads.assign(fte=[1.0, 0.5, 0.5]), cost, profession="sage_femme")
    assert fte.params["unit"] == "ETP/100 000 habitants (population féminine non fournie)" + APPROXIMATION
    series = apl(pop, pd.Series({"A": 2.0}), cost, profession="sage_femme")
    expected = "ETP ou effectif/100 000 habitants (population féminine non fournie)" + APPROXIMATION
    assert series.params["unit"] == expected


def test_apl_steps_exclude_their_upper_bound():
    # DREES: « moins de 10 min : 1 ; de 10 à 15 : 2/3 ». B is exactly 10 min from A's doctor.
    pop = pd.Series({"A": 1000.0, "B": 1000.0})
    cost = pd.DataFrame({"origin": ["A", "B", "B"], "dest": ["A", "A", "B"], "minutes": [0.0, 10.0, 0.0]})
    res = apl(pop, pd.DataFrame({"site": ["A"], "activity": [4500.0]}), cost)
    r = 4500.0 / (1000 + 2 / 3 * 1000)
    assert res.values.to_dict() == pytest.approx({"A": r, "B": 2 / 3 * r}, rel=1e-12)
    assert res.params["step_bounds"] == "exclusive"
