"""Accounts and sessions: creation, login with throttling, session tokens, logout."""

from __future__ import annotations

import time
import uuid

from ...errors import InputError
from ...experience import auth, rules
from ...participation_store import ParticipationStore
from .common import (
    _LOGIN,
    _ORG,
    AuthRequired,
    Conflict,
    _audit,
    _text,
)


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
