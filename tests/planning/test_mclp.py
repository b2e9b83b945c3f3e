"""Maximal covering location: MILP against brute force, greedy against the MILP on real départements."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from accesoins.errors import ParameterError
from accesoins.planning import coverage_problem, lazy_greedy, solve_mclp
from accesoins.planning.greedy import improve_by_swaps
from accesoins.travel import RoadTimeModel


def _instance(draw_incidence, weights, existing_rows=()):
    n_rows, n_cols = draw_incidence.shape
    o, d = np.nonzero(draw_incidence)
    cost = pd.DataFrame({"origin": [f"r{i}" for i in o], "dest": [f"c{j}" for j in d],
                         "minutes": np.full(len(o), 10.0)})
    if existing_rows:
        cost = pd.concat([cost, pd.DataFrame({"origin": [f"r{i}" for i in existing_rows], "dest": "e0",
                                              "minutes": 5.0})])
    pop = pd.Series(weights, index=[f"r{i}" for i in range(n_rows)])
    return coverage_problem(pop, cost, [f"c{j}" for j in range(n_cols)], 30,
                            existing=["e0"] if existing_rows else None)


def _brute_force(prob, cols, k):
    values = [prob.population_covered(list(c)) for c in itertools.combinations(range(cols), k)]
    return max(values), len(set(values)) > 1


def test_milp_matches_brute_force():
    choices: list[bool] = []

    # 0 < k < number of candidates, and weights ≥ 1: most instances involve a real choice
    # (combinations covering different populations); the share is asserted below.
    @settings(max_examples=60, deadline=None, derandomize=True)
    @given(st.data())
    def check(data):
        rows = data.draw(st.integers(2, 9))
        cols = data.draw(st.integers(2, 7))
        inc = np.array(data.draw(st.lists(st.lists(st.booleans(), min_size=cols, max_size=cols),
                                          min_size=rows, max_size=rows)))
        w = data.draw(st.lists(st.integers(1, 1000), min_size=rows, max_size=rows))
        existing = data.draw(st.lists(st.integers(0, rows - 1), max_size=2, unique=True))
        k = data.draw(st.integers(1, cols - 1))
        prob = _instance(inc, np.array(w, dtype=float), tuple(existing))
        best, real_choice = _brute_force(prob, cols, k)
        choices.append(real_choice)
        event("real choice" if real_choice else "every choice covers the same")
        m = solve_mclp(prob, k)
        assert m.optimal
        assert m.objective == pytest.approx(best)
        assert len(m.chosen) <= k
        assert m.lp_bound >= best - 1e-6
        g = lazy_greedy(prob, k)
        assert g.curve[-1] <= best + 1e-9
        assert g.curve[-1] >= (1 - 1 / np.e) * best - 1e-9
        assert g.curve[-1] == pytest.approx(prob.population_covered(g.order))
        assert np.all(np.diff(g.curve) >= 0) and len(set(g.order.tolist())) == len(g.order)

    check()
    assert len(choices) >= 50 and np.mean(choices) >= 0.6, np.mean(choices)


def test_budget_edges():
    prob = _instance(np.array([[1, 0], [0, 1], [1, 1]], dtype=bool), np.array([5.0, 7.0, 1.0]))
    for k, expected in ((0, 0.0), (1, 8.0), (2, 13.0), (5, 13.0)):
        assert solve_mclp(prob, k).objective == expected
        assert lazy_greedy(prob, k).curve[-1] == expected


def test_greedy_rejects_negative_k():
    prob = _instance(np.ones((2, 2), dtype=bool), np.array([1.0, 2.0]))
    with pytest.raises(ParameterError):
        lazy_greedy(prob, -1)


def test_greedy_can_miss_the_optimum():
    # The classic trap: the biggest single site (a) blocks the optimal pair (b, c).
    inc = np.array([[1, 1, 0], [1, 0, 1], [0, 1, 0], [0, 0, 1]], dtype=bool)
    prob = _instance(inc, np.array([10.0, 10.0, 6.0, 6.0]))
    g, m = lazy_greedy(prob, 2), solve_mclp(prob, 2)
    assert g.curve[-1] == 26.0 and m.objective == 32.0
    assert prob.candidates[m.chosen].tolist() == ["c1", "c2"]
    assert g.curve[-1] >= (1 - 1 / np.e) * m.objective


@pytest.fixture(scope="module")
def communes(real_data):
    frame = pd.read_csv(real_data / "communes_cog2024.csv", dtype=str)
    frame = frame[(frame["commune_type"] == "COM") & frame["lat"].notna()].drop_duplicates("insee_com")
    area = pd.to_numeric(frame["superficie_km2"]).clip(lower=0.01)
    pop = pd.to_numeric(frame["population_2021"]).fillna(0)
    return pd.DataFrame({"lat": pd.to_numeric(frame["lat"]).to_numpy(), "lon": pd.to_numeric(frame["lng"]).to_numpy(),
                         "density": (pop / area).to_numpy(), "population": pop.to_numpy(),
                         "dep": frame["insee_dep"].to_numpy()}, index=frame["insee_com"].to_numpy())


# Nord (59) at 30 min and Lozère (48) at 15 min, k = 5, are cases where the greedy is more
# than 2 % below the optimum: only the (1 − 1/e) guarantee of a monotone submodular objective
# holds in general, and it is what is asserted, with the LP and swap bounds around it.
@pytest.mark.parametrize(("dep", "minutes"), [("59", 30), ("48", 15), ("48", 30), ("15", 15), ("15", 30),
                                              ("2A", 30), ("23", 15)])
def test_greedy_guarantee_and_bounds_on_real_departements(communes, dep, minutes):
    pts = communes[communes["dep"] == dep]
    cost = RoadTimeModel().travel_times(pts, max_minutes=minutes)
    prob = coverage_problem(pts["population"], cost, pts.index, minutes)
    for k in (5, 10):
        g = lazy_greedy(prob, k)
        m = solve_mclp(prob, k, time_limit=30)
        assert m.optimal, (dep, minutes, k, m.status)
        assert m.objective >= g.curve[-1] - 1e-6
        assert m.lp_bound >= m.objective - 1e-6
        assert g.curve[-1] >= (1 - 1 / np.e) * m.objective
        swapped = prob.population_covered(improve_by_swaps(prob, g.order))
        assert g.curve[-1] - 1e-6 <= swapped <= m.objective + 1e-6
        assert m.objective == pytest.approx(prob.population_covered(m.chosen))
