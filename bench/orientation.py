"""Load benchmark of the nearest-open-pharmacy query (``/orientation/pharmacies.json``).

Builds a temporary national store (territory + demonstration offer +
FICTITIOUS orientation set), serves the real app with uvicorn in a
subprocess on 127.0.0.1, warms it up (the in-memory index is built on the
first request), then runs ``bench/_load.wrk_load`` (wrk) with 100 concurrent clients for
a bounded time on varied communes, postcodes, coordinates and times. Writes
``bench/results/orientation.json``.

Run: ``.venv/bin/python bench/orientation.py [--seconds 20] [--clients 100]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from _load import wrk_load  # noqa: E402

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


def serve(db: str, port: int) -> None:
    import uvicorn

    from accesoins.api.app import create_app
    from accesoins.config import PROJECT_ROOT, Settings

    app = create_app(Settings(db_path=Path(db), node_modules=PROJECT_ROOT / "node_modules"), warm_up=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--serve", nargs=2, metavar=("DB", "PORT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return
    from accesoins.config import PROJECT_ROOT
    from accesoins.services.data.build import build_all
    from accesoins.store import open_store
    from livesite import free_port

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.duckdb")
        t0 = time.perf_counter()
        store = open_store(db)
        demo = build_all(store, PROJECT_ROOT / "node_modules")["orientation"]
        store.close()
        build_s = time.perf_counter() - t0
        port = free_port()
        proc = subprocess.Popen([sys.executable, __file__, "--serve", db, str(port)], env=dict(os.environ))
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    t1 = time.perf_counter()
                    httpx.get(base + "/orientation/pharmacies.json?commune=Aurillac", timeout=120).raise_for_status()
                    warm_s = time.perf_counter() - t1
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError("the bench server did not start") from None
                    time.sleep(0.3)
            while not httpx.get(base + "/etat.json", timeout=30).json()["ready"]:  # indexes in memory
                time.sleep(0.5)
            ps = paths()
            single = wrk_load(base, ps, connections=1, seconds=5)
            result = wrk_load(base, ps, connections=args.clients, seconds=args.seconds)
            # 100 people at once, each reading the answer for 0.2 s before asking again (≈ 500 req/s)
            paced = wrk_load(base, ps, connections=args.clients, seconds=args.seconds, think_ms=200)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    report = {
        "query": "/orientation/pharmacies.json (communes, postcodes, coordinates; now and given local times)",
        "data": {"pharmacies": demo["pharmacies"], "duty_slots": demo["slots"], "is_demo": True,
                 "store_build_seconds": round(build_s, 1), "first_request_seconds": round(warm_s, 2)},
        "server": "uvicorn, 1 process, loopback; wrk (C load generator) in another process on the same machine",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "single_client": single,
        "load": result,
        "paced_load": paced,
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
