"""A user's travel-time file without self-pairs still counts each commune's own doctors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from accesoins.access import e2sfca
from accesoins.travel import read_od_matrix

STEPS = [(10, 1.0), (15, 2 / 3), (20, 1 / 3)]


def test_missing_self_pairs_are_added_at_zero_and_counted(tmp_path):
    # A distancier that lists only pairs between distinct communes (as Metric extracts do);
    # C → C is given at 4 min and must keep its time; D appears only as a destination.
    rows = "origin;destination;minutes\nA;B;12\nB;A;12\nC;A;8\nC;C;4\nC;D;25\n"
    path = tmp_path / "od.csv"
    path.write_text(rows, encoding="utf-8")
    cost = read_od_matrix(path)
    assert cost.attrs["self_pairs_added"] == 3  # A, B and D
    pairs = {(o, d): m for o, d, m in cost.astype({"origin": str, "dest": str}).itertuples(index=False)}
    assert pairs[("A", "A")] == 0.0 and pairs[("B", "B")] == 0.0 and pairs[("D", "D")] == 0.0
    assert pairs[("C", "C")] == 4.0 and len(pairs) == 8

    demand = pd.Series({"A": 1000.0, "B": 500.0, "C": 200.0, "D": 100.0})
    supply = pd.Series({"A": 2.0, "B": 1.0})
    got = e2sfca(demand, supply, cost, STEPS)
    # Hand computation: site A ← A (w 1), B (12 min, 2/3), C (8 min, 1); site B ← B (1), A (2/3).
    r_a = 2 / (1000 + 500 * 2 / 3 + 200)
    r_b = 1 / (500 + 1000 * 2 / 3)
    assert got.to_dict() == pytest.approx(
        {"A": r_a + 2 / 3 * r_b, "B": 2 / 3 * r_a + r_b, "C": r_a, "D": 0.0}, rel=1e-12
    )
    without = e2sfca(demand, supply, read_od_matrix(path, self_pairs=False), STEPS)
    assert without["A"] < got["A"] * 0.6  # a commune losing its own doctors: the bug this fixes


def test_cap_keeps_the_added_self_pairs(tmp_path):
    path = tmp_path / "od.csv"
    path.write_text("origin,destination,minutes\nX,Y,45\n", encoding="utf-8")
    cost = read_od_matrix(path, max_minutes=30)
    assert sorted(zip(cost.origin.astype(str), cost.dest.astype(str), strict=True)) == [
        ("X", "X"), ("Y", "Y")]
    assert np.all(cost.minutes.to_numpy() == 0.0)
