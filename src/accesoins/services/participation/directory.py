"""The directory of partner patients and users' representatives, and of structures; the audit log read back."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from ...errors import InputError
from ...participation_store import ParticipationStore
from .common import (
    _COMMUNE,
    _EMAIL,
    _PHONE,
    DOMAINS,
    PERSON_FIELDS,
    PERSON_ROLES,
    PRIVATE_IN_AUDIT,
    STRUCTURE_KINDS,
    Forbidden,
    NotFound,
    _audit,
    _one,
    _text,
)


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
