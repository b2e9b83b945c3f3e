"""Benchmark of the planning tools: national lazy-greedy (K = 5,000) and a département MILP.

Builds commune→commune road times up to 30 minutes for every French commune
from the real communes file (../shared/data/real/communes_cog2024.csv) with the
default RoadTimeModel, then times the lazy greedy nationally and the exact MILP
on the largest départements. Writes ``bench/results/planning.json``.

Run: ``.venv/bin/python bench/planning.py``.
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

from accesoins.planning import coverage_problem, lazy_greedy, solve_mclp
from accesoins.travel import RoadTimeModel

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
RESULTS = Path(__file__).resolve().parent / "results" / "planning.json"
TARGETS = {"national_greedy_seconds": 60.0, "departement_milp_seconds": 60.0}


def load() -> pd.DataFrame:
    frame = pd.read_csv(DATA / "communes_cog2024.csv", dtype=str)
    frame = frame[(frame["commune_type"] == "COM") & frame["lat"].notna()].drop_duplicates("insee_com")
    pop = pd.to_numeric(frame["population_2021"]).fillna(0)
    area = pd.to_numeric(frame["superficie_km2"]).clip(lower=0.01)
    return pd.DataFrame({"lat": pd.to_numeric(frame["lat"]).to_numpy(), "lon": pd.to_numeric(frame["lng"]).to_numpy(),
                         "density": (pop / area).to_numpy(), "population": pop.to_numpy(),
                         "dep": frame["insee_dep"].to_numpy()}, index=frame["insee_com"].to_numpy())


def main() -> None:
    pts = load()
    model = RoadTimeModel()
    out: dict[str, object] = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                              "targets": TARGETS, "communes": len(pts)}
    runs = []
    for minutes in (30.0, 15.0, 10.0):
        t0 = time.perf_counter()
        cost = model.travel_times(pts, max_minutes=minutes)
        t1 = time.perf_counter()
        prob = coverage_problem(pts["population"], cost, pts.index, minutes)
        t2 = time.perf_counter()
        g = lazy_greedy(prob, 5000)
        t3 = time.perf_counter()
        runs.append({"max_minutes": minutes, "k": 5000, "pairs": len(cost), "nnz": int(prob.A.nnz),
                     "travel_seconds": round(t1 - t0, 3), "matrix_seconds": round(t2 - t1, 3),
                     "greedy_seconds": round(t3 - t2, 3), "sites_used": len(g.order),
                     "coverage": float(g.curve[-1] / prob.population_total),
                     "coverage_at_1000": float(g.curve[min(1000, len(g.order))] / prob.population_total),
                     "evaluations": g.evaluations})
        print(runs[-1])
    out["national_greedy"] = runs
    deps = []
    for dep in pts["dep"].value_counts().index[:3]:
        sel = pts[pts["dep"] == dep]
        cost = model.travel_times(sel, max_minutes=15.0)
        prob = coverage_problem(sel["population"], cost, sel.index, 15.0)
        for k in (10, 25):
            g = lazy_greedy(prob, k)
            t0 = time.perf_counter()
            m = solve_mclp(prob, k, time_limit=60)
            sec = time.perf_counter() - t0
            deps.append({"departement": dep, "communes": len(sel), "max_minutes": 15.0, "k": k,
                         "milp_seconds": round(sec, 3), "optimal": m.optimal, "milp": m.objective,
                         "lp_bound": m.lp_bound, "greedy": float(g.curve[-1]),
                         "gap": float((m.objective - g.curve[-1]) / m.objective) if m.objective else 0.0})
            print(deps[-1])
    out["departement_milp"] = deps
    out["ok"] = bool(max(r["greedy_seconds"] + r["matrix_seconds"] for r in runs) < TARGETS["national_greedy_seconds"]
                     and max(d["milp_seconds"] for d in deps) < TARGETS["departement_milp_seconds"])
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2, default=float), encoding="utf-8")
    print(f"écrit : {RESULTS} ; objectifs tenus : {out['ok']}")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
