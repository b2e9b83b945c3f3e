"""Simulators at, just below and just above every ceiling; certificates; STI coverage; advice."""

from __future__ import annotations

from datetime import date

import pytest

from accesoins.orientation.prevention import recommendations
from accesoins.orientation.rules import value
from accesoins.orientation.simulators import certificate, css_ceilings, ist_coverage, simulate_css

ON = date(2025, 6, 1)
# Published ceilings from 1 April 2025 to 31 March 2026, métropole (euros per year; sizes 5 and 6 add the
# published per-person step, 4,135 and 5,583): ameli.fr "Complémentaire santé solidaire : bénéficiaires",
# reproduced by efl.fr "Complémentaire santé solidaire : conditions de ressources" (1-4-2025 au 1-4-2026).
METRO_FREE = {1: 10339, 2: 15508, 3: 18609, 4: 21711, 5: 25846, 6: 29981}
METRO_PART = {1: 13957, 2: 20936, 3: 25123, 4: 29311, 5: 34894, 6: 40477}
# Guadeloupe, Martinique, Guyane, La Réunion: code de la sécurité sociale art. D861-1 raises the ceilings by
# 11.3 %. No DROM table of the 2025-2026 period was found published in what we could consult, so these are
# the published métropole amounts × 1.113 rounded to the euro, worked out by hand: the rule that reproduces
# every published per-size DROM figure of 2024-2025 (test below). Sizes 5 and 6 add the per-person step,
# 4,135 × 1.113 and 5,583 × 1.113 (4,602 and 6,214), which the 2024-2025 table shows can be 1 euro off.
DROM_FREE = {1: 11507, 2: 17260, 3: 20712, 4: 24164, 5: 28766, 6: 33368}
DROM_PART = {1: 15534, 2: 23302, 3: 27962, 4: 32623, 5: 38837, 6: 45051}
# The DROM table published for 1 April 2024 to 31 March 2025 (quechoisir.org, "Complémentaire santé
# solidaire : ce que vous devez savoir"), with the métropole one it derives from: 1 to 4 persons, free then
# with participation; then the per-person steps, free then with participation.
METRO_2024 = [10166, 15249, 18298, 21348, 13724, 20586, 24703, 28820]
DROM_2024 = [11315, 16972, 20366, 23760, 15275, 22912, 27494, 32077]
METRO_2024_STEP, DROM_2024_STEP = [4066, 5490], [4526, 6110]


def _status(persons, resources, territory="metro"):
    return simulate_css(persons=persons, resources=resources, ages=[40] * persons, territory=territory,
                        on=ON)["status"]


@pytest.mark.parametrize("persons", [1, 2, 3, 4, 5, 6])
def test_css_metro_boundaries(persons):
    free, part = METRO_FREE[persons], METRO_PART[persons]
    assert css_ceilings(persons) == {"free": free, "participation": part}
    assert _status(persons, free - 1) == "gratuite" and _status(persons, free) == "gratuite"
    assert _status(persons, free + 1) == "participation"
    assert _status(persons, part - 1) == "participation" and _status(persons, part) == "participation"
    assert _status(persons, part + 1) == "non_eligible"


@pytest.mark.parametrize("territory", ["971", "972", "973", "974"])
@pytest.mark.parametrize("persons", [1, 2, 3, 4, 5, 6])
def test_css_drom_boundaries(territory, persons):
    free, part = DROM_FREE[persons], DROM_PART[persons]
    got = css_ceilings(persons, territory)
    if persons <= 4:
        assert got == {"free": free, "participation": part}
    else:  # the per-person step: within 1 euro per added person (see above)
        assert abs(got["free"] - free) <= persons - 4 and abs(got["participation"] - part) <= persons - 4
        free, part = got["free"], got["participation"]
    assert _status(persons, free - 1, territory) == "gratuite" and _status(persons, free, territory) == "gratuite"
    assert _status(persons, free + 1, territory) == "participation"
    assert _status(persons, part - 1, territory) == "participation"
    assert _status(persons, part, territory) == "participation"
    assert _status(persons, part + 1, territory) == "non_eligible"
    # a DROM household just above the métropole ceilings is still within its own
    assert _status(persons, METRO_FREE[persons] + 1, territory) == "gratuite"
    assert _status(persons, METRO_PART[persons] + 1, territory) == "participation"
    r = simulate_css(persons=persons, resources=0, territory=territory, on=ON)
    assert any(s["rule"] == "css.drom_coefficient" for s in r["sources"])


def test_css_drom_reproduces_published_2024_figures():
    coef = value("css", "drom_coefficient")
    assert coef == 1.113  # art. D861-1: + 11.3 %
    assert [round(m * coef) for m in METRO_2024] == DROM_2024
    # the published per-person steps are within 1 euro of the rounded product (4,525.5 → 4,526; 6,110.4 → 6,110)
    assert all(abs(m * coef - d) <= 1 for m, d in zip(METRO_2024_STEP, DROM_2024_STEP, strict=True))


