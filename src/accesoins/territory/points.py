"""One representative point per commune, with the method that chose it.

Order of preference (the method is stored with each point):

1. ``mairie``: the town hall, when it lies within :data:`MAIRIE_MAX_DISTANCE_M`
   of the commune's own contour (some are misplaced by kilometres);
2. ``centroid`` of the contour when it lies inside, else ``point_on_surface``;
3. ``mairie_no_contour``: the town hall of a commune whose contour is unknown;
4. ``geonames_place`` / ``geonames_postcode``: the GeoNames postcode place of the
   same name, or the mean of the commune's postcode places (CC-BY GeoNames).
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import shapely

from .geometry import distance_m

MAIRIE_MAX_DISTANCE_M = 500.0


def town_halls(codes: pd.Index, parts: pd.DataFrame) -> np.ndarray:
    """Town-hall point per commune: its own row, else a part bearing the same code."""
    rows = parts[parts["mairie"].notna() & (parts["code"].isin(codes))]
    rows = rows.assign(rank=(rows["type"] != "COM").astype(int)).sort_values("rank")
    first = rows.drop_duplicates("code").set_index("code")["mairie"]
    hexes = first.reindex(codes)
    out = np.full(len(codes), None, dtype=object)
    ok = hexes.notna().to_numpy()
    geoms = shapely.from_wkb(hexes[ok].to_numpy())
    out[ok] = np.where(shapely.is_empty(geoms), None, geoms)  # the source has a few empty points
    return out


def contour_points(contours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centroid when inside the contour, else a point guaranteed on its surface."""
    cent = shapely.centroid(contours)
    inside = shapely.within(cent, contours)
    pts = np.where(inside, cent, shapely.point_on_surface(contours))
    return pts, np.where(inside, "centroid", "point_on_surface").astype(object)


def choose_points(contours: np.ndarray, mairies: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Representative points, methods, and town-hall distance to contour (m, NaN if n/a)."""
    n = len(contours)
    pts = np.full(n, None, dtype=object)
    method = np.full(n, None, dtype=object)
    dist = np.full(n, np.nan)
    has_c = ~pd.isna(contours)
    has_m = ~pd.isna(mairies)
    both = has_c & has_m
    dist[both] = distance_m(mairies[both].astype(object), contours[both].astype(object))
    ok_m = both & (np.nan_to_num(dist, nan=np.inf) <= MAIRIE_MAX_DISTANCE_M)
    pts[ok_m], method[ok_m] = mairies[ok_m], "mairie"
    fallback = has_c & ~ok_m
    if fallback.any():
        pts[fallback], method[fallback] = contour_points(contours[fallback].astype(object))
    only_m = has_m & ~has_c
    pts[only_m], method[only_m] = mairies[only_m], "mairie_no_contour"
    return pts, method, dist


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    for a, b in (("saint", "st"), ("sainte", "ste"), ("-", " "), ("'", " ")):
        text = text.replace(a, b)
    return " ".join(text.split())


def geonames_points(
    names: pd.Series, postcodes: pd.DataFrame, geonames: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Points from GeoNames postcode places for communes indexed by code in ``names``."""
    pts = np.full(len(names), None, dtype=object)
    method = np.full(len(names), None, dtype=object)
    gn = geonames.assign(key=geonames["place"].map(_fold))
    for i, (code, name) in enumerate(names.items()):
        cps = postcodes.loc[postcodes["code_commune"] == code, "code_postal"]
        cand = gn[gn["code_postal"].isin(cps)]
        same = cand[cand["key"] == _fold(name)]
        if len(same):
            pts[i] = shapely.points(same["lon"].mean(), same["lat"].mean())
            method[i] = "geonames_place"
        elif len(cand):
            pts[i] = shapely.points(cand["lon"].mean(), cand["lat"].mean())
            method[i] = "geonames_postcode"
    return pts, method
