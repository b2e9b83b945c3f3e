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
    "arrondissements": [
        "code_arrondissement", "nom", "code_commune", "code_departement", "code_region", "code_epci", "zone",
        "population", "lat", "lon", "point_method", "mairie_distance_m", "contour_method", "area_km2",
    ],
    "arrondissement_postcodes": ["code_arrondissement", "code_postal"],
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
        "arrondissements": territory.arrondissements,
        "arrondissement_postcodes": territory.arrondissement_postcodes,
    }
    with store.transaction() as con:
        for table in _TABLES:
            con.execute(f"DELETE FROM {table}")
        con.execute("DELETE FROM sources WHERE kind = 'territory'")
        for table, columns in _TABLES.items():
            if len(frames[table]):
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
    """Current communes and arrondissements (kept under their own code), and the old codes."""
    store.require_territory()
    return CommuneIndex.from_frames(
        store.df("SELECT code_commune FROM communes UNION ALL "
                 "SELECT code_arrondissement FROM arrondissements"),
        store.df("SELECT old_code, code_commune FROM commune_history WHERE old_code NOT IN "
                 "(SELECT code_arrondissement FROM arrondissements)"),
    )


def arrondissements(store: Store):
    """The arrondissements (code, parent commune, legal population, point), ordered by code."""
    return store.df("SELECT code_arrondissement, code_commune, nom, population, lat, lon "
                    "FROM arrondissements ORDER BY 1")


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
    arm = store.df(
        "SELECT a.code_commune, any_value(c.nom) AS nom, count(*) AS arrondissements, "
        "count(a.lat) AS placed, count(k.code) AS with_contour, sum(a.population) AS population, "
        "any_value(c.population) AS population_commune FROM arrondissements a "
        "JOIN communes c USING (code_commune) LEFT JOIN contours k ON k.level = 'arrondissement' "
        "AND k.code = a.code_arrondissement GROUP BY 1 ORDER BY 1"
    )
    return {
        "arrondissements": int(arm["arrondissements"].sum()),
        "arrondissements_by_city": arm.to_dict(orient="records"),
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
    """Point → commune (arrondissement in Paris, Lyon, Marseille), from the stored simplified contours."""
    import numpy as np
    import shapely

    store.require_territory()
    rows = store.records(  # the three cities' points go to their arrondissement
        "SELECT u.code_commune, u.lat, u.lon, k.geojson FROM territory_units u JOIN contours k "
        "ON k.level = (CASE WHEN u.is_arrondissement THEN 'arrondissement' ELSE 'commune' END) "
        "AND k.code = u.code_commune ORDER BY 1"
    )
    return CommuneLocator(
        np.array([r["code_commune"] for r in rows], dtype=object),
        shapely.from_geojson([r["geojson"] for r in rows]),
        np.array([r["lat"] for r in rows]),
        np.array([r["lon"] for r in rows]),
    )


def arrondissement_locator(store: Store) -> CommuneLocator | None:
    """Point → arrondissement of Paris, Lyon or Marseille (None before migration 012's data)."""
    import numpy as np
    import shapely

    rows = store.records(
        "SELECT a.code_arrondissement, a.lat, a.lon, k.geojson FROM arrondissements a JOIN contours k "
        "ON k.level = 'arrondissement' AND k.code = a.code_arrondissement ORDER BY 1")
    if not rows:
        return None
    return CommuneLocator(
        np.array([r["code_arrondissement"] for r in rows], dtype=object),
        shapely.from_geojson([r["geojson"] for r in rows]),
        np.array([r["lat"] for r in rows]), np.array([r["lon"] for r in rows]),
    )


def city_seats(store: Store, locate: CommuneLocator | None = None) -> dict[str, str]:
    """City code → the arrondissement holding its town hall (the commune's reference point)."""
    locate = locate or arrondissement_locator(store)
    if locate is None:
        return {}
    cities = store.records("SELECT code_commune, lat, lon FROM communes WHERE code_commune IN "
                           "(SELECT code_commune FROM arrondissements) AND lat IS NOT NULL")
    return {c["code_commune"]: locate(c["lat"], c["lon"]) for c in cities}


def place_city_rows(store: Store, rows: pd.DataFrame, *, code: str = "code_commune",
                    quantity: str = "quantity") -> tuple[pd.DataFrame, dict[str, object]]:
    """Rows given for a whole city moved onto its arrondissements (``rules/arrondissements.yaml``)."""
    from ..offer.arrondissements import spread_city_rows

    arm = store.df("SELECT code_arrondissement, code_commune, population FROM arrondissements")
    if arm.empty or rows.empty or not rows[code].isin(set(arm["code_commune"])).any():
        return rows, {}
    locate = arrondissement_locator(store)
    seats = city_seats(store, locate)
    return spread_city_rows(rows, arm, code=code, quantity=quantity, seats=seats,
                            locate=locate.many if locate else None)
