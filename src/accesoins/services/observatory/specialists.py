"""Access to specialists from the RPPS import: build, observatory view, portraits, orientation.

``accesoins specialistes build`` (and the pages) call these functions. The offer rows are those
the RPPS importer stores as ``medecin_specialiste`` with their ordinal specialty (SM code of
the ANS nomenclature TRE_R38) in ``attributes``; specialties are grouped as
``rules/specialties.yaml`` says. Times are nearest-care times (road model, a time within one's
own commune included), searched with the widening caps of :mod:`accesoins.services.access.compute`.
Without an RPPS import nothing is computed and every page says how to import: no specialist
is ever made up.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ...errors import NotBuiltError
from ...indicators.specialists import access_table, territories_without
from ...offer.specialties import code_to_specialty, followed, specialty, specialty_rules
from ...store.db import Store
from ...store.territory import insert_frame
from ...travel.road import RoadTimeModel
from ..access.compute import NEAREST_CAPS, nearest_care_model, nearest_minutes
from ..access.travel import road_times
from ..data import inputs

CATEGORY = "medecin_specialiste"
LEVELS = ("commune", "departement", "region", "france")
HOW_TO_IMPORT = ("Aucun import de l'Annuaire santé (RPPS) : téléchargez l'extraction publique "
                 "PS_LibreAcces (https://annuaire.sante.fr/web/site-pro/extractions-publiques), puis "
                 "« accesoins import rpps PS_LibreAcces_<date>.zip » et « accesoins specialistes build ».")
NOT_BUILT = ("L'Annuaire santé est importé mais l'accès aux spécialistes n'est pas encore calculé : "
             "lancez « accesoins specialistes build ».")


def specialist_offer(store: Store) -> pd.DataFrame:
    """Practice places of specialists with a followed specialty (one row per professional × place)."""
    rows = store.df(
        "SELECT o.code_commune, o.site_id AS pp, o.attributes, s.vintage, s.is_demo, s.title "
        "FROM offer o JOIN sources s USING (source_id) WHERE o.category = ? "
        "AND json_extract_string(o.attributes, '$.specialite') IS NOT NULL "
        "AND json_extract_string(o.attributes, '$.specialite') <> ''", [CATEGORY])
    attrs = rows["attributes"].map(lambda a: json.loads(a) if isinstance(a, str) and a else {})
    rows["code"] = attrs.map(lambda d: str(d.get("specialite") or ""))
    rows["specialty"] = rows["code"].map(code_to_specialty())
    rows["structure"] = attrs.map(lambda d: (d.get("raison_sociale_site") or "").strip())
    rows["code_postal"] = attrs.map(lambda d: (d.get("code_postal") or "").strip())
    rows["mode"] = attrs.map(lambda d: d.get("mode") or "")
    return rows.drop(columns="attributes")


def _sources(offer: pd.DataFrame) -> dict[str, object]:
    src = offer.drop_duplicates(["title", "vintage"])
    return {"offre": [f"{t} — {v}" for t, v in zip(src["title"], src["vintage"], strict=True)],
            "is_demo": bool(offer["is_demo"].any()) if len(offer) else False}


def _groups(store: Store) -> dict[str, pd.Series]:
    c = store.df("SELECT code_commune, code_departement, code_region FROM territory_units").set_index("code_commune")
    return {"departement": c["code_departement"], "region": c["code_region"],
            "france": pd.Series("FR", index=c.index)}


def build_specialists(store: Store, *, model: RoadTimeModel | None = None, step=None) -> dict[str, object]:
    """Compute and store access to every followed specialty, at every level, in one transaction."""
    store.require_territory()
    say = step or (lambda _l: None)
    offer = specialist_offer(store)
    if offer.empty:
        raise NotBuiltError(HOW_TO_IMPORT)
    model = model or RoadTimeModel()
    rules = specialty_rules()
    thresholds = tuple(int(t) for t in rules["thresholds_minutes"])
    points = inputs.commune_points(store)
    population = points["population"].astype(float)
    groups = _groups(store)
    frames, report = [], {}
    for key, spec in followed().items():
        people = offer.loc[offer["specialty"] == key, ["pp", "code_commune"]]
        sites = pd.Index(people["code_commune"].unique())
        say(f"Spécialistes : {spec['label']} ({len(sites)} communes d'exercice)")
        if len(sites):
            near = nearest_minutes(points, sites, model=model)
            minutes, where = near["nearest_minutes"], near["nearest_site"]
        else:
            minutes = pd.Series(np.nan, index=points.index)
            where = pd.Series(None, index=points.index, dtype=object)
        table = access_table(population, minutes, where, people, groups, thresholds=thresholds,
                             cap=float(NEAREST_CAPS[-1]), per=float(rules["density_per"]))
        frames.append(table.assign(specialty=key))
        report[key] = {"professionnels": int(people["pp"].nunique()), "communes": int(len(sites)),
                       "departements_sans": territories_without(table)}
    # sorted by code: a portrait's lookup of one code then reads one row group (DuckDB zone maps)
    table = pd.concat(frames, ignore_index=True).sort_values(["code", "level", "specialty"], kind="stable")
    unfollowed = offer.loc[offer["specialty"].isna(), "code"].value_counts()
    params = {"specialites": {k: s["codes"] for k, s in followed().items()}, "seuils_minutes": list(thresholds),
              "densite_pour": rules["density_per"], "caps_minutes": list(NEAREST_CAPS),
              "travel_model": nearest_care_model(model).cache_key(),
              "nomenclature": f"{rules['nomenclature']['title']}, version {rules['nomenclature']['version']}",
              "modes": "tous modes d'exercice (libéral, salarié, bénévole)",
              "codes_non_suivis": {str(k): int(v) for k, v in unfollowed.items()}}
    src = _sources(offer)
    vintages = {"territoire": inputs.territory_vintage(store), "offre": src["offre"]}
    with store.transaction() as con:
        con.execute("DELETE FROM specialist_access")
        insert_frame(store, "specialist_access", table,
                     ["specialty", "level", "code", "population", "professionals", "density", "minutes",
                      "beyond_30", "beyond_45", "beyond_60", "site_commune"])
        next_id = con.execute("SELECT coalesce(max(build_id), 0) + 1 FROM specialist_builds").fetchone()[0]
        con.execute("INSERT INTO specialist_builds (build_id, parameters, vintages, is_demo) VALUES (?, ?, ?, ?)",
                    [next_id, json.dumps(params), json.dumps(vintages), src["is_demo"]])
    return {"specialites": report, "lignes": int(len(table)), "is_demo": src["is_demo"]}


def _imported(store: Store) -> bool:
    """Whether the offer holds specialists with their specialty (an RPPS import)."""
    return bool(store.scalar(
        "SELECT count(*) FROM (SELECT 1 FROM offer WHERE category = ? AND "
        "coalesce(json_extract_string(attributes, '$.specialite'), '') <> '' LIMIT 1)", [CATEGORY]))


def is_current(store: Store) -> bool:
    """True when the last build is newer than every import of the store."""
    return bool(store.scalar(
        "SELECT (SELECT max(built_at) FROM specialist_builds) >= (SELECT max(imported_at) FROM sources)"))


def ensure_specialists(store: Store, *, force: bool = False, step=None) -> dict[str, object] | None:
    """Build access to specialists when the RPPS is imported and the last build is older than the imports."""
    if not _imported(store):
        return None
    if not force and is_current(store):
        return None
    return build_specialists(store, step=step)


def status(store: Store) -> dict[str, object]:
    """Whether specialists are imported and computed, with the provenance of the last build."""
    imported = _imported(store)
    build = store.records("SELECT CAST(built_at AS VARCHAR) AS built_at, parameters, vintages, is_demo "
                          "FROM specialist_builds ORDER BY build_id DESC LIMIT 1")
    out: dict[str, object] = {"imported": imported, "built": bool(build)}
    if not imported:
        out["message"] = HOW_TO_IMPORT
    elif not build:
        out["message"] = NOT_BUILT
    elif not is_current(store):
        out["stale"] = ("Des fichiers ont été importés après ce calcul : relancez « accesoins specialistes "
                        "build » pour le mettre à jour.")
    if build:
        b = build[0]
        out.update({"built_at": b["built_at"], "parameters": json.loads(b["parameters"]),
                    "vintages": json.loads(b["vintages"]), "is_demo": bool(b["is_demo"])})
    rules = specialty_rules()
    out["nomenclature"] = {k: rules["nomenclature"][k] for k in ("title", "url", "version", "text_date")}
    out["grouping"] = rules["grouping"]
    return out


def _rows(store: Store, where: str, params: list) -> list[dict]:
    return store.records(
        "SELECT a.specialty, a.level, a.code, a.population, a.professionals, a.density, a.minutes, a.beyond_30, "
        "a.beyond_45, a.beyond_60, a.site_commune FROM specialist_access a WHERE " + where, params)


def _names(store: Store, level: str) -> dict[str, str]:
    if level == "departement":
        return {r["code"]: r["nom"] for r in store.records("SELECT code_departement AS code, nom FROM departements")}
    if level == "region":
        return {r["code"]: r["nom"] for r in store.records("SELECT code_region AS code, nom FROM regions")}
    return {"FR": "France"}


# measure → (label, unit, higher is better)
MEASURES = {
    "minutes": ("Temps moyen vers le spécialiste le plus proche", "minutes", False),
    "densite": ("Spécialistes pour 100 000 habitants", "pour 100 000 hab.", True),
    "part_30": ("Part de la population à plus de 30 minutes", "%", False),
    "part_45": ("Part de la population à plus de 45 minutes", "%", False),
    "part_60": ("Part de la population à plus de 60 minutes", "%", False),
}
MAP_LEVELS = ("departement", "region", "commune")


def _measure(row: dict, measure: str) -> float | None:
    if measure == "minutes":
        return row["minutes"]
    if measure == "densite":
        return row["density"]
    pop = row["population"] or 0.0
    return row[f"beyond_{measure[5:]}"] / pop * 100.0 if pop > 0 else None


def _check(level: str, measure: str) -> None:
    from ...errors import ParameterError

    if level not in MAP_LEVELS:
        raise ParameterError("niveau : « departement », « region » ou « commune ».")
    if measure not in MEASURES:
        raise ParameterError(f"mesure « {measure} » inconnue ; mesures : {', '.join(MEASURES)}")


def map_values(store: Store, key: str = "cardiologie", level: str = "departement",
               measure: str = "minutes") -> dict[str, object]:
    """Values of one specialty's measure for the map (code → value), breaks and legend."""
    from .views import breaks, legend

    specialty(key)
    _check(level, measure)
    label, unit, better = MEASURES[measure]
    rows = _rows(store, "a.specialty = ? AND a.level = ?", [key, level]) if status(store)["built"] else []
    values = {r["code"]: _measure(r, measure) for r in rows}
    finite = [v for v in values.values() if v is not None and np.isfinite(v)]
    br = breaks(finite)
    return {"specialty": key, "level": level, "measure": measure, "label": label, "unit": unit,
            "higher_is_better": better,
            "values": {k: (None if v is None or not np.isfinite(v) else round(float(v), 4)) for k, v in values.items()},
            "breaks": br, "legend": legend(br, unit, has_values=bool(finite))}


