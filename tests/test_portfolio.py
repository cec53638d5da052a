"""Tests for frictionkit.portfolio: golden knapsack instances, hand-solved rules, brute force."""

from __future__ import annotations

import itertools
import math
from typing import Any
from unittest.mock import patch

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import frictionkit as fk
from frictionkit.exceptions import (
    CycleError,
    FrictionkitError,
    InfeasibleError,
    InputTypeError,
    MissingColumnError,
    UnknownReferenceError,
    ValidationError,
)
from frictionkit.portfolio import Plan, _solve, frontier, optimise_portfolio


def table(
    values, costs, *, effort=None, owner="team", requires=None, excludes=None, mandatory=None
):
    n = len(values)
    ids = [f"i{k}" for k in range(n)]
    return pd.DataFrame(
        {
            "id": ids,
            "title": [f"item {k}" for k in range(n)],
            "owner": owner if isinstance(owner, str) else list(owner),
            "cost": [float(c) for c in costs],
            "effort_days": [0.0] * n if effort is None else [float(e) for e in effort],
            "impact": [float(v) for v in values],
            "requires": [[] for _ in ids] if requires is None else requires,
            "excludes": [[] for _ in ids] if excludes is None else excludes,
            "mandatory": [False] * n if mandatory is None else mandatory,
        }
    )


# ---------------------------------------------------------------------------------------
# golden cases from published knapsack instances


def test_greedy_is_not_optimal_clrs():
    # Cormen, Leiserson, Rivest, Stein, Introduction to Algorithms (3rd ed.), section 16.2,
    # figure 16.2: values 60/100/120, weights 10/20/30, capacity 50. Greedy by value per
    # weight takes items 1 and 2 (160); the optimum takes items 2 and 3 (220).
    items = table([60, 100, 120], [10, 20, 30])
    plan = optimise_portfolio(items, budget=50)
    assert plan.status == "optimal"
    assert plan.value == 220
    assert plan.selected == ("i1", "i2")
    f = frontier(items, max_points=None)
    row = f[f["cost"] == 50].iloc[0]
    assert row["value"] == 220
    assert row["greedy_value"] == 160
    assert row["greedy_loss"] == 60


# John Burkardt, KNAPSACK_01 data sets (Florida State University), problems P01 and P02:
# capacity, weights, profits and the published optimal selection.
BURKARDT = [
    (
        165,
        [23, 31, 29, 44, 53, 38, 63, 85, 89, 82],
        [92, 57, 49, 68, 60, 43, 67, 84, 87, 72],
        [1, 1, 1, 1, 0, 1, 0, 0, 0, 0],
    ),
    (26, [12, 7, 11, 8, 9], [24, 13, 23, 15, 16], [0, 1, 1, 1, 0]),
]


@pytest.mark.parametrize(("capacity", "weights", "profits", "best"), BURKARDT)
def test_burkardt_knapsack_01(capacity, weights, profits, best):
    plan = optimise_portfolio(table(profits, weights), budget=capacity)
    chosen = [int(f"i{k}" in plan.selected) for k in range(len(weights))]
    assert chosen == best
    assert plan.value == sum(p for p, b in zip(profits, best, strict=True) if b)


# Rosetta Code, "Knapsack problem/0-1" (the tourist's knapsack): 22 items, 400 dag;
# published optimum: value 1030 at weight 396.
ROSETTA = [
    ("map", 9, 150), ("compass", 13, 35), ("water", 153, 200), ("sandwich", 50, 160),
    ("glucose", 15, 60), ("tin", 68, 45), ("banana", 27, 60), ("apple", 39, 40),
    ("cheese", 23, 30), ("beer", 52, 10), ("suntan cream", 11, 70), ("camera", 32, 30),
    ("T-shirt", 24, 15), ("trousers", 48, 10), ("umbrella", 73, 40),
    ("waterproof trousers", 42, 70), ("waterproof overclothes", 43, 75),
    ("note-case", 22, 80), ("sunglasses", 7, 20), ("towel", 18, 12), ("socks", 4, 50),
    ("book", 30, 10),
]  # fmt: skip


def test_rosetta_tourist_knapsack():
    frame = pd.DataFrame(
        {
            "id": [r[0] for r in ROSETTA],
            "owner": "me",
            "cost": [float(r[1]) for r in ROSETTA],
            "effort_days": 0.0,
            "impact": [float(r[2]) for r in ROSETTA],
        }
    )
    plan = optimise_portfolio(frame, budget=400)
    assert plan.value == 1030
    assert plan.cost == 396
    assert "water" in plan.selected
    assert "sandwich" in plan.selected
    f = frontier(frame, max_points=None)
    assert f.loc[f["cost"] <= 400, "value"].max() == 1030


