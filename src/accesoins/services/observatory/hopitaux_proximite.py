"""The list of labelled hôpitaux de proximité in the store: import (one transaction) and status.

The list covers France: an import replaces the previous list entirely, and nothing else but the
demonstration's fictitious hôpitaux de proximité (a real list now says which hospitals they are).
The list is read and validated entirely before the store is touched. Its FINESS numbers are then
« placed » when a FINESS offer site carries them (:mod:`.structures` types those sites
``hopital_proximite``); the others are reported, since the list may be newer than the FINESS
extraction, or the FINESS offer not imported yet.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from ...offer.hopitaux_proximite import list_rules, read_hopitaux_proximite
from ...store.db import Store
from ...store.territory import insert_frame

SOURCE_ID = "hopitaux_proximite"
KIND = "hopitaux_proximite"
TABLE = "hopitaux_proximite"
DEMO_SOURCE = "demo"
SHOWN = 20  # FINESS numbers not placed listed in the report


def has_table(store: Store) -> bool:
    """Whether the store has the list's table (a store older than migration 013 has not)."""
    return bool(store.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [TABLE]))


def import_hopitaux_proximite(store: Store, path: str | Path, *, vintage: str | None = None) -> dict[str, object]:
    """Import the list (CSV or XLSX), replacing the previous one; returns the import report."""
    hp = read_hopitaux_proximite(path)
    rows = hp.rows
    warnings = list(hp.warnings)
    dates = [d for d in rows["date_label"] if d is not None]
    if vintage is None:
        if dates:
            vintage = max(dates).isoformat()
        else:
            vintage = dt.date.fromtimestamp(Path(path).stat().st_mtime).isoformat()
            warnings.append(f"millésime pris à la date du fichier ({vintage}), faute de date de labellisation "
                            "dans la liste : précisez-le avec --vintage")
    src = list_rules()["source"]
    parameters = {"colonnes": hp.columns, "ligne_en_tete": hp.header_line, "feuille": hp.sheet,
                  "hypotheses": hp.assumptions, "statut_format": list_rules()["status"],
                  "numeros_completes": hp.padded, "doublons": hp.duplicates}
    frame = rows.assign(source_id=SOURCE_ID,
                        date_label=pd.to_datetime(rows["date_label"]).dt.date.astype("object"))
    frame["date_label"] = frame["date_label"].where(frame["date_label"].notna(), None)
    with store.transaction() as con:
        replaced = int(con.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0])
        con.execute(f"DELETE FROM {TABLE}")
        con.execute("DELETE FROM sources WHERE kind = ? OR source_id = ?", [KIND, SOURCE_ID])
        insert_frame(store, TABLE, frame, ["finess", "nom", "region", "date_label", "line", "source_id"])
        con.execute(
            "INSERT INTO sources (source_id, kind, title, vintage, licence, attribution, url, file, parameters, "
            "row_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [SOURCE_ID, KIND, src["title"], vintage, src["licence"], src["attribution"], src["url"], str(path),
             json.dumps(parameters, ensure_ascii=False, default=str), len(frame)])
        demo = int(con.execute("SELECT count(*) FROM offer WHERE source_id = ? AND category = 'hopital_proximite'",
                               [DEMO_SOURCE]).fetchone()[0])
        if demo:  # the real list says which hospitals are hôpitaux de proximité: no fictitious ones beside it
            con.execute("DELETE FROM offer WHERE source_id = ? AND category = 'hopital_proximite'", [DEMO_SOURCE])
            if not con.execute("SELECT count(*) FROM offer WHERE source_id = ?", [DEMO_SOURCE]).fetchone()[0]:
                con.execute("DELETE FROM sources WHERE source_id = ?", [DEMO_SOURCE])
    placed = _placed(store)
    missing = rows[~rows["finess"].isin(placed)]
    return {
        "source_id": SOURCE_ID, "title": src["title"], "file": str(path), "vintage": vintage,
        "rows": int(len(rows)), "replaced": replaced, "placed": int(len(rows) - len(missing)),
        "not_placed": int(len(missing)),
        "not_placed_sample": missing.head(SHOWN)[["finess", "nom", "line"]].to_dict("records"),
        "padded": hp.padded, "padded_sample": hp.padded_sample, "duplicates": hp.duplicates,
        "columns": hp.columns, "assumptions": hp.assumptions, "warnings": warnings,
        "replaced_demo_categories": ["hopital_proximite"] if demo else [], "replaced_demo_rows": demo,
        # the keys every import summary reads
        "remapped": 0, "rejected": len(hp.without_number), "remapped_sample": [], "rejected_sample": [],
    }


def _placed(store: Store) -> set[str]:
    return {r["site_id"] for r in store.records(
        f"SELECT DISTINCT o.site_id FROM offer o WHERE o.site_id IN (SELECT finess FROM {TABLE})")}


def list_status(store: Store, yaml_listed: int = 0) -> dict[str, object]:
    """Where the list of hôpitaux de proximité comes from, how many are listed and placed (for the pages)."""
    if not has_table(store) or not store.scalar(f"SELECT count(*) FROM {TABLE}"):
        message = "aucune liste importée : les hôpitaux de proximité ne sont pas identifiés"
        if yaml_listed:
            message += f" (hors des {yaml_listed} numéros FINESS de rules/structures.yaml)"
        return {"imported": False, "message": message, "listed": 0, "placed": 0, "yaml_listed": yaml_listed,
                "source": None, "millesime": None, "url": None,
                "commande": "accesoins import hopitaux-proximite FICHIER"}
    src = store.records("SELECT title, vintage, url, file, imported_at FROM sources WHERE source_id = ?",
                        [SOURCE_ID])
    meta = src[0] if src else {"title": None, "vintage": None, "url": None, "file": None, "imported_at": None}
    listed = int(store.scalar(f"SELECT count(DISTINCT finess) FROM {TABLE}"))
    placed = len(_placed(store))
    return {"imported": True, "listed": listed, "placed": placed, "yaml_listed": yaml_listed,
            "source": meta["title"], "millesime": meta["vintage"], "url": meta["url"],
            "fichier": Path(str(meta["file"])).name if meta["file"] else None,
            "importe_le": str(meta["imported_at"])[:10] if meta["imported_at"] else None,
            "statut_format": list_rules()["status"],
            "message": f"{listed} hôpitaux de proximité listés ({meta['title']}, {meta['vintage']}), dont {placed} "
                       "retrouvés dans l'offre FINESS importée"}


__all__ = ["import_hopitaux_proximite", "list_status", "has_table", "SOURCE_ID", "TABLE"]
