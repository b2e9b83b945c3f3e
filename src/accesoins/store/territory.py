"""Writing the territory into the store and reading it back."""

from __future__ import annotations

import json

import pandas as pd

from ..territory.build import Territory
from ..territory.codes import CommuneIndex
from ..territory.locate import CommuneLocator
from ..territory.sources import TERRITORY_SOURCES
from .db import Store

_TABLES = {
    "regions": ["code_region", "nom", "zone"],
    "departements": ["code_departement", "nom", "code_region"],
    "epci": ["code_epci", "nom", "type"],
    "communes": [
        "code_commune", "nom", "code_departement", "code_region", "code_epci", "zone",
        "population", "lat", "lon", "point_method", "mairie_distance_m", "contour_method",
        "area_km2",
    ],
    "commune_history": ["old_code", "code_commune", "nature"],
    "commune_postcodes": ["code_commune", "code_postal"],
    "contours": ["level", "code", "geojson"],
}


def insert_frame(store: Store, table: str, frame: pd.DataFrame, columns: list[str]) -> None:
    """Bulk insert through DuckDB's replacement scan of a pandas frame."""
    view = frame[columns]  # noqa: F841 - read by DuckDB by name
    cols = ", ".join(columns)
    store.con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM view")


def write_territory(store: Store, territory: Territory) -> None:
    """Replace the whole territory in one transaction."""
    frames = {
        "regions": territory.regions,
        "departements": territory.departements,
        "epci": territory.epci,
        "communes": territory.communes,
        "commune_history": territory.history,
        "commune_postcodes": territory.postcodes,
        "contours": territory.contours,
    }
    with store.transaction() as con:
        for table in _TABLES:
            con.execute(f"DELETE FROM {table}")
        con.execute("DELETE FROM sources WHERE kind = 'territory'")
        for table, columns in _TABLES.items():
            insert_frame(store, table, frames[table], columns)
        for src in territory.sources:
            con.execute(
                "INSERT INTO sources (source_id, kind, title, vintage, licence, attribution, url, "
                "parameters, row_count) VALUES (?, 'territory', ?, ?, ?, ?, ?, ?, ?)",
                [src.source_id, src.title, f"{src.package} {src.version} — {src.vintage}",
                 src.licence, src.attribution, src.url,
                 json.dumps({"package": src.package, "version": src.version,
                             "coverage": territory.report}, default=str),
                 len(territory.communes)],
            )


def commune_index(store: Store) -> CommuneIndex:
    store.require_territory()
    return CommuneIndex.from_frames(
        store.df("SELECT code_commune FROM communes"),
        store.df("SELECT old_code, code_commune FROM commune_history"),
    )


def territory_stats(store: Store) -> dict[str, object]:
    """Communes, population and coverage per point method, as stored."""
    store.require_territory()
    total = store.df(
        "SELECT count(*) AS communes, count(lat) AS placed, sum(population) AS population, "
        "sum(population) FILTER (WHERE lat IS NOT NULL) AS population_placed, "
        "count(*) FILTER (WHERE contour_method IS NOT NULL) AS with_contour FROM communes"
    ).iloc[0]
    by_method = store.df(
        "SELECT coalesce(point_method, 'non placé') AS methode, count(*) AS communes, "
        "sum(population) AS population FROM communes GROUP BY 1 ORDER BY 2 DESC"
    )
    by_zone = store.df(
        "SELECT zone, count(*) AS communes, sum(population) AS population FROM communes "
        "GROUP BY 1 ORDER BY 1 DESC"
    )
    return {
        "communes": int(total["communes"]),
        "communes_placed": int(total["placed"]),
        "communes_with_contour": int(total["with_contour"]),
        "population": int(total["population"]),
        "population_placed": int(total["population_placed"]),
        "share_placed": float(total["placed"] / total["communes"]),
        "share_population_placed": float(total["population_placed"] / total["population"]),
        "by_point_method": by_method.to_dict(orient="records"),
        "by_zone": by_zone.to_dict(orient="records"),
    }


def stored_territory_key(store: Store) -> str | None:
    """The build key of the stored territory (None before the first build)."""
    row = store.scalar(
        "SELECT parameters FROM sources WHERE source_id = ?", [TERRITORY_SOURCES[0].source_id]
    )
    return json.loads(row).get("coverage", {}).get("build_key") if row else None


def commune_locator(store: Store) -> CommuneLocator:
    """Point → commune, from the stored communes and their simplified contours."""
    import numpy as np
    import shapely

    store.require_territory()
    rows = store.records(
        "SELECT c.code_commune, c.lat, c.lon, k.geojson FROM communes c JOIN contours k "
        "ON k.level = 'commune' AND k.code = c.code_commune ORDER BY 1"
    )
    return CommuneLocator(
        np.array([r["code_commune"] for r in rows], dtype=object),
        shapely.from_geojson([r["geojson"] for r in rows]),
        np.array([r["lat"] for r in rows]),
        np.array([r["lon"] for r in rows]),
    )
