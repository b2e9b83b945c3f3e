"""Public holidays: Easter by the computus, Alsace-Moselle, overseas; time zones."""

from __future__ import annotations

from datetime import date

import pytest

from accesoins.orientation.calendar import easter_sunday, holiday_name, holidays, time_zone, zone_of_commune


@pytest.mark.parametrize(("year", "easter"), [(2000, date(2000, 4, 23)), (2019, date(2019, 4, 21)),
                                              (2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)),
                                              (2026, date(2026, 4, 5)), (2027, date(2027, 3, 28)),
                                              (2038, date(2038, 4, 25)), (2285, date(2285, 3, 22))])
def test_easter(year, easter):
    assert easter_sunday(year) == easter


def test_metro_2026():
    h = holidays(2026, "metro")
    assert len(h) == 11
    assert h[date(2026, 4, 6)] == "Lundi de Pâques"
    assert h[date(2026, 5, 14)] == "Ascension"
    assert h[date(2026, 5, 25)] == "Lundi de Pentecôte"
    assert date(2026, 4, 3) not in h and date(2026, 12, 26) not in h


def test_alsace_moselle_extra_days():
    for code in ("57463", "67482", "68224"):
        assert zone_of_commune(code) == "alsace_moselle"
    assert holiday_name(date(2026, 4, 3), "alsace_moselle") == "Vendredi saint"
    assert holiday_name(date(2025, 4, 18), "alsace_moselle") == "Vendredi saint"
    assert holiday_name(date(2026, 12, 26), "alsace_moselle").startswith("Saint-Étienne")
    assert len(holidays(2026, "alsace_moselle")) == 13


@pytest.mark.parametrize(("zone", "day", "tz"), [("971", date(2026, 5, 27), "America/Guadeloupe"),
                                                 ("972", date(2026, 5, 22), "America/Martinique"),
                                                 ("973", date(2026, 6, 10), "America/Cayenne"),
                                                 ("974", date(2026, 12, 20), "Indian/Reunion"),
                                                 ("976", date(2026, 4, 27), "Indian/Mayotte")])
def test_overseas_abolition_days(zone, day, tz):
    assert holiday_name(day, zone) is not None
    assert holiday_name(day, "metro") is None
    others = [z for z in ("971", "972", "973", "974", "976") if z != zone]
    assert all(holiday_name(day, z) is None for z in others)
    assert time_zone(zone).key == tz
    assert zone_of_commune(f"{zone}01") == zone


def test_unknown_zone():
    with pytest.raises(ValueError, match="inconnue"):
        holidays(2026, "xx")
