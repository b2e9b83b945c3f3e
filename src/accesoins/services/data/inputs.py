"""Inputs of the engine read from the store: points, population, supply, with their vintages.

Everything here returns plain pandas objects for :mod:`accesoins.access` and a
``vintages`` dict naming the sources (and whether any is fictitious) so that
results carry their provenance.
"""

from __future__ import annotations

import json

import pandas as pd

from ...errors import NotBuiltError
from ...store.db import Store

AGE_BANDS = ["0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
             "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+"]


def commune_points(store: Store) -> pd.DataFrame:
    """Units of computation indexed by code with ``lat``, ``lon``, ``population``, ``density``
    (inh./km²), ``area_km2`` and the road ``zone`` (see :func:`commune_zones`).

    The units are the communes, Paris, Lyon and Marseille replaced by their arrondissements
    (the store's view ``territory_units``), as DREES computes the APL."""
    store.require_territory()
    frame = store.df(
        "SELECT code_commune, lat, lon, coalesce(population, 0) AS population, "
        "coalesce(population, 0) / greatest(area_km2, 0.01) AS density, area_km2 FROM territory_units ORDER BY 1"
    ).set_index("code_commune")
    zones = commune_zones(store)
    frame["zone"] = zones["zone"].reindex(frame.index).fillna(-1).astype("int64").to_numpy()
    return frame


_ZONES: dict[str, pd.DataFrame] = {}


def commune_zones(store: Store) -> pd.DataFrame:
    """Land mass and road zone of every commune, from the contours and ``rules/travel/crossings.yaml``.

    Computed once per territory and links file (a few seconds), kept in ``travel_zones``
    when the store is writable and in memory for the process.
    """
    from ...store.territory import stored_territory_key
    from ...travel.landmass import land_masses, road_zones
    from ...travel.links import load_links

    links = load_links()
    key = f"{stored_territory_key(store)}|links={links.digest}"
    if key in _ZONES:
        return _ZONES[key]
    try:
        cached = store.df("SELECT code_commune, land_mass, zone FROM travel_zones WHERE zones_key = ?", [key])
    except Exception:  # noqa: BLE001 - a read-only store older than migration 009: compute in memory
        cached = pd.DataFrame()
    if len(cached):
        _ZONES[key] = cached.set_index("code_commune")
        return _ZONES[key]
    contours = store.df("SELECT code, geojson FROM contours WHERE level IN ('commune', 'arrondissement') "
                        "AND code IN (SELECT code_commune FROM territory_units)").set_index("code")
    points = store.df("SELECT code_commune, lat, lon FROM territory_units ORDER BY 1").set_index("code_commune")
    land = land_masses(contours["geojson"]).reindex(points.index)
    if land.isna().any():  # a commune without contour joins the land mass of its nearest neighbour
        from scipy.spatial import cKDTree

        known = land.notna().to_numpy()
        tree = cKDTree(points.loc[known, ["lat", "lon"]].to_numpy())
        _, near = tree.query(points.loc[~known, ["lat", "lon"]].to_numpy())
        land[~known] = land[known].to_numpy()[near]
    land = land.astype("int64")
    frame = pd.DataFrame({"land_mass": land, "zone": road_zones(land, links)})
    try:
        with store.transaction() as con:
            con.execute("DELETE FROM travel_zones")
            rows = frame.reset_index().assign(zones_key=key)[["zones_key", "code_commune", "land_mass", "zone"]]
            con.register("zone_rows", rows)
            con.execute("INSERT INTO travel_zones SELECT * FROM zone_rows")
            con.unregister("zone_rows")
    except Exception:  # noqa: BLE001 - a read-only store keeps them in memory only
        pass
    _ZONES[key] = frame
    return frame


def _by_arrondissement(store: Store, rows: pd.DataFrame, *, code: str = "code_commune",
                       quantity: str = "quantity") -> pd.DataFrame:
    """Rows stored for a whole city (before migration 012) onto its arrondissements, by the import rule."""
    from ...store.territory import place_city_rows

    return place_city_rows(store, rows, code=code, quantity=quantity)[0]


def territory_vintage(store: Store) -> dict[str, str]:
    rows = store.records("SELECT source_id, vintage FROM sources WHERE kind = 'territory' ORDER BY 1")
    return {r["source_id"]: r["vintage"] for r in rows}


