"""Writing an importer's :class:`~accesoins.offer.batch.ImportBatch` in one transaction.

A batch replaces only what it covers. Rows of the same source (kind and vintage,
e.g. ``bpe:2023``) are replaced for the categories the file carries and in the
départements where it has rows, and nothing else: importing the BPE maternities
after the BPE GPs keeps the GPs; re-importing a file is idempotent; a file of one
département leaves the others in place. Demonstration rows of the categories a
real file brings are removed (real data takes over as soon as it arrives).

Before writing, the national total of each category is checked against the
plausible bounds of ``rules/import_bounds.yaml``. The report says what was added,
replaced and left in place.
"""

from __future__ import annotations

import json

import pandas as pd

from ..errors import InputError
from ..offer._csv import load_rules_file
from ..offer.batch import OFFER_COLUMNS, POPULATION_COLUMNS, ImportBatch
from .db import Store
from .territory import insert_frame, place_city_rows

DEMO_SOURCE = "demo"


def source_id(batch: ImportBatch) -> str:
    return DEMO_SOURCE if batch.source == DEMO_SOURCE else f"{batch.source}:{batch.vintage}"


def check_bounds(batch: ImportBatch) -> None:
    """Raise when a category's total in ``batch`` exceeds its plausible national maximum."""
    if batch.kind != "offer" or batch.rows.empty:
        return
    bounds = load_rules_file("import_bounds.yaml")["per_category_total"]
    totals = batch.rows.groupby("category")["quantity"].sum()
    for category, total in totals.items():
        limit = float(bounds.get(category, bounds["default"]))
        if not total <= limit:  # also catches NaN and inf
            raise InputError(
                f"total de la catégorie « {category} » ({total:,.0f}) hors des bornes plausibles "
                f"(au plus {limit:,.0f} pour la France entière, rules/import_bounds.yaml) : "
                "colonne inversée, unité erronée ou valeur corrompue ?".replace(",", "\u202f"),
                file=batch.file,
                field="quantity",
            )


def _coverage(con, table: str, rows: pd.DataFrame, kind: str) -> tuple[list[str], list[str]]:
    """Categories (offer only) and départements the batch carries."""
    cats = sorted(rows["category"].unique().tolist()) if kind == "offer" else []
    codes = sorted(rows["code_commune"].unique().tolist())
    deps = con.execute(
        "SELECT DISTINCT code_departement FROM territory_units WHERE list_contains(?, code_commune) "
        "OR list_contains(?, code_parent)", [codes, codes]
    ).fetchall()
    return cats, sorted(d for (d,) in deps)


def _covered_sql(kind: str) -> str:
    """WHERE clause of the earlier rows of a source that a batch covers."""
    cat = "list_contains(?, category) AND " if kind == "offer" else ""
    return (f"source_id = ? AND {cat}code_commune IN "
            "(SELECT code_commune FROM territory_units WHERE list_contains(?, code_departement) UNION ALL "
            "SELECT code_parent FROM territory_units WHERE list_contains(?, code_departement))")


def load_batch(store: Store, batch: ImportBatch) -> dict[str, object]:
    """Store ``batch`` atomically; returns the import report.

    The report holds ``added`` (rows written), ``replaced`` (earlier rows of the same
    source covered by this file, deleted), ``left_in_place`` (earlier rows of the same
    source outside its coverage, kept), ``covered_categories`` and
    ``covered_departements``, ``outside_territory`` (rows by collectivity) and
    ``out_of_scope`` (rows by excluded type), besides the counts of remapped and
    rejected lines.
    """
    store.require_territory()
    check_bounds(batch)
    from ..offer.arrondissements import summary_line

    # lines given for a whole city stay as the file gives them; the engine places them by the rule
    # of rules/arrondissements.yaml when it computes (services.inputs), and the summary says how
    quantity = "quantity" if batch.kind == "offer" else "population"
    _, arrondissements = place_city_rows(store, batch.rows, quantity=quantity)
    warnings = list(batch.warnings)
    if summary_line(arrondissements):
        warnings.append(summary_line(arrondissements))
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
        "added": int(len(rows)),
        "replaced": 0,
        "left_in_place": 0,
        "covered_categories": [],
        "covered_departements": 0,
        "remapped": int(len(batch.remapped)),
        "rejected": int(len(batch.rejected)),
        "outside_territory": batch.outside_counts(),
        "out_of_scope": dict(batch.out_of_scope),
        "warnings": warnings,
        "replaced_demo_categories": [],
        "arrondissements": arrondissements,
    }
    is_demo = sid == DEMO_SOURCE
    with store.transaction() as con:
        cats, deps = _coverage(con, table, rows, batch.kind)
        report["covered_categories"] = cats
        report["covered_departements"] = len(deps)
        where = _covered_sql(batch.kind)
        params = [sid, cats, deps, deps] if batch.kind == "offer" else [sid, deps, deps]
        report["replaced"] = int(con.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()[0])
        con.execute(f"DELETE FROM {table} WHERE {where}", params)
        report["left_in_place"] = int(
            con.execute(f"SELECT count(*) FROM {table} WHERE source_id = ?", [sid]).fetchone()[0]
        )
        previous = con.execute("SELECT file, parameters FROM sources WHERE source_id = ?", [sid]).fetchone()
        con.execute("DELETE FROM sources WHERE source_id = ?", [sid])
        if batch.kind == "offer" and not is_demo:
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
        files = _files(previous, report["left_in_place"], batch, cats, len(deps), len(rows))
        parameters = {**batch.parameters, "files": files}
        total = con.execute(f"SELECT count(*) FROM {table} WHERE source_id = ?", [sid]).fetchone()[0]
        con.execute(
            "INSERT INTO sources (source_id, kind, title, vintage, licence, attribution, file, "
            "parameters, row_count, is_demo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [sid, batch.kind, batch.title, batch.vintage, batch.licence, batch.attribution,
             " ; ".join(f["file"] for f in files), json.dumps(parameters, default=str), total, is_demo],
        )
        next_id = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM import_log").fetchone()[0]
        con.execute(
            "INSERT INTO import_log (import_id, source_id, file, rows, remapped, rejected, report) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [next_id, sid, batch.file, len(rows), len(batch.remapped), len(batch.rejected),
             json.dumps(report, default=str)],
        )
    return report


def _files(previous, left: int, batch: ImportBatch, cats: list[str], n_deps: int, n_rows: int) -> list[dict]:
    """Files whose rows the source holds after this import (provenance of a multi-file source)."""
    earlier: list[dict] = []
    if previous is not None and left:
        params = json.loads(previous[1]) if previous[1] else {}
        earlier = params.get("files") or [{"file": previous[0], "categories": None}]
        # rows do not record their file: an earlier file stays listed unless this one
        # carries all of its categories (then its remaining rows, if any, are elsewhere
        # in the territory and the summary's left_in_place counts them)
        earlier = [
            f for f in earlier
            if f.get("file") != batch.file and not set(f.get("categories") or ["?"]) <= set(cats)
        ]
    return [*earlier, {"file": batch.file, "categories": cats, "departements": n_deps, "rows": n_rows}]


def offer_frame(store: Store, category: str | None = None) -> pd.DataFrame:
    """The stored offer, optionally of one category, with its source's demo flag."""
    sql = (
        "SELECT o.*, s.is_demo, s.vintage FROM offer o JOIN sources s USING (source_id)"
        + (" WHERE o.category = ?" if category else "")
    )
    return store.df(sql, [category] if category else [])
