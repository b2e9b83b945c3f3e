"""In-memory index answering "open pharmacies nearest to a point, now or at a time".

Built once (per app, lazily) from the store's pharmacies and duty slots, or
from the fictitious demonstration set. A query costs a few hundred
microseconds:

* the place (commune name, postcode or coordinates) is resolved from in-memory
  tables of communes (no SQL);
* candidates are the ``k`` nearest pharmacies on a k-d tree of unit-sphere
  points, plus every pharmacy on duty at that instant (slots are sorted by
  start; those active lie between two binary searches, as no slot lasts more
  than the longest one);
* regular hours are checked against the local minute of the week of each
  pharmacy's calendar zone (regular hours never apply on public holidays);
* open ones are ranked by :class:`accesoins.travel.road.RoadTimeModel`
  minutes from the point (its formula applied to arrays, without building
  DataFrames).
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ..errors import ParameterError
from ..territory.codes import fold
from ..travel.geo import chord_to_km, km_to_chord, unit_xyz
from ..travel.road import RoadTimeModel
from .calendar import ZONES, holiday_name, time_zone, zone_of_commune
from .hours import parse_hours, week_text
from .sites import contact_columns

KIND_LABELS = {"night": "garde de nuit", "sunday": "garde du dimanche", "holiday": "garde de jour férié"}
MAX_PLACE_KM = 50.0


@dataclass(frozen=True)
class Place:
    """A resolved point: where the person is, in which commune, zone and density class."""

    label: str
    lat: float
    lon: float
    code_commune: str
    zone: str
    density: float
    alternatives: tuple[dict[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "lat": round(self.lat, 5), "lon": round(self.lon, 5),
                "code_commune": self.code_commune, "zone": self.zone,
                "time_zone": time_zone(self.zone).key, "alternatives": list(self.alternatives)}


class CommuneTable:
    """Communes held in memory for place resolution (name, postcode, nearest point)."""

    def __init__(self, communes: pd.DataFrame, postcodes: pd.DataFrame) -> None:
        c = communes.reset_index(drop=True)
        self.code = c["code_commune"].to_numpy(object)
        self.nom = c["nom"].to_numpy(object)
        self.dep = c["code_departement"].to_numpy(object)
        self.lat = c["lat"].to_numpy(float)
        self.lon = c["lon"].to_numpy(float)
        pop = c["population"].fillna(0).to_numpy(float)
        self.pop = pop
        self.density = pop / np.maximum(c["area_km2"].fillna(np.nan).to_numpy(float), 0.01)
        self.zone = np.array([zone_of_commune(x) for x in self.code], dtype=object)
        self.pos = {code: i for i, code in enumerate(self.code)}
        order = np.argsort(-pop, kind="stable")
        self.by_name: dict[str, list[int]] = {}
        for i in order:
            self.by_name.setdefault(fold(self.nom[i]), []).append(int(i))
        self.sorted_names = sorted(self.by_name)
        self.by_cp: dict[str, list[int]] = {}
        self.cp_of: dict[str, str] = {}
        for code, cp in postcodes[["code_commune", "code_postal"]].itertuples(index=False):
            if code in self.pos:
                self.by_cp.setdefault(cp, []).append(self.pos[code])
                self.cp_of.setdefault(code, cp)
        for rows in self.by_cp.values():
            rows.sort(key=lambda i: -pop[i])
        self.tree = cKDTree(unit_xyz(self.lat, self.lon))

    def _row(self, i: int) -> dict[str, Any]:
        return {"code_commune": self.code[i], "nom": self.nom[i], "code_departement": self.dep[i]}

    def _place(self, i: int, label: str, lat: float | None = None, lon: float | None = None,
               alternatives: Sequence[dict[str, Any]] = ()) -> Place:
        return Place(label, float(self.lat[i] if lat is None else lat), float(self.lon[i] if lon is None else lon),
                     self.code[i], self.zone[i], float(self.density[i]), tuple(alternatives))

    def by_commune(self, name: str) -> Place:
        """The most populous commune matching ``name`` exactly, then by prefix, then by substring."""
        key = fold(name)
        if not key:
            raise ParameterError("Indiquez un nom de commune.")
        hits = list(self.by_name.get(key, []))
        if not hits:
            j = bisect.bisect_left(self.sorted_names, key)
            while j < len(self.sorted_names) and self.sorted_names[j].startswith(key) and len(hits) < 50:
                hits.extend(self.by_name[self.sorted_names[j]])
                j += 1
        if not hits and len(key) >= 3:
            hits = [i for n in self.sorted_names if key in n for i in self.by_name[n]][:50]
        if not hits:
            raise ParameterError(f"Aucune commune ne correspond à « {name} ».")
        hits.sort(key=lambda i: -self.pop[i])
        i = hits[0]
        alts = [self._row(j) for j in hits[1:6]]
        return self._place(i, f"{self.nom[i]} ({self.dep[i]})", alternatives=alts)

    def by_postcode(self, cp: str) -> Place:
        """The most populous commune of a postcode."""
        cp = cp.strip()
        if not (len(cp) == 5 and cp.isdigit()):
            raise ParameterError(f"Code postal « {cp} » invalide : 5 chiffres attendus.")
        rows = self.by_cp.get(cp)
        if not rows:
            raise ParameterError(f"Aucune commune n'a le code postal « {cp} ».")
        i = rows[0]
        return self._place(i, f"{cp} {self.nom[i]}", alternatives=[self._row(j) for j in rows[1:6]])

    def by_code(self, code: str) -> Place:
        """A commune by its INSEE code."""
        i = self.pos.get(code.strip().upper())
        if i is None:
            raise ParameterError(f"Aucune commune n'a le code INSEE « {code} ».")
        return self._place(i, f"{self.nom[i]} ({self.dep[i]})")

    def by_point(self, lat: float, lon: float) -> Place:
        """The point itself, in the commune whose reference point is nearest."""
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ParameterError("Coordonnées invalides : latitude entre -90 et 90, longitude entre -180 et 180.")
        chord, i = self.tree.query(unit_xyz(np.array([lat]), np.array([lon])))
        if chord_to_km(chord)[0] > MAX_PLACE_KM:
            raise ParameterError("Ces coordonnées sont loin de toute commune couverte (France et DROM).")
        i = int(i[0])
        return self._place(i, f"{lat:.4f}, {lon:.4f} (près de {self.nom[i]})", lat=lat, lon=lon)


class PharmacyIndex:
    """Pharmacies, their hours and duty slots, ready for the nearest-open query."""

    def __init__(self, pharmacies: pd.DataFrame, slots: pd.DataFrame, communes: CommuneTable, *,
                 is_demo: bool, model: RoadTimeModel | None = None) -> None:
        p = pharmacies.reset_index(drop=True)
        self.communes = communes
        self.is_demo = is_demo
        self.model = model or RoadTimeModel()
        self.n = len(p)
        cols = ["pharmacy_id", "name", "address", "code_postal", "code_commune", "phone",
                "access_notes", "call_before", "sector", "hours"]
        if "is_demo" not in p:
            p = p.assign(is_demo=is_demo)
        # column labels are str: the stubs only know Hashable
        self.records = cast(list[dict[str, Any]], p[[*cols, "is_demo"]].to_dict("records"))
        for r in self.records:
            for key, value in r.items():  # missing text read back from the store as NaN
                if isinstance(value, float) and value != value:
                    r[key] = None
            r["is_demo"] = bool(r["is_demo"])
            r["call_before"] = bool(r["call_before"])
        self.lat, self.lon = p["lat"].to_numpy(float), p["lon"].to_numpy(float)
        self.xyz = unit_xyz(self.lat, self.lon)
        self.tree = cKDTree(self.xyz) if self.n else None
        self.zone_idx = np.array([ZONES.index(z) for z in p["zone"]], dtype=np.int8)
        dens = np.array([communes.density[communes.pos[c]] if c in communes.pos else np.nan
                         for c in p["code_commune"]])
        self.pace = self.model.local_pace(dens)
        self.id_pos = {pid: i for i, pid in enumerate(p["pharmacy_id"])}
        self.intervals = [parse_hours(h or "") for h in p["hours"]]
        ptr: list[int] = [0]
        starts: list[int] = []
        ends: list[int] = []
        for iv in self.intervals:
            starts.extend(s for s, _ in iv)
            ends.extend(e for _, e in iv)
            ptr.append(len(starts))
        self.h_ptr = np.array(ptr, dtype=np.int64)
        self.h_start, self.h_end = np.array(starts, dtype=np.int32), np.array(ends, dtype=np.int32)
        s = slots.sort_values("start_epoch", kind="stable")
        keep = s["pharmacy_id"].isin(self.id_pos)
        s = s[keep]
        self.s_start = s["start_epoch"].to_numpy(np.int64)
        self.s_end = s["end_epoch"].to_numpy(np.int64)
        self.s_who = np.array([self.id_pos[x] for x in s["pharmacy_id"]], dtype=np.int64)
        self.s_kind = s["kind"].to_numpy(object)
        self.max_slot = int((self.s_end - self.s_start).max()) if len(s) else 0
        self._weeks: dict[int, list[dict[str, str]]] = {}
        # duty slots starting and ending on whole minutes (hours are in minutes): then an answer
        # is the same for every second of a minute, and may be kept for that minute
        self.minute_exact = bool(((self.s_start % 60) == 0).all() and ((self.s_end % 60) == 0).all())

    # -- time ------------------------------------------------------------------
    @staticmethod
    def zone_clock(epoch: int) -> tuple[np.ndarray, np.ndarray]:
        """Per calendar zone: local minute of the week, and whether the local day is a holiday."""
        return _zone_clock(int(epoch) // 60)

    def open_by_hours(self, cand: np.ndarray, epoch: int) -> np.ndarray:
        """Whether each candidate is open by its regular hours at ``epoch``."""
        mow, hol = self.zone_clock(epoch)
        m = mow[self.zone_idx[cand]]
        lo, hi = self.h_ptr[cand], self.h_ptr[cand + 1]
        counts = hi - lo
        out = np.zeros(len(cand), dtype=bool)
        if counts.sum():
            owner = np.repeat(np.arange(len(cand)), counts)
            flat = np.repeat(lo - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts) + np.arange(counts.sum())
            hit = (self.h_start[flat] <= m[owner]) & (m[owner] < self.h_end[flat])
            out[np.unique(owner[hit])] = True
        open_now: np.ndarray = out & ~hol[self.zone_idx[cand]]
        return open_now

    def on_duty(self, epoch: int) -> tuple[np.ndarray, np.ndarray]:
        """(pharmacy positions, slot positions) of the duty slots active at ``epoch``."""
        lo = np.searchsorted(self.s_start, epoch - self.max_slot, side="right")
        hi = np.searchsorted(self.s_start, epoch, side="right")
        sl = np.arange(lo, hi)
        sl = sl[self.s_end[sl] > epoch]
        return self.s_who[sl], sl

    # -- query -----------------------------------------------------------------
    def nearest_open(self, place: Place, epoch: int, *, limit: int = 5, max_minutes: float = 120.0,
                     k: int = 48) -> list[dict[str, Any]]:
        """The open pharmacies nearest to ``place`` by road time at ``epoch`` (UTC seconds)."""
        if not self.n or self.tree is None:
            return []
        q = unit_xyz(np.array([place.lat]), np.array([place.lon]))[0]
        _, near = self.tree.query(q, k=min(k, self.n))
        near = np.atleast_1d(near).astype(np.int64)
        pace_o = self.model.local_pace(np.array([place.density]))
        duty_who, duty_slots = self.on_duty(epoch)
        if len(duty_who) > limit:
            # at night ~850 pharmacies are on duty nationwide; all are open, so only those no
            # farther than the ``limit``-th nearest on duty (ties kept) can be in the answer
            duty_minutes = self._minutes(q, pace_o, duty_who)[0]
            keep = duty_minutes <= np.partition(duty_minutes, limit - 1)[limit - 1]
            duty_who, duty_slots = duty_who[keep], duty_slots[keep]
        cand = np.unique(np.concatenate([near, duty_who]))
        by_hours = self.open_by_hours(cand, epoch)
        # the duty slot of each candidate (the last one listed when slots overlap), -1 when none:
        # binary search in the on-duty pharmacies sorted by position (no Python loop over them)
        slot_of = np.full(len(cand), -1, dtype=np.int64)
        if len(duty_who):
            order = np.argsort(duty_who, kind="stable")
            who_sorted = duty_who[order]
            at = np.maximum(np.searchsorted(who_sorted, cand, side="right") - 1, 0)
            hit = who_sorted[at] == cand
            slot_of[hit] = duty_slots[order][at[hit]]
        on_duty = slot_of >= 0
        ok = by_hours | on_duty
        cand, by_hours, on_duty, slot_of = cand[ok], by_hours[ok], on_duty[ok], slot_of[ok]
        if not len(cand):
            return []
        minutes, km = self._minutes(q, pace_o, cand)
        order = np.argsort(minutes, kind="stable")
        order = order[minutes[order] <= max_minutes][:limit]
        out = []
        for j in order:
            i = int(cand[j])
            slot = int(slot_of[j])
            out.append(self._describe(i, epoch, float(minutes[j]), float(km[j]), bool(by_hours[j]),
                                      slot if slot >= 0 else None))
        return out

    def _minutes(self, q: np.ndarray, pace_o: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Road minutes and great-circle km from the unit point ``q`` to pharmacies ``idx``."""
        km = chord_to_km(np.linalg.norm(self.xyz[idx] - q, axis=1))
        return self.model.minutes(km, np.broadcast_to(pace_o, km.shape), self.pace[idx]), km

    def _describe(self, i: int, epoch: int, minutes: float, km: float, by_hours: bool,
                  slot: int | None) -> dict[str, Any]:
        r: dict[str, Any] = dict(self.records[i])
        zone = ZONES[self.zone_idx[i]]
        tz = time_zone(zone)
        local = datetime.fromtimestamp(epoch, tz)
        r.pop("hours")
        r.update({
            "lat": round(float(self.lat[i]), 6), "lon": round(float(self.lon[i]), 6),
            "minutes": round(minutes, 1), "km": round(km, 1),
            "open_by": "garde" if slot is not None else "horaires",
            "open_by_label": KIND_LABELS[self.s_kind[slot]] if slot is not None else "ouverte (horaires habituels)",
            "also_regular_hours": by_hours and slot is not None,
            "duty": None if slot is None else {
                "kind": self.s_kind[slot],
                "start": datetime.fromtimestamp(int(self.s_start[slot]), tz).isoformat(timespec="minutes"),
                "end": datetime.fromtimestamp(int(self.s_end[slot]), tz).isoformat(timespec="minutes"),
            },
            "hours_today": self._week(i)[local.weekday()]["hours"],
            "hours_week": self._week(i),
        })
        return r

    def _week(self, i: int) -> list[dict[str, str]]:
        """The week's hours of pharmacy ``i`` in French, formatted once and kept (hours never change)."""
        week = self._weeks.get(i)
        if week is None:
            week = self._weeks[i] = week_text(self.intervals[i])
        return week


