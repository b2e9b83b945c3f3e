"""Commune codes and the mapping of outdated ones."""

import pandas as pd
import pytest

from accesoins.territory.codes import CommuneIndex, normalise_code


@pytest.mark.parametrize(
    ("raw", "code"),
    [("1001", "01001"), (1001, "01001"), ("01001.0", "01001"), (" 2a004 ", "2A004"), ("97411", "97411")],
)
def test_normalise_code(raw, code):
    assert normalise_code(raw) == code


def test_resolve_current_old_and_unknown():
    index = CommuneIndex(frozenset({"01015", "13055"}), {"01340": "01015", "13201": "13055"})
    assert index.resolve("01015") == "01015"
    assert index.resolve("1340") == "01015"
    assert index.resolve("99999") is None
    got = index.resolve_many(["13201", "99999", "13055"])
    assert got.iloc[0] == "13055" and pd.isna(got.iloc[1]) and got.iloc[2] == "13055"
