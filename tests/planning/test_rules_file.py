"""Every planning rule is complete and sourced."""

from __future__ import annotations

import datetime as dt

from accesoins.planning.rules import RULE_KEYS, load_planning_rules


def test_every_rule_has_value_unit_source_and_dates():
    rules = load_planning_rules()["rules"]
    assert len(rules) >= 15
    for rule_id, rule in rules.items():
        for key in RULE_KEYS:
            assert rule.get(key) is not None, f"{rule_id}: {key} missing"
        assert rule["source"]["title"] and rule["source"]["url"].startswith("https://"), rule_id
        for key in ("text_date", "applies_from"):
            dt.date.fromisoformat(rule[key])
        assert rule["status"] in ("confirmed", "to_confirm"), rule_id
        if rule["status"] != "confirmed":
            assert rule.get("note"), f"{rule_id}: a rule to confirm says why"
