"""Bounded HTTP load on loopback: N concurrent clients for a fixed time or count.

Used by the bench scripts (never by tests). Only 127.0.0.1 is ever a target.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable

import httpx


async def _run(base_url: str, paths: Callable[[int], str], clients: int, seconds: float,
               max_requests: int, think: float = 0.0) -> dict[str, object]:
    if not base_url.startswith(("http://127.0.0.1", "http://localhost")):
        raise ValueError("load only goes to loopback")
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + seconds
    counter = iter(range(max_requests))

    async def client(k: int) -> None:
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
            for i in counter:
                if time.perf_counter() > deadline:
                    return
                t0 = time.perf_counter()
                try:
                    r = await http.get(paths(i))
                    if r.status_code >= 400:
                        errors[str(r.status_code)] = errors.get(str(r.status_code), 0) + 1
                except httpx.HTTPError as e:
                    errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
                latencies.append(time.perf_counter() - t0)
                if think:  # a person reads the answer before asking again
                    await asyncio.sleep(think)

    t0 = time.perf_counter()
    await asyncio.gather(*(client(k) for k in range(clients)))
    wall = time.perf_counter() - t0
    ms = sorted(x * 1000 for x in latencies)
    q = statistics.quantiles(ms, n=100) if len(ms) >= 2 else [float("nan")] * 99
    return {
        "clients": clients, "requests": len(ms), "seconds": round(wall, 2),
        "requests_per_second": round(len(ms) / wall, 1) if wall else None,
        "p50_ms": round(q[49], 2), "p95_ms": round(q[94], 2), "p99_ms": round(q[98], 2),
        "max_ms": round(ms[-1], 2) if ms else None, "errors": errors,
    }


def load(base_url: str, paths: Callable[[int], str], *, clients: int = 50, seconds: float = 10.0,
         max_requests: int = 20_000, think: float = 0.0) -> dict[str, object]:
    """Run the load and return latency percentiles (ms), throughput and error counts.

    ``think`` > 0 paces each client (seconds between an answer and its next request): many
    concurrent users at a realistic rate, rather than clients firing back to back.
    """
    out = asyncio.run(_run(base_url, paths, clients, seconds, max_requests, think))
    out["think_seconds"] = think
    return out


_WRK_SCRIPT = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
%s
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "seconds": %%.3f, "p50_ms": %%.3f, "p95_ms": %%.3f, "p99_ms": %%.3f, ' ..
    '"max_ms": %%.3f, "errors": {"connect": %%d, "read": %%d, "write": %%d, "timeout": %%d, "status": %%d}}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, e.connect, e.read, e.write, e.timeout, e.status))
end
"""


def wrk_load(base_url: str, paths: list[str], *, connections: int = 50, seconds: float = 15.0,
             threads: int = 1, think_ms: int = 0) -> dict[str, object]:
    """Closed-loop load with wrk (a C client, so the measure is the server's, not the client's).

    ``connections`` clients each send a request, wait for the answer, send the next, for
    ``seconds``; paths are taken in turn from ``paths``. ``think_ms`` > 0 makes each client
    pause that long between an answer and its next request (many people at a realistic pace,
    rather than clients firing back to back). Returns latency percentiles in ms,
    throughput and error counts (``status`` counts answers that are not 2xx/3xx).
    """
    import json
    import re
    import shutil
    import subprocess
    import tempfile

    if not base_url.startswith(("http://127.0.0.1", "http://localhost")):
        raise ValueError("load only goes to loopback")
    wrk = shutil.which("wrk")
    if wrk is None:
        raise FileNotFoundError("wrk is missing: `make bench` installs Debian's wrk package")
    quoted = ",".join('"' + p.replace('"', "") + '"' for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        pause = f"delay = function() return {int(think_ms)} end" if think_ms else ""
        fh.write(_WRK_SCRIPT % (quoted, pause))
    out = subprocess.run([wrk, f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "10s",
                          "-s", fh.name, base_url], capture_output=True, text=True, check=True).stdout
    data = json.loads(re.search(r"WRKJSON (\{.*\})", out).group(1))
    errors = {k: v for k, v in data.pop("errors").items() if v}
    data.update({"clients": connections, "tool": "wrk", "errors": errors, "think_ms": think_ms,
                 "requests_per_second": round(data["requests"] / data["seconds"], 1)})
    return data
