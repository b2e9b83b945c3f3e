"""Benchmark of the access engine on the national commune problem (issue #3).

Builds commune→commune road travel times up to 30 minutes for every French
commune, then runs our ``e2sfca`` and PySAL ``access`` E2SFCA with the APL GP
steps on exactly the same input, in one process. Writes
``bench/results/engine.json`` and prints a short table.

Run: ``.venv/bin/python bench/engine.py [--repeats 5] [--pysal-repeats 1]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from accesoins.access import apl, e2sfca
from accesoins.travel import RoadTimeModel

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
RESULTS = Path(__file__).resolve().parent / "results" / "engine.json"
STEPS = [(10, 1.0), (15, 2 / 3), (20, 1 / 3)]  # APL, médecins généralistes
CAP = 30.0
PYSAL_REFERENCE = {"seconds": 10.6, "peak_gb": 1.8, "pairs": 7_000_000}
TARGETS = {"max_abs_diff": 1e-9, "speedup": 25.0, "national_apl_seconds": 5.0}


def rss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss, KiB on Linux), in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, repeats: int):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, out


def load_problem() -> tuple[pd.DataFrame, pd.Series, dict]:
    communes = pd.read_csv(DATA / "communes_cog2024.csv", dtype=str)
    com = communes[communes["commune_type"] == "COM"]
    n_com_rows = len(com)
    com = com.assign(
        lat=pd.to_numeric(com["lat"]),
        lon=pd.to_numeric(com["lng"]),
        population=pd.to_numeric(com["population_2021"]),
        area=pd.to_numeric(com["superficie_km2"]),
    )
    no_point = int((com["lat"].isna() | com["lon"].isna()).sum())
    com = com[com["lat"].notna() & com["lon"].notna()]
    # The file repeats a commune once per postcode: keep one row per INSEE code.
    duplicates = int(com["insee_com"].duplicated().sum())
    com = com.drop_duplicates("insee_com").set_index("insee_com")
    points = pd.DataFrame(
        {
            "lat": com["lat"],
            "lon": com["lon"],
            "density": com["population"] / com["area"].where(com["area"] > 0),
            "population": com["population"].fillna(0.0).astype(float),
        }
    )
    bpe = pd.read_csv(DATA / "bpe_medecins_generalistes_par_commune.csv", dtype={"CODGEO": str})
    supply = bpe.groupby("CODGEO")["NB_D201"].sum().astype(float)  # one code appears twice
    unknown = ~supply.index.isin(points.index)
    info = {
        "communes_rows_COM": n_com_rows,
        "communes_without_point": no_point,
        "duplicate_commune_rows_dropped": duplicates,
        "bpe_rows": len(bpe),
        "bpe_codes": int(len(supply)),
        "bpe_codes_not_current_communes_dropped": int(unknown.sum()),
        "gps_dropped_with_those_codes": float(supply[unknown].sum()),
        "gps_kept": float(supply[~unknown].sum()),
    }
    return points, supply[~unknown], info


def pysal_e2sfca(demand: pd.Series, supply: pd.Series, cost_plain: pd.DataFrame) -> pd.Series:
    from access import Access, weights

    demand_df = pd.DataFrame({"pop": demand})
    demand_df.index.name = "geoid"
    supply_df = pd.DataFrame({"doc": supply})
    supply_df.index.name = "geoid"
    acc = Access(
        demand_df=demand_df,
        demand_index=True,
        demand_value="pop",
        supply_df=supply_df,
        supply_index=True,
        supply_value="doc",
        cost_df=cost_plain,
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )
    out = acc.enhanced_two_stage_fca(name="e2", weight_fn=weights.step_fn(dict(STEPS)))
    return out["e2_doc"]


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "cpu_model": model,
        "cpus_available": len(os.sched_getaffinity(0)),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scipy": __import__("scipy").__version__,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--pysal-repeats", type=int, default=1)
    args = parser.parse_args()

    points, supply, info = load_problem()
    demand = points["population"]
    model = RoadTimeModel()

    travel_s, _, cost = timed(lambda: model.travel_times(points, max_minutes=CAP), 3)
    ours_s, ours_all, ours = timed(lambda: e2sfca(demand, supply, cost, STEPS), args.repeats)
    tracemalloc.start()
    e2sfca(demand, supply, cost, STEPS)
    ours_traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    rss_before_pysal = rss_mb()

    def national_apl():
        pairs = model.travel_times(points, max_minutes=CAP)
        return apl(demand, supply, pairs)

    apl_s, _, apl_result = timed(national_apl, 3)

    # PySAL gets plain string ids and a `cost` column (conversion not timed).
    cost_plain = pd.DataFrame(
        {
            "origin": cost["origin"].astype(str).to_numpy(dtype=object),
            "dest": cost["dest"].astype(str).to_numpy(dtype=object),
            "cost": cost["minutes"].to_numpy(),
        }
    )
    pysal_s, pysal_all, ref = timed(
        lambda: pysal_e2sfca(demand, supply, cost_plain), args.pysal_repeats
    )
    rss_after_pysal = rss_mb()
    ref = ref.reindex(demand.index).fillna(0.0)
    max_diff = float(np.abs(ours.to_numpy() - ref.to_numpy()).max())
    values = apl_result.values
    mean_apl = float((values * demand).sum() / demand.sum())

    result = {
        "problem": {
            "origins": int(len(demand)),
            "destinations": int((supply > 0).sum()),
            "destination_ids_in_pairs": int(cost["dest"].nunique()),
            "pairs": int(len(cost)),
            "cap_minutes": CAP,
            "steps": [list(s) for s in STEPS],
            "travel_model": model.cache_key(),
            **info,
        },
        "travel_pairs_seconds_median_of_3": travel_s,
        "ours_e2sfca_seconds_median": ours_s,
        "ours_e2sfca_seconds_all": ours_all,
        "pysal_e2sfca_seconds_median": pysal_s,
        "pysal_e2sfca_seconds_all": pysal_all,
        "speedup_pysal_over_ours": pysal_s / ours_s,
        "max_abs_diff": max_diff,
        "national_apl_seconds_median_of_3": apl_s,
        "national_apl_population_weighted_mean": mean_apl,
        "national_apl_supply": apl_result.params["supply"]["kind"],
        "memory": {
            "ours_e2sfca_tracemalloc_peak_mib": ours_traced_peak,
            "process_peak_rss_mib_before_pysal": rss_before_pysal,
            "process_peak_rss_mib_after_pysal": rss_after_pysal,
            "how": "tracemalloc peak of one e2sfca call (numpy buffers included); "
            "process peak RSS from resource.getrusage(RUSAGE_SELF).ru_maxrss, "
            "which includes the input data and travel pairs",
        },
        "pysal_reference_from_issue": PYSAL_REFERENCE,
        "targets": TARGETS,
        "targets_met": {
            "max_abs_diff": max_diff <= TARGETS["max_abs_diff"],
            "speedup": pysal_s / ours_s >= TARGETS["speedup"],
            "national_apl_seconds": apl_s < TARGETS["national_apl_seconds"],
        },
        "machine": machine(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    p = result["problem"]
    rows = [
        ("origins / sites / pairs", f"{p['origins']:,} / {p['destinations']:,} / {p['pairs']:,}"),
        ("travel pairs ≤ 30 min (median of 3)", f"{travel_s:.2f} s"),
        (f"ours e2sfca (median of {args.repeats})", f"{ours_s:.3f} s"),
        (f"PySAL e2sfca (median of {args.pysal_repeats})", f"{pysal_s:.2f} s"),
        ("speed-up", f"{pysal_s / ours_s:.0f}×  (target ≥ {TARGETS['speedup']:.0f}×)"),
        ("max |ours − PySAL|", f"{max_diff:.2e}  (target ≤ 1e-9)"),
        ("national APL, travel + model", f"{apl_s:.2f} s  (target < 5 s)"),
        ("ours peak (tracemalloc)", f"{ours_traced_peak:.0f} MiB"),
        (
            "process peak RSS before / after PySAL",
            f"{rss_before_pysal:.0f} / {rss_after_pysal:.0f} MiB",
        ),
        ("mean APL (pop-weighted, headcount×5400)", f"{mean_apl:.2f} consultations/an/hab."),
    ]
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    for name, ok in result["targets_met"].items():
        print(f"target {name}: {'MET' if ok else 'NOT MET'}")
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
