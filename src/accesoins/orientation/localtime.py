"""Local wall-clock times ↔ UTC instants, strict about daylight-saving changes.

A wall-clock time skipped by the spring change (02:30 on the last Sunday of
March in Paris) does not exist; one repeated by the autumn change is
ambiguous. Both are refused unless the text carries an explicit offset.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?$")


class LocalTimeError(ValueError):
    """A date-time text that is malformed, skipped or ambiguous (message in French)."""


def parse_local(text: str, tz: ZoneInfo) -> datetime:
    """Aware datetime of ``text`` (ISO, e.g. ``2026-12-24T19:30``) read in ``tz``.

    An explicit offset (``+01:00``, ``Z``) wins over ``tz``.

    Raises
    ------
    LocalTimeError
        Malformed text, a time skipped by the spring change, or a repeated
        (ambiguous) time of the autumn change without an offset.
    """
    m = _ISO.match((text or "").strip())
    if not m:
        raise LocalTimeError(f"date-heure « {text} » invalide (attendu AAAA-MM-JJTHH:MM, par ex. 2026-12-24T19:30)")
    y, mo, d, h, mi, s, off = m.groups()
    try:
        naive = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
    except ValueError as exc:
        raise LocalTimeError(f"date-heure « {text} » impossible ({exc})") from None
    if off:
        if off == "Z":
            return naive.replace(tzinfo=UTC)
        sign = 1 if off[0] == "+" else -1
        digits = off[1:].replace(":", "")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return naive.replace(tzinfo=UTC) - sign * delta
    return localize(naive, tz, text)


def localize(naive: datetime, tz: ZoneInfo, text: str | None = None) -> datetime:
    """Attach ``tz`` to a naive wall-clock time, refusing skipped and ambiguous ones."""
    shown = text or naive.isoformat(timespec="minutes")
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        # Skipped time: converting there and back does not return the same wall clock.
        back = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        if back != naive:
            raise LocalTimeError(
                f"« {shown} » n'existe pas en heure locale ({tz.key}) : l'heure saute au changement d'heure"
            )
        raise LocalTimeError(
            f"« {shown} » est ambiguë en heure locale ({tz.key}) : elle existe deux fois au changement "
            "d'heure ; précisez le décalage, par ex. +02:00 ou +01:00"
        )
    return first


def to_epoch(dt: datetime) -> int:
    """Seconds since 1970-01-01 UTC of an aware datetime."""
    return int(dt.timestamp())


def from_epoch(seconds: int, tz: ZoneInfo) -> datetime:
    """Aware local datetime of an epoch in ``tz``."""
    return datetime.fromtimestamp(int(seconds), tz)
