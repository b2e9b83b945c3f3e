"""Validating the two orientation import files: pharmacies and duty-rota slots.

Both are CSV, UTF-8 (a BOM is accepted), ``;``- or ``,``-separated, with a
header line; columns may come in any order, unknown columns are refused.
Errors raise :class:`accesoins.errors.InputError` naming the file, the line
(the header is line 1) and the field. Storing is done by
:mod:`accesoins.services.orientation`, in one transaction per file.

**Pharmacies** (details and hours) — ``pharmacy_id`` (required; the FINESS
number of the officine when it has one), ``name`` (required), ``address``,
``code_postal``, ``code_commune`` (required, INSEE code), ``lat``, ``lon``
(WGS84; both or neither — when absent, the FINESS point of the same id or the
commune's point is used), ``phone``, ``hours`` (format of
:mod:`accesoins.orientation.hours`), ``access_notes``, ``call_before``
(``oui``/``non``), ``sector`` (duty sector).

**Rota slots** — ``pharmacy_id`` (required, a known pharmacy), ``start``,
``end`` (required, local ISO date-time ``2026-12-24T19:30`` in the pharmacy's
time zone, or with an explicit offset), ``kind`` (``night``, ``sunday`` or
``holiday``), ``sector``. ``end`` must follow ``start`` (an overnight slot ends
the next day) and a slot lasts at most ``duty.max_slot_hours``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from .calendar import time_zone, zone_of_commune
from .hours import HoursError, parse_hours
from .localtime import LocalTimeError, parse_local, to_epoch
from .rules import value

PHARMACY_COLUMNS = ["pharmacy_id", "name", "address", "code_postal", "code_commune", "lat", "lon",
                    "phone", "hours", "access_notes", "call_before", "sector"]
PHARMACY_REQUIRED = ["pharmacy_id", "name", "code_commune"]
ROTA_COLUMNS = ["pharmacy_id", "start", "end", "kind", "sector"]
ROTA_REQUIRED = ["pharmacy_id", "start", "end", "kind"]
KINDS = ("night", "sunday", "holiday")
_PHONE = re.compile(r"^(0\d{9}|\+\d{8,15})$")
_TRUE = {"oui", "o", "true", "vrai", "1", "yes"}
_FALSE = {"non", "n", "false", "faux", "0", "no", ""}

# (lat, lon) of a pharmacy id from FINESS, or None.
PointOf = Callable[[str], "tuple[float, float] | None"]


def _rows(path: str | Path, columns: list[str], required: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"fichier illisible ({exc.strerror})", file=path) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError("le fichier n'est pas en UTF-8", file=path, line=line) from None
    if not text.strip():
        raise InputError("fichier vide (une ligne d'en-tête est attendue)", file=path, line=1)
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    header = [h.strip().lower() for h in next(reader)]
    unknown = [h for h in header if h not in columns]
    if unknown:
        raise InputError(f"colonne inconnue (attendues : {', '.join(columns)})", file=path, line=1,
                         field=unknown[0])
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError("colonne obligatoire absente", file=path, line=1, field=missing[0])
    seen_data = False
    while True:
        start_line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(f"ligne CSV mal formée ({exc})", file=path, line=start_line) from None
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise InputError(f"{len(row)} champs au lieu de {len(header)}", file=path, line=start_line)
        seen_data = True
        yield start_line, {h: c.strip() for h, c in zip(header, row, strict=True)}
    if not seen_data:
        raise InputError("aucune ligne de données après l'en-tête", file=path, line=1)


def _float(text: str, low: float, high: float, *, path: str | Path, line: int, field: str) -> float:
    try:
        x = float(text.replace(",", "."))
    except ValueError:
        raise InputError(f"« {text} » n'est pas un nombre", file=path, line=line, field=field) from None
    if not low <= x <= high:
        raise InputError(f"{x} hors de l'intervalle [{low}, {high}]", file=path, line=line, field=field)
    return x


def read_pharmacies(path: str | Path, *, communes: dict[str, tuple[float, float]],
                    finess_point: PointOf | None = None) -> pd.DataFrame:
    """Validate a pharmacies file; returns one row per pharmacy (columns of the store table).

    Parameters
    ----------
    path : str or Path
        The CSV file.
    communes : dict
        ``{code_commune: (lat, lon)}`` of the current communes (codes are checked against it).
    finess_point : callable, optional
        ``finess_point(pharmacy_id) -> (lat, lon) | None`` used when the file gives no coordinates.
    """
    out: list[dict[str, Any]] = []
    ids: dict[str, int] = {}
    for line, r in _rows(path, PHARMACY_COLUMNS, PHARMACY_REQUIRED):
        for field in PHARMACY_REQUIRED:
            if not r.get(field):
                raise InputError("valeur obligatoire manquante", file=path, line=line, field=field)
        pid = r["pharmacy_id"]
        if pid in ids:
            raise InputError(f"identifiant en double (déjà ligne {ids[pid]})", file=path, line=line,
                             field="pharmacy_id")
        ids[pid] = line
        code = r["code_commune"].upper().zfill(5)
        if code not in communes:
            raise InputError(f"code commune « {r['code_commune']} » inconnu du territoire", file=path,
                             line=line, field="code_commune")
        lat_t, lon_t = r.get("lat", ""), r.get("lon", "")
        if bool(lat_t) != bool(lon_t):
            raise InputError("lat et lon vont ensemble (les deux ou aucun)", file=path, line=line,
                             field="lat" if not lat_t else "lon")
        if lat_t:
            lat = _float(lat_t, -90, 90, path=path, line=line, field="lat")
            lon = _float(lon_t, -180, 180, path=path, line=line, field="lon")
        else:
            point = finess_point(pid) if finess_point else None
            lat, lon = point if point else communes[code]
        cp = r.get("code_postal", "")
        if cp and not re.fullmatch(r"\d{5}", cp):
            raise InputError(f"code postal « {cp} » invalide (5 chiffres)", file=path, line=line,
                             field="code_postal")
        phone = re.sub(r"[\s.\-]", "", r.get("phone", ""))
        if phone and not _PHONE.match(phone):
            raise InputError(f"téléphone « {r['phone']} » invalide (10 chiffres ou +indicatif)", file=path,
                             line=line, field="phone")
        hours = r.get("hours", "")
        try:
            parse_hours(hours)
        except HoursError as exc:
            raise InputError(str(exc), file=path, line=line, field="hours") from None
        flag = r.get("call_before", "").lower()
        if flag not in _TRUE | _FALSE:
            raise InputError(f"« {r['call_before']} » : attendu oui ou non", file=path, line=line,
                             field="call_before")
        out.append({
            "pharmacy_id": pid, "name": r["name"], "address": r.get("address") or None,
            "code_postal": cp or None, "code_commune": code, "zone": zone_of_commune(code),
            "lat": lat, "lon": lon, "phone": phone or None, "hours": hours or None,
            "access_notes": r.get("access_notes") or None, "call_before": flag in _TRUE,
            "sector": r.get("sector") or None,
        })
    return pd.DataFrame(out)


def read_rota(path: str | Path, *, pharmacy_zones: dict[str, str]) -> pd.DataFrame:
    """Validate a rota file; returns one row per slot with UTC epochs.

    Parameters
    ----------
    path : str or Path
        The CSV file.
    pharmacy_zones : dict
        ``{pharmacy_id: calendar zone}`` of the known pharmacies (ids are checked against it).
    """
    max_hours = float(value("duty", "max_slot_hours"))
    out = []
    for line, r in _rows(path, ROTA_COLUMNS, ROTA_REQUIRED):
        for field in ROTA_REQUIRED:
            if not r.get(field):
                raise InputError("valeur obligatoire manquante", file=path, line=line, field=field)
        pid = r["pharmacy_id"]
        if pid not in pharmacy_zones:
            raise InputError(f"pharmacie « {pid} » inconnue : importez d'abord ses coordonnées", file=path,
                             line=line, field="pharmacy_id")
        tz = time_zone(pharmacy_zones[pid])
        times = {}
        for field in ("start", "end"):
            try:
                times[field] = parse_local(r[field], tz)
            except LocalTimeError as exc:
                raise InputError(str(exc), file=path, line=line, field=field) from None
        start, end = to_epoch(times["start"]), to_epoch(times["end"])
        if end <= start:
            raise InputError("la fin doit suivre le début (une garde de nuit finit le lendemain)",
                             file=path, line=line, field="end")
        if end - start > max_hours * 3600:
            raise InputError(f"garde de {(end - start) / 3600:.1f} h : plus de {max_hours:g} h", file=path,
                             line=line, field="end")
        kind = r["kind"].lower()
        if kind not in KINDS:
            raise InputError(f"type « {r['kind']} » inconnu (attendus : {', '.join(KINDS)})", file=path,
                             line=line, field="kind")
        out.append({"pharmacy_id": pid, "start_epoch": start, "end_epoch": end, "starts_local": r["start"],
                    "ends_local": r["end"], "kind": kind, "sector": r.get("sector") or None})
    return pd.DataFrame(out)
