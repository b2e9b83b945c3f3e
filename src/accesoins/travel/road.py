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
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from accesoins.errors import ParameterError
from accesoins.travel._pairs import check_cap, check_points, pairs_frame
from accesoins.travel.geo import chord_to_km, km_to_chord, unit_xyz
from accesoins.travel.links import load_links

_Ends = tuple[np.ndarray, np.ndarray, np.ndarray]  # unit xyz, pace and relief of points
_Pairs = tuple[np.ndarray, np.ndarray, np.ndarray]  # origin positions, dest positions, minutes

# Bump when the formula changes, so cached tables are not reused by mistake.
_MODEL_VERSION = 3


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
    intra_minutes_per_sqrt_km2 : float
        Time within a commune per square root of its area (minutes/√km²), given to
        the pair of a commune with itself when the points carry ``area_km2``. 0 by
        default: the APL counts a commune's own practitioners at 0 minutes, as the
        DREES does; nearest-care times use a positive value.
    small_commune_population, small_commune_minutes_per_decade : float
        Access time of a small commune's centre to the main roads: each end of a trip
        between distinct ids adds ``minutes_per_decade × log10(small_commune_population /
        population)`` minutes when the points carry ``population`` and it is below
        ``small_commune_population`` (2 minutes at 100 inhabitants, 4 at 10 with the
        defaults). Calibrated like the speeds against the official APL, fitted on the
        even-numbered départements and checked on the odd ones (Spearman 0.590 → 0.632 on
        the odd ones, ``bench/fidelity_hypotheses.py``): the hamlet-sized communes the DREES
        finds far from any GP are those our straight-line model brought too close.

    Geography: when the points carry a ``zone`` (see :mod:`accesoins.travel.landmass`),
    pairs of different zones are joined only through the links of
    ``rules/travel/crossings.yaml`` (road to the port, crossing and its wait, road
    from the port); a ``relief`` multiplier slows trips in rugged or sparse areas.
    """

    # Speeds calibrated against the official APL (DREES 2018 from the BPE GP counts, bench/fidelity.py):
    # slower local and regional speeds than free-flow driving ranked communes best (Spearman
    # 0.47 → 0.58); the long-distance speed does not enter the APL (beyond 20 minutes) and keeps
    # the speed of main roads for nearest-care times.
    detour_factor: float = 1.3
    local_km: float = 5.0
    regional_km: float = 25.0
    urban_speed_kmh: float = 25.0
    periurban_speed_kmh: float = 35.0
    rural_speed_kmh: float = 40.0
    regional_speed_kmh: float = 55.0
    long_speed_kmh: float = 95.0
    urban_density: float = 1500.0
    rural_density: float = 150.0
    terminal_minutes: float = 0.0
    intra_minutes_per_sqrt_km2: float = 0.0
    small_commune_population: float = 1000.0
    small_commune_minutes_per_decade: float = 2.0

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
        if self.small_commune_population <= 0:
            raise ParameterError("RoadTimeModel.small_commune_population doit être > 0 habitant.")

    def cache_key(self) -> str:
        """Stable key ``road-v<version>-<hash>`` of the provider and its parameters."""
        payload = json.dumps(
            {"provider": self.name, "version": _MODEL_VERSION, "links": load_links().digest, **asdict(self)},
            sort_keys=True
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

    def minutes(self, gc_km: np.ndarray, pace_o: np.ndarray, pace_d: np.ndarray,
                relief_o: np.ndarray | float = 1.0, relief_d: np.ndarray | float = 1.0) -> np.ndarray:
        """Travel time (minutes) for great-circle distances (km), end paces (min/km) and reliefs."""
        road = gc_km * self.detour_factor
        local = np.minimum(road, self.local_km)
        regional = np.clip(road - self.local_km, 0.0, self.regional_km - self.local_km)
        far = np.maximum(road - self.regional_km, 0.0)
        t = local * (0.5 * (pace_o + pace_d))
        t += regional * (60.0 / self.regional_speed_kmh)
        t += far * (60.0 / self.long_speed_kmh)
        total: np.ndarray = t * (0.5 * (np.asarray(relief_o) + np.asarray(relief_d))) + self.terminal_minutes
        return total

    def access_minutes(self, population: np.ndarray) -> np.ndarray:
        """Time from a commune's centre to the main roads (minutes), by its population (NaN → 0)."""
        pop = np.asarray(population, dtype=np.float64)
        known = np.isfinite(pop)
        decades = np.log10(self.small_commune_population / np.maximum(np.where(known, pop, 1.0), 1.0))
        return np.where(known, self.small_commune_minutes_per_decade * np.clip(decades, 0.0, None), 0.0)

    def self_minutes(self, area_km2: np.ndarray) -> np.ndarray:
        """Time within a commune (minutes): ``intra_minutes_per_sqrt_km2 × √area`` (0 by default)."""
        area = np.nan_to_num(np.asarray(area_km2, dtype=np.float64), nan=0.0)
        return self.intra_minutes_per_sqrt_km2 * np.sqrt(np.maximum(area, 0.0))

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
            optionally ``density`` (inhabitants per km²), ``zone`` (road zone: points
            of different zones are joined only through the links of
            ``rules/travel/crossings.yaml``, ids being commune codes), ``relief``
            (time multiplier ≥ 1 of the point's surroundings), ``area_km2``
            (for the time within a commune) and ``population`` (for the access time
            of small communes, :meth:`access_minutes`).
        destinations : pandas.DataFrame, optional
            Same layout; ``None`` means the origins themselves (commune to commune).
        max_minutes : float
            Cap on travel time (minutes); pairs above it are left out.

        Returns
        -------
        pandas.DataFrame
            ``origin``, ``dest`` (categorical over the input ids) and ``minutes``
            (float64), one row per pair with ``minutes <= max_minutes``, in no
            particular order. Pairs with the same id always appear, with
            :meth:`self_minutes` (0 by default, the APL convention).
        """
        cap = check_cap(max_minutes)
        symmetric = destinations is None
        dests = origins if destinations is None else destinations
        lat_o, lon_o = check_points(origins, name="origins")
        xyz_o = unit_xyz(lat_o, lon_o)
        pace_o = self.local_pace(_density(origins))
        if symmetric:
            xyz_d, pace_d = xyz_o, pace_o
        else:
            lat_d, lon_d = check_points(dests, name="destinations")
            xyz_d = unit_xyz(lat_d, lon_d)
            pace_d = self.local_pace(_density(dests))
        relief_o, relief_d = _relief(origins), _relief(dests)
        radius = km_to_chord(self.max_reach_km(cap)) * (1 + 1e-9)
        tree_o = cKDTree(xyz_o)

        if symmetric:
            # Search each unordered pair once, then mirror it.
            ij = tree_o.query_pairs(radius, output_type="ndarray")
            i, j = ij[:, 0], ij[:, 1]
            gc = chord_to_km(np.linalg.norm(xyz_o[i] - xyz_o[j], axis=1))
            t = self.minutes(gc, pace_o[i], pace_o[j], relief_o[i], relief_o[j])
            keep = t <= cap
            i, j, t = i[keep], j[keep], t[keep]
            oi, dj, t = np.concatenate([i, j]), np.concatenate([j, i]), np.concatenate([t, t])
            twin = np.arange(len(origins))
        else:
            coo = tree_o.sparse_distance_matrix(cKDTree(xyz_d), radius, output_type="ndarray")
            oi, dj = coo["i"].astype(np.int64), coo["j"].astype(np.int64)
            t = self.minutes(chord_to_km(coo["v"]), pace_o[oi], pace_d[dj], relief_o[oi], relief_d[dj])
            twin = origins.index.get_indexer(dests.index)  # same id = same commune
            keep = (t <= cap) & (twin[dj] != oi)
            oi, dj, t = oi[keep], dj[keep], t[keep]

        zone_o, zone_d = _zones(origins), _zones(dests)
        if zone_o is not None and zone_d is not None:
            keep = zone_o[oi] == zone_d[dj]  # never across the sea but by a listed link
            oi, dj, t = oi[keep], dj[keep], t[keep]
            extra = self._link_pairs(origins, dests, (xyz_o, pace_o, relief_o), (xyz_d, pace_d, relief_d),
                                     zone_o, zone_d, cap)
            if extra is not None:  # cross-zone pairs only: they never repeat a same-zone road pair
                extra = _shortest(*extra, len(dests))
                oi, dj, t = (np.concatenate([a, b]) for a, b in zip((oi, dj, t), extra, strict=True))

        if self.small_commune_minutes_per_decade > 0:  # small communes' access to the main roads
            t = t + self.access_minutes(_population(origins))[oi] + self.access_minutes(_population(dests))[dj]
            keep = t <= cap
            oi, dj, t = oi[keep], dj[keep], t[keep]
        shared = np.flatnonzero(twin >= 0)
        area = _area(dests)[shared]
        oi = np.concatenate([oi, twin[shared]])
        dj = np.concatenate([dj, shared])
        t = np.concatenate([t, self.self_minutes(area)])
        return pairs_frame(origins.index, dests.index, oi, dj, t)

    def _link_pairs(self, origins: pd.DataFrame, dests: pd.DataFrame, ends_o: _Ends, ends_d: _Ends,
                    zone_o: np.ndarray, zone_d: np.ndarray, cap: float) -> _Pairs | None:
        """Pairs of different zones joined through links (ferries, bridges' ends, enclave gateways).

        The link ends (ports) form a small graph: a link joins its two ends, the road joins
        two ports of the same zone. Shortest port-to-port times (Dijkstra) allow several hops
        (Cilaos → Saint-Louis … Saint-André → Salazie); an origin reaches a port of its zone
        by road, and a destination is reached by road from a port of its zone.
        """
        from scipy.sparse.csgraph import shortest_path

        xyz_o, pace_o, relief_o = ends_o
        xyz_d, pace_d, relief_d = ends_d
        pos_o = pd.Series(np.arange(len(origins)), index=origins.index.astype(str))
        pos_d = pd.Series(np.arange(len(dests)), index=dests.index.astype(str))
        crossings = load_links().crossings
        ends = sorted({e for k in crossings for e in (k.a, k.b) if e in pos_o.index or e in pos_d.index})
        if not ends:
            return None

        def attr(end: str) -> tuple[Any, Any, Any, Any]:  # xyz, pace, relief and zone of a port (either frame)
            if end in pos_o.index:
                i = int(pos_o[end])
                return xyz_o[i], pace_o[i], relief_o[i], zone_o[i]
            i = int(pos_d[end])
            return xyz_d[i], pace_d[i], relief_d[i], zone_d[i]

        port = {e: k for k, e in enumerate(ends)}
        info = [attr(e) for e in ends]
        pxyz = np.array([x[0] for x in info])
        ppace = np.array([x[1] for x in info])
        prelief = np.array([x[2] for x in info])
        pzone = np.array([x[3] for x in info])
        n = len(ends)
        graph = np.full((n, n), np.inf)
        for k in range(n):  # road between ports of one zone
            same = np.flatnonzero(pzone == pzone[k])
            graph[k, same] = self._leg(pxyz[same], ppace[same], prelief[same], pxyz[k], ppace[k], prelief[k])
        for link in crossings:
            if link.a in port and link.b in port:
                a, b = port[link.a], port[link.b]
                graph[a, b] = graph[b, a] = min(graph[a, b], link.total_minutes)
        np.fill_diagonal(graph, 0.0)
        best = shortest_path(np.where(np.isfinite(graph), graph, 0.0), method="D", directed=True)
        best[~np.isfinite(graph) & (best == 0) & ~np.eye(n, dtype=bool)] = np.inf

        ids_o, ids_d = pos_o.index.to_numpy(), pos_d.index.to_numpy()
        legs_o: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        legs_d: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for k in range(n):  # road legs: origins to port k, port k to destinations (same zone)
            o1 = np.flatnonzero(zone_o == pzone[k])
            t1 = self._leg(xyz_o[o1], pace_o[o1], relief_o[o1], pxyz[k], ppace[k], prelief[k])
            t1[ids_o[o1] == ends[k]] = 0.0
            legs_o[k] = (o1[t1 <= cap], t1[t1 <= cap])
            d2 = np.flatnonzero(zone_d == pzone[k])
            t2 = self._leg(xyz_d[d2], pace_d[d2], relief_d[d2], pxyz[k], ppace[k], prelief[k])
            t2[ids_d[d2] == ends[k]] = 0.0
            legs_d[k] = (d2[t2 <= cap], t2[t2 <= cap])
        out_o: list[np.ndarray] = []
        out_d: list[np.ndarray] = []
        out_t: list[np.ndarray] = []
        for p in range(n):
            o1, t1 = legs_o[p]
            if not len(o1):
                continue
            for q in range(n):
                hop = best[p, q]
                if pzone[p] == pzone[q] or not np.isfinite(hop) or hop + t1.min() > cap:
                    continue
                d2, t2 = legs_d[q]
                keep = t2 <= cap - hop - t1.min()
                if not keep.any():
                    continue
                total = t1[:, None] + hop + t2[keep][None, :]
                oo, dd = np.nonzero(total <= cap)
                out_o.append(o1[oo])
                out_d.append(d2[keep][dd])
                out_t.append(total[oo, dd])
        if not out_o:
            return None
        return np.concatenate(out_o), np.concatenate(out_d), np.concatenate(out_t)

    def _leg(self, xyz: np.ndarray, pace: np.ndarray, relief: np.ndarray, xyz_end: np.ndarray, pace_end: float,
             relief_end: float) -> np.ndarray:
        gc = chord_to_km(np.linalg.norm(xyz - xyz_end[None, :], axis=1))
        return self.minutes(gc, pace, np.full(len(xyz), pace_end), relief, relief_end)


def _shortest(oi: np.ndarray, dj: np.ndarray, t: np.ndarray, n_dest: int) -> _Pairs:
    """Keep the shortest time of each (origin, dest) pair."""
    key = oi.astype(np.int64) * max(n_dest, 1) + dj
    order = np.lexsort((t, key))
    first = np.ones(len(order), dtype=bool)
    first[1:] = key[order][1:] != key[order][:-1]
    pick = order[first]
    return oi[pick], dj[pick], t[pick]


def _zones(points: pd.DataFrame) -> np.ndarray | None:
    if "zone" not in points.columns:
        return None
    return pd.to_numeric(points["zone"], errors="coerce").fillna(-1).to_numpy(dtype=np.int64)


def _relief(points: pd.DataFrame) -> np.ndarray:
    """Time multiplier of each point's surroundings (1 when unknown)."""
    if "relief" not in points.columns:
        return np.ones(len(points))
    relief = pd.to_numeric(points["relief"], errors="coerce").fillna(1.0).to_numpy(dtype=np.float64)
    if (relief < 1).any():
        raise ParameterError("« relief » est un multiplicateur de temps ≥ 1.")
    return relief


def _population(points: pd.DataFrame) -> np.ndarray:
    """Inhabitants of each point (NaN where unknown: no access time)."""
    if "population" not in points.columns:
        return np.full(len(points), np.nan)
    return pd.to_numeric(points["population"], errors="coerce").to_numpy(dtype=np.float64)


def _area(points: pd.DataFrame) -> np.ndarray:
    if "area_km2" not in points.columns:
        return np.zeros(len(points))
    return pd.to_numeric(points["area_km2"], errors="coerce").fillna(0.0).to_numpy(dtype=np.float64)


def _density(points: pd.DataFrame) -> np.ndarray:
    """Densities (inhabitants per km²) of points; NaN where unknown."""
    if "density" not in points.columns:
        return np.full(len(points), np.nan)
    density = pd.to_numeric(points["density"], errors="coerce").to_numpy(dtype=np.float64)
    if (density < 0).any():
        raise ParameterError("La densité (habitants/km²) ne peut pas être négative.")
    return density
