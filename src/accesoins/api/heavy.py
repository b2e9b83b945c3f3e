"""Heavy computations asked by anonymous requests: cached, run in another process, bounded.

A médecins-solidaires rota costs about 14 s of CPU and depends on all its parameters
(``graine`` included), so a crawler varying one of them could keep the server's cores
busy and starve every other page. Here such a computation:

- is cached by its parameters (bounded LRU of :data:`CACHE_SIZE` results, per process,
  keyed also by the store's content seed) and computed once even when asked concurrently;
- runs in one separate worker process started at low priority (``os.nice``), never on the
  event loop nor in the server's threads (the GIL would slow every page);
- is admitted only while fewer than :data:`MAX_PENDING` computations are running or
  waiting, and at most :data:`PER_CLIENT` uncached ones per client and window: beyond,
  the answer is 429 with ``Retry-After``.

With an in-memory store (tests), the computation runs in the calling thread.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import threading
from collections import OrderedDict

from starlette.exceptions import HTTPException

from ..experience.auth import RateLimiter

CACHE_SIZE = 32
MAX_PENDING = 2
PER_CLIENT = (3, 300)  # uncached computations per client, per window of seconds
TIMEOUT = 180
RETRY_AFTER = 30

_STORE = None


def _die_with_parent() -> None:
    """Exit when the server process that started this worker dies, even by SIGKILL (no orphan
    keeping the store open after a killed server).

    The watcher waits on the parent's sentinel, which a dead parent closes: a parent that died
    while this process was still importing is seen at once, where comparing ``os.getppid()``
    with its value at start would wait forever. Not ``PR_SET_PDEATHSIG`` as in
    :func:`.workers.die_with_parent`: this process may be started from a short-lived thread (the
    warm-up), whose end would fire that signal.
    """
    parent = multiprocessing.parent_process()
    if parent is None:  # not a spawned child: nothing to watch
        return

    def watch() -> None:
        parent.join()
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _init(db_path: str) -> None:  # in the worker process
    global _STORE
    try:
        os.nice(10)  # pages first: the scheduler gives the server's process the cores
    except OSError:
        pass
    _die_with_parent()
    from ..store import open_store

    _STORE = open_store(db_path, read_only=True)


def _call(fn, params: dict):  # in the worker process (``fn`` travels by reference: a module-level function)
    return fn(_STORE, **params)


class Heavy:
    """The cache, admission control and worker process of one application."""

    def __init__(self, db_path) -> None:
        self.db_path = str(db_path) if db_path else None
        self.cache: OrderedDict = OrderedDict()
        self.inflight: dict = {}
        self.lock = threading.Lock()
        self.pending = 0
        self.limiter = RateLimiter(*PER_CLIENT)
        self.pool: cf.ProcessPoolExecutor | None = None

    def _pool(self) -> cf.ProcessPoolExecutor:
        if self.pool is None:
            self.pool = cf.ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("spawn"), initializer=_init, initargs=(self.db_path,)
            )
        return self.pool

    def run(self, client: str, seed: str, fn, params: dict, store=None):
        """The result of ``fn(store, **params)`` (``fn`` a module-level function), from the cache when possible."""
        key = (seed, f"{fn.__module__}.{fn.__qualname__}", tuple(sorted(params.items())))
        with self.lock:
            if key in self.cache:
                self.cache.move_to_end(key)
                return self.cache[key]
            future = self.inflight.get(key)
            if future is None:
                if self.pending >= MAX_PENDING:
                    raise HTTPException(
                        429,
                        "Calculs lourds déjà en cours : réessayez dans une minute (les résultats déjà "
                        "calculés restent servis immédiatement).",
                        headers={"Retry-After": str(RETRY_AFTER)},
                    )
                if not self.limiter.allow(client):
                    raise HTTPException(
                        429,
                        "Trop de calculs lourds demandés depuis ce poste : réessayez dans quelques minutes.",
                        headers={"Retry-After": str(PER_CLIENT[1])},
                    )
                self.pending += 1
                if self.db_path is None:
                    future = cf.Future()
                    self.inflight[key] = future
                    local = True
                else:
                    future = self._pool().submit(_call, fn, params)
                    self.inflight[key] = future
                    local = False
                    future.add_done_callback(lambda f, key=key: self._done(key, f))
            else:
                local = False
        if local:
            try:
                future.set_result(fn(store, **params))
            except BaseException as e:  # noqa: BLE001 - handed to every waiter
                future.set_exception(e)
            self._done(key, future)
        try:
            return future.result(timeout=TIMEOUT)
        except cf.TimeoutError:
            raise HTTPException(503, "Le calcul prend trop de temps : réessayez plus tard.",
                                headers={"Retry-After": str(RETRY_AFTER)}) from None

    def _done(self, key, future) -> None:
        with self.lock:
            self.pending -= 1
            self.inflight.pop(key, None)
            if not future.cancelled() and future.exception() is None:
                self.cache[key] = future.result()
                while len(self.cache) > CACHE_SIZE:
                    self.cache.popitem(last=False)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None


_lock = threading.Lock()


def heavy_for(state) -> Heavy:
    """The app's :class:`Heavy` (created on first use)."""
    h = getattr(state, "heavy", None)
    if h is None:
        with _lock:
            h = getattr(state, "heavy", None)
            if h is None:
                store = getattr(state, "store", None)
                h = state.heavy = Heavy(getattr(store, "path", None))
    return h
