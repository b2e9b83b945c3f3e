"""Participation services shared by every concern: labels, errors, validation helpers, the audit writer.

Every function takes the participation store (and, for locations, the main
store read-only) explicitly; the API, the pages and the CLI call the same
functions. Every write made by an account is recorded in ``audit_log`` in the
same transaction as the change (who, role, what, when, before, after).
"""

from __future__ import annotations

import datetime as dt
import json
import re

from ...errors import AccesoinsError, InputError
from ...experience import auth

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
