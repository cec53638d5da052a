"""The exact value-vs-cost frontier beside the greedy ratio order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from frictionkit.exceptions import (
    ValidationError,
)
from frictionkit.model import Journey
from frictionkit.portfolio._inputs import (
    FloatArray,
    Objective,
    _load,
    _Problem,
    checked_capacity,
)
from frictionkit.portfolio._plan import Plan
from frictionkit.portfolio._solve import _cheapest_better, _diagnose, _greedy_select, _solve
from frictionkit.scoring import Ranking

# ---------------------------------------------------------------------------------------
# the frontier


def frontier(
    journey_or_improvements: Ranking | Journey | pd.DataFrame | Plan,
    *,
    capacity: Mapping[str, float] | None = None,
    objective: Objective = "value",
    max_points: int | None = 200,
    time_limit_s: float = 10.0,
) -> pd.DataFrame:
    """The exact best value at every budget, beside what the greedy ratio order reaches.

    Each row is a step of the frontier: ``cost`` is the smallest budget at which ``value``
    (the optimal value) is reached; at any budget ``B`` the best value is that of the last
    row with ``cost <= B``. All other constraints (capacity, requires, excludes,
    mandatory) hold at every point.

    How it is computed (all exact):

    - budget only, with mandatory items and exclusions that form disjoint groups: dynamic
      programming. When costs are whole numbers (or whole cents) and sum to at most 2e7
      units, over every budget unit; otherwise over the list of non-dominated
      ``(cost, value)`` pairs (Nemhauser-Ullmann), which needs no integer costs;
    - with capacities or ``requires``: a sequence of exact MILPs, each finding the cheapest
      plan worth more than the previous step, then the best plan at that cost. Such a
      frontier can have thousands of steps (two MILPs each); with ``max_points`` the walk
      stops after ``max_points`` steps and the steps in force at the evenly spaced
      budgets of the thinning are solved for directly (two MILPs each), so the work is
      bounded by about ``4 * max_points`` solves; every row is still an exact step, and
      the knee is then found among the rows computed.

    ``greedy_value`` is what funding in order of value per cost reaches at the same
    budget (must-dos first; then each improvement in ratio order, ties by input order,
    taken when it fits the money and staff left, its prerequisites are already in and no
    alternative is in). ``greedy_loss = value - greedy_value``.

    The knee is the row farthest above the straight line from the first to the last row,
    after scaling cost and value to [0, 1] (the difference curve of Satopaa et al., 2011,
    "Finding a 'Kneedle' in a haystack"). With more than ``max_points`` rows, the table
    is thinned to the steps in force at evenly spaced budgets, keeping the first, the last
    and the knee.

    Parameters
    ----------
    journey_or_improvements : Ranking, Journey, DataFrame or Plan
        As for :func:`optimise_portfolio`: a ranking gives its own impact, so the
        frontier and the plan of one ranking agree. A :class:`Plan` gives the frontier
        of the improvements, values, capacities and rules it was solved with (its
        budget aside), whatever it was made from.
    capacity : mapping owner id -> days, optional
        As for :func:`optimise_portfolio`; pass ``{}`` for a budget-only frontier of a
        journey whose owners have capacities. For a plan, ``None`` keeps its capacities.
    objective : "value", column name, mapping or Series, default "value"
        What to maximise. A plan's frontier maximises what the plan did (leave the
        default).
    max_points : int or None, default 200
        Thin to at most this many rows; ``None`` returns every step.
    time_limit_s : float, default 10.0
        Per-solve time limit on the MILP path.

    Returns
    -------
    DataFrame
        Columns ``cost, value, greedy_value, greedy_loss, knee``.

    Examples
    --------
    The textbook case where the greedy ratio order loses (values 60, 100, 120; weights 10,
    20, 30): at a budget of 50 the greedy order reaches 160, the optimum is 220.

    >>> import pandas as pd
    >>> items = pd.DataFrame({"id": ["a", "b", "c"], "owner": "team",
    ...                       "cost": [10.0, 20.0, 30.0], "effort_days": 0.0,
    ...                       "impact": [60.0, 100.0, 120.0]})
    >>> f = frontier(items)
    >>> f[["cost", "value", "greedy_value"]].to_numpy().tolist()
    [[0.0, 0.0, 0.0], [10.0, 60.0, 60.0], [20.0, 100.0, 60.0], [30.0, 160.0, 160.0], [40.0, 180.0, 160.0], [50.0, 220.0, 160.0], [60.0, 280.0, 280.0]]

    The frontier of a plan is that of its own figures, rules and staff limits, past its
    budget:

    >>> from frictionkit.portfolio import optimise_portfolio
    >>> plan = optimise_portfolio(items, budget=30)
    >>> frontier(plan)["value"].to_numpy().tolist()
    [0.0, 60.0, 100.0, 160.0, 180.0, 220.0, 280.0]
    """  # noqa: E501
    mp_any: Any = max_points
    if mp_any is not None and (
        isinstance(mp_any, bool) or not isinstance(mp_any, int) or mp_any < 3
    ):
        raise ValidationError(
            f"max_points must be an integer >= 3 or None, got {max_points!r}",
            field="max_points",
            value=max_points,
        )
    if isinstance(journey_or_improvements, Plan):
        p = _plan_problem(journey_or_improvements, objective, capacity)
    else:
        p = _load(journey_or_improvements, objective=objective, budget=None, capacity=capacity)
    err = _diagnose(p)
    if err is not None:
        raise err
    costs, values = (
        _frontier_dp(p) if _dp_applies(p) else _frontier_milp(p, time_limit_s, max_points)
    )
    knee = _knee(costs, values)
    keep = np.arange(len(costs))
    if max_points is not None and len(costs) > max_points:
        grid = np.linspace(costs[0], costs[-1], max_points - 1)
        idx = np.searchsorted(costs, grid, side="right") - 1
        keep = np.unique(np.concatenate([idx, [0, len(costs) - 1, knee]]))
    c, v = costs[keep], values[keep]
    greedy = _greedy_values(p, c)
    out = pd.DataFrame(
        {
            "cost": c,
            "value": v,
            "greedy_value": greedy,
            "greedy_loss": v - greedy,
            "knee": keep == knee,
        }
    )
    # the unit of cost and value, for charts and reports (value per period: the impact)
    out.attrs["currency"] = p.currency
    out.attrs["period"] = p.period if p.objective == "value" else None
    return out


def _plan_problem(
    plan: Plan, objective: Objective, capacity: Mapping[str, float] | None
) -> _Problem:
    """The problem ``plan`` was solved, without its budget (and with ``capacity``)."""
    if not (isinstance(objective, str) and objective == "value"):
        raise ValidationError(
            "the frontier of a plan maximises what the plan did "
            f"(objective {plan.objective!r}), got objective={objective!r}",
            field="objective",
            value=objective,
            hint="Leave objective at its default, or make the plan with this objective",
        )
    p: _Problem = plan._problem
    if capacity is None:
        return attrs.evolve(p, budget=None)
    known = [*p.owners, *p.capacity]
    return attrs.evolve(p, budget=None, capacity=checked_capacity(capacity, p.owners, known))


def _components(p: _Problem, pool: Sequence[int]) -> list[list[int]] | None:
    """Exclusion components among ``pool``; ``None`` when one is not a clique."""
    pool_set = set(pool)
    seen: set[int] = set()
    out: list[list[int]] = []
    for k in pool:
        if k in seen:
            continue
        comp = [k]
        seen.add(k)
        stack = [k]
        while stack:
            cur = stack.pop()
            for j in p.excludes[cur]:
                if j in pool_set and j not in seen:
                    seen.add(j)
                    comp.append(j)
                    stack.append(j)
        for a in comp:
            if len(p.excludes[a] & pool_set) != len(comp) - 1:
                return None
        out.append(sorted(comp))
    return out


def _dp_applies(p: _Problem) -> bool:
    if p.capacity or any(p.requires):
        return False
    return _components(p, range(p.n)) is not None


def _frontier_dp(p: _Problem) -> tuple[FloatArray, FloatArray]:
    must = sorted(p.must())
    must_set = set(must)
    banned = set().union(*(p.excludes[m] for m in must)) if must else set()
    pool = [k for k in range(p.n) if k not in must_set and k not in banned and p.value[k] > 0]
    comps = _components(p, pool)
    assert comps is not None
    base_c, base_v = float(p.cost[must].sum()), float(p.value[must].sum())
    costs = p.cost[pool] if pool else np.zeros(0)
    for scale in (1.0, 100.0):
        scaled = costs * scale
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1.0, scaled)):
            total = float(np.round(scaled).sum())
            if total <= 2e7:
                c, v = _dp_integer(p, comps, scale)
                return c + base_c, v + base_v
    c, v = _dp_pareto(p, comps)
    return c + base_c, v + base_v


def _dp_integer(p: _Problem, comps: list[list[int]], scale: float) -> tuple[FloatArray, FloatArray]:
    """Best value for every whole budget unit 0..W (0-1 and group knapsack)."""
    w = {k: round(float(p.cost[k]) * scale) for comp in comps for k in comp}
    total = sum(max(w[k] for k in comp) for comp in comps)
    best = np.zeros(total + 1)
    for comp in comps:
        old = best.copy() if len(comp) > 1 else best
        new = best if len(comp) == 1 else best.copy()
        for k in comp:
            wk, vk = w[k], float(p.value[k])
            if wk == 0:
                np.maximum(new, old + vk, out=new)
            else:
                np.maximum(new[wk:], old[:-wk] + vk, out=new[wk:])
        best = new
    steps = np.flatnonzero(np.diff(best) > 0) + 1
    idx = np.concatenate([[0], steps])
    return idx / scale, best[idx]


def _dp_pareto(p: _Problem, comps: list[list[int]]) -> tuple[FloatArray, FloatArray]:
    """Non-dominated (cost, value) pairs, merged item by item (Nemhauser-Ullmann)."""
    c_arr, v_arr = np.zeros(1), np.zeros(1)
    for comp in comps:
        cs = [c_arr] + [c_arr + p.cost[k] for k in comp]
        vs = [v_arr] + [v_arr + p.value[k] for k in comp]
        c_all, v_all = np.concatenate(cs), np.concatenate(vs)
        order = np.lexsort((-v_all, c_all))
        c_all, v_all = c_all[order], v_all[order]
        keep = np.empty(len(v_all), dtype=bool)
        keep[0] = True
        keep[1:] = v_all[1:] > np.maximum.accumulate(v_all)[:-1]
        c_arr, v_arr = c_all[keep], v_all[keep]
    return c_arr, v_arr


def _frontier_milp(
    p: _Problem, time_limit_s: float, max_steps: int | None = None
) -> tuple[FloatArray, FloatArray]:
    """Every step of the frontier, two exact MILPs per step.

    With ``max_steps``, the walk stops after that many steps (a frontier of 200
    improvements under capacities can have thousands) and the steps in force at
    ``max_steps - 1`` evenly spaced budgets from the first to the last step are found
    instead, two MILPs each: the same rows :func:`frontier` keeps when it thins.
    """
    must = sorted(p.must())
    budget = float(p.cost[must].sum())
    costs: list[float] = []
    values: list[float] = []
    while True:
        sol = _solve(p.with_limits(budget=budget), time_limit_s=time_limit_s, tie_break=False)
        assert sol is not None
        value = float(p.value[sol.x].sum())
        costs.append(budget)
        values.append(value)
        if max_steps is not None and len(costs) >= max_steps:
            return _frontier_grid(p, costs, values, max_steps, time_limit_s)
        x = _cheapest_better(p, sol.x, time_limit_s)
        if x is None:
            break
        budget = float(p.cost[x].sum())
    return np.array(costs), np.array(values)


def _frontier_grid(
    p: _Problem, costs: list[float], values: list[float], points: int, time_limit_s: float
) -> tuple[FloatArray, FloatArray]:
    """The walked steps plus the steps in force at evenly spaced budgets up to the last."""
    everything = p.with_limits(budget=float(p.cost.sum()))
    best = _solve(everything, time_limit_s=time_limit_s, tie_break=False)
    assert best is not None
    top = float(p.value[best.x].sum())
    steps = dict(zip(costs, values, strict=True))
    last = _step_cost(p, top, float(p.cost[best.x].sum()), time_limit_s)
    steps[last] = top
    for b in np.linspace(costs[0], last, points - 1).tolist():
        if b <= costs[-1] or b >= last:
            continue  # in the walked range, or the last step
        sol = _solve(p.with_limits(budget=b), time_limit_s=time_limit_s, tie_break=False)
        assert sol is not None
        v = float(p.value[sol.x].sum())
        steps[_step_cost(p, v, float(p.cost[sol.x].sum()), time_limit_s)] = v
    order = sorted(steps)
    return np.array(order), np.array([steps[c] for c in order])


def _step_cost(p: _Problem, value: float, known: float, time_limit_s: float) -> float:
    """The smallest budget at which ``value`` is reached (``known`` reaches it)."""
    from frictionkit.portfolio._solve import _milp, _scaled

    top = float(p.value.max()) if p.n else 0.0
    if top <= 0:
        return known
    # value >= target as value > target - delta, delta half the resolution of the values
    # (0.5 for whole numbers, 0.005 for cents, else 1e-7 of the largest value)
    delta = 1e-7 * top
    for unit in (1.0, 0.01):
        scaled = p.value / unit
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1.0, scaled)):
            delta = 0.5 * unit
            break
    sc, _ = _scaled(p.cost)
    free = attrs.evolve(p, budget=None)
    res = _milp(
        sc, free, [(p.value / top, (value - delta) / top, np.inf)], p.mandatory.astype(float),
        time_limit_s,
    )  # fmt: skip
    if res.x is None or res.status != 0:
        return known
    x = np.round(res.x).astype(bool)
    cost = float(p.cost[x].sum())
    # checked in exact arithmetic: a plan the solver's tolerance let through is not used
    reached = float(p.value[x].sum()) >= value - 1e-9 * max(1.0, abs(value))
    return cost if reached and cost < known else known


def _knee(costs: FloatArray, values: FloatArray) -> int:
    if len(costs) < 3 or costs[-1] == costs[0] or values[-1] == values[0]:
        return len(costs) - 1
    cn = (costs - costs[0]) / (costs[-1] - costs[0])
    vn = (values - values[0]) / (values[-1] - values[0])
    return int(np.argmax(vn - cn))


def _greedy_values(p: _Problem, budgets: FloatArray) -> FloatArray:
    """Value reached by funding in value-per-cost order at each budget (vectorised)."""
    out: FloatArray = _greedy_select(p, budgets).astype(float) @ p.value
    return out