# ---------------------------------------------------------------------------------------
# hand-solved rules


def test_requires_pulls_in_prerequisite():
    # b alone is worth 10 (cost 5); a (worth 30, cost 5) requires b: budget 10 takes both.
    items = table([30, 10, 25], [5, 5, 10], requires=[["i1"], [], []])
    plan = optimise_portfolio(items, budget=10)
    assert plan.selected == ("i0", "i1")
    assert plan.value == 40
    # budget 9: a cannot go in without b, so the best is c alone? c costs 10: no. b: 10.
    plan = optimise_portfolio(items, budget=9)
    assert plan.selected == ("i1",)
    assert "requires 'i1'" in plan.why_not("i0") or "does not fit" in plan.why_not("i0")


def test_excludes_keeps_the_better_alternative():
    items = table([50, 90, 10], [10, 10, 1], excludes=[["i1"], [], []])
    plan = optimise_portfolio(items, budget=100)
    assert plan.selected == ("i1", "i2")
    assert plan.why_not("i0") == (
        "'i0' is out: it excludes 'i1', which is in the plan (value 90 vs 50)."
    )


def test_why_not_reads_amounts_as_people_do():
    # whole units from 100 up (estimated values carry meaningless decimals), else 3 digits
    items = table([89_895.4, 149_826.2, 0.7346], [10, 10, 1], excludes=[["i1"], [], []])
    plan = optimise_portfolio(items, budget=100)
    assert plan.why_not("i0") == (
        "'i0' is out: it excludes 'i1', which is in the plan (value 149,826 vs 89,895)."
    )
    assert "value=149,827," in repr(plan)


def test_why_not_names_improvements_and_owners_by_their_labels():
    titles = {"i0": "Live chat", "i1": "Callback, same day", "i2": "FAQ"}
    # i3 (worth 8) displaces i1 and i2 (4 + 5) of owner a when forced in
    items = table([1, 4, 5, 8], [1, 1, 1, 1], effort=[1, 2, 2, 5], owner=["b", "a", "a", "a"])
    plan = optimise_portfolio(items, capacity={"a": 5, "b": 1})
    assert plan.selected == ("i0", "i1", "i2")
    plain = plan.why_not("i3")
    assert "'i1', 'i2' worth 9" in plain
    assert "days of 'a'" in plain
    named = plan.why_not("i3", improvement_labels=titles, owner_labels={"a": "Service desk"})
    assert named == plain.replace("'i1', 'i2'", "Callback, same day (i1) and FAQ (i2)").replace(
        "days of 'a'", "days of Service desk"
    )
    assert named.startswith("'i3' is out")  # no label: the quoted id
    assert plan.why_not("i0", improvement_labels=titles).startswith("Live chat (i0) is in the plan")
    # explain passes them on, row by row
    reasons = plan.explain(improvement_labels=titles, owner_labels={"a": "Service desk"})
    assert reasons.set_index("id").loc["i3", "reason"] == named
    # an overflow even with only the must-dos names the owner by label too
    must = table([1, 9], [1, 1], effort=[1, 9], owner=["a", "a"])
    over = optimise_portfolio(must, capacity={"a": 5}).why_not("i1", owner_labels={"a": "IT"})
    assert "days of IT, more than its capacity" in over
    excl = table([50, 90], [10, 10], excludes=[["i1"], []])
    assert optimise_portfolio(excl).why_not("i0", improvement_labels={"i1": "Guided selling"}) == (
        "'i0' is out: it excludes Guided selling (i1), which is in the plan (value 90 vs 50)."
    )


@pytest.mark.parametrize("bad", [["a"], {"a": 1}, {1: "a"}, "a"])
def test_why_not_labels_must_map_ids_to_text(bad):
    plan = optimise_portfolio(table([1, 2], [1, 1]), budget=1)
    for kw in ("improvement_labels", "owner_labels"):
        with pytest.raises(InputTypeError, match=kw):
            plan.why_not("i0", **{kw: bad})


def test_exclusive_group_of_three():
    items = table([5, 6, 7, 1], [1, 1, 1, 1], excludes=[["i1", "i2"], ["i2"], [], []])
    plan = optimise_portfolio(items)
    assert plan.selected == ("i2", "i3")


def test_mandatory_item_is_in_even_with_no_value():
    items = table([100, 0, 50], [60, 30, 10], mandatory=[False, True, False])
    plan = optimise_portfolio(items, budget=80)
    assert plan.selected == ("i1", "i2")  # 100 would need 90 with the must-do
    assert "mandatory" in plan.why_not("i1")


