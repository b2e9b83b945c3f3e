"""Weekly opening hours: a small, documented text format and its parser.

Format (French day abbreviations, 24-hour times, local time of the pharmacy)::

    lu-ve 08:30-12:30,14:00-19:30; sa 09:00-12:30

Days are ``lu ma me je ve sa di``; a range ``lu-ve`` or a list ``lu,me,ve``
precedes one or more ``HH:MM-HH:MM`` intervals separated by commas; groups are
separated by ``;``. An interval ending before it starts runs past midnight
(``di 20:00-02:00``). Regular hours do not apply on public holidays: on those
days only duty (garde) opens a pharmacy. Intervals are held as minutes since
Monday 00:00 (``0`` … ``10080``).
"""

from __future__ import annotations

import re

DAYS = ("lu", "ma", "me", "je", "ve", "sa", "di")
DAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
WEEK = 7 * 24 * 60
_TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


class HoursError(ValueError):
    """The opening-hours text is not in the expected format (message in French)."""


def _minutes(text: str) -> int:
    m = _TIME.match(text.strip())
    if not m or (m.group(1) == "24" and m.group(2) != "00"):
        raise HoursError(f"heure « {text.strip()} » invalide (attendu HH:MM, par ex. 09:00)")
    return int(m.group(1)) * 60 + int(m.group(2))


def _days(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        part = part.strip().lower()
        if "-" in part:
            a, _, b = part.partition("-")
            if a not in DAYS or b not in DAYS:
                raise HoursError(f"jours « {part} » invalides (attendus : {' '.join(DAYS)})")
            i, j = DAYS.index(a), DAYS.index(b)
            out.extend(range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)])
        elif part in DAYS:
            out.append(DAYS.index(part))
        else:
            raise HoursError(f"jour « {part} » invalide (attendus : {' '.join(DAYS)})")
    return out


def parse_hours(text: str) -> list[tuple[int, int]]:
    """Weekly intervals ``(start, end)`` in minutes since Monday 00:00, sorted and merged.

    Raises
    ------
    HoursError
        On any malformed group, day or time (the message says which).
    """
    text = (text or "").strip()
    if not text:
        return []
    raw: list[tuple[int, int]] = []
    for group in text.split(";"):
        group = group.strip()
        if not group:
            continue
        m = re.match(r"^([a-zA-Z,\-\s]+?)\s+(\S.*)$", group)
        if not m:
            raise HoursError(f"groupe « {group} » invalide (attendu par ex. « lu-ve 09:00-19:00 »)")
        days = _days(m.group(1).replace(" ", ""))
        for interval in m.group(2).split(","):
            a, sep, b = interval.strip().partition("-")
            if not sep:
                raise HoursError(f"plage « {interval.strip()} » invalide (attendu HH:MM-HH:MM)")
            start, end = _minutes(a), _minutes(b)
            if start == end:
                raise HoursError(f"plage « {interval.strip()} » vide")
            for d in days:
                s = d * 1440 + start
                e = d * 1440 + end if end > start else (d + 1) * 1440 + end
                if e <= WEEK:
                    raw.append((s, e))
                else:  # Sunday night running into Monday
                    raw.append((s, WEEK))
                    raw.append((0, e - WEEK))
    raw.sort()
    merged: list[tuple[int, int]] = []
    for s, e in raw:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def is_open(intervals: list[tuple[int, int]], minute_of_week: int) -> bool:
    """Whether a minute of the week falls in one of the intervals (end excluded)."""
    return any(s <= minute_of_week < e for s, e in intervals)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def day_text(intervals: list[tuple[int, int]], day: int) -> str:
    """The hours of one day (0 = Monday) in French, e.g. ``« 09:00–12:30, 14:00–19:30 »`` or ``« fermé »``."""
    lo, hi = day * 1440, (day + 1) * 1440
    parts = [f"{_hhmm(max(s, lo) - lo)}–{_hhmm(min(e, hi) - lo)}" for s, e in intervals if s < hi and e > lo]
    return ", ".join(parts) if parts else "fermé"


def week_text(intervals: list[tuple[int, int]]) -> list[dict[str, str]]:
    """Seven ``{"day": "lundi", "hours": "…"}`` rows for display."""
    return [{"day": DAY_NAMES[d], "hours": day_text(intervals, d)} for d in range(7)]
