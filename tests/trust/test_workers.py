"""``accesoins serve --workers 3``: a real server of several processes, one participation writer.

Concurrent answers from several client addresses go through the three workers; every
acknowledged response is in the participation database once, the per-client limit holds
across workers (it would be three times higher if each worker kept its own), a token counts
once whichever worker receives it, sign-in works through the relay, and nothing is published
from an open quarter.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from accesoins.experience import rules
from accesoins.participation_store import open_participation
from accesoins.services.participation import accounts, questionnaires
from accesoins.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from livesite import free_port  # noqa: E402

WORKERS = 3
ADDRESSES = [f"127.0.0.{i}" for i in range(10, 16)]  # distinct clients (all of 127/8 is loopback)
SITE, QID = "750712184", "experience-consultation"
QUESTIONS = ["delai_rdv", "accueil", "ecoute", "explications", "decision_partagee", "coordination", "recommandation"]
PASSWORD = "correct horse battery staple"


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("workers")
    main = open_store(tmp / "main.duckdb")  # a small main store: Cantal's two communes
    main.con.execute("INSERT INTO departements VALUES ('15', 'Cantal', '84')")
    main.con.execute("INSERT INTO communes (code_commune, nom, code_departement, code_region, zone) "
                     "VALUES ('15014', 'Aurillac', '15', '84', 'metro')")
    main.close()
    part = tmp / "participation.duckdb"
    ps = open_participation(part)
    questionnaires.ensure_bundled(ps)
    accounts.create_account(ps, {"account_id": "test", "role": "admin", "organisation_id": "accesoins"},
                       login="editrice", display_name="Éditrice", password=PASSWORD, role="editor",
                       organisation_id="asso")
    ps.close()
    port = free_port()
    env = {**os.environ, "ACCESOINS_DB": str(tmp / "main.duckdb"), "ACCESOINS_PARTICIPATION_DB": str(part),
           "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "accesoins.cli", "serve", "--workers", str(WORKERS),
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    while True:
        try:
            if httpx.get(url + "/participation.json", timeout=5).status_code == 200 and \
                    len(_children(proc.pid)) >= WORKERS + 1:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("the server did not start: " + proc.stderr.read().decode()[-2000:])
        time.sleep(0.3)
    yield url, proc, part
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    """A process still running (a zombie has exited: it only waits to be reaped by whoever adopted it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def test_workers_do_not_outlive_a_killed_server(tmp_path):
    """SIGKILL on ``serve``: its workers and its writer stop too (the port and the database are freed)."""
    main = open_store(tmp_path / "main.duckdb")
    main.close()
    port, leftover = free_port(), None
    env = {**os.environ, "ACCESOINS_DB": str(tmp_path / "main.duckdb"),
           "ACCESOINS_PARTICIPATION_DB": str(tmp_path / "participation.duckdb"),
           "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "accesoins.cli", "serve", "--workers", "2", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while len(_children(proc.pid)) < 3 or not _answers(f"http://127.0.0.1:{port}/etat.json"):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.3)
        children = _children(proc.pid)
        for c in children:  # the writer's private directory, which a killed server cannot remove
            env_of = dict(x.split("=", 1) for x in Path(f"/proc/{c}/environ").read_text().split("\0") if "=" in x)
            if env_of.get("ACCESOINS_PARTICIPATION_SOCKET"):
                leftover = Path(env_of["ACCESOINS_PARTICIPATION_SOCKET"]).parent
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 60
        while any(_alive(c) for c in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(c) for c in children)
        ps = open_participation(tmp_path / "participation.duckdb")  # no other process holds it
        ps.close()
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if leftover is not None:
            shutil.rmtree(leftover, ignore_errors=True)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def _answer(token: str) -> dict:
    return {"token": token, "questionnaire_id": QID, "version": 1, "site": SITE,
            "answers": {q: 1 + (len(token) + j) % 4 for j, q in enumerate(QUESTIONS)}}


async def _flood(url: str, per_address: int) -> dict[str, list[tuple[str, int, str | None]]]:
    """Each address sends ``per_address`` answers over 4 connections at once (so several workers see it)."""
    out: dict[str, list] = {a: [] for a in ADDRESSES}

    async def one(address: str, k: int) -> None:
        transport = httpx.AsyncHTTPTransport(local_address=address)
        async with httpx.AsyncClient(base_url=url, transport=transport, timeout=60) as http:
            for i in range(k, per_address, 4):
                token = f"w-{address.replace('.', '')}-{i:04d}-xxxxxxxxxxxx"
                r = await http.post("/participation/api/reponses", json=_answer(token))
                out[address].append((token, r.status_code, r.headers.get("retry-after")))

    await asyncio.gather(*(one(a, k) for a in ADDRESSES for k in range(4)))
    return out


def test_several_workers_one_writer(server):
    url, proc, part = server
    assert len(_children(proc.pid)) >= WORKERS + 1  # the workers and the participation writer
    limit = rules.value("rate_limit.responses_per_window")
    per_address = limit + 6
    # in a thread of its own: the browser tests' driver may hold a running event loop in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        sent = pool.submit(asyncio.run, _flood(url, per_address)).result()
    acked = set()
    for _address, rows in sent.items():
        codes = [c for _, c, _ in rows]
        # one limit per client for the whole server, not one per worker process
        assert codes.count(201) == limit and codes.count(429) == per_address - limit, codes
        assert all(ra and int(ra) > 0 for _, c, ra in rows if c == 429)
        acked |= {t for t, c, _ in rows if c == 201}

    # a token counts once, whichever worker receives it again
    again_token = next(iter(acked))
    transport = httpx.HTTPTransport(local_address="127.0.0.40")
    with httpx.Client(base_url=url, transport=transport, timeout=30) as http:
        r = http.post("/participation/api/reponses", json=_answer(again_token))
        assert r.status_code == 200 and r.json()["duplicate"] is True
        # sign-in through the relay: the session cookie and the CSRF token come back
        bad = http.post("/participation/api/session", json={"login": "editrice", "password": "non"})
        assert bad.status_code in (401, 403) and "error" in bad.json()
        ok = http.post("/participation/api/session", json={"login": "editrice", "password": PASSWORD})
        assert ok.status_code == 200 and ok.json()["csrf"] and http.cookies
        assert ok.headers["x-frame-options"] == "DENY"
        # an open quarter publishes nothing, however many answered
        site = http.get(f"/participation/site/{SITE}.json").json()
        assert [i["published"] for i in site["families"]["experience"]["items"]] == [False]
        assert all(not t["quarters"] for t in site["trend"]) and str(len(acked)) not in str(site)
        # the read-only pages are still answered by the workers themselves
        assert http.get("/etat.json").json()["status"] == "ok"

    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    ps = open_participation(part)
    try:
        assert ps.scalar("SELECT count(*) FROM responses") == len(acked) == limit * len(ADDRESSES)
        assert ps.scalar("SELECT count(DISTINCT response_id) FROM responses") == len(acked)
    finally:
        ps.close()
