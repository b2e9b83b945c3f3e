"""Reading the orientation rule files (``accesoins/rules/orientation/*.yaml``).

Every rule is a mapping with ``value``, ``unit``, ``source`` (``title``,
``url``), ``text_date`` and ``applies_from``; :func:`all_rules` lets a test
check each one.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml

from ..errors import ParameterError

RULE_FILES = ("holidays", "duty", "pathway", "css", "certificates", "ist", "prevention")


@functools.cache
def rule_file(name: str) -> dict[str, Any]:
    """The parsed rule file ``name`` (without ``.yaml``), read once."""
    if name not in RULE_FILES:
        raise ParameterError(f"Fichier de règles inconnu : {name}.")
    text = (resources.files("accesoins.rules") / "orientation" / f"{name}.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def rule(name: str, key: str) -> dict[str, Any]:
    """One rule (its whole mapping) of the file ``name``."""
    try:
        found: dict[str, Any] = rule_file(name)["rules"][key]
        return found
    except KeyError as exc:
        raise ParameterError(f"Règle inconnue : {name}.{key}.") from exc


def value(name: str, key: str) -> Any:
    """The ``value`` of one rule."""
    return rule(name, key)["value"]


def source_of(name: str, key: str) -> dict[str, str]:
    """A JSON-ready citation of one rule: title, address, text date, application date."""
    r = rule(name, key)
    return {"title": r["source"]["title"], "url": r["source"]["url"],
            "text_date": str(r["text_date"]), "applies_from": str(r["applies_from"]),
            "rule": f"{name}.{key}"}


def all_rules() -> list[tuple[str, str, dict[str, Any]]]:
    """(file, key, rule) of every rule of every file."""
    return [(name, key, r) for name in RULE_FILES for key, r in rule_file(name)["rules"].items()]
