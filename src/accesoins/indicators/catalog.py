"""The indicator catalogue: names, French labels, units and how each aggregates.

``aggregate`` says how a commune value rolls up to a territory:

- ``weighted_mean``: mean weighted by (standardised) population — APL, travel times;
- ``rate``: sum of numerators over sum of population × ``per`` — densities;
- ``sum``: plain sum — populations beyond a threshold.

Travel times are searched up to :data:`BEYOND_CAP_MINUTES`; a commune with no
site within that search has no time of its own (missing), but it is not left
out of territory means: it counts at the cap (so the mean is a lower bound,
said in the provenance), and ``part_au_dela_<target>`` publishes the share of
the population beyond the cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str
    unit: str
    aggregate: str  # weighted_mean | rate | sum
    higher_is_better: bool
    family: str  # apl | densite | temps | couverture
    beyond_cap: float | None = None  # missing commune values count at this value in means


BEYOND_CAP_MINUTES = 180.0  # widest nearest-site search (services.access.compute.NEAREST_CAPS)


@cache
def observatory_rules() -> dict[str, Any]:
    text = (resources.files("accesoins") / "rules" / "observatory.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def catalog() -> dict[str, Indicator]:
    """Every indicator the observatory can compute, by name."""
    rules = observatory_rules()
    out: dict[str, Indicator] = {}
    for prof, label in rules["apl_professions"].items():
        # Other professions: FTE when the offer carries them, else a headcount, per inhabitant
        # (midwives included: per women only with a female demand); the build stores the
        # unit of what it computed (AplResult.params["unit"]).
        unit = ("consultations/an/hab." if prof == "medecin_generaliste"
                else "ETP ou effectif pour 100 000 hab.")
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
                                        "weighted_mean", False, "temps", BEYOND_CAP_MINUTES)
        out[f"part_au_dela_{key}"] = Indicator(
            f"part_au_dela_{key}",
            f"Part de la population à plus de {BEYOND_CAP_MINUTES:g} min : {label}",
            "% de la population", "weighted_mean", False, "temps")
    limit = rules["france_sante"]["max_minutes"]["value"]
    out["population_au_dela_france_sante"] = Indicator(
        "population_au_dela_france_sante",
        f"Habitants à plus de {limit} min d'une structure de type France Santé", "habitants", "sum", False,
        "couverture")
    return out
