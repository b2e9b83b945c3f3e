"""What the observatory's pages and API show: read from the store, never recomputed.

Every function returns a JSON-ready dict (the page's JSON twin) carrying the
indicator's parameters, data vintages and the demonstration flag.
"""

from __future__ import annotations

import json

import numpy as np

from ...errors import CommuneNotFound, ParameterError
from ...indicators.catalog import observatory_rules
from ...indicators.classify import zoning_classes
from ...store.db import Store
from ..data.territory import demo_notice
from .series import indicator_meta as series_meta
from .territory_index import NAMES, TerritoryIndex, index_for, indicator_rows, zoning_rows

LEVELS = {"commune": "Communes", "arrondissement": "Arrondissements (Paris, Lyon, Marseille)",
          "epci": "Intercommunalités", "departement": "Départements",
          "region": "Régions", "france": "France"}
UNIT_LEVELS = ("commune", "arrondissement")  # units of computation: a value per place, no zoning table
PALETTE = ["#fde725", "#7ad151", "#22a884", "#2a788e", "#414487", "#440154"]  # viridis: colour-blind safe
NO_VALUE_COLOUR = "#d9d9d9"
DEFAULT_INDICATOR = "apl_medecin_generaliste_65"


def _meta(row: dict) -> dict:
    row = dict(row)
    row["parameters"] = json.loads(row["parameters"])
    row["vintages"] = json.loads(row["vintages"])
    row["computed_at"] = str(row["computed_at"])
    return row


def indicators(store: Store) -> list[dict]:
    """The catalogue of computed indicators with provenance."""
    return [_meta(r) for r in store.records("SELECT * FROM indicator_meta ORDER BY family, indicator")]


def indicator_meta(store: Store, name: str) -> dict:
    rows = store.records("SELECT * FROM indicator_meta WHERE indicator = ?", [name])
    if not rows:
        known = ", ".join(r["indicator"] for r in store.records("SELECT indicator FROM indicator_meta ORDER BY 1"))
        raise ParameterError(f"indicateur « {name} » inconnu ; indicateurs disponibles : {known}")
    return _meta(rows[0])


def check_level(level: str, allowed=tuple(NAMES)) -> str:
    if level not in allowed:
        raise ParameterError(f"niveau « {level} » inconnu ; niveaux possibles : {', '.join(allowed)}")
    return level


def values(store: Store, indicator: str, level: str, *, departement: str | None = None) -> list[dict]:
    """Values of one indicator for every territory of ``level`` (with names and populations)."""
    check_level(level)
    table, col = NAMES[level]
    where, params = "", [level, indicator]
    if departement and level in ("commune", "arrondissement"):
        where, params = " AND n.code_departement = ?", [level, indicator, departement]
    return store.records(
        f"SELECT v.code, n.nom, v.value, p.population, v.rank_departement, v.n_departement "
        f"FROM indicator_values v JOIN {table} n ON n.{col} = v.code "
        f"LEFT JOIN territory_populations p ON p.level = v.level AND p.code = v.code "
        f"WHERE v.level = ? AND v.indicator = ?{where} ORDER BY v.code", params)


def breaks(vals: list[float | None], k: int = 6) -> list[float]:
    """Quantile class breaks (k classes → k-1 inner breaks), rounded for the legend."""
    arr = np.array([v for v in vals if v is not None and np.isfinite(v)], dtype=float)
    if not len(arr):
        return []
    qs = np.unique(np.quantile(arr, np.linspace(0, 1, k + 1)[1:-1]))
    scale = 10 ** max(0, 2 - int(np.floor(np.log10(max(abs(arr).max(), 1e-9)))))
    return sorted({float(np.round(q * scale) / scale) for q in qs})


def _fr(x: float) -> str:
    """A class bound as French readers write it (decimal comma)."""
    return f"{x:g}".replace(".", ",")


def legend(br: list[float], unit: str, *, has_values: bool = True) -> list[dict]:
    """Legend classes for the quantile breaks; without any value, one « aucune valeur » entry."""
    if not br:
        return [{"colour": PALETTE[0] if has_values else NO_VALUE_COLOUR, "min": None, "max": None,
                 "label": "une seule classe" if has_values else "aucune valeur calculée pour cette sélection"}]
    colours = PALETTE[: len(br) + 1]
    bounds = [None, *br, None]
    return [{"colour": colours[i], "min": bounds[i], "max": bounds[i + 1],
             "label": (f"moins de {_fr(bounds[i + 1])}" if bounds[i] is None else
                       f"{_fr(bounds[i])} ou plus" if bounds[i + 1] is None else
                       f"de {_fr(bounds[i])} à moins de {_fr(bounds[i + 1])}") + f" {unit}"}
            for i in range(len(colours))]


def _any_finite(rows: list[dict]) -> bool:
    return any(r["value"] is not None and np.isfinite(r["value"]) for r in rows)


