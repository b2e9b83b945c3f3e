"""Read the planning rules from ``accesoins/rules/planning/rules.yaml`` (rules as data).

Each rule carries its value, unit, official source (title and address), date of
the text, date from which it applies and a status; answers quote them as is.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from accesoins.errors import ParameterError

PLANNING_RULES_PATH: Path = Path(__file__).resolve().parents[1] / "rules" / "planning" / "rules.yaml"
RULE_KEYS: tuple[str, ...] = ("value", "unit", "source", "text_date", "applies_from", "status")


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def load_planning_rules(path: str | Path | None = None) -> dict[str, Any]:
    """The whole rules file as a dict (a fresh copy each call)."""
    return copy.deepcopy(_load(Path(path) if path else PLANNING_RULES_PATH))


def rule(rule_id: str, *, rules: dict[str, Any] | None = None) -> dict[str, Any]:
    """One rule by id (e.g. ``"pharmacy.first_threshold"``), with its ``id`` added.

    Raises
    ------
    accesoins.errors.ParameterError
        Unknown rule id.
    """
    rules = rules if rules is not None else load_planning_rules()
    found = rules.get("rules", {}).get(rule_id)
    if found is None:
        raise ParameterError(f"règle inconnue « {rule_id} ».")
    return {"id": rule_id, "version": rules.get("version"), **copy.deepcopy(found)}


def value(rule_id: str) -> Any:
    """The value of one rule."""
    return rule(rule_id)["value"]


def cite(rule_id: str) -> dict[str, Any]:
    """What an answer quotes of a rule: id, value, unit, source, dates, status, note."""
    r = rule(rule_id)
    return {k: r.get(k) for k in ("id", "value", "unit", "source", "text_date", "applies_from",
                                  "status", "note", "version") if r.get(k) is not None}
