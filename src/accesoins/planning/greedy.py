"""Lazy-greedy (CELF) for the maximal covering location problem.

Greedy picks, K times, the candidate covering the most still-uncovered
population; for a monotone submodular objective it is within ``1 − 1/e`` of
the optimum and, on real territories, usually within a fraction of a percent.

Exact marginal gains are kept in an array and updated incrementally: when a
demand row becomes covered, its weight is subtracted from the gain of every
candidate reaching it (one pass over the row in CSR form), so the total update
work over the whole run is the number of non-zeros. A max-heap of possibly
stale gains (CELF, Leskovec et al. 2007) avoids an arg-max over all
candidates at each step: gains only decrease, so a popped entry whose key
equals the current gain is the best candidate.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from accesoins.errors import ParameterError
from accesoins.planning.matrix import CoverageProblem


@dataclass(frozen=True)
class GreedyResult:
    """Sites chosen in order and the coverage curve.

    Attributes
    ----------
    order : numpy.ndarray
        Candidate positions (columns), in the order chosen.
    gains : numpy.ndarray
        Population newly covered by each choice.
    curve : numpy.ndarray
        Population covered after 0, 1, …, len(order) choices (existing sites included).
    evaluations : int
        Heap pops (a measure of the lazy evaluation's work).
    """

    order: np.ndarray
    gains: np.ndarray
    curve: np.ndarray
    evaluations: int


def lazy_greedy(problem: CoverageProblem, k: int, *, stop_when_full: bool = True) -> GreedyResult:
    """Choose up to ``k`` candidates maximising the covered population.

    Parameters
    ----------
    problem : CoverageProblem
        The instance (existing sites already cover ``problem.covered0``).
    k : int
        Budget: number of new sites (≥ 0).
    stop_when_full : bool
        Stop before ``k`` when no candidate adds any population.

    Returns
    -------
    GreedyResult
        Ties are broken by the smallest candidate position, so results are reproducible.
    """
    if not isinstance(k, (int, np.integer)) or k < 0:
        raise ParameterError("k (nombre de sites) doit être un entier positif ou nul.")
    A: sp.csc_matrix = problem.A.tocsc()
    R: sp.csr_matrix = A.tocsr()
    w = np.where(problem.covered0, 0.0, problem.weights)
    covered = problem.covered0.copy()
    # exact current gains: weight of the uncovered rows each column reaches
    gains = np.asarray(A.T.astype(np.float64) @ w).ravel()
    heap = [(-g, j) for j, g in enumerate(gains) if g > 0 or not stop_when_full]
    heapq.heapify(heap)
    order: list[int] = []
    picked_gain: list[float] = []
    chosen = np.zeros(A.shape[1], dtype=bool)
    pops = 0
    a_ptr, a_idx = A.indptr, A.indices
    r_ptr, r_idx = R.indptr, R.indices
    while heap and len(order) < min(k, A.shape[1]):
        neg, j = heapq.heappop(heap)
        pops += 1
        if chosen[j]:
            continue
        current = gains[j]
        if -neg != current:  # stale: reinsert with its exact, smaller gain
            if current > 0 or not stop_when_full:
                heapq.heappush(heap, (-current, j))
            continue
        if stop_when_full and current <= 0:
            break
        chosen[j] = True
        order.append(j)
        picked_gain.append(float(current))
        rows = a_idx[a_ptr[j]:a_ptr[j + 1]]
        new = rows[~covered[rows]]
        covered[new] = True
        for i in new:  # each row is covered once over the whole run
            wi = w[i]
            if wi:
                gains[r_idx[r_ptr[i]:r_ptr[i + 1]]] -= wi
        gains[j] = 0.0
    gain_arr = np.asarray(picked_gain, dtype=np.float64)
    base = problem.population_covered0
    curve = np.concatenate([[base], base + np.cumsum(gain_arr)])
    return GreedyResult(order=np.asarray(order, dtype=np.int64), gains=gain_arr, curve=curve,
                        evaluations=pops)


def improve_by_swaps(problem: CoverageProblem, chosen: np.ndarray, *, max_rounds: int = 50) -> np.ndarray:
    """Interchange local search (Teitz & Bart): swap a chosen site for a better one while it pays.

    Each round tries, for every chosen site, removing it and adding the candidate with the
    largest gain (one sparse product per chosen site), and applies the best improving swap.

    Parameters
    ----------
    problem : CoverageProblem
        The instance.
    chosen : numpy.ndarray
        Candidate positions to improve (e.g. the greedy's ``order``).
    max_rounds : int
        Upper bound on the number of swaps.

    Returns
    -------
    numpy.ndarray
        Improved positions (same count), never covering fewer inhabitants than ``chosen``.
    """
    A = problem.A.tocsc().astype(np.float64)
    w = np.where(problem.covered0, 0.0, problem.weights)
    current = [int(j) for j in chosen]
    for _ in range(max_rounds):
        if not current:
            break
        counts = np.asarray(A[:, current].sum(axis=1)).ravel()
        best: tuple[float, int | None, int | None] = (1e-9, None, None)
        for j in current:
            col = A.indices[A.indptr[j]:A.indptr[j + 1]]
            loss = w[col][counts[col] == 1].sum()
            after = counts.copy()
            after[col] -= 1
            uncovered = np.where(after > 0, 0.0, w)
            gains = A.T @ uncovered
            gains[current] = -1.0
            jj = int(np.argmax(gains))
            if gains[jj] - loss > best[0]:
                best = (gains[jj] - loss, j, jj)
        _, leaving, entering = best
        if leaving is None or entering is None:
            break
        current[current.index(leaving)] = entering
    return np.asarray(current, dtype=np.int64)