@functools.lru_cache(maxsize=4096)
def _zone_clock(minute: int) -> tuple[np.ndarray, np.ndarray]:
    """:meth:`PharmacyIndex.zone_clock` of a UTC minute (both values are constant within it), kept."""
    mow = np.empty(len(ZONES), dtype=np.int32)
    hol = np.empty(len(ZONES), dtype=bool)
    for k, zone in enumerate(ZONES):
        t = datetime.fromtimestamp(minute * 60, time_zone(zone))
        mow[k] = t.weekday() * 1440 + t.hour * 60 + t.minute
        hol[k] = holiday_name(t.date(), zone) is not None
    mow.flags.writeable = hol.flags.writeable = False  # shared by every query of that minute
    return mow, hol


class SiteIndex:
    """Points of care sites (e.g. maisons de santé) for "within N minutes" queries."""

    def __init__(self, sites: pd.DataFrame, communes: CommuneTable, model: RoadTimeModel | None = None) -> None:
        s = sites.reset_index(drop=True)
        self.model = model or RoadTimeModel()
        s = contact_columns(s)
        keep = [c for c in ("category", "code_commune", "name", "quantity", "site_id", "is_demo",
                            "address", "phone", "hours") if c in s]
        rec = s[keep].astype(object)
        self.records = cast(list[dict[str, Any]],  # no NaN name in JSON or pages
                            rec.where(rec.notna(), None).to_dict("records"))
        self.xyz = unit_xyz(s["lat"].to_numpy(float), s["lon"].to_numpy(float))
        dens = np.array([communes.density[communes.pos[c]] if c in communes.pos else np.nan
                         for c in s["code_commune"]])
        self.pace = self.model.local_pace(dens)
        self.names = {c: communes.nom[i] for c, i in communes.pos.items()}
        self.tree = cKDTree(self.xyz) if len(s) else None

    def within(self, place: Place, max_minutes: float, *, limit: int = 10) -> list[dict[str, Any]]:
        """Sites reachable within ``max_minutes`` of road time from ``place``, nearest first."""
        if self.tree is None:
            return []
        q = unit_xyz(np.array([place.lat]), np.array([place.lon]))[0]
        reach = self.model.max_reach_km(max_minutes)
        idx = np.array(self.tree.query_ball_point(q, km_to_chord(reach)), dtype=np.int64)
        if not len(idx):
            return []
        km = chord_to_km(np.linalg.norm(self.xyz[idx] - q, axis=1))
        pace_o = self.model.local_pace(np.array([place.density]))
        minutes = self.model.minutes(km, np.broadcast_to(pace_o, km.shape), self.pace[idx])
        order = np.argsort(minutes, kind="stable")
        order = order[minutes[order] <= max_minutes][:limit]
        out: list[dict[str, Any]] = []
        for j in order:
            r: dict[str, Any] = dict(self.records[int(idx[j])])
            r.update({"commune": self.names.get(r["code_commune"]), "minutes": round(float(minutes[j]), 1),
                      "km": round(float(km[j]), 1)})
            out.append(r)
        return out