def test_css_participation_by_age_and_alsace_moselle():
    r = simulate_css(persons=3, resources=20000, ages=[29, 30, 70], on=ON)
    assert r["status"] == "participation" and r["monthly_participation"] == 8 + 14 + 30
    r = simulate_css(persons=2, resources=16000, ages=[49, 50], alsace_moselle=True, on=ON)
    assert r["monthly_participation"] == pytest.approx(4.9 + 7.3)
    assert simulate_css(persons=1, resources=0, territory="976", on=ON)["status"] == "non_applicable"
    assert simulate_css(persons=1, resources=0, on=date(2026, 11, 1))["warning"]
    assert simulate_css(persons=1, resources=0, on=ON)["warning"] is None


def test_css_says_which_period_its_ceilings_cover():
    inside = simulate_css(persons=1, resources=0, on=ON)
    assert inside["period"]["current"]
    assert inside["period"]["text"] == "Plafonds applicables du 01/04/2025 au 31/03/2026"
    assert inside["label"].startswith("CSS sans participation")
    after = simulate_css(persons=1, resources=0, on=date(2026, 11, 1))
    # past ceilings are never presented as today's: the answer names their period and says so
    assert not after["period"]["current"] and after["status"] == "gratuite"
    assert after["label"].startswith("D'après les plafonds applicables du 01/04/2025 au 31/03/2026 (plus en vigueur)")
    assert "indicative" in after["warning"]
    with pytest.raises(ValueError):
        simulate_css(persons=0, resources=1)
    with pytest.raises(ValueError):
        simulate_css(persons=1, resources=1, territory="975")


def test_css_answers_in_french_with_their_rules():
    with pytest.raises(ValueError, match="^Les ressources ne peuvent pas être négatives.$"):
        simulate_css(persons=1, resources=-1)
    r = simulate_css(persons=1, resources=0, territory="976", on=ON)
    assert [s["rule"] for s in r["sources"]] == ["css.mayotte"] and "Mayotte" in r["label"]
    r = simulate_css(persons=1, resources=METRO_PART[1] + 1, on=date(2026, 4, 1))
    assert r["label"] == ("D'après les plafonds applicables du 01/04/2025 au 31/03/2026 (plus en vigueur) : "
                          "ressources au-dessus des plafonds : pas de CSS") and r["per_member"] == []
    assert r["warning"].startswith("Ces plafonds ne sont plus en vigueur depuis le 31/03/2026 : ceux revalorisés "
                                   "au 1er avril suivant n'ont pas encore été vérifiés dans une source officielle.")
    r = simulate_css(persons=2, resources=METRO_FREE[2] + 1, ages=[29, 75], on=ON)
    assert r["per_member"] == [{"age": 29, "euros": 8.0}, {"age": 75, "euros": 30.0}]
    assert [s["rule"] for s in r["sources"]] == ["css.ceilings_free", "css.ceilings_participation",
                                                 "css.participation_by_age"]


@pytest.mark.parametrize(("kwargs", "needed", "label", "rule"), [
    ({"situation": "sport", "age": 12, "discipline_special": True}, True,
     "Certificat médical de moins d'un an, chaque année", "certificates.special_constraints_disciplines"),
    ({"situation": "sport", "age": 17, "questionnaire_yes": True}, True,
     "Une réponse « oui » au questionnaire de santé : certificat médical de moins de 6 mois.",
     "certificates.minor_questionnaire"),
    ({"situation": "sport", "age": 17}, False, "Pas de certificat : le questionnaire de santé du mineur",
     "certificates.minor_questionnaire"),
    ({"situation": "sport", "age": 18}, True,
     "Première licence d'un adulte : certificat médical de moins d'un an.", "certificates.adult_first_licence"),
    ({"situation": "sport", "age": 40, "renewal": True}, True, "Renouvellement : un nouveau certificat tous les 3 ans",
     "certificates.adult_renewal_every"),
    ({"situation": "sport", "age": 40, "renewal": True, "years_since_certificate": 1, "questionnaire_yes": True},
     True, "Renouvellement : une réponse « oui » au questionnaire QS-Sport", "certificates.adult_renewal_every"),
    ({"situation": "sport", "age": 40, "renewal": True, "years_since_certificate": 2}, False,
     "Renouvellement : le questionnaire QS-Sport suffit (certificat de moins de 3 ans)",
     "certificates.adult_renewal_every"),
    ({"situation": "creche"}, False, "", "certificates.creche"),
    ({"situation": "ecole"}, False, "", "certificates.school"),
])
def test_certificate_labels_and_sources(kwargs, needed, label, rule):
    r = certificate(**kwargs)
    assert r["needed"] is needed and r["label"].startswith(label) and len(r["label"]) > 20
    assert [s["rule"] for s in r["sources"]] == [rule]


