"""Planning glue: read the store, call :mod:`accesoins.planning`, return JSON-ready dicts.

Used by the planning pages (``/planification…``), their JSON twins and the
``accesoins planning …`` commands. Heavy inputs that do not change while a
store is open (the 30-minute commune matrix, the GP APL) are kept in a small
in-process cache keyed by the store file and its territory.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..access.apl import apl as apl_function
from ..access.nearest import nearest as nearest_model
from ..errors import NotBuiltError, ParameterError
from ..offer._csv import load_rules as load_category_rules
from ..offer._csv import load_rules_file
from ..planning import coverage_problem, lazy_greedy, solve_mclp
from ..planning import installation as rules_check
from ..planning.calendar import WEEKDAYS_FR, easter_sunday, month_days
from ..planning.rota import counted_activity, moved_activity, plan_rota
from ..planning.rules import cite
from ..planning.rules import value as rule_value
from ..planning.scenario import apply_to_population, apply_to_supply, compare, teleconsultation_mix, validate_scenario
from ..store.db import Store
from ..store.territory import stored_territory_key
from ..travel.road import RoadTimeModel
from . import inputs
from .territory import demo_notice
from .travel import road_times, travel_times

GP = "medecin_generaliste"
PROFESSIONS = ("medecin_generaliste", "infirmier", "masseur_kinesitherapeute", "sage_femme",
               "chirurgien_dentiste")
HOLIDAYS_PATH = Path(__file__).resolve().parents[1] / "rules" / "orientation" / "holidays.yaml"
MAP_MAX_COMMUNES = 5000  # a scenario map beyond this is too heavy for one request
_CACHE: dict[tuple, Any] = {}
_LOCK = threading.Lock()


def _cached(store: Store, name: str, fn):
    key = (str(store.path), stored_territory_key(store), name)
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
    value = fn()
    with _LOCK:
        if len(_CACHE) > 16:
            _CACHE.clear()
        _CACHE[key] = value
    return value


def _cost30(store: Store, max_minutes: float = 30.0) -> pd.DataFrame:
    return _cached(store, f"cost{max_minutes:g}", lambda: travel_times(store, max_minutes=max_minutes))


def _points(store: Store) -> pd.DataFrame:
    """The road model's commune points (with road zones), as the observatory uses them."""
    return _cached(store, "points", lambda: inputs.commune_points(store))


def _communes(store: Store) -> pd.DataFrame:
    def load():
        store.require_territory()
        frame = store.df(
            "SELECT c.code_commune, c.nom, c.code_departement, d.nom AS departement, c.code_region, "
            "r.nom AS region, coalesce(c.population, 0) AS population, c.lat, c.lon, "
            "coalesce(c.population, 0) / greatest(c.area_km2, 0.01) AS density "
            "FROM territory_units c JOIN departements d USING (code_departement) "
            "JOIN regions r ON r.code_region = c.code_region ORDER BY 1")
        return frame.set_index("code_commune")
    return _cached(store, "communes", load)


def _scope(store: Store, departement: str | None, region: str | None = None) -> pd.DataFrame:
    communes = _communes(store)
    if departement:
        sel = communes[communes["code_departement"] == departement.upper()]
        if sel.empty:
            raise ParameterError(f"département inconnu « {departement} » (ex. 15, 2A, 971).")
        return sel
    if region:
        sel = communes[communes["code_region"] == region]
        if sel.empty:
            raise ParameterError(f"région inconnue « {region} » (code INSEE, ex. 84).")
        return sel
    return communes


def category_label(code: str) -> str:
    """The French label of an offer category (``rules/categories.yaml``), e.g. « Médecin généraliste »."""
    cats = load_category_rules().get("categories", {})
    return str(cats.get(code, {}).get("label") or code.replace("_", " "))


def profession_choices() -> list[dict[str, str]]:
    """The professions with an APL, as labelled choices for the forms."""
    labels = load_rules_file("observatory.yaml").get("apl_professions", {})
    return [{"code": p, "label": labels.get(p, category_label(p))} for p in PROFESSIONS]


def category_choices(store: Store) -> list[dict[str, str]]:
    """The offer categories present in the store, labelled, sorted by label."""
    return sorted(({"code": c, "label": category_label(c)} for c in _categories(store)),
                  key=lambda c: c["label"])


