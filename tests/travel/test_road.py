"""The default road model: symmetric, zero on the diagonal, monotone, capped, sparse."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from accesoins.errors import ParameterError
from accesoins.travel import RoadTimeModel, TravelTimeProvider
from accesoins.travel.geo import EARTH_RADIUS_KM


def random_points(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "lat": rng.uniform(44.0, 46.0, n),
            "lon": rng.uniform(3.0, 6.0, n),
            "density": rng.choice([20.0, 500.0, 4000.0, np.nan], n),
        },
        index=[f"{k:05d}" for k in range(n)],
    )


def test_hand_computed_time():
    m = RoadTimeModel()
    # 10 km great-circle → 13 road km: 5 km at the local pace + 8 km at 55 km/h (regional).
    # Rural (40 km/h) to urban (25 km/h): mean pace (60/40 + 60/25)/2 min/km.
    t = m.minutes(np.array([10.0]), np.array([60 / 40]), np.array([60 / 25]))
    assert t[0] == pytest.approx(5 * (60 / 40 + 60 / 25) / 2 + 8 * 60 / 55, rel=1e-12)
    # 40 km → 52 road km: 5 local + 20 at 55 + 27 at 95.
    t = m.minutes(np.array([40.0]), np.array([1.5]), np.array([1.5]))
    assert t[0] == pytest.approx(5 * 1.5 + 20 * 60 / 55 + 27 * 60 / 95, rel=1e-12)
    # A relief multiplier of 1.5 at both ends lengthens the whole trip by half.
    r = m.minutes(np.array([40.0]), np.array([1.5]), np.array([1.5]), 1.5, 1.5)
    assert r[0] == pytest.approx(1.5 * t[0], rel=1e-12)


def test_symmetric_zero_diagonal_capped_and_sparse():
    pts = random_points(1500)
    m = RoadTimeModel()
    assert isinstance(m, TravelTimeProvider)
    out = m.travel_times(pts, max_minutes=25)
    assert list(out.columns) == ["origin", "dest", "minutes"]
    assert out.minutes.max() <= 25 and out.minutes.min() >= 0
    assert len(out) < 0.2 * len(pts) ** 2  # never the all-pairs matrix
    diag = out[out.origin.astype(str) == out.dest.astype(str)]
    assert len(diag) == len(pts) and (diag.minutes == 0).all()
    # Symmetry: (o, d, t) present iff (d, o, t) present.
    fwd = out.assign(o=out.origin.astype(str), d=out.dest.astype(str)).set_index(["o", "d"]).minutes
    back = fwd.copy()
    back.index = back.index.swaplevel()
    assert fwd.sort_index().equals(back.sort_index())


def test_complete_within_cap_against_brute_force():
    pts = random_points(300, seed=4)
    m = RoadTimeModel()
    got = m.travel_times(pts, max_minutes=30)
    lat, lon = np.radians(pts.lat.to_numpy()), np.radians(pts.lon.to_numpy())
    # Brute-force haversine on a small test set only.
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))
    pace = m.local_pace(pts.density.to_numpy())
    t = m.minutes(km, pace[:, None], pace[None, :])
    np.fill_diagonal(t, 0.0)
    expected = int((t <= 30).sum())
    assert len(got) == expected
    i = got.origin.cat.codes.to_numpy()
    j = got.dest.cat.codes.to_numpy()
    assert np.abs(got.minutes.to_numpy() - t[i, j]).max() < 1e-9


def test_monotone_in_distance_and_denser_is_slower():
    m = RoadTimeModel()
    km = np.linspace(0, 80, 2001)
    for pace in (60 / 25, 60 / 40, 60 / 55):
        t = m.minutes(km, np.full_like(km, pace), np.full_like(km, pace))
        assert (np.diff(t) > 0).all()
    dense = m.local_pace(np.array([5000.0]))
    rural = m.local_pace(np.array([10.0]))
    assert dense[0] > rural[0]


def test_origins_to_destinations_include_same_id():
    pts = random_points(400, seed=2)
    sites = pts.iloc[::7].copy()
    sites.loc[sites.index[0], "lat"] += 3.0  # moved far away, but same id: still 0 minutes
    out = RoadTimeModel().travel_times(pts, sites, max_minutes=20)
    same = out[out.origin.astype(str) == out.dest.astype(str)]
    assert len(same) == len(sites) and (same.minutes == 0).all()
    assert out.minutes.max() <= 20


def test_cache_key_is_stable_and_depends_on_parameters():
    a, b = RoadTimeModel(), RoadTimeModel()
    assert a.cache_key() == b.cache_key() and a.cache_key().startswith("road-v3-")
    assert RoadTimeModel(detour_factor=1.4).cache_key() != a.cache_key()
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.detour_factor = 2.0  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"detour_factor": 0.9},
        {"urban_speed_kmh": 80.0},
        {"local_km": 30.0},
        {"rural_density": 5000.0},
        {"long_speed_kmh": 0.0},
        {"terminal_minutes": -1.0},
    ],
)
def test_invalid_parameters(kwargs):
    with pytest.raises(ParameterError):
        RoadTimeModel(**kwargs)


def test_invalid_points_and_cap():
    m = RoadTimeModel()
    with pytest.raises(ParameterError, match="lat"):
        m.travel_times(pd.DataFrame({"x": [1.0]}), max_minutes=10)
    with pytest.raises(ParameterError, match="coordonnées"):
        m.travel_times(pd.DataFrame({"lat": [np.nan], "lon": [1.0]}), max_minutes=10)
    with pytest.raises(ParameterError, match="max_minutes"):
        m.travel_times(random_points(3), max_minutes=-5)


def test_small_communes_add_their_access_time_to_the_main_roads():
    pts = pd.DataFrame({"lat": [45.0, 45.05, 45.10], "lon": [3.0, 3.0, 3.0], "density": 50.0,
                        "population": [10.0, 100.0, 5000.0]}, index=["hamlet", "village", "town"])
    model = RoadTimeModel()
    assert model.access_minutes(np.array([10.0, 100.0, 1000.0, 5000.0, np.nan])).tolist() == pytest.approx(
        [4.0, 2.0, 0.0, 0.0, 0.0])
    bare = model.travel_times(pts.drop(columns="population"), max_minutes=60).set_index(["origin", "dest"])["minutes"]
    got = model.travel_times(pts, max_minutes=60).set_index(["origin", "dest"])["minutes"]
    assert got[("hamlet", "village")] == pytest.approx(bare[("hamlet", "village")] + 6.0)
    assert got[("village", "town")] == pytest.approx(bare[("village", "town")] + 2.0)
    assert got[("town", "hamlet")] == got[("hamlet", "town")] == pytest.approx(bare[("hamlet", "town")] + 4.0)
    assert got[("hamlet", "hamlet")] == 0.0  # the APL's own-commune pair stays at 0
    off = RoadTimeModel(small_commune_minutes_per_decade=0.0).travel_times(pts, max_minutes=60)
    assert off.set_index(["origin", "dest"])["minutes"].equals(bare.reindex(off.set_index(["origin", "dest"]).index))
    capped = model.travel_times(pts, max_minutes=float(bare[("hamlet", "village")]) + 1.0)
    assert not ((capped["origin"] == "hamlet") & (capped["dest"] == "village")).any()  # beyond the cap now
    with pytest.raises(ParameterError):
        RoadTimeModel(small_commune_population=0.0)
