"""Participation: experience questionnaires, anonymous responses, thresholded indicators, directory.

Pages are registered with :func:`accesoins.api.rendering.page` on this module's
router, so each has its JSON twin; logic lives in :mod:`accesoins.services.participation`.
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
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from ..config import settings_from_env
from ..errors import InputError
from ..experience import auth, rules
from ..experience import questionnaires as qn
from ..participation_store import ParticipationStore, default_path, open_participation
from ..services.participation import accounts, common, publication, questionnaires, responses
from ..services.participation import directory as directory_svc
from .rendering import json_safe
from .rendering import page as _page

COOKIE = "accesoins_session"
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


# -- public pages ------------------------------------------------------------
@page(
    "/participation",
    "participation/overview.html",
    summary="Participation : questionnaires ouverts et résultats nationaux",
)
def overview(request: Request) -> dict:
    return publication.overview(participation_store(request), main_store(request))


@page(
    "/participation/questionnaire/{qid}",
    "participation/questionnaire.html",
    summary="Un questionnaire publié : questions, échelles, version facile à lire, sources",
)
def questionnaire(request: Request, qid: Annotated[str, PathParam(max_length=64)]) -> dict:
    q = questionnaires.published_one(participation_store(request), qid)
    return {"title": q.title, "questionnaire": q.as_public(), "demo_notice": None}


@page(
    "/participation/site/{site}",
    "participation/site.html",
    summary="Qualité d'un lieu de soins : quatre familles d'indicateurs et tendance trimestrielle",
)
def site(request: Request, site: Annotated[str, PathParam(max_length=64)]) -> dict:
    return publication.site_page(participation_store(request), main_store(request), site)


@page(
    "/participation/territoire/{level}/{code}",
    "participation/territory.html",
    summary="Expérience des patients dans une commune ou un département",
)
def territory(
    request: Request,
    level: Annotated[str, PathParam(pattern="^(commune|departement)$")],
    code: Annotated[str, PathParam(max_length=5)],
) -> dict:
    return publication.territory_page(participation_store(request), main_store(request), level, code)


@page(
    "/participation/annuaire",
    "participation/directory.html",
    summary="Annuaire : patients partenaires, représentants des usagers, structures participatives",
)
def directory(request: Request) -> dict:
    return directory_svc.public_directory(participation_store(request))


@router.get("/participation/aller", include_in_schema=False)
def go_to_site(site: Annotated[str, Query(max_length=64)] = ""):
    """The overview's search form without JavaScript: redirect to the site's page."""
    from urllib.parse import quote

    site = site.strip()
    return RedirectResponse(
        f"/participation/site/{quote(site, safe='')}" if site else "/participation", status_code=303
    )


# -- answering (anonymous) ------------------------------------------------------------
def _form_data(
    request: Request,
    q: qn.Questionnaire,
    *,
    easy: bool,
    site: str,
    answers: dict | None = None,
    errors: list | None = None,
    token: str | None = None,
) -> dict:
    return {
        "title": q.title_easy if easy else q.title,
        "questionnaire": q.as_public(),
        "easy": easy,
        "site": site,
        "token": token or auth.new_token(),
        "answers": answers or {},
        "errors": errors or [],
        "csrf": _form_token(request),
        "form_cookie": True,
        "demo_notice": None,
    }


@router.get("/participation/repondre/{qid}", include_in_schema=False, response_class=HTMLResponse)
def answer_form(
    request: Request,
    qid: Annotated[str, PathParam(max_length=64)],
    site: Annotated[str, Query(max_length=64)] = "",
    facile: Annotated[bool, Query()] = False,
):
    q = questionnaires.published_one(participation_store(request), qid)
    return _html(request, "participation/form.html", _form_data(request, q, easy=facile, site=site))


@router.post("/participation/repondre/{qid}", include_in_schema=False, response_class=HTMLResponse)
async def answer_submit(request: Request, qid: Annotated[str, PathParam(max_length=64)]):
    form = await request.form()
    ps = participation_store(request)
    q = await run_in_threadpool(questionnaires.published_one, ps, qid)
    easy = form.get("facile") == "1"
    answers = {x.question_id: form.get(x.question_id) for x in q.questions}
    if not _form_csrf_ok(request, form):
        data = _form_data(request, q, easy=easy, site=str(form.get("site") or "")[:64], answers=answers,
                          errors=[{"field": "csrf", "message": CSRF_MESSAGE}])
        return _html(request, "participation/form.html", data, status=403)
    payload = {
        "token": form.get("token"),
        "questionnaire_id": qid,
        "version": form.get("version"),
        "site": form.get("site"),
        "easy_read": easy,
        "answers": {k: v for k, v in answers.items() if v not in (None, "")},
    }
    try:
        _check_rate(request, "responses")
        result = await run_in_threadpool(lambda: responses.submit_response(ps, payload, client=_client(request)))
    except InputError as e:
        data = _form_data(
            request,
            q,
            easy=easy,
            site=str(form.get("site") or "")[:64],
            answers=answers,
            errors=[{"field": e.field, "message": e.message}],
            token=str(form.get("token") or "")[:64] or None,
        )
        return _html(request, "participation/form.html", data, status=400)
    return _html(
        request,
        "participation/thanks.html",
        {
            "title": "Merci pour votre réponse",
            "easy": easy,
            "result": result,
            "questionnaire": q.as_public(),
            "threshold": rules.value("disclosure.min_responses"),
            "demo_notice": None,
        },
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
@router.get("/participation/gestion", include_in_schema=False, response_class=HTMLResponse)
async def manage(request: Request):
    account = await current_account(request)
    if account is None:
        return RedirectResponse("/participation/connexion", status_code=303)
    ps = participation_store(request)
    data = {
        "title": "Espace de gestion",
        "account": account,
        "role_label": common.ROLE_NAMES[account["role"]],
        "versions": await run_in_threadpool(questionnaires.versions, ps),
        "demo_notice": None,
    }
    return _html(request, "participation/manage.html", data)


@router.get(
    "/participation/gestion/questionnaire/{qid}/{version}", include_in_schema=False, response_class=HTMLResponse
)
async def edit_page(
    request: Request, qid: Annotated[str, PathParam(max_length=64)], version: Annotated[int, PathParam(ge=1, le=10_000)]
):
    account = await current_account(request)
    if account is None:
        return RedirectResponse("/participation/connexion", status_code=303)
    row = await run_in_threadpool(questionnaires.version_definition, participation_store(request), qid, version)
    return _html(request, "participation/edit.html", _edit_data(account, row, qn.to_yaml(row["definition"])))


def _edit_data(account, row, text, error=None) -> dict:
    return {
        "title": f"Questionnaire {row['questionnaire_id']} — version {row['version']}",
        "account": account,
        "row": {k: v for k, v in row.items() if k != "definition"},
        "text": text,
        "error": error,
        "demo_notice": None,
    }


EDITORS = ("editor", "admin")


@router.post(
    "/participation/gestion/questionnaire/{qid}/nouveau", include_in_schema=False, openapi_extra=roles(*EDITORS)
)
async def new_draft_form(
    request: Request,
    qid: Annotated[str, PathParam(max_length=64)],
    account: Annotated[dict, Depends(require(*EDITORS))],
):
    ps = participation_store(request)
    base = await run_in_threadpool(questionnaires.published_one, ps, qid)
    made = await run_in_threadpool(questionnaires.create_draft, ps, account, qid, base.definition)
    return RedirectResponse(f"/participation/gestion/questionnaire/{qid}/{made['version']}", status_code=303)


@router.post(
    "/participation/gestion/questionnaire/{qid}/{version}",
    include_in_schema=False,
    response_class=HTMLResponse,
    openapi_extra=roles(*EDITORS),
)
async def save_draft_form(
    request: Request,
    qid: Annotated[str, PathParam(max_length=64)],
    version: Annotated[int, PathParam(ge=1, le=10_000)],
    account: Annotated[dict, Depends(require(*EDITORS))],
):
    ps = participation_store(request)
    text = str((await request.form()).get("definition") or "")[:100_000]
    try:
        await run_in_threadpool(questionnaires.update_draft, ps, account, qid, version, text)
    except InputError as e:
        row = await run_in_threadpool(questionnaires.version_definition, ps, qid, version)
        return _html(request, "participation/edit.html", _edit_data(account, row, text, str(e)), status=400)
    return RedirectResponse(f"/participation/gestion/questionnaire/{qid}/{version}?enregistre=1", status_code=303)


@router.post(
    "/participation/gestion/questionnaire/{qid}/{version}/{action}",
    include_in_schema=False,
    openapi_extra=roles(*EDITORS),
)
async def transition_form(
    request: Request,
    qid: Annotated[str, PathParam(max_length=64)],
    version: Annotated[int, PathParam(ge=1, le=10_000)],
    action: Annotated[str, PathParam(pattern="^(soumettre|approuver|rejeter)$")],
    account: Annotated[dict, Depends(require(*EDITORS))],
):
    ps = participation_store(request)
    note = str((await request.form()).get("note") or "")[:1000] or None
    if action == "soumettre":
        await run_in_threadpool(questionnaires.submit_draft, ps, account, qid, version)
    else:
        await run_in_threadpool(lambda: questionnaires.review(ps, account, qid, version, approve=action == "approuver",
                                                              note=note))
    return RedirectResponse(f"/participation/gestion/questionnaire/{qid}/{version}", status_code=303)


# -- JSON write API ------------------------------------------------------------
class DraftIn(BaseModel):
    definition: dict[str, Any] | str = Field(description="Définition (objet) ou son texte YAML")


class ReviewIn(BaseModel):
    approve: bool
    note: str | None = Field(default=None, max_length=1000)


QID = Annotated[str, PathParam(max_length=64, pattern=r"^[a-z][a-z0-9_-]{1,63}$")]
VERSION = Annotated[int, PathParam(ge=1, le=10_000)]


@router.post(
    "/participation/api/questionnaires/{qid}/versions",
    status_code=201,
    tags=["participation"],
    summary="Créer un brouillon de questionnaire",
    openapi_extra=roles(*EDITORS),
)
async def api_create_draft(
    request: Request, qid: QID, body: DraftIn, account: Annotated[dict, Depends(require(*EDITORS))]
):
    return await run_in_threadpool(questionnaires.create_draft, participation_store(request), account, qid,
                                   body.definition)


@router.put(
    "/participation/api/questionnaires/{qid}/versions/{version}",
    tags=["participation"],
    summary="Modifier un brouillon",
    openapi_extra=roles(*EDITORS),
)
async def api_update_draft(
    request: Request, qid: QID, version: VERSION, body: DraftIn, account: Annotated[dict, Depends(require(*EDITORS))]
):
    return await run_in_threadpool(
        questionnaires.update_draft, participation_store(request), account, qid, version, body.definition
    )


@router.post(
    "/participation/api/questionnaires/{qid}/versions/{version}/soumission",
    tags=["participation"],
    summary="Soumettre un brouillon à relecture",
    openapi_extra=roles(*EDITORS),
)
async def api_submit(
    request: Request, qid: QID, version: VERSION, account: Annotated[dict, Depends(require(*EDITORS))]
):
    return await run_in_threadpool(questionnaires.submit_draft, participation_store(request), account, qid, version)


@router.post(
    "/participation/api/questionnaires/{qid}/versions/{version}/relecture",
    tags=["participation"],
    summary="Approuver (publier) ou rejeter une version soumise",
    openapi_extra=roles(*EDITORS),
)
async def api_review(
    request: Request, qid: QID, version: VERSION, body: ReviewIn, account: Annotated[dict, Depends(require(*EDITORS))]
):
    ps = participation_store(request)
    return await run_in_threadpool(lambda: questionnaires.review(ps, account, qid, version, approve=body.approve,
                                                                 note=body.note))


class SiteIn(BaseModel):
    site_id: str = Field(max_length=64)
    name: str = Field(max_length=200)
    code_commune: str | None = Field(default=None, max_length=5)
    organisation_id: str | None = Field(
        default=None, max_length=64, description="Organisation gestionnaire (administrateurs seulement)"
    )


@router.put(
    "/participation/api/sites",
    tags=["participation"],
    summary="Déclarer ou mettre à jour un lieu de soins",
    openapi_extra=roles("site_manager", "admin"),
)
async def api_site(request: Request, body: SiteIn, account: Annotated[dict, Depends(require("site_manager", "admin"))]):
    return await run_in_threadpool(
        responses.upsert_site, participation_store(request), main_store(request), account, body.model_dump()
    )


DATE = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


class PersonIn(BaseModel):
    display_name: str | None = Field(default=None, max_length=100)
    role: Literal["patient_partenaire", "representant_usagers"]
    domains: list[Literal["qualite", "accompagnement", "formation", "recherche"]] = Field(min_length=1, max_length=4)
    structure: str | None = Field(default=None, max_length=200)
    territory: str | None = Field(default=None, max_length=100)
    term_start: str | None = Field(default=None, pattern=DATE)
    term_end: str | None = Field(default=None, pattern=DATE)
    contact_email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]{1,64}@[^@\s]{1,180}\.[^@\s]{2,}$")
    contact_phone: str | None = Field(default=None, max_length=20, pattern=r"^\+?[0-9 .]{6,20}$")
    consent: dict[
        Literal["display_name", "role", "domains", "structure", "territory", "term", "contact_email", "contact_phone"],
        bool,
    ] = Field(default_factory=dict, description="Champ → accord de publication (retirable)")


ID = Annotated[str, PathParam(max_length=32, pattern=r"^[0-9a-f]{32}$")]


@router.post(
    "/participation/api/annuaire/personnes",
    status_code=201,
    tags=["participation"],
    summary="Ajouter une personne à l'annuaire",
    openapi_extra=roles(*EDITORS),
)
async def api_add_person(request: Request, body: PersonIn, account: Annotated[dict, Depends(require(*EDITORS))]):
    return json_safe(await run_in_threadpool(directory_svc.save_person, participation_store(request), account,
                                             body.model_dump()))


@router.put(
    "/participation/api/annuaire/personnes/{person_id}",
    tags=["participation"],
    summary="Modifier une fiche (dont retrait d'un consentement)",
    openapi_extra=roles(*EDITORS),
)
async def api_update_person(
    request: Request, person_id: ID, body: PersonIn, account: Annotated[dict, Depends(require(*EDITORS))]
):
    return json_safe(
        await run_in_threadpool(directory_svc.save_person, participation_store(request), account, body.model_dump(),
                                person_id)
    )


@router.delete(
    "/participation/api/annuaire/personnes/{person_id}",
    tags=["participation"],
    summary="Effacer une fiche (retrait complet)",
    openapi_extra=roles(*EDITORS),
)
async def api_delete_person(request: Request, person_id: ID, account: Annotated[dict, Depends(require(*EDITORS))]):
    return await run_in_threadpool(directory_svc.delete_person, participation_store(request), account, person_id)


class StructureIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, pattern=r"\S")
    kind: Literal["centre_de_sante", "maison_de_sante"]
    code_commune: str | None = Field(default=None, max_length=5, pattern=r"^(15014|15012|[0-9]{5}|2[AB][0-9]{3})$")
    governance: str = Field(min_length=1, max_length=1000, pattern=r"\S", description="Gouvernance partagée : comment")
    inhabitants: str = Field(min_length=1, max_length=1000, pattern=r"\S",
                             description="Implication des habitants : comment")
    website: str | None = Field(
        default=None, max_length=300, pattern=r"^https?://[a-z0-9.-]{1,60}(/[a-z0-9._-]{0,60})?$"
    )
    contact: str | None = Field(default=None, max_length=300)


@router.post(
    "/participation/api/annuaire/structures",
    status_code=201,
    tags=["participation"],
    summary="Ajouter une structure participative",
    openapi_extra=roles(*EDITORS),
)
async def api_add_structure(request: Request, body: StructureIn, account: Annotated[dict, Depends(require(*EDITORS))]):
    return await run_in_threadpool(directory_svc.save_structure, participation_store(request), account,
                                   body.model_dump())


@router.put(
    "/participation/api/annuaire/structures/{structure_id}",
    tags=["participation"],
    summary="Modifier une structure participative",
    openapi_extra=roles(*EDITORS),
)
async def api_update_structure(
    request: Request, structure_id: ID, body: StructureIn, account: Annotated[dict, Depends(require(*EDITORS))]
):
    return await run_in_threadpool(
        directory_svc.save_structure, participation_store(request), account, body.model_dump(), structure_id
    )


class AccountIn(BaseModel):
    login: str = Field(min_length=3, max_length=64, pattern=r"^[a-z0-9][a-z0-9._@-]{2,63}$")
    display_name: str = Field(min_length=1, max_length=100, pattern=r"\S")
    password: str = Field(min_length=12, max_length=256)
    role: Literal["editor", "site_manager", "admin"]
    organisation_id: str = Field(max_length=64, pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")
    organisation_name: str | None = Field(default=None, max_length=200)
    organisation_kind: Literal["association", "site", "platform"] = "association"


@router.post(
    "/participation/api/comptes",
    status_code=201,
    tags=["participation"],
    summary="Créer un compte (administrateurs)",
    openapi_extra=roles("admin"),
)
async def api_account(request: Request, body: AccountIn, account: Annotated[dict, Depends(require("admin"))]):
    return await run_in_threadpool(
        lambda: accounts.create_account(participation_store(request), account, **body.model_dump())
    )


@router.get("/participation/api/journal", tags=["participation"], summary="Journal d'audit (administrateurs)")
async def api_audit(request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 200):
    account = await current_account(request)
    if account is None:
        raise HTTPException(401, "Connexion requise.")
    if account["role"] != "admin":
        raise HTTPException(403, "Réservé aux administrateurs.")
    return json_safe(await run_in_threadpool(directory_svc.audit_entries, participation_store(request), limit))