def observatory(store: Store, key: str = "cardiologie", level: str = "departement",
                measure: str = "minutes") -> dict[str, object]:
    """The observatory's specialist family: one specialty on every territory of a level."""
    spec = specialty(key)
    _check(level, measure)
    if level == "commune":
        level = "departement"  # the table lists territories; communes are on the map and in the open data
    st = status(store)
    query = f"specialite={key}&niveau={level}&mesure={measure}"
    data = {"title": f"Accès aux spécialistes — {spec['label']}", "specialty": spec, "level": level,
            "measure": measure, "measures": {k: v[0] for k, v in MEASURES.items()},
            "geo_url": f"/geo/{level}.geojson", "map_data_url": f"/observatoire/specialistes/carte.json?{query}",
            "legend": map_values(store, key, level, measure)["legend"],
            "choices": [{"code": k, "label": s["label"]} for k, s in sorted(followed().items(),
                                                                           key=lambda kv: kv[1]["label"])],
            "status": st, "rows": [], "france": None, "without": [],
            "downloads": {f: f"/telecharger/specialistes.{f}?specialite={key}&niveau={level}"
                          for f in ("csv", "parquet")}}
    if not st["built"]:
        return data
    names = _names(store, level)
    rows = _rows(store, "a.specialty = ? AND a.level = ? ORDER BY a.code", [key, level])
    for r in rows:
        r["nom"] = names.get(r["code"], r["code"])
        for t in (30, 45, 60):
            r[f"part_{t}"] = _measure(r, f"part_{t}")
    data["rows"] = rows
    france = _rows(store, "a.specialty = ? AND a.level = 'france'", [key])
    data["france"] = france[0] if france else None
    dep_names = _names(store, "departement")
    without = _rows(store, "a.specialty = ? AND a.level = 'departement' AND a.professionals = 0 ORDER BY a.code",
                    [key])
    data["without"] = [{"code": r["code"], "nom": dep_names.get(r["code"], r["code"])} for r in without]
    return data


