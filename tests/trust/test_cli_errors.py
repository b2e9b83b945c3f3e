"""Issue 12 item 8: every CLI error in the promised form — French, exit 2, no traceback, store unchanged.

The real entry point (``python -m accesoins.cli``) runs in a subprocess, as a user would run it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from accesoins.config import PROJECT_ROOT
from accesoins.store import open_store


def cli(*args, db: Path, timeout: float = 120, **env) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, ACCESOINS_DB=str(db), PYTHONPATH=str(PROJECT_ROOT / "src"), COLUMNS="200", **env)
    return subprocess.run([sys.executable, "-m", "accesoins.cli", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, cwd=str(PROJECT_ROOT))


def french_error(result, *needles):
    text = result.stdout + result.stderr
    assert result.returncode == 2, text
    assert "Traceback" not in text and "Error:" not in text.replace("Erreur", ""), text
    assert "Erreur" in text, text
    for n in needles:
        assert n in " ".join(text.split()), (n, text)


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "accesoins.duckdb"
    open_store(path).close()
    return path


def offer_rows(db: Path) -> int:
    s = open_store(db, read_only=True)
    try:
        return s.scalar("SELECT count(*) FROM offer")
    finally:
        s.close()


def test_a_directory_given_as_file(db, tmp_path):
    r = cli("import", "bpe", str(tmp_path), db=db)
    french_error(r, "dossier", str(tmp_path))
    assert offer_rows(db) == 0


def test_dev_zero_is_refused_at_once(db):
    t0 = time.perf_counter()
    r = cli("import", "bpe", "/dev/zero", db=db, timeout=30)
    french_error(r, "pas un fichier ordinaire", "/dev/zero")
    assert time.perf_counter() - t0 < 25


def test_unclosed_quote(built_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(built_db, db)
    before = offer_rows(db)
    f = tmp_path / "bpe.csv"
    f.write_text('CODGEO;LIBGEO;NB_D201\n15014;Aurillac;3\n15012;"Arpajon;2\n15187;Saint-Flour;4\n', encoding="utf-8")
    r = cli("import", "bpe", str(f), db=db)
    french_error(r, str(f), "ligne 3", "LIBGEO", "guillemet")
    assert offer_rows(db) == before


HOLD = textwrap.dedent("""
    import duckdb, sys, time
    con = duckdb.connect(sys.argv[1])
    print("held", flush=True)
    time.sleep(60)
""")


def hold(path: Path) -> subprocess.Popen:
    """Another process holding the database, as the server does."""
    p = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "held"
    return p


def test_import_while_the_server_holds_the_store(db, tmp_path):
    f = tmp_path / "bpe.csv"
    f.write_text("CODGEO;LIBGEO;NB_D201\n15014;Aurillac;3\n", encoding="utf-8")
    p = hold(db)
    try:
        r = cli("import", "bpe", str(f), db=db)
    finally:
        p.kill()
        p.wait()
    french_error(r, "ouverte par un autre processus", "rien n'a été modifié")
    assert offer_rows(db) == 0


def test_create_admin_while_the_server_holds_the_participation_store(db, tmp_path):
    part = tmp_path / "participation.duckdb"
    duckdb.connect(str(part)).close()
    p = hold(part)
    try:
        r = cli("participation", "create-admin", "--login", "admin2", "--password", "x" * 16, db=db,
                ACCESOINS_PARTICIPATION_DB=str(part))
    finally:
        p.kill()
        p.wait()
    french_error(r, "ouverte par un autre processus")
