"""Several server processes, one participation writer.

The main store is read-only: every server process opens it (DuckDB allows any number of
read-only processes) and keeps its own in-memory indexes. The participation database is
written: DuckDB lets one process open a file for writing and then no other process may
even read it, and the participation rules keep state in memory (rate limits per client,
the daily salt, one-response-per-token checks under the writer lock). So with
``accesoins serve --workers N`` (N > 1):

- a **writer process** runs the application alone on a Unix socket in a private directory
  (mode 0700): it is the only process that opens the participation database, with its
  journal, its lock and its limits, exactly as a single-process server does;
- the N **workers** (uvicorn's, sharing the TCP port) answer everything else themselves and
  relay every ``/participation…`` request to the writer unchanged (method, path, query,
  headers, cookies, body), adding the client's address and scheme as ``X-Forwarded-For`` /
  ``X-Forwarded-Proto`` (which the writer trusts: only this user's processes can reach its
  socket), then stream the writer's answer back. The heavy médecins-solidaires rotas are
  relayed too, so their cache, their low-priority process and their per-client allowance
  (:mod:`accesoins.api.heavy`) stay one for the whole server rather than one per worker.

Why not a database that several processes can write (SQLite in WAL mode)? The participation
service's SQL, its journal and its migrations are DuckDB's, and its in-memory limits would
still be per process: a client could send N times the allowed responses. One writer keeps
every participation rule where it was tested. Participation traffic is light, so one process
is enough for it; the load is on the read-only pages.

With one worker (the default of ``serve``) nothing changes: the single process opens the
participation database itself. See ``docs/architecture.md``.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time

import httpx

SOCKET_ENV = "ACCESOINS_PARTICIPATION_SOCKET"
# participation (one writer) and the heavy computations (one cache, one low-priority pool and one
# per-client allowance for the whole server, see api/heavy.py) live in the writer process only
RELAYED = ("/participation", "/planification/medecins-solidaires")
HEALTHCHECK_SECONDS = 60
MAX_BODY = 2 * 1024 * 1024  # a participation request larger than this is refused (413)
_HOP = {b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding", b"te", b"trailer", b"upgrade",
        b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host", b"forwarded"}
_DROP_BACK = {b"connection", b"keep-alive", b"date", b"server"}  # the worker's uvicorn sets its own


def _error(status: int, message: str) -> tuple[list, bytes]:
    import orjson

    body = orjson.dumps({"error": {"status": status, "message": message, "file": None, "line": None,
                                   "field": None}})
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status == 503:
        headers.append((b"retry-after", b"5"))
    return headers, body


class ParticipationRelay:
    """Pure ASGI, in each worker: ``/participation…`` (and heavy) requests go to the writer's socket."""

    def __init__(self, app, socket_path: str) -> None:
        self.app = app
        self.socket_path = socket_path
        self.http: httpx.AsyncClient | None = None

    def _client(self) -> httpx.AsyncClient:
        if self.http is None:  # created in the worker's event loop, kept (keep-alive to the writer)
            self.http = httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(uds=self.socket_path),
                                          timeout=httpx.Timeout(60.0, connect=5.0))
        return self.http

    async def aclose(self) -> None:
        if self.http is not None:
            await self.http.aclose()
            self.http = None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(RELAYED):
            return await self.app(scope, receive, send)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > MAX_BODY:
                return await _reply(send, 413, "Demande trop volumineuse pour la participation.")
            if not message.get("more_body"):
                break
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in _HOP]
        if scope.get("client"):
            headers.append((b"x-forwarded-for", scope["client"][0].encode()))
        headers.append((b"x-forwarded-proto", scope.get("scheme", "http").encode()))
        target = scope.get("raw_path") or scope["path"].encode()
        if scope.get("query_string"):
            target += b"?" + scope["query_string"]
        url = httpx.URL("http://participation").copy_with(raw_path=target)
        request = self._client().build_request(scope["method"], url, headers=headers, content=b"".join(chunks))
        try:
            response = await self._client().send(request, stream=True)
        except httpx.HTTPError:
            return await _reply(send, 503, "La participation est momentanément indisponible : réessayez "
                                           "dans quelques secondes.")
        try:
            await send({"type": "http.response.start", "status": response.status_code,
                        "headers": [(k, v) for k, v in response.headers.raw if k.lower() not in _DROP_BACK]})
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            await response.aclose()


