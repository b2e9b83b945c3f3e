"""Structures of coordinated care (MSP, centres de santé, hôpitaux de proximité) per territory.

The sites are the offer rows of the categories ``maison_sante``, ``centre_sante`` and
``hopital_proximite`` (FINESS categories 603 and 124, see ``rules/structures.yaml``; BPE or the
demonstration when no FINESS file covers them), plus the FINESS establishments listed as labelled
hôpitaux de proximité: the FINESS numbers of ``rules/structures.yaml`` and those of the imported
published list (table ``hopitaux_proximite``, :mod:`.hopitaux_proximite`; read through a subquery,
never pasted into the SQL). France Santé planning takes its existing sites from
:func:`existing_site_counts`.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import pandas as pd
import yaml

from ...errors import ParameterError
from ...store.db import Store
from .hopitaux_proximite import SOURCE_ID, TABLE, has_table, list_status

LEVELS = {"departement": ("code_departement", "departements"), "region": ("code_region", "regions")}


@cache
def structure_rules() -> dict:
    text = (resources.files("accesoins") / "rules" / "structures.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def kinds() -> dict[str, dict]:
    return structure_rules()["kinds"]


def _hp_list() -> list[str]:
    return [str(x["finess"] if isinstance(x, dict) else x) for x in structure_rules()["hopitaux_proximite_finess"]]


def _literal(values: list[str]) -> str:
    """A DuckDB list literal of codes (digits and letters only: FINESS numbers, category keys)."""
    for v in values:
        if not re.fullmatch(r"[0-9A-Za-z_]+", v):
            raise ParameterError(f"code « {v} » invalide dans rules/structures.yaml")
    return "[" + ", ".join(f"'{v}'" for v in values) + "]::VARCHAR[]"


def hp_condition(with_list: bool = True) -> str:
    """SQL condition on an offer row aliased ``o``: its site is a listed hôpital de proximité."""
    listed = f" OR o.site_id IN (SELECT finess FROM {TABLE})" if with_list else ""
    return f"(list_contains({_literal(_hp_list())}, o.site_id){listed})"


def store_hp_condition(store: Store) -> str:
    """:func:`hp_condition` for ``store`` (the rules' list only on a store older than migration 013)."""
    return hp_condition(has_table(store))


def sites_sql(with_list: bool = True) -> str:
    """SELECT of every coordinated-care site, with its published columns (open data and services).

    A site is an hôpital de proximité when its FINESS number is in the rules' list or, with
    ``with_list`` (a store with migration 013), in the imported list; ``liste`` and
    ``millesime_liste`` then say which list.
    """
    hp, cats = _literal(_hp_list()), _literal(list(kinds()))
    listed = f"o.site_id IN (SELECT finess FROM {TABLE})" if with_list else "FALSE"
    label, vintage = ((f"(SELECT {col} FROM sources WHERE source_id = '{SOURCE_ID}')" for col in ("title", "vintage"))
                      if with_list else ("NULL", "NULL"))
    is_hp = hp_condition(with_list)
    return (
        f"SELECT CASE WHEN {is_hp} THEN 'hopital_proximite' ELSE o.category END AS type, "
        "o.code_commune, c.nom AS commune, c.code_epci, c.code_departement, c.code_region, o.site_id AS identifiant, "
        "o.name AS nom, o.quantity AS nombre, coalesce(o.lat, c.lat) AS lat, coalesce(o.lon, c.lon) AS lon, "
        "s.title AS source, s.vintage AS millesime, s.is_demo AS donnees_fictives, "
        f"CASE WHEN {listed} THEN {label} WHEN list_contains({hp}, o.site_id) THEN 'rules/structures.yaml' "
        f"END AS liste, CASE WHEN {listed} THEN {vintage} END AS millesime_liste "
        "FROM offer o JOIN sources s USING (source_id) JOIN communes c USING (code_commune) "
        f"WHERE list_contains({cats}, o.category) OR {is_hp}")


def territories_sql() -> str:
    """Sites by kind and territory (départements and régions), long form, for the open data."""
    return (f"SELECT 'departement' AS niveau, code_departement AS code, type, sum(nombre) AS nombre, "
            f"bool_or(donnees_fictives) AS donnees_fictives FROM ({sites_sql()}) GROUP BY ALL "
            f"UNION ALL SELECT 'region', code_region, type, sum(nombre), bool_or(donnees_fictives) "
            f"FROM ({sites_sql()}) GROUP BY ALL")


_CACHE: dict[tuple, pd.DataFrame] = {}


def _all_sites(store: Store) -> pd.DataFrame:
    """Every site, read once per store file and state of its imports (portraits ask many times)."""
    sql = sites_sql(with_list=has_table(store))
    key = (str(store.path), str(store.scalar("SELECT max(imported_at) FROM sources")), sql)
    if key not in _CACHE:
        if len(_CACHE) > 8:
            _CACHE.clear()
        frame = store.df(sql)
        # plain object columns: selecting a territory's rows in Arrow-backed strings is slow
        _CACHE[key] = frame.astype({c: object for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])})
    return _CACHE[key]


def coordinated_sites(store: Store, categories: list[str] | None = None) -> pd.DataFrame:
    """One row per stored site (or per commune × kind for sources that count by commune)."""
    frame = _all_sites(store)
    if categories is not None:
        frame = frame[frame["type"].isin(list(categories))]
    return frame


def existing_site_counts(store: Store, categories: list[str] | None = None) -> pd.Series:
    """Number of existing coordinated-care sites by commune: France Santé planning's existing sites."""
    sites = coordinated_sites(store, categories)
    return sites.groupby("code_commune")["nombre"].sum().astype(float)


