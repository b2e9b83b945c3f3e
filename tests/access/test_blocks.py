"""The block path (local and on a Dask cluster) gives the single-process result."""

from __future__ import annotations

import os

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
    got = e2sfca_blocks(demand, supply, cost, STEPS, rows_per_part=997)
    assert np.abs(got - ref).max() <= 1e-12 and ref.sum() > 0
    by_origin = e2sfca_blocks(
        demand, supply, lambda ids: cost[cost["origin"].isin(ids)], STEPS, block_size=97
    )
    assert np.abs(by_origin - ref).max() <= 1e-12
    with pytest.raises(Exception, match="block_size"):
        e2sfca_blocks(demand, supply, cost, STEPS, block_size=0)
    with pytest.raises(Exception, match="rows_per_part"):
        e2sfca_blocks(demand, supply, cost, STEPS, rows_per_part=0)


def test_table_parts_never_hold_the_whole_table(monkeypatch):
    # Every part the table path aligns is at most rows_per_part rows, and all rows are seen.
    from accesoins.access import _kernels, blocks

    points, sites, demand, supply = grid_problem(20)
    cost = RoadTimeModel().travel_times(points, sites, max_minutes=20)
    seen = []
    original = _kernels.weighed_part

    def spy(frame, *args):
        seen.append(len(frame))
        return original(frame, *args)

    monkeypatch.setattr(blocks, "weighed_part", spy)
    got = e2sfca_blocks(demand, supply, cost, STEPS, rows_per_part=500)
    assert max(seen) <= 500 and sum(seen) == len(cost) and len(seen) >= 3
    assert np.abs(got - e2sfca(demand, supply, cost, STEPS)).max() <= 1e-12


def test_dask_cluster_with_worker_processes_matches_single_process():
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    points, sites, demand, supply = grid_problem()
    model = RoadTimeModel()
    cost = model.travel_times(points, sites, max_minutes=20)
    ref = e2sfca(demand, supply, cost, STEPS)
    plain = cost.assign(origin=cost["origin"].astype(str), dest=cost["dest"].astype(str))
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        pids = set(client.run(os.getpid).values())
        from_frame = e2sfca_blocks(demand, supply, cost, STEPS, client=client, rows_per_part=9000)

        def pairs_of(ids, points=points, sites=sites):  # computed on the workers
            return model.travel_times(points.loc[ids], sites, max_minutes=20)

        from_workers = e2sfca_blocks(
            demand, supply, pairs_of, STEPS, client=client, block_size=1000
        )
        # A partitioned table (as read_parquet gives): each partition is loaded on a worker.
        table = dd.from_pandas(plain, npartitions=5)
        from_partitions = e2sfca_blocks(demand, supply, table, STEPS, client=client)
    assert len(pids) == 2 and os.getpid() not in pids  # two worker processes, not threads
    assert len(demand) == 4900 and (ref > 0).mean() > 0.9
    assert np.abs(from_frame - ref).max() <= 1e-12
    assert np.abs(from_workers - ref).max() <= 1e-12
    assert np.abs(from_partitions - ref).max() <= 1e-12
    assert from_workers.index.equals(demand.index)


def test_dask_partitions_without_a_cluster():
    import dask.dataframe as dd

    points, sites, demand, supply = grid_problem(20)
    cost = RoadTimeModel().travel_times(points, sites, max_minutes=20)
    plain = cost.assign(origin=cost["origin"].astype(str), dest=cost["dest"].astype(str))
    got = e2sfca_blocks(demand, supply, dd.from_pandas(plain, npartitions=4), STEPS)
    assert np.abs(got - e2sfca(demand, supply, cost, STEPS)).max() <= 1e-12
