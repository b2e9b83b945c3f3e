"""Fixtures of the participation tests (helpers live in ``phelpers``, a name no other folder uses)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from phelpers import make_app


@pytest.fixture
def papp():
    return make_app()


@pytest.fixture
def client(papp):
    with TestClient(papp) as c:
        yield c
