"""Load benchmark of the nearest-open-pharmacy query (``/orientation/pharmacies.json``).

Builds a temporary national store (territory + demonstration offer +
FICTITIOUS orientation set), starts ``accesoins serve --workers N`` on 127.0.0.1
(as ``make run`` does: N uvicorn workers and the participation writer), waits until
every worker has its indexes in memory, then runs ``bench/_load.wrk_load`` (wrk) with 100
closed-loop clients for a bounded time on varied communes, postcodes, coordinates and
times, with no think time and with 0.2 s of think time, then the same with queries at
40,000 distinct points (no kept answer can serve them); once with N workers and once with 1,
for comparison. Writes ``bench/results/orientation.json``.

In a closed loop with no think time, mean latency is clients ÷ throughput (Little's law):
100 clients under 20 ms need more than 5,000 answers per second, whatever the server.

Run: ``.venv/bin/python bench/orientation.py [--seconds 20] [--clients 100] [--workers 2] [--db built.duckdb]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from _load import wrk_load  # noqa: E402

from livesite import free_port  # noqa: E402

TARGET_P95_MS = 20.0
COMMUNES = ["Aurillac", "Paris", "Lyon", "Marseille", "Brest", "Metz", "Strasbourg", "Mende", "Ajaccio", "Lille",
            "Saint-Flour", "Gap", "Cayenne", "Fort-de-France", "Mamoudzou", "Le Tampon", "Rodez", "Guéret"]
POSTCODES = ["75011", "13001", "15000", "69003", "33000", "57000", "67000", "97400", "97300", "29200", "48000"]
POINTS = [(48.8566, 2.3522), (45.764, 4.8357), (44.9264, 2.4397), (48.3904, -4.4861), (43.6047, 1.4442),
          (47.2184, -1.5536), (49.1193, 6.1757), (44.5181, 3.5006), (-21.1151, 55.5364), (14.6161, -61.0588)]
TIMES = ["", "2026-12-25T03:00", "2026-12-24T22:15", "2026-07-14T11:00", "2026-03-29T08:30", "2026-10-25T01:00",
         "2026-04-03T10:00", "2026-12-26T15:00", "2026-06-10T12:00", "2026-11-23T09:30"]


def paths(seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(2_000):
        at = rng.choice(TIMES)
        kind = rng.random()
        if kind < 0.4:
            q = {"commune": rng.choice(COMMUNES)}
        elif kind < 0.8:
            q = {"cp": rng.choice(POSTCODES)}
        else:
            lat, lon = rng.choice(POINTS)
            q = {"lat": f"{lat + rng.uniform(-0.05, 0.05):.4f}", "lon": f"{lon + rng.uniform(-0.05, 0.05):.4f}"}
        if at:
            q["at"] = at
        out.append("/orientation/pharmacies.json?" + str(httpx.QueryParams(q)))
    return out


def distinct_points(n: int = 40_000, seed: int = 11) -> list[str]:
    """``n`` queries at distinct coordinates (4 decimals, within 5 km of the points): no answer repeats."""
    rng = random.Random(seed)
    out = set()
    while len(out) < n:
        lat, lon = rng.choice(POINTS)
        q = {"lat": f"{lat + rng.uniform(-0.05, 0.05):.4f}", "lon": f"{lon + rng.uniform(-0.05, 0.05):.4f}"}
        at = rng.choice(TIMES)
        if at:
            q["at"] = at
        out.add("/orientation/pharmacies.json?" + urlencode(q))
    return sorted(out, key=lambda _: rng.random())


def start_server(db: str, part: str, port: int, workers: int) -> subprocess.Popen:
    """``accesoins serve --workers N`` on a loopback port, as ``make run`` starts it."""
    env = {**os.environ, "ACCESOINS_DB": db, "ACCESOINS_PARTICIPATION_DB": part,
           "PYTHONPATH": str(HERE.parent / "src")}
    return subprocess.Popen([sys.executable, "-m", "accesoins.cli", "serve", "--workers", str(workers),
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL)


def wait_ready(base: str, proc: subprocess.Popen) -> float:
    """Seconds until the first answer; then until every worker has its indexes in memory."""
    deadline = time.monotonic() + 300
    t1 = time.perf_counter()
    while True:
        try:
            httpx.get(base + "/orientation/pharmacies.json?commune=Aurillac", timeout=120).raise_for_status()
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the bench server did not start") from None
            time.sleep(0.3)
    warm_s = time.perf_counter() - t1
    ready = 0
    while ready < 20:  # each request opens a connection, which any worker may accept
        ready = ready + 1 if httpx.get(base + "/etat.json", timeout=30).json()["ready"] else 0
        if time.monotonic() > deadline:
            raise RuntimeError("the bench server's workers did not load their indexes")
        time.sleep(0.05 if ready else 0.5)
    return warm_s


def measure(db: str, tmp: str, workers: int, clients: int, seconds: float) -> dict:
    port = free_port()
    proc = start_server(db, str(Path(tmp) / f"participation-{workers}.duckdb"), port, workers)
    base = f"http://127.0.0.1:{port}"
    try:
        warm_s = wait_ready(base, proc)
        ps = paths()
        single = wrk_load(base, ps, connections=1, seconds=5)
        load = wrk_load(base, ps, connections=clients, seconds=seconds)
        # 100 people at once, each reading the answer for 0.2 s before asking again (≈ 500 req/s)
        paced = wrk_load(base, ps, connections=clients, seconds=seconds, think_ms=200)
        # every query at a new point: nothing answered from the kept answers, each one computed
        uncached = wrk_load(base, distinct_points(), connections=clients, seconds=seconds)
        uncached_paced = wrk_load(base, distinct_points(seed=12), connections=clients, seconds=seconds, think_ms=200)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
    return {"workers": workers, "first_request_seconds": round(warm_s, 2), "single_client": single,
            "load": load, "paced_load": paced, "distinct_points_load": uncached,
            "distinct_points_paced_load": uncached_paced}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                    help="server processes (also measured: 1, for comparison)")
    ap.add_argument("--db", help="an already built store (default: build one in a temporary directory)")
    args = ap.parse_args()
    from accesoins.config import PROJECT_ROOT
    from accesoins.services.data.build import build_all
    from accesoins.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "bench.duckdb")
        t0 = time.perf_counter()
        if args.db:  # a store built before (e.g. by an earlier run): its demonstration set as stored
            store = open_store(db, read_only=True)
            demo = {"pharmacies": store.scalar("SELECT count(*) FROM orientation_pharmacies"),
                    "slots": store.scalar("SELECT count(*) FROM orientation_duty_slots")}
        else:
            store = open_store(db)
            demo = build_all(store, PROJECT_ROOT / "node_modules")["orientation"]
        store.close()
        build_s = time.perf_counter() - t0
        runs = [measure(db, tmp, w, args.clients, args.seconds) for w in sorted({1, args.workers})]
    main = runs[-1]
    result, paced = main["load"], main["paced_load"]
    little_ms = 1000 * args.clients / result["requests_per_second"]
    report = {
        "query": "/orientation/pharmacies.json (communes, postcodes, coordinates; now and given local times)",
        "distinct_queries": {"paths": len(paths()), "distinct": len(set(paths())),
                             "note": "answers are kept per process by query (and minute for « now »)"},
        "data": {"pharmacies": demo["pharmacies"], "duty_slots": demo["slots"], "is_demo": True,
                 "store_build_seconds": round(build_s, 1)},
        "server": f"accesoins serve --workers {args.workers} (uvicorn workers + the participation writer), "
                  "loopback; wrk (C load generator, 1 thread) on the same machine, sharing its cores",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_at_end": [round(x, 2) for x in os.getloadavg()]},
        "workers": args.workers,
        "first_request_seconds": main["first_request_seconds"],
        "single_client": main["single_client"],
        "load": result,
        "paced_load": paced,
        "distinct_points_load": main["distinct_points_load"],
        "distinct_points_paced_load": main["distinct_points_paced_load"],
        "by_workers": runs,
        # closed loop, zero think time: latency = clients / throughput (Little's law), whatever the server
        "little_law_mean_ms_at_zero_think": round(little_ms, 1),
        "throughput_needed_for_target_req_per_s": round(1000 * args.clients / TARGET_P95_MS),
        "target_p95_ms": TARGET_P95_MS,
        "p95_target_met": bool(result["p95_ms"] < TARGET_P95_MS and not result["errors"]),
        "p95_target_met_paced": bool(paced["p95_ms"] < TARGET_P95_MS and not paced["errors"]),
    }
    out = HERE / "results" / "orientation.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
