"""Default travel-time model: great-circle distance, detour factor, banded speeds.

No road graph is needed, so the model runs anywhere in a second for all French
communes. Times are centre-to-centre like the INSEE Metric distancier the DREES
uses for the APL. Candidate pairs come from a k-d tree on unit-sphere
coordinates with a radius derived from the cap and the fastest speed, so the
work and the output grow with the number of *reachable* pairs, never with the
square of the number of points.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from accesoins.errors import ParameterError
from accesoins.travel._pairs import check_cap, check_points, pairs_frame
from accesoins.travel.geo import chord_to_km, km_to_chord, unit_xyz

# Bump when the formula changes, so cached tables are not reused by mistake.
_MODEL_VERSION = 1


@dataclass(frozen=True)
class RoadTimeModel:
    """Road travel time from straight-line distance, by distance band and local density.

    A trip of road length ``L = detour_factor × great-circle distance`` (km) costs::

        terminal_minutes
        + min(L, local_km) × mean local pace of its two ends
        + (kilometres between local_km and regional_km) × 60 / regional_speed_kmh
        + (kilometres beyond regional_km) × 60 / long_speed_kmh

    The local pace (minutes per km) of an end depends on its population density:
    ``urban_speed_kmh`` at or above ``urban_density``, ``rural_speed_kmh`` below
    ``rural_density``, ``periurban_speed_kmh`` in between or when the density is
    unknown. Averaging the paces of both ends keeps the model symmetric; charging
    each band only for the kilometres within it keeps time increasing with
    distance. Two points with the same id (same commune) are 0 minutes apart.

    Parameters
    ----------
    detour_factor : float
        Road length over great-circle length (≥ 1). About 1.3 in France.
    local_km : float
        Road kilometres driven at the local speed of the trip ends (km).
    regional_km : float
        Road kilometres after which the long-distance speed applies (km, > local_km).
    urban_speed_kmh, periurban_speed_kmh, rural_speed_kmh : float
        Local speeds (km/h); denser is slower, so urban ≤ peri-urban ≤ rural.
    regional_speed_kmh, long_speed_kmh : float
        Speeds of the regional and long-distance bands (km/h).
    urban_density, rural_density : float
        Density thresholds of the local classes (inhabitants per km²).
    terminal_minutes : float
        Fixed access and parking time added to every trip between distinct ids
        (minutes). 0 by default, to stay comparable with the centre-to-centre
        Metric times the official APL uses.
    """

    detour_factor: float = 1.3
    local_km: float = 5.0
    regional_km: float = 25.0
    urban_speed_kmh: float = 25.0
    periurban_speed_kmh: float = 40.0
    rural_speed_kmh: float = 55.0
    regional_speed_kmh: float = 70.0
    long_speed_kmh: float = 95.0
    urban_density: float = 1500.0
    rural_density: float = 150.0
    terminal_minutes: float = 0.0

    name = "road"

    def __post_init__(self) -> None:
        for field, value in asdict(self).items():
            if not isinstance(value, (int, float)) or not np.isfinite(value):
                raise ParameterError(f"RoadTimeModel.{field} doit être un nombre fini.")
            if value < 0:
                raise ParameterError(f"RoadTimeModel.{field} doit être positif (reçu {value}).")
        if self.detour_factor < 1:
            raise ParameterError("RoadTimeModel.detour_factor doit être ≥ 1.")
        speeds = ("urban", "periurban", "rural", "regional", "long")
        for s in speeds:
            if getattr(self, f"{s}_speed_kmh") <= 0:
                raise ParameterError(f"RoadTimeModel.{s}_speed_kmh doit être > 0 km/h.")
        if not self.urban_speed_kmh <= self.periurban_speed_kmh <= self.rural_speed_kmh:
            raise ParameterError(
                "Vitesses locales : il faut urbain ≤ périurbain ≤ rural (plus dense = plus lent)."
            )
        if not 0 < self.local_km < self.regional_km:
            raise ParameterError("Il faut 0 < local_km < regional_km.")
        if not self.rural_density < self.urban_density:
            raise ParameterError("Il faut rural_density < urban_density.")

    def cache_key(self) -> str:
        """Stable key ``road-v<version>-<hash>`` of the provider and its parameters."""
        payload = json.dumps(
            {"provider": self.name, "version": _MODEL_VERSION, **asdict(self)}, sort_keys=True
        )
        return f"{self.name}-v{_MODEL_VERSION}-{hashlib.sha256(payload.encode()).hexdigest()[:16]}"

    def max_reach_km(self, max_minutes: float) -> float:
        """Largest great-circle distance (km) a trip of ``max_minutes`` can cover."""
        top = max(
            self.urban_speed_kmh,
            self.periurban_speed_kmh,
            self.rural_speed_kmh,
            self.regional_speed_kmh,
            self.long_speed_kmh,
        )
        road_km = max(max_minutes - self.terminal_minutes, 0.0) * top / 60.0
        return road_km / self.detour_factor

    def local_pace(self, density: np.ndarray) -> np.ndarray:
        """Local pace (minutes per km) for densities in inhabitants per km² (NaN → peri-urban)."""
        pace = np.full(density.shape, 60.0 / self.periurban_speed_kmh)
        pace[density >= self.urban_density] = 60.0 / self.urban_speed_kmh
        pace[density < self.rural_density] = 60.0 / self.rural_speed_kmh
        return pace

    def minutes(self, gc_km: np.ndarray, pace_o: np.ndarray, pace_d: np.ndarray) -> np.ndarray:
        """Travel time (minutes) for great-circle distances (km) and end paces (min/km)."""
        road = gc_km * self.detour_factor
        local = np.minimum(road, self.local_km)
        regional = np.clip(road - self.local_km, 0.0, self.regional_km - self.local_km)
        far = np.maximum(road - self.regional_km, 0.0)
        t = local * (0.5 * (pace_o + pace_d))
        t += regional * (60.0 / self.regional_speed_kmh)
        t += far * (60.0 / self.long_speed_kmh)
        return t + self.terminal_minutes

    def travel_times(
        self,
        origins: pd.DataFrame,
        destinations: pd.DataFrame | None = None,
        *,
        max_minutes: float,
    ) -> pd.DataFrame:
        """Sparse travel times up to a cap.

        Parameters
        ----------
        origins : pandas.DataFrame
            Points indexed by a unique id, with ``lat`` and ``lon`` (degrees) and
            optionally ``density`` (inhabitants per km²).
        destinations : pandas.DataFrame, optional
            Same layout; ``None`` means the origins themselves (commune to commune).
        max_minutes : float
            Cap on travel time (minutes); pairs above it are left out.

        Returns
        -------
        pandas.DataFrame
            ``origin``, ``dest`` (categorical over the input ids) and ``minutes``
            (float64), one row per pair with ``minutes <= max_minutes``, in no
            particular order. Pairs with the same id always appear, with 0 minutes.
        """
        cap = check_cap(max_minutes)
        lat_o, lon_o = check_points(origins, name="origins")
        xyz_o = unit_xyz(lat_o, lon_o)
        pace_o = self.local_pace(_density(origins))
        radius = km_to_chord(self.max_reach_km(cap)) * (1 + 1e-9)
        tree_o = cKDTree(xyz_o)

        if destinations is None:
            # Symmetric case: search each unordered pair once, then mirror it.
            ij = tree_o.query_pairs(radius, output_type="ndarray")
            i, j = ij[:, 0], ij[:, 1]
            t = self.minutes(
                chord_to_km(np.linalg.norm(xyz_o[i] - xyz_o[j], axis=1)), pace_o[i], pace_o[j]
            )
            keep = t <= cap
            i, j, t = i[keep], j[keep], t[keep]
            diag = np.arange(len(origins))
            oi = np.concatenate([i, j, diag])
            dj = np.concatenate([j, i, diag])
            mins = np.concatenate([t, t, np.zeros(len(diag))])
            return pairs_frame(origins.index, origins.index, oi, dj, mins)

        lat_d, lon_d = check_points(destinations, name="destinations")
        xyz_d = unit_xyz(lat_d, lon_d)
        pace_d = self.local_pace(_density(destinations))
        coo = tree_o.sparse_distance_matrix(cKDTree(xyz_d), radius, output_type="ndarray")
        oi, dj = coo["i"].astype(np.int64), coo["j"].astype(np.int64)
        t = self.minutes(chord_to_km(coo["v"]), pace_o[oi], pace_d[dj])
        # Same id on both sides = same commune: 0 minutes, always in the table.
        twin = origins.index.get_indexer(destinations.index)
        same = twin[dj] == oi
        t[same] = 0.0
        keep = t <= cap
        oi, dj, t = oi[keep], dj[keep], t[keep]
        shared = np.flatnonzero(twin >= 0)
        absent = np.setdiff1d(shared, dj[same[keep]], assume_unique=False)
        if len(absent):
            oi = np.concatenate([oi, twin[absent]])
            dj = np.concatenate([dj, absent])
            t = np.concatenate([t, np.zeros(len(absent))])
        return pairs_frame(origins.index, destinations.index, oi, dj, t)


def _density(points: pd.DataFrame) -> np.ndarray:
    """Densities (inhabitants per km²) of points; NaN where unknown."""
    if "density" not in points.columns:
        return np.full(len(points), np.nan)
    density = pd.to_numeric(points["density"], errors="coerce").to_numpy(dtype=np.float64)
    if (density < 0).any():
        raise ParameterError("La densité (habitants/km²) ne peut pas être négative.")
    return density