def form_choices(store: Store) -> dict[str, Any]:
    """Labelled choices of the planning forms: professions, categories, départements."""
    return {"professions": profession_choices(), "categories": category_choices(store),
            "departements": store.records("SELECT code_departement AS code, nom FROM departements ORDER BY 1")}


def readable_rules(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rule citations with ``display``: the value in plain French (lists and mappings spelled out)."""
    known = load_category_rules().get("categories", {})

    def name(k: Any) -> str:
        return category_label(str(k)) if str(k) in known else str(k).replace("_", " ")

    def text(v: Any) -> str:
        if isinstance(v, Mapping):
            return " ; ".join(f"{name(k)} : {text(x)}" for k, x in v.items())
        if isinstance(v, list | tuple):
            return ", ".join(text(x) for x in v)
        if isinstance(v, str):
            return name(v)
        if isinstance(v, float):
            return f"{v:g}".replace(".", ",")
        return str(v)
    return [{**r, "display": text(r.get("value"))} for r in rules]


def _categories(store: Store) -> set[str]:
    return {r["category"] for r in store.records("SELECT DISTINCT category FROM offer")}


def _counts(store: Store, categories: list[str]) -> pd.Series:
    known = _categories(store)
    present = [c for c in categories if c in known]
    if not present:
        return pd.Series(dtype=float)
    return pd.concat([inputs.site_counts(store, c) for c in present]).groupby(level=0).sum()


def _apl65(store: Store) -> pd.Series:
    from .access import compute_apl

    return _cached(store, "apl65", lambda: compute_apl(store, GP, max_age=65).values.iloc[:, 0])


def _base(store: Store, title: str) -> dict[str, Any]:
    return {"title": title, "demo_notice": demo_notice(store)}


# -- France Santé ------------------------------------------------------------------------------

def france_sante_plan(store: Store, *, departement: str | None = None, k: int = 10,
                      max_minutes: float | None = None, candidates: str = "eligibles",
                      existing: bool = True, exact: bool = False,
                      time_limit: float = 30.0) -> dict[str, Any]:
    """Choose ``k`` new France Santé sites maximising the population within the threshold.

    Parameters
    ----------
    store : Store
        A built store.
    departement : str, optional
        Restrict demand and candidates to one département (None: all of France).
    k : int
        Budget of new labels or openings.
    max_minutes : float, optional
        Threshold (default: rule ``france_sante.max_minutes``, 30).
    candidates : {"eligibles", "toutes"}
        Communes with a group practice (≥ 1 GP and ≥ 1 nurse), or every commune.
    existing : bool
        Existing maisons/centres de santé and hôpitaux de proximité already cover their population.
    exact : bool
        Also solve the MILP (département only) and report the greedy's gap.
    time_limit : float
        Seconds allowed to the MILP.
    """
    if not 0 <= k <= 10_000:
        raise ParameterError("k : un nombre de sites entre 0 et 10 000.")
    if candidates not in ("eligibles", "toutes"):
        raise ParameterError("candidats : « eligibles » ou « toutes ».")
    cap = float(max_minutes if max_minutes is not None else rule_value("france_sante.max_minutes"))
    if not 0 < cap <= 30:
        raise ParameterError("le seuil de temps doit être compris entre 0 et 30 minutes "
                             "(matrice communale de 30 minutes).")
    if exact and not departement:
        raise ParameterError("la résolution exacte (MILP) se fait à l'échelle d'un département.")
    scope = _scope(store, departement)
    cost = _cost30(store)
    existing_cats = list(rule_value("france_sante.existing_categories"))
    exist = _counts(store, existing_cats) if existing else pd.Series(dtype=float)
    exist_codes = exist.index[exist > 0]
    if candidates == "toutes":
        cand = scope.index
    else:
        need = rule_value("france_sante.group_practice")
        ok = pd.Series(True, index=scope.index)
        for cat, minimum in need.items():
            counts = _counts(store, [cat]).reindex(scope.index).fillna(0)
            ok &= counts >= minimum
        cand = scope.index[ok.to_numpy()]
    cand = cand.difference(exist_codes)
    problem = coverage_problem(scope["population"].astype(float), cost, cand, cap, existing=exist_codes)
    greedy = lazy_greedy(problem, int(k))
    total = problem.population_total
    greedy_value = float(greedy.curve[-1])
    exact_info = None
    shown, gains, exact_better = greedy.order, greedy.gains, False
    if exact:
        m = solve_mclp(problem, int(k), time_limit=time_limit)
        best = m.objective
        exact_info = {"objective": best, "bound": m.bound, "lp_bound": m.lp_bound,
                      "optimal": m.optimal, "seconds": round(m.seconds, 3), "status": m.status,
                      "greedy": greedy_value, "gap": (best - greedy_value) / best if best else 0.0,
                      "gap_to_bound": (m.bound - greedy_value) / m.bound if m.bound else 0.0,
                      "sites": [problem.candidates[j] for j in m.chosen],
                      "greedy_sites": [problem.candidates[j] for j in greedy.order],
                      "rows": m.rows, "columns": m.columns}
        if best > greedy_value:  # the exact solution is what the page lists, in a readable order
            shown, gains = _by_marginal_gain(problem, m.chosen)
            exact_better = True
    covered = problem.population_covered0 + np.cumsum(gains) if len(gains) else np.array([])
    sites = [{"rank": i + 1, "code_commune": code, "nom": scope.at[code, "nom"],
              "code_departement": scope.at[code, "code_departement"],
              "gain": float(gains[i]), "covered": float(covered[i]),
              "share": float(covered[i] / total) if total else None,
              "lat": float(scope.at[code, "lat"]), "lon": float(scope.at[code, "lon"])}
             for i, code in enumerate(problem.candidates[shown])]
    curve = [{"k": i, "covered": float(v), "share": float(v / total) if total else None}
             for i, v in enumerate(np.concatenate([[problem.population_covered0], covered]))]
    data = _base(store, "Réseau France Santé : où labelliser ou ouvrir des sites")
    solution = "exacte" if exact_better else "gloutonne"
    data.update({
        "params": {"departement": departement, "k": int(k), "max_minutes": cap, "candidates": candidates,
                   "existing": existing, "exact": exact},
        "territory": scope["departement"].iloc[0] if departement else "France entière",
        "population_total": total, "existing_sites": int(len(exist_codes.intersection(cost["dest"].cat.categories))),
        "existing_covered": problem.population_covered0, "candidate_count": int(len(cand)),
        "solution": solution, "sites": sites, "curve": curve, "greedy_evaluations": greedy.evaluations,
        "greedy_curve": [{"k": i, "covered": float(v), "share": float(v / total) if total else None}
                         for i, v in enumerate(greedy.curve)],
        "stopped_early": len(sites) < k,
        "rules": readable_rules([cite("france_sante.max_minutes"), cite("france_sante.target_sites"),
                                 cite("france_sante.existing_categories"), cite("france_sante.group_practice")]),
        "method": ("Solution exacte du problème de localisation à couverture maximale (Church et "
                   "ReVelle, 1974 ; MILP résolu par HiGHS), comparée au glouton paresseux (CELF)."
                   if solution == "exacte" else
                   "Glouton paresseux (CELF) sur matrice de couverture creuse ; problème de "
                   "localisation à couverture maximale (Church et ReVelle, 1974)."
                   + (" Le MILP exact ne fait pas mieux." if exact_info else "")),
        "geojson_url": "/planification/france-sante.geojson",
    })
    if exact_info:
        data["exact"] = exact_info
    return data


def _by_marginal_gain(problem: Any, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sites of a solution ordered by marginal gain (largest first), and those gains."""
    left = [int(j) for j in chosen]
    order: list[int] = []
    gains: list[float] = []
    covered = problem.population_covered([])
    while left:
        values = [problem.population_covered(order + [j]) for j in left]
        best = int(np.argmax(values))
        gains.append(values[best] - covered)
        covered = values[best]
        order.append(left.pop(best))
    return np.asarray(order, dtype=np.int64), np.asarray(gains, dtype=np.float64)


def france_sante_geojson(store: Store, **kw: Any) -> dict[str, Any]:
    """Chosen sites as a GeoJSON FeatureCollection (points, WGS84)."""
    plan = france_sante_plan(store, **kw)
    feats = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [s["lon"], s["lat"]]},
              "properties": {k: v for k, v in s.items() if k not in ("lat", "lon")}}
             for s in plan["sites"]]
    return {"type": "FeatureCollection", "features": feats,
            "properties": {"params": plan["params"], "demo": bool(plan["demo_notice"])}}


