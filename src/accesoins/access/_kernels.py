"""Numerical kernels of the floating-catchment models, shared by every entry point.

With ``W`` the sparse origins × sites matrix of decay weights, ``P`` the demand
of each origin and ``S`` the supply of each site:

- step 1, site ratios: ``R = S / (Wᵀ P)`` (0 where no demand reaches a site);
- step 2, accessibility: ``A = W R``.

Both steps are sums over pairs, so they split over any partition of the pairs:
:func:`two_steps` runs them over parts (by origin blocks or by rows of a table),
in this process or on Dask workers; :func:`accesoins.access.fca.catchment` is
the one-part case. Products use scipy's COO mat-vec on the pair arrays as they
are (no conversion to CSR, no copy of the pairs).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from accesoins.access._align import Coded, CostColumns, align_codes
from accesoins.access.decay import Decay

try:  # the C loop behind coo_array @ x, called on the pair arrays without the wrapper's checks
    from scipy.sparse._sparsetools import coo_matvec as _coo_matvec
except ImportError:  # pragma: no cover - older or newer scipy layouts
    _coo_matvec = None


class Weighted(NamedTuple):
    """Coded pairs (see :class:`~accesoins.access._align.Coded`) and their decay weights."""

    pairs: Coded
    w: np.ndarray


def weigh(pairs: Coded, decay: Decay) -> Weighted:
    """Decay weights of the coded pairs (align with ``max_minutes`` to drop the useless first)."""
    return Weighted(pairs, np.ascontiguousarray(decay(pairs.minutes), dtype=np.float64))


def _matvec(rows: np.ndarray, cols: np.ndarray, w: np.ndarray, x: np.ndarray, n: int) -> np.ndarray:
    """``y = M x`` for the COO matrix ``M[rows, cols] = w`` of ``n`` rows (duplicates add up)."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    if _coo_matvec is not None and rows.dtype == cols.dtype and rows.dtype in (np.int32, np.int64):
        y = np.zeros(n, dtype=np.float64)
        # Codes come from the alignment: always within [0, n) and [0, len(x)).
        _coo_matvec(len(w), np.ascontiguousarray(rows), np.ascontiguousarray(cols), w, x, y)
        return y
    return np.bincount(rows, weights=w * x[cols], minlength=n)


def site_demand(block: Weighted, demand: np.ndarray, n_sites: int) -> np.ndarray:
    """Weighted demand reaching each of the ``n_sites`` sites from the pairs of ``block``, ``Wᵀ P``."""
    c = block.pairs
    reached = _matvec(c.d, c.o, block.w, c.to_space(demand, "o"), len(c.d_map))
    return c.from_space(reached, "d", n_sites)


def site_ratios(supply: np.ndarray, reached: np.ndarray) -> np.ndarray:
    """Supply per unit of weighted demand; 0 where no demand reaches the site."""
    ratios = np.zeros_like(supply, dtype=np.float64)
    np.divide(supply, reached, out=ratios, where=reached > 0)
    return ratios


def origin_access(block: Weighted, ratios: np.ndarray, n_origins: int) -> np.ndarray:
    """Accessibility of each of the ``n_origins`` origins from the pairs of ``block``, ``W R``."""
    c = block.pairs
    access = _matvec(c.o, c.d, block.w, c.to_space(ratios, "d"), len(c.o_map))
    return c.from_space(access, "o", n_origins)


def add(*parts: np.ndarray) -> np.ndarray:
    """Sum of equally sized vectors (one node of a tree reduction)."""
    total = parts[0].copy()
    for part in parts[1:]:
        total += part
    return total


def _now(fn: Callable[..., Any], *args: Any) -> Any:
    return fn(*args)


def _same(items: list[Any]) -> list[Any]:
    return items


def _tree_sum(parts: list[Any], submit: Callable[..., Any], fan_in: int = 8) -> Any:
    while len(parts) > 1:
        parts = [submit(add, *parts[i : i + fan_in]) for i in range(0, len(parts), fan_in)]
    return parts[0]


