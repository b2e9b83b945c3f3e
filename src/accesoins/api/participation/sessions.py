"""Anonymous responses through the API, and signing in and out (JSON and forms)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from ...experience import auth
from ...services.participation import accounts, common, responses
from .base import (
    COOKIE,
    CSRF_MESSAGE,
    _check_rate,
    _client,
    _form_csrf_ok,
    _form_token,
    _html,
    _set_cookie,
    participation_store,
    require,
    roles,
    router,
)


class ResponseIn(BaseModel):
    """An anonymous response: no name, no contact, no date of birth."""

    token: str = Field(
        min_length=16,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Jeton d'idempotence du formulaire : une double soumission compte une fois",
    )
    questionnaire_id: str = Field(max_length=64)
    version: int = Field(ge=1, le=10_000)
    site: str = Field(max_length=64, description="Numéro FINESS (9 caractères) ou identifiant site-…")
    answers: dict[str, int] = Field(description="Question → valeur de l'option choisie")
    easy_read: bool = False


@router.post(
    "/participation/api/reponses",
    status_code=201,
    tags=["participation"],
    summary="Répondre anonymement à un questionnaire (enregistré durablement avant l'accusé de réception)",
    responses={
        200: {"description": "Réponse déjà reçue (même jeton) : comptée une seule fois"},
        429: {"description": "Trop de réponses depuis ce poste"},
    },
)
async def post_response(request: Request, body: ResponseIn):
    _check_rate(request, "responses")
    ps = participation_store(request)
    result = await run_in_threadpool(lambda: responses.submit_response(ps, body.model_dump(), client=_client(request)))
    return JSONResponse(result, status_code=200 if result["duplicate"] else 201)


# -- sessions ------------------------------------------------------------
class LoginIn(BaseModel):
    login: str = Field(max_length=64)
    password: str = Field(max_length=256)


@router.post("/participation/api/session", tags=["participation"], summary="Ouvrir une session (cookie HttpOnly)")
async def api_login(request: Request, body: LoginIn):
    _check_rate(request, "logins")
    opened = await run_in_threadpool(accounts.login, participation_store(request), body.login, body.password)
    resp = JSONResponse({"account": opened["account"], "csrf": opened["csrf"]})
    _set_cookie(request, resp, opened["token"])
    return resp


@router.delete(
    "/participation/api/session", tags=["participation"], summary="Fermer la session", openapi_extra=roles(*auth.ROLES)
)
async def api_logout(request: Request, account: Annotated[dict, Depends(require(*auth.ROLES))]):
    await run_in_threadpool(accounts.logout, participation_store(request), request.cookies.get(COOKIE))
    resp = JSONResponse({"closed": True})
    resp.delete_cookie(COOKIE, path="/participation")
    return resp


def _login_page(request: Request, error: str | None = None, status: int = 200):
    data = {"title": "Connexion", "error": error, "csrf": _form_token(request), "form_cookie": True}
    data["demo_notice"] = None
    return _html(request, "participation/login.html", data, status=status)


@router.get("/participation/connexion", include_in_schema=False, response_class=HTMLResponse)
def login_form(request: Request, erreur: Annotated[str, Query(max_length=10)] = ""):
    return _login_page(request)


@router.post("/participation/connexion", include_in_schema=False, response_class=HTMLResponse)
async def login_submit(request: Request):
    form = await request.form()
    if not _form_csrf_ok(request, form):
        return _login_page(request, CSRF_MESSAGE, status=403)
    try:
        _check_rate(request, "logins")
        opened = await run_in_threadpool(
            accounts.login, participation_store(request), str(form.get("login") or ""), str(form.get("password") or "")
        )
    except (common.ParticipationError, HTTPException) as e:
        message = getattr(e, "message", None) or getattr(e, "detail", "")
        status = getattr(e, "status", None) or getattr(e, "status_code", 401)
        return _login_page(request, message, status=status)
    resp = RedirectResponse("/participation/gestion", status_code=303)
    _set_cookie(request, resp, opened["token"])
    return resp


@router.post("/participation/deconnexion", include_in_schema=False, openapi_extra=roles(*auth.ROLES))
async def logout_submit(request: Request, account: Annotated[dict, Depends(require(*auth.ROLES))]):
    await run_in_threadpool(accounts.logout, participation_store(request), request.cookies.get(COOKIE))
    resp = RedirectResponse("/participation", status_code=303)
    resp.delete_cookie(COOKIE, path="/participation")
    return resp


# -- management pages (HTML) ------------------------------------------------------------
