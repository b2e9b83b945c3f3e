"""The JSON write API: drafts and reviews, sites, the directory (persons, structures), accounts, the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from ...services.participation import accounts, questionnaires, responses
from ...services.participation import directory as directory_svc
from ..rendering import json_safe
from .base import (
    EDITORS,
    current_account,
    main_store,
    participation_store,
    require,
    roles,
    router,
)


class DraftIn(BaseModel):
    definition: dict[str, Any] | str = Field(description="Définition (objet) ou son texte YAML")


class ReviewIn(BaseModel):
    approve: bool
    note: str | None = Field(default=None, max_length=1000)


QID = Annotated[str, PathParam(max_length=64, pattern=r"^[a-z][a-z0-9_-]{1,63}$")]
VERSION = Annotated[int, PathParam(ge=1, le=10_000)]
F = TypeVar("F", bound=Callable[..., Any])


def _write(method: str, path: str, summary: str, *who: str, status_code: int | None = None) -> Callable[[F], F]:
    """The route decorator of a write: tagged, summarised, the roles allowed documented in the schema."""
    return router.api_route(path, methods=[method], status_code=status_code, tags=["participation"], summary=summary,
                            openapi_extra=roles(*who))


async def _in_store(fn: Callable[..., Any], request: Request, account: dict[str, Any], *args: Any) -> Any:
    """``fn(participation store, account, *args)`` off the event loop (the store calls block)."""
    return await run_in_threadpool(fn, participation_store(request), account, *args)


@_write(
    "POST", "/participation/api/questionnaires/{qid}/versions",
    "Créer un brouillon de questionnaire", *EDITORS, status_code=201,
)
async def api_create_draft(
    request: Request, qid: QID, body: DraftIn, account: Annotated[dict, Depends(require(*EDITORS))]
):
    return await _in_store(questionnaires.create_draft, request, account, qid, body.definition)


@_write("PUT", "/participation/api/questionnaires/{qid}/versions/{version}", "Modifier un brouillon", *EDITORS)
async def api_update_draft(
    request: Request, qid: QID, version: VERSION, body: DraftIn, account: Annotated[dict, Depends(require(*EDITORS))]
):
    return await _in_store(questionnaires.update_draft, request, account, qid, version, body.definition)


@_write(
    "POST", "/participation/api/questionnaires/{qid}/versions/{version}/soumission",
    "Soumettre un brouillon à relecture", *EDITORS,
)
async def api_submit(
    request: Request, qid: QID, version: VERSION, account: Annotated[dict, Depends(require(*EDITORS))]
):
    return await _in_store(questionnaires.submit_draft, request, account, qid, version)


@_write(
    "POST", "/participation/api/questionnaires/{qid}/versions/{version}/relecture",
    "Approuver (publier) ou rejeter une version soumise", *EDITORS,
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


@_write("PUT", "/participation/api/sites", "Déclarer ou mettre à jour un lieu de soins", "site_manager", "admin")
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


@_write("POST", "/participation/api/annuaire/personnes", "Ajouter une personne à l'annuaire", *EDITORS, status_code=201)
async def api_add_person(request: Request, body: PersonIn, account: Annotated[dict, Depends(require(*EDITORS))]):
    return json_safe(await _in_store(directory_svc.save_person, request, account, body.model_dump()))


@_write(
    "PUT", "/participation/api/annuaire/personnes/{person_id}",
    "Modifier une fiche (dont retrait d'un consentement)", *EDITORS,
)
async def api_update_person(
    request: Request, person_id: ID, body: PersonIn, account: Annotated[dict, Depends(require(*EDITORS))]
):
    return json_safe(
        await _in_store(directory_svc.save_person, request, account, body.model_dump(), person_id)
    )


@_write("DELETE", "/participation/api/annuaire/personnes/{person_id}", "Effacer une fiche (retrait complet)", *EDITORS)
async def api_delete_person(request: Request, person_id: ID, account: Annotated[dict, Depends(require(*EDITORS))]):
    return await _in_store(directory_svc.delete_person, request, account, person_id)


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


@_write(
    "POST", "/participation/api/annuaire/structures",
    "Ajouter une structure participative", *EDITORS, status_code=201,
)
async def api_add_structure(request: Request, body: StructureIn, account: Annotated[dict, Depends(require(*EDITORS))]):
    return await _in_store(directory_svc.save_structure, request, account, body.model_dump())


@_write(
    "PUT", "/participation/api/annuaire/structures/{structure_id}",
    "Modifier une structure participative", *EDITORS,
)
async def api_update_structure(
    request: Request, structure_id: ID, body: StructureIn, account: Annotated[dict, Depends(require(*EDITORS))]
):
    return await _in_store(directory_svc.save_structure, request, account, body.model_dump(), structure_id)


class AccountIn(BaseModel):
    login: str = Field(min_length=3, max_length=64, pattern=r"^[a-z0-9][a-z0-9._@-]{2,63}$")
    display_name: str = Field(min_length=1, max_length=100, pattern=r"\S")
    password: str = Field(min_length=12, max_length=256)
    role: Literal["editor", "site_manager", "admin"]
    organisation_id: str = Field(max_length=64, pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")
    organisation_name: str | None = Field(default=None, max_length=200)
    organisation_kind: Literal["association", "site", "platform"] = "association"


@_write("POST", "/participation/api/comptes", "Créer un compte (administrateurs)", "admin", status_code=201)
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
