"""Population within T minutes of any site of a category (e.g. 30 min of a France Santé site)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from accesoins.access._align import check_series, positions
from accesoins.access.nearest import site_index
from accesoins.errors import ParameterError


@dataclass(frozen=True)
class CoverageResult:
    """Which origins are covered and how many inhabitants that makes.

    Attributes
    ----------
    covered : pandas.Series of bool
        Indexed like the population: a site is within ``max_minutes``.
    population_covered, population_total : float
        Inhabitants covered and in all (same unit as the population).
    max_minutes : float
        Threshold used, in minutes (inclusive).
    """

    covered: pd.Series
    population_covered: float
    population_total: float
    max_minutes: float

    @property
    def share(self) -> float:
        """Share of the population covered, in [0, 1] (NaN for an empty population)."""
        return (
            self.population_covered / self.population_total
            if self.population_total
            else float("nan")
        )

    def by(self, groups: pd.Series, population: pd.Series) -> pd.DataFrame:
        """Covered and total population and share per group (e.g. département), by origin id."""
        frame = pd.DataFrame(
            {
                "group": groups.reindex(self.covered.index),
                "population": population.reindex(self.covered.index).astype(float),
            }
        )
        frame["population_covered"] = frame["population"].where(self.covered, 0.0)
        out = frame.groupby("group")[["population_covered", "population"]].sum()
        out["share"] = out["population_covered"] / out["population"]
        return out


def coverage(
    population: pd.Series,
    cost: pd.DataFrame,
    sites: pd.Index | pd.Series | Iterable[object],
    max_minutes: float,
    *,
    origin: str = "origin",
    dest: str = "dest",
    cost_col: str = "minutes",
) -> CoverageResult:
    """Share and count of the population within ``max_minutes`` of any site.

    Parameters
    ----------
    population : pandas.Series
        Inhabitants by origin id (≥ 0).
    cost : pandas.DataFrame
        Long travel-time frame (minutes); it must extend at least to ``max_minutes``.
    sites : pandas.Index, list or pandas.Series
        Site ids (a Series marks ids whose value is > 0).
    max_minutes : float
        Threshold in minutes, inclusive (30 for France Santé sites).
    origin, dest, cost_col : str
        Column names in ``cost``.

    Returns
    -------
    CoverageResult
    """
    pop = check_series(population, name="population")
    try:
        cap = float(max_minutes)
    except (TypeError, ValueError):
        raise ParameterError("max_minutes doit être un nombre de minutes.") from None
    if not np.isfinite(cap) or cap < 0:
        raise ParameterError("max_minutes doit être un nombre positif fini.")
    o = positions(cost[origin], population.index)
    d = positions(cost[dest], site_index(sites))
    t = cost[cost_col].to_numpy(dtype=np.float64)
    hit = (o >= 0) & (d >= 0) & (t <= cap)
    covered = np.zeros(len(pop), dtype=bool)
    covered[o[hit]] = True
    return CoverageResult(
        covered=pd.Series(covered, index=population.index, name="covered"),
        population_covered=float(pop[covered].sum()),
        population_total=float(pop.sum()),
        max_minutes=cap,
    )
