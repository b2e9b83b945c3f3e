"""Opening the DuckDB store, applying migrations, running transactions.

Migrations are the numbered ``migrations/NNN_name.sql`` files of this package,
applied in order, each in its own transaction, and recorded in
``schema_migrations``. A store newer than the code is refused.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd

from ..errors import NotBuiltError

_MIGRATION = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def migrations(package: str = "accesoins.store") -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration of ``package`` (its ``migrations/`` folder), in order."""
    folder = resources.files(package) / "migrations"
    out = []
    for entry in folder.iterdir():
        m = _MIGRATION.match(entry.name)
        if m:
            out.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(out)


class _Opening:
    """Identity of one opening of a store (weak-referenceable, shared by its cursors)."""


class Store:
    """A connection to the store, with helpers used by every layer above it."""

    migrations_package = "accesoins.store"  # a database with its own schema overrides this

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path | None, *, read_only: bool = False,
                 opening: object | None = None) -> None:
        self.con = con
        self.path = path
        self.read_only = read_only  # no one can change a store opened read-only while it is open
        self.opening = opening if opening is not None else _Opening()  # shared by this opening's cursors

    # -- schema ---------------------------------------------------------------
    def schema_version(self) -> int:
        exists = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
        ).fetchone()[0]
        if not exists:
            return 0
        return int(self.con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0])

    def migrate(self) -> list[str]:
        """Apply the migrations not yet applied; returns their names."""
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP DEFAULT current_timestamp)"
        )
        current = self.schema_version()
        known = migrations(self.migrations_package)
        if known and current > known[-1][0]:
            raise NotBuiltError(
                f"La base {self.path} a le schéma {current}, plus récent que ce logiciel "
                f"({known[-1][0]}) : mettez accesoins à jour."
            )
        applied = []
        for version, name, sql in known:
            if version <= current:
                continue
            with self.transaction():
                self.con.execute(sql)
                self.con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
            applied.append(name)
        return applied

    # -- transactions -----------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All or nothing: on any exception the store is left exactly as it was."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")

    # -- reading ------------------------------------------------------------------
    def df(self, sql: str, params: list | tuple | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    def records(self, sql: str, params: list | tuple | None = None) -> list[dict[str, object]]:
        """Rows as JSON-ready dicts (NULL → None), without going through pandas."""
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def scalar(self, sql: str, params: list | tuple | None = None):
        row = self.con.execute(sql, params or []).fetchone()
        return row[0] if row else None

    def has_territory(self) -> bool:
        return self.schema_version() > 0 and bool(self.scalar("SELECT count(*) FROM communes"))

    def require_territory(self) -> None:
        if not self.has_territory():
            raise NotBuiltError(
                "Le territoire n'est pas encore construit : lancez `accesoins build` (ou `make run`)."
            )

    def cursor(self) -> Store:
        """A store on a new cursor of the same database, for another thread."""
        return Store(self.con.cursor(), self.path, read_only=self.read_only, opening=self.opening)

    def close(self) -> None:
        self.con.close()


def open_store(path: Path | str | None, *, read_only: bool = False, migrate: bool = True) -> Store:
    """Open (and create) the store at ``path``; ``None`` or ``':memory:'`` for an in-memory one."""
    if path is None or str(path) == ":memory:":
        store = Store(duckdb.connect(":memory:"), None)
    else:
        path = Path(path)
        if read_only and not path.exists():
            raise NotBuiltError(f"La base {path} n'existe pas : lancez `accesoins build`.")
        path.parent.mkdir(parents=True, exist_ok=True)
        store = Store(duckdb.connect(str(path), read_only=read_only), path, read_only=read_only)
    store.con.execute("SET enable_progress_bar = false")
    if migrate and not read_only:
        store.migrate()
    elif read_only and store.path is not None:
        have, latest = store.schema_version(), migrations()[-1][0]
        if 0 < have < latest:  # a read-only store cannot migrate: say what to do rather than fail on a missing table
            store.close()
            raise NotBuiltError(f"La base {path} date d'une version antérieure d'accesoins (schéma {have}, "
                                f"attendu {latest}) : lancez `accesoins build` pour la mettre à jour.")
    return store
