"""Saving a planning scenario from its page (administrators signed in to the participation area).

The routes live under ``/participation/`` because the session cookie is scoped to that path;
the scenario page links here with its parameters. GET shows what will be saved and the form
(with the session's anti-CSRF token); POST checks the session, the role and the token, saves
through the participation database's single writer, then shows the list of saved scenarios.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from ..errors import ParameterError
from ..services.planning import saved_scenarios as saved
from .participation.base import _html, current_account, participation_store, require, roles

router = APIRouter()
PATH = "/participation/planification/enregistrer"


def _page(request: Request, *, query: str, account: dict | None, errors: list | None = None,
          title: str = "", status: int = 200):
    data = {"title": "Enregistrer un scénario", "demo_notice": None, "query": query, "account": account,
            "allowed": bool(account and account["role"] in saved.SAVE_ROLES), "errors": errors or [],
            "csrf": account["csrf"] if account else None, "form_title": title,
            "scenario_url": f"/planification/scenario?{query}"}
    return _html(request, "planning/save.html", data, status=status)


@router.get(PATH, include_in_schema=False, response_class=HTMLResponse)
async def save_form(request: Request):
    account = await current_account(request)
    query = str(request.url.query)
    try:
        query = saved.clean_query(query)
    except ParameterError as exc:
        return _page(request, query=query, account=account, errors=[{"field": "titre", "message": str(exc)}],
                     status=400)
    return _page(request, query=query, account=account, status=200 if account else 401)


@router.post(PATH, include_in_schema=False, response_class=HTMLResponse, openapi_extra=roles(*saved.SAVE_ROLES))
async def save_submit(request: Request, account: Annotated[dict, Depends(require(*saved.SAVE_ROLES))]):
    form = await request.form()
    query, title = str(form.get("query") or ""), str(form.get("titre") or "")
    try:
        number = await run_in_threadpool(saved.save, participation_store(request), title=title, query=query,
                                         account=account)
    except ParameterError as exc:
        return _page(request, query=query, account=account, title=title, status=400,
                     errors=[{"field": "titre", "message": str(exc)}])
    return RedirectResponse(f"/planification/scenarios#enregistre-{number}", status_code=303)
