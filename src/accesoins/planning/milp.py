"""The exact maximal covering location model (Church & ReVelle, 1974), solved by HiGHS.

::

    max  Σ_i w_i y_i
    s.t. y_i ≤ Σ_{j ∈ N_i} x_j     for every demand row i not yet covered
         Σ_j x_j ≤ K
         x_j ∈ {0, 1},  0 ≤ y_i ≤ 1

Rows already covered by existing sites, and rows no candidate reaches, are
constants and left out; rows reached by the same set of candidates are merged
(their weights summed), which shrinks real instances a lot. ``y`` may stay
continuous: for binary ``x`` an optimal ``y`` is binary. The LP relaxation
(``x`` continuous) gives an upper bound used to state the greedy's gap.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from accesoins.errors import ParameterError
from accesoins.planning.matrix import CoverageProblem


@dataclass(frozen=True)
class MilpResult:
    """Solution of the MCLP model.

    Attributes
    ----------
    chosen : numpy.ndarray
        Candidate positions chosen (sorted).
    objective : float
        Population covered, existing coverage included.
    bound : float
        Best upper bound proven by the solver (equal to ``objective`` when optimal).
    lp_bound : float or None
        Optimum of the LP relaxation (existing coverage included), when asked.
    optimal : bool
        The solver proved optimality (within ``mip_rel_gap``).
    status : str
        Solver message.
    seconds : float
        Wall time of the solve(s).
    rows, columns : int
        Size of the reduced model.
    """

    chosen: np.ndarray
    objective: float
    bound: float
    lp_bound: float | None
    optimal: bool
    status: str
    seconds: float
    rows: int
    columns: int


def _reduce(problem: CoverageProblem) -> tuple[sp.csr_matrix, np.ndarray]:
    """Uncovered, reachable rows with identical candidate sets merged."""
    R = problem.A.tocsr().astype(np.int8)
    keep = (~problem.covered0) & (np.diff(R.indptr) > 0) & (problem.weights > 0)
    R = R[np.flatnonzero(keep)]
    R.sort_indices()
    w = problem.weights[keep]
    keys = [R.indices[R.indptr[i]:R.indptr[i + 1]].tobytes() for i in range(R.shape[0])]
    first: dict[bytes, int] = {}
    group = np.empty(len(keys), dtype=np.int64)
    for i, key in enumerate(keys):
        group[i] = first.setdefault(key, len(first))
    reps = np.zeros(len(first), dtype=np.int64)
    reps[group[::-1]] = np.arange(len(keys))[::-1]
    merged_w = np.bincount(group, weights=w, minlength=len(first))
    return R[reps], merged_w


def solve_mclp(
    problem: CoverageProblem,
    k: int,
    *,
    time_limit: float = 60.0,
    mip_rel_gap: float = 1e-6,
    lp_relaxation: bool = True,
) -> MilpResult:
    """Solve the maximal covering location problem exactly (HiGHS through scipy).

    Parameters
    ----------
    problem : CoverageProblem
        The instance.
    k : int
        Budget of new sites.
    time_limit : float
        Seconds allowed to the MILP solve; when reached, the best solution and bound are returned.
    mip_rel_gap : float
        Relative optimality tolerance of the solver.
    lp_relaxation : bool
        Also solve the LP relaxation and report its bound.

    Returns
    -------
    MilpResult
    """
    if not isinstance(k, (int, np.integer)) or k < 0:
        raise ParameterError("k (nombre de sites) doit être un entier positif ou nul.")
    if time_limit <= 0:
        raise ParameterError("time_limit doit être positif (secondes).")
    started = time.perf_counter()
    base = problem.population_covered0
    n = problem.A.shape[1]
    R, w = _reduce(problem)
    m = R.shape[0]
    if m == 0 or n == 0 or k == 0:
        return MilpResult(np.array([], dtype=np.int64), base, base, base if lp_relaxation else None,
                          True, "trivial", time.perf_counter() - started, m, n)
    # variables: x (n), then y (m); minimise -w·y
    c = np.concatenate([np.zeros(n), -w])
    cover = sp.hstack([-R.astype(np.float64), sp.identity(m, format="csr")], format="csr")
    budget = sp.csr_matrix(np.concatenate([np.ones(n), np.zeros(m)])[None, :])
    constraints = [LinearConstraint(cover, -np.inf, 0.0), LinearConstraint(budget, 0, k)]
    bounds = Bounds(np.zeros(n + m), np.ones(n + m))
    lp_bound = None
    if lp_relaxation:
        lp = milp(c, constraints=constraints, bounds=bounds, integrality=np.zeros(n + m))
        if lp.status == 0:
            lp_bound = base - float(lp.fun)
    integrality = np.concatenate([np.ones(n), np.zeros(m)])
    res = milp(c, constraints=constraints, bounds=bounds, integrality=integrality,
               options={"time_limit": float(time_limit), "mip_rel_gap": mip_rel_gap, "disp": False})
    if res.x is None:
        raise ParameterError(f"le solveur MILP n'a pas trouvé de solution : {res.message}")
    x = res.x[:n]
    chosen = np.flatnonzero(x > 0.5)
    # recompute the objective from the chosen sites, not from the solver's y
    objective = problem.population_covered(chosen)
    dual = getattr(res, "mip_dual_bound", None)
    bound = base - float(dual) if dual is not None and np.isfinite(dual) else objective
    return MilpResult(chosen=chosen, objective=objective, bound=max(bound, objective),
                      lp_bound=lp_bound, optimal=res.status == 0, status=str(res.message),
                      seconds=time.perf_counter() - started, rows=m, columns=n)