def test_owner_capacity_binds():
    items = table([10, 8, 10], [1, 1, 1], effort=[5, 5, 5], owner=["a", "a", "b"])
    plan = optimise_portfolio(items, capacity={"a": 6, "b": 5})
    assert plan.selected == ("i0", "i2")
    cons = plan.constraints().set_index("constraint")
    assert cons.loc["capacity[a]", "binding"]
    assert not cons.loc["capacity[b]", "binding"]
    assert plan.marginal_value("a", 4) == 8
    assert plan.marginal_value("b", 100) == 0
    assert "days of 'a'" in plan.why_not("i1")


def test_tie_break_prefers_lower_cost_then_input_order():
    # Two plans worth 10: {i0} costs 5, {i1} costs 4 -> i1. Then equal cost: input order.
    assert optimise_portfolio(table([10, 10], [5, 4]), budget=5).selected == ("i1",)
    assert optimise_portfolio(table([10, 10], [4, 4]), budget=5).selected == ("i0",)
    assert optimise_portfolio(table([10, 10, 10], [4, 4, 4]), budget=9).selected == ("i0", "i1")


def test_all_zero_values_give_mandatory_only():
    items = table([0, 0, 0], [1, 0, 2], mandatory=[False, False, True])
    plan = optimise_portfolio(items, budget=10)
    assert plan.selected == ("i2",)
    assert "no value" in plan.why_not("i1")


def test_non_integer_costs():
    items = table([3, 4, 5], [0.3, 0.45, 0.7])
    plan = optimise_portfolio(items, budget=0.75)
    assert plan.selected == ("i0", "i1")
    assert plan.cost == pytest.approx(0.75)
    f = frontier(items, max_points=None)
    assert f["cost"].tolist() == pytest.approx([0.0, 0.3, 0.45, 0.7, 0.75, 1.0, 1.15, 1.45])
    assert f["value"].tolist() == [0, 3, 4, 5, 7, 8, 9, 12]


def test_next_budget_step_and_marginals():
    items = table([60, 100, 120], [10, 20, 30])
    plan = optimise_portfolio(items, budget=35)
    assert plan.value == 160
    step = plan.next_budget_step()
    assert step is not None
    assert (step.budget, step.extra_budget, step.value_gain) == (40, 5, 20)
    assert step.entering == ("i2",)
    assert step.leaving == ("i1",)
    assert plan.marginal_value("budget", 5) == 20
    assert plan.marginal_value("budget", 1) == 0
    full = optimise_portfolio(items, budget=60)
    assert full.next_budget_step() is None


def test_autoparts_plan_is_explained():
    j = fk.datasets.load_autoparts()
    plan = optimise_portfolio(j, budget=60_000)
    assert isinstance(plan, Plan)
    assert plan.status == "optimal"
    assert "consent_management" in plan.selected
    assert plan.cost <= 60_000
    for owner, days in plan.capacity.items():
        assert plan.effort_days[owner] <= days
    reasons = plan.explain()
    assert reasons["reason"].str.len().gt(20).all()
    out = reasons[~reasons["selected"]]
    assert out["reason"].str.contains(" is out: ").all()
    html = plan._repr_html_()
    assert ("<table>" in html and "&#x27;" in html) or "&quot;" in html or "Plan(" in html
    frame = plan.to_frame()
    assert list(frame.columns) == [
        "id",
        "title",
        "owner",
        "selected",
        "mandatory",
        "value",
        "cost",
        "effort_days",
    ]
    assert len(repr(plan)) < 200


def test_html_is_escaped():
    items = table([1, 2], [1, 1])
    items.loc[0, "title"] = "<script>alert(1)</script>"
    html = optimise_portfolio(items)._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_objective_column_and_mapping():
    items = table([1, 2, 3], [1, 1, 1])
    items["score"] = [3.0, 2.0, 1.0]
    assert optimise_portfolio(items, budget=1, objective="score").selected == ("i0",)
    scores = pd.Series({"i0": 0.0, "i1": 5.0, "i2": 1.0}, name="rice")
    plan = optimise_portfolio(items, budget=1, objective=scores)
    assert plan.selected == ("i1",)
    assert plan.objective == "rice"
    assert optimise_portfolio(items, budget=1, objective={"i0": 1, "i1": 0, "i2": 0}).selected == (
        "i0",
    )


def test_input_is_not_mutated():
    items = table([60, 100, 120], [10, 20, 30], requires=[[], ["i0"], []])
    before = items.copy(deep=True)
    optimise_portfolio(items, budget=50)
    frontier(items)
    pd.testing.assert_frame_equal(items, before)


