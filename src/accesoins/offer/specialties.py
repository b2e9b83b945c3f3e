"""The medical specialties of the RPPS (ANS nomenclature TRE_R38) and the ones the observatory follows.

``rules/specialties.yaml`` holds the official labels of the SM codes and the groups a patient
is sent to (cardiologie: SM04 and SM73 and its options…). Everything naming a specialty —
pages, open data, the orientation page — reads it from here.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

from ..errors import ParameterError


@cache
def specialty_rules() -> dict:
    text = (resources.files("accesoins") / "rules" / "specialties.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def followed() -> dict[str, dict]:
    """Followed specialties by key: ``label``, ``codes`` and their official ``code_labels``."""
    rules = specialty_rules()
    return {key: {**spec, "key": key, "code_labels": {c: rules["codes"][c] for c in spec["codes"]}}
            for key, spec in rules["followed"].items()}


def code_to_specialty() -> dict[str, str]:
    """SM code → key of the followed specialty it belongs to."""
    return {code: key for key, spec in specialty_rules()["followed"].items() for code in spec["codes"]}


def official_label(code: str) -> str | None:
    return specialty_rules()["codes"].get(code)


def specialty(key: str) -> dict:
    """One followed specialty, or a French error listing the known ones."""
    spec = followed().get(key)
    if spec is None:
        raise ParameterError(f"spécialité « {key} » inconnue ; spécialités suivies : {', '.join(followed())}")
    return spec


def choices() -> list[dict[str, str]]:
    """Labelled choices for forms, sorted by label."""
    return sorted(({"code": k, "label": s["label"]} for k, s in followed().items()), key=lambda c: c["label"])


__all__ = ["specialty_rules", "followed", "code_to_specialty", "official_label", "specialty", "choices"]
