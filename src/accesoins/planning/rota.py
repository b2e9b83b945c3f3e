"""Médecins solidaires: assign volunteer GPs to under-served communes, then date the days.

Assignment is an integer min-cost flow, written as a MILP for HiGHS::

    volunteer v ──(≤ days_v)──> commune c ──> sink
    cost of a day of v in c  = travel_weight × minutes(v, c)
    value of the days in c   = consultations covered, capped at the deficit of c:
                               full days earn ``per_day`` each, the last partial day its remainder

Pairs farther than ``max_minutes`` are not arcs, so the distance limit cannot be
broken. The network matrix is totally unimodular; integrality is still asked.
Days are then placed on the calendar: each volunteer's days fall on distinct
allowed dates (no double booking), spread over the month, with at most
``max_per_day`` volunteers in a commune on the same date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from accesoins.errors import ParameterError


@dataclass(frozen=True)
class Rota:
    """A month's rota.

    Attributes
    ----------
    assignments : pandas.DataFrame
        One row per volunteer-day: ``volunteer``, ``origin`` (commune of the volunteer),
        ``commune`` (commune helped), ``date``, ``weekday`` and ``minutes``.
    days_by_commune : pandas.Series
        Days received per helped commune.
    consultations_covered : float
        Consultations of the deficit covered (capped at each commune's deficit).
    deficit : float
        Total deficit (consultations per month) of the communes considered.
    travel_minutes : float
        Sum of one-way minutes over assigned days.
    unplaced : int
        Days assigned by the flow that could not be placed on the calendar (0 when caps allow).
    """

    assignments: pd.DataFrame
    days_by_commune: pd.Series
    consultations_covered: float
    deficit: float
    travel_minutes: float
    unplaced: int


def assign_days(
    volunteers: pd.DataFrame,
    deficits: pd.Series,
    cost: pd.DataFrame,
    *,
    per_day: float,
    max_minutes: float,
    days_per_volunteer: int = 2,
    days_per_commune: int = 8,
    travel_weight: float = 0.05,
) -> pd.DataFrame:
    """Days of each volunteer in each commune (the flow), before dating.

    Parameters
    ----------
    volunteers : pandas.DataFrame
        Indexed by volunteer id, with ``origin`` (commune id) and optionally ``max_days``
        (≤ ``days_per_volunteer``).
    deficits : pandas.Series
        Consultations missing per month, by helped commune id (> 0 kept).
    cost : pandas.DataFrame
        Long frame ``origin``, ``dest``, ``minutes`` between volunteer communes and helped communes.
    per_day : float
        Consultations a volunteer provides in one day.
    max_minutes : float
        Longest one-way trip allowed (inclusive).
    days_per_volunteer, days_per_commune : int
        Caps per volunteer and per helped commune for the month.
    travel_weight : float
        Consultations given up per minute of travel (the travel cost; keep it small so that
        covering the deficit comes first).

    Returns
    -------
    pandas.DataFrame
        ``volunteer``, ``origin``, ``commune``, ``days``, ``minutes`` (rows with days > 0).
    """
    _check_options(per_day, max_minutes, days_per_volunteer, days_per_commune, travel_weight)
    if "origin" not in volunteers.columns:
        raise ParameterError("« volunteers » : colonne « origin » (commune du volontaire) absente.")
    if not volunteers.index.is_unique:
        raise ParameterError("« volunteers » : identifiants de volontaires en double.")
    need = pd.to_numeric(deficits, errors="coerce").fillna(0.0)
    need = need[need > 0]
    cap_v = np.full(len(volunteers), days_per_volunteer, dtype=np.int64)
    if "max_days" in volunteers.columns:
        own = pd.to_numeric(volunteers["max_days"], errors="coerce").fillna(days_per_volunteer)
        cap_v = np.minimum(cap_v, np.maximum(own.to_numpy(dtype=np.int64), 0))
    empty = pd.DataFrame(columns=["volunteer", "origin", "commune", "days", "minutes"])
    if need.empty or volunteers.empty:
        return empty
    # arcs volunteer -> commune within reach
    c = cost[["origin", "dest", "minutes"]].copy()
    c["origin"], c["dest"] = c["origin"].astype(str), c["dest"].astype(str)
    c = c[(c["minutes"] <= max_minutes) & c["dest"].isin(need.index.astype(str))]
    vol = pd.DataFrame({"volunteer": volunteers.index, "origin": volunteers["origin"].astype(str).to_numpy(),
                        "v": np.arange(len(volunteers))})
    arcs = vol.merge(c, on="origin", how="inner")
    arcs = arcs[cap_v[arcs["v"].to_numpy()] > 0]
    if arcs.empty:
        return empty
    communes = pd.Index(need.index.astype(str))
    arcs["c"] = communes.get_indexer(arcs["dest"])
    nv, nc, na = len(volunteers), len(communes), len(arcs)
    need_v = need.to_numpy(dtype=np.float64)
    full = np.minimum(np.floor(need_v / per_day), days_per_commune).astype(np.int64)
    remainder = np.where(full < days_per_commune, need_v - full * per_day, 0.0)
    part = (remainder > 1e-9).astype(np.int64)
    # variables: arc days (na), full-day slots (nc), partial-day slot (nc)
    n = na + 2 * nc
    cost_vec = np.concatenate([travel_weight * arcs["minutes"].to_numpy(dtype=np.float64),
                               np.full(nc, -float(per_day)), -remainder])
    a_v = arcs["v"].to_numpy()
    a_c = arcs["c"].to_numpy()
    rows_v = sp.csr_matrix((np.ones(na), (a_v, np.arange(na))), shape=(nv, n))
    # flow conservation at communes: Σ arc days − full − partial = 0
    conserve = sp.csr_matrix(
        (np.concatenate([np.ones(na), -np.ones(nc), -np.ones(nc)]),
         (np.concatenate([a_c, np.arange(nc), np.arange(nc)]),
          np.concatenate([np.arange(na), na + np.arange(nc), na + nc + np.arange(nc)]))),
        shape=(nc, n))
    per_commune = sp.csr_matrix((np.ones(na), (a_c, np.arange(na))), shape=(nc, n))
    upper = np.concatenate([np.minimum(cap_v[a_v], days_per_commune), full, part]).astype(np.float64)
    res = milp(cost_vec,
               constraints=[LinearConstraint(rows_v, 0, cap_v.astype(np.float64)),
                            LinearConstraint(conserve, 0, 0),
                            LinearConstraint(per_commune, 0, float(days_per_commune))],
               bounds=Bounds(np.zeros(n), upper), integrality=np.ones(n),
               options={"time_limit": 60.0, "disp": False})
    if res.x is None:
        raise ParameterError(f"affectation impossible : {res.message}")
    days = np.rint(res.x[:na]).astype(np.int64)
    out = arcs.assign(days=days)[days > 0]
    out = out.rename(columns={"dest": "commune"})
    assigned: pd.DataFrame = out[["volunteer", "origin", "commune", "days", "minutes"]].reset_index(drop=True)
    return assigned


def schedule(
    flows: pd.DataFrame,
    dates: list[dt.date],
    *,
    max_per_day: int = 1,
    volunteer_dates: dict[object, list[dt.date]] | None = None,
) -> tuple[pd.DataFrame, int]:
    """Place the days of ``flows`` on ``dates``.

    Each volunteer gets distinct dates (never two communes the same day), chosen
    among ``volunteer_dates[v]`` when given, spread over the month, and a commune
    never receives more than ``max_per_day`` volunteers on one date.

    Returns
    -------
    (pandas.DataFrame, int)
        Dated assignments and the number of days that could not be placed.
    """
    if max_per_day < 1:
        raise ParameterError("max_per_day doit être au moins 1.")
    load: dict[tuple[str, dt.date], int] = {}
    rows: list[dict[str, object]] = []
    unplaced = 0
    ordered = sorted(dates)
    for volunteer, group in flows.sort_values(["volunteer", "commune"]).groupby("volunteer", sort=False):
        mine = sorted(volunteer_dates.get(volunteer, ordered)) if volunteer_dates else ordered
        used: list[dt.date] = []
        rec: Any  # itertuples rows: named fields the stubs cannot type
        for rec in group.itertuples(index=False):
            for _ in range(int(rec.days)):
                free = [d for d in mine if d not in used and load.get((rec.commune, d), 0) < max_per_day]
                if not free:
                    unplaced += 1
                    continue
                # spread: farthest from the dates already used, then the commune's least loaded day
                best = max(free, key=lambda d: (min((abs((d - u).days) for u in used), default=0),
                                                -load.get((rec.commune, d), 0), -d.toordinal()))
                used.append(best)
                load[(rec.commune, best)] = load.get((rec.commune, best), 0) + 1
                rows.append({"volunteer": volunteer, "origin": rec.origin, "commune": rec.commune,
                             "date": best, "weekday": best.weekday(), "minutes": float(rec.minutes)})
    frame = pd.DataFrame(rows, columns=["volunteer", "origin", "commune", "date", "weekday", "minutes"])
    return frame.sort_values(["date", "commune", "volunteer"]).reset_index(drop=True), unplaced


def plan_rota(
    volunteers: pd.DataFrame,
    deficits: pd.Series,
    cost: pd.DataFrame,
    dates: list[dt.date],
    *,
    per_day: float,
    max_minutes: float,
    days_per_volunteer: int = 2,
    days_per_commune: int = 8,
    max_per_day: int = 1,
    travel_weight: float = 0.05,
) -> Rota:
    """Assign and date a month's rota (see :func:`assign_days` and :func:`schedule`).

    The per-commune cap is lowered to what the calendar can hold
    (``max_per_day × len(dates)``) and each volunteer's cap to the number of dates,
    so that every assigned day can be placed.
    """
    if not dates:
        raise ParameterError("aucun jour ouvrable dans le mois choisi.")
    cap_c = min(int(days_per_commune), int(max_per_day) * len(dates))
    cap_v = min(int(days_per_volunteer), len(dates))
    flows = assign_days(volunteers, deficits, cost, per_day=per_day, max_minutes=max_minutes,
                        days_per_volunteer=cap_v, days_per_commune=cap_c, travel_weight=travel_weight)
    dated, unplaced = schedule(flows, dates, max_per_day=max_per_day)
    need = pd.to_numeric(deficits, errors="coerce").fillna(0.0).clip(lower=0)
    need.index = need.index.astype(str)
    by_commune = dated.groupby("commune").size() if len(dated) else pd.Series(dtype=np.int64)
    covered = float(np.minimum(by_commune * per_day, need.reindex(by_commune.index).fillna(0)).sum())
    return Rota(assignments=dated, days_by_commune=by_commune.astype(np.int64),
                consultations_covered=covered, deficit=float(need.sum()),
                travel_minutes=float(dated["minutes"].sum()) if len(dated) else 0.0,
                unplaced=unplaced)


def _check_options(per_day: float, max_minutes: float, days_per_volunteer: int,
                   days_per_commune: int, travel_weight: float) -> None:
    if not per_day > 0:
        raise ParameterError("le nombre de consultations par journée doit être positif.")
    if not (np.isfinite(max_minutes) and max_minutes >= 0):
        raise ParameterError("la durée maximale de trajet doit être un nombre de minutes positif.")
    if int(days_per_volunteer) < 0 or int(days_per_commune) < 0:
        raise ParameterError("les plafonds de jours doivent être positifs ou nuls.")
    if travel_weight < 0:
        raise ParameterError("le poids du trajet doit être positif ou nul.")


def counted_activity(
    activity: pd.Series,
    *,
    bounds: dict[str, float],
    imputed: float,
    centre_sante: pd.Series | None = None,
) -> pd.Series:
    """Activity each GP counts for in the APL (DREES rules of ``rules/apl.yaml``).

    Below ``zero_below`` acts: 0; otherwise clipped to ``[floor, ceiling]``; unknown
    activity: ``imputed``; centres de santé: the activity as is. Indexed like ``activity``.
    """
    act = pd.to_numeric(activity, errors="coerce").to_numpy(dtype=np.float64)
    counted = np.where(act < bounds["zero_below"], 0.0,
                       np.clip(act, bounds["floor"], bounds["ceiling"]))
    counted = np.where(np.isnan(act), float(imputed), counted)
    if centre_sante is not None:
        centre = centre_sante.reindex(activity.index).fillna(False).to_numpy(dtype=bool)
        counted = np.where(centre & ~np.isnan(act), act, counted)
    return pd.Series(counted, index=activity.index, name="counted")


def moved_activity(
    assignments: pd.DataFrame,
    counted: pd.Series,
    *,
    per_day: float,
    months: int = 12,
) -> pd.DataFrame:
    """Consultations a year each volunteer moves from their commune to the communes helped.

    A volunteer's days (every month of the year) move ``days × per_day × months``
    consultations, but never more than the activity they count for at home
    (``counted``, by volunteer id): what leaves the origin is exactly what
    reaches the communes helped, shared in proportion to the days given to each.

    Returns
    -------
    pandas.DataFrame
        ``volunteer``, ``origin``, ``commune``, ``consultations`` (one row per
        volunteer and commune helped).
    """
    cols = ["volunteer", "origin", "commune", "consultations"]
    if assignments.empty:
        return pd.DataFrame(columns=cols)
    days = assignments.groupby(["volunteer", "origin", "commune"]).size().rename("days").reset_index()
    total = days.groupby("volunteer")["days"].transform("sum").to_numpy(dtype=np.float64)
    wanted = total * float(per_day) * months
    have = counted.reindex(days["volunteer"]).fillna(0.0).to_numpy(dtype=np.float64)
    moved = np.minimum(wanted, np.maximum(have, 0.0))
    days["consultations"] = moved * days["days"].to_numpy(dtype=np.float64) / total
    return days[cols]


def supply_after_moves(supply: pd.Series, moves: pd.DataFrame) -> pd.Series:
    """Counted supply by site once ``moves`` (see :func:`moved_activity`) are applied.

    The total is unchanged: each origin loses what the communes helped gain.
    """
    out = supply.astype(float).copy()
    if moves.empty:
        return out
    loss = moves.groupby("origin")["consultations"].sum()
    gain = moves.groupby("commune")["consultations"].sum()
    out = out.add(-loss, fill_value=0.0).add(gain, fill_value=0.0)
    # Float noise of a full move (x − x) must not leave −1e-13 consultations.
    return out.where(out.abs() > 1e-9 * max(1.0, float(supply.abs().max() or 1.0)), 0.0)
