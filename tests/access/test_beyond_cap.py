"""Communes beyond the nearest-site search count in territory means and as a published share."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from accesoins.indicators.aggregate import aggregate
from accesoins.indicators.catalog import BEYOND_CAP_MINUTES, catalog
from accesoins.services.access.compute import NEAREST_CAPS


def test_beyond_cap_communes_count_at_the_cap_and_as_a_share():
    cat = catalog()
    ind, share = cat["temps_maternite"], cat["part_au_dela_maternite"]
    assert ind.beyond_cap == BEYOND_CAP_MINUTES == NEAREST_CAPS[-1]
    assert share.unit == "% de la population" and "180 min" in share.label
    # Territory "976" (like Mayotte for maternities): no commune has a site within the search;
    # territory "01": one commune of two beyond.
    minutes = pd.Series({"a": 10.0, "b": np.nan, "m1": np.nan, "m2": np.nan})
    population = pd.Series({"a": 300.0, "b": 100.0, "m1": 1000.0, "m2": 3000.0})
    groups = pd.Series({"a": "01", "b": "01", "m1": "976", "m2": "976"})
    values = pd.DataFrame({"temps_maternite": minutes,
                           "part_au_dela_maternite": minutes.isna().astype(float) * 100})
    out = aggregate(values, cat, groups, population)
    assert out.loc["01", "temps_maternite"] == pytest.approx((10 * 300 + 180 * 100) / 400)
    assert out.loc["976", "temps_maternite"] == pytest.approx(180.0)  # not empty, not dropped
    assert out.loc["01", "part_au_dela_maternite"] == pytest.approx(25.0)
    assert out.loc["976", "part_au_dela_maternite"] == pytest.approx(100.0)
    # APL means are not censored: a missing APL stays out of the mean.
    apl = pd.DataFrame({"apl_medecin_generaliste": pd.Series({"a": 2.0, "b": np.nan, "m1": 1.0, "m2": 1.0})})
    assert aggregate(apl, cat, groups, population).loc["01", "apl_medecin_generaliste"] == 2.0


def test_midwives_unit_is_not_fte_per_women_by_default():
    unit = catalog()["apl_sage_femme"].unit
    assert "femmes" not in unit and unit.startswith("ETP ou effectif")
