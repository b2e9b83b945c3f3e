"""What-if scenarios: read from the page's query, run against the store (APL, nearest care, coverage),
mapped, and saved / listed / read back / deleted in ``planning_scenarios``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ...access.apl import apl as apl_function
from ...access.nearest import nearest as nearest_model
from ...errors import ParameterError
from ...planning import coverage_problem
from ...planning.rules import cite
from ...planning.rules import value as rule_value
from ...planning.scenario import apply_to_population, apply_to_supply, compare, teleconsultation_mix, validate_scenario
from ...store.db import Store
from ...travel.road import RoadTimeModel
from ..access.travel import road_times
from ..data import inputs
from .common import (
    GP,
    MAP_MAX_COMMUNES,
    PROFESSIONS,
    _apl65,
    _base,
    _categories,
    _communes,
    _cost30,
    _points,
    _scope,
    category_label,
    profession_choices,
    readable_rules,
)


def scenario_from_query(*, name: str = "sans-nom", retirement_age: int | None = None,
                        installations: str = "", closures: str = "", assistants: float = 0.0,
                        teleconsultation: float = 0.0, population_factor: float = 1.0) -> dict[str, Any]:
    """A scenario definition from the page's query parameters.

    ``installations`` and ``closures``: ``commune:category:count`` items separated by commas
    (count optional for closures).
    """
    def parse(text: str, key: str) -> list[dict[str, Any]]:
        out = []
        for item in filter(None, (t.strip() for t in text.split(","))):
            parts = item.split(":")
            if len(parts) not in (2, 3):
                raise ParameterError(f"« {key} » : éléments « commune:catégorie:nombre » séparés par des virgules.")
            entry: dict[str, Any] = {"commune": parts[0], "category": parts[1]}
            if len(parts) == 3 and parts[2]:
                entry["count"] = parts[2]
            out.append(entry)
        return out
    cap = float(rule_value("scenario.teleconsultation_max_share"))
    if not 0 <= teleconsultation <= cap:
        raise ParameterError(f"téléconsultation : entre 0 et {cap * 100:g} % de l'activité d'un médecin "
                             "(plafond de la convention médicale).")
    if not 0 <= assistants <= 1:
        raise ParameterError("assistants médicaux : une part entre 0 et 100 % des généralistes.")
    raw: dict[str, Any] = {"name": name, "installations": parse(installations, "installations"),
                           "closures": parse(closures, "fermetures"),
                           "teleconsultation_share": teleconsultation, "population_factor": population_factor}
    if retirement_age is not None:
        raw["gp_retirement_age"] = retirement_age
    if assistants:
        raw["medical_assistants"] = {"share": assistants}
    return raw


def scenario_form(scen: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, str]:
    """The scenario page's form values for a stored scenario (percentages as people type them)."""
    def items(changes: list[dict[str, Any]]) -> str:
        return ",".join(f"{c['commune']}:{c['category']}" + (f":{c['count']}" if c.get("count") else "")
                        for c in changes)
    assistants = scen.get("medical_assistants") or {"share": 0}
    return {"nom": scen["name"], "retraite": str(scen.get("gp_retirement_age") or ""),
            "assistants": f"{assistants['share'] * 100:g}",
            "teleconsultation": f"{scen.get('teleconsultation_share', 0) * 100:g}",
            "installations": items(scen.get("installations", [])), "fermetures": items(scen.get("closures", [])),
            "indicateur": params["indicator"], "profession": params["profession"],
            "categorie": params["category"], "departement": params.get("departement") or ""}


