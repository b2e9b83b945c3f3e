"""Simulators at, just below and just above every ceiling; certificates; STI coverage; advice."""

from __future__ import annotations

from datetime import date

import pytest

from accesoins.orientation.prevention import recommendations
from accesoins.orientation.rules import value
from accesoins.orientation.simulators import certificate, css_ceilings, ist_coverage, simulate_css

ON = date(2025, 6, 1)
METRO_FREE = {1: 10339, 2: 15508, 3: 18609, 4: 21711, 5: 25846, 6: 29981}
METRO_PART = {1: 13957, 2: 20936, 3: 25123, 4: 29311, 5: 34894, 6: 40477}


@pytest.mark.parametrize("persons", [1, 2, 3, 4, 5, 6])
def test_css_metro_boundaries(persons):
    free, part = METRO_FREE[persons], METRO_PART[persons]
    assert css_ceilings(persons) == {"free": free, "participation": part}
    status = lambda r: simulate_css(persons=persons, resources=r, ages=[40] * persons, on=ON)["status"]  # noqa: E731
    assert status(free - 1) == "gratuite" and status(free) == "gratuite"
    assert status(free + 1) == "participation"
    assert status(part - 1) == "participation" and status(part) == "participation"
    assert status(part + 1) == "non_eligible"


@pytest.mark.parametrize("territory", ["971", "972", "973", "974"])
@pytest.mark.parametrize("persons", [1, 2, 4, 5])
def test_css_drom_boundaries(territory, persons):
    c = css_ceilings(persons, territory)
    assert c["free"] > METRO_FREE[persons] and c["participation"] > METRO_PART[persons]
    for key, just_over in (("free", "participation"), ("participation", "non_eligible")):
        assert simulate_css(persons=persons, resources=c[key], territory=territory, on=ON)["status"] != just_over
        assert simulate_css(persons=persons, resources=c[key] + 1, territory=territory, on=ON)["status"] == just_over
    r = simulate_css(persons=persons, resources=0, territory=territory, on=ON)
    assert any(s["rule"] == "css.drom_coefficient" for s in r["sources"])


def test_css_drom_reproduces_published_2024_figures():
    # the published DROM figures valid until 31 March 2025 are the métropole ones × 1.113, for 1 to 4 persons
    coef = value("css", "drom_coefficient")
    metro = [10166, 15249, 18298, 21348, 13724]
    drom = [11315, 16972, 20366, 23760, 15275]
    assert [round(m * coef) for m in metro] == drom


def test_css_participation_by_age_and_alsace_moselle():
    r = simulate_css(persons=3, resources=20000, ages=[29, 30, 70], on=ON)
    assert r["status"] == "participation" and r["monthly_participation"] == 8 + 14 + 30
    r = simulate_css(persons=2, resources=16000, ages=[49, 50], alsace_moselle=True, on=ON)
    assert r["monthly_participation"] == pytest.approx(4.9 + 7.3)
    assert simulate_css(persons=1, resources=0, territory="976", on=ON)["status"] == "non_applicable"
    assert simulate_css(persons=1, resources=0, on=date(2026, 11, 1))["warning"]
    assert simulate_css(persons=1, resources=0, on=ON)["warning"] is None
    with pytest.raises(ValueError):
        simulate_css(persons=0, resources=1)
    with pytest.raises(ValueError):
        simulate_css(persons=1, resources=1, territory="975")


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
