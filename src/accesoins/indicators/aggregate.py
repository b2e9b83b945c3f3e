"""Roll commune indicators up to EPCI, département, région and France.

Weights follow DREES: APL averages are weighted by the (standardised)
population used as demand; travel times by population (communes beyond the
search cap counted at the cap); densities are ratios
of sums; populations add up. Every territory also gets its population in each
zoning class.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalog import Indicator

LEVELS = ("epci", "departement", "region", "france")


def aggregate(values: pd.DataFrame, indicators: dict[str, Indicator], groups: pd.Series,
              population: pd.Series, *, numerators: pd.DataFrame | None = None,
              weights: pd.DataFrame | None = None, per: float = 10_000) -> pd.DataFrame:
    """Aggregate commune ``values`` (one column per indicator) by ``groups`` (commune → code).

    Parameters
    ----------
    values : DataFrame indexed by code_commune.
    indicators : the catalogue entries of the columns.
    groups : Series code_commune → territory code (communes without a group are left out).
    population : inhabitants by commune (weights of means, denominators of rates).
    numerators : for ``rate`` indicators, the counted quantity by commune (column = indicator).
    weights : optional per-indicator weights (e.g. standardised population for APL).
    per : rate multiplier (10,000 inhabitants).
    """
    frame = values.reindex(groups.index)
    pop = population.reindex(groups.index).fillna(0.0)
    out = {}
    for name in frame.columns:
        ind = indicators[name]
        v = frame[name]
        if ind.aggregate == "weighted_mean":
            if ind.beyond_cap is not None:  # beyond the search: counted at the cap, not dropped
                v = v.fillna(ind.beyond_cap)
            w = (weights[name] if weights is not None and name in weights else pop).reindex(groups.index)
            ok = v.notna() & w.notna()
            num = (v.where(ok, 0.0) * w.where(ok, 0.0)).groupby(groups).sum()
            den = w.where(ok, 0.0).groupby(groups).sum()
            out[name] = num / den.replace(0.0, np.nan)
        elif ind.aggregate == "rate":
            if numerators is None:
                raise ValueError(f"rate indicator {name} needs its numerators")
            q = numerators[name].reindex(groups.index).fillna(0.0)
            out[name] = q.groupby(groups).sum() / pop.groupby(groups).sum().replace(0.0, np.nan) * per
        elif ind.aggregate == "sum":
            out[name] = v.fillna(0.0).groupby(groups).sum()
        else:
            raise ValueError(f"unknown aggregation {ind.aggregate!r} for {name}")
    result = pd.DataFrame(out)
    result["population"] = pop.groupby(groups).sum()
    return result


def class_populations(classes: pd.Series, groups: pd.Series, population: pd.Series) -> pd.DataFrame:
    """Population of each territory in each zoning class (columns = class codes)."""
    frame = pd.DataFrame({"g": groups, "c": classes.reindex(groups.index),
                          "p": population.reindex(groups.index).fillna(0.0)}).dropna(subset=["c"])
    return frame.pivot_table(index="g", columns="c", values="p", aggfunc="sum", fill_value=0.0)
