"""OSRM table client, against a local server speaking the OSRM table protocol."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from accesoins.errors import ParameterError
from accesoins.travel import OsrmError, OsrmTableClient


def points(n: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lon = rng.uniform(4.0, 5.0, n)
    lon[-1] = 9.5  # an unreachable "island"
    return pd.DataFrame(
        {"lat": rng.uniform(45.0, 45.6, n), "lon": lon}, index=[f"c{k:02d}" for k in range(n)]
    )


def test_batched_table_matches_server_times(osrm_server, seconds_between):
    pts = points(37)
    client = OsrmTableClient(osrm_server.url, batch_size=10, max_speed_kmh=None)
    out = client.travel_times(pts, max_minutes=40)
    # 37 sources × 37 destinations in batches of 10: 4 × 4 requests, none above 10 × 10.
    assert len(osrm_server.requests) == 16 == client.requests_sent
    assert max(s for s, _ in osrm_server.requests) == 10
    assert max(d for _, d in osrm_server.requests) == 10
    expected = {}
    for o in pts.index:
        for d in pts.index:
            s = 0.0 if o == d else seconds_between(pts.lon[o], pts.lat[o], pts.lon[d], pts.lat[d])
            if s is not None and s / 60 <= 40:
                expected[(o, d)] = s / 60
    got = {(str(o), str(d)): t for o, d, t in out.itertuples(index=False)}
    assert got.keys() == expected.keys()
    assert max(abs(got[k] - expected[k]) for k in got) < 1e-3  # 6-decimal coordinates
    assert got[("c36", "c36")] == 0.0 and ("c36", "c00") not in got  # island: null → absent


def test_prefilter_skips_far_batches_without_losing_pairs(osrm_server):
    pts = points(37)
    full = OsrmTableClient(osrm_server.url, batch_size=10, max_speed_kmh=None)
    ref = full.travel_times(pts, max_minutes=15)
    n_full = full.requests_sent
    fast = OsrmTableClient(osrm_server.url, batch_size=10, max_speed_kmh=100.0)
    got = fast.travel_times(pts, max_minutes=15)
    assert fast.requests_sent < n_full

    def key(f):
        return set(zip(f.origin.astype(str), f.dest.astype(str), f.minutes.round(9), strict=True))

    assert key(got) == key(ref) and len(ref) > 37


def test_server_refusal_and_bad_arguments(osrm_server):
    too_big = OsrmTableClient(osrm_server.url, batch_size=11, max_speed_kmh=None)
    with pytest.raises(OsrmError, match="TooBig"):
        too_big.travel_times(points(30), max_minutes=10)
    with pytest.raises(OsrmError, match="injoignable"):
        OsrmTableClient("http://127.0.0.1:9", timeout=0.5).travel_times(points(3), max_minutes=5)
    with pytest.raises(ParameterError):
        OsrmTableClient("ftp://x")
    with pytest.raises(ParameterError):
        OsrmTableClient(osrm_server.url, batch_size=0)
    a = OsrmTableClient(osrm_server.url).cache_key()
    assert a == OsrmTableClient(osrm_server.url, batch_size=7).cache_key()
    assert a != OsrmTableClient(osrm_server.url, profile="foot").cache_key()
