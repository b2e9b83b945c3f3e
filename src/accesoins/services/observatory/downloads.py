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

from ...errors import ParameterError
from ...store.db import Store
from ..observatory import exports

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
    if convention == "fr":  # « oui / non » rather than Python's True / False
        data = data.assign(**{col: data[col].map({True: "oui", False: "non"})
                              for col in data.columns if data[col].dtype == bool})
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


def _shapes(store: Store, keys: list[tuple[str, str]], detailed: bool) -> dict[tuple[str, str], str]:
    """Contours of these territories: communes' light ones unless ``detailed`` (the others are already light)."""
    out: dict[tuple[str, str], str] = {}
    for level in sorted({lvl for lvl, _ in keys}):
        stored = "commune_light" if level == "commune" and not detailed else level
        codes = [c for lvl, c in keys if lvl == level]
        out.update({(level, c): g for c, g in store.con.execute(
            "SELECT code, geojson FROM contours WHERE level = ? AND list_contains(?, code)", [stored, codes]
        ).fetchall()})
    return out


def territories_geojson(store: Store, data: pd.DataFrame, *, detailed: bool = False) -> str:
    """One feature per territory (level, code, name) with one property per indicator."""
    if data.empty:
        return '{"type":"FeatureCollection","features":[]}'
    if "indicateur" not in data.columns:  # a table of one row per territory and kind: one feature per row
        return _rows_geojson(store, data, detailed)
    wide = data.pivot(index=["niveau", "code"], columns="indicateur", values="valeur")
    names = data.drop_duplicates(["niveau", "code"]).set_index(["niveau", "code"])["nom"]
    wide.insert(0, "nom", names.reindex(wide.index))
    wide = wide.reset_index()
    shapes = _shapes(store, list(zip(wide["niveau"], wide["code"], strict=True)), detailed)
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


def _rows_geojson(store: Store, data: pd.DataFrame, detailed: bool) -> str:
    """One feature per row (its columns as properties), on the contour of its (niveau, code)."""
    shapes = _shapes(store, list(zip(data["niveau"], data["code"], strict=True)), detailed)
    out = []
    for row in data.to_dict("records"):
        props = {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}
        out.append('{"type":"Feature","properties":' + json.dumps(props, ensure_ascii=False, default=str)
                   + ',"geometry":' + shapes.get((row["niveau"], row["code"]), "null") + "}")
    return '{"type":"FeatureCollection","features":[' + ",".join(out) + "]}"


def estimate(store: Store, name: str, fmt: str, params: dict[str, str | None]) -> int:
    """Approximate size in bytes of one download (exact for small selections)."""
    return _sizes(store, name, params, [(fmt, {})])[0]


def _sizes(store: Store, name: str, params: dict[str, str | None], variants: list[tuple[str, dict]]) -> list[int]:
    """Sizes of several variants of one selection, from one read of it (or of a sample of it)."""
    filters = {k: v for k, v in params.items() if k not in OPTIONS}
    table = exports._table(name)
    sql, args = exports._query(table, filters)
    total = store.scalar(f"SELECT count(*) FROM {sql}", args) or 0
    small = total <= SAMPLE_ROWS
    sample = exports.frame(store, name, filters) if small else store.df(f"SELECT * FROM {sql} LIMIT {SAMPLE_ROWS}",
                                                                        args)
    scale = total / len(sample) if len(sample) else 0.0
    out = []
    for fmt, extra in variants:
        convention, contours = options({**params, **extra})
        if fmt == "csv":
            size = len(to_csv(sample, convention)) * scale
        elif fmt == "parquet":
            buf = io.BytesIO()
            sample.to_parquet(buf, index=False)
            size = len(buf.getvalue()) * scale
        elif table.geometry == "point":
            size = len(exports._geojson(store, table, sample)) * scale
        elif small:
            size = len(territories_geojson(store, sample, detailed=contours == "detailles").encode("utf-8"))
        else:
            size = _estimate_territories(store, sql, args, detailed=contours == "detailles",
                                         every_territory=not (filters.get("code") or filters.get("departement")))
        out.append(int(size))
    return out


def _estimate_territories(store: Store, sql: str, args: list, *, detailed: bool, every_territory: bool) -> int:
    """Indicator GeoJSON: geometry lengths summed exactly, properties from the count of values."""
    counts = store.df(f"SELECT niveau, count(DISTINCT code) AS n, count(*) AS v FROM {sql} GROUP BY 1", args)
    size = 0
    for level, n, v in counts.itertuples(index=False):
        stored = "commune_light" if level == "commune" and not detailed else level
        if every_territory:  # the whole level: no need to know which codes
            geo = store.scalar("SELECT sum(length(geojson)) FROM contours WHERE level = ?", [stored]) or 0
        else:
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
    key = ("sizes", name, tuple(sorted(params.items())))
    if key not in sizes:
        sizes[key] = _sizes(store, name, params, [(fmt, extra) for fmt, extra, _ in variants])
    out = []
    for (fmt, extra, label), n in zip(variants, sizes[key], strict=True):
        url_query = "&".join(x for x in (query, "&".join(f"{k}={v}" for k, v in extra.items())) if x)
        out.append({"format": fmt, "label": label, "bytes": n, "size": human_size(n),
                    "url": f"/telecharger/{name}.{fmt}" + (f"?{url_query}" if url_query else "")})
    return out