def portrait(store: Store, level: str, code: str) -> dict[str, object]:
    """The compact block of a commune or territory portrait: every specialty in one table."""
    st = status(store)
    out: dict[str, object] = {"status": st, "rows": []}
    if not st["built"]:
        return out
    labels = {k: s["label"] for k, s in followed().items()}
    rows = _rows(store, "a.level = ? AND a.code = ?", [level, code])
    for r in rows:
        r["label"] = labels.get(r["specialty"], r["specialty"])
    out["rows"] = sorted(rows, key=lambda r: r["label"])
    return out


def portrait_blocks(store: Store, level: str, code: str) -> dict[str, object]:
    """The two compact blocks of a portrait: specialists (by specialty) and coordinated-care structures."""
    from .structures import portrait as structures_portrait

    blocks: dict[str, object] = {"specialistes": portrait(store, level, code) if level != "epci" else None}
    blocks["structures"] = structures_portrait(store, level, code)
    return blocks


def nearest_places(store: Store, key: str, place: str, *, limit: int = 5,
                   model: RoadTimeModel | None = None) -> dict[str, object]:
    """« Trouver un spécialiste près de chez moi »: the nearest places of one specialty by travel time.

    ``place`` is a commune name, a postcode or an INSEE code. Each place is a commune where
    specialists of ``key`` practise, with the number of them and the structures they name.
    """
    from ...errors import CommuneNotFound
    from .communes import search

    spec = specialty(key)
    rules = specialty_rules()
    data: dict[str, object] = {
        "title": "Trouver un spécialiste près de chez moi", "specialty": spec, "place": place,
        "choices": [{"code": k, "label": s["label"]} for k, s in sorted(followed().items(),
                                                                       key=lambda kv: kv[1]["label"])],
        "advice": rules["advice"], "status": status(store), "places": [], "commune": None, "errors": []}
    if not place.strip():
        return data
    found = search(store, place, limit=1)["results"]
    if not found:
        data["errors"] = [{"field": "lieu", "message": str(CommuneNotFound(
            f"Aucune commune ne correspond à « {place} » : indiquez un nom de commune, un code postal ou un "
            "code INSEE."))}]
        return data
    data["commune"] = found[0]
    offer = specialist_offer(store)
    offer = offer[offer["specialty"] == key]
    if offer.empty:
        return data
    model = nearest_care_model(model or RoadTimeModel())
    points = inputs.commune_points(store)
    origin = pd.Index([found[0]["code_commune"]])
    dests = points.index.intersection(offer["code_commune"].unique())
    cost = pd.DataFrame(columns=["origin", "dest", "minutes"])
    for cap in NEAREST_CAPS:  # widen until enough places are found
        cost = road_times(points, origin, dests, model=model, max_minutes=cap)
        if len(cost) >= limit:
            break
    cost = cost.sort_values(["minutes", "dest"]).head(limit)
    names = {r["code_commune"]: r["nom"] for r in store.records(
        "SELECT code_commune, nom FROM territory_units WHERE list_contains(?, code_commune)",
        [[str(d) for d in cost["dest"]]])}
    for dest, minutes in zip(cost["dest"].astype(str), cost["minutes"], strict=True):
        here = offer[offer["code_commune"] == dest]
        structures = sorted({s for s in here["structure"] if s})
        data["places"].append({"code_commune": dest, "nom": names.get(dest, dest), "minutes": float(minutes),
                               "specialists": int(here["pp"].nunique()), "structures": structures[:5],
                               "codes_postaux": sorted({c for c in here["code_postal"] if c})})
    data["search_cap_minutes"] = float(NEAREST_CAPS[-1])
    return data


__all__ = ["build_specialists", "status", "observatory", "portrait", "portrait_blocks", "map_values",
           "nearest_places", "specialist_offer",
           "HOW_TO_IMPORT"]
