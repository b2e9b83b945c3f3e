"""Responses and sites: a response submitted, sites and their locations, contributors counted once per
quarter (HMAC under a per-quarter secret) and closed quarters sealed."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from ...errors import InputError
from ...experience import questionnaires as qn
from ...experience.indicators import Response, counted
from ...experience.sites import normalise_site
from ...participation_store import ParticipationStore
from .common import (
    _COMMUNE,
    _ORG,
    _TOKEN,
    Forbidden,
    NotFound,
    _audit,
    _one,
    _text,
    quarter_of,
)
from .questionnaires import scoring_definitions


def submit_response(
    ps: ParticipationStore, payload: dict, *, today: dt.date | None = None, client: str | None = None
) -> dict:
    """Validate and store one anonymous response durably; idempotent on ``token``.

    ``client`` (the sender's address) is kept only as an HMAC under the quarter's secret
    (:func:`contributor_of`), so that a client counts once per questionnaire and quarter.

    Returns ``{"response_id", "duplicate"}``: ``duplicate`` is True when the same
    token had already been stored (a double submit), which is then counted once.
    """
    token = payload.get("token")
    if not isinstance(token, str) or not _TOKEN.match(token):
        raise InputError(
            "Jeton de formulaire manquant ou invalide : rechargez la page du questionnaire.", field="token"
        )
    qid = payload.get("questionnaire_id")
    if not isinstance(qid, str) or len(qid) > 64:
        raise InputError("Questionnaire non précisé.", field="questionnaire_id")
    version = payload.get("version")
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise InputError("Version de questionnaire invalide.", field="version") from None
    defs = scoring_definitions(ps)
    q = defs.get((qid, version))
    if q is None:
        raise NotFound(f"Le questionnaire « {qid[:64]} » version {version} n'est pas (ou plus) ouvert aux réponses.")
    site_id, kind = normalise_site(payload.get("site"))
    answers = qn.validate_answers(q, payload.get("answers"))
    quarter = quarter_of(today or ps.today())
    row = {
        "response_id": token,
        "questionnaire_id": qid,
        "version": version,
        "site_id": site_id,
        "site_kind": kind,
        "quarter": quarter,
        "easy_read": bool(payload.get("easy_read")),
        "answers": answers,
        "contributor": contributor_of(ps, client, quarter) if client else None,
    }
    new = ps.add_response(row)
    return {"response_id": token, "duplicate": not new, "questionnaire_id": qid, "site": site_id}


def upsert_site(ps: ParticipationStore, main, actor: dict, payload: dict) -> dict:
    """Declare or update a site (name, commune); site managers only touch their organisation's sites."""
    site_id, kind = normalise_site(payload.get("site_id"), field="site_id")
    name = _text(payload.get("name"), "name", max_len=200)
    commune = _text(payload.get("code_commune"), "code_commune", max_len=5, required=False)
    if commune is not None:
        commune = commune.upper()
        if not _COMMUNE.match(commune):
            raise InputError("Code commune INSEE : 5 caractères (2A/2B pour la Corse).", field="code_commune")
        if (
            main is not None
            and main.has_territory()
            and not main.scalar("SELECT count(*) FROM communes WHERE code_commune = ?", [commune])
        ):
            raise InputError(f"Commune {commune} inconnue du territoire.", field="code_commune")

    owner = payload.get("organisation_id")
    if owner is not None and (not isinstance(owner, str) or not _ORG.match(owner)):
        raise InputError("Organisation : identifiant de 2 à 64 caractères (a-z, 0-9, -).", field="organisation_id")
    if owner is not None and actor["role"] != "admin":
        raise Forbidden("Seul un administrateur attribue un lieu à une organisation.")

    def do(con):
        before = _one(con, "SELECT * FROM sites WHERE site_id = ?", [site_id])
        if before and actor["role"] != "admin" and before["organisation_id"] != actor["organisation_id"]:
            raise Forbidden("Ce site est géré par une autre organisation.")
        if before is None and kind == "finess" and actor["role"] != "admin":
            # a FINESS number names a real establishment: whoever claims it moves where its public
            # results are aggregated, so the claim is checked by an administrator
            raise Forbidden(
                "Revendiquer un établissement FINESS revient à un administrateur, qui l'attribue à votre "
                "organisation : adressez-lui la demande (les lieux « site-… » se déclarent librement)."
            )
        if owner is not None and not con.execute(
            "SELECT count(*) FROM organisations WHERE organisation_id = ?", [owner]
        ).fetchone()[0]:
            raise InputError(f"Organisation « {owner} » inconnue.", field="organisation_id")
        after = {
            "site_id": site_id,
            "kind": kind,
            "name": name,
            "code_commune": commune,
            "organisation_id": owner or (before["organisation_id"] if before else actor["organisation_id"]),
        }
        con.execute(
            "INSERT OR REPLACE INTO sites (site_id, kind, name, code_commune, organisation_id, updated_at) "
            "VALUES (?, ?, ?, ?, ?, current_timestamp)",
            [site_id, kind, name, commune, after["organisation_id"]],
        )
        action = "update" if before else ("claim" if kind == "finess" else "create")
        if before and before["organisation_id"] != after["organisation_id"]:
            action = "reassign"
        _audit(con, actor, action, "site", site_id, before, after)
        return after

    return ps.write(do)


def site_location(ps: ParticipationStore, main, site_id: str) -> dict:
    """Name, commune and département of a site: declared sites first, then the main store's offer."""
    rows = ps.cursor().records("SELECT name, code_commune FROM sites WHERE site_id = ?", [site_id])
    loc = {
        "site_id": site_id,
        "name": None,
        "code_commune": None,
        "code_departement": None,
        "commune": None,
        "departement": None,
    }
    if rows:
        loc.update(name=rows[0]["name"], code_commune=rows[0]["code_commune"])
    if main is not None:
        try:
            if loc["code_commune"] is None:
                found = main.records("SELECT name, code_commune FROM offer WHERE site_id = ? LIMIT 1", [site_id])
                if found:
                    loc.update(name=loc["name"] or found[0]["name"], code_commune=found[0]["code_commune"])
            if loc["code_commune"]:
                c = main.records(
                    "SELECT c.nom, c.code_departement, d.nom AS dep FROM communes c LEFT JOIN "
                    "departements d USING (code_departement) WHERE code_commune = ?",
                    [loc["code_commune"]],
                )
                if c:
                    loc.update(commune=c[0]["nom"], code_departement=c[0]["code_departement"], departement=c[0]["dep"])
        except Exception:  # noqa: BLE001 - an unbuilt main store only means "location unknown"
            pass
    if loc["code_commune"] and not loc["code_departement"]:
        code = loc["code_commune"]
        loc["code_departement"] = code[:3] if code.startswith("97") else code[:2]
    return loc


def contributor_of(ps: ParticipationStore, client: str, quarter: str) -> str:
    """HMAC of a client's address under the secret of ``quarter`` (created on first use).

    The secret lives in the participation database (so several processes agree) and is
    deleted, with every contributor hash of the quarter, when the quarter is sealed.
    """
    row = ps.cursor().records("SELECT secret FROM period_secrets WHERE quarter = ?", [quarter])
    if not row:

        def create(con):
            con.execute(
                "INSERT INTO period_secrets VALUES (?, ?) ON CONFLICT DO NOTHING", [quarter, secrets.token_hex(32)]
            )
            return con.execute("SELECT secret FROM period_secrets WHERE quarter = ?", [quarter]).fetchone()[0]

        secret = ps.write(create)
    else:
        secret = row[0]["secret"]
    return hmac.new(bytes.fromhex(secret), client.encode(), hashlib.sha256).hexdigest()[:32]


def seal_closed_quarters(ps: ParticipationStore, main) -> list[str]:
    """Seal every quarter before the current one: fix what its aggregates will ever be.

    For each response of the quarter: its site's location (as known now) is written into
    it, one response per contributor and questionnaire is marked ``counted``, then the
    contributor hashes and the quarter's secret are erased. Returns the quarters sealed.
    """
    current = quarter_of(ps.today())
    todo = [
        r["quarter"]
        for r in ps.cursor().records(
            "SELECT DISTINCT quarter FROM responses WHERE quarter < ? AND quarter NOT IN "
            "(SELECT quarter FROM sealed_quarters) ORDER BY quarter",
            [current],
        )
    ]
    if not todo:
        return []
    done = []
    for quarter in todo:
        rows = ps.cursor().records(
            "SELECT response_id, questionnaire_id, site_id, quarter, contributor FROM responses WHERE quarter = ?",
            [quarter],
        )
        keep = {
            r.response_id
            for r in counted(
                Response(x["response_id"], x["questionnaire_id"], 0, x["site_id"], None, None, quarter, {},
                         x["contributor"])
                for x in rows
            )
        }
        locations = {site: site_location(ps, main, site) for site in {x["site_id"] for x in rows}}
        params = [
            [x["response_id"] in keep, locations[x["site_id"]]["code_commune"],
             locations[x["site_id"]]["code_departement"], x["response_id"]]
            for x in rows
        ]

        def do(con, quarter=quarter, params=params):
            if con.execute("SELECT count(*) FROM sealed_quarters WHERE quarter = ?", [quarter]).fetchone()[0]:
                return False
            con.executemany(
                "UPDATE responses SET counted = ?, code_commune = ?, code_departement = ?, located = TRUE, "
                "contributor = NULL WHERE response_id = ?",
                params,
            )
            con.execute("DELETE FROM period_secrets WHERE quarter = ?", [quarter])
            con.execute("INSERT INTO sealed_quarters (quarter) VALUES (?)", [quarter])
            return True

        if ps.write(do):
            done.append(quarter)
    # a response that raced the sealing of its quarter is never counted, and keeps no hash
    ps.write(
        lambda con: con.execute(
            "UPDATE responses SET contributor = NULL, counted = coalesce(counted, FALSE) "
            "WHERE quarter IN (SELECT quarter FROM sealed_quarters) AND (contributor IS NOT NULL OR counted IS NULL)"
        )
    )
    return done
