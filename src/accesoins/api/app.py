"""The FastAPI application factory."""

from __future__ import annotations

import hashlib
import logging
import re
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.gzip import GZipMiddleware

from .. import __version__
from ..config import Settings
from ..store import open_store
from ..web.charts import bar_chart, line_chart, number, scatter_chart
from ..web.tables import indicator_table, ranking_table
from . import fidelity, observatory, orientation, participation, planning, quality, series, specialists
from .errors import install_error_handlers
from .fastpath import PharmacyFastPath
from .pages import router
from .workers import SOCKET_ENV, ParticipationRelay, die_with_parent

DESCRIPTION = (
    "API ouverte d'accesoins. Chaque page du site a son jumeau JSON (suffixe `.json`). "
    "Attributions : voir `/sources.json` (Licence Ouverte pour les données IGN, INSEE, DGCL ; "
    "CC-BY 4.0 pour GeoNames)."
)


def create_app(settings: Settings, *, store=None, warm_up: bool = False,
               participation_socket: str | None = None) -> FastAPI:
    """Build the app; it opens the store read-only unless one is given (tests).

    ``warm_up`` builds the in-memory indexes in the background at start (the server does;
    tests that need only a page or two do not pay for it). ``participation_socket``: this
    process is one of several workers and relays participation requests to the writer
    process listening there (see :mod:`accesoins.api.workers`) instead of opening the
    participation database itself.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        own = store is None
        app.state.store = store or open_store(settings.db_path, read_only=True)
        app.state.etag_seed = _etag_seed(app.state.store)
        app.state.cache = {}  # immutable payloads (map values, contours) built once per process
        app.state.rendered = {}  # rendered inline pages (see rendering._rendered)
        if warm_up:
            _warm_up(app.state)
        # participation data is written by this process (unless a writer process owns it):
        # open it now so its journal is replayed at start
        opened_here = participation_socket is None and getattr(app.state, "participation", None) is None
        if participation_socket is None:
            participation.attach_participation(app.state)
        try:
            yield
        finally:
            heavy = getattr(app.state, "heavy", None)
            if heavy is not None:
                heavy.close()
            if relay is not None:
                await relay.aclose()
            if opened_here:
                app.state.participation.close()
                app.state.participation = None
            if own:
                app.state.store.close()

    app = FastAPI(title="accesoins", version=__version__, description=DESCRIPTION,
                  docs_url=None, redoc_url=None, lifespan=lifespan)
    web = resources.files("accesoins.web")
    app.state.templates = Jinja2Templates(directory=str(web / "templates"))
    app.state.templates.env.globals.update(bar_chart=bar_chart, line_chart=line_chart, number=number,
                                           scatter_chart=scatter_chart,
                                           indicator_table=indicator_table, ranking_table=ranking_table)
    app.state.templates.env.filters["safe_url"] = safe_url
    app.mount("/static", StaticFiles(directory=str(web / "static")), name="static")
    for name, folder in (("swagger", "swagger-ui-dist"), ("leaflet", "leaflet/dist")):
        path = settings.node_modules / folder
        if path.exists():  # front-end packages installed by npm, served locally (no CDN)
            app.mount(f"/assets/{name}", StaticFiles(directory=str(path)), name=name)
    app.add_middleware(GZipMiddleware, minimum_size=2048)
    install_error_handlers(app)
    app.include_router(router)
    for area in (series, observatory, fidelity, orientation, planning, participation, quality, specialists):
        app.include_router(area.router)

    @app.get("/etat.json", tags=["service"], summary="État du service : prêt quand ses index sont en mémoire")
    def health() -> dict:
        ready = getattr(app.state, "ready", None)
        return {"status": "ok", "ready": ready.is_set() if ready is not None else True, "version": __version__}

    @app.get("/docs", include_in_schema=False)
    def docs():
        # Swagger UI's own page starts it with an inline script, which the CSP forbids
        return HTMLResponse(DOCS_PAGE)

    app.add_middleware(CachingMiddleware)
    relay = None
    if participation_socket is not None:
        relay = ParticipationRelay(None, participation_socket)  # one client per process, closed at shutdown
        app.add_middleware(_Shared, instance=relay)
    app.add_middleware(PharmacyFastPath)  # answers that are never cached: before the ETag work
    app.add_middleware(SecurityMiddleware)  # outermost: its headers and its 500 cover every answer
    return app


DOCS_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>accesoins — API</title>
<link rel="stylesheet" href="/assets/swagger/swagger-ui.css"><link rel="stylesheet" href="/static/docs.css">
<link rel="icon" href="/static/favicon.svg">
</head><body><div id="swagger-ui"></div>
<script src="/assets/swagger/swagger-ui-bundle.js"></script><script src="/static/swagger-init.js"></script>
</body></html>"""


def safe_url(value) -> str | None:
    """The URL when it is http(s) and has no character that could leave an attribute, else None."""
    if isinstance(value, str) and _SAFE_URL.match(value):
        return value
    return None


