"""Territories typed by name or code, as people type them (« Aurillac », « saint flour », « 15 »).

Each entry resolves to one code, or to a short list of candidates to choose from
(namesakes such as Saint-Flour in the Cantal and in the Puy-de-Dôme), or to
nothing, with a French message; the comparison page keeps the form either way.
"""

from __future__ import annotations

from ...territory.codes import fold
from .territory_index import TerritoryIndex

MAX_CHOICES = 12
LEVEL_WORDS = {"commune": "commune", "epci": "intercommunalité", "departement": "département", "region": "région"}
NONE_WORDS = {"commune": "Aucune commune", "epci": "Aucune intercommunalité", "departement": "Aucun département",
              "region": "Aucune région"}
SEVERAL = {"commune": "plusieurs communes : choisissez la vôtre",
           "epci": "plusieurs intercommunalités : choisissez-en une",
           "departement": "plusieurs départements : choisissez-en un",
           "region": "plusieurs régions : choisissez-en une"}


def _by_fold(ix: TerritoryIndex, level: str) -> dict[str, list[str]]:
    cache = getattr(ix, "_folded_names", None)
    if cache is None:
        cache = ix._folded_names = {}  # type: ignore[attr-defined]  # built once per index
    if level not in cache:
        out: dict[str, list[str]] = {}
        for code, name in ix.names[level].items():
            out.setdefault(fold(name or ""), []).append(code)
        cache[level] = out
    return cache[level]


def _describe(ix: TerritoryIndex, level: str, code: str) -> dict:
    item = {"code": code, "nom": ix.names[level].get(code)}
    if level == "commune":
        c = ix.communes.get(code, {})
        item["detail"] = f"{c.get('departement')} ({c.get('code_departement')})"
        item["population"] = c.get("population")
    else:
        item["detail"] = f"{LEVEL_WORDS[level]} {code}"
    return item


def resolve(ix: TerritoryIndex, level: str, entry: str) -> dict:
    """One typed entry → ``{"entry", "code"}`` when it is clear, else its ``choices`` or a ``message``."""
    text = entry.strip()
    names = ix.names[level]
    upper = text.upper()
    for code in (upper, upper.zfill(5) if level == "commune" and upper.isdigit() else upper,
                 upper.zfill(2) if level == "departement" and upper.isdigit() else upper):
        if code in names:
            return {"entry": text, "code": code}
    if level == "commune" and upper in ix.history:
        return {"entry": text, "code": ix.history[upper]}
    key = fold(text)
    folded = _by_fold(ix, level)
    exact = folded.get(key, []) if key else []
    if len(exact) == 1:
        return {"entry": text, "code": exact[0]}
    found = exact or sorted(
        (c for k, codes in folded.items() if key and (k.startswith(key) or f" {key}" in f" {k}") for c in codes),
        key=lambda c: (not fold(names[c]).startswith(key), -(ix.communes.get(c, {}).get("population") or 0)
                       if level == "commune" else 0, names[c]))
    if len(found) == 1:
        return {"entry": text, "code": found[0]}
    if found:
        ranked = sorted(found, key=lambda c: -(ix.communes.get(c, {}).get("population") or 0)) if exact else found
        return {"entry": text, "choices": [_describe(ix, level, c) for c in ranked[:MAX_CHOICES]],
                "more": max(0, len(found) - MAX_CHOICES),
                "message": f"« {text} » correspond à {SEVERAL[level]} ci-dessous."}
    return {"entry": text, "message": f"{NONE_WORDS[level]} ne s'appelle « {text} » ni n'a ce code : "
            "vérifiez l'orthographe, ou cherchez le nom sur la page Communes."}
