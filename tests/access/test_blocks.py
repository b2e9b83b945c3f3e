"""The block path (local and on a Dask cluster) gives the single-process result."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from accesoins.access import e2sfca, e2sfca_blocks
from accesoins.travel import RoadTimeModel

STEPS = [(10, 1.0), (15, 2 / 3), (20, 1 / 3)]


def grid_problem(n_side: int = 70):
    # A synthetic 200 m-like grid (here 1 km cells) over ~70 km, with sites at 1 cell in 40.
    rng = np.random.default_rng(7)
    ii, jj = np.meshgrid(np.arange(n_side), np.arange(n_side), indexing="ij")
    lat = 45.0 + ii.ravel() * 0.009
    lon = 4.0 + jj.ravel() * 0.0127
    ids = [f"g{k:05d}" for k in range(lat.size)]
    points = pd.DataFrame(
        {"lat": lat, "lon": lon, "density": rng.uniform(10, 3000, lat.size)}, index=ids
    )
    demand = pd.Series(rng.integers(0, 300, lat.size).astype(float), index=ids)
    sites = points.iloc[::40]
    supply = pd.Series(rng.integers(1, 6, len(sites)).astype(float), index=sites.index)
    return points, sites, demand, supply


def test_local_blocks_match_single_process():
    points, sites, demand, supply = grid_problem(30)
    cost = RoadTimeModel().travel_times(points, sites, max_minutes=20)
    ref = e2sfca(demand, supply, cost, STEPS)
    got = e2sfca_blocks(demand, supply, cost, STEPS, block_size=97)
    assert np.abs(got - ref).max() <= 1e-12 and ref.sum() > 0
    with pytest.raises(Exception, match="block_size"):
        e2sfca_blocks(demand, supply, cost, STEPS, block_size=0)


def test_dask_cluster_matches_single_process():
    from distributed import Client, LocalCluster

    points, sites, demand, supply = grid_problem()
    model = RoadTimeModel()
    cost = model.travel_times(points, sites, max_minutes=20)
    ref = e2sfca(demand, supply, cost, STEPS)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        from_frame = e2sfca_blocks(demand, supply, cost, STEPS, client=client, block_size=600)

        def pairs_of(ids, points=points, sites=sites):  # computed on the workers
            return model.travel_times(points.loc[ids], sites, max_minutes=20)

        from_workers = e2sfca_blocks(
            demand, supply, pairs_of, STEPS, client=client, block_size=1000
        )
    assert len(demand) == 4900 and (ref > 0).mean() > 0.9
    assert np.abs(from_frame - ref).max() <= 1e-12
    assert np.abs(from_workers - ref).max() <= 1e-12
    assert from_workers.index.equals(demand.index)
