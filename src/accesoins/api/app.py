"""The FastAPI application factory."""

from __future__ import annotations

import hashlib
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.gzip import GZipMiddleware

from .. import __version__
from ..config import Settings
from ..store import open_store
from ..web.charts import bar_chart, line_chart, number
from . import observatory, orientation, participation, planning
from .errors import install_error_handlers
from .pages import router

DESCRIPTION = (
    "API ouverte d'accesoins. Chaque page du site a son jumeau JSON (suffixe `.json`). "
    "Attributions : voir `/sources.json` (Licence Ouverte pour les données IGN, INSEE, DGCL ; "
    "CC-BY 4.0 pour GeoNames)."
)


def create_app(settings: Settings, *, store=None) -> FastAPI:
    """Build the app; it opens the store read-only unless one is given (tests)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        own = store is None
        app.state.store = store or open_store(settings.db_path, read_only=True)
        app.state.etag_seed = _etag_seed(app.state.store)
        app.state.cache = {}  # immutable payloads (map values, contours) built once per process
        # participation data is written by this process: open it now so its journal is replayed at start
        opened_here = getattr(app.state, "participation", None) is None
        participation.attach_participation(app.state)
        try:
            yield
        finally:
            if opened_here:
                app.state.participation.close()
                app.state.participation = None
            if own:
                app.state.store.close()

    app = FastAPI(title="accesoins", version=__version__, description=DESCRIPTION,
                  docs_url=None, redoc_url=None, lifespan=lifespan)
    web = resources.files("accesoins.web")
    app.state.templates = Jinja2Templates(directory=str(web / "templates"))
    app.state.templates.env.globals.update(bar_chart=bar_chart, line_chart=line_chart, number=number)
    app.mount("/static", StaticFiles(directory=str(web / "static")), name="static")
    for name, folder in (("swagger", "swagger-ui-dist"), ("leaflet", "leaflet/dist")):
        path = settings.node_modules / folder
        if path.exists():  # front-end packages installed by npm, served locally (no CDN)
            app.mount(f"/assets/{name}", StaticFiles(directory=str(path)), name=name)
    app.add_middleware(GZipMiddleware, minimum_size=2048)
    install_error_handlers(app)
    app.include_router(router)
    for area in (observatory, orientation, planning, participation):
        app.include_router(area.router)

    @app.get("/docs", include_in_schema=False)
    def docs():
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="accesoins — API",
            swagger_js_url="/assets/swagger/swagger-ui-bundle.js",
            swagger_css_url="/assets/swagger/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.middleware("http")
    async def caching(request: Request, call_next):
        response = await call_next(request)
        # answers that depend on the moment or on what a person typed, and participation results
        # (written by this process), are never cached
        volatile = "no-store" in response.headers.get("cache-control", "") or \
            request.url.path.startswith("/participation")
        if request.method == "GET" and response.status_code == 200 and not volatile \
                and hasattr(app.state, "etag_seed"):
            tag = hashlib.sha1(f"{app.state.etag_seed}{request.url}".encode()).hexdigest()[:20]
            etag = f'W/"{tag}"'
            if request.headers.get("if-none-match") == etag:
                from starlette.responses import Response

                return Response(status_code=304, headers={"ETag": etag})
            response.headers["ETag"] = etag
            response.headers.setdefault("Cache-Control", "public, max-age=300")
        return response

    return app


def _etag_seed(store) -> str:
    """Changes whenever the store's content changes (sources or results written)."""
    try:
        row = store.con.execute(
            "SELECT CAST(max(imported_at) AS VARCHAR) || count(*) FROM sources"
        ).fetchone()
        return f"{__version__}:{row[0]}"
    except Exception:  # noqa: BLE001 - an unbuilt store still serves its error pages
        return __version__


def static_dir() -> Path:
    return Path(str(resources.files("accesoins.web") / "static"))
