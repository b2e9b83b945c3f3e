"""Rota and hours: overnight slots, daylight-saving changes, the import validators."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from accesoins.errors import InputError
from accesoins.orientation.hours import HoursError, day_text, is_open, parse_hours
from accesoins.orientation.imports import read_pharmacies, read_rota
from accesoins.orientation.index import CommuneTable, PharmacyIndex
from accesoins.orientation.localtime import LocalTimeError, parse_local, to_epoch

PARIS = ZoneInfo("Europe/Paris")


def ep(text, tz=PARIS):
    return to_epoch(parse_local(text, tz))


def test_hours_format():
    iv = parse_hours("lu-ve 09:00-12:30,14:00-19:30; sa 09:00-12:30")
    assert is_open(iv, 0 * 1440 + 9 * 60) and not is_open(iv, 0 * 1440 + 13 * 60)
    assert not is_open(iv, 6 * 1440 + 10 * 60)
    assert day_text(iv, 5) == "09:00–12:30" and day_text(iv, 6) == "fermé"
    wrap = parse_hours("di 20:00-02:00")  # Sunday night into Monday
    assert is_open(wrap, 6 * 1440 + 23 * 60) and is_open(wrap, 60) and not is_open(wrap, 3 * 60)
    for bad in ("lu-xx 09:00-10:00", "lu 9h-10h", "lu 10:00", "lu 25:00-26:00", "09:00-10:00"):
        with pytest.raises(HoursError):
            parse_hours(bad)


def test_overnight_and_dst_durations():
    # spring forward (29 March 2026): the night lasts one hour less
    assert ep("2026-03-29T09:00") - ep("2026-03-28T19:30") == 12.5 * 3600
    # fall back (25 October 2026): one hour more
    assert ep("2026-10-25T09:00") - ep("2026-10-24T19:30") == 14.5 * 3600
    assert ep("2026-07-01T09:00") - ep("2026-06-30T19:30") == 13.5 * 3600
    with pytest.raises(LocalTimeError, match="n'existe pas"):
        parse_local("2026-03-29T02:30", PARIS)
    with pytest.raises(LocalTimeError, match="ambiguë"):
        parse_local("2026-10-25T02:30", PARIS)
    assert ep("2026-10-25T02:30+02:00") + 3600 == ep("2026-10-25T02:30+01:00")
    # Réunion has no DST: UTC+4 all year
    assert parse_local("2026-07-01T12:00", ZoneInfo("Indian/Reunion")).utcoffset().total_seconds() == 4 * 3600


def _tiny_index():
    communes = pd.DataFrame({"code_commune": ["15014", "15187", "57463"], "nom": ["Aurillac", "Saint-Flour", "Metz"],
                             "code_departement": ["15", "15", "57"], "population": [25_000, 6_500, 120_000],
                             "lat": [44.926, 45.034, 49.119], "lon": [2.440, 3.093, 6.176],
                             "area_km2": [27.8, 26.9, 41.9]})
    postcodes = pd.DataFrame({"code_commune": ["15014", "15187", "57463"], "code_postal": ["15000", "15100", "57000"]})
    table = CommuneTable(communes, postcodes)
    pharm = pd.DataFrame({
        "pharmacy_id": ["A", "B", "M"], "name": ["Centre", "Gare", "Metz"], "address": None, "code_postal": None,
        "code_commune": ["15014", "15014", "57463"], "zone": ["metro", "metro", "alsace_moselle"],
        "lat": [44.927, 44.930, 49.12], "lon": [2.441, 2.450, 6.18], "phone": None,
        "hours": ["lu-sa 09:00-19:30", "lu-sa 09:00-19:30", "lu-sa 09:00-19:30"], "access_notes": None,
        "call_before": [False, True, False], "sector": "s",
    })
    slots = pd.DataFrame({"pharmacy_id": ["B", "B"], "start_epoch": [ep("2026-12-24T19:30"), ep("2026-03-28T19:30")],
                          "end_epoch": [ep("2026-12-25T09:00"), ep("2026-03-29T09:00")], "kind": ["night", "night"]})
    return PharmacyIndex(pharm, slots, table, is_demo=False), table


def test_nearest_open_by_duty_and_hours():
    idx, table = _tiny_index()
    place = table.by_postcode("15000")
    night = idx.nearest_open(place, ep("2026-12-25T03:00"))
    assert [p["pharmacy_id"] for p in night] == ["B"] and night[0]["open_by"] == "garde"
    assert night[0]["call_before"] is True and night[0]["duty"]["end"] == "2026-12-25T09:00+01:00"
    assert idx.nearest_open(place, ep("2026-12-25T09:00")) == []  # slot end excluded; Christmas: no regular hours
    day = idx.nearest_open(place, ep("2026-12-22T10:00"))
    assert [p["pharmacy_id"] for p in day] == ["A", "B"] and day[0]["minutes"] <= day[1]["minutes"]
    # DST night: 08:30 on 29 March is still inside the slot, 09:00 is not
    assert [p["pharmacy_id"] for p in idx.nearest_open(place, ep("2026-03-29T08:30"))] == ["B"]


def test_good_friday_closes_regular_hours_only_in_moselle():
    idx, table = _tiny_index()
    metz = table.by_commune("Metz")
    assert idx.nearest_open(metz, ep("2026-04-03T10:00"), max_minutes=60) == []
    assert [p["pharmacy_id"] for p in idx.nearest_open(metz, ep("2026-04-02T10:00"), max_minutes=60)] == ["M"]
    aurillac = table.by_commune("aurillac")
    assert len(idx.nearest_open(aurillac, ep("2026-04-03T10:00"), max_minutes=60)) == 2


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


COMMUNES = {"15014": (44.926, 2.44), "57463": (49.119, 6.176)}


def test_read_pharmacies_ok(tmp_path):
    p = _write(tmp_path, "ph.csv", "pharmacy_id;name;code_commune;phone;hours;call_before\n"
               "150000001;Pharmacie A;15014;04 71 00 00 00;lu-ve 09:00-19:00;oui\n")
    rows = read_pharmacies(p, communes=COMMUNES)
    assert rows.iloc[0]["phone"] == "0471000000" and rows.iloc[0]["call_before"]
    assert (rows.iloc[0]["lat"], rows.iloc[0]["lon"]) == COMMUNES["15014"]


@pytest.mark.parametrize(("body", "line", "field"), [
    ("pharmacy_id;name;code_commune;colour\nA;B;15014;x\n", 1, "colour"),
    ("pharmacy_id;name\nA;B\n", 1, "code_commune"),
    ("pharmacy_id;name;code_commune\nA;B;15014\nA;C;15014\n", 3, "pharmacy_id"),
    ("pharmacy_id;name;code_commune\nA;B;99999\n", 2, "code_commune"),
    ("pharmacy_id;name;code_commune;lat;lon\nA;B;15014;44.9;\n", 2, "lon"),
    ("pharmacy_id;name;code_commune;lat;lon\nA;B;15014;144.9;2\n", 2, "lat"),
    ("pharmacy_id;name;code_commune;phone\nA;B;15014;12\n", 2, "phone"),
    ("pharmacy_id;name;code_commune;hours\nA;B;15014;lundi 9h\n", 2, "hours"),
    ("pharmacy_id;name;code_commune;call_before\nA;B;15014;peut-être\n", 2, "call_before"),
    ("pharmacy_id;name;code_commune\n\nA;;15014\n", 3, "name"),
])
def test_read_pharmacies_errors(tmp_path, body, line, field):
    p = _write(tmp_path, "ph.csv", body)
    with pytest.raises(InputError) as e:
        read_pharmacies(p, communes=COMMUNES)
    assert (e.value.line, e.value.field) == (line, field)
    assert "ph.csv" in str(e.value)


def test_read_rota_ok_and_errors(tmp_path):
    zones = {"A": "metro", "R": "974"}
    ok = _write(tmp_path, "rota.csv", "pharmacy_id;start;end;kind;sector\n"
                "A;2026-12-24T19:30;2026-12-25T09:00;night;15-1\n"
                "R;2026-12-20T09:00;2026-12-20T19:30;holiday;974-1\n")
    rows = read_rota(ok, pharmacy_zones=zones)
    assert rows.iloc[0]["end_epoch"] - rows.iloc[0]["start_epoch"] == 13.5 * 3600
    assert rows.iloc[1]["start_epoch"] == to_epoch(datetime(2026, 12, 20, 5, 0, tzinfo=ZoneInfo("UTC")))
    cases = [
        ("X;2026-12-24T19:30;2026-12-25T09:00;night;\n", "pharmacy_id"),
        ("A;2026-12-24 19h30;2026-12-25T09:00;night;\n", "start"),
        ("A;2026-12-24T19:30;2026-12-24T09:00;night;\n", "end"),
        ("A;2026-12-24T19:30;2026-12-28T09:00;night;\n", "end"),
        ("A;2026-03-29T02:30;2026-03-29T09:00;night;\n", "start"),
        ("A;2026-10-24T19:30;2026-10-25T02:30;night;\n", "end"),
        ("A;2026-12-24T19:30;2026-12-25T09:00;nuit;\n", "kind"),
    ]
    for body, field in cases:
        p = _write(tmp_path, "bad.csv", "pharmacy_id;start;end;kind;sector\n" + body)
        with pytest.raises(InputError) as e:
            read_rota(p, pharmacy_zones=zones)
        assert (e.value.line, e.value.field) == (2, field), body
