"""Opening the participation database; one serialised writer; a durable response journal.

Durability of acknowledged responses
------------------------------------
A response is acknowledged (HTTP 201/200) only after :meth:`ParticipationStore.add_response`
returns, and that method, under the single writer lock:

1. appends the response as one JSON line to ``<db>.journal`` and calls
   ``os.fsync`` on it (an append-only journal, independent of DuckDB's own WAL);
2. inserts it into DuckDB and commits (DuckDB writes its WAL at commit).

At opening, journal lines whose ``response_id`` is missing from the database are
replayed (idempotently), then the database is checkpointed and the journal
emptied. A process killed at any point therefore loses no acknowledged response.

Concurrency: every write goes through one connection guarded by a
``threading.Lock``; reads use cursors of that connection (DuckDB's MVCC gives them
a consistent snapshot).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from ..store.db import Store

COMPACT_EVERY = 1000  # checkpoint and empty the journal after this many new responses


def default_path(main_db: Path | str, env: dict[str, str] | None = None) -> Path:
    """``ACCESOINS_PARTICIPATION_DB`` or ``participation.duckdb`` beside the main store."""
    env = dict(os.environ) if env is None else env
    if env.get("ACCESOINS_PARTICIPATION_DB"):
        return Path(env["ACCESOINS_PARTICIPATION_DB"])
    return Path(main_db).parent / "participation.duckdb"


class ParticipationStore(Store):
    """The participation database: :class:`~accesoins.store.db.Store` plus a writer lock and a journal."""

    migrations_package = "accesoins.participation_store"

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path | None) -> None:
        super().__init__(con, path)
        self.lock = threading.RLock()
        self.journal_path = Path(f"{path}.journal") if path else None
        self._journal = None
        self._since_compact = 0
        self.today: Callable[[], dt.date] = dt.date.today  # the clock of periods (tests move it)

    # -- writing ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The one writer: a lock, then a transaction (all or nothing)."""
        with self.lock, self.transaction() as con:
            yield con

    def write(self, fn: Callable[[duckdb.DuckDBPyConnection], object]):
        """Run ``fn(con)`` as one serialised transaction and return its result."""
        with self.writing() as con:
            return fn(con)

    def add_response(self, row: dict) -> bool:
        """Store one response durably; False when its ``response_id`` was already stored.

        The journal line is fsynced before the DuckDB commit, both before returning.
        """
        with self.lock:
            if self.scalar("SELECT count(*) FROM responses WHERE response_id = ?", [row["response_id"]]):
                return False
            self._journal_append(row)
            with self.transaction() as con:
                _insert_response(con, row)
            self._since_compact += 1
            if self._since_compact >= COMPACT_EVERY:
                self.compact()
            return True

    def _journal_append(self, row: dict) -> None:
        if self.journal_path is None:
            return
        if self._journal is None:
            self._journal = open(self.journal_path, "ab")  # noqa: SIM115 - kept open, closed in close()
        self._journal.write((json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode())
        self._journal.flush()
        os.fsync(self._journal.fileno())

    def replay_journal(self) -> int:
        """Insert the journal's responses missing from the database; returns how many."""
        if self.journal_path is None or not self.journal_path.exists():
            return 0
        added = 0
        with self.lock:
            with open(self.journal_path, "rb") as f:
                lines = f.read().split(b"\n")
            with self.transaction() as con:
                for line in lines:
                    try:
                        row = json.loads(line)
                    except ValueError:
                        continue  # an empty line, or a torn last line never acknowledged
                    exists = con.execute(
                        "SELECT count(*) FROM responses WHERE response_id = ?", [row["response_id"]]
                    ).fetchone()[0]
                    if not exists:
                        _insert_response(con, row)
                        added += 1
        return added

    def compact(self) -> None:
        """Checkpoint DuckDB (its file is then complete and synced) and empty the journal."""
        with self.lock:
            self.con.execute("CHECKPOINT")
            if self._journal is not None:
                self._journal.close()
                self._journal = None
            if self.journal_path is not None and self.journal_path.exists():
                with open(self.journal_path, "wb") as f:
                    f.flush()
                    os.fsync(f.fileno())
            self._since_compact = 0

    def close(self) -> None:
        with self.lock:
            if self._journal is not None:
                self._journal.close()
                self._journal = None
            super().close()


def _insert_response(con, row: dict) -> None:
    con.execute(
        "INSERT INTO responses (response_id, questionnaire_id, version, site_id, site_kind, quarter, easy_read, "
        "answers, contributor, code_commune, code_departement, located) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            row["response_id"],
            row["questionnaire_id"],
            row["version"],
            row["site_id"],
            row["site_kind"],
            row["quarter"],
            row["easy_read"],
            json.dumps(row["answers"], sort_keys=True),
            row.get("contributor"),
            row.get("code_commune"),
            row.get("code_departement"),
            bool(row.get("located")),
        ],
    )


def open_participation(path: Path | str | None) -> ParticipationStore:
    """Open (create, migrate, recover) the participation database; ``None`` for in-memory."""
    if path is None or str(path) == ":memory:":
        store = ParticipationStore(duckdb.connect(":memory:"), None)
    else:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        store = ParticipationStore(duckdb.connect(str(path)), path)
    store.migrate()
    if store.replay_journal() or (store.journal_path and store.journal_path.exists()):
        store.compact()
    return store
