"""Read the APL parameters from ``accesoins/rules/apl.yaml`` (rules as data).

Each rule carries its value, unit, official source, date of the text, date from
which it applies and a status (``confirmed``, ``to_confirm``, ``not_published``).
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from accesoins.errors import ParameterError

APL_RULES_PATH: Path = Path(__file__).resolve().parents[1] / "rules" / "apl.yaml"
RULE_KEYS: tuple[str, ...] = ("value", "unit", "source", "text_date", "applies_from", "status")


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def load_apl_rules(path: str | Path | None = None) -> dict[str, Any]:
    """The APL rules file as a dict (a fresh copy each call, so callers may modify it)."""
    return copy.deepcopy(_load(Path(path) if path else APL_RULES_PATH))


def profession_rules(profession: str, rules: dict[str, Any] | None = None) -> dict[str, Any]:
    """Rules of one profession code (``medecin_generaliste``, ``infirmier``…).

    Raises
    ------
    accesoins.errors.ParameterError
        Unknown profession, or one for which no official APL is published.
    """
    rules = rules if rules is not None else load_apl_rules()
    professions = rules.get("professions", {})
    if profession not in professions:
        known = ", ".join(sorted(professions))
        raise ParameterError(f"profession inconnue « {profession} » (connues : {known}).")
    found: dict[str, Any] = professions[profession]
    if found.get("status") == "not_published":
        raise ParameterError(
            f"pas d'APL officielle pour « {profession} » : {found.get('note', '').strip()}"
        )
    return found


def iter_rules(rules: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every rule of the file as ``(dotted path, rule)``; a rule is a dict with a ``status``."""
    out: list[tuple[str, dict[str, Any]]] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            if "status" in node:
                out.append((path, node))
                return
            for key, child in node.items():
                walk(child, f"{path}.{key}" if path else str(key))

    walk(rules.get("professions", {}), "professions")
    return out
