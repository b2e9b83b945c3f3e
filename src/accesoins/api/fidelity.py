"""The « Écart à la DREES » page: the official and the recomputed APL side by side.

``/ecart-drees`` (and its JSON twin ``/ecart-drees.json``) compares, for France, a
région or a département, the APL computed by accesoins with the official DREES APL
imported in the store; ``/ecart-drees/carte.json`` gives the differences for the map.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from ..services.observatory import fidelity as service
from .rendering import page, store_of

router = APIRouter()
TAGS = ["observatoire"]

Level = Annotated[str, Query(alias="niveau", max_length=20, description="france, region ou departement")]
Code = Annotated[str | None, Query(max_length=3, description="Code de la région ou du département")]
Vintage = Annotated[str | None, Query(alias="millesime", max_length=4, description="Millésime de l'APL officielle")]
Variant = Annotated[str, Query(alias="variante", max_length=10,
                               description="ensemble ou 65 (médecins de 65 ans ou moins)")]


@page(router, "/ecart-drees", "observatory/fidelity.html", tags=TAGS, inline=True,
      summary="Écart à la DREES : APL officielle et APL recalculée, corrélations, carte des écarts")
def fidelity(request: Request, level: Level = "france", code: Code = None, vintage: Vintage = None,
             variant: Variant = "ensemble") -> dict:
    return service.fidelity(store_of(request), level, code or None, vintage=vintage, variant=variant)


@router.get("/ecart-drees/carte.json", tags=TAGS, summary="Écarts APL recalculée − officielle pour la carte")
def fidelity_map(request: Request, level: Level = "france", code: Code = None, vintage: Vintage = None,
                 variant: Variant = "ensemble") -> dict:
    cache = request.app.state.cache
    key = ("ecart-drees", level, code, vintage, variant)
    if key not in cache:
        cache[key] = service.fidelity_map(store_of(request), level, code or None, vintage=vintage, variant=variant)
    return cache[key]