def test_deterministic():
    items = table([5, 5, 5, 5], [2, 2, 2, 2])
    a = optimise_portfolio(items, budget=4)
    b = optimise_portfolio(items, budget=4)
    assert a.selected == b.selected == ("i0", "i1")


def test_frontier_thinning_and_knee():
    rng = np.random.default_rng(3)
    items = table(rng.integers(1, 50, 40), rng.integers(1, 30, 40))
    full = frontier(items, max_points=None)
    thin = frontier(items, max_points=50)
    assert len(full) > 50 >= len(thin)
    assert thin["knee"].sum() == 1
    assert full["knee"].sum() == 1
    assert full.loc[full["knee"], "cost"].item() == thin.loc[thin["knee"], "cost"].item()
    # every thinned row is an exact step of the full frontier
    merged = thin.merge(full, on="cost", suffixes=("", "_full"))
    assert len(merged) == len(thin)
    assert (merged["value"] == merged["value_full"]).all()
    assert (full["value"].diff().dropna() > 0).all()
    assert (full["greedy_value"] <= full["value"] + 1e-9).all()


def test_frontier_of_a_plan_is_that_of_its_own_problem():
    """A plan's frontier uses the improvements, values, capacities and rules the plan was
    solved with, whatever it was made from; its budget does not cap the curve."""
    items = table(
        [60, 100, 120, 40],
        [10, 20, 30, 5],
        effort=[4, 6, 9, 2],
        owner=["a", "a", "b", "contractor"],
        requires=[[], ["i0"], [], []],
        excludes=[[], [], ["i3"], ["i2"]],
    )
    days = {"a": 8, "b": 10, "contractor": 3}
    plan = optimise_portfolio(items, budget=25, capacity=days, objective="impact")
    own = frontier(plan, max_points=None)
    pd.testing.assert_frame_equal(
        own, frontier(items, capacity=days, objective="impact", max_points=None)
    )
    assert own["cost"].max() > 25
    # the plan's value is the frontier's at the plan's budget
    assert own.loc[own["cost"] <= 25, "value"].max() == plan.value
    pd.testing.assert_frame_equal(
        frontier(plan, capacity={}, max_points=None),
        frontier(items, capacity={}, objective="impact", max_points=None),
    )
    with pytest.raises(UnknownReferenceError, match="capacity names unknown owner 'c'"):
        frontier(plan, capacity={"a": 1, "b": 1, "contractor": 1, "c": 1})
    with pytest.raises(ValidationError, match="frontier of a plan maximises what the plan did"):
        frontier(plan, objective="rice")


# ---------------------------------------------------------------------------------------
# brute force over all subsets


def brute(values, costs, effort, owners, cap, budget, requires, excludes, mandatory):
    n = len(values)
    masks = np.array(list(itertools.product([False, True], repeat=n)), dtype=bool).reshape(-1, n)
    ok = masks[:, mandatory].all(axis=1) if any(mandatory) else np.ones(len(masks), bool)
    for a in range(n):
        for b in requires[a]:
            ok &= ~masks[:, a] | masks[:, b]
        for b in excludes[a]:
            ok &= ~(masks[:, a] & masks[:, b])
    for o, days in cap.items():
        per = np.array([e if w == o else 0.0 for e, w in zip(effort, owners, strict=True)])
        ok &= masks @ per <= days + 1e-9
    cost = masks @ np.asarray(costs, float)
    value = masks @ np.asarray(values, float)
    if budget is not None:
        return ok & (cost <= budget + 1e-9), value, cost, masks
    return ok, value, cost, masks


@st.composite
def instances(draw, *, integer_costs=False):
    n = draw(st.integers(1, 8))
    if integer_costs:
        costs = draw(st.lists(st.integers(0, 20), min_size=n, max_size=n))
    else:
        costs = draw(
            st.lists(
                st.floats(0, 20, allow_nan=False).map(lambda x: round(x, 3)), min_size=n, max_size=n
            )
        )
    values = draw(st.lists(st.integers(0, 40), min_size=n, max_size=n))
    effort = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
    owners = draw(st.lists(st.sampled_from(["a", "b"]), min_size=n, max_size=n))
    requires = [
        sorted(set(draw(st.lists(st.integers(0, k - 1), max_size=2)))) if k else []
        for k in range(n)
    ]
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3))
    excludes = [[] for _ in range(n)]
    for a, b in pairs:
        if (
            a != b
            and b not in requires[a]
            and a not in requires[b]
            and b not in excludes[a]
            and a not in excludes[b]
        ):
            excludes[a].append(b)
    mandatory = draw(
        st.lists(st.booleans(), min_size=n, max_size=n).map(
            lambda m: [x and (i % 3 == 0) for i, x in enumerate(m)]
        )
    )
    budget = draw(st.one_of(st.none(), st.integers(0, 60)))
    cap = draw(
        st.one_of(
            st.just({}), st.fixed_dictionaries({"a": st.integers(0, 15), "b": st.integers(0, 15)})
        )
    )
    return values, costs, effort, owners, cap, budget, requires, excludes, mandatory


