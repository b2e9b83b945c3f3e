"""An in-memory index of what the portraits show, read once from the store.

A commune or territory portrait would otherwise take some twenty small queries;
with this index it takes a few dictionary and array look-ups (well under a
millisecond), which is what lets the site answer many people at once. The
index is rebuilt whenever the store changes (its stamp is the sources and
observatory builds), so it never shows stale figures.
"""

from __future__ import annotations

import json
import math
import threading
import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...store.db import Store

_LOCK = threading.Lock()
_CACHE: dict[tuple, TerritoryIndex] = {}
NAMES = {"commune": ("communes", "code_commune"), "arrondissement": ("arrondissements", "code_arrondissement"),
         "epci": ("epci", "code_epci"),
         "departement": ("departements", "code_departement"), "region": ("regions", "code_region")}


def stamp(store: Store) -> tuple:
    """Changes whenever anything is imported or computed."""
    row = store.con.execute(
        "SELECT (SELECT CAST(max(imported_at) AS VARCHAR) || count(*) FROM sources), "
        "(SELECT CAST(max(built_at) AS VARCHAR) FROM observatory_builds)").fetchone()
    return (str(store.path), row[0], row[1])


_READ_ONLY_STAMPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # opening → stamp


def index_for(store: Store) -> TerritoryIndex:
    """The index of this store's current content (built on first use, then shared).

    A store opened read-only cannot change while open (DuckDB locks writers out), so its
    stamp is read once; a writable store is stamped on every call.
    """
    if store.read_only:
        key = _READ_ONLY_STAMPS.get(store.opening)
        if key is None:
            key = _READ_ONLY_STAMPS[store.opening] = stamp(store)
    else:
        key = stamp(store)
    found = _CACHE.get(key)
    if found is not None:
        return found
    with _LOCK:
        found = _CACHE.get(key)
        if found is None:
            for old in [k for k in _CACHE if k[0] == key[0]]:
                del _CACHE[old]
            found = _CACHE[key] = TerritoryIndex.build(store)
    return found


@dataclass
class LevelValues:
    codes: dict[str, int]
    values: np.ndarray  # territories × indicators
    ranks: np.ndarray | None = None
    sizes: np.ndarray | None = None


