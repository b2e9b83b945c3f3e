"""Participation pages for everyone: overview, questionnaires, sites, territories, directory, and the
answer form (posting an answer is one of the public writes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path as PathParam
from fastapi import Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from ...errors import InputError
from ...experience import auth, rules
from ...experience import questionnaires as qn
from ...services.participation import directory as directory_svc
from ...services.participation import publication, questionnaires, responses
from .base import (
    CSRF_MESSAGE,
    _check_rate,
    _client,
    _form_csrf_ok,
    _form_token,
    _html,
    main_store,
    page,
    participation_store,
    router,
)


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
