"""Tests for frictionkit.roadmap: dependencies, capacity per wave, priority, dates, bad input."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import frictionkit as fk
from frictionkit.exceptions import InputTypeError, UnknownReferenceError, ValidationError
from frictionkit.portfolio import optimise_portfolio
from frictionkit.roadmap import roadmap


def plan_of(values, effort, owners, requires=None):
    n = len(values)
    frame = pd.DataFrame(
        {
            "id": [f"i{k}" for k in range(n)],
            "owner": owners,
            "cost": [1.0] * n,
            "effort_days": [float(e) for e in effort],
            "impact": [float(v) for v in values],
            "requires": requires or [[] for _ in range(n)],
        }
    )
    return optimise_portfolio(frame)


def test_prerequisite_finishes_first():
    # i0 needs i1 (another owner); i1 takes 30 days at 20 a wave: waves 1-2, so i0 in 3.
    plan = plan_of([100, 1], [5, 30], ["a", "b"], requires=[["i1"], []])
    t = roadmap(plan, period_days=20).set_index("id")
    assert (t.loc["i1", "wave"], t.loc["i1", "end_wave"]) == (1, 2)
    assert t.loc["i0", "wave"] == 3
    assert t.loc["i0", "start"] == 40
    assert t.loc["i0", "end"] == 59


def test_capacity_per_period_and_quick_wins_first():
    # one owner, 10 days a wave; quick win (high value, low effort) goes first.
    plan = plan_of([10, 100, 50], [10, 2, 10], ["a", "a", "a"])
    t = roadmap(plan, period_days=10)
    assert t["id"].tolist()[0] == "i1"
    assert t.set_index("id").loc["i1", "quick_win"]
    assert t["end_wave"].max() == 3  # 22 days at 10 a wave


def test_waves_and_dates():
    plan = optimise_portfolio(fk.datasets.load_autoparts(), budget=60_000)
    t = roadmap(plan, start="2025-01-06", waves=3)
    assert set(t["id"]) == set(plan.selected)
    assert str(t["start"].min().date()) == "2025-01-06"
    assert (t["end"] >= t["start"]).all()
    assert all(d.weekday() < 5 for d in pd.concat([t["start"], t["end"]]))
    for _, r in t.iterrows():
        for req in r["requires"]:
            assert t.set_index("id").loc[req, "end_wave"] < r["wave"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 50), st.integers(0, 30), st.sampled_from(["a", "b"])),
        min_size=1,
        max_size=7,
    ),
    st.data(),
)
def test_schedule_respects_rules(items, data):
    n = len(items)
    requires = [
        sorted(set(data.draw(st.lists(st.integers(0, k - 1), max_size=2)))) if k else []
        for k in range(n)
    ]
    plan = plan_of(
        [v for v, _, _ in items],
        [e for _, e, _ in items],
        [o for _, _, o in items],
        requires=[[f"i{b}" for b in r] for r in requires],
    )
    t = roadmap(plan, period_days=10).set_index("id")
    assert len(t) == len(plan.selected)
    for k, reqs in enumerate(requires):
        if f"i{k}" in t.index:
            for b in reqs:
                assert t.loc[f"i{b}", "end_wave"] < t.loc[f"i{k}", "wave"]
    # the work of each owner fits its waves: total effort <= 10 days x waves used
    for _owner, grp in t.groupby("owner"):
        assert grp["effort_days"].sum() <= 10 * grp["end_wave"].max() + 1e-9


def test_bad_input():
    plan = plan_of([1], [1], ["a"])
    with pytest.raises(InputTypeError):
        roadmap("plan")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="period_days"):
        roadmap(plan, period_days=0)
    with pytest.raises(ValidationError, match="waves"):
        roadmap(plan, waves=0)
    with pytest.raises(UnknownReferenceError, match="did you mean 'a'"):
        roadmap(plan, capacity_per_period={"aa": 3})
    with pytest.raises(ValidationError, match="capacity_per_period"):
        roadmap(plan, capacity_per_period={"a": 0})
    with pytest.raises(ValidationError, match="start"):
        roadmap(plan, start="not a date")
