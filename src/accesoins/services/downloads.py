"""Downloads as people open them: CSV for a French spreadsheet, light GeoJSON, sizes said beforehand.

- CSV, by default in the French convention: ``;`` between fields, decimal comma, UTF-8 with a
  byte-order mark (without it, Excel for Windows reads UTF-8 as Windows-1252 and garbles
  « Évreux »); ``convention=internationale`` gives ``,`` and the decimal point, without BOM.
  Text cells that a spreadsheet would run as formulas are neutralised (:mod:`.exports`).
- GeoJSON of indicators: one feature per territory with every selected indicator as a property
  (not one per indicator and territory), on the communes' light contours by default;
  ``contours=detailles`` gives their detailed contours (other levels have one simplified form).
  Sizes are announced before downloading (estimated from a sample, said « environ »).
"""

from __future__ import annotations

import io
import json
import math

import pandas as pd

from ..errors import ParameterError
from ..store.db import Store
from . import exports

CONVENTIONS = {"fr": {"sep": ";", "decimal": ",", "encoding": "utf-8-sig"},
               "internationale": {"sep": ",", "decimal": ".", "encoding": "utf-8"}}
CONTOURS = ("simplifies", "detailles")
OPTIONS = ("convention", "contours")  # query parameters that are not filters
SAMPLE_ROWS = 2000



def options(params: dict[str, str | None]) -> tuple[str, str]:
    convention = params.get("convention") or "fr"
    contours = params.get("contours") or "simplifies"
    if convention not in CONVENTIONS:
        raise ParameterError(f"convention « {convention} » inconnue ; possibles : {', '.join(CONVENTIONS)}")
    if contours not in CONTOURS:
        raise ParameterError(f"contours « {contours} » inconnus ; possibles : {', '.join(CONTOURS)}")
    return convention, contours


def to_csv(data: pd.DataFrame, convention: str = "fr") -> bytes:
    c = CONVENTIONS[convention]
    text = exports.spreadsheet_safe(data).to_csv(index=False, sep=c["sep"], decimal=c["decimal"])
    return text.encode(c["encoding"])


def to_bytes(store: Store, name: str, fmt: str, params: dict[str, str | None]) -> tuple[bytes, str]:
    """The whole (filtered) table in ``fmt``: (content, media type)."""
    convention, contours = options(params)
    filters = {k: v for k, v in params.items() if k not in OPTIONS}
    if fmt not in exports.FORMATS or fmt == "json":
        raise ParameterError(f"format « {fmt} » non pris en charge ici : csv, parquet ou geojson")
    table = exports._table(name)
    if fmt == "geojson" and not table.geometry:
        raise ParameterError("cette table n'a pas de géométrie : exportez-la en CSV ou Parquet")
    data = exports.frame(store, name, filters)
    if fmt == "csv":
        return to_csv(data, convention), "text/csv; charset=utf-8"
    if fmt == "parquet":
        buf = io.BytesIO()
        data.to_parquet(buf, index=False)
        return buf.getvalue(), "application/vnd.apache.parquet"
    if table.geometry == "point":
        return exports._geojson(store, table, data).encode("utf-8"), "application/geo+json"
    return territories_geojson(store, data, detailed=contours == "detailles").encode("utf-8"), "application/geo+json"


def _shapes(store: Store, levels: list[str], detailed: bool) -> dict[tuple[str, str], str]:
    """Contours of these levels: communes' light ones unless ``detailed`` (the others are already light)."""
    light = [lvl for lvl in levels if lvl == "commune" and not detailed]
    rest = [lvl for lvl in levels if lvl not in light]
    shapes = {(lvl, c): g for lvl, c, g in store.con.execute(
        "SELECT level, code, geojson FROM contours WHERE list_contains(?, level)", [rest]).fetchall()}
    if light:
        shapes.update({("commune", c): g for c, g in store.con.execute(
            "SELECT code, geojson FROM contours WHERE level = 'commune_light'").fetchall()})
    return shapes


def territories_geojson(store: Store, data: pd.DataFrame, *, detailed: bool = False) -> str:
    """One feature per territory (level, code, name) with one property per indicator."""
    if data.empty:
        return '{"type":"FeatureCollection","features":[]}'
    wide = data.pivot(index=["niveau", "code"], columns="indicateur", values="valeur")
    names = data.drop_duplicates(["niveau", "code"]).set_index(["niveau", "code"])["nom"]
    wide.insert(0, "nom", names.reindex(wide.index))
    wide = wide.reset_index()
    shapes = _shapes(store, sorted(set(wide["niveau"])), detailed)
    indicators = [c for c in wide.columns if c not in ("niveau", "code", "nom")]
    out = []
    for row in wide.itertuples(index=False):
        props = {"niveau": row[0], "code": row[1], "nom": row[2]}
        for i, ind in enumerate(indicators):
            v = row[3 + i]
            props[ind] = None if v is None or (isinstance(v, float) and not math.isfinite(v)) else round(float(v), 4)
        out.append('{"type":"Feature","properties":' + json.dumps(props, ensure_ascii=False) + ',"geometry":'
                   + shapes.get((row[0], row[1]), "null") + "}")
    return '{"type":"FeatureCollection","features":[' + ",".join(out) + "]}"


