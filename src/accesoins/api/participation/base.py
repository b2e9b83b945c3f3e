"""What the participation routes share: the router, the stores, sessions and roles, CSRF, rendering.

Pages are registered with :func:`accesoins.api.rendering.page` on this module's
router (by :mod:`.pages`, :mod:`.sessions`, :mod:`.manage`, :mod:`.writes`), so each has its JSON
twin; logic lives in :mod:`accesoins.services.participation`.
Forms (answering, signing in, editing) have their own POST routes. Every write
route except answering a questionnaire and signing in requires a session of an
allowed role and a CSRF token; its roles are listed in the route's
``openapi_extra["x-roles"]`` (tests iterate them).

The participation database is opened lazily on first use and cached on
``app.state.participation`` (see :func:`participation_store`).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from ...config import settings_from_env
from ...experience import auth, rules
from ...participation_store import ParticipationStore, default_path, open_participation
from ...services.participation import accounts, common, questionnaires
from ..rendering import page as _page

COOKIE = "accesoins_session"
EDITORS = ("editor", "admin")  # roles that edit questionnaires and the directory
_open_lock = threading.Lock()
PUBLIC_WRITES = {
    "/participation/api/reponses",
    "/participation/repondre/{qid}",
    "/participation/api/session",
    "/participation/connexion",
}  # the only writes open without a session (documented, tested)


class ParticipationRoute(APIRoute):
    """Turns service errors (401, 403, 404, 409, 429) into HTTP errors of the common shape."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def wrapped(request: Request):
            try:
                return await handler(request)
            except common.ParticipationError as e:
                raise HTTPException(e.status, e.message) from None

        return wrapped


router = APIRouter(route_class=ParticipationRoute)


def page(path: str, template: str, **kw):
    return _page(router, path, template, tags=["participation"], **kw)


# -- the store, opened lazily ------------------------------------------------------------
def participation_store(request: Request) -> ParticipationStore:
    """The app's participation database (read-write, this process only), opened on first use.

    Path: ``ACCESOINS_PARTICIPATION_DB``, else ``participation.duckdb`` beside the main store
    (in memory when the main store itself is in memory, as in some tests).
    """
    return attach_participation(request.app.state)


def attach_participation(state) -> ParticipationStore:
    """Open the participation database for an app's ``state`` once (journal replayed at opening)."""
    ps = getattr(state, "participation", None)
    if ps is not None:
        return ps
    with _open_lock:
        ps = getattr(state, "participation", None)
        if ps is None:
            main = getattr(getattr(state, "store", None), "path", None)
            if main is not None or os.environ.get("ACCESOINS_PARTICIPATION_DB"):
                ps = open_participation(default_path(Path(main or settings_from_env().db_path)))
            else:  # an in-memory main store (tests): an in-memory participation database too
                ps = open_participation(None)
            questionnaires.ensure_bundled(ps)
            state.participation = ps
    return ps


def main_store(request: Request):
    store = getattr(request.app.state, "store", None)
    return store.cursor() if store is not None else None


def _limiter(request: Request, name: str) -> auth.RateLimiter:
    state = request.app.state
    attr = f"participation_limit_{name}"
    lim = getattr(state, attr, None)
    if lim is None:
        with _open_lock:
            lim = getattr(state, attr, None)
            if lim is None:
                limit = rules.value(
                    "rate_limit.responses_per_window" if name == "responses" else "rate_limit.logins_per_window"
                )
                lim = auth.RateLimiter(limit, rules.value("rate_limit.window_seconds"))
                setattr(state, attr, lim)
    return lim


def _salt(request: Request) -> auth.DailySalt:
    state = request.app.state
    if getattr(state, "participation_salt", None) is None:
        state.participation_salt = auth.DailySalt()
    return state.participation_salt


def _client(request: Request) -> str:
    """The client's address (the socket's peer: a reverse proxy must pass it through, see the docs)."""
    return request.client.host if request.client else "inconnu"


def _check_rate(request: Request, name: str) -> None:
    client = _client(request)
    if not _limiter(request, name).allow(_salt(request).fingerprint(client)):
        raise HTTPException(
            429,
            "Trop de demandes depuis ce poste : réessayez dans quelques minutes.",
            headers={"Retry-After": str(rules.value("rate_limit.window_seconds"))},
        )


# -- authentication ------------------------------------------------------------
async def current_account(request: Request) -> dict | None:
    """The signed-in account (or None), without CSRF check: for GET pages."""
    return await run_in_threadpool(accounts.session_account, participation_store(request), request.cookies.get(COOKIE))


def require(*roles: str):
    """Dependency: a live session of one of ``roles`` and a valid CSRF token (header or form field)."""

    async def dependency(request: Request) -> dict:
        account = await current_account(request)
        if account is None:
            raise HTTPException(401, "Connexion requise : connectez-vous pour faire cette action.")
        if account["role"] not in roles:
            raise HTTPException(403, "Votre rôle ne permet pas cette action.")
        sent = request.headers.get("x-csrf-token")
        if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            sent = (await request.form()).get("csrf")
        if not auth.same(sent, account["csrf"]):
            raise HTTPException(403, "Jeton anti-CSRF manquant ou invalide : rechargez la page puis recommencez.")
        return account

    return dependency


def roles(*names: str) -> dict:
    return {"x-roles": list(names)}


def _set_cookie(request: Request, response, token: str) -> None:
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/participation",
        max_age=rules.value("session.absolute_timeout_seconds"),
    )


FORM_COOKIE = "accesoins_formulaire"


def _form_token(request: Request) -> str:
    """The anti-CSRF token of the forms open without a session (double-submit cookie)."""
    token = request.cookies.get(FORM_COOKIE)
    return token if isinstance(token, str) and 32 <= len(token) <= 64 else auth.new_token()


def _form_csrf_ok(request: Request, form) -> bool:
    return auth.same(form.get("csrf"), request.cookies.get(FORM_COOKIE))


def _set_form_cookie(request: Request, response, token: str) -> None:
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
    response.set_cookie(FORM_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/participation")


CSRF_MESSAGE = "Jeton anti-CSRF manquant ou invalide : rechargez la page puis recommencez."


def _templates(request: Request):
    return request.app.state.templates


def _html(request: Request, template: str, data: dict, status: int = 200, json_url: str | None = None):
    resp = _templates(request).TemplateResponse(
        request, template, {"page": data, "json_url": json_url}, status_code=status
    )
    resp.headers["Cache-Control"] = "no-store"
    if data.get("csrf") and data.get("form_cookie"):
        _set_form_cookie(request, resp, data["csrf"])
    return resp
