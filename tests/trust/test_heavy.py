"""Issue 12 item 6: heavy anonymous computations are cached, run in another process, and bounded."""

from __future__ import annotations

import concurrent.futures as cf
import os
import time

import pytest
from heavy_helpers import slow_echo
from starlette.exceptions import HTTPException

from accesoins.api import heavy
from accesoins.store import open_store


@pytest.fixture
def runner(tmp_path):
    db = tmp_path / "a.duckdb"
    open_store(db).close()
    h = heavy.Heavy(db)
    yield h
    h.close()


def test_runs_in_another_process_and_is_cached(runner):
    first = runner.run("10.0.0.1", "seed", slow_echo, {"x": 1, "delay": 0.2})
    assert first["pid"] != os.getpid() and first["store"] is True  # the worker opened the store itself
    t0 = time.perf_counter()
    again = runner.run("10.0.0.2", "seed", slow_echo, {"x": 1, "delay": 0.2})
    assert again == first and time.perf_counter() - t0 < 0.1
    # a new store content (seed) is a new computation
    assert runner.run("10.0.0.1", "other-seed", slow_echo, {"x": 1, "delay": 0.0})["x"] == 1


def test_cache_is_bounded(runner, monkeypatch):
    monkeypatch.setattr(heavy, "CACHE_SIZE", 3)
    monkeypatch.setattr(heavy, "PER_CLIENT", (100, 60))
    runner.limiter = heavy.RateLimiter(100, 60)
    for x in range(6):
        runner.run("10.0.0.1", "s", slow_echo, {"x": x})
    assert len(runner.cache) == 3


def test_one_client_cannot_ask_for_many_new_computations(runner):
    for x in range(heavy.PER_CLIENT[0]):
        runner.run("198.51.100.7", "s", slow_echo, {"x": x})
    with pytest.raises(HTTPException) as e:
        runner.run("198.51.100.7", "s", slow_echo, {"x": 99})
    assert e.value.status_code == 429 and int(e.value.headers["Retry-After"]) > 0
    assert "réessayez" in e.value.detail
    assert runner.run("198.51.100.7", "s", slow_echo, {"x": 0})["x"] == 0  # cached answers still served
    assert runner.run("203.0.113.9", "s", slow_echo, {"x": 99})["x"] == 99  # other clients are not starved


def test_queue_is_bounded(runner):
    with cf.ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(runner.run, f"10.1.0.{i}", "s", slow_echo, {"x": i, "delay": 1.5}) for i in range(4)]
        outcomes = []
        for f in futures:
            try:
                outcomes.append(f.result()["x"])
            except HTTPException as e:
                outcomes.append(e.status_code)
    assert outcomes.count(429) == 4 - heavy.MAX_PENDING, outcomes


def test_the_page_answers_429_with_retry_after_in_french():
    from fastapi.testclient import TestClient

    from accesoins.api.app import create_app
    from accesoins.config import PROJECT_ROOT, Settings

    app = create_app(Settings(db_path=PROJECT_ROOT / "nonexistent.duckdb", node_modules=PROJECT_ROOT),
                     store=open_store(None))
    with TestClient(app) as c:
        h = heavy.heavy_for(app.state)
        h.pending = heavy.MAX_PENDING  # as if two rotas were being computed
        r = c.get("/planification/medecins-solidaires.json?departement=15&graine=7")
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        assert r.json()["error"]["status"] == 429 and "réessayez" in r.json()["error"]["message"]
