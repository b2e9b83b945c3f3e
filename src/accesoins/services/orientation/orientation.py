"""Orientation services: JSON-ready dicts for the pages, the API and the CLI.

The pharmacy query runs on an in-memory :class:`~accesoins.orientation.index.PharmacyIndex`
built once per store (see :func:`orientation_data`); imports write the store
in one transaction per file and record their provenance in ``sources``.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ...errors import NotBuiltError, ParameterError
from ...orientation import pathway, prevention, simulators
from ...orientation.calendar import ZONES, holiday_name, time_zone
from ...orientation.demo import DEMO_NOTICE, DEMO_SOURCE, DEMO_TITLE, generate
from ...orientation.imports import read_pharmacies, read_rota
from ...orientation.index import CommuneTable, PharmacyIndex, Place, SiteIndex
from ...orientation.localtime import LocalTimeError, parse_local, to_epoch
from ...orientation.rules import source_of, value
from ...orientation.sites import describe_site
from ...store.db import Store
from ...store.territory import insert_frame
from ..observatory.structures import store_hp_condition

PHARMACY_TABLE_COLUMNS = ["pharmacy_id", "source_id", "name", "address", "code_postal", "code_commune", "zone",
                          "lat", "lon", "phone", "hours", "access_notes", "call_before", "sector", "is_demo"]
SITE_CATEGORIES = ("maison_sante", "centre_sante", "hopital_proximite")
SITE_LABELS = {"maison_sante": "Maison de santé pluriprofessionnelle", "centre_sante": "Centre de santé",
               "hopital_proximite": "Hôpital de proximité"}


@dataclass
class OrientationData:
    """What the orientation queries need, held in memory."""

    communes: CommuneTable
    pharmacies: PharmacyIndex
    sites: SiteIndex
    pharmacy_origin: str  # 'store' or 'generated'
    is_demo: bool
    sites_demo: bool


# -- loading -----------------------------------------------------------------------
def _has_tables(store: Store) -> bool:
    return bool(store.scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'orientation_pharmacies'"))


def _communes(store: Store, *, units: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Places a person can start from, and their postcodes.

    The arrondissements of Paris, Lyon and Marseille are places of their own, holding their
    postcodes (75011 starts from the 11e, not from the centre of Paris); the city stays findable
    by name. ``units=True`` gives the units of computation instead (the city replaced by its
    arrondissements), for drawing the demonstration pharmacies without counting a city twice.
    """
    store.require_territory()
    cols = "code_commune, nom, code_departement, population, lat, lon, area_km2"
    source = "territory_units" if units else (
        f"(SELECT {cols} FROM communes UNION ALL SELECT code_arrondissement AS code_commune, nom, "
        "code_departement, population, lat, lon, area_km2 FROM arrondissements)")
    communes = store.df(f"SELECT {cols} FROM {source} ORDER BY code_commune")
    postcodes = store.df(
        "SELECT code_commune, code_postal FROM commune_postcodes WHERE code_postal NOT IN "
        "(SELECT code_postal FROM arrondissement_postcodes) OR code_commune NOT IN "
        "(SELECT code_commune FROM arrondissements) UNION ALL "
        "SELECT code_arrondissement, code_postal FROM arrondissement_postcodes ORDER BY code_postal, code_commune")
    first_cp = postcodes.drop_duplicates("code_commune").set_index("code_commune")["code_postal"]
    communes["code_postal"] = communes["code_commune"].map(first_cp)
    return communes, postcodes


def _pharmacy_offer(store: Store) -> pd.DataFrame:
    return store.df("SELECT site_id, name, code_commune, quantity, lat, lon FROM offer WHERE category = 'pharmacie'")


_GENERATED: dict[tuple, object] = {}


def _generated(key: tuple, communes: pd.DataFrame, offer: pd.DataFrame):
    """The demonstration set for a store, generated once per process (tests share it)."""
    if key not in _GENERATED:
        _GENERATED[key] = generate(communes, offer)
    return _GENERATED[key]


def demo_set(store: Store, *, seed: int = 2026, years: tuple[int, int] | None = None):
    """Generate the fictitious set for this store's territory and offer (not stored)."""
    communes, _ = _communes(store, units=True)
    return generate(communes, _pharmacy_offer(store), seed=seed, years=years)


