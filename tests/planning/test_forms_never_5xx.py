"""Every choice the orientation and planning forms of this area offer, with empty, boundary and typical
values, answers without a server error (HTML page and JSON twin)."""

from __future__ import annotations

import itertools

HTML = {"accept": "text/html"}
ROW_VALUES = {"commune": ["", "Aurillac", "15014", "Saint-Denis", "zz", "x" * 80],
              "nombre": ["", "0", "1", "10000", "10001", "-3", "deux", "2,5"]}
CSS = [{}, {"personnes": "1", "ressources": "0"}, {"personnes": "20", "ressources": "10000000"},
       {"personnes": "0", "ressources": "1"}, {"personnes": "2", "ressources": "-1"},
       {"personnes": "3", "ressources": "20000", "ages": "29,30,70", "territoire": "976"},
       {"personnes": "3", "ressources": "20000", "territoire": "975"}, {"personnes": "a", "ressources": ""}]


def ok(client, path, params):
    for url in (path, f"{path}.json"):
        r = client.get(url, params=params, headers=HTML if url == path else {})
        assert r.status_code < 500, (url, params, r.status_code, r.text[:300])


def test_scenario_rows(client):
    cases = [{"inst_commune_1": c, "inst_nombre_1": n, "inst_type_1": t, "departement": d}
             for c, n in itertools.product(ROW_VALUES["commune"], ROW_VALUES["nombre"])
             for t, d in (("medecin_generaliste", "15"), ("inconnu", ""))][::3]
    cases += [{"ferm_commune_1": c, "ferm_type_1": "urgences", "ferm_nombre_1": n, "departement": "15"}
              for c, n in itertools.product(ROW_VALUES["commune"][:3], ["", "1"])]
    for params in cases:
        ok(client, "/planification/scenario", params)


def test_css_simulator_and_flow(client):
    for params in CSS:
        ok(client, "/orientation/simulateurs/css", params)
    base = {"urgence": "non", "motif": "enfant", "signes_enfant": "non", "moment": "garde"}
    for age, lieu in itertools.product(["", "0", "15", "120", "121", "x"], ["", "Aurillac", "75011", "zz"]):
        ok(client, "/orientation/a-qui-m-adresser", {**base, "age": age, "lieu": lieu})


def test_saving_page_without_session(client):
    for query in ("", "installations=15014%3Amedecin_generaliste%3A20", "nom=%00", "retraite=abc"):
        r = client.get(f"/participation/planification/enregistrer?{query}", headers=HTML)
        assert r.status_code in (200, 400, 401), (query, r.status_code)
