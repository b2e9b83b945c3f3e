"""Médecins solidaires: a month's rota of volunteer GPs for the under-served communes of a département,
and the GP APL with the volunteers' days moved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ...access.apl import apl as apl_function
from ...errors import ParameterError
from ...planning.calendar import WEEKDAYS_FR, easter_sunday, month_days
from ...planning.rota import counted_activity, moved_activity, plan_rota
from ...planning.rules import cite
from ...planning.rules import value as rule_value
from ...store.db import Store
from ...travel.road import RoadTimeModel
from ..access.travel import road_times
from ..data import inputs
from .common import (
    GP,
    HOLIDAYS_PATH,
    _apl65,
    _base,
    _communes,
    _cost30,
    _points,
    _scope,
)


def holidays(year: int, departement: str) -> set[dt.date]:
    """Public holidays of ``year`` from the orientation rules file (national, Alsace-Moselle)."""
    with HOLIDAYS_PATH.open(encoding="utf-8") as fh:
        rules = yaml.safe_load(fh)["rules"]
    easter = easter_sunday(year)
    out = {dt.date(year, int(md[:2]), int(md[3:])) for md in rules["national_fixed"]["value"]}
    out |= {easter + dt.timedelta(days=int(d)) for d in rules["national_easter"]["value"]}
    am = rules.get("alsace_moselle", {})
    if departement in am.get("departements", []):
        out |= {easter + dt.timedelta(days=int(d)) for d in am["value"].get("easter", {})}
        out |= {dt.date(year, int(md[:2]), int(md[3:])) for md in am["value"].get("fixed", {})}
    return out


def solidarity_rota(store: Store, *, departement: str, year: int, month: int,
                    max_minutes: float | None = None, volunteer_share: float = 0.1,
                    days_per_volunteer: int | None = None, days_per_commune: int = 8,
                    max_per_day: int = 1, seed: int = 2026,
                    model: RoadTimeModel | None = None) -> dict[str, Any]:
    """A month's rota of volunteer GPs for the under-served communes of a département.

    Under-served: GP APL (65 or under) below the national zoning threshold. Volunteers:
    a seeded share of the GPs aged 65 or under practising in a commune at or above the
    threshold within ``max_minutes`` of an under-served commune of the département.
    """
    model = model or RoadTimeModel()
    threshold = float(rule_value("zoning.gp_apl_threshold"))
    max_days = int(rule_value("solidarity.max_days_per_month"))
    days_per_volunteer = max_days if days_per_volunteer is None else int(days_per_volunteer)
    if not 0 <= days_per_volunteer <= max_days:
        raise ParameterError(f"jours par volontaire : entre 0 et {max_days} par mois "
                             "(règle solidarity.max_days_per_month).")
    cap = float(max_minutes if max_minutes is not None else rule_value("solidarity.default_max_minutes"))
    if not 0 < cap <= 120:
        raise ParameterError("durée maximale de trajet : entre 1 et 120 minutes.")
    if not 0 < volunteer_share <= 1:
        raise ParameterError("part de volontaires : entre 0 et 1.")
    if not 1 <= days_per_commune <= 31 or not 1 <= max_per_day <= 10:
        raise ParameterError("plafonds par commune : 1 à 31 jours par mois, 1 à 10 médecins par jour.")
    per_day = float(rule_value("solidarity.consultations_per_day"))
    scope = _scope(store, departement)
    communes = _communes(store)
    apl0 = _apl65(store)
    pop = scope["population"].astype(float)
    under = scope.index[(apl0.reindex(scope.index) < threshold).to_numpy() & (pop > 0).to_numpy()]
    deficit = ((threshold - apl0.reindex(under)) * pop.reindex(under) / 12.0).rename("deficit")
    supply, supply_desc = inputs.supply(store, GP)
    supply = supply.reset_index(drop=True)
    dates = month_days(int(year), int(month), holidays=holidays(int(year), departement.upper()))
    # volunteers: GPs ≤ 65 in well-served communes within reach of an under-served commune
    ok_origin = apl0[apl0 >= threshold].index
    gp_communes = pd.Index(supply["site"].astype(str).unique()).intersection(ok_origin)
    reach = pd.DataFrame(columns=["origin", "dest", "minutes"])
    if len(under) and len(gp_communes):
        reach = road_times(_points(store), gp_communes, pd.Index(under), model=model, max_minutes=cap)
        reach = reach.assign(origin=reach["origin"].astype(str), dest=reach["dest"].astype(str))
    near = set(reach["origin"]) if len(reach) else set()
    age = (pd.to_numeric(supply["age"], errors="coerce") if "age" in supply
           else pd.Series(np.nan, index=supply.index))
    pool = supply[supply["site"].astype(str).isin(near) & ~(age > 65).to_numpy()]
    rng = np.random.default_rng(int(seed))
    pool = pool[rng.random(len(pool)) < volunteer_share]
    volunteers = pd.DataFrame({"origin": pool["site"].astype(str).to_numpy()},
                              index=pd.Index([f"V{i:05d}" for i in pool.index], name="volunteer"))
    rota = plan_rota(volunteers, deficit, reach, dates, per_day=per_day, max_minutes=cap,
                     days_per_volunteer=days_per_volunteer, days_per_commune=days_per_commune,
                     max_per_day=max_per_day)
    # APL once the rota is applied every month: days × consultations × 12 moved from origin to commune
    after = apl0
    if len(rota.assignments):
        after = _apl_with_rota(store, supply, pool, rota.assignments, per_day, apl0)
    a = rota.assignments
    rows = [{"volunteer": r.volunteer, "origin": r.origin, "origin_nom": communes.at[r.origin, "nom"],
             "commune": r.commune, "commune_nom": communes.at[r.commune, "nom"],
             "date": r.date.isoformat(), "weekday": WEEKDAYS_FR[r.weekday],
             "minutes": round(float(r.minutes), 1)} for r in a.itertuples(index=False)]
    helped = [{"commune": c, "nom": communes.at[c, "nom"], "population": float(pop[c]),
               "apl_before": float(apl0[c]), "apl_after": float(after[c]),
               "deficit": float(deficit[c]), "days": int(rota.days_by_commune.get(c, 0))}
              for c in deficit.sort_values(ascending=False).index]
    dpop = pop.sum()
    data = _base(store, "Médecins solidaires : planning du mois")
    data.update({
        "params": {"departement": departement, "year": int(year), "month": int(month), "max_minutes": cap,
                   "volunteer_share": volunteer_share, "days_per_volunteer": days_per_volunteer,
                   "days_per_commune": days_per_commune, "max_per_day": max_per_day, "seed": int(seed),
                   "consultations_per_day": per_day, "threshold": threshold},
        "territory": scope["departement"].iloc[0], "working_days": [d.isoformat() for d in dates],
        "volunteers": int(len(volunteers)), "assignments": rows, "communes": helped,
        "summary": {"underserved_communes": int(len(under)), "deficit": rota.deficit,
                    "consultations_covered": rota.consultations_covered,
                    "days": int(len(a)), "travel_minutes": rota.travel_minutes, "unplaced": rota.unplaced,
                    "underserved_after": int((after.reindex(under) < threshold).sum()),
                    "apl_mean_before": float((apl0.reindex(scope.index) * pop).sum() / dpop) if dpop else None,
                    "apl_mean_after": float((after.reindex(scope.index) * pop).sum() / dpop) if dpop else None},
        "supply": supply_desc,
        "rules": [cite("zoning.gp_apl_threshold"), cite("zoning.gp_apl_max_age"),
                  cite("solidarity.max_days_per_month"), cite("solidarity.default_max_minutes"),
                  cite("solidarity.consultations_per_day"), cite("solidarity.daily_allowance")],
    })
    return data


def _apl_with_rota(store: Store, supply: pd.DataFrame, pool: pd.DataFrame, assignments: pd.DataFrame,
                   per_day: float, before: pd.Series | None = None) -> pd.Series:
    """GP APL (≤ 65) with each volunteer's days moved, every month of the year, to the helped commune.

    What a volunteer moves is capped at the activity they count for at home, and the
    origin loses exactly what the communes helped gain (:func:`moved_activity`). The
    APL is linear in the supply, so the change is the APL of the gains minus the APL of
    the losses, both counted as is (no activity bounds re-applied to a part of a GP).
    """
    from ...access.rules import profession_rules

    prof = profession_rules(GP)
    population, _ = inputs.population(store, by_age=True)
    act = pool["activity"] if "activity" in pool else pd.Series(np.nan, index=pool.index)
    counted = counted_activity(act, bounds=prof["activity_bounds"]["value"],
                               imputed=float(prof["imputed_activity"]["value"]),
                               centre_sante=pool["centre_sante"] if "centre_sante" in pool else None)
    if "quantity" in pool and act.isna().all():  # aggregated headcounts: a row is several GPs
        counted = counted * pd.to_numeric(pool["quantity"], errors="coerce").fillna(1.0)
    counted.index = [f"V{i:05d}" for i in pool.index]
    moves = moved_activity(assignments, counted, per_day=per_day)
    before = _apl65(store) if before is None else before
    if moves.empty:
        return before

    def apl_of(site_col: str) -> pd.Series:
        frame = pd.DataFrame({"site": moves[site_col].to_numpy(), "activity": moves["consultations"].to_numpy(),
                              "centre_sante": True, "age": 0.0})
        return apl_function(population, frame, _cost30(store), profession=GP, max_age=65).values

    after = before + apl_of("commune").reindex(before.index).fillna(0.0) \
        - apl_of("origin").reindex(before.index).fillna(0.0)
    return after.clip(lower=0.0)  # float noise only: the APL of a site never goes below 0
