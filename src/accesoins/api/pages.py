"""Core pages: home, sources, commune search and portrait (each with its JSON twin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from ..services.data import territory as territory_services
from ..services.observatory import communes as commune_services
from ..services.observatory.specialists import portrait_blocks
from .rendering import page as _page
from .rendering import store_of

router = APIRouter()


def page(path: str, template: str, **kw):
    return _page(router, path, template, **kw)


@page("/", "home.html", summary="Accueil : territoire, offre, sources", json_path="/index.json")
def home(request: Request) -> dict:
    return territory_services.home(store_of(request))


@page("/sources", "sources.html", summary="Sources, millésimes, licences et attributions")
def sources(request: Request) -> dict:
    store = store_of(request)
    return {
        "title": "Sources et licences",
        "sources": territory_services.sources(store),
        "demo_notice": territory_services.demo_notice(store),
    }


@page("/communes", "communes.html", summary="Recherche de communes par nom, code postal ou code INSEE")
def communes(
    request: Request,
    q: Annotated[str, Query(max_length=100, description="Nom, code postal ou code INSEE")] = "",
    limit: Annotated[int, Query(ge=1, le=100, description="Nombre maximal de résultats")] = 20,
) -> dict:
    return commune_services.search(store_of(request), q, limit=limit)


@page("/commune/{code}", "commune.html", summary="Portrait d'une commune", inline=True)
def commune(request: Request, code: str) -> dict:
    store = store_of(request)
    data = commune_services.portrait(store, code)
    data["blocks"] = portrait_blocks(store, "commune", data["commune"]["code_commune"])
    return data
