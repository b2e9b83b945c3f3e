"""Orientation pages and JSON twins through the ASGI app; imports into a store copy."""

from __future__ import annotations

import re

import pytest

from accesoins.errors import InputError
from accesoins.services.orientation import orientation as svc

HTML = {"accept": "text/html"}


def test_pharmacies_twin_at_christmas_night(client):
    r = client.get("/orientation/pharmacies.json", params={"commune": "Aurillac", "at": "2026-12-25T03:00"})
    assert r.status_code == 200 and r.headers["cache-control"] == "private, no-store"
    d = r.json()["result"]
    assert d["holiday"] == "Noël" and d["is_demo"] and "FICTIVES" in d["demo_notice"]
    assert d["pharmacies"] and all(p["open_by"] == "garde" for p in d["pharmacies"])
    assert d["pharmacies"] == sorted(d["pharmacies"], key=lambda p: p["minutes"])


@pytest.mark.parametrize(("params", "code", "label", "time_zone"), [
    # a Paris postcode starts from its arrondissement, not from the centre of Paris (issue 16)
    ({"cp": "75011"}, "75111", "75011 Paris 11e arrondissement", "Europe/Paris"),
    ({"lat": 43.2965, "lon": 5.3698}, "13055", "43.2965, 5.3698 (près de Marseille)", "Europe/Paris"),
    # five digits in ``commune`` are a postcode: 97411 is Bois-de-Nèfles, in Saint-Paul (INSEE 97415)
    ({"commune": "97411"}, "97415", "97411 Saint-Paul", "Indian/Reunion"),
    ({"code": "97411"}, "97411", "Saint-Denis (974)", "Indian/Reunion"),
    # the most populous Saint-Denis is La Réunion's, the others are offered as alternatives
    ({"commune": "Saint-Denis", "at": "2026-07-14T12:00"}, "97411", "Saint-Denis (974)", "Indian/Reunion"),
])
def test_pharmacies_from_postcode_coordinates_overseas(client, params, code, label, time_zone):
    d = client.get("/orientation/pharmacies.json", params=params).json()["result"]
    place = d["place"]
    assert (place["code_commune"], place["label"], place["time_zone"]) == (code, label, time_zone), place
    assert d["at"].endswith("+04:00" if time_zone == "Indian/Reunion" else ("+01:00", "+02:00"))
    assert d["pharmacies"], params
    if params.get("commune") == "Saint-Denis":
        assert "93066" in {a["code_commune"] for a in place["alternatives"]}
        assert d["at"] == "2026-07-14T12:00+04:00"


@pytest.mark.parametrize(("params", "message"), [({"commune": "qqqzzz"}, "Aucune commune"), ({}, "Indiquez"),
                                                 ({"cp": "1500"}, "5 chiffres"),
                                                 ({"commune": "Aurillac", "at": "2026-03-29T02:30"}, "n'existe pas"),
                                                 ({"commune": "Aurillac", "at": "demain"}, "invalide"),
                                                 ({"lat": 0, "lon": 0}, "loin")])
def test_pharmacies_bad_input_is_400_in_french(client, params, message):
    r = client.get("/orientation/pharmacies.json", params=params)
    assert r.status_code == 400 and message in r.json()["error"]["message"]


def test_pages_render_without_external_assets(client):
    for url in ["/orientation", "/orientation/pharmacies?commune=15000", "/orientation/a-qui-m-adresser",
                "/orientation/simulateurs/css?personnes=2&ressources=15508", "/orientation/simulateurs/certificat",
                "/orientation/simulateurs/ist?age=25", "/orientation/conseils", "/orientation/regles"]:
        r = client.get(url, headers=HTML)
        assert r.status_code == 200, url
        head_and_main = r.text.split("<footer")[0]
        assert not re.search(r'(src|href)="https?://', head_and_main.split("<main")[0]), url
        # only the site's own navigation script, from a file (no inline script under the CSP)
        assert re.findall(r"<script[^>]*>", r.text) == ['<script src="/static/nav.js" defer>'], url


