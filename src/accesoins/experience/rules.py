"""The thresholds of ``rules/experience/thresholds.yaml`` (rules as data)."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml

from ..errors import ParameterError

REQUIRED = ("value", "unit", "source", "text_date", "status")
STATUSES = {"confirmed", "to_confirm", "project_choice", "not_published"}


@functools.cache
def thresholds() -> dict[str, Any]:
    """The parsed thresholds file (cached; the file ships with the package)."""
    text = (resources.files("accesoins.rules") / "experience" / "thresholds.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def rule(path: str) -> dict[str, Any]:
    """The rule at a dotted ``path`` (e.g. ``"disclosure.min_responses"``)."""
    node = thresholds()
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ParameterError(f"Règle inconnue : {path}")
        node = node[part]
    return node


def value(path: str) -> Any:
    """The value of the rule at ``path``."""
    return rule(path)["value"]


def all_rules() -> dict[str, dict[str, Any]]:
    """Every rule of the file, keyed by dotted path (for tests and documentation)."""
    out: dict[str, dict[str, Any]] = {}

    def walk(prefix: str, node: object) -> None:
        if isinstance(node, dict) and "value" in node:
            out[prefix] = node
        elif isinstance(node, dict):
            for k, v in node.items():
                if k != "schema_version":
                    walk(f"{prefix}.{k}" if prefix else k, v)

    walk("", thresholds())
    return out
