"""France Santé: where to open sites so the most people are within reach (MCLP, greedy or exact),
with each site's marginal gain and the result as GeoJSON."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ...errors import ParameterError
from ...planning import coverage_problem, lazy_greedy, solve_mclp
from ...planning.rules import cite
from ...planning.rules import value as rule_value
from ...store.db import Store
from ..observatory.structures import existing_site_counts
from .common import (
    _base,
    _cost30,
    _counts,
    _scope,
    readable_rules,
)


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
    exist = existing_site_counts(store, existing_cats) if existing else pd.Series(dtype=float)
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