def test_simulators_refuse_bad_input_in_french():
    with pytest.raises(ValueError, match=r"^Situation inconnue \(sport, creche ou ecole\)\.$"):
        certificate(situation="piscine")
    for age in (None, -1, 121):
        with pytest.raises(ValueError, match=r"^Indiquez l'âge \(entre 0 et 120 ans\) pour une licence sportive\.$"):
            certificate(situation="sport", age=age)
    for age in (-1, 121):
        with pytest.raises(ValueError, match=r"^Indiquez un âge entre 0 et 120 ans\.$"):
            ist_coverage(age=age)
    minor = ist_coverage(age=15)
    assert minor["notes"] == ["Mineur : au laboratoire sans ordonnance avec un représentant légal, ou dans un "
                              "CeGIDD (gratuit, anonyme si vous le souhaitez)."]
    assert [s["rule"] for s in minor["sources"]] == ["ist.under_26_all_free", "ist.minors"]
    assert [s["rule"] for s in ist_coverage(age=30)["sources"]] == ["ist.hiv_always_free", "ist.others_from_26"]


def test_certificate_rules():
    assert certificate(situation="sport", age=17)["needed"] is False
    assert certificate(situation="sport", age=17, questionnaire_yes=True)["needed"] is True
    assert certificate(situation="sport", age=18)["needed"] is True  # first adult licence
    assert certificate(situation="sport", age=12, discipline_special=True)["needed"] is True
    assert certificate(situation="sport", age=40, renewal=True, years_since_certificate=2)["needed"] is False
    assert certificate(situation="sport", age=40, renewal=True, years_since_certificate=3)["needed"] is True
    assert certificate(situation="sport", age=40, renewal=True, years_since_certificate=1,
                       questionnaire_yes=True)["needed"] is True
    assert certificate(situation="creche")["needed"] is False
    assert certificate(situation="ecole")["needed"] is False
    with pytest.raises(ValueError):
        certificate(situation="sport")


@pytest.mark.parametrize(("age", "all_free", "minor"), [(17, True, True), (18, True, False), (25, True, False),
                                                         (26, False, False), (27, False, False)])
def test_ist_coverage_around_26(age, all_free, minor):
    r = ist_coverage(age=age)
    assert r["all_free"] is all_free and bool(r["notes"]) is minor
    hiv = next(t for t in r["tests"] if t["test"] == "VIH")
    assert hiv["assurance_maladie_pct"] == 100
    if not all_free:
        assert {t["assurance_maladie_pct"] for t in r["tests"] if t["test"] != "VIH"} == {60}


def _ids(**kw):
    return {r["id"] for r in recommendations(**kw)}


@pytest.mark.parametrize(("age", "inside"), [(49, False), (50, True), (74, True), (75, False)])
def test_breast_and_colorectal_screening_ages(age, inside):
    ids = _ids(age=age, sex="femme")
    assert ("screening_breast" in ids) is inside and ("screening_colorectal" in ids) is inside
    assert "screening_breast" not in _ids(age=age, sex="homme")


@pytest.mark.parametrize(("age", "expected"), [(24, set()), (25, {"screening_cervical_cytology"}),
                                               (29, {"screening_cervical_cytology"}), (30, {"screening_cervical_hpv"}),
                                               (65, {"screening_cervical_hpv"}), (66, set())])
def test_cervical_screening(age, expected):
    assert {i for i in _ids(age=age, sex="femme") if i.startswith("screening_cervical")} == expected


@pytest.mark.parametrize(("age", "bilan"), [(17, False), (18, True), (25, True), (26, False), (44, False), (45, True),
                                            (50, True), (51, False), (60, True), (65, True), (70, True), (75, True),
                                            (76, False)])
def test_bilan_prevention_bands(age, bilan):
    assert ("bilan_prevention" in _ids(age=age)) is bilan


def test_mt_dents_pregnancy_smoking():
    assert "mt_dents" in _ids(age=3) and "mt_dents" in _ids(age=24) and "mt_dents" not in _ids(age=25)
    assert "mt_dents" not in _ids(age=2)
    ids = _ids(age=30, sex="femme", pregnant=True, smoker=True)
    assert {"vax_pregnancy", "mt_dents_pregnancy", "tobacco"} <= ids
    with pytest.raises(ValueError):
        recommendations(age=30, sex="homme", pregnant=True)
    assert all(r["source"]["url"].startswith("https://") for r in recommendations(age=70, sex="femme", chronic=True))