def used_caps(cap, owners):
    return {o: d for o, d in cap.items() if o in owners}


def frame_of(values, costs, effort, owners, requires, excludes, mandatory):
    return table(
        values,
        costs,
        effort=effort,
        owner=owners,
        requires=[[f"i{b}" for b in r] for r in requires],
        excludes=[[f"i{b}" for b in e] for e in excludes],
        mandatory=mandatory,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_optimum_equals_brute_force(inst):
    values, costs, effort, owners, cap, budget, requires, excludes, mandatory = inst
    cap = used_caps(cap, owners)
    items = frame_of(values, costs, effort, owners, requires, excludes, mandatory)
    ok, value, cost, masks = brute(
        values, costs, effort, owners, cap, budget, requires, excludes, mandatory
    )
    conflicts: tuple[str, ...] = ()
    plan = None
    try:
        plan = optimise_portfolio(items, budget=budget, capacity=cap)
        # the same problem through the MILP path (small problems are enumerated)
        with patch.object(_solve, "_ENUM_MAX", 0):
            milp_plan = optimise_portfolio(items, budget=budget, capacity=cap)
        assert milp_plan.value == pytest.approx(plan.value, rel=1e-9, abs=1e-9)
        assert milp_plan.cost == pytest.approx(plan.cost, rel=1e-9, abs=1e-9)
    except InfeasibleError as err:
        conflicts = err.conflicts
    except ValidationError:
        assume(False)  # an item needing two exclusive items: rejected like in a Journey
    if plan is None:  # infeasible exactly when brute force finds no plan; conflict named
        assert not ok.any()
        assert conflicts
        return
    assert ok.any()
    best = value[ok].max()
    assert plan.value == pytest.approx(best, rel=1e-9, abs=1e-9)
    chosen = np.array([f"i{k}" in plan.selected for k in range(len(values))])
    row = np.flatnonzero((masks == chosen).all(axis=1))[0]
    assert ok[row]
    # tie-break: no optimal plan is cheaper
    assert plan.cost <= cost[ok & (value >= best - 1e-9)].min() + 1e-9


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(integer_costs=True), st.booleans())
def test_frontier_equals_brute_force(inst, float_costs):
    values, costs, effort, owners, cap, _, requires, excludes, mandatory = inst
    cap = used_caps(cap, owners)
    if float_costs:
        costs = [c + 0.001 * k for k, c in enumerate(costs)]
    items = frame_of(values, costs, effort, owners, requires, excludes, mandatory)
    ok, value, cost, _ = brute(
        values, costs, effort, owners, cap, None, requires, excludes, mandatory
    )
    try:
        f = frontier(items, capacity=cap, max_points=None)
    except ValidationError:
        assume(False)
        return
    assert ok.any()
    for b in [*sorted(set(cost[ok].tolist())), max(cost) + 1.0]:
        expected = value[ok & (cost <= b + 1e-9)].max() if (ok & (cost <= b + 1e-9)).any() else None
        shown = f.loc[f["cost"] <= b + 1e-9, "value"]
        if expected is None:
            assert shown.empty
        else:
            assert shown.max() == pytest.approx(expected, abs=1e-9)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.sampled_from([1.0, 0.01, 0.37]))
def test_frontier_by_enumeration_equals_the_milp_walk(inst, unit):
    """Small problems walk the frontier by checking every subset: the MILPs' steps."""
    values, costs, effort, owners, cap, _, requires, excludes, mandatory = inst
    cap = used_caps(cap, owners)
    values = [v * unit for v in values]  # whole numbers, cents, or neither
    items = frame_of(values, costs, effort, owners, requires, excludes, mandatory)
    try:
        fast = frontier(items, capacity=cap, max_points=None)
    except ValidationError:
        assume(False)
        return
    with patch.object(_solve, "_ENUM_MAX", 0):
        slow = frontier(items, capacity=cap, max_points=None)
    assert len(fast) == len(slow)
    for col in ("cost", "value", "greedy_value"):
        np.testing.assert_allclose(fast[col], slow[col], rtol=1e-9, atol=1e-9)
    assert fast["knee"].tolist() == slow["knee"].tolist()


