"""Care sites shown with name, address, telephone and hours; a demonstration offer plausible in the DROM."""

from __future__ import annotations

import json

import pandas as pd

from accesoins.orientation.index import CommuneTable
from accesoins.orientation.sites import HOURS_UNKNOWN, describe_site
from accesoins.services.orientation.orientation import _communes, orientation_flow


def test_site_cards_carry_address_phone_and_unknown_hours(store):
    from accesoins.orientation.index import SiteIndex

    table = CommuneTable(*_communes(store))
    sites = pd.DataFrame([
        {"category": "centre_sante", "code_commune": "15014", "name": "CENTRE DE SANTE DU CANTAL", "quantity": 1.0,
         "lat": 44.9260, "lon": 2.4430, "is_demo": False, "site_id": "150000001",
         "attributes": json.dumps({"adresse": "2 AV DE LA REPUBLIQUE, 15000 AURILLAC", "telephone": "04 71 00 00 00"})},
        {"category": "maison_sante", "code_commune": "15267", "name": None, "quantity": 2.0,
         "lat": 44.9170, "lon": 2.3680, "is_demo": True, "site_id": None, "attributes": None}])
    found = SiteIndex(sites, table).within(table.by_code("15014"), 30)
    assert [s["site_id"] for s in found][:1] == ["150000001"]
    real = describe_site(dict(found[0]), "Centre de santé")
    assert real["title"] == "CENTRE DE SANTE DU CANTAL" and real["address_text"].endswith("15000 AURILLAC")
    assert real["phone"] == "04 71 00 00 00" and real["hours"] == HOURS_UNKNOWN
    demo = describe_site(dict(found[1]), "Maison de santé pluriprofessionnelle")
    assert demo["title"].endswith("(fictif)") and "fictif" in demo["address_text"] and "fictif" in demo["phone_text"]


def test_flow_lists_sites_with_their_details(store):
    from accesoins.services.orientation.orientation import load_orientation_data

    data = load_orientation_data(store)
    out = orientation_flow(data, {"urgence": "non", "motif": "enfant", "signes_enfant": "non", "age": "4",
                                  "moment": "garde"}, lieu="Aurillac")
    assert out["sites"]["sites"], "no site within 30 minutes of Aurillac"
    for s in out["sites"]["sites"]:
        assert s["title"] and s["address_text"] and s["phone_text"] and s["hours"]


def test_demo_offer_has_an_emergency_service_and_a_maternity_in_every_departement(store):
    counts = store.df("SELECT c.code_departement AS dep, o.category, count(*) AS n FROM offer o "
                      "JOIN territory_units c USING (code_commune) WHERE o.category IN ('urgences', 'maternite') "
                      "GROUP BY ALL")
    deps = set(store.df("SELECT code_departement FROM departements")["code_departement"])
    for category in ("urgences", "maternite"):
        have = set(counts.loc[counts["category"] == category, "dep"])
        assert deps - have == set(), f"{category} missing in {sorted(deps - have)}"
    assert {"973", "976"} <= set(counts.loc[counts["category"] == "urgences", "dep"])
