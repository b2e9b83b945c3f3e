"""Writing an importer's :class:`~accesoins.offer.batch.ImportBatch` in one transaction.

A batch replaces the rows of the same source (re-importing a file is
idempotent) and the demonstration rows of the categories it brings: real data
takes over as soon as it arrives.
"""

from __future__ import annotations

import json

import pandas as pd

from ..offer.batch import OFFER_COLUMNS, POPULATION_COLUMNS, ImportBatch
from .db import Store
from .territory import insert_frame

DEMO_SOURCE = "demo"


def source_id(batch: ImportBatch) -> str:
    return DEMO_SOURCE if batch.source == DEMO_SOURCE else f"{batch.source}:{batch.vintage}"


def load_batch(store: Store, batch: ImportBatch) -> dict[str, object]:
    """Store ``batch`` atomically; returns the import report."""
    store.require_territory()
    sid = source_id(batch)
    table, columns = {
        "offer": ("offer", OFFER_COLUMNS),
        "population_by_age": ("population_by_age", POPULATION_COLUMNS),
    }[batch.kind]
    rows = batch.rows.assign(source_id=sid)
    report = {
        "source_id": sid,
        "file": batch.file,
        "rows": int(len(rows)),
        "remapped": int(len(batch.remapped)),
        "rejected": int(len(batch.rejected)),
        "warnings": batch.warnings,
        "replaced_demo_categories": [],
    }
    with store.transaction() as con:
        con.execute(f"DELETE FROM {table} WHERE source_id = ?", [sid])
        con.execute("DELETE FROM sources WHERE source_id = ?", [sid])
        is_demo = sid == DEMO_SOURCE
        if batch.kind == "offer" and not is_demo:
            cats = sorted(rows["category"].unique().tolist())
            demo = con.execute(
                "SELECT DISTINCT category FROM offer WHERE source_id = ? AND list_contains(?, category)",
                [DEMO_SOURCE, cats],
            ).fetchall()
            report["replaced_demo_categories"] = [c for (c,) in demo]
            con.execute(
                "DELETE FROM offer WHERE source_id = ? AND list_contains(?, category)",
                [DEMO_SOURCE, cats],
            )
            if not con.execute("SELECT count(*) FROM offer WHERE source_id = ?", [DEMO_SOURCE]).fetchone()[0]:
                con.execute("DELETE FROM sources WHERE source_id = ?", [DEMO_SOURCE])
        insert_frame(store, table, rows, ["source_id", *columns])
        con.execute(
            "INSERT INTO sources (source_id, kind, title, vintage, licence, attribution, file, "
            "parameters, row_count, is_demo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [sid, batch.kind, batch.title, batch.vintage, batch.licence, batch.attribution,
             batch.file, json.dumps(batch.parameters, default=str), len(rows), is_demo],
        )
        next_id = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM import_log").fetchone()[0]
        con.execute(
            "INSERT INTO import_log (import_id, source_id, file, rows, remapped, rejected, report) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [next_id, sid, batch.file, len(rows), len(batch.remapped), len(batch.rejected),
             json.dumps(report, default=str)],
        )
    return report


def offer_frame(store: Store, category: str | None = None) -> pd.DataFrame:
    """The stored offer, optionally of one category, with its source's demo flag."""
    sql = (
        "SELECT o.*, s.is_demo, s.vintage FROM offer o JOIN sources s USING (source_id)"
        + (" WHERE o.category = ?" if category else "")
    )
    return store.df(sql, [category] if category else [])
