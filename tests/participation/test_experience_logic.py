"""Pure logic: site identifiers, questionnaires, intervals, rules file, auth primitives."""

from __future__ import annotations

import math

import pytest

from accesoins.errors import InputError
from accesoins.experience import auth, rules
from accesoins.experience import questionnaires as qn
from accesoins.experience.sites import finess_key_ok, normalise_site
from accesoins.experience.stats import mean_interval, wilson


@pytest.mark.parametrize("number", ["750712184", "010000024", "2A0000022", "2B0000038"])
def test_valid_finess_numbers(number):
    # real numbers; the Corsican ones come from the FINESS extract of the test data
    assert normalise_site(number) == (number, "finess")
    assert not finess_key_ok(number[:-1] + str((int(number[-1]) + 1) % 10))


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("750712185", "clé de contrôle"),
        ("75071218", "9 caractères"),
        ("", "Indiquez"),
        ("<script>", "non reconnu"),
        ("site-Foo", "non reconnu"),
    ],
)
def test_bad_site_identifiers_get_french_errors(raw, fragment):
    with pytest.raises(InputError) as e:
        normalise_site(raw)
    assert fragment in e.value.message


def test_local_site_identifier():
    assert normalise_site("site-centre-de-sante-du-lac") == ("site-centre-de-sante-du-lac", "local")


def test_wilson_matches_the_textbook_value():
    p, lo, hi = wilson(8, 10)
    assert p == 0.8 and math.isclose(lo, 0.4902, abs_tol=1e-3) and math.isclose(hi, 0.9433, abs_tol=1e-3)
    assert wilson(0, 10)[1] == 0.0 and wilson(10, 10)[2] == 1.0


def test_mean_interval_uses_student():
    m, lo, hi = mean_interval([0, 100] * 5)
    assert m == 50 and math.isclose(hi - m, 2.262 * math.sqrt(2777.78 / 10), rel_tol=1e-3)
    assert mean_interval([70.0] * 12) == (70.0, 70.0, 70.0)


def test_bundled_questionnaires_are_valid_and_cite_sources():
    qs = qn.bundled()
    assert {q.kind for q in qs} == {"PREMS", "PROMS"}
    for q in qs:
        assert q.inspired_by and all(s.get("url") for s in q.inspired_by)
        assert all(x.easy and x.text for x in q.questions)


def test_questionnaire_validation_names_the_field():
    d = dict(qn.bundled()[0].definition)
    with pytest.raises(InputError) as e:
        qn.parse({**d, "kind": "AUTRE"})
    assert e.value.field == "kind"
    with pytest.raises(InputError) as e:
        qn.parse_yaml("id: [unclosed")
    assert "YAML" in e.value.message
    q = qn.bundled()[0]
    with pytest.raises(InputError):
        qn.validate_answers(q, {"accueil": 4})
    with pytest.raises(InputError):
        qn.validate_answers(q, {x.question_id: 9 for x in q.questions})
    assert qn.validate_answers(q, {x.question_id: "4" for x in q.questions})["accueil"] == 4


def test_every_rule_is_complete():
    found = rules.all_rules()
    assert rules.value("disclosure.min_responses") == 10
    for path, rule in found.items():
        for key in rules.REQUIRED:
            assert rule.get(key) not in (None, ""), f"{path}: {key} missing"
        assert rule["status"] in rules.STATUSES
        assert rule["source"]["title"] and rule["source"]["url"].startswith("https://")


def test_argon2id_hashes_and_session_expiry():
    h = auth.hash_password("un mot de passe assez long")
    assert h.startswith("$argon2id$")
    assert auth.verify_password(h, "un mot de passe assez long")
    assert not auth.verify_password(h, "autre") and not auth.verify_password("garbage", "x")
    t = auth.SessionTimes(created=0, last_seen=0)
    assert not auth.session_expired(t, 100, idle=1800, absolute=28800)
    assert auth.session_expired(t, 1801, idle=1800, absolute=28800)
    assert auth.session_expired(auth.SessionTimes(0, 28000), 28801, idle=1800, absolute=28800)


def test_rate_limiter_and_daily_salt():
    lim = auth.RateLimiter(3, 60)
    assert [lim.allow("a", now=t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert lim.allow("a", now=61) and lim.allow("b", now=3)
    salt = auth.DailySalt()
    day1 = salt.fingerprint("127.0.0.1", now=0)
    assert salt.fingerprint("127.0.0.1", now=10) == day1 and "127" not in day1
    assert salt.fingerprint("127.0.0.1", now=86_400 * 2) != day1
