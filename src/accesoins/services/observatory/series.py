"""The Assurance Maladie's indicators as time series: national page, definitions, French CSV.

Reads the ``ameli_series`` table filled by ``accesoins import ameli`` (data.ameli.fr exports);
definitions, units and dataset pages come from ``rules/ameli.yaml``.
"""

from __future__ import annotations

import io

from ...errors import ParameterError
from ...indicators.ameli import ameli_rules
from ...store.db import Store
from ..data.territory import demo_notice

LEVEL_LABELS = {"france": "France", "region": "régions", "departement": "départements"}


def indicator_meta(indicator: str) -> dict:
    """Definition, unit and dataset of an indicator key (``effectif.medecins-generalistes`` → ``effectif``)."""
    known = ameli_rules()["indicators"]
    base = indicator.split(".")[0]
    if ".taux_evolution_annuel" in indicator:
        base = "taux_evolution_annuel"
    meta = known.get(base, {})
    return {"base": base, "unit": meta.get("unit", ""), "definition": meta.get("definition"),
            "dataset": meta.get("dataset"), "url": meta.get("url")}


def _sources(store: Store) -> list[dict]:
    return store.records("SELECT source_id, title, vintage, licence, url, file FROM sources "
                         "WHERE kind = 'indicators' AND source_id LIKE 'ameli:%' ORDER BY source_id")


def national(store: Store) -> dict:
    """Every indicator's national series (France rows), with its definition, source and coverage."""
    rows = store.records(
        "SELECT indicator, any_value(label) AS label, list(DISTINCT source_id) AS sources FROM ameli_series "
        "WHERE level = 'france' GROUP BY 1 ORDER BY 1")
    coverage = {(r["indicator"], r["level"]): r["n"] for r in store.records(
        "SELECT indicator, level, count(DISTINCT code) AS n FROM ameli_series GROUP BY 1, 2")}
    vintages = {s["source_id"]: s["vintage"] for s in _sources(store)}
    points: dict[str, list[dict]] = {}
    # each point names its dataset: an annual and an infra-annual export may meet in one series
    for r in store.records("SELECT indicator, period, value, source_id FROM ameli_series WHERE level = 'france' "
                           "ORDER BY indicator, period"):
        points.setdefault(r["indicator"], []).append(
            {"period": r["period"], "value": r["value"], "dataset": _dataset(r["source_id"]),
             "vintage": vintages.get(r["source_id"])})
    # the demography export crosses ~30 professions with age classes and sexes: the national page
    # keeps one series per profession, the detailed ones stay on the per-territory page and in the CSV
    detailed = [r for r in rows if _depth(r["indicator"]) > 1]
    indicators = []
    for r in (r for r in rows if _depth(r["indicator"]) <= 1):
        pts = points.get(r["indicator"], [])
        latest = next(({"period": p["period"], "value": p["value"]} for p in reversed(pts)
                       if p["value"] is not None), None)
        indicators.append({
            "indicator": r["indicator"], "label": r["label"], **indicator_meta(r["indicator"]),
            "points": pts, "latest": latest,
            "sources": [{"source_id": s, "vintage": vintages.get(s)} for s in sorted(r["sources"])],
            "coverage": {lvl: coverage.get((r["indicator"], lvl), 0) for lvl in LEVEL_LABELS}})
    return {"title": "Indicateurs de l'Assurance Maladie — France entière",
            "indicators": indicators, "detailed": len(detailed), "sources": _sources(store),
            "published": published_figures(), "demo_notice": demo_notice(store)}


def _dataset(source_id: str) -> str:
    """The data.ameli.fr dataset of a source id (``ameli:contrats-aide-assistantsmed-infra-annuelle``)."""
    return source_id.split(":", 1)[1] if ":" in source_id else source_id


def published_figures() -> dict:
    """National figures published without an export (``rules/ameli.yaml``, ``reperes_publies``)."""
    section = ameli_rules().get("reperes_publies") or {"items": []}
    return {"note": section.get("source_note"), "items": list(section["items"])}


def _depth(indicator: str) -> int:
    """Number of dimension parts of a key (``effectif.medecins-generalistes.moins-40.femmes`` → 3)."""
    return len([p for p in indicator.split(".")[1:] if p != "taux_evolution_annuel"])


def csv_bytes(store: Store, indicator: str, level: str | None = None, code: str | None = None) -> bytes:
    """One indicator's series as CSV, French convention: ``;`` separator, decimal comma, UTF-8 with BOM."""
    if not store.scalar("SELECT count(*) FROM ameli_series WHERE indicator = ?", [indicator]):
        raise ParameterError(f"série « {indicator} » inconnue")
    if level and level not in LEVEL_LABELS:
        raise ParameterError(f"niveau « {level} » inconnu : france, region ou departement")
    where, params = ["indicator = ?"], [indicator]
    for col, value in (("level", level), ("code", code)):
        if value:
            where.append(f"{col} = ?")
            params.append(value)
    data = store.df(
        "SELECT s.indicator AS indicateur, s.label AS libelle, s.level AS niveau, s.code, s.period AS periode, "
        "s.value AS valeur, src.vintage AS millesime, s.source_id AS source FROM ameli_series s "
        "LEFT JOIN sources src USING (source_id) WHERE " + " AND ".join(f"s.{w}" for w in where)
        + " ORDER BY niveau, code, periode", params)
    meta = indicator_meta(indicator)
    data["unite"] = meta["unit"]
    buf = io.StringIO()
    data.to_csv(buf, sep=";", decimal=",", index=False)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
