"""Quality of establishments: the HAS official indicators beside the platform's PREMS/PROMS.

Pages (each with its JSON twin): the list of establishments with official indicators, and one
establishment by FINESS number. The platform's own results are read through the participation
service's public site page; logic lives in :mod:`accesoins.services.observatory.quality`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from ..services.observatory import quality as svc
from ..services.participation import publication as participation_svc
from ..services.participation.common import NotFound
from .participation.base import main_store, participation_store
from .rendering import page, store_of

router = APIRouter()
TAGS = ["qualite"]


@page(router, "/qualite", "quality/list.html", tags=TAGS,
      summary="Établissements ayant des indicateurs officiels de qualité (HAS)")
def establishments(request: Request) -> dict:
    return svc.establishments(store_of(request))


@page(router, "/qualite/{finess}", "quality/establishment.html", tags=TAGS,
      summary="Un établissement : indicateurs HAS (IQSS, e-Satis) et PREMS/PROMS de la plateforme, en quatre familles")
def establishment(request: Request, finess: Annotated[str, Path(max_length=12)]) -> dict:
    store = store_of(request)
    platform = None
    try:
        platform = participation_svc.site_page(participation_store(request), main_store(request), finess)
    except NotFound:  # a site unknown to the participation database has no PREMS/PROMS yet
        platform = None
    return svc.establishment(store, finess, platform)
