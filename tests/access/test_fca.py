"""Floating-catchment models: hand-computed cases, invariants and agreement with PySAL."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accesoins.access import StepDecay, e2sfca, gaussian, gravity, two_sfca
from accesoins.errors import ParameterError
from accesoins.travel import RoadTimeModel

STEPS = [(10, 1.0), (15, 2 / 3), (20, 1 / 3)]


def hand_problem():
    # Origins A (1000 inh.), B (500), C (2000); sites A (3 docs) and D (1 doc, nobody lives there).
    demand = pd.Series({"A": 1000.0, "B": 500.0, "C": 2000.0})
    supply = pd.Series({"A": 3.0, "D": 1.0})
    cost = pd.DataFrame(
        {
            "origin": ["A", "B", "C", "B", "C"],
            "dest": ["A", "A", "A", "D", "D"],
            "minutes": [0.0, 12.0, 25.0, 10.0, 18.0],
        }
    )
    return demand, supply, cost


def test_e2sfca_hand_computed():
    demand, supply, cost = hand_problem()
    got = e2sfca(demand, supply, cost, STEPS)
    # Site A: A at 0 min (w=1), B at 12 (w=2/3), C at 25 (w=0): D_A = 1000 + 500·2/3 = 1333.33…
    r_a = 3 / (1000 + 500 * 2 / 3)
    # Site D: B at exactly 10 min. DREES: « moins de 10 : 1 ; 10 à 15 : 2/3 », so w = 2/3;
    # C at 18 (w=1/3): D_D = 500·2/3 + 2000/3 = 1000
    r_d = 1 / (500 * 2 / 3 + 2000 / 3)
    expected = {"A": r_a, "B": 2 / 3 * r_a + 2 / 3 * r_d, "C": 0 * r_a + 1 / 3 * r_d}
    assert got.to_dict() == pytest.approx(expected, rel=1e-12)
    assert got.index.equals(demand.index) and got.name == "e2sfca"
    # PySAL's convention (t <= bound) kept as an option: B at 10 min then weighs 1.
    inclusive = e2sfca(demand, supply, cost, STEPS, step_bounds="inclusive")
    r_d = 1 / (500 + 2000 / 3)
    expected = {"A": r_a, "B": 2 / 3 * r_a + 1 * r_d, "C": 1 / 3 * r_d}
    assert inclusive.to_dict() == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("minutes", "exclusive", "inclusive"),
    [
        (0.0, 1.0, 1.0),
        (9.999, 1.0, 1.0),
        (10.0, 2 / 3, 1.0),
        (14.5, 2 / 3, 2 / 3),
        (15.0, 1 / 3, 2 / 3),
        (20.0, 0.0, 1 / 3),
        (20.001, 0.0, 0.0),
        (float("nan"), 0.0, 0.0),
        (float("inf"), 0.0, 0.0),
    ],
)
def test_step_bounds_on_the_official_steps(minutes, exclusive, inclusive):
    t = np.array([minutes])
    assert StepDecay(tuple(STEPS))(t)[0] == exclusive
    assert StepDecay(tuple(STEPS), "inclusive")(t)[0] == inclusive
    with pytest.raises(ParameterError, match="bornes"):
        StepDecay(tuple(STEPS), "both")


def test_two_sfca_hand_computed():
    demand, supply, cost = hand_problem()
    got = two_sfca(demand, supply, cost, 15)
    # Within 15 min: site A ← A, B (D=1500, R=0.002); site D ← B (D=500, R=0.002).
    assert got.to_dict() == pytest.approx({"A": 0.002, "B": 0.004, "C": 0.0}, rel=1e-12)


def test_gravity_and_gaussian_hand_computed():
    demand = pd.Series({"A": 100.0, "B": 100.0})
    supply = pd.Series({"A": 1.0})
    cost = pd.DataFrame({"origin": ["A", "B"], "dest": ["A", "A"], "minutes": [0.0, 4.0]})
    g = gravity(demand, supply, cost, 30, beta=1.0, min_minutes=1.0)
    # weights: A max(0,1)^-1 = 1, B 4^-1 = 0.25 → D = 125, R = 0.008 → A 0.008, B 0.002
    assert g.to_dict() == pytest.approx({"A": 0.008, "B": 0.002}, rel=1e-12)
    ga = gaussian(demand, supply, cost, 8)
    # Dai weights: t=0 → 1; t=4, d0=8 → (e^-1/8 − e^-1/2)/(1 − e^-1/2)
    w = (np.exp(-0.125) - np.exp(-0.5)) / (1 - np.exp(-0.5))
    r = 1 / (100 + 100 * w)
    assert ga.to_dict() == pytest.approx({"A": r, "B": w * r}, rel=1e-12)


def test_site_without_demand_and_origin_without_pairs_give_zero_not_nan():
    demand = pd.Series({"A": 0.0, "B": 10.0, "Z": 50.0})  # Z has no pair at all
    supply = pd.Series({"A": 5.0, "B": 1.0})
    cost = pd.DataFrame({"origin": ["A", "B"], "dest": ["A", "B"], "minutes": [0.0, 0.0]})
    got = e2sfca(demand, supply, cost, STEPS)
    # Site A is reached only by A, which has no demand: its 5 doctors count for nobody.
    assert got.to_dict() == {"A": 0.0, "B": 0.1, "Z": 0.0}
    assert not got.isna().any()


def test_categorical_and_plain_ids_agree(problem):
    demand, supply, cost = problem
    cat = cost.copy()
    cat["origin"] = pd.Categorical(cat["origin"], categories=sorted(set(cat["origin"]))[::-1])
    cat["dest"] = pd.Categorical(cat["dest"])
    a = e2sfca(demand, supply, cost, STEPS)
    b = e2sfca(demand, supply, cat, STEPS)
    assert np.abs(a - b).max() <= 1e-15 and a.abs().sum() > 0


def test_unknown_ids_and_nan_minutes_are_ignored():
    demand, supply, cost = hand_problem()
    extra = pd.concat(
        [cost, pd.DataFrame({"origin": ["X", "A"], "dest": ["A", "A"], "minutes": [1.0, np.nan]})]
    )
    extra = extra.iloc[[0, 1, 2, 3, 4, 5]]  # X→A only (A→A twice would be a duplicate pair)
    assert (e2sfca(demand, supply, extra, STEPS) == e2sfca(demand, supply, cost, STEPS)).all()


@pytest.mark.parametrize(
    "bad",
    [
        {"steps": []},
        {"steps": [(10, 1), (10, 0.5)]},
        {"steps": [(10, -1)]},
        {"steps": [(float("nan"), 1)]},
    ],
)
def test_bad_steps_are_rejected(bad):
    demand, supply, cost = hand_problem()
    with pytest.raises(ParameterError):
        e2sfca(demand, supply, cost, bad["steps"])


def test_bad_inputs_are_rejected():
    demand, supply, cost = hand_problem()
    with pytest.raises(ParameterError, match="négative"):
        e2sfca(demand.mul(-1), supply, cost, STEPS)
    with pytest.raises(ParameterError, match="colonne"):
        e2sfca(demand, supply, cost.drop(columns="minutes"), STEPS)
    with pytest.raises(ParameterError, match="types d'identifiants"):
        e2sfca(demand.set_axis([1, 2, 3]), supply, cost, STEPS)
    with pytest.raises(ParameterError, match="négatives"):
        e2sfca(demand, supply, cost.assign(minutes=-1.0), STEPS)


def test_conservation_of_supply(make_problem):
    # When every site has demand within reach, Σ_i P_i A_i = Σ_j S_j (2SFCA and E2SFCA).
    demand, supply, cost = make_problem(3, density=0.6)
    for result in (two_sfca(demand, supply, cost, 40), e2sfca(demand, supply, cost, STEPS)):
        reached = cost[cost.minutes <= 20].dest.unique()
        expected = supply[supply.index.isin(reached)].sum()
        assert (demand * result).sum() == pytest.approx(expected, rel=1e-12)
        assert expected > 0


def test_adding_supply_never_lowers_access(make_problem):
    demand, supply, cost = make_problem(5)
    base = e2sfca(demand, supply, cost, STEPS)
    for site in supply.index[:5]:
        more = supply.copy()
        more[site] += 3
        after = e2sfca(demand, more, cost, STEPS)
        assert (after >= base - 1e-15).all()
        assert (after > base).any() or not (cost.dest == site).any()


@settings(deadline=None, max_examples=25)
@given(
    seed=st.integers(0, 10_000),
    n_o=st.integers(1, 30),
    n_s=st.integers(1, 10),
    density=st.floats(0.1, 0.9),
)
def test_e2sfca_matches_pysal(make_problem, pysal_reference, seed, n_o, n_s, density):
    demand, supply, cost = make_problem(seed, n_o, n_s, density)
    # PySAL divides by zero when a site's only demand is beyond the steps: keep origins reaching it.
    reached = set(cost[cost.minutes <= 20].dest)
    cost = cost[cost.dest.isin(reached)]
    ours = e2sfca(demand, supply, cost, STEPS, step_bounds="inclusive")
    ref = pysal_reference(demand, supply, cost, STEPS)
    assert np.abs(ours - ref).max() <= 1e-9


@settings(deadline=None, max_examples=20)
@given(seed=st.integers(0, 10_000), cap=st.sampled_from([5.0, 15.0, 30.0]))
def test_two_sfca_matches_pysal(make_problem, pysal_reference, seed, cap):
    demand, supply, cost = make_problem(seed)
    cost = cost[cost.dest.isin(set(cost[cost.minutes <= cap].dest))]
    ours = two_sfca(demand, supply, cost, cap)
    ref = pysal_reference(demand, supply, cost, [(cap, 1.0)], max_cost=cap)
    assert np.abs(ours - ref).max() <= 1e-9


def test_road_model_frame_feeds_the_models():
    # The frame the road model returns (categorical ids, float minutes) goes straight in,
    # and gives what the same pairs give as a plain string frame.
    pts = pd.DataFrame(
        {"lat": [45.0, 45.03, 45.08, 45.6], "lon": [5.0, 5.02, 5.09, 5.9], "density": 200.0},
        index=["a", "b", "c", "far"],
    )
    frame = RoadTimeModel().travel_times(pts, max_minutes=30)
    assert isinstance(frame["origin"].dtype, pd.CategoricalDtype) and len(frame) >= 7
    assert not ((frame["origin"] == "far") & (frame["dest"] != "far")).any()  # beyond 30 min
    demand = pd.Series({"a": 100.0, "b": 200.0, "c": 300.0, "far": 50.0})
    supply = pd.Series({"a": 2.0, "c": 1.0})
    got = e2sfca(demand, supply, frame, STEPS)
    plain = frame.assign(origin=frame["origin"].astype(str), dest=frame["dest"].astype(str))
    by_hand = e2sfca(demand, supply, plain, STEPS)
    assert np.abs(got - by_hand).max() <= 1e-15
    # Independent check from the model's own minutes: A_i = Σ_j w(t_ij) S_j / Σ_k w(t_kj) P_k.
    t = plain.set_index(["origin", "dest"])["minutes"]
    w = StepDecay(tuple(STEPS))(t.to_numpy())
    wt = pd.Series(w, index=t.index)
    reach = {j: sum(wt.get((k, j), 0.0) * demand[k] for k in demand.index) for j in supply.index}
    expected = {
        i: sum(wt.get((i, j), 0.0) * supply[j] / reach[j] for j in supply.index if reach[j])
        for i in demand.index
    }
    assert got.to_dict() == pytest.approx(expected, rel=1e-12)
    assert got["far"] == 0.0 and got["a"] > 0 and got["c"] > 0


def _as_ids(values, kind):
    """The same commune-like ids as integers, Arrow strings, Python objects or categories."""
    ints = pd.Series(values).str[1:].astype(np.int64) + 1000
    if kind == "int":
        return ints.to_numpy()
    if kind == "object":
        return pd.array(list(values), dtype=object)
    if kind == "category":
        return pd.Categorical(values, categories=sorted(set(values))[::-1])
    return pd.array(list(values), dtype="str")


@pytest.mark.parametrize("kind", ["int", "str", "object", "category"])
@pytest.mark.parametrize("threads", [False, True])
def test_every_id_type_gives_the_same_result(make_problem, monkeypatch, kind, threads):
    from accesoins.access import _kernels

    demand, supply, cost = make_problem(11, n_origins=60, n_sites=20, density=0.5)
    # Unknown ids on both ends and a NaN time must be ignored whatever the id type.
    extra = pd.DataFrame({"origin": ["o998", "o001", "o002"], "dest": ["s001", "s999", "s003"],
                          "minutes": [1.0, 2.0, np.nan]})
    cost = pd.concat([cost[~((cost.origin == "o002") & (cost.dest == "s003"))], extra],
                     ignore_index=True)
    ref = e2sfca(demand, supply, cost, STEPS)
    if threads:  # cut the table into row parts run on a thread pool, as for millions of pairs
        monkeypatch.setattr(_kernels, "THREAD_MIN_PAIRS", 100)
    typed = pd.DataFrame({"origin": _as_ids(cost["origin"], kind),
                          "dest": _as_ids(cost["dest"], kind), "minutes": cost["minutes"]})
    index_kind = "int" if kind == "int" else "str"
    d = demand.set_axis(pd.Index(_as_ids(demand.index, index_kind)))
    s = supply.set_axis(pd.Index(_as_ids(supply.index, index_kind)))
    got = e2sfca(d, s, typed, STEPS)
    assert np.abs(got.to_numpy() - ref.to_numpy()).max() <= 1e-15
    assert got.index.equals(d.index) and ref.sum() > 0
    if threads:
        assert _kernels.thread_count(len(typed)) > 1 or len(__import__("os").sched_getaffinity(0)) == 1


def test_sparse_integer_ids_fall_back_to_hashing():
    # Ids far apart (no dense lookup table) and negative ones.
    demand = pd.Series({-5: 10.0, 10**12: 30.0})
    supply = pd.Series({10**12: 2.0})
    cost = pd.DataFrame({"origin": [-5, 10**12, 7], "dest": [10**12, 10**12, 10**12],
                         "minutes": [12.0, 0.0, 1.0]})
    got = e2sfca(demand, supply, cost, STEPS)
    r = 2 / (10 * 2 / 3 + 30)
    assert got.to_dict() == pytest.approx({-5: 2 / 3 * r, 10**12: r}, rel=1e-12)


def test_every_pair_beyond_the_steps_gives_zero_not_an_error():
    demand, supply, cost = hand_problem()
    far = cost.assign(minutes=cost["minutes"] + 30.0)
    got = e2sfca(demand, supply, far, STEPS)
    assert got.to_dict() == {"A": 0.0, "B": 0.0, "C": 0.0}
    with pytest.raises(ParameterError, match="types d'identifiants"):
        e2sfca(demand.set_axis([1, 2, 3]), supply, far, STEPS)
