"""Travel-time matrices computed once and cached in the store.

A matrix is keyed by its provider's ``cache_key()``, the cap, the set of
destinations and the territory it was built on; asking again reads it back.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd

from ...store.db import Store
from ...store.territory import stored_territory_key
from ...travel.links import load_links
from ...travel.road import RoadTimeModel
from ..data.inputs import commune_points


def matrix_key(model: RoadTimeModel, max_minutes: float, destinations: pd.Index | None,
               territory: str | None) -> str:
    dest = "all" if destinations is None else hashlib.sha1(
        ",".join(sorted(map(str, destinations))).encode()).hexdigest()[:12]
    return f"{model.cache_key()}|max={max_minutes:g}|dest={dest}|territory={territory}"


def travel_times(store: Store, *, max_minutes: float = 30.0, destinations: pd.Index | None = None,
                 model: RoadTimeModel | None = None, cache: bool = True) -> pd.DataFrame:
    """Commune → commune minutes up to ``max_minutes`` (``destinations``: a subset of communes).

    Read from the store when cached; otherwise computed, and written when the store is
    writable. ``origin`` and ``dest`` are categoricals over all commune codes.
    """
    model = model or RoadTimeModel()
    key = matrix_key(model, max_minutes, destinations, stored_territory_key(store))
    points = commune_points(store)
    codes = points.index
    if cache and store.scalar("SELECT count(*) FROM travel_matrices WHERE matrix_key = ?", [key]):
        cols = store.con.execute(
            "SELECT origin, dest, minutes FROM travel_times WHERE matrix_key = ?", [key]
        ).fetchnumpy()
        return pd.DataFrame({
            "origin": pd.Categorical.from_codes(cols["origin"], categories=codes),
            "dest": pd.Categorical.from_codes(cols["dest"], categories=codes),
            "minutes": cols["minutes"],
        })
    dest_points = None if destinations is None else points.loc[points.index.intersection(destinations)]
    pairs = model.travel_times(points, dest_points, max_minutes=max_minutes)
    pairs = pd.DataFrame({
        "origin": pd.Categorical(pairs["origin"].astype(str), categories=codes),
        "dest": pd.Categorical(pairs["dest"].astype(str), categories=codes),
        "minutes": pairs["minutes"].to_numpy(dtype="float32"),  # as stored: same figures cached or not
    })
    if cache and not _read_only(store):
        with store.transaction() as con:
            con.execute("DELETE FROM travel_times WHERE matrix_key = ?", [key])
            con.execute("DELETE FROM travel_matrices WHERE matrix_key = ?", [key])
            frame = pd.DataFrame({  # noqa: F841 - read by DuckDB by name
                "matrix_key": key,
                "origin": pairs["origin"].cat.codes.astype("int32"),
                "dest": pairs["dest"].cat.codes.astype("int32"),
                "minutes": pairs["minutes"].astype("float32"),
            })
            con.execute("INSERT INTO travel_times SELECT * FROM frame")
            con.execute(
                "INSERT INTO travel_matrices (matrix_key, provider, parameters, pairs) VALUES (?, ?, ?, ?)",
                [key, "road_model", json.dumps({"model": model.cache_key(), "max_minutes": max_minutes}),
                 len(pairs)],
            )
    return pairs[["origin", "dest", "minutes"]]


def _read_only(store: Store) -> bool:
    try:
        return bool(store.scalar("SELECT current_setting('access_mode') = 'read_only'"))
    except Exception:  # noqa: BLE001
        return False


def road_times(points: pd.DataFrame, origins: pd.Index, dests: pd.Index, *, model: RoadTimeModel,
               max_minutes: float) -> pd.DataFrame:
    """Road times from the communes ``origins`` to ``dests``, their points taken from ``points``.

    ``points`` is :func:`~accesoins.services.data.inputs.commune_points` (with the road zones). The road
    model joins land masses only through link ends (ports) it is given, so every port goes among
    the origins and its own pairs are dropped afterwards: an island keeps its ferry whatever
    subset of communes is asked.
    """
    ends = {e for link in load_links().crossings for e in (link.a, link.b)}
    ports = points.index.intersection(sorted(ends))
    cost = model.travel_times(points.loc[origins.union(ports)], points.loc[dests], max_minutes=max_minutes)
    return cost[cost["origin"].isin(origins)]