def two_steps(
    blocks: Sequence[Any],
    demand: Sequence[Any],
    supply: np.ndarray,
    sizes: Sequence[int],
    *,
    by_rows: bool = False,
    submit: Callable[..., Any] = _now,
    gather: Callable[[list[Any]], list[Any]] = _same,
) -> np.ndarray:
    """Run both steps over parts of the pairs; return the accessibility of every origin.

    Parameters
    ----------
    blocks : sequence of Weighted (or futures of them)
        The weighted pairs of each part.
    demand : sequence of numpy.ndarray (or futures)
        With origin blocks, the demand of each block's origins (positions in a block
        are local to it); with ``by_rows``, a single-element list: the whole demand.
    supply : numpy.ndarray
        Supply of every site (the site list is shared by all parts).
    sizes : sequence of int
        Origins in each block; with ``by_rows``, a single-element list: all origins.
    by_rows : bool
        Parts cut the pair table anywhere (origin positions are global): step 2
        gives origin-sized partial sums that are added, instead of one slice per block.
    submit, gather
        ``client.submit`` and ``client.gather`` of a Dask client, or run here.
    """
    if by_rows:
        partial = [submit(site_demand, blk, demand[0], len(supply)) for blk in blocks]
    else:
        partial = [
            submit(site_demand, blk, dem, len(supply))
            for blk, dem in zip(blocks, demand, strict=True)
        ]
    ratios = submit(site_ratios, supply, _tree_sum(partial, submit))
    if by_rows:
        access = [submit(origin_access, blk, ratios, sizes[0]) for blk in blocks]
        summed: np.ndarray = gather([_tree_sum(access, submit)])[0]
        return summed
    access = [submit(origin_access, blk, ratios, n) for blk, n in zip(blocks, sizes, strict=True)]
    parts = gather(access)
    return np.concatenate(parts) if parts else np.empty(0)


def weighed_part(
    frame: pd.DataFrame, origins: pd.Index, dests: pd.Index, decay: Decay, cols: CostColumns
) -> Weighted:
    """Align one part of a pair table against every origin and site, and weigh its pairs."""
    pairs = align_codes(
        frame, origins, dests, **cols, require_origin=False, max_minutes=decay.max_minutes
    )
    return weigh(pairs, decay)


THREAD_MIN_PAIRS = 1_000_000  # below this, threads cost more than they save


def thread_count(n_pairs: int) -> int:
    """Threads worth using for ``n_pairs`` pairs in this process (numpy and scipy release the GIL)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 4, n_pairs // THREAD_MIN_PAIRS))


def run_threaded(
    cost: pd.DataFrame,
    origins: pd.Index,
    dests: pd.Index,
    demand: np.ndarray,
    supply: np.ndarray,
    decay: Decay,
    cols: CostColumns,
    threads: int,
) -> tuple[np.ndarray, bool]:
    """Both steps over ``threads`` row slices of ``cost``, on a thread pool of this process.

    Returns the accessibility of every origin and whether any origin of the table
    is in the demand index. Tasks only wait on tasks submitted before them and the
    pool runs them in order, so waiting never deadlocks.
    """
    step = -(-len(cost) // threads)
    with ThreadPoolExecutor(threads) as pool:

        def submit(fn: Callable[..., Any], *args: Any) -> Future[Any]:
            def call() -> Any:
                return fn(*(a.result() if isinstance(a, Future) else a for a in args))

            return pool.submit(call)

        blocks = [
            submit(weighed_part, cost.iloc[i : i + step], origins, dests, decay, cols)
            for i in range(0, len(cost), step)
        ]
        values = two_steps(
            blocks,
            [demand],
            supply,
            [len(demand)],
            by_rows=True,
            submit=submit,
            gather=lambda futures: [f.result() for f in futures],
        )
        known = any(b.result().pairs.known_origins for b in blocks)
    return values, known
