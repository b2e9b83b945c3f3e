"""Shared helpers of the access tests: random problems and the PySAL reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def random_problem(
    seed: int,
    n_origins: int = 40,
    n_sites: int = 12,
    density: float = 0.4,
    max_minutes: float = 40.0,
):
    """Demand, supply and a sparse long cost frame with string ids, like communes."""
    rng = np.random.default_rng(seed)
    o_ids = [f"o{i:03d}" for i in range(n_origins)]
    s_ids = [f"s{j:03d}" for j in range(n_sites)]
    demand = pd.Series(rng.integers(1, 5000, n_origins).astype(float), index=o_ids)
    supply = pd.Series(rng.integers(0, 20, n_sites).astype(float), index=s_ids)
    mask = rng.random((n_origins, n_sites)) < density  # small test problem only
    i, j = np.nonzero(mask)
    minutes = np.round(
        rng.uniform(0, max_minutes, len(i)), 1
    )  # rounding creates exact ties on bounds
    cost = pd.DataFrame(
        {"origin": np.array(o_ids)[i], "dest": np.array(s_ids)[j], "minutes": minutes}
    )
    return demand, supply, cost


def pysal_fca(demand: pd.Series, supply: pd.Series, cost: pd.DataFrame, steps, *, max_cost=None):
    """PySAL access E2SFCA (or 2SFCA with a single step) on the same input, NaN → 0."""
    from access import Access, weights

    demand_df = pd.DataFrame({"pop": demand})
    demand_df.index.name = "geoid"
    supply_df = pd.DataFrame({"doc": supply})
    supply_df.index.name = "geoid"
    acc = Access(
        demand_df=demand_df,
        demand_index=True,
        demand_value="pop",
        supply_df=supply_df,
        supply_index=True,
        supply_value="doc",
        cost_df=cost.rename(columns={"minutes": "cost"}),
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )
    fn = weights.step_fn({b: w for b, w in steps})
    out = acc.enhanced_two_stage_fca(name="e2", weight_fn=fn, max_cost=max_cost)
    return out["e2_doc"].reindex(demand.index).fillna(0.0)


@pytest.fixture(scope="session")
def make_problem():
    """The random problem factory (fixtures, since tests are not a package)."""
    return random_problem


@pytest.fixture(scope="session")
def pysal_reference():
    return pysal_fca


@pytest.fixture
def problem():
    return random_problem(0)
