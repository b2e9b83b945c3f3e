"""APL, the DREES accessibilité potentielle localisée (E2SFCA with official parameters).

``APL_i = scale × Σ_j w(t_ij) S_j / Σ_k w(t_kj) P_k`` where ``w`` is the official
step decay, ``S_j`` the counted supply of site ``j`` and ``P_k`` the (age-
standardised) population of origin ``k``. Every parameter comes from
``rules/apl.yaml``; the result carries the parameters used so that callers can
store the provenance of each figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from accesoins.access.decay import StepDecay
from accesoins.access.fca import catchment
from accesoins.access.rules import load_apl_rules, profession_rules
from accesoins.errors import ParameterError

GP = "medecin_generaliste"
#: Said with the unit of another profession's APL while its DREES parameters are not confirmed.
APPROXIMATION = " — approximation (paramètres DREES de la profession non confirmés)"


@dataclass(frozen=True)
class AplResult:
    """APL values (Series indexed like the population) and the parameters used."""

    values: pd.Series
    params: dict[str, Any] = field(default_factory=dict)


def apl(
    population: pd.Series | pd.DataFrame,
    supply: pd.Series | pd.DataFrame,
    cost: pd.DataFrame,
    *,
    profession: str = GP,
    vintage: int = 2023,
    max_age: int | None = None,
    age_weights: Mapping[str, float] | None = None,
    site_col: str = "site",
    origin: str = "origin",
    dest: str = "dest",
    cost_col: str = "minutes",
    rules: dict[str, Any] | None = None,
    female_population: bool = False,
) -> AplResult:
    """Compute the APL of each origin with the official DREES parameters.

    Parameters
    ----------
    population : pandas.Series or pandas.DataFrame
        Inhabitants by origin id. A Series is used as is (raw population). A
        DataFrame has one column per age band (``0-4``, ``5-9``, …, ``85-89``,
        ``90+``) and is standardised with the age weights of ``vintage`` (GPs)
        or ``age_weights``.
    supply : pandas.Series or pandas.DataFrame
        Either a Series of headcount (or FTE) by site id, or one row per
        practitioner with a ``site_col`` column and optionally ``activity``
        (GPs: consultations and visits in the year; NaN = no activity last
        year), ``centre_sante`` (bool, activity bounds not applied), ``scope``
        (bool, in the DREES scope: libéral or centre de santé; False rows are left
        out, as the RPPS import flags them), ``fte``
        (other professions) and ``age`` (years, needed with ``max_age``).
    cost : pandas.DataFrame
        Long travel-time frame (minutes), as the travel providers return.
    profession : str
        ``medecin_generaliste``, ``infirmier``, ``masseur_kinesitherapeute``,
        ``sage_femme`` or ``chirurgien_dentiste``.
    vintage : int
        Vintage of the GP age weights (2022 or 2023).
    max_age : int, optional
        Count only practitioners aged ``max_age`` or under (official variant: 65).
    age_weights : mapping of str to float, optional
        Age-band weights overriding the rules file.
    site_col : str
        Column of the practitioner frame holding the site id.
    origin, dest, cost_col : str
        Column names in ``cost``.
    rules : dict, optional
        Rules as loaded by :func:`~accesoins.access.rules.load_apl_rules`.
    female_population : bool
        ``population`` counts women only (the official demand of the midwives' APL).

    Returns
    -------
    AplResult
        ``values``: for GPs, consultations and visits accessible per year per
        standardised inhabitant; for other professions, FTE (or headcount) per
        100,000 standardised inhabitants. ``params``: every parameter used, with
        sources, statuses and how supply and demand were measured.
    """
    rules = rules if rules is not None else load_apl_rules()
    prof = profession_rules(profession, rules)
    steps_rule = prof["travel_steps"]
    decay = StepDecay(
        tuple(tuple(s) for s in steps_rule["value"]), steps_rule.get("bounds", "exclusive")
    )
    unit_rule = prof["result_unit"]
    used: dict[str, dict[str, Any]] = {"travel_steps": steps_rule, "result_unit": unit_rule}

    demand, demand_desc = _demand(population, prof, profession, vintage, age_weights, used)
    site_supply, supply_desc = _supply(supply, prof, profession, max_age, site_col, used)

    values = catchment(
        demand, site_supply, cost, decay, origin=origin, dest=dest, cost_col=cost_col, name="apl"
    ) * float(unit_rule.get("scale", 1))
    unit = _result_unit(unit_rule, profession, supply_desc, demand_desc, female_population)
    unconfirmed = [n for n in ("travel_steps", "activity")
                   if isinstance(prof.get(n), dict) and prof[n].get("status") != "confirmed"]
    if profession != GP and unconfirmed:
        unit += APPROXIMATION  # the UI shows the unit: the approximation is never hidden
    params: dict[str, Any] = {
        "indicator": "apl",
        "profession": profession,
        "method": "E2SFCA, méthode DREES 2015",
        "steps": [list(s) for s in decay.steps],
        "step_bounds": decay.bounds,
        "unit": unit,
        "demand": demand_desc,
        "supply": supply_desc,
        "max_age": max_age,
        "rules": {
            name: {
                k: rule.get(k)
                for k in ("source", "text_date", "applies_from", "status", "note")
                if rule.get(k) is not None
            }
            for name, rule in used.items()
        },
        "to_confirm": sorted(n for n, r in used.items() if r.get("status") != "confirmed"),
    }
    return AplResult(values=values, params=params)


def _demand(
    population: pd.Series | pd.DataFrame,
    prof: dict[str, Any],
    profession: str,
    vintage: int,
    age_weights: Mapping[str, float] | None,
    used: dict[str, dict[str, Any]],
) -> tuple[pd.Series, dict[str, Any]]:
    if isinstance(population, pd.Series):
        return population, {"kind": "population brute (non standardisée par âge)"}
    if not isinstance(population, pd.DataFrame):
        raise ParameterError(
            "« population » doit être une Series ou un DataFrame par tranche d'âge."
        )
    if age_weights is not None:
        weights = {str(k): float(v) for k, v in age_weights.items()}
        origin_desc = "poids fournis par l'appelant"
    else:
        rule = prof.get("age_weights", {})
        rule = rule.get(str(vintage)) if profession == GP else rule
        if not rule or rule.get("value") is None:
            raise ParameterError(
                f"pas de poids par âge officiels pour « {profession} » (millésime {vintage}) : "
                "fournir age_weights ou une population brute (Series)."
            )
        used["age_weights"] = rule
        weights = {str(k): float(v) for k, v in rule["value"].items()}
        origin_desc = f"poids officiels, millésime {vintage}"
    columns = [str(c) for c in population.columns]
    missing = [b for b in weights if b not in columns]
    unknown = [c for c in columns if c not in weights]
    if missing or unknown:
        raise ParameterError(
            f"tranches d'âge incohérentes : manquantes {missing}, inconnues {unknown}."
        )
    frame = population.rename(columns=str)[list(weights)]
    values = frame.to_numpy(dtype=np.float64) @ np.array(list(weights.values()))
    return (
        pd.Series(values, index=population.index, name="population_standardisee"),
        {"kind": f"population standardisée par âge ({origin_desc})", "age_weights": weights},
    )


def _supply(
    supply: pd.Series | pd.DataFrame,
    prof: dict[str, Any],
    profession: str,
    max_age: int | None,
    site_col: str,
    used: dict[str, dict[str, Any]],
) -> tuple[pd.Series, dict[str, Any]]:
    gp = profession == GP
    if isinstance(supply, pd.Series):
        if max_age is not None:
            raise ParameterError(
                "max_age demande une offre par professionnel (DataFrame avec une colonne « age »)."
            )
        if not gp:
            return supply, {"kind": "ETP ou effectif par site, tel que fourni"}
        per_doctor = _headcount_activity(prof, used)
        return supply * per_doctor, {
            "kind": f"effectif × {per_doctor:g} consultations (approximation : activité réelle inconnue)",
            "approximation": True,
        }
    if not isinstance(supply, pd.DataFrame) or site_col not in supply.columns:
        raise ParameterError(
            f"« supply » : Series par site, ou DataFrame par professionnel avec la colonne "
            f"« {site_col} »."
        )
    rows = supply
    desc: dict[str, Any] = {}
    if gp and "scope" in rows.columns:
        # DREES scope: libéraux (and some particular practices) and centres de santé; NaN = unknown, kept
        out = rows["scope"].map(lambda v: v is False or v == 0 or str(v).lower() in ("false", "non"))
        desc["excluded_out_of_scope"] = int(out.sum())
        desc["scope"] = "champ DREES (libéral, centres de santé) d'après la source"
        rows = rows[~out.to_numpy(dtype=bool)]
    if max_age is not None:
        if "age" not in rows.columns:
            raise ParameterError("max_age demande une colonne « age » dans l'offre.")
        age = pd.to_numeric(rows["age"], errors="coerce")
        keep = (age <= max_age).to_numpy()
        desc["excluded_by_age"] = int((~keep).sum())
        desc["unknown_age_excluded"] = int(age.isna().sum())
        rows = rows[keep]
    if gp and "activity" in rows.columns:
        bounds = prof["activity_bounds"]["value"]
        imputed = float(prof["imputed_activity"]["value"])
        used["activity_bounds"] = prof["activity_bounds"]
        used["imputed_activity"] = prof["imputed_activity"]
        activity = pd.to_numeric(rows["activity"], errors="coerce").to_numpy(dtype=np.float64)
        if (activity < 0).any():
            raise ParameterError("« activity » : nombre d'actes négatif.")
        counted = np.where(
            activity < bounds["zero_below"],
            0.0,
            np.clip(activity, bounds["floor"], bounds["ceiling"]),
        )
        counted = np.where(np.isnan(activity), imputed, counted)
        if "centre_sante" in rows.columns:
            centre = rows["centre_sante"].fillna(False).to_numpy(dtype=bool)
            counted = np.where(centre & ~np.isnan(activity), activity, counted)
        values = counted
        desc["kind"] = "activité bornée (consultations et visites par an, méthode DREES)"
        desc["imputed_rows"] = int(np.isnan(activity).sum())
        desc["approximation"] = False
    elif gp:
        per_doctor = _headcount_activity(prof, used)
        values = np.full(len(rows), per_doctor)
        desc["kind"] = f"effectif × {per_doctor:g} consultations (approximation : activité réelle inconnue)"
        desc["approximation"] = True
    elif "fte" in rows.columns:
        values = pd.to_numeric(rows["fte"], errors="coerce").fillna(0).to_numpy(dtype=np.float64)
        desc["kind"] = "ETP"
        desc["approximation"] = False
    else:
        values = np.ones(len(rows))
        desc["kind"] = "effectif (1 par professionnel, ETP inconnus : approximation)"
        desc["approximation"] = True
    by_site = pd.Series(values, index=pd.Index(rows[site_col])).groupby(level=0, sort=False).sum()
    desc["practitioners"] = int(len(rows))
    return by_site, desc


def _result_unit(
    unit_rule: dict[str, Any], profession: str, supply: dict[str, Any], demand: dict[str, Any], female: bool
) -> str:
    """The unit of what was computed, not of what the DREES publishes.

    Other professions: FTE only when FTE were given, a headcount otherwise; per
    women only when the demand is the female population (the DREES publishes the
    midwives' APL per 100,000 women).
    """
    if profession == GP:
        return _unit(str(unit_rule["unit"]), demand, profession, female)
    kind = str(supply.get("kind", ""))
    what = "ETP" if kind == "ETP" else "effectif" if kind.startswith("effectif") else "ETP ou effectif"
    if female or demand.get("group") == "femmes" or "femme" in str(demand.get("kind", "")):
        return f"{what}/100 000 femmes"
    note = " (population féminine non fournie)" if profession == "sage_femme" else ""
    return f"{what}/100 000 habitants{note}"


def _headcount_activity(prof: dict[str, Any], used: dict[str, dict[str, Any]]) -> float:
    """Consultations counted per GP when only headcounts are known (approximation, rules file)."""
    rule = prof.get("headcount_activity") or prof["imputed_activity"]
    used["headcount_activity" if "headcount_activity" in prof else "imputed_activity"] = rule
    return float(rule["value"])


def _unit(unit: str, demand: dict[str, Any], profession: str, female: bool) -> str:
    """The unit of what was computed: standardised or raw inhabitants, women or everyone."""
    if profession == "sage_femme" and not female:
        unit = unit.replace("femmes", "habitants (population féminine non fournie)")
    if not str(demand.get("kind", "")).startswith("population standardisée"):
        unit = unit.replace("habitants standardisés", "habitants").replace("habitant standardisé", "habitant")
    return unit
