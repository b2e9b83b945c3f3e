"""Questionnaires: the bundled ones published at start, drafts, review and versions (every write audited)."""

from __future__ import annotations

import json

from ...errors import InputError
from ...experience import questionnaires as qn
from ...participation_store import ParticipationStore
from .common import (
    SYSTEM,
    Conflict,
    Forbidden,
    NotFound,
    _audit,
    _one,
    _text,
)


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
