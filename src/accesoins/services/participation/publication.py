"""What is published: indicators under the disclosure policy, the site, territory and overview pages."""

from __future__ import annotations

import json
import re

from ...errors import InputError
from ...experience import rules
from ...experience.indicators import Policy, Response, publish
from ...experience.sites import normalise_site
from ...participation_store import ParticipationStore
from .common import (
    NotFound,
    quarter_of,
)
from .questionnaires import published, scoring_definitions
from .responses import seal_closed_quarters, site_location


def _responses(ps: ParticipationStore) -> list[Response]:
    """The counted responses of sealed quarters, located as they were when their quarter closed."""
    rows = ps.cursor().records(
        "SELECT response_id, questionnaire_id, version, site_id, quarter, answers, code_commune, code_departement "
        "FROM responses WHERE counted AND quarter IN (SELECT quarter FROM sealed_quarters)"
    )
    return [
        Response(
            r["response_id"],
            r["questionnaire_id"],
            r["version"],
            r["site_id"],
            r["code_commune"],
            r["code_departement"],
            r["quarter"],
            json.loads(r["answers"]) if isinstance(r["answers"], str) else r["answers"],
        )
        for r in rows
    ]


def policy() -> Policy:
    """The disclosure model's parameters, from ``thresholds.yaml``."""
    return Policy(
        k=rules.value("disclosure.min_responses"),
        confidence=rules.value("disclosure.confidence_level"),
        count_base=rules.value("disclosure.count_base"),
        value_step=rules.value("disclosure.value_step"),
        coalition=rules.value("disclosure.coalition"),
    )


def publication(ps: ParticipationStore, main) -> dict[str, dict[tuple, dict]]:
    """Every publishable aggregate of every published questionnaire: questionnaire id → cell → indicators.

    Only sealed (closed) quarters are published; sealing happens here when a quarter has ended.
    """
    seal_closed_quarters(ps, main)
    current = quarter_of(ps.today())
    responses = _responses(ps)
    defs = scoring_definitions(ps)
    pol = policy()
    return {q.questionnaire_id: publish(responses, q, defs, pol, current) for q in published(ps)}


def _latest(cells: dict[tuple, dict], prefix: tuple) -> dict | None:
    """The most recent published quarter of the cell ``prefix + (quarter,)``, with its quarter."""
    found = sorted((key[-1], v) for key, v in cells.items() if key[:-1] == prefix)
    return {**found[-1][1], "quarter": found[-1][0]} if found else None


FAMILY_NOTES = {
    "activity": (
        "Volumes d'activité",
        "Non disponible : aucune source d'activité (SAE, PMSI) n'est chargée dans cette instance.",
    ),
    "practices": (
        "Pratiques organisationnelles",
        "Non disponible : aucune source d'indicateurs de pratiques (IQSS de la HAS, certification) "
        "n'est chargée dans cette instance.",
    ),
}


def _family(questionnaires, pub, key, kind: str) -> list[dict]:
    out = []
    for q in questionnaires:
        if q.kind != kind:
            continue
        cell = _latest(pub.get(q.questionnaire_id, {}), key)
        out.append(
            {"questionnaire_id": q.questionnaire_id, "title": q.title, "published": cell is not None, **(cell or {})}
        )
    return out


def _notice(k: int) -> str:
    return (
        f"Les résultats sont publiés par trimestre clos, à partir de {k} répondants distincts, jamais "
        "lorsqu'un petit effectif pourrait se déduire par différence entre deux résultats publiés ; "
        "les effectifs sont arrondis à 5."
    )


def site_page(ps: ParticipationStore, main, raw_site: str) -> dict:
    """The four families of quality indicators of one site, side by side, and its quarterly trend."""
    site_id, kind = normalise_site(raw_site)
    k = rules.value("disclosure.min_responses")
    loc = site_location(ps, main, site_id)
    qs = published(ps)
    pub = publication(ps, main)
    key = ("site", site_id)
    trend = []
    for q in qs:
        cells = sorted(
            (c[2], v) for c, v in pub.get(q.questionnaire_id, {}).items() if c[0] == "site" and c[1] == site_id
        )
        trend.append(
            {
                "questionnaire_id": q.questionnaire_id,
                "title": q.title,
                "quarters": [{"quarter": quarter, "n": v["n"], "score": v["score"]} for quarter, v in cells],
            }
        )
    return {
        "title": f"Qualité perçue — {loc['name'] or site_id}",
        "site": {**loc, "kind": kind},
        "threshold": k,
        "notice": _notice(k),
        "families": {
            "activity": {"label": FAMILY_NOTES["activity"][0], "available": False, "note": FAMILY_NOTES["activity"][1]},
            "practices": {
                "label": FAMILY_NOTES["practices"][0],
                "available": False,
                "note": FAMILY_NOTES["practices"][1],
            },
            "experience": {
                "label": "Expérience et satisfaction (PREMS)",
                "available": True,
                "items": _family(qs, pub, key, "PREMS"),
            },
            "outcomes": {
                "label": "Résultats de santé rapportés par les patients (PROMS)",
                "available": True,
                "items": _family(qs, pub, key, "PROMS"),
            },
        },
        "trend": trend,
        "questionnaires": [{"id": q.questionnaire_id, "title": q.title, "kind": q.kind} for q in qs],
        "demo_notice": None,
    }


def territory_page(ps: ParticipationStore, main, level: str, code: str) -> dict:
    """Indicators of a commune or a département (all time; trends are published per site only)."""
    if level not in ("commune", "departement"):
        raise NotFound("Niveau de territoire inconnu : commune ou departement.")
    if not re.match(r"^[0-9AB]{2,5}$", code or ""):
        raise InputError("Code de territoire invalide.", field="code")
    k = rules.value("disclosure.min_responses")
    qs = published(ps)
    pub = publication(ps, main)
    key = (level, code)
    sites = sorted(
        {
            c[1]
            for q in qs
            for c in pub.get(q.questionnaire_id, {})
            if c[0] == "site" and _site_in(ps, main, c[1], level, code)
        }
    )
    name = None
    if main is not None:
        try:
            table, col = ("communes", "code_commune") if level == "commune" else ("departements", "code_departement")
            name = main.scalar(f"SELECT nom FROM {table} WHERE {col} = ?", [code])
        except Exception:  # noqa: BLE001
            name = None
    label = "Commune" if level == "commune" else "Département"
    return {
        "title": f"Qualité perçue — {label} {name or code}",
        "territory": {"level": level, "code": code, "name": name},
        "threshold": k,
        "notice": _notice(k),
        "experience": _family(qs, pub, key, "PREMS"),
        "outcomes": _family(qs, pub, key, "PROMS"),
        "sites": sites,
        "demo_notice": None,
    }


def _site_in(ps, main, site_id, level, code) -> bool:
    loc = site_location(ps, main, site_id)
    return loc["code_commune" if level == "commune" else "code_departement"] == code


def overview(ps: ParticipationStore, main) -> dict:
    """The participation home: questionnaires open to answers, national results when publishable."""
    k = rules.value("disclosure.min_responses")
    qs = published(ps)
    pub = publication(ps, main)
    return {
        "title": "Expérience des patients et participation",
        "threshold": k,
        "notice": _notice(k),
        "questionnaires": [
            {
                "id": q.questionnaire_id,
                "version": q.version,
                "kind": q.kind,
                "title": q.title,
                "title_easy": q.title_easy,
                "national": _latest(pub.get(q.questionnaire_id, {}), ("france",)),
            }
            for q in qs
        ],
        "demo_notice": None,
    }
