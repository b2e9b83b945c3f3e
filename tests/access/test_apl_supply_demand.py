"""Supply and demand as the DREES counts them: scope flags, activity, headcount approximation, units."""

from __future__ import annotations

import pandas as pd
import pytest

from accesoins.access import apl
from accesoins.access.apl import APPROXIMATION

BANDS = ["0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
         "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+"]


def two_communes():
    # A and B: 1000 inhabitants each, 12 min apart (weight 2/3); doctors practise in A.
    pop = pd.Series({"A": 1000.0, "B": 1000.0})
    cost = pd.DataFrame({"origin": ["A", "B", "B", "A"], "dest": ["A", "A", "B", "B"],
                         "minutes": [0.0, 12.0, 0.0, 12.0]})
    return pop, cost


def test_out_of_scope_gps_are_left_out_and_counted():
    pop, cost = two_communes()
    doctors = pd.DataFrame({"site": ["A", "A", "A"], "activity": [5000.0, 5000.0, 5000.0],
                            "scope": [True, False, None]})  # None: unknown, kept
    res = apl(pop, doctors, cost)
    # S_A = 2 × 5000 (the hospital GP is out of the DREES scope); D_A = 1666.67
    assert res.values["A"] == pytest.approx(10_000 / (1000 + 2 / 3 * 1000), rel=1e-12)
    assert res.params["supply"]["excluded_out_of_scope"] == 1
    assert res.params["supply"]["approximation"] is False
    assert "activité bornée" in res.params["supply"]["kind"]


def test_centre_de_sante_activity_is_not_bounded():
    pop, cost = two_communes()
    doctors = pd.DataFrame({"site": ["A", "A"], "activity": [9000.0, 9000.0], "centre_sante": [True, False]})
    res = apl(pop, doctors, cost)
    assert res.values["A"] == pytest.approx((9000 + 6000) / (1000 + 2 / 3 * 1000), rel=1e-12)


def test_unit_says_raw_or_standardised_demand_and_women_for_midwives():
    pop, cost = two_communes()
    raw = apl(pop, pd.Series({"A": 1.0}), cost)
    assert raw.params["unit"] == "consultations/an/habitant" and raw.params["supply"]["approximation"]
    by_age = pd.DataFrame(500.0 / len(BANDS), index=["A", "B"], columns=BANDS)
    std = apl(by_age, pd.Series({"A": 1.0}), cost)
    assert std.params["unit"] == "consultations/an/habitant standardisé"
    midwives = apl(pop, pd.Series({"A": 1.0}), cost, profession="sage_femme")
    assert "femmes" not in midwives.params["unit"].split("(")[0] and "non fournie" in midwives.params["unit"]
    women = apl(pop, pd.Series({"A": 1.0}), cost, profession="sage_femme", female_population=True)
    assert women.params["unit"] == "ETP ou effectif/100 000 femmes" + APPROXIMATION