# -- Médecins solidaires ---------------------------------------------------------------------

def holidays(year: int, departement: str) -> set[dt.date]:
    """Public holidays of ``year`` from the orientation rules file (national, Alsace-Moselle)."""
    with HOLIDAYS_PATH.open(encoding="utf-8") as fh:
        rules = yaml.safe_load(fh)["rules"]
    easter = easter_sunday(year)
    out = {dt.date(year, int(md[:2]), int(md[3:])) for md in rules["national_fixed"]["value"]}
    out |= {easter + dt.timedelta(days=int(d)) for d in rules["national_easter"]["value"]}
    am = rules.get("alsace_moselle", {})
    if departement in am.get("departements", []):
        out |= {easter + dt.timedelta(days=int(d)) for d in am["value"].get("easter", {})}
        out |= {dt.date(year, int(md[:2]), int(md[3:])) for md in am["value"].get("fixed", {})}
    return out


def solidarity_rota(store: Store, *, departement: str, year: int, month: int,
                    max_minutes: float | None = None, volunteer_share: float = 0.1,
                    days_per_volunteer: int | None = None, days_per_commune: int = 8,
                    max_per_day: int = 1, seed: int = 2026,
                    model: RoadTimeModel | None = None) -> dict[str, Any]:
    """A month's rota of volunteer GPs for the under-served communes of a département.

    Under-served: GP APL (65 or under) below the national zoning threshold. Volunteers:
    a seeded share of the GPs aged 65 or under practising in a commune at or above the
    threshold within ``max_minutes`` of an under-served commune of the département.
    """
    model = model or RoadTimeModel()
    threshold = float(rule_value("zoning.gp_apl_threshold"))
    max_days = int(rule_value("solidarity.max_days_per_month"))
    days_per_volunteer = max_days if days_per_volunteer is None else int(days_per_volunteer)
    if not 0 <= days_per_volunteer <= max_days:
        raise ParameterError(f"jours par volontaire : entre 0 et {max_days} par mois "
                             "(règle solidarity.max_days_per_month).")
    cap = float(max_minutes if max_minutes is not None else rule_value("solidarity.default_max_minutes"))
    if not 0 < cap <= 120:
        raise ParameterError("durée maximale de trajet : entre 1 et 120 minutes.")
    if not 0 < volunteer_share <= 1:
        raise ParameterError("part de volontaires : entre 0 et 1.")
    if not 1 <= days_per_commune <= 31 or not 1 <= max_per_day <= 10:
        raise ParameterError("plafonds par commune : 1 à 31 jours par mois, 1 à 10 médecins par jour.")
    per_day = float(rule_value("solidarity.consultations_per_day"))
    scope = _scope(store, departement)
    communes = _communes(store)
    apl0 = _apl65(store)
    pop = scope["population"].astype(float)
    under = scope.index[(apl0.reindex(scope.index) < threshold).to_numpy() & (pop > 0).to_numpy()]
    deficit = ((threshold - apl0.reindex(under)) * pop.reindex(under) / 12.0).rename("deficit")
    supply, supply_desc = inputs.supply(store, GP)
    supply = supply.reset_index(drop=True)
    dates = month_days(int(year), int(month), holidays=holidays(int(year), departement.upper()))
    # volunteers: GPs ≤ 65 in well-served communes within reach of an under-served commune
    ok_origin = apl0[apl0 >= threshold].index
    gp_communes = pd.Index(supply["site"].astype(str).unique()).intersection(ok_origin)
    reach = pd.DataFrame(columns=["origin", "dest", "minutes"])
    if len(under) and len(gp_communes):
        reach = road_times(_points(store), gp_communes, pd.Index(under), model=model, max_minutes=cap)
        reach = reach.assign(origin=reach["origin"].astype(str), dest=reach["dest"].astype(str))
    near = set(reach["origin"]) if len(reach) else set()
    age = (pd.to_numeric(supply["age"], errors="coerce") if "age" in supply
           else pd.Series(np.nan, index=supply.index))
    pool = supply[supply["site"].astype(str).isin(near) & ~(age > 65).to_numpy()]
    rng = np.random.default_rng(int(seed))
    pool = pool[rng.random(len(pool)) < volunteer_share]
    volunteers = pd.DataFrame({"origin": pool["site"].astype(str).to_numpy()},
                              index=pd.Index([f"V{i:05d}" for i in pool.index], name="volunteer"))
    rota = plan_rota(volunteers, deficit, reach, dates, per_day=per_day, max_minutes=cap,
                     days_per_volunteer=days_per_volunteer, days_per_commune=days_per_commune,
                     max_per_day=max_per_day)
    # APL once the rota is applied every month: days × consultations × 12 moved from origin to commune
    after = apl0
    if len(rota.assignments):
        after = _apl_with_rota(store, supply, pool, rota.assignments, per_day, apl0)
    a = rota.assignments
    rows = [{"volunteer": r.volunteer, "origin": r.origin, "origin_nom": communes.at[r.origin, "nom"],
             "commune": r.commune, "commune_nom": communes.at[r.commune, "nom"],
             "date": r.date.isoformat(), "weekday": WEEKDAYS_FR[r.weekday],
             "minutes": round(float(r.minutes), 1)} for r in a.itertuples(index=False)]
    helped = [{"commune": c, "nom": communes.at[c, "nom"], "population": float(pop[c]),
               "apl_before": float(apl0[c]), "apl_after": float(after[c]),
               "deficit": float(deficit[c]), "days": int(rota.days_by_commune.get(c, 0))}
              for c in deficit.sort_values(ascending=False).index]
    dpop = pop.sum()
    data = _base(store, "Médecins solidaires : planning du mois")
    data.update({
        "params": {"departement": departement, "year": int(year), "month": int(month), "max_minutes": cap,
                   "volunteer_share": volunteer_share, "days_per_volunteer": days_per_volunteer,
                   "days_per_commune": days_per_commune, "max_per_day": max_per_day, "seed": int(seed),
                   "consultations_per_day": per_day, "threshold": threshold},
        "territory": scope["departement"].iloc[0], "working_days": [d.isoformat() for d in dates],
        "volunteers": int(len(volunteers)), "assignments": rows, "communes": helped,
        "summary": {"underserved_communes": int(len(under)), "deficit": rota.deficit,
                    "consultations_covered": rota.consultations_covered,
                    "days": int(len(a)), "travel_minutes": rota.travel_minutes, "unplaced": rota.unplaced,
                    "underserved_after": int((after.reindex(under) < threshold).sum()),
                    "apl_mean_before": float((apl0.reindex(scope.index) * pop).sum() / dpop) if dpop else None,
                    "apl_mean_after": float((after.reindex(scope.index) * pop).sum() / dpop) if dpop else None},
        "supply": supply_desc,
        "rules": [cite("zoning.gp_apl_threshold"), cite("zoning.gp_apl_max_age"),
                  cite("solidarity.max_days_per_month"), cite("solidarity.default_max_minutes"),
                  cite("solidarity.consultations_per_day"), cite("solidarity.daily_allowance")],
    })
    return data


