"""Geometry helpers for the territory build: local metric distances, areas, GeoJSON.

Coordinates are WGS84 longitude/latitude throughout. Distances of a few hundred
metres use a local equirectangular projection, precise enough for the 500 m rule.
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Geod

_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON_EQUATOR = 111_320.0
_GEOD = Geod(ellps="WGS84")


def to_local_metres(geoms: np.ndarray, lat0: np.ndarray) -> np.ndarray:
    """Scale each geometry to metres around its own reference latitude ``lat0``."""
    _, index = shapely.get_coordinates(geoms, return_index=True)
    scale = np.column_stack(
        [_M_PER_DEG_LON_EQUATOR * np.cos(np.radians(lat0[index])), np.full(len(index), _M_PER_DEG_LAT)]
    )
    return shapely.transform(geoms, lambda coords: coords * scale)


def distance_m(points: np.ndarray, shapes: np.ndarray) -> np.ndarray:
    """Distance in metres from each point to the matching shape (0 inside)."""
    lat0 = shapely.get_y(points)
    return shapely.distance(to_local_metres(points, lat0), to_local_metres(shapes, lat0))


def area_km2(geoms: np.ndarray) -> np.ndarray:
    """Geodesic area on the WGS84 ellipsoid, in km²."""
    return np.array(
        [abs(_GEOD.geometry_area_perimeter(g)[0]) / 1e6 if g is not None else np.nan for g in geoms]
    )


def to_geojson(geoms: np.ndarray, precision: int = 5) -> np.ndarray:
    """Compact GeoJSON geometry texts, coordinates rounded (5 decimals ≈ 1 m)."""
    rounded = shapely.transform(geoms, lambda coords: np.round(coords, precision))
    return shapely.to_geojson(rounded)
