"""Tests for frictionkit.portfolio.robust_portfolio: brute force per draw, point estimates."""

from __future__ import annotations

import itertools
from unittest.mock import patch

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import frictionkit as fk
from frictionkit import Estimate
from frictionkit.exceptions import (
    InfeasibleError,
    InputTypeError,
    OptionalDependencyError,
    ValidationError,
)
from frictionkit.portfolio import (
    CLASSES,
    RobustPlan,
    _solve,
    optimise_portfolio,
    robust_portfolio,
)
from frictionkit.uncertainty import sample_estimates

# A small instance with every rule: two owners with capacities, a prerequisite, two
# alternatives, a must-do, and estimates of every kind on impact, cost and effort.
IDS = ["a", "b", "c", "d", "e", "f"]
OWNER = ["x", "x", "y", "y", "x", "y"]
IMPACT = [
    Estimate.range(40, 80),
    Estimate.three_point(20, 50, 90),
    60.0,
    Estimate.three_point(10, 30, 70, dist="triangular"),
    Estimate.range(25, 45),
    0.0,
]
COST = [Estimate.range(8, 14), 6.0, Estimate.three_point(5, 9, 16), 7.0, Estimate.range(3, 9), 2.0]
EFFORT = [4.0, Estimate.range(2, 6), 3.0, Estimate.range(1, 5), 2.0, 1.0]
REQUIRES = [[], ["a"], [], [], [], []]
EXCLUDES = [[], [], ["d"], [], [], []]
MANDATORY = [False, False, False, False, False, True]
BUDGET = 25.0
CAPACITY = {"x": 8.0, "y": 6.0}


def small_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": IDS,
            "title": [f"item {i}" for i in IDS],
            "owner": OWNER,
            "cost": COST,
            "effort_days": EFFORT,
            "impact": IMPACT,
            "requires": REQUIRES,
            "excludes": EXCLUDES,
            "mandatory": MANDATORY,
        }
    )


def lexicographic_optimum(value, cost, effort):
    """Brute force over all 2^6 subsets: most value, then least cost, then positions."""
    n = len(IDS)
    pos = {i: k for k, i in enumerate(IDS)}
    best = None
    for bits in itertools.product([0, 1], repeat=n):
        x = np.array(bits, dtype=bool)
        if not all(x[k] for k in range(n) if MANDATORY[k]):
            continue
        if any(x[k] and not x[pos[r]] for k in range(n) for r in REQUIRES[k]):
            continue
        if any(x[k] and x[pos[e]] for k in range(n) for e in EXCLUDES[k]):
            continue
        if cost[x].sum() > BUDGET:
            continue
        owners = np.array(OWNER)
        if any(effort[x & (owners == o)].sum() > d for o, d in CAPACITY.items()):
            continue
        key = (-value[x].sum(), cost[x].sum(), np.flatnonzero(x).sum())
        if best is None or key < best[0]:
            best = (key, x)
    return None if best is None else best[1]


