"""Participation services: accounts, questionnaires and their review, responses, indicators, directory.

Every function takes the participation store (and, for locations, the main
store read-only) explicitly; the API, the pages and the CLI call the same
functions. Every write made by an account is recorded in ``audit_log`` in the
same transaction as the change (who, role, what, when, before, after).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import time
import uuid

from ..errors import AccesoinsError, InputError
from ..experience import auth, rules
from ..experience import questionnaires as qn
from ..experience.indicators import Policy, Response, counted, publish
from ..experience.sites import normalise_site
from ..participation_store import ParticipationStore

ROLE_NAMES = auth.ROLE_LABELS
PERSON_ROLES = {"patient_partenaire": "Patient partenaire", "representant_usagers": "Représentant des usagers"}
DOMAINS = {
    "qualite": "Projets qualité",
    "accompagnement": "Accompagnement des patients",
    "formation": "Formation des professionnels",
    "recherche": "Recherche",
}
STRUCTURE_KINDS = {
    "centre_de_sante": "Centre de santé participatif",
    "maison_de_sante": "Maison de santé pluriprofessionnelle",
}
PERSON_FIELDS = ("display_name", "role", "domains", "structure", "territory", "term", "contact_email", "contact_phone")
PRIVATE_IN_AUDIT = ("contact_email", "contact_phone")
_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_ORG = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
_COMMUNE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 .]{6,20}$")


class ParticipationError(AccesoinsError):
    """An error with an HTTP status (401, 403, 404, 409, 429), message in French."""

    status = 400

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class AuthRequired(ParticipationError):
    status = 401


class Forbidden(ParticipationError):
    status = 403


class NotFound(ParticipationError):
    status = 404


class Conflict(ParticipationError):
    status = 409


class TooMany(ParticipationError):
    status = 429


# -- small helpers ------------------------------------------------------------------------------
def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def quarter_of(day: dt.date) -> str:
    """``2026-T1`` for a date of January to March 2026."""
    return f"{day.year}-T{(day.month - 1) // 3 + 1}"


def _text(value, field: str, *, max_len: int = 200, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InputError("Ce champ est obligatoire.", field=field)
        return None
    if not isinstance(value, str):
        raise InputError("Texte attendu.", field=field)
    value = value.strip()
    if len(value) > max_len:
        raise InputError(f"Texte trop long (au plus {max_len} caractères).", field=field)
    return value


def _audit(con, actor: dict, action: str, entity: str, entity_id: str, before, after) -> None:
    con.execute(
        "INSERT INTO audit_log (account_id, role, action, entity, entity_id, before, after) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            actor["account_id"],
            actor["role"],
            action,
            entity,
            entity_id,
            json.dumps(before, ensure_ascii=False, default=str) if before is not None else None,
            json.dumps(after, ensure_ascii=False, default=str) if after is not None else None,
        ],
    )


def _one(con, sql: str, params: list) -> dict | None:
    cur = con.execute(sql, params)
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None


SYSTEM = {"account_id": "system", "role": "admin", "organisation_id": "accesoins"}


# -- set-up --------------------------------------------------------------------------------------
def ensure_bundled(ps: ParticipationStore) -> int:
    """Publish the questionnaires shipped with accesoins that the database does not know yet."""
    added = 0
    for q in qn.bundled():

        def add(con, q=q):
            if con.execute(
                "SELECT count(*) FROM questionnaire_versions WHERE questionnaire_id = ?", [q.questionnaire_id]
            ).fetchone()[0]:
                return 0
            con.execute(
                "INSERT INTO organisations VALUES ('accesoins', 'accesoins', 'platform', current_timestamp) "
                "ON CONFLICT DO NOTHING"
            )
            con.execute(
                "INSERT INTO questionnaire_versions (questionnaire_id, version, status, definition, "
                "organisation_id, created_by, reviewed_by, reviewed_at) VALUES (?, ?, 'published', ?, "
                "'accesoins', 'system', 'system', current_timestamp)",
                [q.questionnaire_id, q.version, json.dumps(q.definition, ensure_ascii=False)],
            )
            _audit(
                con,
                SYSTEM,
                "publish_bundled",
                "questionnaire",
                f"{q.questionnaire_id}@{q.version}",
                None,
                {"status": "published"},
            )
            return 1

        added += ps.write(add)
    return added


# -- accounts and sessions -------------------------------------------------------------------------
def create_account(
    ps: ParticipationStore,
    actor: dict,
    *,
    login: str,
    display_name: str,
    password: str,
    role: str,
    organisation_id: str,
    organisation_name: str | None = None,
    organisation_kind: str = "association",
) -> dict:
    """Create an account (and its organisation if new); returns it without its hash."""
    login = (_text(login, "login", max_len=64) or "").lower()
    if not _LOGIN.match(login):
        raise InputError("Identifiant : 3 à 64 caractères parmi a-z, 0-9, . _ @ -.", field="login")
    display_name = _text(display_name, "display_name", max_len=100)
    if role not in auth.ROLES:
        raise InputError(f"Rôle inconnu : choisissez parmi {', '.join(auth.ROLES)}.", field="role")
    if not isinstance(password, str) or len(password) < auth.MIN_PASSWORD or len(password) > 256:
        raise InputError(f"Le mot de passe doit avoir de {auth.MIN_PASSWORD} à 256 caractères.", field="password")
    if not isinstance(organisation_id, str) or not _ORG.match(organisation_id):
        raise InputError("Organisation : identifiant de 2 à 64 caractères (a-z, 0-9, -).", field="organisation_id")
    if organisation_kind not in ("association", "site", "platform"):
        raise InputError("Type d'organisation : association, site ou platform.", field="organisation_kind")
    digest = auth.hash_password(password)
    account = {
        "account_id": uuid.uuid4().hex,
        "login": login,
        "display_name": display_name,
        "role": role,
        "organisation_id": organisation_id,
    }

    def do(con):
        if con.execute("SELECT count(*) FROM accounts WHERE login = ?", [login]).fetchone()[0]:
            raise Conflict(f"L'identifiant « {login} » est déjà pris.")
        if not con.execute(
            "SELECT count(*) FROM organisations WHERE organisation_id = ?", [organisation_id]
        ).fetchone()[0]:
            con.execute(
                "INSERT INTO organisations (organisation_id, name, kind) VALUES (?, ?, ?)",
                [
                    organisation_id,
                    _text(organisation_name, "organisation_name", required=False) or organisation_id,
                    organisation_kind,
                ],
            )
        con.execute(
            "INSERT INTO accounts (account_id, login, display_name, password_hash, role, organisation_id) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [account["account_id"], login, display_name, digest, role, organisation_id],
        )
        _audit(con, actor, "create", "account", account["account_id"], None, account)
        return account

    return ps.write(do)


def login(ps: ParticipationStore, login_name: str, password: str, now: float | None = None) -> dict:
    """Check credentials and open a session; returns ``token``, ``csrf`` and the account."""
    now = time.time() if now is None else now
    row = None
    if isinstance(login_name, str) and len(login_name) <= 64:
        row = ps.cursor().records("SELECT * FROM accounts WHERE login = ? AND active", [login_name.strip().lower()])
    if not isinstance(password, str) or len(password) > 256:
        password = ""
    if not row:
        auth.burn_time(password)
        raise AuthRequired("Identifiant ou mot de passe incorrect.")
    account = row[0]
    if not auth.verify_password(account["password_hash"], password):
        raise AuthRequired("Identifiant ou mot de passe incorrect.")
    token, csrf = auth.new_token(), auth.new_token()
    ps.write(
        lambda con: (
            con.execute(
                "DELETE FROM sessions WHERE last_seen < ?", [now - rules.value("session.absolute_timeout_seconds")]
            ),
            con.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
                [auth.token_digest(token), account["account_id"], csrf, now, now],
            ),
        )
    )
    return {"token": token, "csrf": csrf, "account": _public_account(account)}


def _public_account(a: dict) -> dict:
    return {k: a[k] for k in ("account_id", "login", "display_name", "role", "organisation_id")}


def session_account(ps: ParticipationStore, token: str | None, now: float | None = None) -> dict | None:
    """The account of a live session (with its ``csrf``), or None; refreshes the idle timer."""
    if not token or not isinstance(token, str) or len(token) > 128:
        return None
    now = time.time() if now is None else now
    digest = auth.token_digest(token)
    rows = ps.cursor().records(
        "SELECT a.*, s.created_at AS session_created, s.last_seen, s.csrf_token "
        "FROM sessions s JOIN accounts a USING (account_id) "
        "WHERE s.token_digest = ? AND a.active",
        [digest],
    )
    if not rows:
        return None
    r = rows[0]
    times = auth.SessionTimes(r["session_created"], r["last_seen"])
    if auth.session_expired(
        times, now, rules.value("session.idle_timeout_seconds"), rules.value("session.absolute_timeout_seconds")
    ):
        ps.write(lambda con: con.execute("DELETE FROM sessions WHERE token_digest = ?", [digest]))
        return None
    if now - r["last_seen"] > 30:
        ps.write(lambda con: con.execute("UPDATE sessions SET last_seen = ? WHERE token_digest = ?", [now, digest]))
    return {**_public_account(r), "csrf": r["csrf_token"]}


def logout(ps: ParticipationStore, token: str | None) -> None:
    """Close a session (no error when it is already closed)."""
    if token:
        ps.write(lambda con: con.execute("DELETE FROM sessions WHERE token_digest = ?", [auth.token_digest(token)]))


# -- questionnaires ------------------------------------------------------------------------------------
def _version_row(con_or_store, qid: str, version: int) -> dict:
    rows = con_or_store.records if hasattr(con_or_store, "records") else None
    if rows:
        found = rows("SELECT * FROM questionnaire_versions WHERE questionnaire_id = ? AND version = ?", [qid, version])
        row = found[0] if found else None
    else:
        row = _one(
            con_or_store,
            "SELECT * FROM questionnaire_versions WHERE questionnaire_id = ? AND version = ?",
            [qid, version],
        )
    if row is None:
        raise NotFound(f"Questionnaire {qid} version {version} introuvable.")
    return row


def _parse_row(row: dict) -> qn.Questionnaire:
    d = row["definition"]
    return qn.parse(json.loads(d) if isinstance(d, str) else d)


def published(ps: ParticipationStore) -> list[qn.Questionnaire]:
    """The published version of every questionnaire, by identifier."""
    rows = ps.cursor().records(
        "SELECT definition FROM questionnaire_versions WHERE status = 'published' ORDER BY questionnaire_id"
    )
    return [_parse_row(r) for r in rows]


def published_one(ps: ParticipationStore, qid: str) -> qn.Questionnaire:
    """The published version of questionnaire ``qid`` (404 when none)."""
    rows = ps.cursor().records(
        "SELECT definition FROM questionnaire_versions WHERE status = 'published' AND questionnaire_id = ?", [qid]
    )
    if not rows:
        raise NotFound(f"Aucun questionnaire publié ne porte l'identifiant « {qid[:64]} ».")
    return _parse_row(rows[0])


def scoring_definitions(ps: ParticipationStore) -> dict[tuple[str, int], qn.Questionnaire]:
    """Every version that has been published (published or archived), to score old responses."""
    rows = ps.cursor().records(
        "SELECT definition FROM questionnaire_versions WHERE status IN ('published', 'archived')"
    )
    out = {}
    for r in rows:
        q = _parse_row(r)
        out[(q.questionnaire_id, q.version)] = q
    return out


def versions(ps: ParticipationStore, qid: str | None = None) -> list[dict]:
    """Versions of one or all questionnaires, for the management pages (definitions excluded)."""
    sql = (
        "SELECT questionnaire_id, version, status, organisation_id, created_by, created_at, submitted_at, "
        "reviewed_by, reviewed_at, review_note FROM questionnaire_versions"
    )
    params = []
    if qid:
        sql += " WHERE questionnaire_id = ?"
        params = [qid]
    return ps.cursor().records(sql + " ORDER BY questionnaire_id, version DESC", params)


def version_definition(ps: ParticipationStore, qid: str, version: int) -> dict:
    """One version with its definition."""
    row = _version_row(ps.cursor(), qid, version)
    d = row["definition"]
    return {**row, "definition": json.loads(d) if isinstance(d, str) else d}


def _definition(definition) -> qn.Questionnaire:
    if isinstance(definition, str):
        return qn.parse_yaml(definition)
    return qn.parse(definition)


def create_draft(ps: ParticipationStore, actor: dict, qid: str, definition) -> dict:
    """A new draft version of questionnaire ``qid`` (the version number is the next free one)."""

    def do(con):
        nxt = con.execute(
            "SELECT coalesce(max(version), 0) + 1 FROM questionnaire_versions WHERE questionnaire_id = ?", [qid]
        ).fetchone()[0]
        d = dict(definition) if isinstance(definition, dict) else definition
        if isinstance(d, dict):
            d["id"], d["version"] = qid, nxt
        q = _definition(d)
        if q.questionnaire_id != qid:
            raise InputError("L'identifiant du texte ne correspond pas au questionnaire.", field="id")
        body = dict(q.definition)
        body["version"] = nxt
        q = qn.parse(body)
        con.execute(
            "INSERT INTO questionnaire_versions (questionnaire_id, version, status, definition, "
            "organisation_id, created_by) VALUES (?, ?, 'draft', ?, ?, ?)",
            [qid, nxt, json.dumps(q.definition, ensure_ascii=False), actor["organisation_id"], actor["account_id"]],
        )
        _audit(con, actor, "create_draft", "questionnaire", f"{qid}@{nxt}", None, q.definition)
        return {"questionnaire_id": qid, "version": nxt, "status": "draft"}

    return ps.write(do)


def _own_or_admin(actor: dict, row: dict) -> None:
    if actor["role"] != "admin" and actor["organisation_id"] != row["organisation_id"]:
        raise Forbidden("Seule l'organisation autrice de ce brouillon (ou un administrateur) peut le modifier.")


def update_draft(ps: ParticipationStore, actor: dict, qid: str, version: int, definition) -> dict:
    """Replace the text of a draft (or of a rejected version, which becomes a draft again)."""

    def do(con):
        row = _version_row(con, qid, version)
        _own_or_admin(actor, row)
        if row["status"] not in ("draft", "rejected"):
            raise Conflict(f"La version {version} est « {row['status']} » : seul un brouillon se modifie.")
        d = definition
        if isinstance(d, dict):
            d = {**d, "id": qid, "version": version}
        q = _definition(d)
        if (q.questionnaire_id, q.version) != (qid, version):
            raise InputError("L'identifiant et la version du texte doivent rester ceux du brouillon.", field="id")
        before = json.loads(row["definition"]) if isinstance(row["definition"], str) else row["definition"]
        con.execute(
            "UPDATE questionnaire_versions SET definition = ?, status = 'draft' WHERE questionnaire_id = ? "
            "AND version = ?",
            [json.dumps(q.definition, ensure_ascii=False), qid, version],
        )
        _audit(con, actor, "update_draft", "questionnaire", f"{qid}@{version}", before, q.definition)
        return {"questionnaire_id": qid, "version": version, "status": "draft"}

    return ps.write(do)


def submit_draft(ps: ParticipationStore, actor: dict, qid: str, version: int) -> dict:
    """Draft → submitted (for review by another organisation or an administrator)."""

    def do(con):
        row = _version_row(con, qid, version)
        _own_or_admin(actor, row)
        if row["status"] != "draft":
            raise Conflict(f"La version {version} est « {row['status']} » : seul un brouillon peut être soumis.")
        con.execute(
            "UPDATE questionnaire_versions SET status = 'submitted', submitted_at = current_timestamp "
            "WHERE questionnaire_id = ? AND version = ?",
            [qid, version],
        )
        _audit(con, actor, "submit", "questionnaire", f"{qid}@{version}", {"status": "draft"}, {"status": "submitted"})
        return {"questionnaire_id": qid, "version": version, "status": "submitted"}

    return ps.write(do)


def review(
    ps: ParticipationStore, actor: dict, qid: str, version: int, *, approve: bool, note: str | None = None
) -> dict:
    """Submitted → published (the previous published version is archived) or rejected.

    The reviewer must be an administrator or an editor of another organisation than the author's.
    """
    note = _text(note, "note", max_len=1000, required=False)

    def do(con):
        row = _version_row(con, qid, version)
        if actor["role"] != "admin" and actor["organisation_id"] == row["organisation_id"]:
            raise Forbidden("La relecture revient à une autre organisation que l'autrice, ou à un administrateur.")
        if row["status"] != "submitted":
            raise Conflict(f"La version {version} est « {row['status']} » : seule une version soumise se relit.")
        status = "published" if approve else "rejected"
        if approve:
            con.execute(
                "UPDATE questionnaire_versions SET status = 'archived' WHERE questionnaire_id = ? "
                "AND status = 'published'",
                [qid],
            )
        con.execute(
            "UPDATE questionnaire_versions SET status = ?, reviewed_by = ?, reviewed_at = current_timestamp, "
            "review_note = ? WHERE questionnaire_id = ? AND version = ?",
            [status, actor["account_id"], note, qid, version],
        )
        _audit(
            con,
            actor,
            "approve" if approve else "reject",
            "questionnaire",
            f"{qid}@{version}",
            {"status": "submitted"},
            {"status": status, "note": note},
        )
        return {"questionnaire_id": qid, "version": version, "status": status}

    return ps.write(do)


# -- responses ----------------------------------------------------------------------------------------------
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


# -- sites and locations -------------------------------------------------------------------------------------
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


# -- directory ---------------------------------------------------------------------------------------------------------
def _date(value, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise InputError("Date attendue au format AAAA-MM-JJ.", field=field) from None


def _person(payload: dict) -> dict:
    role = payload.get("role")
    if role not in PERSON_ROLES:
        raise InputError("Rôle : patient_partenaire ou representant_usagers.", field="role")
    domains = payload.get("domains") or []
    if isinstance(domains, str):
        domains = [domains]
    if not isinstance(domains, list) or not domains or not set(domains) <= set(DOMAINS):
        raise InputError(f"Domaines : au moins un parmi {', '.join(DOMAINS)}.", field="domains")
    email = _text(payload.get("contact_email"), "contact_email", max_len=254, required=False)
    if email and not _EMAIL.match(email):
        raise InputError("Adresse électronique invalide.", field="contact_email")
    phone = _text(payload.get("contact_phone"), "contact_phone", max_len=20, required=False)
    if phone and not _PHONE.match(phone):
        raise InputError("Numéro de téléphone invalide.", field="contact_phone")
    start, end = _date(payload.get("term_start"), "term_start"), _date(payload.get("term_end"), "term_end")
    if start and end and end < start:
        raise InputError("La fin du mandat précède son début.", field="term_end")
    consent = payload.get("consent") or {}
    if not isinstance(consent, dict) or not set(consent) <= set(PERSON_FIELDS):
        raise InputError(f"Consentement : un booléen par champ parmi {', '.join(PERSON_FIELDS)}.", field="consent")
    return {
        "display_name": _text(payload.get("display_name"), "display_name", max_len=100, required=False),
        "role": role,
        "domains": sorted(set(domains)),
        "structure": _text(payload.get("structure"), "structure", max_len=200, required=False),
        "territory": _text(payload.get("territory"), "territory", max_len=100, required=False),
        "term_start": start,
        "term_end": end,
        "contact_email": email,
        "contact_phone": phone,
        "consent": {f: bool(consent.get(f)) for f in PERSON_FIELDS},
    }


def _redacted(person: dict | None) -> dict | None:
    if person is None:
        return None
    return {k: ("[donnée de contact]" if k in PRIVATE_IN_AUDIT and v else v) for k, v in person.items()}


def save_person(ps: ParticipationStore, actor: dict, payload: dict, person_id: str | None = None) -> dict:
    """Create (``person_id`` None) or replace a directory entry; consent flags are per field."""
    p = _person(payload)

    def do(con):
        before = None
        pid = person_id
        if pid is not None:
            before = _one(con, "SELECT * FROM directory_people WHERE person_id = ?", [pid])
            if before is None:
                raise NotFound("Fiche introuvable.")
            if actor["role"] != "admin" and before["organisation_id"] != actor["organisation_id"]:
                raise Forbidden("Cette fiche relève d'une autre organisation.")
            con.execute("DELETE FROM directory_people WHERE person_id = ?", [pid])
        else:
            pid = uuid.uuid4().hex
        org = before["organisation_id"] if before else actor["organisation_id"]
        con.execute(
            "INSERT INTO directory_people (person_id, display_name, role, domains, structure, territory, "
            "term_start, term_end, contact_email, contact_phone, consent, organisation_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                pid,
                p["display_name"],
                p["role"],
                json.dumps(p["domains"]),
                p["structure"],
                p["territory"],
                p["term_start"],
                p["term_end"],
                p["contact_email"],
                p["contact_phone"],
                json.dumps(p["consent"]),
                org,
            ],
        )
        _audit(con, actor, "update" if before else "create", "person", pid, _redacted(before), _redacted(p))
        return {"person_id": pid, **p}

    return ps.write(do)


def delete_person(ps: ParticipationStore, actor: dict, person_id: str) -> dict:
    """Erase a directory entry (consent withdrawn entirely); the audit keeps no contact data."""

    def do(con):
        before = _one(con, "SELECT * FROM directory_people WHERE person_id = ?", [person_id])
        if before is None:
            raise NotFound("Fiche introuvable.")
        if actor["role"] != "admin" and before["organisation_id"] != actor["organisation_id"]:
            raise Forbidden("Cette fiche relève d'une autre organisation.")
        con.execute("DELETE FROM directory_people WHERE person_id = ?", [person_id])
        _audit(con, actor, "delete", "person", person_id, _redacted(before), None)
        return {"person_id": person_id, "deleted": True}

    return ps.write(do)


def save_structure(ps: ParticipationStore, actor: dict, payload: dict, structure_id: str | None = None) -> dict:
    """Create or replace a participatory structure (centre or maison de santé with shared governance)."""
    kind = payload.get("kind")
    if kind not in STRUCTURE_KINDS:
        raise InputError("Type : centre_de_sante ou maison_de_sante.", field="kind")
    commune = _text(payload.get("code_commune"), "code_commune", max_len=5, required=False)
    if commune and not _COMMUNE.match(commune.upper()):
        raise InputError("Code commune INSEE : 5 caractères.", field="code_commune")
    website = _text(payload.get("website"), "website", max_len=300, required=False)
    if website and not website.startswith(("https://", "http://")):
        raise InputError("Le site web doit commencer par https://.", field="website")
    s = {
        "name": _text(payload.get("name"), "name"),
        "kind": kind,
        "code_commune": commune.upper() if commune else None,
        "governance": _text(payload.get("governance"), "governance", max_len=1000),
        "inhabitants": _text(payload.get("inhabitants"), "inhabitants", max_len=1000),
        "website": website,
        "contact": _text(payload.get("contact"), "contact", max_len=300, required=False),
    }

    def do(con):
        before, sid = None, structure_id
        if sid is not None:
            before = _one(con, "SELECT * FROM participatory_structures WHERE structure_id = ?", [sid])
            if before is None:
                raise NotFound("Structure introuvable.")
            if actor["role"] != "admin" and before["organisation_id"] != actor["organisation_id"]:
                raise Forbidden("Cette structure relève d'une autre organisation.")
            con.execute("DELETE FROM participatory_structures WHERE structure_id = ?", [sid])
        else:
            sid = uuid.uuid4().hex
        org = before["organisation_id"] if before else actor["organisation_id"]
        con.execute(
            "INSERT INTO participatory_structures (structure_id, name, kind, code_commune, governance, "
            "inhabitants, website, contact, organisation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                sid,
                s["name"],
                kind,
                s["code_commune"],
                s["governance"],
                s["inhabitants"],
                s["website"],
                s["contact"],
                org,
            ],
        )
        _audit(con, actor, "update" if before else "create", "structure", sid, before, s)
        return {"structure_id": sid, **s}

    return ps.write(do)


def public_directory(ps: ParticipationStore) -> dict:
    """The directory as the public sees it: for each person, only the fields they agreed to publish."""
    today = dt.date.today()
    people = []
    for r in ps.cursor().records("SELECT * FROM directory_people ORDER BY updated_at"):
        consent = json.loads(r["consent"]) if isinstance(r["consent"], str) else r["consent"]
        shown = {"person_id": r["person_id"]}
        for f in PERSON_FIELDS:
            if not consent.get(f):
                continue
            if f == "term":
                shown["term_start"], shown["term_end"] = r["term_start"], r["term_end"]
            elif f == "domains":
                shown["domains"] = [DOMAINS[d] for d in json.loads(r["domains"])]
            elif f == "role":
                shown["role"] = PERSON_ROLES[r["role"]]
            else:
                shown[f] = r[f]
        if len(shown) > 1 and not (r["term_end"] and r["term_end"] < today):
            people.append({k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in shown.items()})
    structures = [
        {**s, "kind": STRUCTURE_KINDS[s["kind"]]}
        for s in ps.cursor().records(
            "SELECT structure_id, name, kind, code_commune, governance, inhabitants, website, contact "
            "FROM participatory_structures ORDER BY name"
        )
    ]
    return {
        "title": "Annuaire de la participation",
        "people": people,
        "structures": structures,
        "domains": DOMAINS,
        "demo_notice": None,
    }


def audit_entries(ps: ParticipationStore, limit: int = 200) -> list[dict]:
    """The latest audit entries (administrators only, checked by the caller)."""
    rows = ps.cursor().records("SELECT * FROM audit_log ORDER BY audit_id DESC LIMIT ?", [limit])
    for r in rows:
        for k in ("before", "after"):
            if isinstance(r[k], str):
                r[k] = json.loads(r[k])
    return rows
