"""Open data out: every table as paginated JSON, CSV, Parquet and (where it has a place) GeoJSON.

Tables are declared once in :data:`TABLES` (SQL, filterable columns, geometry);
the API serves them at ``/donnees/{table}.{json|csv|parquet|geojson}``.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import pandas as pd

from ...errors import ParameterError
from ...store.db import Store
from . import structures


@dataclass(frozen=True)
class Table:
    title: str
    sql: str  # a SELECT whose columns are the published ones
    filters: dict[str, str]  # query parameter → SQL expression
    geometry: str | None = None  # 'contour:<level column>' or 'point'
    order: str = "1"


TABLES: dict[str, Table] = {
    "indicateurs": Table(
        "Indicateurs par territoire (valeur, rang dans le département, millésimes)",
        "SELECT v.level AS niveau, v.code, n.nom, v.indicator AS indicateur, m.label AS libelle, v.value AS valeur, "
        "m.unit AS unite, v.rank_departement AS rang_departement, v.n_departement AS communes_departement, "
        "m.is_demo AS donnees_fictives FROM indicator_values v "
        "JOIN indicator_meta m USING (indicator) LEFT JOIN (" + "SELECT 'commune' AS level, code_commune AS code, nom "
        "FROM communes UNION ALL SELECT 'epci', code_epci, nom FROM epci UNION ALL SELECT 'departement', "
        "code_departement, nom FROM departements UNION ALL SELECT 'region', code_region, nom FROM regions "
        "UNION ALL SELECT 'arrondissement', code_arrondissement, nom FROM arrondissements "
        "UNION ALL SELECT 'france', 'FR', 'France') n ON n.level = v.level AND n.code = v.code "
        "LEFT JOIN communes cd ON v.level = 'commune' AND cd.code_commune = v.code "  # a join: 800 000 rows
        "LEFT JOIN arrondissements ad ON v.level = 'arrondissement' AND ad.code_arrondissement = v.code",
        {"niveau": "v.level", "indicateur": "v.indicator", "code": "v.code",
         "departement": "coalesce(cd.code_departement, ad.code_departement)"},
        geometry="contour:niveau", order="niveau, indicateur, code"),
    "communes": Table(
        "Communes : codes, noms, rattachements, population, point de référence",
        "SELECT code_commune, nom, code_departement, code_region, code_epci, zone, population, lat, lon, "
        "point_method AS methode_point, contour_method AS methode_contour, area_km2 AS superficie_km2 "
        "FROM communes",
        {"code": "code_commune", "departement": "code_departement", "region": "code_region",
         "epci": "code_epci"}, geometry="point", order="code_commune"),
    "arrondissements": Table(
        "Arrondissements municipaux de Paris, Lyon et Marseille : codes, commune, population, point",
        "SELECT code_arrondissement, nom, code_commune, code_departement, code_region, population, lat, lon, "
        "point_method AS methode_point, contour_method AS methode_contour, area_km2 AS superficie_km2 "
        "FROM arrondissements",
        {"code": "code_arrondissement", "commune": "code_commune", "departement": "code_departement"},
        geometry="point", order="code_arrondissement"),
    "offre": Table(
        "Offre de soins enregistrée (par site ou par commune × catégorie)",
        "SELECT o.category AS categorie, o.code_commune, c.nom AS nom_commune, o.quantity AS quantite, "
        "o.unit AS unite, o.site_id AS identifiant, o.name AS nom, o.lat, o.lon, s.vintage AS millesime, "
        "s.is_demo AS donnees_fictives FROM offer o JOIN sources s USING (source_id) "
        "LEFT JOIN communes c ON c.code_commune = o.code_commune",
        {"categorie": "o.category", "code": "o.code_commune",
         "departement": "(SELECT code_departement FROM territory_units u WHERE u.code_commune = o.code_commune)"},
        order="categorie, code_commune"),
    "zonage": Table(
        "Population par classe de zonage (APL médecins généralistes de 65 ans ou moins)",
        "SELECT z.level AS niveau, z.code, coalesce(c.nom, d.nom, r.nom, e.nom, "
        "CASE WHEN z.level = 'france' THEN 'France' END) AS nom, z.classe, z.population "
        "FROM zoning_populations z LEFT JOIN communes c ON z.level = 'commune' AND c.code_commune = z.code "
        "LEFT JOIN departements d ON z.level = 'departement' AND d.code_departement = z.code "
        "LEFT JOIN regions r ON z.level = 'region' AND r.code_region = z.code "
        "LEFT JOIN epci e ON z.level = 'epci' AND e.code_epci = z.code",
        {"niveau": "z.level", "code": "z.code", "classe": "z.classe"}, order="niveau, code, classe"),
    "temps_acces": Table(
        "Site le plus proche de chaque commune, par type de soin",
        "SELECT n.code_commune, c.nom AS nom_commune, n.target AS type_soin, n.site_commune AS commune_du_site, "
        "s.nom AS nom_commune_du_site, n.minutes FROM nearest_sites n "
        "LEFT JOIN communes c ON c.code_commune = n.code_commune "
        "LEFT JOIN communes s ON s.code_commune = n.site_commune",
        {"code": "n.code_commune", "type_soin": "n.target"}, order="code_commune, type_soin"),
    "series_ameli": Table(
        "Séries de l'Observatoire de l'accès aux soins (Assurance Maladie, open data)",
        "SELECT source_id AS source, indicator AS indicateur, label AS libelle, level AS niveau, code, "
        "period AS periode, value AS valeur FROM ameli_series",
        {"indicateur": "indicator", "niveau": "level", "code": "code"}, order="indicateur, niveau, code, periode"),
    "acces_specialistes": Table(
        "Accès aux spécialistes par spécialité (RPPS) : temps vers le plus proche, population au-delà de "
        "30, 45 et 60 minutes, densité pour 100 000 habitants",
        "SELECT specialty AS specialite, level AS niveau, code, population, professionals AS professionnels, "
        "density AS densite_pour_100000, minutes, beyond_30 AS population_au_dela_30_min, "
        "beyond_45 AS population_au_dela_45_min, beyond_60 AS population_au_dela_60_min, "
        "site_commune AS commune_du_plus_proche FROM specialist_access",
        {"specialite": "specialty", "niveau": "level", "code": "code"}, geometry="contour:niveau",
        order="specialite, niveau, code"),
    "structures": Table(
        "Structures d'exercice coordonné (FINESS) : maisons de santé pluriprofessionnelles, centres de santé, "
        "hôpitaux de proximité",
        f"SELECT * FROM ({structures.sites_sql()}) AS s",
        {"type": "type", "code": "code_commune", "departement": "code_departement", "region": "code_region"},
        geometry="point", order="type, code_commune"),
    "structures_territoires": Table(
        "Structures d'exercice coordonné par département et région",
        f"SELECT * FROM ({structures.territories_sql()}) AS s", {"niveau": "niveau", "code": "code", "type": "type"},
        geometry="contour:niveau", order="niveau, code, type"),
    "qualite_has": Table(
        "Indicateurs officiels de qualité par établissement FINESS (HAS : IQSS, e-Satis), famille et millésime",
        "SELECT v.finess, v.finess_type AS type_finess, v.indicator AS indicateur, m.title AS libelle, "
        "coalesce(m.family, 'autres') AS famille, v.year AS annee, v.value AS valeur, v.text AS valeur_texte, "
        "v.missing AS valeur_absente, s.vintage AS millesime, v.source_id AS source FROM has_quality_values v "
        "LEFT JOIN has_quality_meta m USING (source_id, indicator) JOIN sources s USING (source_id)",
        {"finess": "v.finess", "indicateur": "v.indicator", "famille": "coalesce(m.family, 'autres')",
         "annee": "v.year"}, order="finess, famille, indicateur, annee"),
    "sources": Table(
        "Sources, millésimes, licences et attributions",
        "SELECT source_id, kind AS nature, title AS titre, vintage AS millesime, licence, attribution, url, "
        "is_demo AS donnees_fictives FROM sources", {}, order="source_id"),
}
FORMATS = ("json", "csv", "parquet", "geojson")


def _table(name: str) -> Table:
    if name not in TABLES:
        raise ParameterError(f"table « {name} » inconnue ; tables : {', '.join(TABLES)}")
    return TABLES[name]


def _query(table: Table, filters: dict[str, str | None]) -> tuple[str, list]:
    unknown = [k for k, v in filters.items() if v not in (None, "") and k not in table.filters]
    if unknown:
        raise ParameterError(f"filtre(s) {unknown} non pris en charge ; filtres possibles : "
                             f"{', '.join(table.filters) or 'aucun'}")
    clauses, params = [], []
    for key, value in filters.items():
        if value in (None, ""):
            continue
        if key == "code" and "," in value:  # several territories (a comparison): code=15014,15187
            clauses.append(f"list_contains(?, {table.filters[key]})")
            params.append([v.strip() for v in value.split(",") if v.strip()])
        else:
            clauses.append(f"{table.filters[key]} = ?")
            params.append(value)
    inner = table.sql + (" WHERE " + " AND ".join(clauses) if clauses else "")
    return f"({inner}) AS t", params


def catalogue() -> dict:
    return {"title": "Données ouvertes", "tables": [
        {"name": n, "title": t.title, "filters": list(t.filters),
         "formats": [f for f in FORMATS if f != "geojson" or t.geometry],
         "links": {f: (f"/donnees/{n}.json" if f == "json" else f"/telecharger/{n}.{f}")
                  for f in FORMATS if f != "geojson" or t.geometry}}
        for n, t in TABLES.items()]}


def page(store: Store, name: str, filters: dict[str, str | None], *, page: int = 1, per_page: int = 100) -> dict:
    """One page of a table as JSON, with the total and the links to the next and previous pages."""
    table = _table(name)
    sql, params = _query(table, filters)
    total = store.scalar(f"SELECT count(*) FROM {sql}", params)
    rows = store.records(f"SELECT * FROM {sql} ORDER BY {table.order} LIMIT ? OFFSET ?",
                         [*params, per_page, (page - 1) * per_page])
    base = "&".join(f"{k}={v}" for k, v in filters.items() if v not in (None, ""))
    link = lambda p: f"/donnees/{name}.json?{base + '&' if base else ''}page={p}&par_page={per_page}"  # noqa: E731
    return {"table": name, "title": table.title, "filters": {k: v for k, v in filters.items() if v},
            "page": page, "per_page": per_page, "total": total,
            "next": link(page + 1) if page * per_page < total else None,
            "previous": link(page - 1) if page > 1 else None, "rows": rows}


def frame(store: Store, name: str, filters: dict[str, str | None]) -> pd.DataFrame:
    table = _table(name)
    sql, params = _query(table, filters)
    return store.df(f"SELECT * FROM {sql} ORDER BY {table.order}", params)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell a spreadsheet would run as a formula (``=HYPERLINK(…)``) gets a leading quote.

    OWASP, *CSV Injection*: cells starting with = + - @ tab or carriage return. Numbers
    (real numeric columns) are left alone; only text is touched.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell neutralised (see :func:`neutralise`)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    return out


def to_bytes(store: Store, name: str, fmt: str, filters: dict[str, str | None]) -> tuple[bytes, str]:
    """The whole (filtered) table in ``fmt``: (content, media type)."""
    if fmt not in FORMATS or fmt == "json":
        raise ParameterError(f"format « {fmt} » non pris en charge ici : csv, parquet ou geojson")
    data = frame(store, name, filters)
    if fmt == "csv":
        return spreadsheet_safe(data).to_csv(index=False).encode("utf-8"), "text/csv; charset=utf-8"
    if fmt == "parquet":
        buf = io.BytesIO()
        data.to_parquet(buf, index=False)
        return buf.getvalue(), "application/vnd.apache.parquet"
    return _geojson(store, _table(name), data).encode("utf-8"), "application/geo+json"


def _geojson(store: Store, table: Table, data: pd.DataFrame) -> str:
    if not table.geometry:
        raise ParameterError("cette table n'a pas de géométrie : exportez-la en CSV ou Parquet")
    records = json.loads(data.to_json(orient="records", force_ascii=False))
    if table.geometry == "point":
        geoms = [json.dumps({"type": "Point", "coordinates": [r["lon"], r["lat"]]}) for r in records]
    else:
        levels = sorted(set(data["niveau"]))
        shapes = dict(((lvl, code), g) for lvl, code, g in store.con.execute(
            "SELECT level, code, geojson FROM contours WHERE list_contains(?, level)", [levels]).fetchall())
        geoms = [shapes.get((r["niveau"], r["code"]), "null") for r in records]
    features = ",".join('{"type":"Feature","properties":' + json.dumps(r, ensure_ascii=False)
                        + ',"geometry":' + g + "}" for r, g in zip(records, geoms, strict=True))
    return '{"type":"FeatureCollection","features":[' + features + "]}"
