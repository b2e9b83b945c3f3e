"""Schemathesis fuzzes the participation part of the public API from its OpenAPI description: no 5xx."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from phelpers import make_app

from accesoins.experience import auth

app = make_app()
app.state.participation_limit_responses = auth.RateLimiter(10**9, 600)
app.state.participation_limit_logins = auth.RateLimiter(10**9, 600)
schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(path_regex="^/participation")


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error(case):
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.text[:300])
