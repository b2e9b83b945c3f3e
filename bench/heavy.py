"""Commune pages while anonymous heavy requests run: p95 alone and under heavy load, side by side.

Builds a temporary national store, serves the real app with uvicorn (one process) in a
subprocess on 127.0.0.1, then measures with wrk (closed loop) the commune pages:

1. alone;
2. while four anonymous clients keep asking for médecins-solidaires rotas, each with a new
   ``graine`` (about 14 s of CPU each, uncached): the server caches them by parameters,
   runs them in a low-priority worker process and answers 429 + Retry-After beyond its
   bounds (see ``accesoins.api.heavy``).

Target: the p95 under heavy load within 20 % of the p95 alone (mean of the runs before and after,
as the machine may be shared). Writes ``bench/results/heavy.json``.

Run: ``.venv/bin/python bench/heavy.py [--seconds 20] [--clients 20]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from _load import wrk_load  # noqa: E402

TARGET_RATIO = 1.2


def serve(db: str, port: int) -> None:
    import uvicorn

    from accesoins.api.app import create_app
    from accesoins.config import PROJECT_ROOT, Settings

    app = create_app(Settings(db_path=Path(db), node_modules=PROJECT_ROOT / "node_modules"), warm_up=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def heavy_clients(base: str, stop: threading.Event, counts: Counter, clients: int = 4) -> list[threading.Thread]:
    """Anonymous clients asking for a new rota (a new ``graine``) as soon as the last one answers."""

    def run(k: int) -> None:
        seed = 1000 * k
        with httpx.Client(base_url=base, timeout=300) as http:
            while not stop.is_set():
                seed += 1
                t0 = time.perf_counter()
                try:
                    r = http.get(f"/planification/medecins-solidaires.json?departement=15&graine={seed}")
                    counts[str(r.status_code)] += 1
                    counts["seconds"] += time.perf_counter() - t0
                    if r.status_code == 429:  # a polite client waits as told (capped for the bench)
                        stop.wait(min(float(r.headers.get("retry-after", "5")), 5.0))
                except httpx.HTTPError as e:
                    counts[type(e).__name__] += 1

    threads = [threading.Thread(target=run, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    return threads


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--db", help="an already built store (default: build one in a temporary folder)")
    ap.add_argument("--serve", nargs=2, metavar=("DB", "PORT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return
    from livesite import free_port

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            from accesoins.config import PROJECT_ROOT
            from accesoins.services.data.build import build_all
            from accesoins.store import open_store

            db = str(Path(tmp) / "bench.duckdb")
            store = open_store(db)
            build_all(store, PROJECT_ROOT / "node_modules")
            store.close()
        from accesoins.store import open_store

        s = open_store(db, read_only=True)
        codes = [r[0] for r in s.con.execute(
            "SELECT code_commune FROM communes ORDER BY hash(code_commune) LIMIT 400").fetchall()]
        s.close()
        port = free_port()
        env = dict(os.environ, ACCESOINS_PARTICIPATION_DB=str(Path(tmp) / "participation.duckdb"))
        proc = subprocess.Popen([sys.executable, __file__, "--serve", db, str(port)], env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 300
            while True:
                try:
                    if httpx.get(base + "/etat.json", timeout=30).json()["ready"]:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the bench server did not start")
                time.sleep(0.5)
            pages = [f"/commune/{c}" for c in codes]
            for p in pages:  # every page once: the comparison is of served pages, not first renders
                httpx.get(base + p, timeout=60)
            alone = wrk_load(base, pages, connections=args.clients, seconds=args.seconds)
            counts: Counter = Counter()
            stop = threading.Event()
            threads = heavy_clients(base, stop, counts)
            time.sleep(3)  # the heavy requests are running
            loaded = wrk_load(base, pages, connections=args.clients, seconds=args.seconds)
            stop.set()
            for t in threads:
                t.join(timeout=1)
            time.sleep(2)
            alone_after = wrk_load(base, pages, connections=args.clients, seconds=args.seconds)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    # the machine is shared: the control is the mean of the p95 alone before and after the heavy phase
    baseline = (alone["p95_ms"] + alone_after["p95_ms"]) / 2
    ratio = loaded["p95_ms"] / baseline if baseline else float("nan")
    report = {
        "pages": "/commune/{code} (400 communes, each rendered once before measuring)",
        "heavy": "4 anonymous clients asking /planification/medecins-solidaires.json with a new graine each time",
        "server": "uvicorn, 1 process (+1 low-priority worker process for heavy computations), loopback; wrk",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average": os.getloadavg()},
        "commune_pages_alone": alone,
        "commune_pages_with_heavy_requests": loaded,
        "commune_pages_alone_after": alone_after,
        "heavy_answers": {k: (round(v, 1) if isinstance(v, float) else v) for k, v in counts.items()},
        "p95_ratio": round(ratio, 3),
        "p95_ratio_vs_before_only": round(loaded["p95_ms"] / alone["p95_ms"], 3) if alone["p95_ms"] else None,
        "target_ratio": TARGET_RATIO,
        "target_met": bool(ratio <= TARGET_RATIO and not loaded["errors"]),
    }
    out = HERE / "results" / "heavy.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: report[k] for k in ("p95_ratio", "target_met", "heavy_answers")}, indent=2))
    print(f"p95 commune pages: alone {alone['p95_ms']} ms, with heavy requests {loaded['p95_ms']} ms, "
          f"alone again {alone_after['p95_ms']} ms")


if __name__ == "__main__":
    main()
