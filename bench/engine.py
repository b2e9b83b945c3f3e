"""Benchmark of the access engine on the national commune problem (issues #3 and #11).

Builds commune→commune road travel times up to 30 minutes for every French
commune, then runs our ``e2sfca`` and PySAL ``access`` E2SFCA with the APL GP
steps on exactly the same input, in one process, for three kinds of ids side by
side: categorical (what the travel providers return), plain integers (INSEE
codes as numbers, 2A/2B → 96/99) and strings (pandas' Arrow-backed ``str``).
Agreement with PySAL uses ``step_bounds="inclusive"`` (PySAL's ``t <= bound``);
the official APL uses exclusive bounds. Wall and CPU (process) times are both
reported: the machine may be shared, and CPU time is what load distorts least.
Writes ``bench/results/engine.json`` and prints a short table.

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
TARGETS = {"max_abs_diff": 1e-9, "speedup": 25.0, "speedup_each_id_type": 100.0,
           "national_apl_seconds": 5.0}
ID_KINDS = ("categorical", "integer", "string")


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


def timed_both(fn, repeats: int):
    """Median wall and median CPU (all threads of this process) seconds, and the last result."""
    wall, cpu, out = [], [], None
    for _ in range(repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu), wall, out


def as_integer(ids) -> np.ndarray:
    """INSEE codes as integers (Corsica 2A/2B → 96/99, départements that do not exist)."""
    text = pd.Series(np.asarray(ids, dtype=object)).astype(str)
    return text.str.replace("2A", "96", regex=False).str.replace("2B", "99", regex=False).astype(
        np.int64
    ).to_numpy()


def id_variant(kind: str, demand: pd.Series, supply: pd.Series, cost: pd.DataFrame):
    """The same problem with ``kind`` ids: (demand, supply, cost for us, cost for PySAL)."""
    if kind == "categorical":
        plain = pd.DataFrame(
            {
                "origin": cost["origin"].astype(str),
                "dest": cost["dest"].astype(str),
                "cost": cost["minutes"].to_numpy(),
            }
        )
        return demand, supply, cost, plain  # PySAL gets the string twin (its own merges)
    if kind == "integer":
        d = demand.set_axis(pd.Index(as_integer(demand.index)))
        s = supply.set_axis(pd.Index(as_integer(supply.index)))
        if not (d.index.is_unique and s.index.is_unique):
            raise SystemExit("integer INSEE codes are not unique")
        ours = pd.DataFrame(
            {
                "origin": as_integer(cost["origin"].astype(str)),
                "dest": as_integer(cost["dest"].astype(str)),
                "minutes": cost["minutes"].to_numpy(),
            }
        )
    else:
        d, s = demand, supply
        ours = pd.DataFrame(
            {
                "origin": cost["origin"].astype(str),
                "dest": cost["dest"].astype(str),
                "minutes": cost["minutes"].to_numpy(),
            }
        )
    return d, s, ours, ours.rename(columns={"minutes": "cost"})


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
    parser.add_argument("--repeats", type=int, default=7)
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

    by_ids = {}
    for kind in ID_KINDS:
        d, s, ours_cost, pysal_cost = id_variant(kind, demand, supply, cost)

        def run_ours(d=d, s=s, c=ours_cost):
            return e2sfca(d, s, c, STEPS, step_bounds="inclusive")

        o_wall, o_cpu, o_all, got = timed_both(run_ours, args.repeats)
        p_wall, p_cpu, p_all, ref = timed_both(
            lambda d=d, s=s, c=pysal_cost: pysal_e2sfca(d, s, c), args.pysal_repeats
        )
        ref = ref.reindex(d.index).fillna(0.0)
        diff = float(np.abs(got.to_numpy() - ref.to_numpy()).max())
        by_ids[kind] = {
            "ours_dtype": str(ours_cost["origin"].dtype),
            "pysal_dtype": str(pysal_cost["origin"].dtype),
            "ours_seconds_median": o_wall,
            "ours_seconds_all": o_all,
            "ours_cpu_seconds_median": o_cpu,
            "pysal_seconds_median": p_wall,
            "pysal_seconds_all": p_all,
            "pysal_cpu_seconds_median": p_cpu,
            "speedup_wall": p_wall / o_wall,
            "speedup_cpu": p_cpu / o_cpu,
            "max_abs_diff_inclusive_bounds": diff,
        }
        print(
            f"{kind:<12} ours {o_wall * 1e3:7.1f} ms (CPU {o_cpu * 1e3:7.1f})  "
            f"PySAL {p_wall:6.2f} s (CPU {p_cpu:6.2f})  "
            f"×{p_wall / o_wall:5.0f} wall  ×{p_cpu / o_cpu:5.0f} CPU  max|Δ| {diff:.1e}",
            flush=True,
        )
    rss_after_pysal = rss_mb()
    cat = by_ids["categorical"]
    pysal_s, pysal_all = cat["pysal_seconds_median"], cat["pysal_seconds_all"]
    max_diff = max(v["max_abs_diff_inclusive_bounds"] for v in by_ids.values())
    exclusive_vs_inclusive = float(
        np.abs(ours.to_numpy() - e2sfca(demand, supply, cost, STEPS, step_bounds="inclusive").to_numpy()).max()
    )
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
        "by_id_type": by_ids,
        "max_abs_diff_official_exclusive_vs_inclusive_bounds": exclusive_vs_inclusive,
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
            "speedup_each_id_type_wall": all(
                v["speedup_wall"] >= TARGETS["speedup_each_id_type"] for v in by_ids.values()
            ),
            "speedup_each_id_type_cpu": all(
                v["speedup_cpu"] >= TARGETS["speedup_each_id_type"] for v in by_ids.values()
            ),
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
        ("max |ours − PySAL| (inclusive bounds)", f"{max_diff:.2e}  (target ≤ 1e-9)"),
        *(
            (
                f"{kind} ids: speed-up wall / CPU",
                f"{v['speedup_wall']:.0f}× / {v['speedup_cpu']:.0f}×  (target ≥ 100×)",
            )
            for kind, v in by_ids.items()
        ),
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
