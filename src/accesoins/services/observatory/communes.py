"""Commune search and portrait data."""

from __future__ import annotations

import re

from ...errors import CommuneNotFound
from ...offer._csv import load_rules
from ...store.db import Store
from ...territory.codes import fold, normalise_code
from ..data.territory import demo_notice


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
    arm = _search_arrondissements(store, q, limit)
    # « Paris 11e », « 75011 »: the arrondissement first; « Paris »: the city first
    data["results"] = (arm + rows if any(ch.isdigit() for ch in q) else rows + arm)[:limit]
    return data


def _search_arrondissements(store: Store, q: str, limit: int) -> list[dict]:
    """Arrondissements of Paris, Lyon and Marseille by name (« Paris 11e », « Lyon 3 »), postcode or code."""
    base = (
        "SELECT a.code_arrondissement AS code_commune, a.nom, a.code_departement, d.nom AS departement, "
        "a.population, (SELECT string_agg(DISTINCT p.code_postal, ', ' ORDER BY p.code_postal) "
        "FROM arrondissement_postcodes p WHERE p.code_arrondissement = a.code_arrondissement) AS codes_postaux, "
        "a.code_commune AS code_ville FROM arrondissements a JOIN departements d USING (code_departement) "
    )
    if re.fullmatch(r"\d{5}", q):
        return store.records(base + "WHERE a.code_arrondissement = ? OR a.code_arrondissement IN "
                             "(SELECT code_arrondissement FROM arrondissement_postcodes WHERE code_postal = ?) "
                             "ORDER BY 1 LIMIT ?", [q, q, limit])
    m = re.fullmatch(r"(.*?)\s*(\d{1,2})\s*(?:e|er|ème|eme|è)?(?:\s+arr(?:ondissement|\.)?)?", fold(q))
    if not m:
        return []
    city, number = m.group(1).strip(), int(m.group(2))
    rows = store.records(base + "WHERE strip_accents(lower(a.nom)) LIKE ? ORDER BY 1", [f"{city}%"])
    return [r for r in rows if int(re.search(r"\d+", r["nom"]).group()) == number][:limit]


def portrait(store: Store, code: str) -> dict[str, object]:
    """What the store knows of one commune: identity, indicators, nearest care, offer."""
    from .portraits import map_legend
    from .territory_index import index_for
    from .views import territory_indicators

    ix = index_for(store)
    code = normalise_code(code)
    current = ix.history.get(code) if code not in ix.communes else None
    info = ix.communes.get(current or code)
    if info is None:
        raise CommuneNotFound(f"Aucune commune actuelle n'a le code « {code} ».")
    cc = info["code_commune"]
    level = "arrondissement" if info.get("is_arrondissement") else "commune"
    arrondissements = ix.arrondissements.get(cc, [])
    return {
        "title": f"{info['nom']} ({info['code_departement']})",
        "level": level,
        "commune": info,
        "redirected_from": code if current else None,
        "codes_postaux": ix.postcodes.get(cc, []),
        "observatory": territory_indicators(store, level, cc, ix=ix) if ix.meta else None,
        "nearest": ix.nearest.get(cc, []),
        "contour": ix.contours.get(cc),
        "map_url": f"/geo/portrait/{level}/{cc}.geojson",
        "map_legend": map_legend(level, info["nom"]),
        # a city's offer: its arrondissements' and the lines a file gave for the whole city
        "offer": [{**o, "label": category_label(o["category"])} for o in (
            _summed_offer([ix.offer.get(cc, [])] + [ix.offer.get(a["code"], []) for a in arrondissements])
            if arrondissements else ix.offer.get(cc, []))],
        "arrondissements": arrondissements,
        "demo_notice": ix.demo_notice,
    }


def _summed_offer(parts: list[list[dict]]) -> list[dict]:
    out: dict[str, dict] = {}
    for part in parts:
        for o in part:
            row = out.setdefault(o["category"], {**o, "quantity": 0.0, "is_demo": False})
            row["quantity"] += o["quantity"]
            row["is_demo"] = row["is_demo"] or o["is_demo"]
    return [out[k] for k in sorted(out)]


def category_label(code: str) -> str:
    """The French label of an offer category (``rules/categories.yaml``), accents included."""
    cats = load_rules().get("categories", {})
    return str(cats.get(code, {}).get("label") or code.replace("_", " "))