def estimate(store: Store, name: str, fmt: str, params: dict[str, str | None]) -> int:
    """Approximate size in bytes of a download, from a sample (exact for small tables)."""
    convention, contours = options(params)
    filters = {k: v for k, v in params.items() if k not in OPTIONS}
    table = exports._table(name)
    sql, args = exports._query(table, filters)
    total = store.scalar(f"SELECT count(*) FROM {sql}", args) or 0
    if total <= SAMPLE_ROWS or (fmt == "geojson" and table.geometry != "point"):
        if fmt == "geojson" and table.geometry != "point" and total > SAMPLE_ROWS:
            return _estimate_territories(store, sql, args, detailed=contours == "detailles")
        return len(to_bytes(store, name, fmt, params)[0])
    sample = store.df(f"SELECT * FROM {sql} LIMIT {SAMPLE_ROWS}", args)
    if fmt == "csv":
        size = len(to_csv(sample, convention))
    elif fmt == "parquet":
        buf = io.BytesIO()
        sample.to_parquet(buf, index=False)
        size = len(buf.getvalue())
    else:
        size = len(exports._geojson(store, table, sample))
    return int(size * total / len(sample))


def _estimate_territories(store: Store, sql: str, args: list, *, detailed: bool) -> int:
    """Indicator GeoJSON: geometry lengths summed exactly, properties from the count of values."""
    counts = store.df(f"SELECT niveau, count(DISTINCT code) AS n, count(*) AS v FROM {sql} GROUP BY 1", args)
    size = 0
    for level, n, v in counts.itertuples(index=False):
        stored = "commune_light" if level == "commune" and not detailed else level
        geo = store.scalar(f"SELECT sum(length(k.geojson)) FROM contours k WHERE k.level = ? AND k.code IN "
                           f"(SELECT DISTINCT code FROM {sql} WHERE niveau = ?)", [stored, *args, level]) or 0
        size += int(geo) + int(n) * 110 + int(v) * 40  # per feature: frame and names; per value: key and figure
    return size


def human_size(n: int | None) -> str:
    """« 1,2 Mo », « 850 ko »: the size people read before downloading (1 Mo = 10⁶ octets)."""
    if n is None:
        return "taille inconnue"
    if n < 1000:
        return f"{n} octets"
    if n < 1_000_000:
        return f"{max(1, round(n / 1000))} ko"
    value = n / 1_000_000
    text = f"{value:.1f}" if value < 100 else f"{value:.0f}"
    return text.replace(".", ",") + " Mo"


def links(store: Store, name: str, params: dict[str, str], sizes: dict) -> list[dict]:
    """The download links of a (filtered) table, each with its announced size.

    ``sizes`` is a cache (the app's, per process: the store is read-only while it runs).
    """
    table = exports._table(name)
    query = "&".join(f"{k}={v}" for k, v in params.items() if v)
    variants = [("csv", {}, "CSV (tableur français : « ; » et virgule décimale)"),
                ("csv", {"convention": "internationale"}, "CSV international (« , » et point décimal)"),
                ("parquet", {}, "Parquet")]
    if table.geometry == "point":
        variants.append(("geojson", {}, "GeoJSON (points)"))
    elif table.geometry and params.get("niveau") not in (None, "", "commune"):
        variants.append(("geojson", {}, "GeoJSON (contours simplifiés à environ 150 m)"))
    elif table.geometry:  # communes have light contours (≈ 800 m) for maps of France, and detailed ones
        variants += [("geojson", {}, "GeoJSON, contours simplifiés (carte de France)"),
                     ("geojson", {"contours": "detailles"}, "GeoJSON, contours détaillés des communes")]
    out = []
    for fmt, extra, label in variants:
        full = {**params, **extra}
        key = ("size", name, fmt, tuple(sorted(full.items())))
        if key not in sizes:
            sizes[key] = estimate(store, name, fmt, full)
        url_query = "&".join(x for x in (query, "&".join(f"{k}={v}" for k, v in extra.items())) if x)
        out.append({"format": fmt, "label": label, "url": f"/telecharger/{name}.{fmt}" + (f"?{url_query}" if url_query
                                                                                         else ""),
                    "bytes": sizes[key], "size": human_size(sizes[key])})
    return out
