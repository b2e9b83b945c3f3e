"""Kill the server (SIGKILL) during concurrent submissions: no acknowledged response is lost."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from phelpers import answers

from accesoins.participation_store import open_participation

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from livesite import free_port  # noqa: E402


def start(db: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "ACCESOINS_PARTICIPATION_DB": str(db)}
    proc = subprocess.Popen([sys.executable, str(HERE / "pserver.py"), str(port)], env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/participation.json", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the server did not start")


async def load(url: str, acked: list[str], stop: asyncio.Event, clients: int = 24, tried: set | None = None) -> int:
    sent = 0
    tried = set() if tried is None else tried

    async def one(k: int) -> None:
        nonlocal sent
        async with httpx.AsyncClient(base_url=url, timeout=5) as http:
            i = 0
            while not stop.is_set():
                token = f"kill-{k:03d}-{i:010d}"
                i += 1
                sent += 1
                tried.add(token)
                try:
                    r = await http.post(
                        "/participation/api/reponses",
                        json={
                            "token": token,
                            "questionnaire_id": "experience-consultation",
                            "version": 1,
                            "site": "750712184",
                            "answers": answers(3),
                        },
                    )
                except httpx.HTTPError:
                    return  # the server died: this response was never acknowledged
                if r.status_code in (200, 201):
                    acked.append(token)

    await asyncio.gather(*(one(k) for k in range(clients)))
    return sent


def test_kill_during_load_loses_no_acknowledged_response(tmp_path):
    db = tmp_path / "participation.duckdb"
    port = free_port()
    proc = start(db, port)
    acked: list[str] = []
    tried: set[str] = set()

    async def run():
        stop = asyncio.Event()
        task = asyncio.create_task(load(f"http://127.0.0.1:{port}", acked, stop, tried=tried))
        while len(acked) < 300:  # let the load run, then kill mid-flight
            await asyncio.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        await asyncio.sleep(0.5)
        stop.set()
        return await task

    try:
        # a fresh thread has no running event loop (Playwright's sync API may hold one in this one)
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            sent = pool.submit(asyncio.run, run()).result()
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert len(acked) >= 300 and len(set(acked)) == len(acked)  # each response acknowledged once
    assert sent > len(acked), "the kill must catch requests in flight, else it tests nothing"

    # restart on the same database: it recovers (journal replay) and accepts new responses
    proc = start(db, port)
    try:
        r = httpx.post(
            f"http://127.0.0.1:{port}/participation/api/reponses",
            json={
                "token": "after-restart-000001",
                "questionnaire_id": "experience-consultation",
                "version": 1,
                "site": "750712184",
                "answers": answers(3),
            },
        )
        assert r.status_code == 201
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    ps = open_participation(db)
    try:
        stored = {r["response_id"] for r in ps.records("SELECT response_id FROM responses")}
        ps_count = ps.scalar("SELECT count(*) FROM responses")
    finally:
        ps.close()
    missing = set(acked) - stored
    assert not missing, f"{len(missing)} acknowledged responses lost"
    assert "after-restart-000001" in stored
    # nothing but what was sent is stored (no phantom or duplicated row), and in flight ones may be
    assert stored <= tried | {"after-restart-000001"}, stored - tried
    assert ps_count == len(stored)
