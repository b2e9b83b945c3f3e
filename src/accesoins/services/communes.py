"""Commune search and portrait data."""

from __future__ import annotations

import re
import unicodedata

from ..errors import AccesoinsError
from ..store.db import Store
from ..territory.codes import normalise_code
from .territory import demo_notice


class CommuneNotFound(AccesoinsError):
    """No current commune has this code (status 404 in the API)."""


def fold(text: str) -> str:
    """Lower case, no accents, hyphens and apostrophes as spaces: for name matching."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[-'’]", " ", text).split())


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
    """What the store knows of one commune: identity, point, offer in the commune."""
    store.require_territory()
    code = normalise_code(code)
    current = store.scalar("SELECT code_commune FROM commune_history WHERE old_code = ?", [code])
    rows = store.records(
        "SELECT c.*, d.nom AS departement, r.nom AS region, e.nom AS epci "
        "FROM communes c JOIN departements d USING (code_departement) "
        "JOIN regions r ON r.code_region = c.code_region LEFT JOIN epci e USING (code_epci) "
        "WHERE c.code_commune = ?",
        [current or code],
    )
    if not rows:
        raise CommuneNotFound(f"Aucune commune actuelle n'a le code « {code} ».")
    info = rows[0]
    offer = store.records(
        "SELECT o.category, sum(o.quantity) AS quantity, any_value(o.unit) AS unit, "
        "bool_or(s.is_demo) AS is_demo FROM offer o JOIN sources s USING (source_id) "
        "WHERE o.code_commune = ? GROUP BY 1 ORDER BY 1",
        [info["code_commune"]],
    )
    postcodes = [r["code_postal"] for r in store.records(
        "SELECT code_postal FROM commune_postcodes WHERE code_commune = ? ORDER BY 1",
        [info["code_commune"]],
    )]
    observatory, nearest = None, []
    if store.scalar("SELECT count(*) FROM indicator_meta"):
        from .observatory_views import nearest_sites, territory_indicators

        observatory = territory_indicators(store, "commune", info["code_commune"])
        nearest = nearest_sites(store, info["code_commune"])
    contour = store.scalar("SELECT geojson FROM contours WHERE level = 'commune' AND code = ?",
                           [info["code_commune"]])
    return {
        "title": f"{info['nom']} ({info['code_departement']})",
        "observatory": observatory,
        "nearest": nearest,
        "contour": contour,
        "commune": info,
        "redirected_from": code if current else None,
        "codes_postaux": postcodes,
        "offer": offer,
        "demo_notice": demo_notice(store),
    }
