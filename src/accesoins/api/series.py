"""Assurance Maladie series: the national page (every indicator, France entière) and the French CSV.

The per-territory series page stays in :mod:`accesoins.api.observatory`; logic lives in
:mod:`accesoins.services.observatory.series`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ..services.observatory import series as svc
from .rendering import page, store_of

router = APIRouter()
TAGS = ["observatoire"]


@page(router, "/observatoire/series/france", "observatory/series_france.html", tags=TAGS,
      summary="Indicateurs de l'Assurance Maladie, France entière : séries, définitions, sources")
def national(request: Request) -> dict:
    return svc.national(store_of(request))


@router.get("/observatoire/series.csv", tags=TAGS,
            summary="Une série en CSV (convention française : « ; », virgule décimale, UTF-8 avec BOM)")
def series_csv(request: Request,
               indicator: Annotated[str, Query(alias="indicateur", max_length=120)],
               level: Annotated[str | None, Query(alias="niveau", max_length=20)] = None,
               code: Annotated[str | None, Query(max_length=10)] = None) -> Response:
    content = svc.csv_bytes(store_of(request), indicator, level or None, code or None)
    name = indicator.replace(".", "-")
    return Response(content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="accesoins-serie-{name}.csv"'})
