"""Working days of a month: weekdays allowed, public holidays excluded.

Public holidays are passed in by the caller (the service reads them from the
orientation rules file), so this module has no data of its own.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
from collections.abc import Iterable

from accesoins.errors import ParameterError

WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def month_days(year: int, month: int, *, weekdays: Iterable[int] = (0, 1, 2, 3, 4),
               holidays: Iterable[dt.date] = ()) -> list[dt.date]:
    """Dates of ``year``-``month`` falling on ``weekdays`` (0 = Monday) and not in ``holidays``."""
    if not 1 <= int(month) <= 12 or not 1900 <= int(year) <= 2200:
        raise ParameterError("mois invalide : année entre 1900 et 2200, mois entre 1 et 12.")
    allowed = {int(w) for w in weekdays}
    if not allowed or not allowed <= set(range(7)):
        raise ParameterError("jours de la semaine : entiers de 0 (lundi) à 6 (dimanche).")
    off = set(holidays)
    n = _cal.monthrange(int(year), int(month))[1]
    days = (dt.date(int(year), int(month), d) for d in range(1, n + 1))
    return [d for d in days if d.weekday() in allowed and d not in off]
