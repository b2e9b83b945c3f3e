"""Commune search and portrait data."""

from __future__ import annotations

import re

from ..errors import CommuneNotFound
from ..offer._csv import load_rules
from ..store.db import Store
from ..territory.codes import fold, normalise_code
from .territory import demo_notice


def search(store: Store, q: str, *, limit: int = 20) -> dict[str, object]:
    """Communes matching a name (accents and hyphens ignored), a postcode or an INSEE code."""
    q = q.strip()
    data: dict[str, object] = {"title": "Rechercher une commune", "q": q, "results": [],
                               "demo_notice": demo_notice(store)}
    if not q:
        return data
    base = (
        "SELECT c.code_commune, c.nom, c.code_departement, d.nom AS departement, c.population, "
        "(SELECT string_agg(DISTINCT p.code_postal, ', ' ORDER BY p.code_postal) FROM commune_postcodes p "
        " WHERE p.code_commune = c.code_commune) AS codes_postaux "
        "FROM communes c JOIN departements d USING (code_departement) "
    )
    if re.fullmatch(r"\d{5}|2[ABab]\d{3}", q):
        code = normalise_code(q)
        rows = store.records(
            base + "WHERE c.code_commune = ? OR c.code_commune IN "
            "(SELECT code_commune FROM commune_postcodes WHERE code_postal = ?) "
            "OR c.code_commune IN (SELECT code_commune FROM commune_history WHERE old_code = ?) "
            "ORDER BY c.population DESC NULLS LAST LIMIT ?",
            [code, q, code, limit],
        )
    else:
        key = fold(q)
        rows = store.records(
            base + "WHERE strip_accents(lower(replace(replace(c.nom, '-', ' '), '''', ' '))) LIKE ? "
            "ORDER BY (strip_accents(lower(replace(replace(c.nom, '-', ' '), '''', ' '))) = ?) DESC, "
            "starts_with(strip_accents(lower(replace(replace(c.nom, '-', ' '), '''', ' '))), ?) DESC, "
            "c.population DESC NULLS LAST LIMIT ?",
            [f"%{key}%", key, key, limit],
        )
    data["results"] = rows
    return data


def portrait(store: Store, code: str) -> dict[str, object]:
    """What the store knows of one commune: identity, indicators, nearest care, offer."""
    from .observatory_views import territory_indicators
    from .portraits import map_legend
    from .territory_index import index_for

    ix = index_for(store)
    code = normalise_code(code)
    current = ix.history.get(code) if code not in ix.communes else None
    info = ix.communes.get(current or code)
    if info is None:
        raise CommuneNotFound(f"Aucune commune actuelle n'a le code « {code} ».")
    cc = info["code_commune"]
    return {
        "title": f"{info['nom']} ({info['code_departement']})",
        "commune": info,
        "redirected_from": code if current else None,
        "codes_postaux": ix.postcodes.get(cc, []),
        "observatory": territory_indicators(store, "commune", cc, ix=ix) if ix.meta else None,
        "nearest": ix.nearest.get(cc, []),
        "map_url": f"/geo/portrait/commune/{cc}.geojson",
        "map_legend": map_legend("commune", info["nom"]),
        "offer": [{**o, "label": category_label(o["category"])} for o in ix.offer.get(cc, [])],
        "demo_notice": ix.demo_notice,
    }


def category_label(code: str) -> str:
    """The French label of an offer category (``rules/categories.yaml``), accents included."""
    cats = load_rules().get("categories", {})
    return str(cats.get(code, {}).get("label") or code.replace("_", " "))
