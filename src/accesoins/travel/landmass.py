"""Land masses and road zones from commune contours.

Communes whose contours touch (after a small buffer, which closes the slivers
and gaps left by simplification) belong to the same land mass; connected
components of that contact graph are the land masses (mainland, Corsica, each
island). Zones refine land masses for the road model: bridges merge two land
masses, and each enclave (a commune reached by one gateway only) is a zone of
its own. Pure: contours in, labels out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from accesoins.travel.links import Links

#: Buffer (degrees, ≈ 200–330 m) closing simplification gaps between neighbouring contours,
#: far narrower than any sea strait of a listed island (Île-aux-Moines: ≈ 500 m).
CONTACT_BUFFER_DEG = 0.002


def land_masses(geojson: pd.Series, *, buffer_deg: float = CONTACT_BUFFER_DEG) -> pd.Series:
    """Land-mass label of each commune (0 = the largest), from GeoJSON contours indexed by code."""
    geoms = shapely.from_geojson(geojson.to_numpy())
    geoms = shapely.make_valid(geoms)
    grown = shapely.buffer(geoms, buffer_deg, quad_segs=2)
    tree = shapely.STRtree(grown)
    i, j = tree.query(grown, predicate="intersects")
    n = len(geojson)
    graph = coo_matrix((np.ones(len(i), dtype=np.int8), (i, j)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    return _by_size(pd.Series(label, index=geojson.index, name="land_mass"))


def _by_size(labels: pd.Series) -> pd.Series:
    order = labels.value_counts().index  # largest first, stable labels across runs
    return labels.map({old: new for new, old in enumerate(order)}).astype(np.int64)


def road_zones(land_mass: pd.Series, links: Links) -> pd.Series:
    """Zone of each commune: land masses merged by bridges, enclaves apart."""
    zone = land_mass.astype(np.int64).copy()
    for bridge in links.bridges:
        if bridge.a in zone.index and bridge.b in zone.index:
            za, zb = zone[bridge.a], zone[bridge.b]
            if za != zb:
                zone[zone == max(za, zb)] = min(za, zb)
    top = int(zone.max()) + 1 if len(zone) else 0
    for k, enclave in enumerate(links.enclaves):
        if enclave.a in zone.index:
            zone[enclave.a] = top + k
    return zone.rename("zone")
