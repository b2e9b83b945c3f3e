"""The DuckDB store: migrations, transactions, loading batches."""

from __future__ import annotations

import pandas as pd
import pytest

from accesoins.errors import NotBuiltError
from accesoins.offer.batch import OFFER_COLUMNS, ImportBatch
from accesoins.store import open_store
from accesoins.store.db import migrations
from accesoins.store.loading import load_batch


def _snapshot(store) -> dict[str, object]:
    tables = ["sources", "offer", "population_by_age", "import_log", "communes"]
    return {t: store.df(f"SELECT * FROM {t} ORDER BY ALL").to_csv() for t in tables}


def test_migrations_are_applied_once_and_recorded(tmp_path):
    store = open_store(tmp_path / "s.duckdb")
    version = migrations()[-1][0]
    assert store.schema_version() == version
    assert store.migrate() == []  # idempotent
    store.close()


def test_a_store_newer_than_the_code_is_refused(tmp_path):
    store = open_store(tmp_path / "s.duckdb")
    store.con.execute("INSERT INTO schema_migrations (version, name) VALUES (999, '999_future.sql')")
    store.close()
    with pytest.raises(NotBuiltError, match="plus récent"):
        open_store(tmp_path / "s.duckdb")


def test_transaction_rolls_back_everything(store_copy):
    before = _snapshot(store_copy)
    with pytest.raises(RuntimeError):
        with store_copy.transaction() as con:
            con.execute("DELETE FROM offer")
            raise RuntimeError("boom")
    assert _snapshot(store_copy) == before


def _batch(rows: pd.DataFrame, category="medecin_generaliste") -> ImportBatch:
    return ImportBatch(kind="offer", source="test", title="Test", vintage="2024", licence="LO",
                       attribution="test", file="t.csv", rows=rows)


def _rows(codes, category="medecin_generaliste"):
    return pd.DataFrame({"category": category, "code_commune": codes, "quantity": 1.0, "unit": "count",
                         "site_id": None, "name": None, "lat": None, "lon": None,
                         "attributes": None})[OFFER_COLUMNS]


def test_real_import_replaces_demo_rows_of_its_categories_only(store_copy):
    demo_gp = store_copy.scalar("SELECT count(*) FROM offer WHERE source_id='demo' AND category='medecin_generaliste'")
    demo_other = store_copy.scalar(
        "SELECT count(*) FROM offer WHERE source_id='demo' AND category<>'medecin_generaliste'")
    assert demo_gp > 10_000 and demo_other > 0
    report = load_batch(store_copy, _batch(_rows(["01001", "75056"])))
    assert report["replaced_demo_categories"] == ["medecin_generaliste"]
    assert store_copy.scalar("SELECT count(*) FROM offer WHERE category='medecin_generaliste'") == 2
    assert store_copy.scalar("SELECT count(*) FROM offer WHERE source_id='demo'") == demo_other
    # re-importing the same source replaces what the file covers (category × départements):
    # a file of the Ain replaces the Ain's row and leaves Paris's in place
    again = load_batch(store_copy, _batch(_rows(["01001"])))
    assert (again["added"], again["replaced"], again["left_in_place"]) == (1, 1, 1)
    assert store_copy.scalar("SELECT count(*) FROM offer WHERE category='medecin_generaliste'") == 2
    load_batch(store_copy, _batch(_rows(["01001", "75056"])))  # idempotent
    assert store_copy.scalar("SELECT count(*) FROM offer WHERE category='medecin_generaliste'") == 2
    assert store_copy.scalar("SELECT count(*) FROM import_log WHERE source_id = 'test:2024'") == 3


def test_a_failing_load_leaves_the_store_unchanged(store_copy):
    before = _snapshot(store_copy)
    bad = _rows(["01001"]).assign(quantity=[None])  # NOT NULL violated inside the transaction
    with pytest.raises(Exception):  # noqa: B017 - DuckDB's constraint error
        load_batch(store_copy, _batch(bad))
    assert _snapshot(store_copy) == before