def load_orientation_data(store: Store) -> OrientationData:
    """Build the in-memory indexes from the store (or from a generated demonstration set)."""
    communes, postcodes = _communes(store)
    table = CommuneTable(communes, postcodes)
    stored = _has_tables(store) and store.scalar("SELECT count(*) FROM orientation_pharmacies")
    if stored:
        pharm = store.df("SELECT * FROM orientation_pharmacies ORDER BY pharmacy_id")
        slots = store.df("SELECT pharmacy_id, CAST(epoch(starts_utc) AS BIGINT) AS start_epoch, "
                         "CAST(epoch(ends_utc) AS BIGINT) AS end_epoch, kind FROM orientation_duty_slots")
        is_demo, origin = bool(pharm["is_demo"].any()), "store"
    else:
        offer = _pharmacy_offer(store)
        key = (str(store.path), len(communes), len(offer), float(offer["quantity"].sum()) if len(offer) else 0.0)
        demo = _generated(key, _communes(store, units=True)[0], offer)
        pharm, slots, is_demo, origin = demo.pharmacies.assign(is_demo=True), demo.slots, True, "generated"
    # a FINESS hospital on the list of labelled hôpitaux de proximité is shown as one
    hp = store_hp_condition(store)
    sites = store.df(f"SELECT CASE WHEN {hp} THEN 'hopital_proximite' ELSE o.category END AS category, "
                     "o.code_commune, o.name, o.quantity, o.lat, o.lon, s.is_demo, o.site_id, o.attributes "
                     "FROM offer o JOIN sources s USING (source_id) WHERE o.lat IS NOT NULL AND "
                     f"(o.category IN {SITE_CATEGORIES!r} OR {hp})")
    return OrientationData(table, PharmacyIndex(pharm, slots, table, is_demo=is_demo), SiteIndex(sites, table),
                           origin, is_demo, bool(sites["is_demo"].any()) if len(sites) else False)


_LOCK = threading.Lock()


def orientation_data(holder, store: Store) -> OrientationData:
    """The indexes cached on ``holder`` (e.g. ``app.state``), built once, thread-safely."""
    data = getattr(holder, "orientation_data", None)
    if data is None:
        with _LOCK:
            data = getattr(holder, "orientation_data", None)
            if data is None:
                data = load_orientation_data(store)
                holder.orientation_data = data
    return data


# -- pharmacies -----------------------------------------------------------------------
def resolve_place(data: OrientationData, *, commune: str = "", cp: str = "", code: str = "",
                  lat: float | None = None, lon: float | None = None) -> Place:
    """The person's point from a commune name, a postcode, an INSEE code or coordinates."""
    if lat is not None or lon is not None:
        if lat is None or lon is None:
            raise ParameterError("Donnez la latitude et la longitude ensemble.")
        return data.communes.by_point(lat, lon)
    if cp.strip():
        return data.communes.by_postcode(cp)
    if code.strip():
        return data.communes.by_code(code)
    if commune.strip():
        q = commune.strip()
        if q.isdigit() and len(q) == 5:
            return data.communes.by_postcode(q)
        return data.communes.by_commune(q)
    raise ParameterError("Indiquez une commune, un code postal ou des coordonnées.")


def when_epoch(place: Place, at: str = "") -> tuple[int, str | None]:
    """UTC seconds of ``at`` (local ISO date-time at the place) or now; and a note if ambiguous."""
    if not at.strip():
        return int(datetime.now(UTC).timestamp()), None
    tz = time_zone(place.zone)
    try:
        return to_epoch(parse_local(at, tz)), None
    except LocalTimeError as exc:
        if "ambiguë" not in str(exc):
            raise ParameterError(f"Date et heure : {exc}.") from None
        naive = datetime.fromisoformat(at.strip())
        return to_epoch(naive.replace(tzinfo=tz, fold=0)), (
            "Cette heure existe deux fois (changement d'heure) : nous avons retenu la première.")


def nearest_pharmacies(data: OrientationData, *, commune: str = "", cp: str = "", code: str = "",
                       lat: float | None = None, lon: float | None = None, at: str = "",
                       limit: int = 5) -> dict[str, object]:
    """Open pharmacies nearest to a place, now or at a local date-time, ranked by road time."""
    place = resolve_place(data, commune=commune, cp=cp, code=code, lat=lat, lon=lon)
    epoch, note = when_epoch(place, at)
    tz = time_zone(place.zone)
    local = datetime.fromtimestamp(epoch, tz)
    results = data.pharmacies.nearest_open(place, epoch, limit=limit)
    # the answer is fictitious when any pharmacy it lists is (real and demo data may sit side by side)
    shown_demo = any(r.get("is_demo") for r in results) if results else data.is_demo
    return {
        "place": place.as_dict(),
        "at": local.isoformat(timespec="minutes"),
        "at_label": local.strftime("%d/%m/%Y à %H:%M") + f" ({tz.key})",
        "mode": "at" if at.strip() else "now",
        "holiday": holiday_name(local.date(), place.zone),
        "note": note,
        "pharmacies": results,
        "is_demo": shown_demo,
        "demo_notice": DEMO_NOTICE if shown_demo else None,
        "help": {"phone": value("duty", "find_duty_pharmacy"), "source": source_of("duty", "find_duty_pharmacy")},
        "sources": [source_of("duty", "duty_obligation"), source_of("holidays", "national_fixed")],
    }


