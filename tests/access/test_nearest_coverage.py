"""Nearest sites and population coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from accesoins.access import coverage, nearest


def frame():
    return pd.DataFrame(
        {
            "origin": ["a", "a", "a", "b", "b", "c"],
            "dest": ["p1", "p2", "x", "p2", "a", "c"],
            "minutes": [12.0, 5.0, 1.0, 31.0, 3.0, 0.0],
        }
    )


def test_nearest_and_second():
    got = nearest(frame(), ["p1", "p2"], origins=pd.Index(["a", "b", "c", "d"]))
    assert got.loc["a", "nearest_minutes"] == 5.0 and got.loc["a", "nearest_site"] == "p2"
    assert got.loc["a", "second_minutes"] == 12.0 and got.loc["a", "second_site"] == "p1"
    assert got.loc["b", "nearest_minutes"] == 31.0 and np.isnan(got.loc["b", "second_minutes"])
    assert got.loc[["c", "d"], "nearest_minutes"].isna().all()
    assert pd.isna(got.loc["d", "nearest_site"])


def test_nearest_sites_from_counts_and_same_commune():
    counts = pd.Series({"p1": 0, "p2": 0, "c": 2})  # only c has a site; c→c is 0 minutes
    got = nearest(frame(), counts)
    assert got.loc["c", "nearest_minutes"] == 0.0
    assert got.loc[["a", "b"], "nearest_minutes"].isna().all()


def test_coverage_counts_population_within_threshold():
    pop = pd.Series({"a": 100.0, "b": 50.0, "c": 10.0, "d": 40.0})
    res = coverage(pop, frame(), ["p2", "c"], 30)
    # a reaches p2 in 5 min; b only in 31 (> 30); c is its own site (0 min); d has no pair.
    assert res.covered.to_dict() == {"a": True, "b": False, "c": True, "d": False}
    assert res.population_covered == 110.0 and res.population_total == 200.0
    assert res.share == pytest.approx(0.55)
    by = res.by(pd.Series({"a": "01", "b": "01", "c": "02", "d": "02"}), pop)
    assert by.loc["01", "share"] == pytest.approx(100 / 150)
    assert coverage(pop, frame(), ["p2", "c"], 31).population_covered == 160.0
