"""Turn pandas inputs into aligned numpy arrays for the catchment kernels.

Pair ends are mapped to positions in the demand index (origins) and in the
supply index (destinations). Categorical id columns, as every travel provider
returns, are mapped by looking up their categories only; pairs whose ends are
unknown are dropped (an origin without demand adds nothing, a destination
without supply offers nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from accesoins.errors import ParameterError


@dataclass(frozen=True)
class Pairs:
    """Positions and minutes of the pairs whose both ends are known."""

    o: np.ndarray  # int64 positions into the origin index
    d: np.ndarray  # int64 positions into the destination index
    minutes: np.ndarray  # float64, NaN replaced by +inf (unreachable)


def check_series(values: pd.Series, *, name: str) -> np.ndarray:
    """Validate a non-negative numeric Series with a unique index; return float64 values."""
    if not isinstance(values, pd.Series):
        raise ParameterError(f"« {name} » doit être une pandas.Series indexée par identifiant.")
    if not values.index.is_unique:
        raise ParameterError(f"« {name} » : l'index contient des identifiants en double.")
    try:
        arr = values.to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterError(f"« {name} » doit être numérique.") from None
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        first = values.index[np.flatnonzero(bad)[0]]
        raise ParameterError(
            f"« {name} » : {int(bad.sum())} valeur(s) manquante(s), infinie(s) ou négative(s) "
            f"(premier identifiant : {first!r})."
        )
    return arr


def positions(col: pd.Series, index: pd.Index) -> np.ndarray:
    """Positions of the ids of ``col`` in ``index`` (−1 where absent), as int64."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes = col.cat.codes.to_numpy().astype(np.int64)
        cats = col.cat.categories
        if cats.equals(index):
            return codes
        # Map the (few) categories, then gather: never hash every row. Code −1 hits the sentinel.
        mapping = np.append(index.get_indexer(cats), -1)
        return mapping[codes]
    return index.get_indexer(pd.Index(col)).astype(np.int64)


def align_pairs(
    cost: pd.DataFrame,
    origins: pd.Index,
    dests: pd.Index,
    *,
    origin: str,
    dest: str,
    cost_col: str,
) -> Pairs:
    """Validate the cost frame and keep the pairs whose ends are in ``origins`` and ``dests``."""
    if not isinstance(cost, pd.DataFrame):
        raise ParameterError(
            "« cost » doit être un DataFrame long (origine, destination, minutes)."
        )
    missing = [c for c in (origin, dest, cost_col) if c not in cost.columns]
    if missing:
        raise ParameterError(f"« cost » : colonne(s) absente(s) {missing}.")
    try:
        minutes = cost[cost_col].to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterError(f"« cost » : la colonne « {cost_col} » doit être numérique.") from None
    if (minutes < 0).any():
        raise ParameterError(f"« cost » : durées négatives dans « {cost_col} ».")
    o = positions(cost[origin], origins)
    d = positions(cost[dest], dests)
    if len(o) and len(origins) and not (o >= 0).any():
        # Almost always ids of different types ("01001" vs 1001), not a real empty problem.
        raise ParameterError(
            f"« cost » : aucune origine ({origin}) ne figure dans l'index de la demande "
            "(types d'identifiants différents ?)."
        )
    keep = (o >= 0) & (d >= 0)
    if not keep.all():
        o, d, minutes = o[keep], d[keep], minutes[keep]
    minutes = np.where(np.isnan(minutes), np.inf, minutes)
    return Pairs(o=o, d=d, minutes=minutes)