# ---------------------------------------------------------------------------------------
# infeasible and bad input


def test_mandatory_over_budget_names_it():
    items = table([1, 1, 1], [50, 60, 5], mandatory=[True, True, False])
    with pytest.raises(InfeasibleError) as info:
        optimise_portfolio(items, budget=100)
    assert "budget" in info.value.conflicts
    assert {"mandatory[i0]", "mandatory[i1]"} <= set(info.value.conflicts)
    assert "'i0', 'i1' must be done" in str(info.value)


def test_irreducible_conflict_drops_innocent_mandatory():
    # i2 is mandatory but cheap: the conflict is i0 alone (cost 120 > 100).
    items = table([1, 1, 1], [120, 60, 5], mandatory=[True, False, True])
    with pytest.raises(InfeasibleError) as info:
        optimise_portfolio(items, budget=100)
    assert "mandatory[i2]" not in info.value.conflicts
    assert "mandatory[i0]" in info.value.conflicts


def test_mandatory_over_capacity_names_owner_and_prerequisite():
    items = table(
        [1, 1],
        [0, 0],
        effort=[3, 4],
        owner=["a", "a"],
        requires=[["i1"], []],
        mandatory=[True, False],
    )
    with pytest.raises(InfeasibleError) as info:
        optimise_portfolio(items, capacity={"a": 5})
    assert "capacity[a]" in info.value.conflicts
    assert "requires[i0->i1]" in info.value.conflicts
    assert "'a'" in str(info.value)


def test_mandatory_share_rule():
    items = table([1, 1], [70, 10], mandatory=[True, False])
    optimise_portfolio(items, budget=100, max_mandatory_share=0.8)
    with pytest.raises(InfeasibleError, match="share"):
        optimise_portfolio(items, budget=100, max_mandatory_share=0.6)


def test_cycle_is_shown():
    items = table([1, 1, 1], [1, 1, 1], requires=[["i1"], ["i2"], ["i0"]])
    with pytest.raises(CycleError) as info:
        optimise_portfolio(items)
    assert info.value.cycle == ("i0", "i1", "i2", "i0")
    assert "i0 -> i1 -> i2 -> i0" in str(info.value)


