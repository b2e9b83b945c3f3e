"""How a page and its JSON twin are registered and rendered.

:func:`page` registers ``/x`` (HTML, for people) and ``/x.json`` (JSON, in the
OpenAPI description) for one function returning a dict, as Datasette does. Every
area of the site (observatory, orientation, planning, participation) has its
own router and uses this one decorator.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..store.db import Store

PAGES: list[tuple[str, str]] = []  # (page path, JSON twin path) of every page, for docs and tests


def store_of(request: Request) -> Store:
    """A cursor on the app's read-only store, safe to use in this request's thread."""
    return request.app.state.store.cursor()


class JSONTwinResponse(Response):
    """Fast JSON (orjson): NaN and infinities become null, numpy values and dates are serialised."""

    media_type = "application/json"

    def render(self, content) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY, default=str)


def json_safe(value):
    """NaN and infinities have no JSON form: they become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def render_html(request: Request, template: str, data: dict, json_url: str | None):
    return request.app.state.templates.TemplateResponse(
        request, template, {"page": data, "json_url": json_url}
    )


RENDERED_MAX = 20_000  # rendered inline pages kept per process (≈ 16 KB each)


async def _rendered(request: Request, render: Callable, kw: dict) -> Response:
    """A rendered page from this process's cache, or rendered now and kept.

    Only for pages built from the read-only store (it cannot change while the app runs),
    so a kept page is never stale; answers marked ``no-store`` (they depend on the moment)
    are never kept; the cache is bounded and forgets the oldest first.
    """
    cache = request.app.state.rendered
    key = (request.url.path, request.url.query)
    hit = cache.get(key)
    if hit is None:  # rendered on the loop: a worker thread would only add GIL contention
        response = render(**kw)
        if response.status_code != 200 or "no-store" in response.headers.get("cache-control", ""):
            return response  # answers of the moment (no-store) are never kept
        hit = (response.body, response.status_code, dict(response.headers), response.media_type)
        if len(cache) >= RENDERED_MAX:
            cache.pop(next(iter(cache)))
        cache[key] = hit
    body, status, headers, media = hit
    headers = {k: v for k, v in headers.items() if k != "content-length"}
    return Response(body, status_code=status, headers=headers, media_type=media)


def page(router: APIRouter, path: str, template: str, *, summary: str,
         json_path: str | None = None, tags: list[str] | None = None,
         headers: dict[str, str] | None = None, inline: bool = False) -> Callable:
    """Register an HTML page and its JSON twin for a function ``fn(request, ...) -> dict``.

    The function's parameters (query and path) are the page's; FastAPI validates
    them and documents them once, on the JSON twin. ``headers`` are added to both
    responses (e.g. ``Cache-Control: private, no-store`` for answers that depend on
    the moment or on what a person typed). ``inline`` keeps each rendered page in memory
    and serves it again from the event loop without a thread hand-off: only for pages
    built from the read-only store (see :func:`_rendered`).
    """
    json_path = json_path or f"{path}.json"

    def deco(fn: Callable[..., dict]) -> Callable[..., dict]:
        @functools.wraps(fn)
        def as_json(**kw):
            return JSONTwinResponse(fn(**kw), headers=headers)

        @functools.wraps(fn)
        def as_html(**kw):
            request: Request = kw["request"]
            twin = request.url.path.rstrip("/")
            twin = f"{twin}.json" if twin else json_path
            if request.url.query:
                twin += f"?{request.url.query}"
            response = render_html(request, template, fn(**kw), twin)
            if headers:
                response.headers.update(headers)
            return response

        if inline:
            sync_json, sync_html = as_json, as_html

            @functools.wraps(fn)
            async def as_json(**kw):  # noqa: F811 - same endpoints, run on the event loop
                return await _rendered(kw["request"], sync_json, kw)

            @functools.wraps(fn)
            async def as_html(**kw):  # noqa: F811
                return await _rendered(kw["request"], sync_html, kw)

        PAGES.append((path, json_path))
        # the twin first: "/commune/{code}" would otherwise swallow "/commune/x.json"
        router.add_api_route(json_path, as_json, methods=["GET"], summary=summary,
                             tags=tags or ["pages"], name=f"{fn.__name__}_json")
        router.add_api_route(path, as_html, methods=["GET"], include_in_schema=False,
                             response_class=HTMLResponse, name=fn.__name__)
        return fn

    return deco
