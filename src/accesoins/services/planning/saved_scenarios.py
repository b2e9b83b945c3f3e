"""Planning scenarios saved from the scenario page (participation database).

The web server opens the main store read-only, so a scenario saved from the page goes
to the database the server writes (the participation one), through its single writer.
A saved scenario is its title, its author and the scenario page's parameters: opening it
recomputes the scenario on the current data, as a saved command-line scenario does.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from ...errors import ParameterError

# the scenario page's own parameters; anything else in a query is dropped, never stored
KEYS = ("nom", "retraite", "installations", "fermetures", "assistants", "teleconsultation", "population",
        "indicateur", "profession", "categorie", "departement", "niveau")
MAX_TITLE = 80
# roles allowed to save: scenarios are shared with every visitor, so only administrators publish them
SAVE_ROLES = ("admin",)


def clean_query(query: str) -> str:
    """``query`` restricted to the scenario parameters (first value of each), re-encoded."""
    seen: dict[str, str] = {}
    for k, v in parse_qsl(query or "", keep_blank_values=False):
        if k in KEYS and k not in seen:
            seen[k] = v
    if not (seen.get("installations") or seen.get("fermetures") or seen.get("retraite")
            or seen.get("assistants") not in (None, "0") or seen.get("teleconsultation") not in (None, "0")
            or seen.get("population") not in (None, "1", "1.0")):
        raise ParameterError("Ce scénario ne change rien : ajoutez une installation, une fermeture ou un "
                             "autre changement avant de l'enregistrer.")
    return urlencode(seen)


def clean_title(title: str) -> str:
    t = " ".join((title or "").split())
    if not t:
        raise ParameterError("Titre : donnez un titre au scénario.")
    if len(t) > MAX_TITLE:
        raise ParameterError(f"Titre : {MAX_TITLE} caractères au plus.")
    return t


def save(ps, *, title: str, query: str, account: dict) -> int:
    """Store a scenario; returns its number. ``account`` must hold a role of :data:`SAVE_ROLES`."""
    if account.get("role") not in SAVE_ROLES:
        raise PermissionError("Seul un administrateur connecté peut enregistrer un scénario.")
    t, q = clean_title(title), clean_query(query)

    def write(con):
        return con.execute(
            "INSERT INTO planning_saved_scenarios (title, query, author, organisation) VALUES (?, ?, ?, ?) "
            "RETURNING scenario_id",
            [t, q, str(account.get("display_name") or account.get("login") or "?"),
             str(account.get("organisation_id") or "")]).fetchone()[0]

    return int(ps.write(write))


def list_saved(ps) -> list[dict]:
    """Saved scenarios, newest first, each with the address of its page."""
    if ps is None:
        return []
    rows = ps.cursor().con.execute("SELECT scenario_id, title, query, author, organisation, "
                                   "strftime(created_at, '%d/%m/%Y à %H:%M') FROM planning_saved_scenarios "
                                   "ORDER BY scenario_id DESC").fetchall()
    return [{"id": int(i), "title": t, "query": q, "author": a, "organisation": o, "created": c,
             "url": f"/planification/scenario?{q}"} for i, t, q, a, o, c in rows]
