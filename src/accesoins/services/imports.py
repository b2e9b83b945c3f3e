"""Importing a file into the store: read, validate, then write in one transaction.

The reader runs entirely before the store is touched, and the write is one
transaction, so a bad file leaves the store exactly as it was.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ParameterError
from ..offer import bpe, finess, generic, population, rpps
from ..offer._csv import load_rules
from ..store.db import Store
from ..store.loading import load_batch
from ..store.territory import commune_index
from ..territory.locate import CommuneLocator

KINDS = ("bpe", "finess", "finess-atlasante", "rpps", "population", "generic")


def import_file(store: Store, kind: str, path: str | Path, *, skip_unknown: bool = False,
                vintage: str | None = None, **options: object) -> dict[str, object]:
    """Import ``path`` with the importer ``kind``; returns the import report.

    ``options`` go to the generic importer (``mapping``, ``wide``, ``category``,
    ``unit``, ``title``, ``licence``, ``attribution``); ``preset`` names a
    wide layout of ``rules/categories.yaml`` (e.g. ``sirene_naf86``).
    """
    if kind not in KINDS:
        raise ParameterError(f"type d'import « {kind} » inconnu ; types possibles : {', '.join(KINDS)}")
    index = commune_index(store)
    common = {"communes": index, "skip_unknown": skip_unknown, "vintage": vintage}
    if kind == "bpe":
        batch = bpe.read_bpe(path, **common)
    elif kind == "finess":
        batch = finess.read_finess(path, **common)
    elif kind == "finess-atlasante":
        batch = finess.read_finess_atlasante(path, locate=CommuneLocator.from_store(store), **common)
    elif kind == "rpps":
        batch = rpps.read_rpps(path, **common)
    elif kind == "population":
        batch = population.read_population_by_age(path, **common)
    else:
        options = {k: v for k, v in options.items() if v is not None}
        preset = options.pop("preset", None)
        if preset:
            rules = load_rules()["sources"]
            if preset not in rules or "wide_columns" not in rules[preset]:
                raise ParameterError(f"préréglage « {preset} » inconnu dans rules/categories.yaml")
            rule = rules[preset]
            options.setdefault("wide", rule["wide_columns"])
            options.setdefault("unit", rule.get("unit"))
            options.setdefault("source", preset)
            options.setdefault("title", rule["title"])
            if rule.get("commune_column"):
                options.setdefault("mapping", {"code_commune": rule["commune_column"]})
        batch = generic.read_generic(path, locate=CommuneLocator.from_store(store), **common, **options)
    report = load_batch(store, batch)
    report["title"] = batch.title
    report["vintage"] = batch.vintage
    report["remapped_sample"] = batch.remapped.head(10).to_dict(orient="records")
    report["rejected_sample"] = batch.rejected.head(10).to_dict(orient="records")
    return report
