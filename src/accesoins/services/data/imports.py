"""Importing a file into the store: read, validate, then write in one transaction.

The reader runs entirely before the store is touched, and the write is one
transaction, so a bad file leaves the store exactly as it was.
"""

from __future__ import annotations

from pathlib import Path

from ...errors import ParameterError
from ...offer import bpe, finess, finess_plus, generic, population, rpps
from ...offer._csv import load_rules
from ...store.db import Store
from ...store.loading import load_batch
from ...store.territory import commune_index, commune_locator

KINDS = ("bpe", "finess", "finess-plus", "finess-atlasante", "rpps", "population", "generic", "ameli", "drees-apl",
         "hopitaux-proximite")


def import_file(store: Store, kind: str, path: str | Path, *, skip_unknown: bool = False,
                vintage: str | None = None, **options: object) -> dict[str, object]:
    """Import ``path`` with the importer ``kind``; returns the import report.

    ``options`` go to the generic importer (``mapping``, ``wide``, ``category``,
    ``unit``, ``title``, ``licence``, ``attribution``); ``preset`` names a
    wide layout of ``rules/categories.yaml`` (e.g. ``sirene_naf86``).
    ``finess`` reads the Etalab CSV or, for a ``.json`` file, FINESS+ (as ``finess-plus``).

    The report (see :func:`~accesoins.store.loading.load_batch`) says what the file
    added, replaced and left in place, the rows of collectivities outside the
    territory (``outside_territory``) and of out-of-scope types (``out_of_scope``).
    """
    if kind not in KINDS:
        raise ParameterError(f"type d'import « {kind} » inconnu ; types possibles : {', '.join(KINDS)}")
    if kind == "ameli":
        return import_ameli(store, path, vintage=vintage)
    if kind == "drees-apl":  # an official reference indicator, not offer: its own table
        from ..observatory.references import import_drees_apl

        return import_drees_apl(store, path, vintage=vintage, skip_unknown=skip_unknown)
    if kind == "hopitaux-proximite":  # a list of FINESS numbers labelled by the ARS: its own table
        from ..observatory.hopitaux_proximite import import_hopitaux_proximite

        return import_hopitaux_proximite(store, path, vintage=vintage)
    keep = options.pop("categories", None)  # national build: each category from one source
    index = commune_index(store)
    common = {"communes": index, "skip_unknown": skip_unknown, "vintage": vintage}
    if kind == "bpe":
        batch = bpe.read_bpe(path, **common)
    elif kind == "finess":
        batch = finess.read_finess(path, **common)
    elif kind == "finess-plus":
        batch = finess_plus.read_finess_plus(path, **common)
    elif kind == "finess-atlasante":
        batch = finess.read_finess_atlasante(path, locate=commune_locator(store), **common)
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
        batch = generic.read_generic(path, locate=commune_locator(store), **common, **options)
    if keep is not None and batch.kind == "offer":
        left = sorted(set(batch.rows["category"]) - set(keep))
        if left:
            batch.rows = batch.rows[batch.rows["category"].isin(keep)].reset_index(drop=True)
            batch.warnings.append("catégories laissées à d'autres sources (rules/sources.yaml) : " + ", ".join(left))
    report = load_batch(store, batch)
    report["title"] = batch.title
    report["vintage"] = batch.vintage
    report["remapped_sample"] = batch.remapped.head(10).to_dict(orient="records")
    report["rejected_sample"] = batch.rejected.head(10).to_dict(orient="records")
    return report


def import_ameli(store: Store, path: str | Path, *, vintage: str | None = None) -> dict[str, object]:
    """Store the time series of one data.ameli.fr export (replacing the same file's series)."""
    import json

    from ...indicators.ameli import ameli_rules, read_ameli_series
    from ...store.territory import insert_frame

    store.require_territory()
    deps = {r["code_departement"] for r in store.records("SELECT code_departement FROM departements")}
    regs = {r["code_region"] for r in store.records("SELECT code_region FROM regions")}
    series = read_ameli_series(path, departements=deps, regions=regs)
    periods = sorted(series["period"].unique())
    sid = f"ameli:{Path(path).stem}"
    meta = ameli_rules()["source"]
    with store.transaction() as con:
        con.execute("DELETE FROM ameli_series WHERE source_id = ?", [sid])
        con.execute("DELETE FROM sources WHERE source_id = ?", [sid])
        insert_frame(store, "ameli_series", series.assign(source_id=sid),
                     ["source_id", "indicator", "label", "level", "code", "period", "value"])
        con.execute(
            "INSERT INTO sources (source_id, kind, title, vintage, licence, attribution, url, file, parameters, "
            "row_count) VALUES (?, 'indicators', ?, ?, ?, ?, ?, ?, ?, ?)",
            [sid, meta["title"], vintage or f"{periods[0]} – {periods[-1]}", meta["licence"],
             "Assurance Maladie (Cnam), données ouvertes", meta["url"], str(path),
             json.dumps({"indicators": sorted(series["indicator"].unique())}), len(series)])
    return {"source_id": sid, "title": meta["title"], "vintage": vintage or f"{periods[0]} – {periods[-1]}",
            "rows": int(len(series)), "added": int(len(series)), "replaced": 0, "left_in_place": 0,
            "outside_territory": {}, "out_of_scope": {}, "remapped": 0,
            "rejected": int(series.attrs.get("skipped", 0)), "warnings": _ameli_warnings(series),
            "replaced_demo_categories": [], "remapped_sample": [], "rejected_sample": [],
            "indicators": sorted(series["indicator"].unique()), "periods": periods}


def _ameli_warnings(series) -> list[str]:
    """What the data.ameli.fr reader left out or found masked, for the import summary."""
    out = []
    if series.attrs.get("skipped"):
        out.append(f"{series.attrs['skipped']} lignes de territoire « inconnu » écartées")
    if series.attrs.get("masked"):
        out.append(f"{series.attrs['masked']} valeurs masquées (NC, NS, secret statistique) laissées vides")
    if series.attrs.get("dimensions"):
        out.append("dimensions lues comme parties de l'indicateur : " + ", ".join(series.attrs["dimensions"]))
    return out