async def _reply(send, status: int, message: str) -> None:
    headers, body = _error(status, message)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# -- processes ------------------------------------------------------------------------------------
def die_with_parent() -> None:
    """Linux: this process gets SIGTERM when the process that started it dies, even by SIGKILL.

    Without it, a killed ``serve`` would leave its workers holding the port and its writer
    holding the participation database.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the supervisor's own shutdown still stops them
        pass
    if os.getppid() == 1:  # the parent died before the call
        os.kill(os.getpid(), signal.SIGTERM)


def run_writer(socket_path: str, log_level: str = "warning") -> None:
    """The writer process: the whole application on a Unix socket, the participation database its own."""
    import uvicorn

    die_with_parent()
    os.environ.pop(SOCKET_ENV, None)
    # by name, as uvicorn loads its workers' (this module is imported by the app's module)
    uvicorn.run("accesoins.api.app:writer_app_from_env", factory=True, uds=socket_path, log_level=log_level,
                access_log=False, proxy_headers=True, forwarded_allow_ips="*")


class Writer:
    """Starts the writer process, waits until it answers, restarts it if it dies, stops it."""

    def __init__(self, log_level: str = "warning") -> None:
        self.dir = tempfile.mkdtemp(prefix="accesoins-")  # mode 0700: this user's processes only
        self.socket_path = os.path.join(self.dir, "participation.sock")
        self.log_level = log_level
        self.stopping = threading.Event()
        self.process: multiprocessing.process.BaseProcess | None = None
        self.watch: threading.Thread | None = None

    def _spawn(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.process = ctx.Process(target=run_writer, args=(self.socket_path, self.log_level),
                                   name="accesoins-participation", daemon=False)
        self.process.start()

    def start(self, timeout: float = 120.0) -> Writer:
        self._spawn()
        self.wait_ready(timeout)
        self.watch = threading.Thread(target=self._watch, name="accesoins-writer-watch", daemon=True)
        self.watch.start()
        return self

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        transport = httpx.HTTPTransport(uds=self.socket_path)
        with httpx.Client(transport=transport, timeout=5) as http:
            while True:
                try:
                    if http.get("http://participation/etat.json").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                if not self.process.is_alive() or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        "Le processus de participation n'a pas démarré (la base de participation est-elle "
                        "ouverte par un autre processus ?).")
                time.sleep(0.1)

    def _watch(self) -> None:
        while not self.stopping.is_set():
            self.process.join(timeout=1.0)
            if self.process.exitcode is not None and not self.stopping.is_set():
                time.sleep(1.0)  # a crash: start again (its journal replays every acknowledged response)
                if not self.stopping.is_set():
                    self._spawn()

    def stop(self) -> None:
        self.stopping.set()
        if self.process is not None and self.process.is_alive():
            self.process.terminate()  # uvicorn shuts down gracefully; the database is closed
            self.process.join(timeout=30)
            if self.process.is_alive():
                self.process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def serve(*, host: str, port: int, workers: int, access_log: bool, log_level: str = "info") -> None:
    """``accesoins serve``: one process, or ``workers`` processes and the participation writer."""
    import uvicorn

    kw = {"factory": True, "host": host, "port": port, "log_level": log_level, "access_log": access_log}
    if workers <= 1:
        uvicorn.run("accesoins.api.app:app_from_env", workers=1, **kw)
        return
    # a worker answers uvicorn's health check only once Python, pandas and DuckDB are imported:
    # on a busy machine that takes longer than uvicorn's 5 s, which would kill it again and again
    kw["timeout_worker_healthcheck"] = HEALTHCHECK_SECONDS
    writer = Writer().start()
    os.environ[SOCKET_ENV] = writer.socket_path  # the workers (spawned by uvicorn) inherit it
    try:
        uvicorn.run("accesoins.api.app:app_from_env", workers=workers, **kw)
    finally:
        os.environ.pop(SOCKET_ENV, None)
        writer.stop()
