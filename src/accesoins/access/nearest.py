"""Travel time to the nearest and second-nearest site of a category.

Works on the sparse travel-time frame, so "none within the cap" is all it can
say about far origins: those get NaN minutes (missing, not "infinitely far"),
which pandas leaves out of means and counts.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from accesoins.access._align import positions
from accesoins.errors import ParameterError


def site_index(sites: pd.Index | pd.Series | Iterable[object]) -> pd.Index:
    """Ids of the sites: an Index or list of ids, or a Series whose positive values mark sites."""
    if isinstance(sites, pd.Series):
        values = pd.to_numeric(sites, errors="coerce").fillna(0).to_numpy()
        marked: pd.Index = pd.Index(sites.index[values > 0]).unique()
        return marked
    ids: pd.Index = pd.Index(list(sites) if not isinstance(sites, pd.Index) else sites).unique()
    return ids


def nearest(
    cost: pd.DataFrame,
    sites: pd.Index | pd.Series | Iterable[object],
    *,
    origins: pd.Index | None = None,
    origin: str = "origin",
    dest: str = "dest",
    cost_col: str = "minutes",
) -> pd.DataFrame:
    """Minutes to the nearest and second-nearest distinct site, for each origin.

    Parameters
    ----------
    cost : pandas.DataFrame
        Long travel-time frame (minutes), truncated at some cap.
    sites : pandas.Index, list or pandas.Series
        Ids of the sites of the category (e.g. pharmacies); a Series marks as
        sites the ids whose value is > 0 (e.g. a count of GPs by commune).
    origins : pandas.Index, optional
        Origins to report; by default every origin of ``cost``.
    origin, dest, cost_col : str
        Column names in ``cost``.

    Returns
    -------
    pandas.DataFrame
        Indexed by origin, with ``nearest_minutes``, ``nearest_site``,
        ``second_minutes`` and ``second_site``. Minutes are NaN and sites
        missing when no (second) site is within the cap of ``cost``. Ties are
        broken by the order of the site ids in ``sites``.
    """
    missing = [c for c in (origin, dest, cost_col) if c not in cost.columns]
    if missing:
        raise ParameterError(f"« cost » : colonne(s) absente(s) {missing}.")
    site_ids = site_index(sites)
    if origins is None:
        col = cost[origin]
        origins = (
            col.cat.categories
            if isinstance(col.dtype, pd.CategoricalDtype)
            else pd.Index(col.unique())
        )
    origins = pd.Index(origins)
    if not origins.is_unique:
        raise ParameterError("« origins » contient des identifiants en double.")
    o = positions(cost[origin], origins)
    d = positions(cost[dest], site_ids)
    t = cost[cost_col].to_numpy(dtype=np.float64)
    keep = (o >= 0) & (d >= 0) & np.isfinite(t)
    o, d, t = o[keep], d[keep], t[keep]
    # Sort by origin, then minutes, then site: each origin's run starts with its nearest site.
    order = np.lexsort((d, t, o))
    o, d, t = o[order], d[order], t[order]
    first = np.flatnonzero(np.r_[True, o[1:] != o[:-1]]) if len(o) else np.empty(0, np.int64)
    second = first + 1
    has_second = second < len(o)
    has_second[has_second] = o[second[has_second]] == o[first[has_second]]
    second = second[has_second]

    out = pd.DataFrame(index=origins)
    out["nearest_minutes"] = _spread(len(origins), o[first], t[first])
    out["nearest_site"] = _spread_ids(len(origins), o[first], site_ids, d[first])
    out["second_minutes"] = _spread(len(origins), o[second], t[second])
    out["second_site"] = _spread_ids(len(origins), o[second], site_ids, d[second])
    return out


def _spread(n: int, at: np.ndarray, values: np.ndarray) -> np.ndarray:
    out = np.full(n, np.nan)
    out[at] = values
    return out


def _spread_ids(n: int, at: np.ndarray, ids: pd.Index, pos: np.ndarray) -> pd.Categorical:
    codes = np.full(n, -1, dtype=np.int64)
    codes[at] = pos
    return pd.Categorical.from_codes(codes, categories=ids)