def _apl_with_rota(store: Store, supply: pd.DataFrame, pool: pd.DataFrame, assignments: pd.DataFrame,
                   per_day: float, before: pd.Series | None = None) -> pd.Series:
    """GP APL (≤ 65) with each volunteer's days moved, every month of the year, to the helped commune.

    What a volunteer moves is capped at the activity they count for at home, and the
    origin loses exactly what the communes helped gain (:func:`moved_activity`). The
    APL is linear in the supply, so the change is the APL of the gains minus the APL of
    the losses, both counted as is (no activity bounds re-applied to a part of a GP).
    """
    from ..access.rules import profession_rules

    prof = profession_rules(GP)
    population, _ = inputs.population(store, by_age=True)
    act = pool["activity"] if "activity" in pool else pd.Series(np.nan, index=pool.index)
    counted = counted_activity(act, bounds=prof["activity_bounds"]["value"],
                               imputed=float(prof["imputed_activity"]["value"]),
                               centre_sante=pool["centre_sante"] if "centre_sante" in pool else None)
    if "quantity" in pool and act.isna().all():  # aggregated headcounts: a row is several GPs
        counted = counted * pd.to_numeric(pool["quantity"], errors="coerce").fillna(1.0)
    counted.index = [f"V{i:05d}" for i in pool.index]
    moves = moved_activity(assignments, counted, per_day=per_day)
    before = _apl65(store) if before is None else before
    if moves.empty:
        return before

    def apl_of(site_col: str) -> pd.Series:
        frame = pd.DataFrame({"site": moves[site_col].to_numpy(), "activity": moves["consultations"].to_numpy(),
                              "centre_sante": True, "age": 0.0})
        return apl_function(population, frame, _cost30(store), profession=GP, max_age=65).values

    after = before + apl_of("commune").reindex(before.index).fillna(0.0) \
        - apl_of("origin").reindex(before.index).fillna(0.0)
    return after.clip(lower=0.0)  # float noise only: the APL of a site never goes below 0


