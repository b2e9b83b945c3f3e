"""The observatory: indicators per territory, maps, time series, exports (issue: observatoire).

Pages are registered with :func:`accesoins.api.rendering.page` on this module's
router, so each has its JSON twin; logic lives in the service functions.
"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
