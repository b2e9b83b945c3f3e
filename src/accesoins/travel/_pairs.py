"""The sparse origin→destination frame every travel-time provider returns.

A travel-time table is a *long* DataFrame with one row per reachable pair:
``origin``, ``dest`` (categorical, whose categories are the ids of the input
points) and ``minutes`` (float64). Categorical ids keep tens of millions of pairs
cheap and let the catchment models map ids to positions by looking up the
categories only, never hashing every row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from accesoins.errors import ParameterError

PAIR_COLUMNS: tuple[str, str, str] = ("origin", "dest", "minutes")


def pairs_frame(
    origin_ids: pd.Index,
    dest_ids: pd.Index,
    origin_pos: np.ndarray,
    dest_pos: np.ndarray,
    minutes: np.ndarray,
) -> pd.DataFrame:
    """Build the long pair frame from positions into two id indexes.

    Parameters
    ----------
    origin_ids, dest_ids : pandas.Index
        Unique ids of the origins and destinations.
    origin_pos, dest_pos : numpy.ndarray of int
        Positions of each pair's ends in ``origin_ids`` and ``dest_ids``.
    minutes : numpy.ndarray of float
        Travel time of each pair, in minutes.

    Returns
    -------
    pandas.DataFrame
        Columns ``origin``, ``dest`` (categorical) and ``minutes`` (float64).
    """
    return pd.DataFrame(
        {
            "origin": pd.Categorical.from_codes(
                np.asarray(origin_pos, dtype=np.int32), categories=origin_ids
            ),
            "dest": pd.Categorical.from_codes(
                np.asarray(dest_pos, dtype=np.int32), categories=dest_ids
            ),
            "minutes": np.asarray(minutes, dtype=np.float64),
        }
    )


def check_points(points: pd.DataFrame, *, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Validate a frame of points indexed by id; return latitudes and longitudes in degrees."""
    if not isinstance(points, pd.DataFrame):
        raise ParameterError(f"« {name} » doit être un DataFrame indexé par identifiant.")
    missing = [c for c in ("lat", "lon") if c not in points.columns]
    if missing:
        raise ParameterError(
            f"« {name} » : colonne(s) manquante(s) {missing} (lat, lon en degrés)."
        )
    if not points.index.is_unique:
        raise ParameterError(f"« {name} » : les identifiants (index) doivent être uniques.")
    lat = pd.to_numeric(points["lat"], errors="coerce").to_numpy(dtype=np.float64)
    lon = pd.to_numeric(points["lon"], errors="coerce").to_numpy(dtype=np.float64)
    bad = ~(np.isfinite(lat) & np.isfinite(lon)) | (np.abs(lat) > 90) | (np.abs(lon) > 180)
    if bad.any():
        first = points.index[np.flatnonzero(bad)[0]]
        raise ParameterError(
            f"« {name} » : {int(bad.sum())} point(s) sans coordonnées valides "
            f"(premier : {first!r})."
        )
    return lat, lon


def check_cap(max_minutes: float) -> float:
    """Validate a travel-time cap in minutes."""
    try:
        cap = float(max_minutes)
    except (TypeError, ValueError):
        raise ParameterError("max_minutes doit être un nombre de minutes.") from None
    if not np.isfinite(cap) or cap < 0:
        raise ParameterError(
            f"max_minutes doit être un nombre positif fini (reçu {max_minutes!r})."
        )
    return cap