class TerritoryIndex:
    """Communes, names, indicator values, ranks, nearest sites and offer, in memory."""

    def __init__(self) -> None:
        self.meta: list[dict] = []
        self.indicator_pos: dict[str, int] = {}
        self.levels: dict[str, LevelValues] = {}
        self.names: dict[str, dict[str, str]] = {}
        self.communes: dict[str, dict] = {}
        self.history: dict[str, str] = {}
        self.postcodes: dict[str, list[str]] = {}
        self.offer: dict[str, list[dict]] = {}
        self.nearest: dict[str, list[dict]] = {}
        self.classes: dict[str, str | None] = {}
        self.contours: dict[str, str] = {}
        self.populations: dict[tuple[str, str], float] = {}
        self.zoning: dict[tuple[str, str], dict[str, float]] = {}
        self.demo_notice: str | None = None
        self.epci_parent: dict[str, tuple[str, str]] = {}
        self.departement_parent: dict[str, str] = {}
        self.arrondissements: dict[str, list[dict]] = {}

    @classmethod
    def build(cls, store: Store) -> TerritoryIndex:
        store.require_territory()
        ix = cls()
        for r in store.records("SELECT * FROM indicator_meta ORDER BY family, indicator"):
            r["parameters"] = json.loads(r["parameters"])
            r["vintages"] = json.loads(r["vintages"])
            r["computed_at"] = str(r["computed_at"])
            ix.meta.append(r)
        ix.indicator_pos = {m["indicator"]: i for i, m in enumerate(ix.meta)}
        cols = [m["indicator"] for m in ix.meta]
        values = store.df("SELECT level, code, indicator, value, rank_departement, n_departement "
                          "FROM indicator_values")
        for level, part in values.groupby("level"):
            wide = part.pivot(index="code", columns="indicator", values="value").reindex(columns=cols)
            lv = LevelValues({c: i for i, c in enumerate(wide.index)}, wide.to_numpy(dtype=float))
            if level in ("commune", "arrondissement"):
                lv.ranks = part.pivot(index="code", columns="indicator", values="rank_departement") \
                    .reindex(index=wide.index, columns=cols).to_numpy(dtype=float)
                lv.sizes = part.pivot(index="code", columns="indicator", values="n_departement") \
                    .reindex(index=wide.index, columns=cols).to_numpy(dtype=float)
            ix.levels[str(level)] = lv
        for level, (table, col) in NAMES.items():
            ix.names[level] = dict(store.con.execute(f"SELECT {col}, nom FROM {table}").fetchall())
        ix.communes = {r["code_commune"]: r for r in store.records(
            "SELECT c.*, d.nom AS departement, r.nom AS region, e.nom AS epci FROM communes c "
            "JOIN departements d USING (code_departement) JOIN regions r ON r.code_region = c.code_region "
            "LEFT JOIN epci e USING (code_epci)")}
        ix.arrondissements = {}  # city → its arrondissements (code, nom, population), by code
        for r in store.records(  # an arrondissement is shown like a commune, with its city above it
                "SELECT a.code_arrondissement AS code_commune, a.nom, a.code_departement, a.code_region, "
                "a.code_epci, a.zone, a.population, a.lat, a.lon, a.point_method, a.mairie_distance_m, "
                "a.contour_method, a.area_km2, d.nom AS departement, r.nom AS region, e.nom AS epci, "
                "a.code_commune AS code_ville, c.nom AS ville FROM arrondissements a "
                "JOIN communes c USING (code_commune) JOIN departements d ON d.code_departement = a.code_departement "
                "JOIN regions r ON r.code_region = a.code_region LEFT JOIN epci e ON e.code_epci = a.code_epci "
                "ORDER BY 1"):
            ix.communes[r["code_commune"]] = {**r, "is_arrondissement": True}
            ix.arrondissements.setdefault(r["code_ville"], []).append(
                {"code": r["code_commune"], "nom": r["nom"], "population": r["population"]})
        for c in ix.communes.values():  # containing territories of EPCI and départements
            if c["code_epci"]:
                ix.epci_parent.setdefault(c["code_epci"], (c["code_departement"], c["code_region"]))
            ix.departement_parent.setdefault(c["code_departement"], c["code_region"])
        ix.history = dict(store.con.execute("SELECT old_code, code_commune FROM commune_history").fetchall())
        for code, cp in store.con.execute(
                "SELECT code_commune, code_postal FROM commune_postcodes UNION ALL "
                "SELECT code_arrondissement, code_postal FROM arrondissement_postcodes ORDER BY 1, 2").fetchall():
            ix.postcodes.setdefault(code, []).append(cp)
        for r in store.records(
                "SELECT o.code_commune, o.category, sum(o.quantity) AS quantity, any_value(o.unit) AS unit, "
                "bool_or(s.is_demo) AS is_demo FROM offer o JOIN sources s USING (source_id) GROUP BY 1, 2 "
                "ORDER BY 1, 2"):
            ix.offer.setdefault(r.pop("code_commune"), []).append(r)
        for r in store.records("SELECT code_commune, target, site_commune, minutes FROM nearest_sites "
                               "ORDER BY code_commune, target"):
            site = ix.communes.get(r["site_commune"] or "", {})
            ix.nearest.setdefault(r.pop("code_commune"), []).append(
                {**r, "site_nom": site.get("nom"), "lat": site.get("lat"), "lon": site.get("lon")})
        ix.contours = dict(store.con.execute(
            "SELECT code, geojson FROM contours WHERE level IN ('commune', 'arrondissement')").fetchall())
        ix.classes = dict(store.con.execute("SELECT code_commune, classe FROM zoning_classes").fetchall())
        ix.populations = {(lvl, c): p for lvl, c, p in store.con.execute(
            "SELECT level, code, population FROM territory_populations").fetchall()}
        for lvl, c, k, p in store.con.execute("SELECT level, code, classe, population FROM zoning_populations"
                                              ).fetchall():
            ix.zoning.setdefault((lvl, c), {})[k] = p
        ix.demo_notice = store.scalar("SELECT attribution FROM sources WHERE is_demo LIMIT 1")
        return ix

    # -- look-ups ---------------------------------------------------------------------
    def value_row(self, level: str, code: str) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None] | None:
        lv = self.levels.get(level)
        if lv is None or code not in lv.codes:
            return None
        i = lv.codes[code]
        return (lv.values[i], None if lv.ranks is None else lv.ranks[i],
                None if lv.sizes is None else lv.sizes[i])

    def parents(self, level: str, code: str) -> list[tuple[str, str, str]]:
        """(level, code, name) of the territories containing ``code``, up to France."""
        if level in ("commune", "arrondissement"):
            c = self.communes[code]
            chain = [("epci", c["code_epci"]), ("departement", c["code_departement"]), ("region", c["code_region"])]
            if level == "arrondissement":
                chain.insert(0, ("commune", c["code_ville"]))
        elif level == "epci" and code in self.epci_parent:
            dep, reg = self.epci_parent[code]
            chain = [("departement", dep), ("region", reg)]
        elif level == "departement" and code in self.departement_parent:
            chain = [("region", self.departement_parent[code])]
        else:
            chain = []
        out = [(lvl, c, self.names[lvl].get(c)) for lvl, c in chain if c]
        return [*out, ("france", "FR", "France")]


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def indicator_rows(ix: TerritoryIndex, level: str, code: str, parents: list[tuple[str, str, str]]) -> list[dict]:
    own = ix.value_row(level, code)
    compare = {lvl: ix.value_row(lvl, c) for lvl, c, _ in parents}
    rows = []
    for i, m in enumerate(ix.meta):
        rows.append({
            "indicator": m["indicator"], "label": m["label"], "unit": m["unit"], "family": m["family"],
            "higher_is_better": m["higher_is_better"],
            "value": _finite(own[0][i]) if own else None,
            "rank_departement": int(own[1][i]) if own and own[1] is not None and np.isfinite(own[1][i]) else None,
            "n_departement": int(own[2][i]) if own and own[2] is not None and np.isfinite(own[2][i]) else None,
            "compare": {lvl: (_finite(v[0][i]) if v else None) for lvl, v in compare.items()},
            "vintages": m["vintages"], "parameters": m["parameters"], "is_demo": m["is_demo"],
        })
    return rows


def zoning_rows(ix: TerritoryIndex, level: str, code: str, classes: list[dict]) -> list[dict]:
    rows = ix.zoning.get((level, code), {})
    total = sum(rows.values()) or 0.0
    return [{"classe": c["code"], "label": c["label"], "population": rows.get(c["code"], 0.0),
             "share": (rows.get(c["code"], 0.0) / total) if total else None} for c in classes]


def as_frame(ix: TerritoryIndex, level: str) -> pd.DataFrame:
    lv = ix.levels[level]
    return pd.DataFrame(lv.values, index=list(lv.codes), columns=[m["indicator"] for m in ix.meta])