# -- imports ----------------------------------------------------------------------------
def _register(con, sid: str, kind: str, title: str, file: str, rows: int, is_demo: bool, params: dict) -> None:
    con.execute("DELETE FROM sources WHERE source_id = ?", [sid])
    con.execute(
        "INSERT INTO sources (source_id, kind, title, vintage, licence, attribution, file, parameters, row_count, "
        "is_demo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [sid, kind, title, datetime.now(UTC).date().isoformat() if not is_demo else "fictif",
         "Données fictives générées par accesoins" if is_demo else "Fichier fourni par l'importateur",
         DEMO_NOTICE if is_demo else "Importé par l'utilisateur", file, json.dumps(params, default=str), rows, is_demo])


def _insert_slots(store: Store, slots: pd.DataFrame, sid: str, is_demo: bool) -> None:
    frame = slots.assign(
        source_id=sid, is_demo=is_demo,
        starts_utc=pd.to_datetime(slots["start_epoch"], unit="s"),
        ends_utc=pd.to_datetime(slots["end_epoch"], unit="s"),
    )
    insert_frame(store, "orientation_duty_slots", frame,
                 ["source_id", "pharmacy_id", "starts_utc", "ends_utc", "starts_local", "ends_local", "kind",
                  "sector", "is_demo"])


def write_demo(store: Store, *, seed: int = 2026, years: tuple[int, int] | None = None) -> dict[str, object]:
    """Generate the fictitious pharmacies and rotas and store them (replacing the previous demo)."""
    demo = demo_set(store, seed=seed, years=years)
    with store.transaction() as con:
        con.execute("DELETE FROM orientation_duty_slots WHERE source_id = ?", [DEMO_SOURCE])
        con.execute("DELETE FROM orientation_pharmacies WHERE source_id = ?", [DEMO_SOURCE])
        real = {r[0] for r in con.execute("SELECT pharmacy_id FROM orientation_pharmacies").fetchall()}
        pharm = demo.pharmacies[~demo.pharmacies["pharmacy_id"].isin(real)]
        insert_frame(store, "orientation_pharmacies", pharm.assign(source_id=DEMO_SOURCE, is_demo=True),
                     PHARMACY_TABLE_COLUMNS)
        slots = demo.slots[demo.slots["pharmacy_id"].isin(pharm["pharmacy_id"])]
        _insert_slots(store, slots, DEMO_SOURCE, True)
        _register(con, DEMO_SOURCE, "orientation", DEMO_TITLE.format(seed=seed), "(généré)", len(pharm), True,
                  {"seed": seed, "years": list(demo.years), "locations_from": demo.locations_from,
                   "slots": len(slots), "generator": "accesoins.orientation.demo"})
    return {"source_id": DEMO_SOURCE, "pharmacies": int(len(pharm)), "slots": int(len(slots)),
            "years": list(demo.years), "locations_from": demo.locations_from, "is_demo": True,
            "notice": DEMO_NOTICE}


def import_pharmacies(store: Store, path: str | Path) -> dict[str, object]:
    """Import a pharmacies file (one transaction); replaces the demo pharmacies of its départements."""
    communes, _ = _communes(store)
    points = dict(zip(communes["code_commune"], zip(communes["lat"], communes["lon"], strict=True), strict=True))
    finess = store.df("SELECT site_id, lat, lon FROM offer WHERE category = 'pharmacie' AND site_id IS NOT NULL "
                      "AND lat IS NOT NULL")
    fpoints = dict(zip(finess["site_id"], zip(finess["lat"], finess["lon"], strict=True), strict=True))
    rows = read_pharmacies(path, communes=points, finess_point=fpoints.get)
    sid = f"pharmacies:{Path(path).name}"
    deps = sorted({c[:3] if c.startswith("97") else c[:2] for c in rows["code_commune"]})
    with store.transaction() as con:
        con.execute("DELETE FROM orientation_pharmacies WHERE source_id = ? OR list_contains(?, pharmacy_id)",
                    [sid, rows["pharmacy_id"].tolist()])
        removed = con.execute(
            "SELECT count(*) FROM orientation_pharmacies WHERE source_id = ? AND list_contains(?, "
            "CASE WHEN code_commune LIKE '97%' THEN left(code_commune, 3) ELSE left(code_commune, 2) END)",
            [DEMO_SOURCE, deps]).fetchone()[0]
        con.execute(
            "DELETE FROM orientation_duty_slots WHERE source_id = ? AND pharmacy_id IN (SELECT pharmacy_id FROM "
            "orientation_pharmacies WHERE source_id = ? AND list_contains(?, CASE WHEN code_commune LIKE '97%' "
            "THEN left(code_commune, 3) ELSE left(code_commune, 2) END))", [DEMO_SOURCE, DEMO_SOURCE, deps])
        con.execute(
            "DELETE FROM orientation_pharmacies WHERE source_id = ? AND list_contains(?, CASE WHEN code_commune "
            "LIKE '97%' THEN left(code_commune, 3) ELSE left(code_commune, 2) END)", [DEMO_SOURCE, deps])
        insert_frame(store, "orientation_pharmacies", rows.assign(source_id=sid, is_demo=False), PHARMACY_TABLE_COLUMNS)
        _register(con, sid, "orientation", "Pharmacies : coordonnées et horaires (fichier importé)", str(path),
                  len(rows), False, {"departements": deps})
    return {"source_id": sid, "file": str(path), "pharmacies": int(len(rows)), "departements": deps,
            "replaced_demo_pharmacies": int(removed)}


