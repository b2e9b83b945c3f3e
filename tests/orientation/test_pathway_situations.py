"""« À qui m'adresser ? » for a child, a fever, at night and for a renewal: who answers when."""

from __future__ import annotations

import pytest

from accesoins.orientation.pathway import next_step, result


def ask(**answers):
    q, a = next_step({k: str(v) for k, v in answers.items()})
    return q.name if q else None, a


def kinds(**answers):
    q, a = next_step({k: str(v) for k, v in answers.items()})
    assert q is None, f"still asking {q.name}"
    r = result(a)
    return [o["kind"] for o in r["options"]], r


def test_child_warning_signs_come_first_and_lead_to_the_15():
    assert ask(urgence="non", motif="enfant")[0] == "signes_enfant"
    k, r = kinds(urgence="non", motif="enfant", signes_enfant="oui")
    assert r["emergency"] and k == ["urgence"] and "15" in r["options"][0]["title"]


def test_child_at_night_gets_116_117_and_duty_pharmacy_never_the_office():
    k, r = kinds(urgence="non", motif="enfant", signes_enfant="non", age=4, moment="garde")
    # the office is closed at night: the 116 117 first, the duty pharmacy next, the paediatrician later
    assert k[:2] == ["permanence_des_soins", "pharmacie_garde"] and k[-1] == "pediatre"
    assert "medecin_traitant" not in k and "sas" not in k
    assert "116 117" in r["options"][0]["title"] and "rouvre" in r["options"][-1]["title"]


def test_child_over_15_has_no_direct_paediatrician():
    k, _ = kinds(urgence="non", motif="enfant", signes_enfant="non", age=16, moment="jour", medecin="dispo")
    assert "pediatre" not in k and k[0] == "sas"


@pytest.mark.parametrize("motif", ["soin_courant", "fievre"])
def test_night_and_weekend_skip_the_doctor_question(motif):
    assert ask(urgence="non", motif=motif)[0] == "moment"
    assert ask(urgence="non", motif=motif, moment="jour")[0] == "medecin"
    assert ask(urgence="non", motif=motif, moment="garde")[0] is None
    k, _ = kinds(urgence="non", motif=motif, moment="garde")
    assert k[0] == "permanence_des_soins"


def test_day_fever_doctor_first_and_when_to_consult():
    k, r = kinds(urgence="non", motif="fievre", moment="jour", medecin="dispo")
    assert k[0] == "medecin_traitant" and k[-1] == "conseil"
    assert "3 jours" in r["options"][-1]["title"]


@pytest.mark.parametrize("medecin", ["dispo", "indispo", "non"])
def test_prescription_renewal_never_sends_to_the_15(medecin):
    k, r = kinds(urgence="non", motif="suivi", medecin=medecin)
    assert "sas" not in k and "urgence" not in k
    assert not any("15" in o["title"] for o in r["options"])
    assert "pharmacien" in k and "teleconsultation" in k
    assert ("declarer" in k) is (medecin == "non")


def test_every_option_is_sourced():
    for answers in ({"motif": "enfant", "signes_enfant": "non", "age": 2, "moment": "garde"},
                    {"motif": "suivi", "medecin": "non"}, {"motif": "fievre", "moment": "jour", "medecin": "non"}):
        _, r = kinds(urgence="non", **answers)
        assert all(o["source"]["url"].startswith("https://") and o["source"]["title"] for o in r["options"])


def test_api_carries_every_answer_of_the_flow(settings):
    from fastapi.testclient import TestClient

    from accesoins.api.app import create_app

    with TestClient(create_app(settings)) as client:
        night = client.get("/orientation/a-qui-m-adresser.json", params={
            "urgence": "non", "motif": "enfant", "signes_enfant": "non", "age": "3", "moment": "garde"}).json()
        assert night["question"] is None
        assert [o["kind"] for o in night["result"]["options"]][:2] == ["permanence_des_soins", "pharmacie_garde"]
        signs = client.get("/orientation/a-qui-m-adresser.json", params={
            "urgence": "non", "motif": "enfant", "signes_enfant": "oui"}).json()
        assert signs["result"]["emergency"] is True
