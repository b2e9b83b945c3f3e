"""Zoning classes of the GP APL, from the thresholds of ``rules/observatory.yaml``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .catalog import observatory_rules


def zoning_classes() -> list[dict[str, Any]]:
    classes: list[dict[str, Any]] = observatory_rules()["zoning"]["classes"]
    return classes


def classify_apl(apl: pd.Series) -> pd.Series:
    """Class code of each commune (``zip``, ``zac``, ``hors_zone``); missing APL stays missing."""
    classes = zoning_classes()
    codes = np.full(len(apl), None, dtype=object)
    values = apl.to_numpy(dtype=float)
    assigned = np.isnan(values)
    for c in classes:
        hit = ~assigned & (values < c["max"] if c["max"] is not None else ~assigned)
        codes[hit] = c["code"]
        assigned |= hit
    return pd.Series(codes, index=apl.index, name="classe")