def import_rota(store: Store, path: str | Path) -> dict[str, object]:
    """Import a rota file (one transaction); re-importing the same file name replaces its slots."""
    if not _has_tables(store):
        raise NotBuiltError("La base n'a pas les tables d'orientation : lancez `accesoins build`.")
    zones = dict(store.con.execute("SELECT pharmacy_id, zone FROM orientation_pharmacies").fetchall())
    slots = read_rota(path, pharmacy_zones=zones)
    sid = f"rota:{Path(path).name}"
    with store.transaction() as con:
        con.execute("DELETE FROM orientation_duty_slots WHERE source_id = ?", [sid])
        ids = sorted(set(slots["pharmacy_id"]))
        sectors = sorted({s for s in slots["sector"] if s})
        # real rota takes over the demonstration slots of the same pharmacies or sectors
        con.execute("DELETE FROM orientation_duty_slots WHERE source_id = ? AND (list_contains(?, pharmacy_id) "
                    "OR list_contains(?, sector))", [DEMO_SOURCE, ids, sectors])
        _insert_slots(store, slots, sid, False)
        _register(con, sid, "orientation", "Tour de garde des pharmacies (fichier importé)", str(path), len(slots),
                  False, {"pharmacies": len(ids), "sectors": sectors})
    return {"source_id": sid, "file": str(path), "slots": int(len(slots)), "pharmacies": len(ids),
            "sectors": sectors}


# -- orientation flow, simulators, advice --------------------------------------------------
def orientation_flow(data: OrientationData | None, answers: dict[str, str], *, lieu: str = "") -> dict[str, object]:
    """One step of « À qui m'adresser ? »: the next question, or the result (with nearby sites)."""
    out: dict[str, object] = {"title": "À qui m'adresser ?", "emergency": pathway.emergency_box(),
                              "errors": [], "question": None, "result": None, "answers": {}, "sites": None}
    try:
        question, valid = pathway.next_step(answers)
    except pathway.AnswerError as exc:
        out["errors"] = [{"field": exc.field, "message": exc.message}]
        clean = {k: v for k, v in answers.items() if k != exc.field and v}
        try:
            question, valid = pathway.next_step(clean)
        except pathway.AnswerError:  # pragma: no cover - defensive
            question, valid = pathway.next_step({})
        question = pathway.questions()[exc.field]
    out["answers"] = {k: str(v) for k, v in valid.items()}
    if question is not None:
        out["question"] = question.__dict__
        return out
    out["result"] = pathway.result(valid)
    if lieu.strip() and data is not None and not out["result"]["emergency"]:
        try:
            place = resolve_place(data, commune=lieu)
        except ParameterError as exc:
            out["errors"] = [{"field": "lieu", "message": str(exc)}]
        else:
            minutes = value("pathway", "france_sante_max_minutes")
            found = data.sites.within(place, minutes, limit=8)
            for s in found:
                describe_site(s, SITE_LABELS.get(s["category"], s["category"]))
            out["sites"] = {"place": place.as_dict(), "max_minutes": minutes, "sites": found,
                            "is_demo": data.sites_demo}
    return out


def css(**kw) -> dict[str, object]:
    """Complémentaire santé solidaire simulation (see :func:`~accesoins.orientation.simulators.simulate_css`)."""
    return simulators.simulate_css(**kw)


def css_period() -> dict[str, object]:
    """The period covered by the CSS ceilings of the rules (and whether it is today's)."""
    return simulators.ceilings_period()


def certificate(**kw) -> dict[str, object]:
    """Medical certificate simulation."""
    return simulators.certificate(**kw)


def ist(**kw) -> dict[str, object]:
    """STI test coverage simulation."""
    return simulators.ist_coverage(**kw)


def advice(**kw) -> dict[str, object]:
    """Personalised prevention recommendations (the caller checks consent)."""
    return {"recommendations": prevention.recommendations(**kw)}


def zones() -> tuple[str, ...]:
    """Calendar zones known to the holiday rules."""
    return ZONES
