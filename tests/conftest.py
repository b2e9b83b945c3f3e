"""Shared fixtures: the national territory built once per test session.

The build reads the real registry packages installed by ``make test`` (no
network); it takes about 15 s and every test that needs the store shares it.
Tests that write get their own copy of the file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from accesoins.config import PROJECT_ROOT, Settings
from accesoins.services.build import build_all
from accesoins.store import open_store

REAL_DATA = PROJECT_ROOT.parent / "shared" / "data" / "real"


@pytest.fixture(scope="session")
def real_data() -> Path:
    if not REAL_DATA.exists():
        pytest.fail(f"{REAL_DATA} is missing: the real test data lives in ../shared/data/real")
    return REAL_DATA


@pytest.fixture(scope="session")
def built_db(tmp_path_factory) -> Path:
    """Path of a store holding the national territory and the demonstration offer."""
    path = tmp_path_factory.mktemp("store") / "accesoins.duckdb"
    store = open_store(path)
    try:
        build_all(store, PROJECT_ROOT / "node_modules")
    finally:
        store.close()
    return path


@pytest.fixture(scope="session")
def settings(built_db) -> Settings:
    return Settings(db_path=built_db, node_modules=PROJECT_ROOT / "node_modules")


@pytest.fixture(scope="session")
def store(built_db):
    """Read-only store shared by the session."""
    s = open_store(built_db, read_only=True)
    yield s
    s.close()


@pytest.fixture
def store_copy(built_db, tmp_path):
    """A writable copy of the built store, for tests that change it."""
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(built_db, path)
    s = open_store(path)
    yield s
    s.close()