def run_scenario(store: Store, definition: Mapping[str, Any], *, indicator: str = "apl",
                 profession: str = GP, category: str = "urgences", departement: str | None = None,
                 region: str | None = None, level: str = "departement",
                 limit: int = 200) -> dict[str, Any]:
    """Compute an indicator before and after a scenario; differences by commune and territory.

    Parameters
    ----------
    indicator : {"apl", "nearest", "coverage"}
        APL of ``profession``; minutes to the nearest ``category`` site; population within
        30 minutes of a ``category`` site (share covered, 0 or 1 per commune).
    departement, region : str, optional
        Territory shown (APL and coverage are always computed on the whole country, so
        that border effects are right).
    level : {"departement", "region"}
        Territory level of the aggregated table.
    limit : int
        Communes listed (largest absolute differences first); the JSON carries them all up to it.
    """
    if indicator not in ("apl", "nearest", "coverage"):
        raise ParameterError("indicateur : apl, nearest (plus proche) ou coverage (couverture).")
    if level not in ("departement", "region"):
        raise ParameterError("niveau : departement ou region.")
    communes = _communes(store)
    scen = validate_scenario(definition, categories=_categories(store), communes=communes.index)
    scope = _scope(store, departement, region)
    shown = scope.index if departement or region else None  # notes count the territory shown
    notes: list[str] = []
    population = communes["population"].astype(float)
    pop_after = apply_to_population(population, scen)
    if indicator == "apl":
        if profession not in PROFESSIONS:
            raise ParameterError(f"profession inconnue « {profession} » ({', '.join(PROFESSIONS)}).")
        before, after, notes = _scenario_apl(store, scen, profession, population, pop_after,
                                             territory=shown, label=category_label(profession),
                                             names=communes["nom"])
        unit = "consultations/an/hab." if profession == GP else "ETP ou effectif pour 100 000 hab."
        label = "APL : " + next(p["label"] for p in profession_choices() if p["code"] == profession)
    else:
        if category not in _categories(store):
            raise ParameterError(f"catégorie inconnue « {category} » ({', '.join(sorted(_categories(store)))}).")
        rows = store.df("SELECT code_commune AS site, quantity FROM offer WHERE category = ?", [category])
        rows_after, notes = apply_to_supply(rows, category, scen, territory=shown,
                                            label=category_label(category), names=communes["nom"])
        s0 = pd.Index(rows["site"].astype(str).unique())
        s1 = pd.Index(rows_after.loc[rows_after["quantity"] > 0, "site"].astype(str).unique())
        if indicator == "coverage":
            cap = float(rule_value("france_sante.max_minutes"))
            cost = _cost30(store)
            prob0 = coverage_problem(population, cost, s0, cap)
            prob1 = coverage_problem(population, cost, s1, cap)
            before = pd.Series(prob0.covered_by(np.arange(len(prob0.candidates))).astype(float), index=population.index)
            after = pd.Series(prob1.covered_by(np.arange(len(prob1.candidates))).astype(float), index=population.index)
            unit, label = "part couverte (0 à 1)", f"population à moins de {cap:g} min : {category_label(category)}"
        else:
            model = RoadTimeModel()
            pts = scope[["lat", "lon", "density"]]
            sites = s0.union(s1)
            cost = road_times(_points(store), pts.index, sites, model=model, max_minutes=180)
            before = nearest_model(cost, s0, origins=pts.index)["nearest_minutes"]
            after = nearest_model(cost, s1, origins=pts.index)["nearest_minutes"]
            unit, label = "minutes", f"temps d'accès au site le plus proche : {category_label(category)}"
    before, after = before.reindex(scope.index), after.reindex(scope.index)
    groups = pd.DataFrame({"departement": scope["code_departement"], "region": scope["code_region"]})
    frame, by = compare(before, after, groups[[level]], pop_after.reindex(scope.index))
    frame = frame.join(scope[["nom", "code_departement", "population"]])
    changed = frame[frame["difference"].abs() > 1e-9]
    top = changed.reindex(changed["difference"].abs().sort_values(ascending=False).index).head(limit)
    names = (scope.groupby("code_departement")["departement"].first() if level == "departement"
             else scope.groupby("code_region")["region"].first())
    agg = by[level]
    data = _base(store, f"Scénario « {scen['title']} »")
    data.update({
        "scenario": scen, "indicator": indicator, "indicator_label": label, "unit": unit,
        "params": {"indicator": indicator, "profession": profession, "category": category,
                   "departement": departement, "region": region, "level": level},
        "territory": (scope["departement"].iloc[0] if departement else
                      scope["region"].iloc[0] if region else "France entière"),
        "notes": notes,
        "map_max_communes": MAP_MAX_COMMUNES,
        "summary": {"communes": int(len(frame)), "communes_changed": int(len(changed)),
                    "mean_before": _wmean(frame["before"], frame["population"]),
                    "mean_after": _wmean(frame["after"], pop_after.reindex(frame.index))},
        "territories": [{"code": code, "nom": names.get(code), "before": r.before, "after": r.after,
                         "difference": r.difference, "population": r.population}
                        for code, r in agg.iterrows()],
        "communes": [{"code_commune": code, "nom": r.nom, "code_departement": r.code_departement,
                      "before": r.before, "after": r.after, "difference": r.difference}
                     for code, r in top.iterrows()],
        "rules": readable_rules([cite("scenario.medical_assistant_gain"),
                                 cite("scenario.teleconsultation_max_share")]),
    })
    return data


def _wmean(values: pd.Series, weights: pd.Series) -> float | None:
    ok = values.notna()
    w = weights.reindex(values.index).fillna(0)[ok]
    return float((values[ok] * w).sum() / w.sum()) if w.sum() else None


