"""Computed results stored with their provenance, and read back for pages and exports.

A result is identified by its kind and a hash of its parameters: computing the
same thing again replaces it. Values are stored long (commune, name, value).
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd

from ... import __version__
from ...store.db import Store


def result_id(kind: str, params: dict[str, object]) -> str:
    digest = hashlib.sha1(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:12]
    return f"{kind}:{digest}"


def save_result(store: Store, kind: str, values: pd.DataFrame, *, params: dict[str, object],
                vintages: dict[str, object], is_demo: bool) -> str:
    """Store ``values`` (indexed by code_commune, one column per value) in one transaction."""
    rid = result_id(kind, params)
    long = values.rename_axis("code_commune").reset_index().melt(
        id_vars="code_commune", var_name="name", value_name="value"
    )
    long = long.assign(result_id=rid, value=pd.to_numeric(long["value"], errors="coerce"))
    long = long[["result_id", "code_commune", "name", "value"]]
    with store.transaction() as con:
        con.execute("DELETE FROM result_values WHERE result_id = ?", [rid])
        con.execute("DELETE FROM results WHERE result_id = ?", [rid])
        con.execute(
            "INSERT INTO results (result_id, kind, parameters, vintages, software_version, is_demo) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [rid, kind, json.dumps(params, default=str), json.dumps(vintages, default=str), __version__,
             is_demo],
        )
        con.execute("INSERT INTO result_values SELECT * FROM long")
    return rid


def load_result(store: Store, rid: str) -> tuple[pd.DataFrame, dict[str, object]]:
    """Values (wide, indexed by code_commune) and metadata of a stored result."""
    meta = store.records("SELECT * FROM results WHERE result_id = ?", [rid])
    if not meta:
        raise KeyError(rid)
    info = meta[0]
    info["parameters"] = json.loads(info["parameters"])
    info["vintages"] = json.loads(info["vintages"])
    long = store.df("SELECT code_commune, name, value FROM result_values WHERE result_id = ?", [rid])
    return long.pivot(index="code_commune", columns="name", values="value"), info
