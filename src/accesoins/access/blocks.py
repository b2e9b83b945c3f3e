"""Run the catchment models on very many origins, block by block, on Dask.

For the INSEE 200 m grid (millions of origins) the pair table does not fit one
machine. Origins are cut into blocks; each block's pairs live on one worker
(computed there by a callable, or cut from a given frame). The 2SFCA site
ratio needs the demand of *every* origin reaching a site, so:

1. each block computes its partial weighted demand per site, ``W_bᵀ P_b``;
2. the partial sums are added in a tree reduction and turned into ratios
   ``R = S / Σ_b W_bᵀ P_b`` (one small vector, the size of the site list);
3. each block computes its own accessibility ``W_b R``.

Only step 2 moves data between workers, and only site-sized vectors. With
``client=None`` the same steps run in this process (useful for tests and laptops).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from accesoins.access._align import Pairs, align_pairs, check_series, positions
from accesoins.access._kernels import origin_access, site_demand, site_ratios, weigh
from accesoins.access.decay import Decay, StepDecay
from accesoins.errors import ParameterError

CostSource = pd.DataFrame | Callable[[pd.Index], pd.DataFrame]


def catchment_blocks(
    demand: pd.Series,
    supply: pd.Series,
    cost: CostSource,
    decay: Decay,
    *,
    client: Any | None = None,
    block_size: int = 250_000,
    origin: str = "origin",
    dest: str = "dest",
    cost_col: str = "minutes",
    name: str = "access",
) -> pd.Series:
    """Two-step floating catchment computed over blocks of origins.

    Parameters
    ----------
    demand, supply : pandas.Series
        As in :func:`accesoins.access.fca.catchment`.
    cost : pandas.DataFrame or callable
        The long travel-time frame, or a function ``f(block_ids) -> frame``
        returning the pairs of the origins of one block (run on the workers,
        e.g. ``lambda ids: model.travel_times(points.loc[ids], sites, max_minutes=30)``).
    decay : Decay
        Distance-decay weights (minutes → weight).
    client : distributed.Client, optional
        Dask client; ``None`` runs the blocks one after the other here.
    block_size : int
        Origins per block.
    origin, dest, cost_col, name : str
        Column names in the cost frames and name of the result.

    Returns
    -------
    pandas.Series
        Same values as :func:`~accesoins.access.fca.catchment` (up to float
        rounding in the order of the sums), indexed like ``demand``.
    """
    if not isinstance(block_size, int) or block_size < 1:
        raise ParameterError("block_size doit être un entier ≥ 1.")
    p = check_series(demand, name="demand")
    s = check_series(supply, name="supply")
    starts = list(range(0, len(p), block_size)) or [0]
    cols = {"origin": origin, "dest": dest, "cost_col": cost_col}

    if client is None:

        def submit(fn: Callable[..., Any], *args: Any) -> Any:
            return fn(*args)

        def gather(items: list[Any]) -> list[Any]:
            return items
    else:
        submit, gather = client.submit, client.gather

    blocks = []
    if callable(cost) and not isinstance(cost, pd.DataFrame):
        for start in starts:
            ids = demand.index[start : start + block_size]
            blocks.append(submit(_pairs_from_callable, cost, ids, supply.index, decay, cols))
    else:
        for part in _split_frame(cost, demand.index, supply.index, block_size, len(starts), cols):
            if client is not None:
                part = client.scatter(part)
            blocks.append(submit(weigh, part, decay))

    partial = [
        submit(_partial_demand, blk, p[start : start + block_size], len(s))
        for blk, start in zip(blocks, starts, strict=True)
    ]
    while len(partial) > 1:  # tree reduction of site-sized vectors
        partial = [submit(_sum, *partial[i : i + 8]) for i in range(0, len(partial), 8)]
    ratios = submit(site_ratios, s, partial[0])
    access = [
        submit(origin_access_block, blk, ratios, len(p[start : start + block_size]))
        for blk, start in zip(blocks, starts, strict=True)
    ]
    values = np.concatenate(gather(access)) if access else np.empty(0)
    return pd.Series(values[: len(p)], index=demand.index, name=name)


def e2sfca_blocks(
    demand: pd.Series,
    supply: pd.Series,
    cost: CostSource,
    steps: list[tuple[float, float]],
    *,
    client: Any | None = None,
    block_size: int = 250_000,
    origin: str = "origin",
    dest: str = "dest",
    cost_col: str = "minutes",
) -> pd.Series:
    """E2SFCA (:func:`~accesoins.access.fca.e2sfca`) over blocks, see :func:`catchment_blocks`."""
    return catchment_blocks(
        demand,
        supply,
        cost,
        StepDecay(tuple(steps)),
        client=client,
        block_size=block_size,
        origin=origin,
        dest=dest,
        cost_col=cost_col,
        name="e2sfca",
    )


def _split_frame(
    cost: pd.DataFrame,
    origins: pd.Index,
    dests: pd.Index,
    block_size: int,
    n_blocks: int,
    cols: dict[str, str],
) -> list[Pairs]:
    """Cut a pair frame into per-block pairs, origin positions made local to each block."""
    pairs = align_pairs(cost, origins, dests, **cols)
    block = pairs.o // block_size
    order = np.argsort(block, kind="stable")
    bounds = np.searchsorted(block[order], np.arange(n_blocks + 1))
    out = []
    for b in range(n_blocks):
        idx = order[bounds[b] : bounds[b + 1]]
        out.append(
            Pairs(o=pairs.o[idx] - b * block_size, d=pairs.d[idx], minutes=pairs.minutes[idx])
        )
    return out


def _pairs_from_callable(
    fn: Callable[[pd.Index], pd.DataFrame],
    ids: pd.Index,
    dests: pd.Index,
    decay: Decay,
    cols: dict[str, str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    frame = fn(ids)
    o = positions(frame[cols["origin"]], ids)
    if len(o) and not (o >= 0).any():
        raise ParameterError("le calcul des paires d'un bloc ne renvoie aucune origine du bloc.")
    return weigh(align_pairs(frame, ids, dests, **cols), decay)


def _partial_demand(
    block: tuple[np.ndarray, np.ndarray, np.ndarray], demand: np.ndarray, n_sites: int
) -> np.ndarray:
    o, d, w = block
    return site_demand(o, d, w, demand, n_sites)


def _sum(*parts: np.ndarray) -> np.ndarray:
    total = parts[0].copy()
    for part in parts[1:]:
        total += part
    return total


def origin_access_block(
    block: tuple[np.ndarray, np.ndarray, np.ndarray], ratios: np.ndarray, n_origins: int
) -> np.ndarray:
    """Step 2 for one block: accessibility of its origins from the global site ratios."""
    o, d, w = block
    return origin_access(o, d, w, ratios, n_origins)