@pytest.mark.parametrize("enum_max", [14, 0], ids=["enumeration", "milp"])
def test_every_draw_is_the_brute_force_optimum(enum_max):
    draws, seed = 40, 3
    with patch.object(_solve, "_ENUM_MAX", enum_max):
        r = robust_portfolio(
            small_frame(), budget=BUDGET, capacity=CAPACITY, draws=draws, seed=seed
        )
    # documented convention: one joint draw of [impact, cost, effort_days] per improvement
    rows = [[IMPACT[k], COST[k], EFFORT[k]] for k in range(len(IDS))]
    sample = sample_estimates(rows, draws, seed)
    plans = r.plans()
    want = np.zeros((draws, len(IDS)), dtype=bool)
    values = np.full(draws, np.nan)
    for d in range(draws):
        x = lexicographic_optimum(sample[d, :, 0], sample[d, :, 1], sample[d, :, 2])
        if x is not None:
            want[d] = x
            values[d] = sample[d, x, 0].sum()
    np.testing.assert_array_equal(plans[IDS].to_numpy(), want)
    np.testing.assert_allclose(plans["value"], values, rtol=1e-12)
    ok = ~np.isnan(values)
    assert r.infeasible_draws == int((~ok).sum())
    np.testing.assert_allclose(
        r.probability[IDS].to_numpy(), np.where(MANDATORY, 1, want[ok].mean(0))
    )
    assert r.value_p5 == pytest.approx(np.percentile(values[ok], 5))
    assert r.value_p95 == pytest.approx(np.percentile(values[ok], 95))
    assert r.value_mean == pytest.approx(values[ok].mean())
    # the plan of the mean estimates is the deterministic plan; check its share by hand
    mean_plan = optimise_portfolio(small_frame(), budget=BUDGET, capacity=CAPACITY)
    assert r.mean_plan == mean_plan.selected
    xm = np.isin(IDS, mean_plan.selected)
    owners = np.array(OWNER)
    fits = np.array(
        [
            sample[d, xm, 1].sum() <= BUDGET
            and all(sample[d, xm & (owners == o), 2].sum() <= c for o, c in CAPACITY.items())
            for d in range(draws)
        ]
    )
    optimal = fits & (sample[:, xm, 0].sum(axis=1) >= values - 1e-9)
    assert r.mean_plan_feasible_share == pytest.approx(fits[ok].mean())
    assert r.mean_plan_optimal_share == pytest.approx(optimal[ok].mean())
    # without the tie-break, every draw still has the proven optimal value
    with patch.object(_solve, "_ENUM_MAX", enum_max):
        quick = robust_portfolio(
            small_frame(), budget=BUDGET, capacity=CAPACITY, draws=draws, seed=seed, tie_break=False
        )
    np.testing.assert_allclose(quick.plans()["value"], values, rtol=1e-9)


def test_point_estimates_give_the_deterministic_plan():
    j = fk.datasets.load_autoparts()
    frame = j.to_frames()["improvements"].drop(
        columns=[c for c in j.to_frames()["improvements"].columns if c.endswith("_estimate")]
    )
    plan = optimise_portfolio(frame, budget=60_000, capacity={})
    r = robust_portfolio(frame, budget=60_000, capacity={}, draws=15, seed=0)
    assert set(r.probability.unique()) <= {0.0, 1.0}
    assert tuple(i for i in r.probability.index if r.probability[i] == 1) == plan.selected
    assert r.mean_plan == plan.selected
    assert r.mean_plan_optimal_share == 1.0
    assert r.value_p5 == r.value_p95 == r.value_mean == plan.value


@st.composite
def point_instances(draw):
    n = draw(st.integers(1, 7))
    values = draw(st.lists(st.integers(0, 30), min_size=n, max_size=n))
    costs = draw(st.lists(st.integers(0, 12), min_size=n, max_size=n))
    requires = [
        sorted(set(draw(st.lists(st.integers(0, k - 1), max_size=1)))) if k else []
        for k in range(n)
    ]
    budget = draw(st.integers(0, 40))
    return values, costs, requires, budget


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(point_instances(), st.integers(0, 2**32 - 1))
def test_point_estimates_property(inst, seed):
    # Plain numbers never vary: every draw is the deterministic plan, P in {0, 1}.
    values, costs, requires, budget = inst
    n = len(values)
    items = pd.DataFrame(
        {
            "id": [f"i{k}" for k in range(n)],
            "owner": "team",
            "cost": [float(c) for c in costs],
            "effort_days": 0.0,
            "impact": [float(v) for v in values],
            "requires": [[f"i{b}" for b in r] for r in requires],
        }
    )
    plan = optimise_portfolio(items, budget=budget)
    r = robust_portfolio(items, budget=budget, draws=3, seed=seed)
    chosen = r.probability.index[r.probability == 1].tolist()
    assert tuple(chosen) == plan.selected
    assert ((r.probability == 0) | (r.probability == 1)).all()


def test_deterministic_under_seed_and_journey_equals_frame():
    j = fk.datasets.load_autoparts()
    a = robust_portfolio(j, budget=50_000, draws=30, seed=11)
    b = robust_portfolio(j, budget=50_000, draws=30, seed=11)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    pd.testing.assert_frame_equal(a.plans(), b.plans())
    # the table form carries the estimates as '<name>_estimate' text: same draws
    frame = j.to_frames()["improvements"]
    c = robust_portfolio(frame, budget=50_000, draws=30, seed=11)
    pd.testing.assert_frame_equal(a.plans(), c.plans())
    d = robust_portfolio(j, budget=50_000, draws=30, seed=12)
    assert not a.plans().equals(d.plans())


