"""Great-circle geometry on 3-D unit-sphere coordinates.

Points are embedded on the unit sphere so that a k-d tree (Euclidean) finds
neighbours by chord length, which maps monotonically to great-circle distance.
"""

from __future__ import annotations

import numpy as np

#: Mean Earth radius (IUGG), in kilometres.
EARTH_RADIUS_KM: float = 6371.0088


def unit_xyz(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Unit-sphere Cartesian coordinates, shape ``(n, 3)``, from degrees."""
    lat = np.radians(lat_deg)
    lon = np.radians(lon_deg)
    cos_lat = np.cos(lat)
    return np.column_stack([cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)])


def chord_to_km(chord: np.ndarray) -> np.ndarray:
    """Great-circle distance in km from a chord length on the unit sphere."""
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))


def km_to_chord(km: float) -> float:
    """Chord length on the unit sphere for a great-circle distance in km."""
    angle = min(km / EARTH_RADIUS_KM, np.pi)
    return float(2.0 * np.sin(angle / 2.0))
