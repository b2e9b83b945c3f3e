"""The observatory: dashboard with map, territory portraits, comparison, open data, contours.

Pages are registered with :func:`accesoins.api.rendering.page` (each has its
JSON twin); downloads and map layers are plain GET endpoints.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ..services.observatory import downloads, exports, portraits, views
from ..services.observatory.specialists import portrait_blocks
from .rendering import page, store_of

router = APIRouter()

Indicator = Annotated[str, Query(alias="indicateur", max_length=80, description="Nom de l'indicateur")]
Level = Annotated[str, Query(alias="niveau", max_length=20,
                             description="commune, arrondissement, epci, departement ou region")]
Dep = Annotated[str | None, Query(alias="departement", max_length=3, description="Code du département")]
TAGS = ["observatoire"]


@page(router, "/observatoire", "observatory/dashboard.html", tags=TAGS,
      summary="Tableau de bord : un indicateur sur la carte, classements, chiffres de la France")
def dashboard(request: Request, indicator: Indicator = views.DEFAULT_INDICATOR,
              level: Level = "departement", departement: Dep = None) -> dict:
    store = store_of(request)
    data = views.dashboard(store, indicator, level, departement or None)
    selection = {"niveau": level, "indicateur": indicator, "departement": departement or ""}
    data["downloads"] = downloads.links(store, "indicateurs", {k: v for k, v in selection.items() if v},
                                        request.app.state.cache)
    return data


@router.get("/observatoire/carte.json", tags=TAGS, summary="Valeurs d'un indicateur pour la carte (code → valeur)")
def map_values(request: Request, indicator: Indicator = views.DEFAULT_INDICATOR, level: Level = "departement",
               departement: Dep = None) -> dict:
    cache = request.app.state.cache
    key = ("map", indicator, level, departement)
    if key not in cache:
        cache[key] = views.map_data(store_of(request), indicator, level, departement=departement or None)
    return cache[key]


@page(router, "/observatoire/series", "observatory/series.html", tags=TAGS,
      summary="Séries temporelles de l'Observatoire de l'accès aux soins (Assurance Maladie)")
def time_series(request: Request,
                indicator: Annotated[str | None, Query(alias="indicateur", max_length=80)] = None,
                level: Level = "departement",
                code: Annotated[str | None, Query(max_length=10)] = None) -> dict:
    return views.series(store_of(request), indicator, level, code)


@router.get("/geo/{level}.geojson", tags=TAGS, summary="Contours simplifiés (GeoJSON, WGS84)")
def contours(request: Request, level: str, departement: Dep = None) -> Response:
    cache = request.app.state.cache
    key = ("geo", level, departement)
    if key not in cache:
        cache[key] = views.geojson(store_of(request), level, departement=departement or None).encode()
    return Response(cache[key], media_type="application/geo+json",
                    headers={"Cache-Control": "public, max-age=86400"})


@router.get("/geo/portrait/{level}/{code}.geojson", tags=TAGS,
            summary="Carte d'un portrait : le territoire, ses voisins et ses communes (GeoJSON, WGS84)")
def portrait_map(request: Request, level: str, code: str) -> Response:
    cache = request.app.state.cache
    key = ("portrait", level, code)
    if key not in cache:
        cache[key] = portraits.map_geojson(store_of(request), level, code).encode()
    return Response(cache[key], media_type="application/geo+json",
                    headers={"Cache-Control": "public, max-age=86400"})


@page(router, "/territoire/{level}/{code}", "observatory/territory.html", tags=TAGS,
      summary="Portrait d'un territoire (EPCI, département, région) : carte, indicateurs, zonage, "
              "classement de ses communes")
def territory(request: Request, level: str, code: str,
              indicator: Annotated[str | None, Query(alias="indicateur", max_length=80,
                                                     description="Indicateur du classement des communes")] = None
              ) -> dict:
    store = store_of(request)
    data = views.territory_indicators(store, level, code)
    kind = portraits.LEVEL_NAMES.get(level, level)
    data["title"] = f"{data['nom']} — {kind[0].upper()}{kind[1:]}"
    data["level_name"] = kind
    data["map_url"] = f"/geo/portrait/{level}/{code}.geojson"
    data["map_legend"] = portraits.map_legend(level, data["nom"])
    data["ranking"] = (portraits.communes_ranking(store, level, code, indicator)
                       if level not in ("commune", "arrondissement") else None)
    data["demo_notice"] = views.demo_notice(store)
    data["blocks"] = portrait_blocks(store, level, code)
    return data


@page(router, "/comparer", "observatory/compare.html", tags=TAGS,
      summary="Comparer des territoires, désignés par leur nom ou leur code")
def compare(request: Request, level: Level = "departement",
            codes: Annotated[str, Query(max_length=400, description="Noms ou codes séparés par des virgules "
                                                                    "(ex. « Aurillac, Saint-Flour »)")] = "15,75"
            ) -> dict:
    return views.compare(store_of(request), level, [c.strip() for c in codes.split(",") if c.strip()])


@page(router, "/donnees", "observatory/data.html", tags=["donnees"], summary="Catalogue des données ouvertes")
def data_catalogue(request: Request) -> dict:
    store = store_of(request)
    out = exports.catalogue()
    for t in out["tables"]:
        t["downloads"] = downloads.links(store, t["name"], {}, request.app.state.cache)
    out["demo_notice"] = views.demo_notice(store)
    return out


def _filters(request: Request) -> dict[str, str | None]:
    return {k: v for k, v in request.query_params.items()
            if k not in ("page", "par_page", *downloads.OPTIONS)}


@router.get("/telecharger/{table}.{fmt}", tags=["donnees"],
            summary="Télécharger une table entière, filtrée (csv, parquet, geojson). CSV : convention française "
                    "par défaut (« ; », virgule décimale, UTF-8 avec BOM), convention=internationale pour « , » et "
                    "point ; GeoJSON : contours simplifiés par défaut, contours=detailles pour les détaillés")
def download(request: Request, table: str, fmt: str):
    params = {k: v for k, v in request.query_params.items() if k not in ("page", "par_page")}
    content, media = downloads.to_bytes(store_of(request), table, fmt, params)
    return Response(content, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="accesoins-{table}.{fmt}"'})


@page(router, "/donnees/{table}", "observatory/table.html", tags=["donnees"],
      summary="Une table, page par page (filtres : voir le catalogue)")
def data_table(request: Request, table: str,
               page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
               per_page: Annotated[int, Query(alias="par_page", ge=1, le=1000)] = 100) -> dict:
    store = store_of(request)
    filters = _filters(request)
    out = exports.page(store, table, filters, page=page_number, per_page=per_page)
    out["downloads"] = downloads.links(store, table, {k: v for k, v in filters.items() if v},
                                       request.app.state.cache)
    out["demo_notice"] = views.demo_notice(store)
    return out
