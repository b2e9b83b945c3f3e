"""Access to specialists per territory: nearest time, population beyond thresholds, density.

Pure: pandas in, pandas out. The services give the population and the minutes to the nearest
specialist of each commune (nearest-care times, a time within one's own commune included) and
the professionals with the commune of each practice place; this module rolls them up.

A commune with no specialist within the widest search has no time of its own: it counts at
that cap in territory means (a lower bound) and beyond every threshold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ["level", "code", "population", "professionals", "density", "minutes",
           "beyond_30", "beyond_45", "beyond_60", "site_commune"]


def access_table(population: pd.Series, minutes: pd.Series, site_commune: pd.Series,
                 people: pd.DataFrame, groups: dict[str, pd.Series], *,
                 thresholds: tuple[int, ...] = (30, 45, 60), cap: float = 180.0,
                 per: float = 100_000.0) -> pd.DataFrame:
    """One row per territory (communes and every level of ``groups``) for one specialty.

    Parameters
    ----------
    population : Series
        Inhabitants by commune code (the index defines the communes).
    minutes : Series
        Minutes to the nearest specialist by commune; NaN beyond the widest search.
    site_commune : Series
        The commune of that nearest specialist, by commune.
    people : DataFrame
        ``pp`` (professional identifier) and ``code_commune`` of each practice place; a
        professional practising in several places of a territory counts once in it.
    groups : dict of Series
        Level name → territory code of each commune (``departement``, ``region``, ``france``…).
    thresholds : tuple of int
        Minutes beyond which the population is counted (columns ``beyond_<t>``).
    cap : float
        Widest search: communes without a time count at this value in means.
    per : float
        Density base (100 000 inhabitants).
    """
    index = population.index
    pop = population.astype(float)
    m = pd.to_numeric(minutes.reindex(index), errors="coerce").astype(float)
    counted = m.fillna(cap)
    people = people[people["code_commune"].isin(index)]
    frames = []
    commune = pd.DataFrame({"level": "commune", "code": index, "population": pop.to_numpy()}, index=index)
    commune["professionals"] = people.groupby("code_commune")["pp"].nunique().reindex(index).fillna(0).astype(int)
    commune["minutes"] = m
    for t in thresholds:
        commune[f"beyond_{t}"] = pop.where(counted > t, 0.0)
    commune["site_commune"] = site_commune.reindex(index).astype(object).where(m.notna(), None)
    frames.append(commune)
    for level, grp in groups.items():
        g = grp.reindex(index)
        total = pop.groupby(g).sum()
        out = pd.DataFrame({"level": level, "code": total.index, "population": total.to_numpy()},
                           index=total.index)
        pros = people.assign(t=people["code_commune"].map(g)).groupby("t")["pp"].nunique()
        out["professionals"] = pros.reindex(total.index).fillna(0).astype(int)
        out["minutes"] = (counted * pop).groupby(g).sum() / total.replace(0.0, np.nan)
        for t in thresholds:
            out[f"beyond_{t}"] = pop.where(counted > t, 0.0).groupby(g).sum()
        out["site_commune"] = None
        frames.append(out)
    table = pd.concat(frames, ignore_index=True)
    table["density"] = table["professionals"] / table["population"].replace(0.0, np.nan) * per
    return table[COLUMNS]


def territories_without(table: pd.DataFrame, level: str = "departement") -> list[str]:
    """Codes of the territories of ``level`` where no specialist practises."""
    sel = table[(table["level"] == level) & (table["professionals"] == 0)]
    return sorted(sel["code"].astype(str))


__all__ = ["access_table", "territories_without", "COLUMNS"]
