"""Fixed-width string ids (commune codes) are looked up by their bytes, as a hash lookup would."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from accesoins.access import e2sfca
from accesoins.access._align import positions
from accesoins.access._strings import fixed_width_bytes, radix_positions

STEPS = [(10, 1.0), (15, 2 / 3), (20, 1 / 3)]


def _codes(rng, n):
    """INSEE-like codes: département (01–95, 2A, 2B, 971–976 style) and a commune number."""
    deps = [f"{d:02d}" for d in range(1, 96)] + ["2A", "2B"]
    return [f"{deps[rng.integers(len(deps))]}{rng.integers(1, 999):03d}" for _ in range(n)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_radix_positions_match_the_index_hash_lookup(seed):
    rng = np.random.default_rng(seed)
    index = pd.Index(sorted(set(_codes(rng, 3000))), dtype="str")
    # rows: ids of the index, ids of the same width absent from it, a byte the index never
    # uses at that place (« x », « é » is two bytes: another width), other widths
    rows = list(rng.choice(np.asarray(index), 5000)) + _codes(rng, 500) + ["x1001", "2C001", "é1001", "0100"]
    col = pd.Series(pd.array(rows, dtype="str"))
    expected = index.get_indexer(pd.Index(rows, dtype=object))
    got = positions(col, index)
    assert (got == expected).all() and (expected >= 0).sum() >= 5000 and (expected < 0).sum() >= 4


def test_fixed_width_bytes_reads_slices_and_refuses_what_it_cannot_read():
    ids = pd.array(["01001", "01002", "2A004", "97411"], dtype="str")
    sliced = pd.Series(ids)[1:3].reset_index(drop=True)  # an Arrow slice: non-zero offset
    raw = fixed_width_bytes(sliced)
    assert raw is not None and [bytes(r).decode() for r in raw] == ["01002", "2A004"]
    assert fixed_width_bytes(pd.Series(pd.array(["01001", "1001"], dtype="str"))) is None  # widths
    assert fixed_width_bytes(pd.Series(pd.array(["01001", None], dtype="str"))) is None  # null
    assert fixed_width_bytes(pd.Series(["01001", "01002"], dtype=object)) is None  # Python objects
    chunked = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([["01001"], ["01002"]])))
    assert fixed_width_bytes(chunked) is None  # several chunks: general path
    assert (positions(chunked, pd.Index(["01002", "01001"])) == [1, 0]).all()


def test_index_of_mixed_widths_and_too_large_tables():
    index = pd.Index(["01001", "1001", "ABCDE", "01002x"])
    raw = fixed_width_bytes(pd.Series(pd.array(["01001", "ABCDE", "0100x", "1001A"], dtype="str")))
    assert radix_positions(raw, index, np.int32, -1).tolist() == [0, 2, -1, -1]
    # 12-byte random ids: the table of codes would be huge, so the caller hashes instead
    rng = np.random.default_rng(3)
    long_ids = ["".join(rng.choice(list("ABCDEFGHIJKLMNOP"), 12)) for _ in range(200)]
    raw = fixed_width_bytes(pd.Series(pd.array(long_ids, dtype="str")))
    assert radix_positions(raw, pd.Index(long_ids), np.int32, -1) is None
    assert (positions(pd.Series(pd.array(long_ids, dtype="str")), pd.Index(long_ids)) == np.arange(200)).all()


def test_string_and_categorical_ids_give_the_same_apl_on_commune_codes():
    rng = np.random.default_rng(5)
    codes = sorted(set(_codes(rng, 400)))
    demand = pd.Series(rng.uniform(10, 1000, len(codes)), index=pd.Index(codes, dtype="str"))
    supply = pd.Series(rng.integers(1, 5, 40).astype(float), index=pd.Index(codes[::10][:40], dtype="str"))
    o, d = rng.integers(0, len(codes), 6000), rng.integers(0, len(codes), 6000)
    pairs = pd.DataFrame({"origin": np.asarray(codes)[o], "dest": np.asarray(codes)[d],
                          "minutes": rng.uniform(0, 30, 6000)}).drop_duplicates(["origin", "dest"])
    as_str = pairs.assign(origin=pairs["origin"].astype("str"), dest=pairs["dest"].astype("str"))
    as_cat = pairs.assign(origin=pd.Categorical(pairs["origin"], categories=codes),
                          dest=pd.Categorical(pairs["dest"], categories=codes))
    got, ref = e2sfca(demand, supply, as_str, STEPS), e2sfca(demand, supply, as_cat, STEPS)
    assert np.abs(got.to_numpy() - ref.to_numpy()).max() <= 1e-15 and ref.sum() > 0


def test_empty_string_columns_give_no_position():
    empty = pd.Series(pd.array([], dtype="str"))
    assert len(positions(empty, pd.Index(["01001"]))) == 0