def test_excludes_with_a_required_pair():
    items = table([1, 1, 1], [1, 1, 1], requires=[["i1", "i2"], [], []], excludes=[[], ["i2"], []])
    with pytest.raises(ValidationError, match="can never be done"):
        optimise_portfolio(items)
    items = table([1, 1], [1, 1], requires=[["i1"], []], excludes=[["i1"], []])
    with pytest.raises(ValidationError, match="both requires and excludes"):
        optimise_portfolio(items)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"budget": -1}, ValidationError, "budget must be >= 0"),
        ({"budget": float("nan")}, ValidationError, "budget"),
        ({"budget": "10"}, InputTypeError, "budget must be a number"),
        ({"capacity": {"team": -2}}, ValidationError, ">= 0 days"),
        ({"capacity": {"tem": 2}}, UnknownReferenceError, "did you mean 'team'"),
        ({"objective": "impcat"}, MissingColumnError, "did you mean 'impact'"),
        ({"objective": {"i9": 1}}, UnknownReferenceError, "unknown improvement"),
        ({"time_limit_s": 0}, ValidationError, "time_limit_s"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        optimise_portfolio(table([1, 2], [1, 1]), **kwargs)


def test_owner_without_capacity_is_named():
    items = table([1, 2], [1, 1], effort=[1, 1], owner=["a", "b"])
    with pytest.raises(ValidationError, match="owner 'b' has no capacity"):
        optimise_portfolio(items, capacity={"a": 3})
    # float("inf") marks an unlimited owner
    assert optimise_portfolio(items, capacity={"a": 0, "b": math.inf}).selected == ("i1",)


def test_bad_tables():
    base = table([1, 2], [1, 1])
    with pytest.raises(FrictionkitError, match="cost"):
        optimise_portfolio(base.assign(cost=[1.0, np.nan]))
    with pytest.raises(FrictionkitError, match="missing"):
        optimise_portfolio(base.assign(impact=[1.0, np.nan]))
    with pytest.raises(FrictionkitError, match=">= 0"):
        optimise_portfolio(base.assign(effort_days=[1.0, -1.0]))
    with pytest.raises(FrictionkitError, match="numbers"):
        optimise_portfolio(base.assign(cost=["x", 1.0]))
    with pytest.raises(MissingColumnError, match="effort_days"):
        optimise_portfolio(base.drop(columns="effort_days"))
    with pytest.raises(UnknownReferenceError, match="did you mean 'i1'"):
        optimise_portfolio(base.assign(requires=[["i11"], []]))
    with pytest.raises(FrictionkitError, match="share the id"):
        optimise_portfolio(base.assign(id=["x", "x"]))
    with pytest.raises(InputTypeError):
        optimise_portfolio([1, 2, 3])  # type: ignore[arg-type]
    # a missing value is fine for a mandatory item (counts as 0)
    ok = base.assign(impact=[np.nan, 2.0], mandatory=[True, False])
    assert optimise_portfolio(ok).selected == ("i0", "i1")


def test_why_not_unknown_id():
    plan = optimise_portfolio(table([1, 2], [1, 1]))
    with pytest.raises(UnknownReferenceError, match="did you mean 'i1'"):
        plan.why_not("i11")
    with pytest.raises(UnknownReferenceError):
        plan.marginal_value("nobody")


def test_large_budget_only_matches_dynamic_programming():
    # 60+ items take the reduced path (variables fixed by the LP bound): the optimum must
    # still equal the textbook dynamic programme over every whole budget unit.
    rng = np.random.default_rng(5)
    for _ in range(5):
        n = 70
        c = rng.integers(1, 30, n)
        v = rng.integers(0, 50, n)
        budget = int(c.sum() * rng.uniform(0.1, 0.6))
        best = np.zeros(budget + 1)
        for ci, vi in zip(c, v, strict=True):
            best[ci:] = np.maximum(best[ci:], best[:-ci] + vi)
        plan = optimise_portfolio(table(v, c), budget=budget)
        assert plan.value == best[budget]
        assert plan.cost <= budget


# ---------------------------------------------------------------------------------------
# budget-only problems: exact knapsack path (fixing + dynamic programming)


def lexicographic_key(values, costs, selected):
    """(-value, cost, sum of 1-based positions): the documented tie-break order."""
    x = np.array([f"i{k}" in selected for k in range(len(values))])
    pos = np.arange(1, len(values) + 1)
    return (-np.dot(x, values), float(np.dot(x, costs)), int(pos[x].sum()))


def lexicographic_best(values, costs, budget, mandatory):
    """Brute force: the smallest key over all feasible subsets."""
    n = len(values)
    ok, _, _, masks = brute(
        values, costs, [0] * n, ["t"] * n, {}, budget, [[]] * n, [[]] * n, mandatory
    )
    keys = [
        lexicographic_key(values, costs, {f"i{k}" for k in np.flatnonzero(m)}) for m in masks[ok]
    ]
    return min(keys)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 10).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(0, 6), min_size=n, max_size=n),  # few values: many ties
            st.lists(st.integers(0, 6), min_size=n, max_size=n),
            st.integers(0, 25),
            st.lists(st.booleans(), min_size=n, max_size=n),
        )
    )
)
def test_budget_only_path_is_the_lexicographic_optimum(inst):
    # Plans equal on all three keys (e.g. positions 1 + 3 vs 4) may come back either way.
    values, costs, budget, mand = inst
    mandatory = [m and k % 4 == 0 for k, m in enumerate(mand)]
    if sum(c for c, m in zip(costs, mandatory, strict=True) if m) > budget:
        return  # infeasible: covered by the tests on conflicts
    items = table(values, costs, mandatory=mandatory)
    want = lexicographic_best(values, costs, budget, mandatory)
    plan = optimise_portfolio(items, budget=budget)  # enumeration
    assert lexicographic_key(values, costs, set(plan.selected)) == want
    with patch.object(_solve, "_ENUM_MAX", 0):  # fixing + dynamic programme
        plan = optimise_portfolio(items, budget=budget)
    assert lexicographic_key(values, costs, set(plan.selected)) == want


def test_budget_only_path_matches_the_milp_path(monkeypatch):
    # Whole numbers with ties: the dynamic programme and the three MILP solves
    # (value, then cost, then positions) must return the very same plan.
    rng = np.random.default_rng(11)
    plans = []
    for _ in range(4):
        n = 120
        c = rng.integers(1, 40, n)
        v = np.round(c * rng.uniform(0.8, 1.2, n))
        budget = int(c.sum() * 0.3)
        plans.append((table(v, c), budget))
    fast = [optimise_portfolio(t, budget=b).selected for t, b in plans]
    monkeypatch.setattr(_solve, "_budget_only", lambda p: False)
    slow = [optimise_portfolio(t, budget=b).selected for t, b in plans]
    assert fast == slow


