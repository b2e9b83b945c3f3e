"""Floating-catchment accessibility: 2SFCA, E2SFCA, gravity and Gaussian variants.

All models share one signature, close to PySAL ``access``: a demand Series
(e.g. population by commune), a supply Series (e.g. doctors by commune), and a
long cost frame (``origin``, ``dest``, ``minutes``) as the travel providers
return. The result is a Series indexed like ``demand``: supply per unit of
demand, weighted by distance decay. Same-commune pairs (0 minutes) are part of
the catchment like any other pair.
"""

from __future__ import annotations

import pandas as pd

from accesoins.access._align import CostColumns, align_codes, check_cost_columns, check_series
from accesoins.access._kernels import run_threaded, thread_count, two_steps, weigh
from accesoins.access.decay import Decay, GaussianDecay, PowerDecay, StepDecay
from accesoins.errors import ParameterError


def catchment(
    demand: pd.Series,
    supply: pd.Series,
    cost: pd.DataFrame,
    decay: Decay,
    *,
    origin: str = "origin",
    dest: str = "dest",
    cost_col: str = "minutes",
    name: str = "access",
) -> pd.Series:
    """Generic two-step floating catchment with any decay function.

    Parameters
    ----------
    demand : pandas.Series
        Demand at each origin (e.g. inhabitants), indexed by origin id; ≥ 0.
    supply : pandas.Series
        Supply at each site (e.g. doctors, FTE, consultations a year), indexed
        by site id; ≥ 0.
    cost : pandas.DataFrame
        One row per origin→site pair with travel time in minutes. Pairs whose
        origin is not in ``demand`` or whose site is not in ``supply`` are
        ignored; NaN minutes mean unreachable. Each pair must appear once.
    decay : Decay
        Weight of a pair as a function of its minutes (see :mod:`~accesoins.access.decay`).
    origin, dest, cost_col : str
        Column names in ``cost``.
    name : str
        Name of the returned Series.

    Returns
    -------
    pandas.Series
        ``A_i = Σ_j w(t_ij) S_j / Σ_k w(t_kj) P_k``, indexed like ``demand``, in
        units of supply per unit of demand. Sites with no weighted demand within
        reach contribute nothing; origins without any pair get 0.
    """
    p = check_series(demand, name="demand")
    s = check_series(supply, name="supply")
    cols: CostColumns = {"origin": origin, "dest": dest, "cost_col": cost_col}
    threads = thread_count(len(cost)) if isinstance(cost, pd.DataFrame) else 1
    if threads > 1:
        check_cost_columns(cost, **cols)
        values, known = run_threaded(cost, demand.index, supply.index, p, s, decay, cols, threads)
        if not known and len(p):
            raise ParameterError(
                f"« cost » : aucune origine ({origin}) ne figure dans l'index de la demande "
                "(types d'identifiants différents ?)."
            )
    else:
        pairs = align_codes(
            cost, demand.index, supply.index, **cols, max_minutes=decay.max_minutes
        )
        values = two_steps([weigh(pairs, decay)], [p], s, [len(p)])
    return pd.Series(values, index=demand.index, name=name)


def e2sfca(
    demand: pd.Series,
    supply: pd.Series,
    cost: pd.DataFrame,
    steps: list[tuple[float, float]],
    *,
    step_bounds: str = "exclusive",
    origin: str = "origin",
    dest: str = "dest",
    cost_col: str = "minutes",
) -> pd.Series:
    """Enhanced 2SFCA (Luo & Qi 2009) with step weights.

    Parameters
    ----------
    demand, supply, cost
        As in :func:`catchment`.
    steps : list of (float, float)
        ``(upper bound in minutes, weight)``, bounds strictly increasing; pairs
        beyond the last bound weigh 0. The APL steps for GPs are
        ``[(10, 1), (15, 2/3), (20, 1/3)]``.
    step_bounds : {"exclusive", "inclusive"}
        ``"exclusive"`` (default, the DREES convention « moins de 10 min »): a
        pair weighs the step whose bound it is strictly under, so 10.0 min weighs
        2/3. ``"inclusive"``: ``t <= bound``, as PySAL ``access.weights.step_fn``.
    origin, dest, cost_col : str
        Column names in ``cost``.

    Returns
    -------
    pandas.Series
        Accessibility indexed like ``demand`` (supply per unit of demand).

    Examples
    --------
    >>> import pandas as pd
    >>> demand = pd.Series({"a": 100.0, "b": 300.0})
    >>> supply = pd.Series({"a": 2.0})
    >>> cost = pd.DataFrame({"origin": ["a", "b"], "dest": ["a", "a"], "minutes": [0.0, 12.0]})
    >>> e2sfca(demand, supply, cost, [(10, 1.0), (20, 0.5)]).round(6).tolist()
    [0.008, 0.004]
    """
    return catchment(
        demand,
        supply,
        cost,
        StepDecay(tuple(steps), step_bounds),
        origin=origin,
        dest=dest,
        cost_col=cost_col,
        name="e2sfca",
    )


def two_sfca(
    demand: pd.Series,
    supply: pd.Series,
    cost: pd.DataFrame,
    max_minutes: float,
    *,
    origin: str = "origin",
    dest: str = "dest",
    cost_col: str = "minutes",
) -> pd.Series:
    """Original 2SFCA (Luo & Wang 2003): weight 1 within ``max_minutes`` (inclusive), else 0."""
    return catchment(
        demand,
        supply,
        cost,
        StepDecay(((max_minutes, 1.0),), "inclusive"),
        origin=origin,
        dest=dest,
        cost_col=cost_col,
        name="2sfca",
    )


def gravity(
    demand: pd.Series,
    supply: pd.Series,
    cost: pd.DataFrame,
    max_minutes: float,
    *,
    beta: float = 1.0,
    min_minutes: float = 1.0,
    origin: str = "origin",
    dest: str = "dest",
    cost_col: str = "minutes",
) -> pd.Series:
    """Gravity 2SFCA with power decay ``max(t, min_minutes) ** -beta`` up to ``max_minutes``.

    ``min_minutes`` (minutes, > 0) floors the time so that same-commune pairs
    (0 minutes) keep a finite weight; ``beta`` is dimensionless.
    """
    decay = PowerDecay(beta=beta, max_minutes=max_minutes, min_minutes=min_minutes)
    return catchment(
        demand, supply, cost, decay, origin=origin, dest=dest, cost_col=cost_col, name="gravity"
    )


def gaussian(
    demand: pd.Series,
    supply: pd.Series,
    cost: pd.DataFrame,
    max_minutes: float,
    *,
    origin: str = "origin",
    dest: str = "dest",
    cost_col: str = "minutes",
) -> pd.Series:
    """Gaussian 2SFCA (Dai 2010), catchment size ``max_minutes`` (see :class:`GaussianDecay`)."""
    return catchment(
        demand,
        supply,
        cost,
        GaussianDecay(max_minutes),
        origin=origin,
        dest=dest,
        cost_col=cost_col,
        name="gaussian",
    )
