"""Run the catchment models on very many origins or pairs, part by part, on Dask.

For the INSEE 200 m grid (millions of origins) the pair table does not fit one
machine. The pairs are cut into parts, each living on one worker, and the two
steps of :func:`accesoins.access._kernels.two_steps` (the same kernels as
:func:`~accesoins.access.fca.catchment`) run part by part:

1. each part computes its partial weighted demand per site, ``W_bᵀ P``;
2. the partial sums are added in a tree reduction and turned into ratios
   ``R = S / Σ_b W_bᵀ P`` (one small vector, the size of the site list);
3. each part computes its share of the accessibility ``W_b R``.

Parts come from one of three sources, and no step ever holds the whole table
in one process:

- a callable ``f(block_ids) -> frame`` run on the workers for each block of
  origins (the pairs are computed where they are used);
- a Dask DataFrame: each partition is aligned and weighed on the worker that
  loads it (e.g. ``dask.dataframe.read_parquet`` of a national distancier);
- a pandas DataFrame: cut into slices of ``rows_per_part`` rows, each sent to a
  worker and aligned there (the main process never aligns or sorts the table).

Only site-sized vectors (and, for table parts, origin-sized partial sums) move
between workers. With ``client=None`` the same steps run here, part by part.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from accesoins.access._align import CostColumns, align_codes, check_series
from accesoins.access._kernels import Weighted, two_steps, weigh, weighed_part
from accesoins.access.decay import Decay, StepDecay
from accesoins.errors import ParameterError

CostSource = Any  # pandas.DataFrame | dask.dataframe.DataFrame | Callable[[pd.Index], pd.DataFrame]


def catchment_blocks(
    demand: pd.Series,
    supply: pd.Series,
    cost: CostSource,
    decay: Decay,
    *,
    client: Any | None = None,
    block_size: int = 250_000,
    rows_per_part: int = 2_000_000,
    origin: str = "origin",
    dest: str = "dest",
    cost_col: str = "minutes",
    name: str = "access",
) -> pd.Series:
    """Two-step floating catchment computed part by part.

    Parameters
    ----------
    demand, supply : pandas.Series
        As in :func:`accesoins.access.fca.catchment`.
    cost : pandas.DataFrame, dask.dataframe.DataFrame or callable
        The long travel-time table (pandas or Dask), or a function
        ``f(block_ids) -> frame`` returning the pairs of the origins of one block
        (run on the workers, e.g.
        ``lambda ids: model.travel_times(points.loc[ids], sites, max_minutes=30)``).
    decay : Decay
        Distance-decay weights (minutes → weight).
    client : distributed.Client, optional
        Dask client; ``None`` runs the parts one after the other here.
    block_size : int
        Origins per block (callable source).
    rows_per_part : int
        Pairs per part (pandas table source).
    origin, dest, cost_col, name : str
        Column names in the cost frames and name of the result.

    Returns
    -------
    pandas.Series
        Same values as :func:`~accesoins.access.fca.catchment` (up to float
        rounding in the order of the sums), indexed like ``demand``.
    """
    for value, label in ((block_size, "block_size"), (rows_per_part, "rows_per_part")):
        if not isinstance(value, int) or value < 1:
            raise ParameterError(f"{label} doit être un entier ≥ 1.")
    p = check_series(demand, name="demand")
    s = check_series(supply, name="supply")
    cols: CostColumns = {"origin": origin, "dest": dest, "cost_col": cost_col}
    if client is None:
        submit: Callable[..., Any] = _now
        gather: Callable[[list[Any]], list[Any]] = _same
        scatter: Callable[[Any], Any] = _identity
    else:
        gather = client.gather

        # Fresh keys for every call: a key reused from a previous call (pure functions,
        # hashed scatters) may be released by that call's clean-up while still needed.
        def submit(fn: Callable[..., Any], *args: Any) -> Any:
            return client.submit(fn, *args, pure=False)

        def scatter(value: Any) -> Any:
            return client.scatter(value, broadcast=True, hash=False)

    if callable(cost) and not isinstance(cost, pd.DataFrame) and not _is_dask_frame(cost):
        starts = list(range(0, len(p), block_size)) or [0]
        ids = [demand.index[start : start + block_size] for start in starts]
        dests = scatter(supply.index)
        blocks = [submit(_pairs_from_callable, cost, i, dests, decay, cols) for i in ids]
        parts = [p[start : start + block_size] for start in starts]
        values = two_steps(
            blocks, parts, s, [len(part) for part in parts], submit=submit, gather=gather
        )
    else:
        origins, dests = scatter(demand.index), scatter(supply.index)
        blocks = [
            submit(_weighed_part, part, origins, dests, decay, cols)
            for part in _table_parts(cost, rows_per_part, client)
        ]
        if not blocks:
            values = np.zeros(len(p))
        else:
            values = two_steps(
                blocks, [scatter(p)], s, [len(p)], by_rows=True, submit=submit, gather=gather
            )
    return pd.Series(values[: len(p)], index=demand.index, name=name)


def e2sfca_blocks(
    demand: pd.Series,
    supply: pd.Series,
    cost: CostSource,
    steps: list[tuple[float, float]],
    *,
    step_bounds: str = "exclusive",
    client: Any | None = None,
    block_size: int = 250_000,
    rows_per_part: int = 2_000_000,
    origin: str = "origin",
    dest: str = "dest",
    cost_col: str = "minutes",
) -> pd.Series:
    """E2SFCA (:func:`~accesoins.access.fca.e2sfca`) part by part, see :func:`catchment_blocks`."""
    return catchment_blocks(
        demand,
        supply,
        cost,
        StepDecay(tuple(steps), step_bounds),
        client=client,
        block_size=block_size,
        rows_per_part=rows_per_part,
        origin=origin,
        dest=dest,
        cost_col=cost_col,
        name="e2sfca",
    )


def _now(fn: Callable[..., Any], *args: Any) -> Any:
    return fn(*args)


def _same(items: list[Any]) -> list[Any]:
    return items


def _identity(value: Any) -> Any:
    return value


def _is_dask_frame(cost: Any) -> bool:
    return type(cost).__module__.startswith(("dask.dataframe", "dask_expr"))


def _table_parts(cost: Any, rows_per_part: int, client: Any | None) -> list[Any]:
    """Parts of a pair table: Dask partitions (loaded where they are used) or row slices."""
    if _is_dask_frame(cost):
        delayed = cost.to_delayed()
        if client is not None:
            return list(client.compute(delayed))
        return [_Lazy(part) for part in delayed]
    if not isinstance(cost, pd.DataFrame):
        raise ParameterError(
            "« cost » doit être un DataFrame (pandas ou Dask) ou une fonction des identifiants."
        )
    slices = [cost.iloc[i : i + rows_per_part] for i in range(0, len(cost), rows_per_part)]
    if client is not None:
        return [client.scatter(part, hash=False) for part in slices]
    return slices


class _Lazy:
    """A Dask partition computed only when its part is processed (one at a time, here)."""

    def __init__(self, part: Any) -> None:
        self.part = part

    def load(self) -> pd.DataFrame:
        frame: pd.DataFrame = self.part.compute()
        return frame


def _weighed_part(
    frame: pd.DataFrame | _Lazy,
    origins: pd.Index,
    dests: pd.Index,
    decay: Decay,
    cols: CostColumns,
) -> Weighted:
    """Load the part if it is a lazy Dask partition, then align and weigh it."""
    if isinstance(frame, _Lazy):
        frame = frame.load()
    return weighed_part(frame, origins, dests, decay, cols)


def _pairs_from_callable(
    fn: Callable[[pd.Index], pd.DataFrame],
    ids: pd.Index,
    dests: pd.Index,
    decay: Decay,
    cols: CostColumns,
) -> Weighted:
    # An origin of the frame outside the block (or of another id type) is an error of fn.
    return weigh(align_codes(fn(ids), ids, dests, **cols, max_minutes=decay.max_minutes), decay)