def population(store: Store, *, by_age: bool = True) -> tuple[pd.Series | pd.DataFrame, dict[str, object]]:
    """Population by commune: by age band when an INSEE file covering all bands is imported."""
    points = commune_points(store)
    if by_age:
        src = store.records(
            "SELECT source_id, vintage FROM sources WHERE kind = 'population_by_age' "
            "ORDER BY imported_at DESC LIMIT 1"
        )
        if src:
            long = store.df(
                "SELECT code_commune, age_band, sum(population) AS population FROM population_by_age "
                "WHERE source_id = ? GROUP BY ALL", [src[0]["source_id"]]
            )
            long = _by_arrondissement(store, long, quantity="population")
            wide = long.pivot(index="code_commune", columns="age_band", values="population")
            wide = wide.reindex(index=points.index, columns=AGE_BANDS).fillna(0.0)
            return wide, {"population": f"{src[0]['source_id']} (par tranche d'âge)"}
    legal = territory_vintage(store).get("etalab_decoupage_administratif", "")
    return points["population"].astype(float), {"population": f"population municipale — {legal}"}


def offer_sources(store: Store, category: str) -> list[dict[str, object]]:
    return store.records(
        "SELECT DISTINCT s.source_id, s.title, s.vintage, s.is_demo FROM offer o "
        "JOIN sources s USING (source_id) WHERE o.category = ? ORDER BY 1", [category]
    )


def offer_provenance(store: Store, categories: str | list[str]) -> dict[str, object]:
    """The sources of the offer of one or several categories: labels with vintages, demo flag."""
    cats = [categories] if isinstance(categories, str) else list(categories)
    sources = [s for c in cats for s in offer_sources(store, c)]
    return {"offer": [f"{s['title']} — {s['vintage']}" for s in sources],
            "is_demo": any(s["is_demo"] for s in sources)}


def supply(store: Store, category: str) -> tuple[pd.DataFrame, dict[str, object]]:
    """One row per offer row of ``category``: ``site`` (commune), ``quantity``, ``unit``,
    and ``age``/``activity``/``fte`` when the source carries them."""
    rows = store.df(
        "SELECT code_commune AS site, quantity, unit, site_id, name, lat, lon, attributes FROM offer "
        "WHERE category = ?", [category],
    )
    rows = _by_arrondissement(store, rows, code="site").drop(columns=["site_id", "name", "lat", "lon"])
    if rows.empty:
        raise NotBuiltError(f"Aucune offre de la catégorie « {category} » dans la base.")
    attrs = rows["attributes"].map(lambda a: json.loads(a) if isinstance(a, str) and a else {})
    for key, col in (("age", "age"), ("activite", "activity"), ("etp", "fte")):
        values = attrs.map(lambda d, k=key: d.get(k))
        if values.notna().any():
            rows[col] = pd.to_numeric(values, errors="coerce")
    # RPPS flags (import « rpps »): in the DREES scope (libéral, centre de santé), centre de santé
    for key, col in (("perimetre_apl", "scope"), ("centre_sante", "centre_sante")):
        values = attrs.map(lambda d, k=key: d.get(k))
        if values.notna().any():
            rows[col] = values.map(lambda v: None if v is None else str(v).lower() in ("true", "1", "oui"))
    if rows["unit"].eq("fte").any():  # FTE known for some rows: headcount stands in for the others
        rows["fte"] = rows["quantity"]
    return rows.drop(columns="attributes"), offer_provenance(store, category)


def site_counts(store: Store, category: str) -> pd.Series:
    """Quantity of ``category`` by commune (sites, headcount or FTE as stored)."""
    frame = store.df(
        "SELECT code_commune, sum(quantity) AS q FROM offer WHERE category = ? AND code_commune NOT IN "
        "(SELECT code_commune FROM arrondissements) GROUP BY 1", [category]
    )
    city = store.df(  # rows stored for a whole city: onto its arrondissements, by the import rule
        "SELECT code_commune, quantity, unit, site_id, name, lat, lon FROM offer WHERE category = ? "
        "AND code_commune IN (SELECT code_commune FROM arrondissements)", [category])
    if len(city):
        spread = _by_arrondissement(store, city).rename(columns={"quantity": "q"})[["code_commune", "q"]]
        frame = pd.concat([frame, spread]).groupby("code_commune", as_index=False)["q"].sum()
    if frame.empty:
        known = [r["category"] for r in store.records("SELECT DISTINCT category FROM offer ORDER BY 1")]
        raise NotBuiltError(
            f"Aucune offre de la catégorie « {category} » dans la base ; catégories présentes : "
            + ", ".join(known)
        )
    return frame.set_index("code_commune")["q"]


def site_counts_of(store: Store, categories: list[str]) -> pd.Series:
    """Quantity of several categories together, by commune (e.g. the France Santé-type sites)."""
    return pd.concat([site_counts(store, c) for c in categories]).groupby(level=0).sum()
