"""The road model against real road times between communes, each with its public source.

``tests/fixtures/reference_road_times.csv`` lists pairs (``from``, ``to`` INSEE codes), a real
driving time in minutes quoted by a public page, the page and the date it was read. The test
reports the median and the 90th percentile of the model/real ratio and bounds them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from accesoins.services.data.inputs import commune_points
from accesoins.travel import RoadTimeModel

PAIRS = Path(__file__).resolve().parents[1] / "fixtures" / "reference_road_times.csv"


def test_every_reference_pair_is_sourced():
    pairs = pd.read_csv(PAIRS, dtype={"from": str, "to": str})
    assert list(pairs.columns) == ["from", "to", "minutes", "source", "retrieved"]
    assert (pairs["minutes"] > 0).all() and pairs["source"].str.contains("http").all()
    assert not pairs.duplicated(["from", "to"]).any()


def test_model_error_on_real_road_times(store, capsys):
    pairs = pd.read_csv(PAIRS, dtype={"from": str, "to": str})
    points = commune_points(store)
    model = RoadTimeModel()
    ratios = []
    for row in pairs.itertuples():
        # the pair's départements as context: ports and gateways of the links are points too
        deps = {c[:3] if c.startswith("97") else c[:2] for c in (row._1, row.to)}
        context = points[points.index.str.startswith(tuple(deps))]
        cost = model.travel_times(context, context.loc[[row.to]], max_minutes=600)
        got = cost.loc[(cost["origin"].astype(str) == row._1) & (cost["dest"].astype(str) == row.to), "minutes"]
        assert len(got) == 1, f"{row._1} → {row.to} : aucun temps sous 600 min"
        ratios.append(float(got.iloc[0]) / row.minutes)
    ratios = np.array(ratios)
    median, p90 = float(np.median(ratios)), float(np.quantile(np.abs(np.log(ratios)), 0.9))
    with capsys.disabled():
        print(f"\n{len(ratios)} paires de référence : rapport modèle/réel médian {median:.2f}, "
              f"90e centile de l'écart {np.exp(p90):.2f}×")
    assert 0.67 <= median <= 1.5
    assert np.exp(p90) <= 2.0  # 90 % of the pairs within a factor 2 of the real time
