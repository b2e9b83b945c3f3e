"""Shared fixtures: the national territory built once per test session.

The build reads the real registry packages installed by ``make test`` (no
network); it takes about 15 s and every test that needs the store shares it.
Tests that write get their own copy of the file.

The shared data (``../shared``, beside the project, never copied into it) is
reached only through the ``shared`` fixture and those built on it; its absence
fails loudly. No test may skip: a skip is turned into a failure, so that a
missing resource can never pass unnoticed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from accesoins.config import PROJECT_ROOT, Settings
from accesoins.services.data.build import build_all
from accesoins.store import open_store

SHARED = PROJECT_ROOT.parent / "shared"
REAL_DATA = SHARED / "data" / "real"
# Fixtures that reach data outside the unit tests' own fixtures; their tests get the
# ``needs_data`` mark (the mutation check runs without them).
DATA_FIXTURES = frozenset({"shared", "real_data", "real_communes", "built_db", "settings", "store", "store_copy"})


def _existing(path: Path) -> Path:
    if not path.is_dir():
        pytest.fail(f"{path} is missing: the shared test data lives in ../shared beside the project", pytrace=False)
    return path


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared folder beside the project (``../shared``): real data and formats."""
    return _existing(SHARED)


@pytest.fixture(scope="session")
def real_data(shared) -> Path:
    return _existing(shared / "data" / "real")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if DATA_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.needs_data)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid}: skipped ({_reason(report.longrepr)}), and no test may skip"
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    report = yield
    if report.skipped:
        report.outcome = "failed"
        report.longrepr = f"{collector.nodeid}: skipped at collection ({_reason(report.longrepr)}); no test may skip"
    return report


def _reason(longrepr) -> str:
    # a skip's longrepr is (path, line, "Skipped: reason")
    return longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)


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


@pytest.fixture(scope="module")
def client(settings):
    """The application on the shared store, served in-process (one per test module)."""
    from fastapi.testclient import TestClient

    from accesoins.api.app import create_app

    with TestClient(create_app(settings)) as c:
        yield c


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
