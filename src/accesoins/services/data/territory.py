"""Territory and provenance data for pages, API and CLI."""

from __future__ import annotations

import json

from ... import __version__
from ...store.db import Store
from ...store.territory import territory_stats


def sources(store: Store) -> list[dict[str, object]]:
    """Every source in the store with its vintage, licence and attribution."""
    return store.records(
        "SELECT source_id, kind, title, vintage, licence, attribution, url, file, is_demo, "
        "row_count, CAST(imported_at AS VARCHAR) AS imported_at FROM sources ORDER BY kind, source_id"
    )


def demo_notice(store: Store) -> str | None:
    """The demonstration notice when any stored offer is fictitious, else None."""
    return store.scalar("SELECT attribution FROM sources WHERE is_demo LIMIT 1")


def home(store: Store) -> dict[str, object]:
    """Data of the home page: the territory, its coverage, the offer and every source."""
    stats = territory_stats(store)
    offer = store.records(
        "SELECT o.category, s.is_demo, sum(o.quantity) AS quantity, count(DISTINCT o.code_commune) "
        "AS communes FROM offer o JOIN sources s USING (source_id) GROUP BY ALL ORDER BY 1"
    )
    build = store.scalar(
        "SELECT parameters FROM sources WHERE kind = 'territory' ORDER BY source_id LIMIT 1"
    )
    return {
        "title": "accesoins — l'accès aux soins, commune par commune",
        "software_version": __version__,
        "territory": stats,
        "territory_build": json.loads(build).get("coverage", {}) if build else {},
        "offer": offer,
        "demo_notice": demo_notice(store),
        "sources": sources(store),
    }
