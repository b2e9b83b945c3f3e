"""Observatory benchmark: the national build of every indicator, and commune portraits under load.

Builds a fresh national store (territory, demonstration offer, indicators) in a
temporary folder, times the observatory build on its own, then serves the app
with uvicorn on 127.0.0.1 and sends commune portraits from 50 concurrent
clients for a bounded time. Writes ``bench/results/observatory.json``.

Targets (issue « observatoire »): national build < 60 s on 2 cores; portraits
p95 < 50 ms with 50 concurrent clients, no error.
"""

from __future__ import annotations

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
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from _load import wrk_load  # noqa: E402

from accesoins.services.data.build import build_all  # noqa: E402
from accesoins.services.observatory.build import build_observatory  # noqa: E402
from accesoins.store import open_store  # noqa: E402

CLIENTS = 50
SECONDS = 15.0


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="accesoins-bench-"))
    db = tmp / "bench.duckdb"
    store = open_store(db)
    t0 = time.perf_counter()
    build_all(store, ROOT / "node_modules")
    full_build = time.perf_counter() - t0
    timings = []
    for _ in range(3):
        t = time.perf_counter()
        report = build_observatory(store)
        timings.append(time.perf_counter() - t)
    codes = [r[0] for r in store.con.execute("SELECT code_commune FROM communes").fetchall()]
    store.close()

    port = 8765 + random.randint(0, 500)
    workers = 1  # one server process: the participation store has one writer
    env = {**os.environ, "ACCESOINS_DB": str(db), "ACCESOINS_PARTICIPATION_DB": str(tmp / "p.duckdb")}
    server = subprocess.Popen([sys.executable, "-m", "accesoins.cli", "serve", "--port", str(port), "--workers",
                               str(workers)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/commune/15014.json", timeout=30).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.5)
        while not httpx.get(f"{base}/etat.json", timeout=30).json()["ready"]:  # indexes in memory
            time.sleep(0.5)
        rng = random.Random(2026)
        picks = rng.sample(codes, 5_000)  # varied communes, every one a different portrait
        json_load = wrk_load(base, [f"/commune/{c}.json" for c in picks], connections=CLIENTS, seconds=SECONDS)
        html_load = wrk_load(base, [f"/commune/{c}" for c in picks[::-1]], connections=CLIENTS, seconds=SECONDS)
    finally:
        server.terminate()
        server.wait(timeout=30)

    result = {
        "benchmark": "observatory",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "national_build_seconds": {"full_first_build": round(full_build, 2),
                                   "observatory_median": round(sorted(timings)[1], 2),
                                   "observatory_runs": [round(t, 2) for t in timings]},
        "indicators": report["indicators"], "communes": report["communes"],
        "server": {"workers": workers, "clients": CLIENTS, "seconds": SECONDS},
        "portrait_json": json_load, "portrait_html": html_load,
        "targets": {
            "observatory_build_under_60s": sorted(timings)[1] < 60,
            "portrait_json_p95_under_50ms": json_load["p95_ms"] < 50 and not json_load["errors"],
            "portrait_html_p95_under_50ms": html_load["p95_ms"] < 50 and not html_load["errors"],
        },
    }
    out = HERE / "results" / "observatory.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps({k: result[k] for k in ("national_build_seconds", "portrait_json", "portrait_html",
                                             "targets")}, indent=2))


if __name__ == "__main__":
    main()