def map_data(store: Store, indicator: str, level: str, *, departement: str | None = None) -> dict:
    """Compact values for the map (code → value), class breaks and legend."""
    meta = indicator_meta(store, indicator)
    rows = values(store, indicator, level, departement=departement)
    br = breaks([r["value"] for r in rows])
    return {
        "indicator": indicator, "level": level, "departement": departement,
        "unit": meta["unit"], "label": meta["label"], "higher_is_better": meta["higher_is_better"],
        "values": {r["code"]: (None if r["value"] is None or not np.isfinite(r["value"]) else round(r["value"], 4))
                   for r in rows},
        "breaks": br, "legend": legend(br, meta["unit"], has_values=_any_finite(rows)),
        "is_demo": meta["is_demo"], "vintages": meta["vintages"],
    }


def dashboard(store: Store, indicator: str = DEFAULT_INDICATOR, level: str = "departement",
              departement: str | None = None) -> dict:
    """The observatory's home: an indicator on a map, the table alternative, France's figures."""
    store.require_territory()
    meta = indicator_meta(store, indicator)
    check_level(level)
    rows = values(store, indicator, level, departement=departement)
    finite = [r for r in rows if r["value"] is not None and np.isfinite(r["value"])]
    order = sorted(finite, key=lambda r: r["value"], reverse=meta["higher_is_better"])
    france = store.scalar("SELECT value FROM indicator_values WHERE level='france' AND indicator = ?", [indicator])
    br = breaks([r["value"] for r in rows])
    query = f"indicateur={indicator}&niveau={level}" + (f"&departement={departement}" if departement else "")
    return {
        "title": "Observatoire de l'accès aux soins",
        "families": observatory_rules().get("families", {}),  # pages of their own (specialists, structures)
        "indicator": meta, "level": level, "level_label": LEVELS[level], "departement": departement,
        "indicators": [{"indicator": m["indicator"], "label": m["label"], "family": m["family"]}
                       for m in indicators(store)],
        "levels": {k: v for k, v in LEVELS.items() if k != "france"},
        "departements": store.records("SELECT code_departement AS code, nom FROM departements ORDER BY 1"),
        "france_value": france,
        "zoning": zoning(store, "france", "FR"),
        "breaks": br, "legend": legend(br, meta["unit"], has_values=bool(finite)),
        "count": len(rows),
        "best": order[:10], "worst": order[-10:][::-1],
        "rows": rows if len(rows) <= 1500 else None,
        "map_data_url": f"/observatoire/carte.json?{query}",
        "geo_url": f"/geo/{'commune_light' if level == 'commune' and not departement else level}.geojson"
                   + (f"?departement={departement}" if departement and level in UNIT_LEVELS else ""),
        "demo_notice": demo_notice(store),
    }


def zoning(store: Store, level: str, code: str) -> list[dict]:
    """Population of a territory in each zoning class, with the class labels and shares."""
    return zoning_rows(index_for(store), level, code, zoning_classes())


def territory_indicators(store: Store, level: str, code: str, *, ix: TerritoryIndex | None = None) -> dict:
    """Every indicator of one territory, beside the territories that contain it."""
    check_level(level)
    ix = ix or index_for(store)
    name = ix.names[level].get(code)
    if name is None:
        raise CommuneNotFound(f"Aucun territoire « {code} » au niveau « {level} ».")
    every = ix.parents(level, code)
    parents = _single_departement_regions(every)
    merged = {n for lvl, _, n in every if lvl == "region"} - {n for lvl, _, n in parents if lvl == "region"}
    return {"level": level, "code": code, "nom": name, "population": ix.populations.get((level, code)),
            "parents": _labelled(parents, merged),
            "indicators": indicator_rows(ix, level, code, parents),
            "zoning": zoning_rows(ix, level, code, zoning_classes()) if level not in UNIT_LEVELS else None,
            "classe": ix.classes.get(code) if level in UNIT_LEVELS else None}


LEVEL_NAMES = {"arrondissement": "arrondissement", "commune": "commune", "epci": "intercommunalité",
               "departement": "département", "region": "région", "france": "pays"}


