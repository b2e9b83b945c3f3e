"""« À qui m'adresser ? »: red flags first, pharmacist rules, direct access, never a diagnosis."""

from __future__ import annotations

import pytest

from accesoins.orientation.pathway import AnswerError, next_step, result


def run(**answers):
    q, a = next_step({k: str(v) for k, v in answers.items()})
    assert q is None, f"still asking {q.name if q else ''}"
    return [o.get("kind") for o in result(a)["options"]], result(a)


def test_first_question_is_red_flags_and_yes_means_15():
    q, _ = next_step({})
    assert q.name == "urgence" and any("poitrine" in x for x in q.items)
    kinds, r = run(urgence="oui", motif="gorge")
    assert r["emergency"] and kinds == ["urgence"] and "15" in r["options"][0]["title"]


def test_general_path_doctor_then_sas_then_france_sante():
    day = {"urgence": "non", "motif": "soin_courant", "moment": "jour"}
    assert run(**day, medecin="dispo")[0][:3] == ["medecin_traitant", "sas", "france_sante"]
    assert run(urgence="non", motif="soin_courant", moment="jour", medecin="indispo")[0][0] == "sas"
    assert run(urgence="non", motif="soin_courant", moment="jour", medecin="non")[0][-1] == "declarer"


@pytest.mark.parametrize(("age", "sexe", "pharmacist"), [(15, "femme", False), (16, "femme", True),
                                                          (65, "femme", True), (66, "femme", False),
                                                          (30, "homme", False)])
def test_cystitis_pharmacist_16_65_women(age, sexe, pharmacist):
    kinds, _ = run(urgence="non", motif="urinaire", age=age, sexe=sexe, moment="jour", medecin="dispo")
    assert (kinds[0] == "pharmacien") is pharmacist


@pytest.mark.parametrize(("age", "pharmacist"), [(9, False), (10, True), (50, True)])
def test_sore_throat_trod_from_10(age, pharmacist):
    first = run(urgence="non", motif="gorge", age=age, moment="jour", medecin="dispo")[0][0]
    assert (first == "pharmacien") is pharmacist


@pytest.mark.parametrize(("spec", "age", "direct"), [("psychiatre", 15, False), ("psychiatre", 16, True),
                                                      ("psychiatre", 25, True), ("psychiatre", 26, False),
                                                      ("ophtalmologue", 50, True), ("pediatre", 15, True),
                                                      ("pediatre", 16, False)])
def test_direct_access(spec, age, direct):
    kinds, _ = run(urgence="non", motif="specialiste", age=age, specialite=spec)
    assert (kinds[0] == "specialiste") is direct


def test_ist_pregnancy_and_bad_answers():
    assert run(urgence="non", motif="ist", age=20)[0] == ["laboratoire", "cegidd"]
    assert run(urgence="non", motif="grossesse")[0][0] == "sage_femme"
    with pytest.raises(AnswerError) as e:
        next_step({"urgence": "peut-être"})
    assert e.value.field == "urgence"
    with pytest.raises(AnswerError):
        next_step({"urgence": "non", "motif": "gorge", "age": "-3"})
    for kinds_result in (run(urgence="non", motif="soin_courant", moment="jour", medecin="dispo")[1],):
        assert all(o["source"]["url"].startswith("https://") for o in kinds_result["options"])
