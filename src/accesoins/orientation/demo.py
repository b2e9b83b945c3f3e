"""A seeded, FICTITIOUS set of pharmacies, opening hours and duty rotas.

Used when no pharmacy file has been imported. Locations come from the store's
offer when it has pharmacies (FINESS officines with their real point and name;
else the per-commune counts of the demonstration offer), otherwise ~20,000
pharmacies are drawn in proportion to population. Hours, phones (numbers of
the ranges ARCEP reserves for fiction), access notes, duty sectors and rotas
are always invented, and every row is flagged ``is_demo``: pages, API and CLI
say so.

Sectors group about :data:`SECTOR_SIZE` neighbouring pharmacies of a
département (k-means on their points). Each sector has one pharmacy on night
duty every night (``duty.demo_night_slot``, ending the next morning) and one
on day duty on Sundays and public holidays of its calendar zone
(``duty.demo_day_slot``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

import numpy as np
import pandas as pd
from scipy.cluster.vq import kmeans2

from .calendar import ZONES, holiday_name, time_zone, zone_of_commune
from .localtime import localize, to_epoch
from .rules import value

DEMO_SOURCE = "orientation_demo"
DEMO_TITLE = "Pharmacies, horaires et gardes FICTIFS de démonstration (générés, graine {seed})"
DEMO_NOTICE = ("Pharmacies de garde : données FICTIVES de démonstration (horaires, téléphones et tours de "
               "garde inventés). Pour une vraie garde, appelez le 3237 ou consultez le site de votre ARS.")
SECTOR_SIZE = 25
NATIONAL_TOTAL = 20_000

_HOURS = [  # (weight, hours) — typical officine patterns
    (0.55, "lu-ve 09:00-12:30,14:00-19:30; sa 09:00-12:30"),
    (0.20, "lu-sa 08:30-20:00"),
    (0.15, "lu-ve 08:45-12:15,14:00-19:15; sa 09:00-12:30,14:00-18:00"),
    (0.10, "lu-sa 09:00-19:30"),
]
_LATE = "lu-di 08:00-24:00"
_NOTES = ["Accès de plain-pied", "Rampe d'accès pour fauteuil roulant", "Marche à l'entrée, sonnette",
          "Guichet de nuit à droite de l'entrée", "Parking devant la pharmacie", None, None, None]
_STREETS = ["rue de la République", "place de la Mairie", "Grande Rue", "avenue de la Gare",
            "rue du Marché", "place de l'Église", "rue Nationale", "boulevard Victor-Hugo"]


@dataclass
class DemoSet:
    """The generated pharmacies (store columns) and slots (UTC epochs), with provenance."""

    pharmacies: pd.DataFrame
    slots: pd.DataFrame
    seed: int
    years: tuple[int, int]
    locations_from: str


# (commune row index, lat, lon, names or None, ids or None, origin)
_Locations = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None, str]


def _locations(communes: pd.DataFrame, offer: pd.DataFrame | None, rng: np.random.Generator) -> _Locations:
    """(commune row index, lat, lon, name or None, id or None, origin) of every pharmacy."""
    pos = pd.Series(np.arange(len(communes)), index=communes["code_commune"].to_numpy())
    if offer is not None and len(offer):
        finess = offer[offer["site_id"].notna() & offer["lat"].notna()]
        finess = finess[finess["code_commune"].isin(pos.index)]
        if len(finess):
            return (pos[finess["code_commune"]].to_numpy(), finess["lat"].to_numpy(float),
                    finess["lon"].to_numpy(float), finess["name"].to_numpy(object),
                    finess["site_id"].to_numpy(object), "finess")
        counts = offer.groupby("code_commune")["quantity"].sum()
        counts = counts[counts.index.isin(pos.index)]
        idx = np.repeat(pos[counts.index].to_numpy(), counts.round().astype(int).to_numpy())
        origin = "offer"
    else:
        pop = communes["population"].fillna(0).to_numpy(float)
        w = np.maximum(pop, 1.0)
        idx = np.sort(rng.choice(len(communes), size=NATIONAL_TOTAL, p=w / w.sum()))
        origin = "population"
    # jitter around the commune point, within about a third of its radius
    radius_km = np.sqrt(communes["area_km2"].fillna(10).to_numpy(float)[idx] / np.pi) / 3
    angle = rng.uniform(0, 2 * np.pi, len(idx))
    dist = radius_km * np.sqrt(rng.uniform(0, 1, len(idx)))
    lat0 = communes["lat"].to_numpy(float)[idx]
    lat = lat0 + dist * np.sin(angle) / 111.2
    lon = communes["lon"].to_numpy(float)[idx] + dist * np.cos(angle) / (111.2 * np.cos(np.radians(lat0)))
    return idx, lat, lon, None, None, origin


def _sectors(dep: np.ndarray, lat: np.ndarray, lon: np.ndarray, seed: int) -> np.ndarray:
    sector = np.empty(len(dep), dtype=object)
    for d in np.unique(dep):
        where = np.flatnonzero(dep == d)
        k = max(1, int(np.ceil(len(where) / SECTOR_SIZE)))
        if k == 1:
            labels = np.zeros(len(where), dtype=int)
        else:
            pts = np.column_stack([lat[where], lon[where] * np.cos(np.radians(lat[where]))])
            _, labels = kmeans2(pts, k, minit="++", seed=seed, iter=8)
        sector[where] = [f"{d}-{lab + 1:02d}" for lab in labels]
    return sector


def _local_epochs(zone: str, days: list[date], hhmm: str, next_day: bool = False) -> np.ndarray:
    tz = time_zone(zone)
    h, m = (int(x) for x in hhmm.split(":"))
    shift = timedelta(days=1 if next_day else 0)
    return np.array([to_epoch(localize(datetime(d.year, d.month, d.day, h, m) + shift, tz)) for d in days],
                    dtype=np.int64)


def generate(communes: pd.DataFrame, offer: pd.DataFrame | None = None, *, seed: int = 2026,
             years: tuple[int, int] | None = None) -> DemoSet:
    """Generate the fictitious pharmacies and their rotas.

    Parameters
    ----------
    communes : pandas.DataFrame
        ``code_commune, nom, code_departement, population, lat, lon, area_km2`` and
        optionally ``code_postal`` (one postcode per commune).
    offer : pandas.DataFrame, optional
        Pharmacy rows of the store's offer (``site_id, name, code_commune, quantity, lat, lon``).
    seed : int
        Random seed: the same seed gives the same set.
    years : (int, int), optional
        First and last year of the rota (inclusive); default this year and the next.
    """
    rng = np.random.default_rng(seed)
    if years is None:
        this = date.today().year
        years = (this, this + 1)
    idx, lat, lon, names, ids, origin = _locations(communes, offer, rng)
    n = len(idx)
    sel = communes.iloc[idx].reset_index(drop=True)
    codes = sel["code_commune"].to_numpy(object)
    dep = sel["code_departement"].to_numpy(object)
    zones = np.array([zone_of_commune(c) for c in codes], dtype=object)
    weights = np.array([w for w, _ in _HOURS])
    hours = np.array([h for _, h in _HOURS], dtype=object)[rng.choice(len(_HOURS), n, p=weights)]
    big = sel["population"].fillna(0).to_numpy(float) > 100_000
    late = big & (rng.uniform(size=n) < 0.04)
    hours[late] = _LATE
    rank = pd.Series(codes).groupby(codes).cumcount().to_numpy() + 1
    if names is None:
        names = np.array([f"Pharmacie fictive n° {r} — {nom}" for r, nom in zip(rank, sel["nom"], strict=False)],
                         dtype=object)
    else:
        names = np.array([f"{nm} (horaires et gardes fictifs)" for nm in names], dtype=object)
    if ids is None:
        ids = np.array([f"DEMO-{c}-{r:03d}" for c, r in zip(codes, rank, strict=False)], dtype=object)
    prefixes = np.array(["0199", "0639"])[rng.integers(0, 2, n)]
    suffixes = rng.integers(0, 10_000, n)
    phones = [f"{p}{'00' if p == '0199' else '98'}{x:04d}" for p, x in zip(prefixes, suffixes, strict=True)]
    small = sel["population"].fillna(0).to_numpy(float) < 5_000
    call_before = small & (rng.uniform(size=n) < 0.3)
    notes = np.array(_NOTES, dtype=object)[rng.integers(0, len(_NOTES), n)]
    numbers = rng.integers(1, 120, n)
    streets = np.array(_STREETS, dtype=object)[rng.integers(0, len(_STREETS), n)]
    cps = sel["code_postal"].to_numpy(object) if "code_postal" in sel else np.full(n, None, dtype=object)
    address = [f"{k} {s} (adresse fictive), {nom}" for k, s, nom in zip(numbers, streets, sel["nom"], strict=False)]
    sector = _sectors(dep, lat, lon, seed)
    pharmacies = pd.DataFrame({
        "pharmacy_id": ids, "name": names, "address": address, "code_postal": cps, "code_commune": codes,
        "zone": zones, "lat": lat, "lon": lon, "phone": phones, "hours": hours, "access_notes": notes,
        "call_before": call_before, "sector": sector,
    })
    slots = _rota(pharmacies, years, rng)
    return DemoSet(pharmacies, slots, seed, years, origin)


def _rota(pharmacies: pd.DataFrame, years: tuple[int, int], rng: np.random.Generator) -> pd.DataFrame:
    night, day = value("duty", "demo_night_slot"), value("duty", "demo_day_slot")
    days = [date(years[0], 1, 1) + timedelta(days=i)
            for i in range((date(years[1], 12, 31) - date(years[0], 1, 1)).days + 1)]
    d_index = np.arange(len(days))
    frames = []
    by_zone = {}
    for zone in ZONES:
        by_zone[zone] = {
            "n_start": _local_epochs(zone, days, night["start"]),
            "n_end": _local_epochs(zone, days, night["end"], next_day=True),
            "d_start": _local_epochs(zone, days, day["start"]),
            "d_end": _local_epochs(zone, days, day["end"]),
            "holiday": np.array([holiday_name(d, zone) is not None for d in days]),
        }
    sunday = np.array([d.weekday() == 6 for d in days])
    iso = np.array([d.isoformat() for d in days], dtype=object)
    iso_next = np.array([(d + timedelta(days=1)).isoformat() for d in days], dtype=object)
    for key, members in pharmacies.groupby(["sector", "zone"]).groups.items():
        sector, zone = cast(tuple[str, str], key)  # grouped by two columns: a pair
        ids = pharmacies.loc[members, "pharmacy_id"].to_numpy(object)
        ids = ids[rng.permutation(len(ids))]
        z = by_zone[zone]
        k = len(ids)
        who = ids[d_index % k]
        frames.append(pd.DataFrame({
            "pharmacy_id": who, "start_epoch": z["n_start"], "end_epoch": z["n_end"],
            "starts_local": iso + f"T{night['start']}", "ends_local": iso_next + f"T{night['end']}",
            "kind": "night", "sector": sector,
        }))
        special = np.flatnonzero(sunday | z["holiday"])
        who_day = ids[(special + max(1, k // 2)) % k]
        frames.append(pd.DataFrame({
            "pharmacy_id": who_day, "start_epoch": z["d_start"][special], "end_epoch": z["d_end"][special],
            "starts_local": iso[special] + f"T{day['start']}", "ends_local": iso[special] + f"T{day['end']}",
            "kind": np.where(z["holiday"][special], "holiday", "sunday"), "sector": sector,
        }))
    slots = pd.concat(frames, ignore_index=True)
    return slots.sort_values("start_epoch", kind="stable").reset_index(drop=True)
