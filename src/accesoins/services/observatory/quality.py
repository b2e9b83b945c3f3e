"""Official quality indicators per establishment (HAS open data), stored with their vintage and
source, and shown beside the platform's own PREMS/PROMS in the four families of the patient
associations' proposal: activité, pratiques organisationnelles, expérience patient, résultats.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from ...errors import CommuneNotFound, ParameterError
from ...offer.has_quality import family_of, has_rules, read_metadata, read_values
from ...store.db import Store
from ...store.territory import insert_frame


class EstablishmentNotFound(CommuneNotFound):
    """No quality indicator for this FINESS number (answered 404, like an unknown commune)."""


FAMILY_ORDER = ("activite", "pratiques", "experience", "resultats", "autres")
_FINESS = re.compile(r"^(?:\d{2}|2A|2B)\d{7}$")


def import_has(store: Store, values: str | Path, metadata: str | Path | None = None, *,
               vintage: str | None = None) -> dict:
    """Store one HAS values file (and its indicators' metadata), replacing the same file's rows."""
    frame = read_values(values)
    meta = read_metadata(metadata) if metadata else None
    sid = f"has:{Path(values).stem}"
    src = has_rules()["source"]
    years = sorted(frame["year"].unique())
    vintage = vintage or (years[0] if len(years) == 1 else f"{years[0]} – {years[-1]}")
    if meta is None:
        keys = sorted(frame["indicator"].unique())
        meta = pd.DataFrame({"indicator": keys, "title": None, "description": None, "kind": None,
                             "origin": None, "family": [family_of(k) for k in keys]})
    unknown = sorted(set(frame["indicator"]) - set(meta["indicator"]))
    with store.transaction() as con:
        con.execute("DELETE FROM has_quality_values WHERE source_id = ?", [sid])
        con.execute("DELETE FROM has_quality_meta WHERE source_id = ?", [sid])
        con.execute("DELETE FROM sources WHERE source_id = ?", [sid])
        insert_frame(store, "has_quality_values", frame.assign(source_id=sid),
                     ["source_id", "finess", "finess_type", "indicator", "year", "value", "text", "missing"])
        insert_frame(store, "has_quality_meta", meta.assign(source_id=sid),
                     ["source_id", "indicator", "title", "description", "kind", "origin", "family"])
        con.execute(
            "INSERT INTO sources (source_id, kind, title, vintage, licence, attribution, url, file, parameters, "
            "row_count) VALUES (?, 'quality', ?, ?, ?, ?, ?, ?, ?, ?)",
            [sid, src["title"], vintage, src["licence"], "Haute Autorité de santé (HAS), données ouvertes",
             src["url"], str(values), json.dumps({"metadata": str(metadata) if metadata else None}), len(frame)])
    families = meta.set_index("indicator")["family"].value_counts().to_dict()
    return {"source_id": sid, "vintage": vintage, "rows": int(len(frame)),
            "establishments": int(frame["finess"].nunique()), "indicators": int(frame["indicator"].nunique()),
            "years": years, "families": families, "without_metadata": unknown,
            "missing": int(frame["missing"].notna().sum())}


def establishments(store: Store) -> dict:
    """Every establishment with official indicators: FINESS, name (from the offer), counts, years."""
    rows = store.records(
        "SELECT v.finess, any_value(o.name) AS name, any_value(o.code_commune) AS code_commune, "
        "count(DISTINCT v.indicator) AS indicators, min(v.year) AS first, max(v.year) AS last "
        "FROM has_quality_values v LEFT JOIN offer o ON o.site_id = v.finess GROUP BY v.finess ORDER BY v.finess")
    return {"title": "Qualité des établissements : indicateurs officiels et résultats des patients",
            "establishments": rows, "sources": _sources(store)}


def _sources(store: Store) -> list[dict]:
    return store.records("SELECT source_id, title, vintage, licence, url FROM sources WHERE kind = 'quality' "
                         "ORDER BY source_id")


def official(store: Store, finess: str) -> dict[str, list[dict]]:
    """The HAS indicators of one establishment by family, latest year first within each indicator."""
    rows = store.records(
        "SELECT v.indicator, v.year, v.value, v.text, v.missing, v.finess_type, m.title, m.description, m.origin, "
        "coalesce(m.family, 'autres') AS family, s.vintage, s.title AS source_title, s.url AS source_url "
        "FROM has_quality_values v LEFT JOIN has_quality_meta m USING (source_id, indicator) "
        "JOIN sources s USING (source_id) WHERE v.finess = ? ORDER BY family, v.indicator, v.year DESC", [finess])
    out: dict[str, list[dict]] = {f: [] for f in FAMILY_ORDER}
    for r in rows:
        out[r["family"]].append(r)
    return out


def establishment(store: Store, finess: str, platform: dict | None) -> dict:
    """One establishment: the HAS indicators and the platform's PREMS/PROMS, in four families.

    ``platform`` is the participation site page of the same FINESS number (or None when the
    participation database is not available); its PREMS go with « expérience patient », its
    PROMS with « résultats ».
    """
    finess = (finess or "").strip().upper()
    if not _FINESS.match(finess):
        raise ParameterError(f"numéro FINESS invalide « {finess} » : 9 caractères, département puis 7 chiffres")
    found = official(store, finess)
    if not any(found.values()) and not (platform and _has_platform_results(platform)):
        raise EstablishmentNotFound(f"aucun indicateur de qualité pour l'établissement FINESS {finess}")
    labels = {f["id"]: f["label"] for f in has_rules()["familles"]}
    labels["autres"] = has_rules()["autres"]
    pf = (platform or {}).get("families", {})
    platform_items = {"experience": pf.get("experience", {}).get("items", []),
                      "resultats": pf.get("outcomes", {}).get("items", [])}
    families = [{"id": f, "label": labels[f], "official": found[f],
                 "platform": platform_items.get(f, []),
                 "platform_kind": {"experience": "PREMS", "resultats": "PROMS"}.get(f)}
                for f in FAMILY_ORDER if f != "autres" or found[f]]
    site = (platform or {}).get("site") or {}
    name = site.get("name") or next((r["name"] for r in store.records(
        "SELECT name FROM offer WHERE site_id = ? LIMIT 1", [finess])), None)
    return {"title": f"Qualité — {name or 'établissement ' + finess}", "finess": finess, "name": name,
            "site": site, "families": families,
            "platform_notice": (platform or {}).get("notice"),
            "platform_available": platform is not None,
            "sources": _sources(store)}


def _has_platform_results(platform: dict) -> bool:
    fams = platform.get("families", {})
    return any(i.get("published") for f in ("experience", "outcomes") for i in fams.get(f, {}).get("items", []))