def territory_counts(store: Store, level: str = "departement") -> pd.DataFrame:
    """Sites of each kind, their total and the total per 100 000 inhabitants, by territory."""
    if level not in LEVELS:
        raise ParameterError("niveau : « departement » ou « region ».")
    col, table = LEVELS[level]
    names = store.df(f"SELECT {col} AS code, nom FROM {table}")
    pop = store.df(f"SELECT {col} AS code, sum(coalesce(population, 0)) AS population FROM communes GROUP BY 1")
    sites = coordinated_sites(store)
    counts = sites.pivot_table(index=col, columns="type", values="nombre", aggfunc="sum", fill_value=0)
    counts = counts.reindex(columns=list(kinds()), fill_value=0)
    out = names.merge(pop, on="code", how="left").set_index("code")
    out = out.join(counts.rename_axis("code"), how="left").fillna({k: 0 for k in kinds()})
    out["total"] = out[list(kinds())].sum(axis=1)
    out["pour_100000"] = out["total"] / out["population"].where(out["population"] > 0) * structure_rules()["per"]
    return out.reset_index().sort_values("code")


def provenance(store: Store) -> dict[str, object]:
    sites = coordinated_sites(store)
    src = sites.drop_duplicates(["type", "source", "millesime"])
    return {"sources": [{"type": t, "source": s, "millesime": v, "fictif": bool(d)} for t, s, v, d in
                        zip(src["type"], src["source"], src["millesime"], src["donnees_fictives"], strict=True)],
            "is_demo": bool(sites["donnees_fictives"].any()) if len(sites) else False,
            "hopitaux_proximite_listes": len(_hp_list()),
            "liste_hopitaux_proximite": list_status(store, yaml_listed=len(_hp_list()))}


def overview(store: Store, level: str = "departement", measure: str = "pour_100000") -> dict[str, object]:
    """The observatory page of coordinated-care structures: France, every territory, provenance."""
    store.require_territory()
    mapped = map_values(store, level, measure)
    table = territory_counts(store, level)
    rules = structure_rules()
    total = {k: float(table[k].sum()) for k in [*kinds(), "total"]}
    population = float(table["population"].sum())
    total["pour_100000"] = total["total"] / population * rules["per"] if population else None
    return {"title": "Structures d'exercice coordonné : MSP, centres de santé, hôpitaux de proximité",
            "level": level, "kinds": kinds(), "france": total, "rows": table.to_dict("records"),
            "provenance": provenance(store), "nomenclature": rules["nomenclature"],
            "measure": measure, "measures": {k: v[0] for k, v in MEASURES.items()}, "legend": mapped["legend"],
            "geo_url": f"/geo/{level}.geojson",
            "map_data_url": f"/observatoire/structures/carte.json?niveau={level}&mesure={measure}",
            "downloads": {"sites": {f: f"/telecharger/structures.{f}" for f in ("csv", "parquet", "geojson")},
                          "territoires": {f: f"/telecharger/structures_territoires.{f}?niveau={level}"
                                          for f in ("csv", "parquet")}}}


MEASURES = {"pour_100000": ("Structures d'exercice coordonné pour 100 000 habitants", "pour 100 000 hab."),
            "total": ("Structures d'exercice coordonné", "structures"),
            **{k: (v["label"], "structures") for k, v in structure_rules()["kinds"].items()}}


def map_values(store: Store, level: str = "departement", measure: str = "pour_100000") -> dict[str, object]:
    """Values for the map (code → value), breaks and legend, as the observatory's map reads them."""
    from .views import breaks, legend

    if measure not in MEASURES:
        raise ParameterError(f"mesure « {measure} » inconnue ; mesures : {', '.join(MEASURES)}")
    table = territory_counts(store, level)
    label, unit = MEASURES[measure]
    values = {c: (None if pd.isna(v) else round(float(v), 4)) for c, v in zip(table["code"], table[measure],
                                                                                 strict=True)}
    br = breaks([v for v in values.values() if v is not None])
    return {"level": level, "measure": measure, "label": label, "unit": unit, "higher_is_better": True,
            "values": values, "breaks": br, "legend": legend(br, unit, has_values=bool(values))}


def portrait(store: Store, level: str, code: str) -> dict[str, object]:
    """The compact block of a portrait: structures of each kind in the territory (or commune)."""
    col = {"commune": "code_commune", "epci": "code_epci", "departement": "code_departement",
           "region": "code_region"}.get(level)
    sites = coordinated_sites(store)
    if col is not None:
        sites = sites[sites[col] == code]
    counts = sites.groupby("type")["nombre"].sum()
    return {"kinds": [{"type": k, "label": v["label"], "nombre": int(counts.get(k, 0))} for k, v in kinds().items()],
            # a nameless site (the demonstration's hôpitaux de proximité) is shown by its kind
            "sites": [{**r, "nom": r["nom"] if isinstance(r["nom"], str) and r["nom"] else kinds()[r["type"]]["label"],
                       "fictif": bool(r["donnees_fictives"])}
                      for r in sites[["type", "nom", "commune", "donnees_fictives"]].head(30).to_dict("records")],
            "is_demo": bool(sites["donnees_fictives"].any()) if len(sites) else False}


__all__ = ["structure_rules", "coordinated_sites", "hp_condition", "store_hp_condition", "existing_site_counts",
           "territory_counts", "overview", "portrait", "sites_sql", "territories_sql"]
