"""Scenarios: named changes of the offer or the demand, and before/after comparisons.

A scenario is a plain dict (read from YAML or JSON, or from query parameters)::

    name: retraites-65            # [a-z0-9_-], 1 to 60 characters
    title: Départs à la retraite après 65 ans
    description: …
    gp_retirement_age: 65         # GPs older than this stop (rows without age are kept)
    installations:                # added offer
      - {commune: "15014", category: medecin_generaliste, count: 2}
    closures:                     # removed offer (count omitted = all of that category)
      - {commune: "15187", category: urgences}
    medical_assistants: {share: 0.3, gain: 0.195}   # GPs employing one; gain defaults to the rule
    teleconsultation_share: 0.1   # share of GP activity done remotely (≤ the rule's cap)
    population_factor: 1.0        # demand × factor
    seed: 2026                    # which GPs get an assistant (reproducible)

Unknown keys are refused with a French message naming them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from accesoins.errors import ParameterError
from accesoins.planning.rules import value as rule_value

TOP_KEYS = {"name", "title", "description", "gp_retirement_age", "installations", "closures",
            "medical_assistants", "teleconsultation_share", "population_factor", "seed"}
CHANGE_KEYS = {"commune", "category", "count"}
ASSISTANT_KEYS = {"share", "gain"}
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
GP = "medecin_generaliste"


def validate_scenario(raw: Mapping[str, Any], *, categories: set[str] | None = None,
                      communes: pd.Index | None = None) -> dict[str, Any]:
    """Check a scenario definition and return it normalised (defaults filled in).

    Parameters
    ----------
    raw : mapping
        The definition.
    categories : set of str, optional
        Offer categories known to the store (installations and closures must use them).
    communes : pandas.Index, optional
        Commune codes known to the store.

    Raises
    ------
    accesoins.errors.ParameterError
        Unknown key, wrong type or out-of-range value (the message names the field).
    """
    if not isinstance(raw, Mapping):
        raise ParameterError("un scénario est un dictionnaire (clé : valeur).")
    unknown = sorted(set(raw) - TOP_KEYS)
    if unknown:
        raise ParameterError(f"clé(s) inconnue(s) dans le scénario : {', '.join(unknown)} "
                             f"(clés admises : {', '.join(sorted(TOP_KEYS))}).")
    name = str(raw.get("name", "")).strip()
    if not NAME.match(name):
        raise ParameterError("« name » : 1 à 60 caractères parmi a-z, 0-9, « - » et « _ », "
                             "commençant par une lettre ou un chiffre.")
    out: dict[str, Any] = {"name": name, "title": str(raw.get("title") or name)[:200],
                           "description": str(raw.get("description") or "")[:2000]}
    age = raw.get("gp_retirement_age")
    if age is not None:
        age = _number(age, "gp_retirement_age", integer=True)
        if not 40 <= age <= 90:
            raise ParameterError("« gp_retirement_age » : un âge entre 40 et 90 ans.")
    out["gp_retirement_age"] = age
    for key in ("installations", "closures"):
        out[key] = [_change(c, key, i, categories, communes, allow_all=key == "closures")
                    for i, c in enumerate(_list(raw.get(key), key))]
    assistants = raw.get("medical_assistants")
    if assistants is not None:
        if not isinstance(assistants, Mapping):
            raise ParameterError("« medical_assistants » : {share: …, gain: …}.")
        bad = sorted(set(assistants) - ASSISTANT_KEYS)
        if bad:
            raise ParameterError(f"clé(s) inconnue(s) dans « medical_assistants » : {', '.join(bad)}.")
        share = _number(assistants.get("share", 0), "medical_assistants.share")
        gain = _number(assistants.get("gain", rule_value("scenario.medical_assistant_gain")),
                       "medical_assistants.gain")
        if not 0 <= share <= 1 or not 0 <= gain <= 1:
            raise ParameterError("« medical_assistants » : share et gain entre 0 et 1.")
        assistants = {"share": share, "gain": gain}
    out["medical_assistants"] = assistants
    tele = _number(raw.get("teleconsultation_share", 0) or 0, "teleconsultation_share")
    cap = float(rule_value("scenario.teleconsultation_max_share"))
    if not 0 <= tele <= cap:
        raise ParameterError(f"« teleconsultation_share » : entre 0 et {cap:g} "
                             "(plafond d'activité à distance, règle scenario.teleconsultation_max_share).")
    out["teleconsultation_share"] = tele
    factor = _number(raw.get("population_factor", 1.0), "population_factor")
    if not 0.5 <= factor <= 2.0:
        raise ParameterError("« population_factor » : entre 0,5 et 2.")
    out["population_factor"] = factor
    out["seed"] = _number(raw.get("seed", 2026), "seed", integer=True)
    return out


def _list(value: Any, key: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ParameterError(f"« {key} » doit être une liste.")
    return value


def _number(v: Any, field: str, *, integer: bool = False) -> Any:
    if isinstance(v, bool):
        raise ParameterError(f"« {field} » doit être un nombre.")
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise ParameterError(f"« {field} » doit être un nombre (reçu {v!r}).") from None
    if not np.isfinite(x):
        raise ParameterError(f"« {field} » doit être un nombre fini.")
    if integer:
        if x != int(x):
            raise ParameterError(f"« {field} » doit être un entier.")
        return int(x)
    return x


def _change(c: Any, key: str, i: int, categories: set[str] | None, communes: pd.Index | None,
            *, allow_all: bool) -> dict[str, Any]:
    where = f"{key}[{i}]"
    if not isinstance(c, Mapping):
        raise ParameterError(f"« {where} » : {{commune: …, category: …, count: …}}.")
    bad = sorted(set(c) - CHANGE_KEYS)
    if bad:
        raise ParameterError(f"clé(s) inconnue(s) dans « {where} » : {', '.join(bad)}.")
    commune = str(c.get("commune", "")).strip()
    category = str(c.get("category", "")).strip()
    if not commune or not category:
        raise ParameterError(f"« {where} » : commune et category sont obligatoires.")
    if communes is not None and commune not in communes:
        raise ParameterError(f"« {where} » : commune inconnue « {commune} ».")
    if categories is not None and category not in categories:
        raise ParameterError(f"« {where} » : catégorie inconnue « {category} » "
                             f"(connues : {', '.join(sorted(categories))}).")
    count = c.get("count")
    if count is None and allow_all:
        return {"commune": commune, "category": category, "count": None}
    count = _number(1 if count is None else count, f"{where}.count", integer=True)
    if not 1 <= count <= 10_000:
        raise ParameterError(f"« {where}.count » : un entier entre 1 et 10 000.")
    return {"commune": commune, "category": category, "count": count}


def apply_to_supply(rows: pd.DataFrame, category: str, scenario: Mapping[str, Any], *,
                    territory: pd.Index | None = None, label: str | None = None,
                    names: Mapping[str, str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """The offer rows of ``category`` once the scenario is applied, and notes in French.

    ``rows`` has ``site`` and ``quantity`` and, for GPs, optionally ``age`` and ``activity``
    (one row per practitioner). Aggregated rows (quantity > 1) are decreased by closures.
    GPs installed by the scenario are per-practitioner rows flagged ``installed`` (no age:
    a new installation is active, whatever an age cut says).

    ``territory`` (commune codes): the notes count what changes there (the change itself
    applies everywhere, so that border effects stay right). ``label`` and ``names``: the
    category's and the communes' names used in the notes.
    """
    out = rows.copy()
    notes: list[str] = []
    gp = category == GP
    what = label or f"« {category} »"
    def place(code: str) -> str:
        return f"{names[code]} ({code})" if names is not None and code in names else code
    if gp and scenario.get("gp_retirement_age") is not None:
        limit = scenario["gp_retirement_age"]
        if "age" in out.columns:
            age = pd.to_numeric(out["age"], errors="coerce")
            gone = age > limit
            if territory is not None:
                inside = out["site"].astype(str).isin(territory).to_numpy()
                notes.append(f"{int((gone & inside).sum())} médecin(s) de plus de {limit} ans retiré(s) "
                             f"dans le territoire affiché ({int(gone.sum())} en France)"
                             + (f" ; {int((age.isna() & inside).sum())} sans âge connu conservé(s)"
                                if (age.isna() & inside).any() else ""))
            else:
                notes.append(f"{int(gone.sum())} médecin(s) de plus de {limit} ans retiré(s)"
                             + (f" ; {int(age.isna().sum())} sans âge connu conservé(s)"
                                if age.isna().any() else ""))
            out = out[~gone.to_numpy()]
        else:
            notes.append("âge des médecins inconnu dans la source : départs à la retraite non appliqués")
    for ch in scenario.get("closures", []):
        if ch["category"] != category:
            continue
        here = np.flatnonzero(out["site"].astype(str).to_numpy() == ch["commune"])
        if ch["count"] is None:
            out = out.drop(out.index[here])
            notes.append(f"fermeture de toute l'offre {what} à {place(ch['commune'])}")
            continue
        remaining = ch["count"]
        qty = out["quantity"].to_numpy(dtype=np.float64).copy()
        for pos in here[::-1]:
            take = min(qty[pos], remaining)
            qty[pos] -= take
            remaining -= take
            if remaining <= 0:
                break
        out = out.assign(quantity=qty)
        out = out[out["quantity"] > 0]
        notes.append(f"fermeture de {ch['count'] - max(remaining, 0):g} × {what} à {place(ch['commune'])}"
                     + (f" ({remaining:g} de plus que l'offre existante ignoré(s))" if remaining > 0 else ""))
    added = []
    for ch in scenario.get("installations", []):
        if ch["category"] != category:
            continue
        if gp and ("activity" in out.columns or "age" in out.columns):
            # one row per practitioner; activity unknown → imputed by the APL
            added.append(pd.DataFrame({"site": [ch["commune"]] * ch["count"], "quantity": 1.0,
                                       "installed": True}))
        else:
            added.append(pd.DataFrame({"site": [ch["commune"]], "quantity": float(ch["count"])}))
        notes.append(f"installation de {ch['count']} × {what} à {place(ch['commune'])}")
    if added:
        out = pd.concat([out.assign(installed=False) if "installed" not in out.columns else out, *added],
                        ignore_index=True)
        if "installed" in out.columns:
            out["installed"] = out["installed"].fillna(False).astype(bool)
    assistants = scenario.get("medical_assistants")
    if gp and assistants and assistants["share"] > 0:
        if "activity" in out.columns:
            rng = np.random.default_rng(scenario.get("seed", 2026))
            pick = rng.random(len(out)) < assistants["share"]
            act = pd.to_numeric(out["activity"], errors="coerce").to_numpy(dtype=np.float64)
            act = np.where(pick & ~np.isnan(act), act * (1 + assistants["gain"]), act)
            out = out.assign(activity=act)
            count = pick if territory is None else pick & out["site"].astype(str).isin(territory).to_numpy()
            notes.append(f"{int(count.sum())} médecin(s) avec un assistant médical"
                         + (" dans le territoire affiché" if territory is not None else "")
                         + f" : activité multipliée par {1 + assistants['gain']:.3f}".replace(".", ","))
        else:
            out = out.assign(quantity=out["quantity"] * (1 + assistants["share"] * assistants["gain"]))
            notes.append("activité par médecin inconnue : gain des assistants appliqué en moyenne")
    return out.reset_index(drop=True), notes


def apply_to_population(population: pd.Series, scenario: Mapping[str, Any]) -> pd.Series:
    """Demand once the scenario is applied (population × ``population_factor``)."""
    return population * float(scenario.get("population_factor", 1.0))


def teleconsultation_mix(apl_local: pd.Series, population: pd.Series, share: float) -> pd.Series:
    """APL when ``share`` of the activity is delivered remotely, without distance.

    The remote part is spread over the whole demand: every commune receives
    ``share × (population-weighted mean APL)``; the local part is the APL of the
    remaining ``1 − share`` of the activity (the APL is linear in supply).
    """
    if not 0 <= share < 1:
        raise ParameterError("la part de téléconsultation doit être dans [0, 1).")
    pop = population.reindex(apl_local.index).fillna(0.0)
    mean = float((apl_local.fillna(0) * pop).sum() / pop.sum()) if pop.sum() else 0.0
    return (1 - share) * apl_local + share * mean


def compare(before: pd.Series, after: pd.Series, groups: pd.DataFrame, population: pd.Series
            ) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Differences by commune and population-weighted means by territory.

    Parameters
    ----------
    before, after : pandas.Series
        Indicator by commune code.
    groups : pandas.DataFrame
        Indexed by commune code, one column per territory level (e.g. ``code_departement``).
    population : pandas.Series
        Weights by commune code.

    Returns
    -------
    (pandas.DataFrame, dict)
        Per commune ``before``, ``after``, ``difference``; per level a frame of
        ``before``, ``after``, ``difference`` and ``population`` by territory code.
    """
    idx = before.index.union(after.index)
    frame = pd.DataFrame({"before": before.reindex(idx), "after": after.reindex(idx)})
    frame["difference"] = frame["after"] - frame["before"]
    pop = population.reindex(idx).fillna(0.0)
    by: dict[str, pd.DataFrame] = {}
    for level in groups.columns:
        g = groups[level].reindex(idx)
        ok = frame["before"].notna() & frame["after"].notna()
        w = pop.where(ok, 0.0)
        agg = pd.DataFrame({
            "wb": (frame["before"].fillna(0) * w).groupby(g).sum(),
            "wa": (frame["after"].fillna(0) * w).groupby(g).sum(),
            "population": w.groupby(g).sum(),
        })
        out = pd.DataFrame({"before": agg["wb"] / agg["population"], "after": agg["wa"] / agg["population"],
                            "population": agg["population"]})
        out["difference"] = out["after"] - out["before"]
        by[level] = out
    return frame, by
