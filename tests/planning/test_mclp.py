"""Maximal covering location: MILP against brute force, greedy against the MILP on real départements."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
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


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_milp_matches_brute_force(data):
    rows = data.draw(st.integers(1, 9))
    cols = data.draw(st.integers(1, 7))
    inc = np.array(data.draw(st.lists(st.lists(st.booleans(), min_size=cols, max_size=cols),
                                      min_size=rows, max_size=rows)))
    w = data.draw(st.lists(st.integers(0, 1000), min_size=rows, max_size=rows))
    existing = data.draw(st.lists(st.integers(0, rows - 1), max_size=2, unique=True))
    k = data.draw(st.integers(0, cols))
    prob = _instance(inc, np.array(w, dtype=float), tuple(existing))
    best = max(prob.population_covered(list(c)) for c in itertools.combinations(range(cols), k))
    m = solve_mclp(prob, k)
    assert m.optimal
    assert m.objective == pytest.approx(best)
    assert len(m.chosen) <= k
    assert m.lp_bound >= best - 1e-6
    g = lazy_greedy(prob, k)
    assert g.curve[-1] <= best + 1e-9
    assert g.curve[-1] == pytest.approx(prob.population_covered(g.order))
    assert np.all(np.diff(g.curve) >= 0) and len(set(g.order.tolist())) == len(g.order)


def test_greedy_rejects_negative_k():
    prob = _instance(np.ones((2, 2), dtype=bool), np.array([1.0, 2.0]))
    with pytest.raises(ParameterError):
        lazy_greedy(prob, -1)


@pytest.fixture(scope="module")
def communes(real_data):
    frame = pd.read_csv(real_data / "communes_cog2024.csv", dtype=str)
    frame = frame[(frame["commune_type"] == "COM") & frame["lat"].notna()].drop_duplicates("insee_com")
    area = pd.to_numeric(frame["superficie_km2"]).clip(lower=0.01)
    pop = pd.to_numeric(frame["population_2021"]).fillna(0)
    return pd.DataFrame({"lat": pd.to_numeric(frame["lat"]).to_numpy(), "lon": pd.to_numeric(frame["lng"]).to_numpy(),
                         "density": (pop / area).to_numpy(), "population": pop.to_numpy(),
                         "dep": frame["insee_dep"].to_numpy()}, index=frame["insee_com"].to_numpy())


@pytest.mark.parametrize("dep", ["15", "48", "62", "2A", "23"])
@pytest.mark.parametrize("minutes", [15, 30])
def test_greedy_within_two_percent_of_milp_on_real_departements(communes, dep, minutes):
    pts = communes[communes["dep"] == dep]
    cost = RoadTimeModel().travel_times(pts, max_minutes=minutes)
    prob = coverage_problem(pts["population"], cost, pts.index, minutes)
    for k in (5, 10):
        g = lazy_greedy(prob, k)
        m = solve_mclp(prob, k, time_limit=30)
        assert m.objective >= g.curve[-1] - 1e-6
        assert m.lp_bound >= m.objective - 1e-6
        plain = (m.objective - g.curve[-1]) / m.objective
        swapped = prob.population_covered(improve_by_swaps(prob, g.order))
        assert swapped >= g.curve[-1] - 1e-6
        assert m.objective >= swapped - 1e-6
        if minutes == 30:  # the France Santé threshold: the greedy is within 2 % of the optimum
            assert plain <= 0.02, (dep, k, plain)
        else:  # tighter threshold: only the (1 - 1/e) guarantee holds in general
            assert g.curve[-1] >= (1 - 1 / np.e) * m.objective
