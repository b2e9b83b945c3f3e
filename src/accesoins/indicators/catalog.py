"""The indicator catalogue: names, French labels, units and how each aggregates.

``aggregate`` says how a commune value rolls up to a territory:

- ``weighted_mean``: mean weighted by (standardised) population — APL, travel times;
- ``rate``: sum of numerators over sum of population × ``per`` — densities;
- ``sum``: plain sum — populations beyond a threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str
    unit: str
    aggregate: str  # weighted_mean | rate | sum
    higher_is_better: bool
    family: str  # apl | densite | temps | couverture


@cache
def observatory_rules() -> dict:
    text = (resources.files("accesoins") / "rules" / "observatory.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def catalog() -> dict[str, Indicator]:
    """Every indicator the observatory can compute, by name."""
    rules = observatory_rules()
    out: dict[str, Indicator] = {}
    for prof, label in rules["apl_professions"].items():
        unit = "consultations/an/hab." if prof == "medecin_generaliste" else "ETP pour 100 000 hab."
        out[f"apl_{prof}"] = Indicator(f"apl_{prof}", f"APL — {label}", unit, "weighted_mean", True, "apl")
        if prof == "medecin_generaliste":
            out[f"apl_{prof}_65"] = Indicator(
                f"apl_{prof}_65", f"APL — {label} de 65 ans ou moins", unit, "weighted_mean", True, "apl")
    per = rules["density_per"]
    for cat, label in rules["density_categories"].items():
        out[f"densite_{cat}"] = Indicator(
            f"densite_{cat}", f"Densité — {label} pour {per:,} hab.".replace(",", " "),
            f"pour {per:,} hab.".replace(",", " "), "rate", True, "densite")
    for key, label in rules["nearest"].items():
        out[f"temps_{key}"] = Indicator(f"temps_{key}", f"Temps vers : {label}", "minutes",
                                        "weighted_mean", False, "temps")
    limit = rules["france_sante"]["max_minutes"]["value"]
    out["population_au_dela_france_sante"] = Indicator(
        "population_au_dela_france_sante",
        f"Habitants à plus de {limit} min d'une structure de type France Santé", "habitants", "sum", False,
        "couverture")
    return out
