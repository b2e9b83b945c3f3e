"""Public holidays and local time zones, from the sourced calendar ``holidays.yaml``.

Easter Sunday comes from the anonymous Gregorian computus (Meeus/Jones/Butcher);
the national, Alsace-Moselle and overseas holidays are offsets or fixed dates
read from the rule file. A *calendar zone* groups the départements sharing the
same holidays and time zone: ``metro``, ``alsace_moselle``, ``971`` … ``976``.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from ..errors import ParameterError
from .rules import rule, value

DROM = ("971", "972", "973", "974", "976")
ZONES = ("metro", "alsace_moselle", *DROM)


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday of ``year`` (anonymous computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def zone_of_departement(code_departement: str) -> str:
    """Calendar zone of a département code (``'57'`` → ``'alsace_moselle'``, ``'974'`` → ``'974'``)."""
    code = str(code_departement)
    if code in DROM:
        return code
    if code in rule("holidays", "alsace_moselle")["departements"]:
        return "alsace_moselle"
    return "metro"


def zone_of_commune(code_commune: str) -> str:
    """Calendar zone of an INSEE commune code."""
    code = str(code_commune)
    return zone_of_departement(code[:3] if code.startswith("97") else code[:2])


@functools.cache
def time_zone(zone: str) -> ZoneInfo:
    """IANA time zone of a calendar zone."""
    zones = value("holidays", "time_zones")
    return ZoneInfo(zones.get(zone, zones["default"]))


@functools.cache
def holidays(year: int, zone: str = "metro") -> dict[date, str]:
    """Public holidays of ``year`` in a calendar zone, as {date: French label}."""
    if zone not in ZONES:
        raise ParameterError(f"Zone de calendrier inconnue : {zone} (attendues : {', '.join(ZONES)}).")
    fixed = value("holidays", "national_fixed")
    labels = rule("holidays", "national_fixed")["labels"]
    out = {date(year, int(md[:2]), int(md[3:])): labels[md] for md in fixed}
    easter = easter_sunday(year)
    for offset, label in value("holidays", "national_easter").items():
        out[easter + timedelta(days=int(offset))] = label
    if zone == "alsace_moselle":
        extra = value("holidays", "alsace_moselle")
        for offset, label in extra["easter"].items():
            out[easter + timedelta(days=int(offset))] = label
        for md, label in extra["fixed"].items():
            out[date(year, int(md[:2]), int(md[3:]))] = label
    if zone in DROM:
        md = value("holidays", "abolition_of_slavery")[zone]
        out[date(year, int(md[:2]), int(md[3:]))] = rule("holidays", "abolition_of_slavery")["labels"][zone]
    return dict(sorted(out.items()))


def holiday_name(day: date, zone: str = "metro") -> str | None:
    """The holiday's label if ``day`` is a public holiday in ``zone``, else None."""
    return holidays(day.year, zone).get(day)