def test_error_summary_links_to_field(client):
    r = client.get("/orientation/simulateurs/css", params={"personnes": "deux", "ressources": "1000"}, headers=HTML)
    assert r.status_code == 200 and 'href="#personnes"' in r.text and 'aria-invalid="true"' in r.text
    assert r.text.count("<title>Erreur") == 1
    assert client.get("/orientation/simulateurs/css.json", params={"personnes": "deux",
                                                                   "ressources": "1"}).status_code == 400


def test_advice_needs_consent(client):
    r = client.get("/orientation/conseils.json", params={"age": 52, "sexe": "femme"})
    assert r.status_code == 400 and "consentement" in r.json()["error"]["message"]
    d = client.get("/orientation/conseils.json", params={"age": 52, "sexe": "femme", "consentement": True}).json()
    ids = {x["id"] for x in d["result"]["recommendations"]}
    assert {"screening_breast", "screening_colorectal", "screening_cervical_hpv"} <= ids


def test_flow_result_with_nearby_sites(client):
    params = {"urgence": "non", "motif": "soin_courant", "moment": "jour", "medecin": "indispo", "lieu": "Aurillac"}
    d = client.get("/orientation/a-qui-m-adresser.json", params=params).json()
    assert d["result"]["options"][0]["kind"] == "sas" and d["sites"]["sites"]
    assert all(s["minutes"] <= 30 for s in d["sites"]["sites"])
    assert d["emergency"]["numbers"]["15"]


def test_import_pharmacies_and_rota_one_transaction(store_copy, tmp_path):
    ph = tmp_path / "pharmacies.csv"
    ph.write_text("pharmacy_id;name;address;code_postal;code_commune;phone;hours;access_notes;call_before;sector\n"
                  "150001234;Pharmacie du Test;1 rue X;15000;15014;0471000000;lu-ve 09:00-19:00;Rampe;non;15-A\n",
                  encoding="utf-8")
    report = svc.import_pharmacies(store_copy, ph)
    assert report["pharmacies"] == 1
    rota = tmp_path / "rota.csv"
    rota.write_text("pharmacy_id;start;end;kind;sector\n150001234;2026-12-24T19:30;2026-12-25T09:00;night;15-A\n",
                    encoding="utf-8")
    assert svc.import_rota(store_copy, rota)["slots"] == 1
    bad = tmp_path / "rota2.csv"
    bad.write_text("pharmacy_id;start;end;kind;sector\n150001234;2026-12-25T19:30;2026-12-26T09:00;night;\n"
                   "150001234;2026-12-26T19:30;2026-12-26T09:00;night;\n", encoding="utf-8")
    before = store_copy.scalar("SELECT count(*) FROM orientation_duty_slots")
    with pytest.raises(InputError) as e:
        svc.import_rota(store_copy, bad)
    assert e.value.line == 3 and e.value.field == "end"
    assert store_copy.scalar("SELECT count(*) FROM orientation_duty_slots") == before
    data = svc.load_orientation_data(store_copy)
    d = svc.nearest_pharmacies(data, cp="15000", at="2026-12-25T03:00")
    assert d["pharmacies"][0]["pharmacy_id"] == "150001234" and d["pharmacies"][0]["is_demo"] is False
    # neighbouring départements still hold fictitious pharmacies: the answer says so
    assert d["is_demo"] is any(p["is_demo"] for p in d["pharmacies"])
    assert store_copy.scalar("SELECT is_demo FROM sources WHERE source_id = 'rota:rota.csv'") is False


def test_demo_written_to_store_is_labelled(store_copy):
    report = svc.write_demo(store_copy, years=(2026, 2026))
    assert 19_000 < report["pharmacies"] < 21_000 and report["slots"] > 250_000
    assert store_copy.scalar("SELECT bool_and(is_demo) FROM orientation_pharmacies")
    assert store_copy.scalar("SELECT is_demo FROM sources WHERE source_id = 'orientation_demo'")
    sectors = store_copy.scalar("SELECT count(DISTINCT sector) FROM orientation_pharmacies")
    nights = store_copy.scalar("SELECT count(*) FROM orientation_duty_slots WHERE kind = 'night' AND "
                               "starts_local LIKE '2026-12-24%'")
    assert nights == sectors  # one pharmacy on night duty per sector
