"""APL, nearest care and coverage computed from the store, stored with provenance.

These functions glue the store to the pure engine (:mod:`accesoins.access`):
read inputs, compute, return values with parameters and vintages. The CLI,
the observatory build and the planning tools call them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ...access.apl import apl as apl_function
from ...access.coverage import coverage as coverage_model
from ...access.nearest import nearest as nearest_model
from ...store.db import Store
from ...travel.road import RoadTimeModel
from ..data import inputs
from .travel import road_times, travel_times

APL_MAX_MINUTES = 30.0  # the APL steps stop at 20 min; one cached matrix serves all professions


@dataclass
class Computed:
    """Values indexed by code_commune, with what is needed to store and cite them."""

    kind: str
    values: pd.DataFrame
    params: dict[str, object]
    vintages: dict[str, object]
    is_demo: bool


def _vintages(store: Store, pop_desc: dict[str, object], supply_desc: dict[str, object]) -> dict[str, object]:
    return {"territoire": inputs.territory_vintage(store), **pop_desc, "offre": supply_desc.get("offer")}


def od_cost(store: Store, path: str, *, max_minutes: float = APL_MAX_MINUTES) -> tuple[pd.DataFrame, str]:
    """A user's origin–destination matrix (e.g. INSEE Metric, a router's output) over commune codes.

    Codes are mapped through the commune history; pairs between unknown codes are refused
    with the file, line and field. Returns the cost frame and a provenance label.
    """
    from ...errors import InputError
    from ...store.territory import city_seats, commune_index
    from ...travel.odfile import read_od_matrix

    cost = read_od_matrix(path, max_minutes=max_minutes)
    index = commune_index(store)
    seats = city_seats(store)  # a whole city (75056…) is taken at its town hall's arrondissement
    for col in ("origin", "dest"):
        mapped = index.resolve_many(cost[col].astype(str))
        mapped = mapped.where(~mapped.isin(list(seats)), mapped.map(seats))
        if mapped.isna().any():
            bad = int(mapped.isna().to_numpy().argmax())
            raise InputError(f"code commune inconnu « {cost[col].iloc[bad]} »", file=path, line=bad + 2,
                             field="origin" if col == "origin" else "destination")
        cost[col] = mapped.to_numpy()
    added = int(cost.attrs.get("self_pairs_added", 0))
    cost = cost.groupby(["origin", "dest"], as_index=False)["minutes"].min()  # merged communes: shortest
    cost.attrs["self_pairs_added"] = added
    return cost, (f"matrice origine-destination fournie : {path} ; {added} paire(s) d'une commune "
                  "vers elle-même ajoutée(s) à 0 min (absentes du fichier)")


def compute_apl(store: Store, profession: str = "medecin_generaliste", *, max_age: int | None = None,
                vintage: int = 2023, model: RoadTimeModel | None = None, od_file: str | None = None,
                population: tuple[pd.Series, str] | None = None) -> Computed:
    """The DREES APL of every commune for ``profession`` (road model, or a user's OD matrix).

    ``population``: another demand than the store's (Series by commune code, and its label for
    the provenance), e.g. the census vintage an official reference was computed with.
    """
    model = model or RoadTimeModel()
    if population is not None:
        population, pop_desc = population[0], {"population": population[1]}
    else:
        population, pop_desc = inputs.population(store, by_age=profession == "medecin_generaliste")
    supply, supply_desc = inputs.supply(store, profession)
    if "activity" not in supply and "fte" not in supply and (supply["quantity"] != 1).any():
        # aggregated headcounts: one row per practitioner is what the APL counts
        supply = supply.loc[supply.index.repeat(supply["quantity"].round().astype(int))]
    if od_file:
        cost, travel_desc = od_cost(store, od_file)
    else:
        cost, travel_desc = travel_times(store, max_minutes=APL_MAX_MINUTES, model=model), model.cache_key()
    if max_age is not None and "age" not in supply:
        max_age_note = "âge non renseigné par la source : tous les praticiens sont comptés"
        result = apl_function(population, supply, cost, profession=profession, vintage=vintage)
        result.params["max_age_note"] = max_age_note
    else:
        result = apl_function(population, supply, cost, profession=profession, vintage=vintage,
                               max_age=max_age)
    params = {**result.params, "travel_model": travel_desc, "max_age": max_age}
    if od_file:
        params["od_self_pairs_added"] = int(cost.attrs.get("self_pairs_added", 0))
    name = "apl" if max_age is None else f"apl_{max_age}"
    return Computed("apl", result.values.rename(name).to_frame(), params,
                    _vintages(store, pop_desc, supply_desc), bool(supply_desc["is_demo"]))


NEAREST_CAPS = (20.0, 45.0, 90.0, 180.0)  # widening searches: few origins need the far ones
# Time within one's own commune for nearest-care times (the APL keeps the DREES 0): mean distance
# to the centre of a disc of area A is 0.376 √A km, × 1.3 detour at 40 km/h (1.5 min/km) ≈ 0.75 √A.
NEAREST_INTRA_MINUTES_PER_SQRT_KM2 = 0.75


def nearest_care_model(model: RoadTimeModel) -> RoadTimeModel:
    """The model for nearest-care times: a time within the commune growing with its area."""
    if model.intra_minutes_per_sqrt_km2 > 0:
        return model
    from dataclasses import replace

    return replace(model, intra_minutes_per_sqrt_km2=NEAREST_INTRA_MINUTES_PER_SQRT_KM2)


def nearest_minutes(points: pd.DataFrame, sites: pd.Index, *, model: RoadTimeModel,
                    caps: tuple[float, ...] = NEAREST_CAPS) -> pd.DataFrame:
    """Nearest and second-nearest site minutes for every point, searching with widening caps.

    An origin is settled at the first cap within which it has two sites (or one, for
    the nearest); only unsettled origins are searched again with the next cap, so
    the national problem never builds a large matrix.
    """
    model = nearest_care_model(model)
    out = pd.DataFrame(index=points.index, data={"nearest_minutes": float("nan"),
                                                 "second_minutes": float("nan")})
    out["nearest_site"] = pd.Series(None, index=points.index, dtype=object)
    todo = points.index
    dests = points.index.intersection(sites)
    for cap in caps:
        if not len(todo):
            break
        cost = road_times(points, todo, dests, model=model, max_minutes=cap)
        near = nearest_model(cost, sites, origins=todo)
        out.loc[todo, "nearest_minutes"] = near["nearest_minutes"].to_numpy()
        out.loc[todo, "second_minutes"] = near["second_minutes"].to_numpy()
        out.loc[todo, "nearest_site"] = near["nearest_site"].astype(object).to_numpy()
        todo = todo[near["second_minutes"].isna().to_numpy()]
    return out


def compute_nearest(store: Store, category: str | list[str], *, model: RoadTimeModel | None = None,
                    name: str | None = None) -> Computed:
    """Minutes to the nearest and second-nearest site of ``category`` (one or several categories).

    Sites are located at their commune's reference point; reaching a site of one's own
    commune takes a time growing with the commune's area (``NEAREST_INTRA_MINUTES_PER_SQRT_KM2``),
    and a commune with two or more sites has its second site within that time too.
    """
    model = model or RoadTimeModel()
    cats = [category] if isinstance(category, str) else list(category)
    counts = inputs.site_counts_of(store, cats)
    points = inputs.commune_points(store)
    values = nearest_minutes(points, counts.index[counts > 0], model=model)
    multi = counts.reindex(points.index).fillna(0) >= 2
    own = pd.Series(nearest_care_model(model).self_minutes(points["area_km2"].to_numpy()), index=points.index)
    values.loc[multi, "second_minutes"] = values.loc[multi, "second_minutes"].fillna(own[multi]).clip(upper=own[multi])
    offer = inputs.offer_provenance(store, cats)
    params = {"indicator": "nearest", "categories": cats, "caps_minutes": list(NEAREST_CAPS),
              "travel_model": nearest_care_model(model).cache_key(), "unit": "minutes", "name": name or "_".join(cats),
              "intra_commune_minutes_per_sqrt_km2": nearest_care_model(model).intra_minutes_per_sqrt_km2}
    return Computed("nearest", values, params, _vintages(store, {}, offer), bool(offer["is_demo"]))


def compute_coverage(store: Store, category: str | list[str], max_minutes: float = 30.0, *,
                     model: RoadTimeModel | None = None) -> tuple[Computed, dict[str, float]]:
    """Whether each commune is within ``max_minutes`` of a site of ``category`` (one or several).

    Times are those of :func:`compute_nearest` (with the time within one's own commune), so a
    commune is covered exactly when its nearest site is within ``max_minutes``.
    """
    model = nearest_care_model(model or RoadTimeModel())
    cats = [category] if isinstance(category, str) else list(category)
    counts = inputs.site_counts_of(store, cats)
    sites = counts.index[counts > 0]
    cost = travel_times(store, max_minutes=max_minutes, destinations=sites, model=model)
    population, pop_desc = inputs.population(store, by_age=False)
    result = coverage_model(population, cost, sites, max_minutes)
    values = pd.DataFrame({"covered": result.covered.astype(float),
                           "population_beyond": population.where(~result.covered, 0.0)})
    offer = inputs.offer_provenance(store, cats)
    params = {"indicator": "coverage", "categories": cats, "max_minutes": max_minutes,
              "travel_model": model.cache_key()}
    summary = {"population_covered": result.population_covered,
               "population_total": result.population_total, "share": result.share}
    return Computed("coverage", values, params, _vintages(store, pop_desc, offer), bool(offer["is_demo"])), summary
