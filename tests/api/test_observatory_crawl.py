"""Every choice the observatory's own form offers answers without a server error.

The form offers each indicator × level, and for communes each département (DROM included):
the crawl walks all of them through the dashboard's JSON twin and the map data, and the
HTML page for the DROM, where travel-time indicators may have no value at all.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from accesoins.api.app import create_app
from accesoins.services.observatory.views import legend

DROM = ["971", "972", "973", "974", "976"]


@pytest.fixture(scope="module")
def client(settings):
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def test_every_form_choice_answers(client):
    form = client.get("/observatoire.json").json()
    indicators = [i["indicator"] for i in form["indicators"]]
    departements = [d["code"] for d in form["departements"]]
    assert len(indicators) >= 10 and len(departements) == 101
    families: dict[str, str] = {}
    for i in form["indicators"]:
        families.setdefault(i["family"], i["indicator"])
    every_dep = set(families.values())
    failures, visited = [], 0
    for indicator in indicators:
        for level in form["levels"]:
            # every département for one indicator of each family, the DROM and a few others for the rest
            deps = departements if indicator in every_dep else [*DROM, "15", "2A", "48"]
            for dep in [None, *deps] if level == "commune" else [None]:
                params = {"indicateur": indicator, "niveau": level} | ({"departement": dep} if dep else {})
                paths = ["/observatoire/carte.json"]
                if dep is None or dep in DROM:
                    paths += ["/observatoire.json", "/observatoire"]
                for path in paths:
                    r = client.get(path, params=params)
                    visited += 1
                    if r.status_code >= 500:
                        failures.append((path, params, r.status_code))
    assert visited > len(every_dep) * len(departements)
    assert not failures, failures[:10]


def test_legend_without_values_says_so():
    (only,) = legend([], "min", has_values=False)
    assert only["label"].startswith("aucune valeur") and only["min"] is None and only["max"] is None
    assert [c["label"] for c in legend([2.5, 4.0], "hab.")] == [
        "moins de 2,5 hab.", "de 2,5 à moins de 4 hab.", "4 ou plus hab."]
