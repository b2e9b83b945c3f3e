"""Médecins solidaires: rota constraints never broken (property tests) and calendar rules."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accesoins.errors import ParameterError
from accesoins.planning.calendar import easter_sunday, month_days
from accesoins.planning.rota import plan_rota


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_rota_constraints_hold(data):
    n_vol = data.draw(st.integers(1, 12))
    n_com = data.draw(st.integers(1, 6))
    origins = [f"o{data.draw(st.integers(0, 3))}" for _ in range(n_vol)]
    vols = pd.DataFrame({"origin": origins}, index=[f"v{i}" for i in range(n_vol)])
    deficits = pd.Series([data.draw(st.floats(0, 400)) for _ in range(n_com)],
                         index=[f"c{j}" for j in range(n_com)])
    minutes = [(f"o{o}", f"c{c}", data.draw(st.floats(0, 90))) for o in range(4) for c in range(n_com)]
    cost = pd.DataFrame(minutes, columns=["origin", "dest", "minutes"])
    limit = data.draw(st.sampled_from([20.0, 45.0, 60.0]))
    per_vol = data.draw(st.integers(0, 2))
    per_com = data.draw(st.integers(1, 6))
    per_day = data.draw(st.integers(1, 2))
    month = data.draw(st.integers(1, 12))
    dates = month_days(2026, month, holidays={dt.date(2026, 5, 1)})
    rota = plan_rota(vols, deficits, cost, dates, per_day=25, max_minutes=limit, days_per_volunteer=per_vol,
                     days_per_commune=per_com, max_per_day=per_day)
    a = rota.assignments
    if a.empty:
        return
    assert (a.groupby("volunteer").size() <= per_vol).all()
    assert (a["minutes"] <= limit).all()
    assert not a.duplicated(["volunteer", "date"]).any(), "double booking"
    assert (a.groupby("commune").size() <= per_com).all()
    assert (a.groupby(["commune", "date"]).size() <= per_day).all()
    assert a["date"].isin(dates).all() and (a["weekday"] < 5).all()
    assert (deficits.reindex(a["commune"]).to_numpy() > 0).all()
    assert rota.consultations_covered <= rota.deficit + 1e-6


def test_rota_prefers_the_nearer_volunteer_and_covers_the_deficit():
    vols = pd.DataFrame({"origin": ["near", "far"]}, index=["a", "b"])
    cost = pd.DataFrame({"origin": ["near", "far"], "dest": ["x", "x"], "minutes": [10.0, 40.0]})
    rota = plan_rota(vols, pd.Series({"x": 50.0}), cost, month_days(2026, 3), per_day=25, max_minutes=45)
    assert set(rota.assignments["volunteer"]) == {"a"} and len(rota.assignments) == 2
    assert rota.consultations_covered == pytest.approx(50.0)
    d = sorted(rota.assignments["date"])
    assert (d[1] - d[0]).days >= 7, "days are spread over the month"


def test_calendar():
    assert easter_sunday(2026) == dt.date(2026, 4, 5) and easter_sunday(2024) == dt.date(2024, 3, 31)
    days = month_days(2026, 5, holidays={dt.date(2026, 5, 1), dt.date(2026, 5, 8)})
    assert dt.date(2026, 5, 1) not in days and all(d.weekday() < 5 for d in days)
    with pytest.raises(ParameterError):
        month_days(2026, 13)
    with pytest.raises(ParameterError):
        plan_rota(pd.DataFrame({"origin": []}), pd.Series(dtype=float), pd.DataFrame(), [], per_day=25,
                  max_minutes=30)


def test_negative_options_are_refused():
    with pytest.raises(ParameterError):
        plan_rota(pd.DataFrame({"origin": ["o"]}, index=["v"]), pd.Series({"c": 10.0}),
                  pd.DataFrame({"origin": ["o"], "dest": ["c"], "minutes": [5.0]}), month_days(2026, 3),
                  per_day=0, max_minutes=30)
    assert np.isfinite(25.0)
