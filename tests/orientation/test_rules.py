"""Every orientation rule carries its value, unit, official source and dates."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from accesoins.orientation.rules import all_rules

RULES = all_rules()
OFFICIAL = ("legifrance.gouv.fr", "service-public.fr", "ameli.fr", "sante.gouv.fr", "e-cancer.fr")


def test_there_are_rules_in_every_file():
    assert len({f for f, _, _ in RULES}) == 7 and len(RULES) >= 50


@pytest.mark.parametrize(("file", "key", "rule"), RULES, ids=[f"{f}.{k}" for f, k, _ in RULES])
def test_rule_is_sourced(file, key, rule):
    assert "value" in rule and rule["value"] not in (None, ""), "value"
    assert rule.get("unit"), "unit"
    src = rule["source"]
    assert len(src["title"]) > 10
    assert re.match(r"^https://(www\.)?[a-z0-9.-]+/", src["url"])
    assert any(host in src["url"] for host in OFFICIAL), f"{src['url']} is not an official source"
    for field in ("text_date", "applies_from"):
        dt.date.fromisoformat(str(rule[field]))
    assert str(rule["text_date"]) <= "2026-12-31"