def _warm_up(state) -> None:
    """Build the in-memory indexes (portraits, pharmacies) in the background, so no request waits."""
    import gc
    import threading

    from ..services.observatory.territory_index import index_for
    from ..services.orientation.orientation import orientation_data

    def run() -> None:
        for build in (lambda: index_for(state.store.cursor()),
                      lambda: orientation_data(state, state.store.cursor())):
            try:
                build()
            except Exception:  # noqa: BLE001 - an unbuilt store: pages will say so themselves
                pass
        # the indexes hold millions of long-lived objects: keep them out of the cyclic garbage
        # collector, whose full passes over them would pause every request for tens of ms
        gc.collect()
        gc.freeze()
        state.ready.set()
        try:  # the default médecins-solidaires page, computed before anyone asks (api.planning)
            planning.prewarm(state)
        except Exception:  # noqa: BLE001 - the page computes it on demand instead
            pass

    state.ready = threading.Event()
    threading.Thread(target=run, name="accesoins-warm-up", daemon=True).start()


class CachingMiddleware:
    """Weak ETag and ``Cache-Control`` on successful GETs; 304 when the client has it already.

    Pure ASGI (no BaseHTTPMiddleware, which costs a task and a copy per request). Answers that
    depend on the moment or on what a person typed (``no-store``) and participation pages
    (written by this process) are left alone.
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith("/participation"):
            return await self.app(scope, receive, send)
        state = scope["app"].state if "app" in scope else None
        seed = getattr(state, "etag_seed", None)
        if seed is None:
            return await self.app(scope, receive, send)
        query = scope.get("query_string", b"").decode("latin-1")
        tag = hashlib.sha1(f"{seed}{scope['path']}?{query}".encode()).hexdigest()[:20]
        etag = f'W/"{tag}"'.encode()
        inm = dict(scope.get("headers", [])).get(b"if-none-match")
        not_modified = False

        async def wrapped(message):
            nonlocal not_modified
            if not_modified:  # the client has this response already: drop its body
                if message["type"] == "http.response.body" and not message.get("more_body"):
                    await send({"type": "http.response.body", "body": b""})
                return
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = list(message.get("headers", []))
                cc = next((v for k, v in headers if k.lower() == b"cache-control"), b"")
                if b"no-store" not in cc:
                    if inm == etag:
                        not_modified = True
                        await send({"type": "http.response.start", "status": 304, "headers": [(b"etag", etag)]})
                        return
                    headers.append((b"etag", etag))
                    if not cc:
                        headers.append((b"cache-control", b"public, max-age=300"))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, wrapped)


_SAFE_URL = re.compile(r"^https?://[^\s\x00-\x1f\x7f<>\"'`]{1,490}$", re.IGNORECASE)
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_log = logging.getLogger("accesoins.api")
_ERROR_500 = (
    b'{"error": {"status": 500, "message": "Erreur interne du serveur : la demande n\'a pas abouti ; '
    b'elle a \xc3\xa9t\xc3\xa9 consign\xc3\xa9e.", "file": null, "line": null, "field": null}}'
)


class SecurityMiddleware:
    """Security headers on every answer, and no exception ever reaching the server.

    An exception escaping the application after its answer has started makes uvicorn close
    the connection, which resets a keep-alive client's next request (issue 12, item 11).
    Here it is logged and answered 500 (French JSON) when nothing was sent yet, or swallowed
    once the answer is complete. Pure ASGI.
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        state = {"started": False, "done": False}

        async def wrapped(message):
            if message["type"] == "http.response.start":
                state["started"] = True
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                state["done"] = True
            await send(message)

        try:
            await self.app(scope, receive, wrapped)
        except Exception:  # noqa: BLE001 - the last line of defence: log, answer, keep the connection
            _log.exception("Erreur interne sur %s %s", scope.get("method"), scope.get("path"))
            if not state["started"]:
                await wrapped({"type": "http.response.start", "status": 500,
                               "headers": [(b"content-type", b"application/json"),
                                           (b"content-length", str(len(_ERROR_500)).encode())]})
                await wrapped({"type": "http.response.body", "body": _ERROR_500})
            elif not state["done"]:
                raise


def _etag_seed(store) -> str:
    """Changes whenever the store's content changes (sources or results written)."""
    try:
        row = store.con.execute(
            "SELECT CAST(max(imported_at) AS VARCHAR) || count(*) FROM sources"
        ).fetchone()
        return f"{__version__}:{row[0]}"
    except Exception:  # noqa: BLE001 - an unbuilt store still serves its error pages
        return __version__


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory accesoins.api.app:app_from_env`` (several workers)."""
    import os

    from ..config import settings_from_env

    socket_path = os.environ.get(SOCKET_ENV) or None
    if socket_path is not None:  # one of several workers: never outlive the supervisor
        die_with_parent()
    return create_app(settings_from_env(), warm_up=True, participation_socket=socket_path)


def writer_app_from_env() -> FastAPI:
    """The participation writer's app (see :mod:`.workers`): no warm-up, it serves no portrait."""
    from ..config import settings_from_env

    return create_app(settings_from_env())


class _Shared:
    """Puts an already built pure-ASGI middleware ``instance`` in the stack (its ``app`` set here)."""

    def __init__(self, app, instance) -> None:
        instance.app = app
        self.instance = instance

    async def __call__(self, scope, receive, send):
        await self.instance(scope, receive, send)