def test_tie_break_fixing_keeps_the_same_plan(monkeypatch):
    # With capacities and rules, the tie-break solves run on a problem where the variables
    # that no optimal plan can flip are fixed (Lagrangian bound). Small whole numbers make
    # many ties: the plan must equal the one found without the fixing.
    rng = np.random.default_rng(21)
    cases = []
    for _ in range(4):
        n = 40
        c = rng.integers(1, 9, n)
        v = rng.integers(0, 6, n)
        e = rng.integers(1, 4, n)
        owners = rng.choice(["a", "b"], n)
        req = [
            [f"i{int(rng.integers(0, k))}"] if k and rng.random() < 0.2 else [] for k in range(n)
        ]
        items = table(v, c, effort=e, owner=owners, requires=req)
        cases.append(
            (items, int(c.sum() * 0.3), {"a": int(e.sum() * 0.2), "b": int(e.sum() * 0.2)})
        )
    fixed = [optimise_portfolio(t, budget=b, capacity=cap).selected for t, b, cap in cases]
    monkeypatch.setattr(_solve, "_fix_for_ties", lambda p, lb, ub, best: (lb, ub))
    plain = [optimise_portfolio(t, budget=b, capacity=cap).selected for t, b, cap in cases]
    assert fixed == plain


# -- explanations are bounded and the solver is silent (issue 21) ---------------------


def _many(n: int) -> fk.Journey:
    import attrs

    rng = np.random.default_rng(7)
    j = fk.datasets.load_autoparts()
    owners = [o.id for o in j.owners]
    imps = tuple(
        fk.Improvement(
            id=f"imp{k}",
            title=f"Improvement {k}",
            owner=owners[k % len(owners)],
            effort_days=float(rng.integers(1, 10)),
            cost=float(rng.integers(1_000, 20_000)),
            impact=float(rng.integers(1_000, 100_000)),
        )
        for k in range(n)
    )
    return attrs.evolve(j, improvements=imps, pain_points=())


def test_explain_with_an_exact_limit_solves_at_most_that_many_times() -> None:
    plan = optimise_portfolio(_many(40), budget=100_000)
    out = [i for i in plan.to_frame()["id"] if i not in plan.selected]
    assert len(out) > 5
    import frictionkit.portfolio._plan as plan_module

    with patch.object(plan_module, "_solve", wraps=plan_module._solve) as spy:
        table = plan.explain(exact_limit=2)
    assert spy.call_count == 2
    reasons = table.set_index("id")["reason"]
    values = plan.to_frame().set_index("id")["value"]
    top = sorted(out, key=lambda i: (-values[i], out.index(i)))[:2]
    for i in top:  # the most valuable excluded: exact, as why_not says
        assert reasons[i] == plan.why_not(i)
        assert "forcing it in" in reasons[i] or "worth as much" in reasons[i]
    for i in out:
        assert reasons[i].startswith(f"{i!r} is out: ")
        if i not in top:
            assert reasons[i] == plan.why_not(i, exact=False)
            assert "forcing it in" not in reasons[i]


def test_quick_why_not_names_what_does_not_fit() -> None:
    plan = optimise_portfolio(fk.datasets.load_autoparts(), budget=60_000)
    assert plan.why_not("cad_library", exact=False) == (
        "'cad_library' is out: it does not fit what is left (needs 6,000 of budget, 1,500 is left)."
    )
    assert plan.why_not("sales_training", exact=False) == plan.why_not("sales_training")
    with pytest.raises(fk.ValidationError, match="exact_limit"):
        plan.explain(exact_limit=-1)


def test_the_solver_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    capfd.readouterr()
    plan = optimise_portfolio(_many(60), budget=150_000)
    plan.why_not(next(i for i in plan.to_frame()["id"] if i not in plan.selected))
    print("after")  # standard output works again once the solver is done
    captured = capfd.readouterr()
    assert captured.out == "after\n"
    assert "Highs" not in captured.err


def test_prioritise_budget_explains_without_one_solve_per_improvement(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from frictionkit import cli

    fk.save_journey(_many(40), tmp_path / "j.yaml")
    import frictionkit.portfolio._plan as plan_module

    with patch.object(plan_module, "_solve", wraps=plan_module._solve) as spy:
        assert cli.main(["prioritise", str(tmp_path / "j.yaml"), "--budget", "100000"]) == 0
    assert spy.call_count <= 1 + cli._EXACT_REASONS  # the plan, then the exact reasons
    out = capsys.readouterr().out
    assert out.count(" is out: ") > cli._EXACT_REASONS