# -- Scenarios ---------------------------------------------------------------------------------

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


# -- Installation rules ------------------------------------------------------------------------

def installation_check(store: Store, *, kind: str, commune: str, profession: str | None = None,
                       zone: str | None = None, departures: int = 0,
                       last_pharmacy_served: float | None = None, turnover: float | None = None,
                       fragile: bool | None = None, underserved: bool | None = None) -> dict[str, Any]:
    """Check one installation question for a commune, with the store's figures.

    ``kind``: ``un_pour_un``, ``officine``, ``aide_officine`` or ``zonage_medecin``.
    """
    communes = _communes(store)
    code = commune.strip().upper()
    if code not in communes.index:
        raise ParameterError(f"commune inconnue « {commune} » (code INSEE à 5 caractères).")
    c = communes.loc[code]
    data = _base(store, "Vérifier une installation")
    data["commune"] = {"code_commune": code, "nom": c["nom"], "departement": c["departement"],
                       "code_departement": c["code_departement"], "population": float(c["population"])}
    data["params"] = {"kind": kind, "commune": code, "profession": profession, "zone": zone,
                      "departures": departures}
    if kind == "un_pour_un":
        answer = rules_check.check_one_for_one(profession=profession or "", zone=zone or None,
                                               departures=departures)
    elif kind == "officine":
        existing = int(_counts(store, ["pharmacie"]).get(code, 0))
        answer = rules_check.check_pharmacy_opening(population=float(c["population"]), existing=existing,
                                                    departement=c["code_departement"],
                                                    last_pharmacy_served=last_pharmacy_served)
    elif kind == "aide_officine":
        existing = int(_counts(store, ["pharmacie"]).get(code, 0))
        answer = rules_check.check_pharmacy_aid(pharmacies_in_commune=existing, turnover_euros=turnover,
                                                fragile_territory=fragile, gp_underserved=underserved,
                                                gp_apl=float(_apl65(store).get(code, np.nan)))
    elif kind == "zonage_medecin":
        answer = rules_check.check_gp_zoning(gp_apl_65=float(_apl65(store).get(code, np.nan)), commune=code)
    else:
        raise ParameterError("type de vérification : un_pour_un, officine, aide_officine ou zonage_medecin.")
    data["answer"] = {**answer, "rules": readable_rules(list(answer.get("rules", [])))}
    return data


def index(store: Store) -> dict[str, Any]:
    """The planning home page: what each tool does and its main rules."""
    data = _base(store, "Planifier et réguler l'offre de soins")
    data["departements"] = store.records("SELECT code_departement AS code, nom FROM departements ORDER BY 1")
    data["professions"] = list(PROFESSIONS)
    data["categories"] = sorted(_categories(store))
    data["zones"] = list(rules_check.ZONES)
    data["rules"] = readable_rules([cite(r) for r in ("france_sante.max_minutes", "france_sante.target_sites",
                                                      "zoning.gp_apl_threshold", "solidarity.max_days_per_month")])
    return data


def require_built(store: Store) -> None:
    if not store.has_territory():
        raise NotBuiltError("Le territoire n'est pas encore construit : lancez `accesoins build`.")
