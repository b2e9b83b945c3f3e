"""Management forms for editors and reviewers: the drafts list, editing, submitting and reviewing."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from ...errors import InputError
from ...experience import questionnaires as qn
from ...services.participation import common, questionnaires
from .base import (
    EDITORS,
    _html,
    current_account,
    participation_store,
    require,
    roles,
    router,
)


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
