"""Schemathesis fuzzes the participation API from its OpenAPI description: no 5xx, and writes get through.

Read routes are fuzzed anonymously. Write routes are fuzzed *signed in as an
administrator* (session cookie + CSRF header), with path identifiers replaced by
ones that exist (a person, a structure, a draft), so requests reach validation
and the services instead of stopping at 401/404; the last test checks that a
stated share of write requests was actually accepted (2xx).
"""

from __future__ import annotations

from collections import Counter

import schemathesis
from hypothesis import HealthCheck, settings
from phelpers import PASSWORD, make_app
from starlette.testclient import TestClient

from accesoins.api.participation.base import COOKIE
from accesoins.experience import auth
from accesoins.services.participation import accounts, directory, questionnaires

app = make_app()
app.state.participation_limit_responses = auth.RateLimiter(10**9, 600)
app.state.participation_limit_logins = auth.RateLimiter(10**9, 600)
_ps = app.state.participation
_admin = {"account_id": "fuzz", "role": "admin", "organisation_id": "accesoins"}
_session = accounts.login(_ps, "admin", PASSWORD)
_person = directory.save_person(_ps, _admin, {"role": "patient_partenaire", "domains": ["qualite"]})["person_id"]
_structure = directory.save_structure(
    _ps, _admin, {"name": "Centre", "kind": "centre_de_sante", "governance": "g", "inhabitants": "h"}
)["structure_id"]
_draft = questionnaires.create_draft(_ps, _admin, "experience-consultation",
                                     questionnaires.published_one(_ps, "experience-consultation")
                          .definition)["version"]
IDS = {"person_id": _person, "structure_id": _structure, "qid": "experience-consultation", "version": _draft}
STATS: Counter = Counter()

schema = schemathesis.openapi.from_asgi("/openapi.json", app)
reads = schema.include(path_regex="^/participation", method="GET")
# signing in and out is fuzzed elsewhere (a DELETE of the session would sign the fuzzer out)
writes = schema.include(path_regex="^/participation/api/(?!session)", method=["POST", "PUT", "DELETE"])


@reads.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_reads_never_fail(case):
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.text[:300])


@writes.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_writes_signed_in_never_fail(case):
    if case.path_parameters:
        case.path_parameters = {k: IDS.get(k, v) for k, v in case.path_parameters.items()}
    response = case.call(headers={"X-CSRF-Token": _session["csrf"]}, cookies={COOKIE: _session["token"]})
    assert response.status_code < 500, (case.method, case.path, response.text[:300])
    STATS["writes"] += 1
    STATS[str(response.status_code)] += 1
    STATS[f"{response.status_code // 100}xx"] += 1
    if 200 <= response.status_code < 300:
        STATS[f"ok {case.method} {case.path}"] += 1
        if case.method == "DELETE" and "personnes" in case.path:  # keep a person to edit
            IDS["person_id"] = directory.save_person(_ps, _admin,
                                                     {"role": "patient_partenaire", "domains": ["qualite"]})[
                "person_id"]


def test_a_share_of_fuzzed_writes_is_accepted():
    """Writes that all stopped at authentication or validation would test nothing (issue 17, finding 1)."""
    assert STATS["writes"] >= 100, STATS
    assert STATS["401"] == 0, STATS  # signed in: no write stops at authentication
    assert STATS["2xx"] >= 0.10 * STATS["writes"], STATS
    accepted_routes = {k for k in STATS if k.startswith("ok ")}
    assert len(accepted_routes) >= 5, accepted_routes
    # the responses were stored by the real services
    assert TestClient(app).get("/participation/annuaire.json").status_code == 200
    assert _ps.scalar("SELECT count(*) FROM responses") >= 1 or "ok POST /participation/api/reponses" not in STATS
