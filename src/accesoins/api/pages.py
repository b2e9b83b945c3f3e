"""Pages and their JSON twins, built by the same service functions.

:func:`page` registers ``/x`` (HTML, for people) and ``/x.json`` (JSON, in the
OpenAPI description) for one function returning a dict, as Datasette does.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from ..services import communes as commune_services
from ..services import territory as territory_services
from ..store.db import Store

router = APIRouter()
PAGES: list[tuple[str, str]] = []  # (page path, JSON twin path) of every page, for docs and tests


def store_of(request: Request) -> Store:
    return request.app.state.store.cursor()


def json_safe(value):
    """NaN and infinities have no JSON form: they become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def render_html(request: Request, template: str, data: dict, json_url: str):
    return request.app.state.templates.TemplateResponse(
        request, template, {"page": data, "json_url": json_url}
    )


def page(path: str, template: str, *, summary: str, json_path: str | None = None) -> Callable:
    """Register an HTML page and its JSON twin for a function ``fn(request, ...) -> dict``."""
    json_path = json_path or f"{path}.json"

    def deco(fn: Callable[..., dict]) -> Callable[..., dict]:
        @functools.wraps(fn)
        def as_json(**kw):
            return JSONResponse(json_safe(fn(**kw)))

        @functools.wraps(fn)
        def as_html(**kw):
            request: Request = kw["request"]
            twin = request.url.path.rstrip("/") or ""
            twin = (twin + ".json") if twin else json_path
            if request.url.query:
                twin += f"?{request.url.query}"
            return render_html(request, template, fn(**kw), twin)

        PAGES.append((path, json_path))
        # the twin first: "/commune/{code}" would otherwise swallow "/commune/x.json"
        router.add_api_route(json_path, as_json, methods=["GET"], summary=summary, tags=["pages"],
                             name=f"{fn.__name__}_json")
        router.add_api_route(path, as_html, methods=["GET"], include_in_schema=False,
                             response_class=HTMLResponse, name=fn.__name__)
        return fn

    return deco


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


@page("/commune/{code}", "commune.html", summary="Portrait d'une commune")
def commune(request: Request, code: str) -> dict:
    return commune_services.portrait(store_of(request), code)