def _single_departement_regions(parents: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Parents without the région when it is its one département (Guyane, Mayotte…): same name, same figures."""
    deps = {n for lvl, _, n in parents if lvl == "departement"}
    return [p for p in parents if not (p[0] == "region" and p[2] in deps)]


def _labelled(parents: list[tuple[str, str, str]], merged: set[str]) -> list[dict]:
    """Containing territories with a label; one name at two levels says which is which."""
    names = [n for _, _, n in parents]
    return [{"level": lvl, "code": c, "nom": n,
             "label": f"{n} (département et région)" if lvl == "departement" and n in merged
             else f"{n} ({LEVEL_NAMES[lvl]})" if names.count(n) > 1 else n} for lvl, c, n in parents]


def nearest_sites(store: Store, code: str) -> list[dict]:
    """The nearest site of each kind for a commune, with where it is (for the portrait map)."""
    return index_for(store).nearest.get(code, [])


def compare(store: Store, level: str, entries: list[str]) -> dict:
    """Several territories side by side, indicator by indicator; typed by name or by code.

    An entry that names several territories (namesakes) or none is reported with its
    choices or a French message; the others are still compared, and the form keeps the text.
    """
    from .territory_names import resolve

    check_level(level)
    out = {"title": "Comparer des territoires", "level": level, "entries": entries, "codes": [], "problems": [],
           "territories": [], "rows": [], "levels": {k: v for k, v in LEVELS.items() if k != "france"},
           "demo_notice": demo_notice(store)}
    if len(entries) > 8:
        out["problems"].append({"entry": "", "message": "Comparez au plus 8 territoires à la fois."})
        entries = entries[:8]
    ix = index_for(store)
    for entry in entries:
        found = resolve(ix, level, entry)
        if "code" in found and found["code"] not in out["codes"]:
            out["codes"].append(found["code"])
        elif "message" in found:
            out["problems"].append(found)
    items = [territory_indicators(store, level, c, ix=ix) for c in out["codes"]]
    if items:
        for i, m in enumerate(items[0]["indicators"]):
            out["rows"].append({"indicator": m["indicator"], "label": m["label"], "unit": m["unit"],
                                "values": [it["indicators"][i]["value"] for it in items],
                                "france": m["compare"].get("france")})
    out["territories"] = [{"code": it["code"], "nom": it["nom"], "population": it["population"]} for it in items]
    return out


def geojson(store: Store, level: str, *, departement: str | None = None) -> str:
    """A FeatureCollection of the simplified contours of ``level`` (code and name in properties)."""
    check_level(level, ("commune", "commune_light", "arrondissement", "epci", "departement", "region"))
    base = "commune" if level == "commune_light" else level
    table, col = NAMES[base]
    where, params = "", [level]
    if departement and base in ("commune", "arrondissement"):
        where, params = " AND n.code_departement = ?", [level, departement]
    rows = store.con.execute(
        f"SELECT k.code, n.nom, k.geojson FROM contours k JOIN {table} n ON n.{col} = k.code "
        f"WHERE k.level = ?{where} ORDER BY k.code", params).fetchall()
    features = ",".join(
        '{"type":"Feature","properties":' + json.dumps({"code": c, "nom": n}, ensure_ascii=False)
        + ',"geometry":' + g + "}" for c, n, g in rows)
    return '{"type":"FeatureCollection","features":[' + features + "]}"


def series(store: Store, indicator: str | None = None, level: str = "departement",
           code: str | None = None) -> dict:
    """Time series of the Assurance Maladie's open data for one territory (or all of a level)."""
    catalogue = store.records(
        "SELECT indicator, any_value(label) AS label, count(DISTINCT period) AS periods, "
        "min(period) AS first, max(period) AS last FROM ameli_series GROUP BY 1 ORDER BY 1")
    out = {"title": "Séries de l'Observatoire de l'accès aux soins (Assurance Maladie)",
           "indicators": catalogue, "indicator": indicator, "level": level, "code": code, "points": [],
           "territories": [], "sources": store.records(
               "SELECT source_id, title, vintage, licence, url FROM sources WHERE kind = 'indicators'"),
           "demo_notice": demo_notice(store)}
    if not catalogue:
        return out
    indicator = indicator or catalogue[0]["indicator"]
    if indicator not in {c["indicator"] for c in catalogue}:
        known = ", ".join(c["indicator"] for c in catalogue)
        raise ParameterError(f"série « {indicator} » inconnue ; séries : {known}")
    check_level(level, ("departement", "region", "france"))
    out["indicator"] = indicator
    out["label"] = next(c["label"] for c in catalogue if c["indicator"] == indicator)
    out["territories"] = store.records(
        "SELECT DISTINCT code FROM ameli_series WHERE indicator = ? AND level = ? ORDER BY 1", [indicator, level])
    if not out["territories"] and code is None:
        # a national-only series (many Observatoire excerpts) would leave the default page empty
        level = out["level"] = "france"
        out["territories"] = [{"code": "FR"}] if store.scalar(
            "SELECT count(*) FROM ameli_series WHERE indicator = ? AND level = 'france'", [indicator]) else []
    out["meta"] = series_meta(indicator)
    code = code or (out["territories"][0]["code"] if out["territories"] else None)
    out["code"] = code
    out["points"] = store.records(
        "SELECT period, value FROM ameli_series WHERE indicator = ? AND level = ? AND code = ? ORDER BY period",
        [indicator, level, code])
    return out