def _scenario_apl(store: Store, scen: dict[str, Any], profession: str, population: pd.Series,
                  pop_after: pd.Series, **note_kw: Any) -> tuple[pd.Series, pd.Series, list[str]]:
    cost = _cost30(store)
    pop_age, _ = inputs.population(store, by_age=profession == GP)
    factor = scen["population_factor"]
    supply, _ = inputs.supply(store, profession)
    max_age = 65 if profession == GP else None
    if profession == GP:
        before = _apl65(store)
        after_rows, notes = apply_to_supply(supply, profession, scen, **note_kw)
        new = after_rows.pop("installed") if "installed" in after_rows.columns else None
        kept = after_rows if new is None else after_rows[~new.to_numpy()]
        after = apl_function(pop_age * factor, kept, cost, profession=profession, max_age=max_age).values
        if new is not None and new.any():
            # New GPs have no age: the 65-year cut must not drop them. The APL is linear in
            # supply, so their share is computed apart and added.
            extra = apl_function(pop_age * factor, after_rows[new.to_numpy()].drop(columns="age", errors="ignore"),
                                 cost, profession=profession).values
            after = after.add(extra.reindex(after.index), fill_value=0.0)
    else:
        by_site = supply.groupby("site")["quantity"].sum()
        before = apl_function(pop_age, by_site, cost, profession=profession).values
        after_rows, notes = apply_to_supply(supply[["site", "quantity"]], profession, scen, **note_kw)
        after = apl_function(pop_age * factor, after_rows.groupby("site")["quantity"].sum(), cost,
                             profession=profession).values
    if scen["teleconsultation_share"] and profession == GP:
        after = teleconsultation_mix(after, pop_after, scen["teleconsultation_share"])
        share = f"{scen['teleconsultation_share'] * 100:.4g}".replace(".", ",")
        notes.append(f"{share} % de l'activité en téléconsultation, répartie sur toute la population (hypothèse)")
    return before, after, notes


def scenario_geojson(store: Store, definition: Mapping[str, Any], **kw: Any) -> dict[str, Any]:
    """Differences by commune as GeoJSON (contour polygons when stored, else points)."""
    kw["limit"] = 100_000
    result = run_scenario(store, definition, **kw)
    codes = [c["code_commune"] for c in result["communes"]]
    if len(codes) > MAP_MAX_COMMUNES:  # contours of the whole country: tens of seconds, hundreds of Mo
        raise ParameterError(f"la carte compterait {len(codes)} communes qui changent (au plus "
                             f"{MAP_MAX_COMMUNES}) : choisissez un département ou une région.")
    shapes: dict[str, Any] = {}
    if codes:
        for r in store.records("SELECT code, geojson FROM contours WHERE level = 'commune' AND "
                               "code IN (SELECT unnest(?))", [codes]):
            shapes[r["code"]] = json.loads(r["geojson"])
    communes = _communes(store)
    feats = []
    for c in result["communes"]:
        geom = shapes.get(c["code_commune"]) or {
            "type": "Point", "coordinates": [float(communes.at[c["code_commune"], "lon"]),
                                             float(communes.at[c["code_commune"], "lat"])]}
        if geom.get("type") == "Feature":
            geom = geom.get("geometry")
        feats.append({"type": "Feature", "geometry": geom, "properties": c})
    return {"type": "FeatureCollection", "features": feats,
            "properties": {"indicator": result["indicator_label"], "unit": result["unit"],
                           "scenario": result["scenario"]["name"]}}


def save_scenario(store: Store, definition: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and store (insert or replace) a scenario; needs a writable store."""
    scen = validate_scenario(definition, categories=_categories(store), communes=_communes(store).index)
    with store.transaction() as con:
        con.execute("DELETE FROM planning_scenarios WHERE name = ?", [scen["name"]])
        con.execute("INSERT INTO planning_scenarios (name, title, definition) VALUES (?, ?, ?)",
                    [scen["name"], scen["title"], json.dumps(scen, ensure_ascii=False)])
    return scen


def list_scenarios(store: Store) -> dict[str, Any]:
    data = _base(store, "Scénarios enregistrés")
    data["scenarios"] = _has_table(store) and store.records(
        "SELECT name, title, created_at::VARCHAR AS created_at, updated_at::VARCHAR AS updated_at "
        "FROM planning_scenarios ORDER BY name") or []
    return data


def get_scenario(store: Store, name: str) -> dict[str, Any]:
    rows = store.records("SELECT definition FROM planning_scenarios WHERE name = ?", [name]) \
        if _has_table(store) else []
    if not rows:
        raise ParameterError(f"scénario inconnu « {name} » (voir /planification/scenarios).")
    return json.loads(rows[0]["definition"])


def delete_scenario(store: Store, name: str) -> bool:
    with store.transaction() as con:
        n = con.execute("DELETE FROM planning_scenarios WHERE name = ? RETURNING name", [name]).fetchall()
    return bool(n)


def _has_table(store: Store) -> bool:
    return bool(store.scalar("SELECT count(*) FROM information_schema.tables "
                             "WHERE table_name = 'planning_scenarios'"))
