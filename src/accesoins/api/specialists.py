"""Specialists and coordinated-care structures: observatory pages, map values, orientation page.

Pages are registered with :func:`accesoins.api.rendering.page` (each has its JSON twin); they
call :mod:`accesoins.services.observatory.specialists` and :mod:`accesoins.services.observatory.structures` only.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from ..services.data.territory import demo_notice
from ..services.observatory import specialists as svc
from ..services.observatory import structures
from .rendering import page, store_of

router = APIRouter()
Specialty = Annotated[str, Query(alias="specialite", max_length=40, description="Spécialité suivie (ex. cardiologie)")]
Level = Annotated[str, Query(alias="niveau", max_length=20, description="departement ou region")]
Measure = Annotated[str, Query(alias="mesure", max_length=20, description="Mesure affichée sur la carte")]
TAGS = ["observatoire"]
NO_STORE = {"Cache-Control": "private, no-store"}


@page(router, "/observatoire/specialistes", "specialists/observatory.html", tags=TAGS,
      summary="Accès aux spécialistes par spécialité : temps, population au-delà de 30/45/60 min, densité")
def specialists_page(request: Request, specialty: Specialty = "cardiologie", level: Level = "departement",
                     measure: Measure = "minutes") -> dict:
    store = store_of(request)
    data = svc.observatory(store, specialty, level, measure)
    data["demo_notice"] = demo_notice(store)
    return data


@router.get("/observatoire/specialistes/carte.json", tags=TAGS,
            summary="Valeurs d'une mesure d'accès à une spécialité pour la carte (code → valeur)")
def specialists_map(request: Request, specialty: Specialty = "cardiologie", level: Level = "departement",
                    measure: Measure = "minutes") -> dict:
    return svc.map_values(store_of(request), specialty, level, measure)


@page(router, "/observatoire/structures", "specialists/structures.html", tags=TAGS,
      summary="Structures d'exercice coordonné (MSP, centres de santé, hôpitaux de proximité) par territoire")
def structures_page(request: Request, level: Level = "departement", measure: Measure = "pour_100000") -> dict:
    store = store_of(request)
    data = structures.overview(store, level, measure)
    data["demo_notice"] = demo_notice(store)
    return data


@router.get("/observatoire/structures/carte.json", tags=TAGS,
            summary="Structures d'exercice coordonné par territoire pour la carte (code → valeur)")
def structures_map(request: Request, level: Level = "departement", measure: Measure = "pour_100000") -> dict:
    return structures.map_values(store_of(request), level, measure)


@page(router, "/orientation/specialiste", "specialists/find.html", tags=["orientation"], headers=NO_STORE,
      summary="Trouver un spécialiste près de chez moi : les lieux les plus proches en temps de trajet")
def find_specialist(request: Request, specialty: Specialty = "cardiologie",
                    place: Annotated[str, Query(alias="lieu", max_length=80,
                                                description="Commune, code postal ou code INSEE")] = "") -> dict:
    store = store_of(request)
    data = svc.nearest_places(store, specialty, place)
    data["demo_notice"] = demo_notice(store)
    return data
