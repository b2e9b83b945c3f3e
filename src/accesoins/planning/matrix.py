"""Sparse coverage matrices for maximal covering location problems.

Row ``i`` is a demand point (a commune and its population), column ``j`` a
candidate site; ``A[i, j] = 1`` when ``j`` is within the time threshold of ``i``.
Built from the long travel-time frames the travel providers return, without
ever forming a dense matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from accesoins.access._align import align_pairs, check_series
from accesoins.errors import ParameterError


@dataclass(frozen=True)
class CoverageProblem:
    """A maximal covering location instance.

    Attributes
    ----------
    A : scipy.sparse.csc_matrix
        Demand × candidate incidence (bool), rows ordered like ``demand``.
    weights : numpy.ndarray
        Population of each demand row (float64, ≥ 0).
    demand : pandas.Index
        Demand ids (rows).
    candidates : pandas.Index
        Candidate ids (columns).
    covered0 : numpy.ndarray
        Demand rows already covered by existing sites (bool).
    max_minutes : float
        Threshold used (inclusive).
    """

    A: sp.csc_matrix
    weights: np.ndarray
    demand: pd.Index
    candidates: pd.Index
    covered0: np.ndarray
    max_minutes: float

    @property
    def population_total(self) -> float:
        return float(self.weights.sum())

    @property
    def population_covered0(self) -> float:
        return float(self.weights[self.covered0].sum())

    def covered_by(self, chosen: np.ndarray | list[int]) -> np.ndarray:
        """Rows covered by existing sites plus candidate columns ``chosen`` (positions)."""
        cols = np.asarray(chosen, dtype=np.int64)
        hit = np.asarray(self.A[:, cols].sum(axis=1)).ravel() > 0 if len(cols) else np.zeros(
            len(self.weights), dtype=bool)
        covered: np.ndarray = hit | self.covered0
        return covered

    def population_covered(self, chosen: np.ndarray | list[int]) -> float:
        return float(self.weights[self.covered_by(chosen)].sum())


def coverage_problem(
    population: pd.Series,
    cost: pd.DataFrame,
    candidates: pd.Index | list[object],
    max_minutes: float,
    *,
    existing: pd.Index | list[object] | None = None,
    origin: str = "origin",
    dest: str = "dest",
    cost_col: str = "minutes",
) -> CoverageProblem:
    """Build the coverage matrix of ``candidates`` over the demand ``population``.

    Parameters
    ----------
    population : pandas.Series
        Inhabitants by demand id (≥ 0).
    cost : pandas.DataFrame
        Long travel-time frame (origin = demand, dest = site), up to at least ``max_minutes``.
    candidates : pandas.Index or list
        Ids of candidate sites (destinations in ``cost``). Duplicates are dropped.
    max_minutes : float
        Coverage threshold, inclusive.
    existing : pandas.Index or list, optional
        Ids of existing sites: the rows they reach are covered before any choice.
    origin, dest, cost_col : str
        Column names in ``cost``.

    Returns
    -------
    CoverageProblem
    """
    weights = check_series(population, name="population")
    cap = float(max_minutes)
    if not np.isfinite(cap) or cap < 0:
        raise ParameterError("max_minutes doit être un nombre de minutes positif et fini.")
    cand = pd.Index(pd.unique(pd.Index(candidates)))
    exist = pd.Index(pd.unique(pd.Index(existing if existing is not None else [])))
    sites = cand.append(exist.difference(cand)) if len(exist) else cand
    pairs = align_pairs(cost, population.index, sites, origin=origin, dest=dest, cost_col=cost_col)
    ok = pairs.minutes <= cap
    o, d = pairs.o[ok], pairs.d[ok]
    covered0 = np.zeros(len(weights), dtype=bool)
    if len(exist):
        is_existing = np.asarray(sites.isin(exist))
        covered0[o[is_existing[d]]] = True
    in_cand = d < len(cand)
    o, d = o[in_cand], d[in_cand]
    A = sp.csc_matrix((np.ones(len(o), dtype=bool), (o, d)), shape=(len(weights), len(cand)))
    A.sum_duplicates()
    return CoverageProblem(A=A, weights=weights, demand=population.index, candidates=cand,
                           covered0=covered0, max_minutes=cap)