def test_autoparts_classes_and_thresholds():
    j = fk.datasets.load_autoparts()
    r = robust_portfolio(j, budget=50_000, draws=40, seed=5)
    assert isinstance(r, RobustPlan)
    assert r.probability["consent_management"] == 1.0  # mandatory
    p, cls = r.probability, r.classes
    assert (cls[p >= 0.9] == CLASSES[0]).all()
    assert (cls[p <= 0.1] == CLASSES[2]).all()
    assert (cls[(p > 0.1) & (p < 0.9)] == CLASSES[1]).all()
    assert (cls == CLASSES[1]).any()  # this budget leaves real doubt
    wide = robust_portfolio(j, budget=50_000, draws=40, seed=5, always=1.0, never=0.0)
    assert (wide.probability == r.probability).all()
    assert (wide.classes == CLASSES[1]).sum() >= (cls == CLASSES[1]).sum()
    frame = r.to_frame()
    assert frame["probability"].is_monotonic_decreasing
    assert 0 <= r.mean_plan_optimal_share <= r.mean_plan_feasible_share <= 1
    assert r.value_p5 <= r.value_mean <= r.value_p95
    assert "RobustPlan(40 draws" in repr(r)


def test_draws_where_the_must_dos_do_not_fit_are_counted():
    items = pd.DataFrame(
        {
            "id": ["must", "opt"],
            "owner": "team",
            "cost": [Estimate.range(5, 15), 1.0],
            "effort_days": 0.0,
            "impact": [0.0, 10.0],
            "mandatory": [True, False],
        }
    )
    r = robust_portfolio(items, budget=10.5, draws=200, seed=1)
    assert 60 < r.infeasible_draws < 140  # cost > 10.5 with probability 0.45
    assert r.probability["must"] == 1.0
    assert 0 < r.probability["opt"] < 1  # fits only when the must-do costs <= 9.5


def test_html_is_escaped():
    items = pd.DataFrame(
        {
            "id": ["a"],
            "title": ["<b>x</b>"],
            "owner": "t",
            "cost": 1.0,
            "effort_days": 0.0,
            "impact": [Estimate.range(1, 2)],
        }
    )
    out = robust_portfolio(items, budget=5, draws=2, seed=0)._repr_html_()
    assert "<b>x</b>" not in out
    assert "&lt;b&gt;x&lt;/b&gt;" in out


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"draws": 0}, ValidationError, "draws must be >= 1"),
        ({"draws": 2.5}, InputTypeError, "whole number"),
        ({"always": 0.2, "never": 0.5}, ValidationError, "must be below always"),
        ({"always": 1.5}, ValidationError, r"always must be in \[0, 1\]"),
        ({"progress": "yes"}, InputTypeError, "progress"),
        ({"tie_break": 1}, InputTypeError, "tie_break"),
        ({"time_limit_s": 0}, ValidationError, "time_limit_s"),
        ({"budget": -1}, ValidationError, "budget must be >= 0"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        robust_portfolio(small_frame(), **{"budget": BUDGET, "draws": 3, **kwargs})


def test_bad_estimates_and_infeasible_means():
    frame = small_frame()
    frame.loc[0, "cost"] = Estimate.range(-2, 4)
    with pytest.raises(ValidationError, match="can be negative"):
        robust_portfolio(frame, budget=BUDGET, draws=3)
    with pytest.raises(InfeasibleError, match="no plan is possible"):
        robust_portfolio(small_frame(), budget=1.0, draws=3)


def test_progress_bar_or_install_hint():
    try:
        import tqdm  # noqa: F401
    except ImportError:
        with pytest.raises(OptionalDependencyError, match="frictionkit\\[progress\\]"):
            robust_portfolio(small_frame(), budget=BUDGET, draws=3, progress=True)
    else:  # the bar changes nothing in the result
        a = robust_portfolio(small_frame(), budget=BUDGET, draws=3, seed=1, progress=True)
        b = robust_portfolio(small_frame(), budget=BUDGET, draws=3, seed=1)
        pd.testing.assert_frame_equal(a.plans(), b.plans())
