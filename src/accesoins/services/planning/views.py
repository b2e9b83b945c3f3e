"""What the planning pages need around the computations: labelled form rows turned into scenario items.

A planner names a commune (« Aurillac » or 15014) and picks a type of offer by its label;
the scenario engine takes ``code_commune:category:number`` items. This module does the
translation, in French when something is missing or ambiguous, and nothing else.
"""

from __future__ import annotations

import unicodedata

from ...errors import ParameterError
from ...store.db import Store


def _fold(text: str) -> str:
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(t.replace("-", " ").replace("'", " ").split())


def resolve_commune(store: Store, text: str, departement: str | None = None) -> str:
    """The INSEE code of the commune named ``text`` (a name or a code), preferring ``departement``."""
    t = (text or "").strip()
    if not t:
        raise ParameterError("Commune : indiquez un nom ou un code de commune.")
    if len(t) == 5 and (t[:2].isdigit() or t[:2].upper() in ("2A", "2B")):
        code = t.upper()
        if store.scalar("SELECT count(*) FROM communes WHERE code_commune = ?", [code]):
            return code
        raise ParameterError(f"Commune : le code « {t} » ne correspond à aucune commune.")
    hits = store.records("SELECT code_commune, nom, code_departement FROM communes WHERE "
                         "trim(regexp_replace(lower(strip_accents(regexp_replace(nom, '[-'' ]+', ' ', 'g'))), "
                         "' +', ' ', 'g')) = ? ORDER BY code_commune", [_fold(t)])
    if departement and len(hits) > 1:
        hits = [r for r in hits if r["code_departement"] == departement] or hits
    if not hits:
        raise ParameterError(f"Commune : « {t} » est inconnue ; vérifiez l'orthographe ou donnez son code INSEE.")
    if len(hits) > 1:
        listed = ", ".join(f"{r['nom']} ({r['code_departement']}, {r['code_commune']})" for r in hits[:6])
        raise ParameterError(f"Commune : plusieurs communes s'appellent « {t} » : {listed}. Donnez son code.")
    return str(hits[0]["code_commune"])


def category_code(text: str, categories: list[dict]) -> str:
    """A category code from its code or its label (accents and case ignored)."""
    want = _fold(text)
    for c in categories:
        if want in (_fold(c["code"]), _fold(c["label"])):
            return str(c["code"])
    raise ParameterError(f"Type d'offre « {text} » inconnu : choisissez dans la liste.")


def items_from_rows(store: Store, rows: list[dict], categories: list[dict], *, closing: bool,
                    departement: str | None = None) -> list[str]:
    """``code:category[:number]`` items from labelled rows ``{"commune", "type", "nombre"}``; empty rows skipped."""
    out = []
    for i, r in enumerate(rows, start=1):
        try:
            out.extend(_row_items(store, r, categories, closing=closing, departement=departement))
        except ParameterError as exc:  # the message names the row, so the page can point at its field
            raise ParameterError(f"{'Fermeture' if closing else 'Installation'} {i} — {exc}") from None
    return out


def _row_items(store: Store, r: dict, categories: list[dict], *, closing: bool,
               departement: str | None) -> list[str]:
    commune, kind = (r.get("commune") or "").strip(), (r.get("type") or "").strip()
    number = (r.get("nombre") or "").strip()
    if not commune:
        if number:
            raise ParameterError("Commune : indiquez la commune de ce nombre.")
        return []
    code = resolve_commune(store, commune, departement)
    cat = category_code(kind, categories)
    if closing:
        return [f"{code}:{cat}" + (f":{number}" if number else "")]
    try:
        n = int(number)
    except ValueError:
        raise ParameterError("Nombre : indiquez un nombre entier de professionnels ou de sites.") from None
    if not 1 <= n <= 10_000:
        raise ParameterError("Nombre : entre 1 et 10 000.")
    return [f"{code}:{cat}:{n}"]


def labels_to_codes(items: str, categories: list[dict]) -> str:
    """Free-text items whose type is written by its label (« 15014:Médecin généraliste:20 ») → codes."""
    out = []
    for part in [p.strip() for p in (items or "").split(",") if p.strip()]:
        bits = part.split(":")
        if len(bits) >= 2:
            try:
                bits[1] = category_code(bits[1], categories)
            except ParameterError:
                pass  # the scenario parser names the bad item in its own message
        out.append(":".join(bits))
    return ",".join(out)
