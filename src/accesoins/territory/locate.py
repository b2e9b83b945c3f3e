"""Find the commune of a point: inside its contour, else the nearest commune point.

Contours are the simplified ones of the store (edges move by up to ~150 m), so
a point on a coast or a border may fall in no contour: it then goes to the
commune whose reference point is nearest, if within :data:`MAX_FALLBACK_KM`.
"""

from __future__ import annotations

import numpy as np
import shapely
from scipy.spatial import cKDTree

MAX_FALLBACK_KM = 5.0
_EARTH_KM = 6371.0088


def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


class CommuneLocator:
    """Callable ``locate(lat, lon) -> code | None``, and :meth:`many` for arrays."""

    def __init__(self, codes: np.ndarray, contours: np.ndarray, lat: np.ndarray, lon: np.ndarray):
        self.codes = codes
        self.tree = shapely.STRtree(contours)
        self.kd = cKDTree(_unit_vectors(lat, lon))

    def many(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """Commune codes of many points (None where no commune is close enough)."""
        lat, lon = np.asarray(lat, float), np.asarray(lon, float)
        out = np.full(len(lat), None, dtype=object)
        pts, hits = shapely.points(lon, lat), None
        hits = self.tree.query(pts, predicate="within")
        # a point on a shared edge may be in two contours: keep the first
        _, first = np.unique(hits[0], return_index=True)
        out[hits[0][first]] = self.codes[hits[1][first]]
        rest = np.flatnonzero(out == None)  # noqa: E711 - elementwise on an object array
        if len(rest):
            chord, idx = self.kd.query(_unit_vectors(lat[rest], lon[rest]))
            km = 2 * _EARTH_KM * np.arcsin(np.clip(chord / 2, 0, 1))
            ok = km <= MAX_FALLBACK_KM
            out[rest[ok]] = self.codes[idx[ok]]
        return out

    def __call__(self, lat: float, lon: float) -> str | None:
        return self.many(np.array([lat]), np.array([lon]))[0]
