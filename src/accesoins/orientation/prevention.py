"""« Mes conseils santé »: prevention recommendations from what a person enters.

:func:`recommendations` matches the rules of ``prevention.yaml`` against age,
sex, pregnancy, chronic condition and smoking. Nothing is stored; the caller
must have the person's explicit consent before showing personalised advice.
"""

from __future__ import annotations

from typing import Any

from ..errors import ParameterError
from .rules import rule_file, source_of

TOPICS = {"vaccination": "Vaccinations", "depistage": "Dépistages organisés", "dents": "Dents",
          "bilan": "Bilan de prévention", "habitudes": "Habitudes de vie"}


def _matches(when: dict[str, Any], age: int, sex: str | None, pregnant: bool, chronic: bool, smoker: bool) -> bool:
    if "min_age" in when and age < when["min_age"]:
        return False
    if "max_age" in when and age > when["max_age"]:
        return False
    if "sex" in when and sex != when["sex"]:
        return False
    if when.get("pregnant") and not pregnant:
        return False
    if when.get("chronic") and not chronic:
        return False
    return not (when.get("smoker") and not smoker)


def recommendations(*, age: int, sex: str | None = None, pregnant: bool = False, chronic: bool = False,
                    smoker: bool = False) -> list[dict[str, object]]:
    """Recommendations that apply, grouped by topic order, each with its source."""
    if not 0 <= age <= 120:
        raise ParameterError("Indiquez un âge entre 0 et 120 ans.")
    if sex not in (None, "femme", "homme", "autre"):
        raise ParameterError("Sexe : femme, homme ou autre.")
    if pregnant and sex == "homme":
        raise ParameterError("La grossesse ne peut être cochée que pour une femme ou « autre ».")
    out = []
    for key, r in rule_file("prevention")["rules"].items():
        if not _matches(r.get("when", {}), age, sex, pregnant, chronic, smoker):
            continue
        v = r["value"]
        text = v["text"] if isinstance(v, dict) else v
        if key == "bilan_prevention":
            bands = v["age_bands"]
            if not any(lo <= age <= hi for lo, hi in bands):
                continue
        note = None
        if key == "vax_dtp_adult":
            due = [a for a in r["ages"] if a >= age]
            note = f"Prochain rappel à {due[0]} ans." if due and due[0] != age else "Rappel prévu à votre âge."
        out.append({"id": key, "topic": r["topic"], "topic_label": TOPICS[r["topic"]], "text": text,
                    "note": note, "source": source_of("prevention", key)})
    order = list(TOPICS)
    return sorted(out, key=lambda x: order.index(x["topic"]))
