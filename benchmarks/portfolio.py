"""Benchmark the exact portfolio optimiser and frontier against a plain scipy MILP.

Run with ``python benchmarks/portfolio.py``. Prints one table row per workload:

- 1,000 improvements, a budget, 5 owner capacities, 200 dependencies, 50 exclusive
  groups: proven optimum (target <= 5 s);
- 10,000 improvements, budget only: proven optimum (target <= 2 s);
- the exact value-vs-cost frontier for 1,000 improvements, budget only (target <= 1 s),
  with whole-euro costs (dynamic programming over every budget unit) and, for
  information, with real-valued costs (list of non-dominated pairs);

and the same instances through a plain ``scipy.optimize.milp`` formulation (pairwise
exclusion rows, no tie-break) for comparison. The 10,000-item row also times the MILP
path with its two tie-break solves (what budget-only problems used before the exact
fixing + dynamic programming path). Instances are seeded; the load average is printed
because other work on the machine slows every figure.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from frictionkit import Estimate
from frictionkit.datasets import load_autoparts
from frictionkit.portfolio import _solve, frontier, optimise_portfolio, robust_portfolio


def instance(n: int, *, owners: int, deps: int, groups: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = [f"imp{k:05d}" for k in range(n)]
    cost = rng.integers(1_000, 50_000, n).astype(float)
    value = np.round(cost * rng.uniform(0.5, 3.0, n) + rng.normal(0, 5_000, n).clip(-900))
    requires: list[list[str]] = [[] for _ in range(n)]
    for _ in range(deps):
        a = int(rng.integers(1, n))
        b = int(rng.integers(0, a))  # b < a: acyclic
        if ids[b] not in requires[a]:
            requires[a].append(ids[b])
    excludes: list[list[str]] = [[] for _ in range(n)]
    free = [k for k in range(n) if not requires[k]]
    pick = rng.permutation(free)[: groups * 3].reshape(groups, 3)
    for g in pick:
        for i, a in enumerate(g):
            for b in g[i + 1 :]:
                excludes[a].append(ids[b])
    return pd.DataFrame(
        {
            "id": ids,
            "owner": [f"team{k}" for k in rng.integers(0, owners, n)],
            "cost": cost,
            "effort_days": rng.integers(1, 40, n).astype(float),
            "impact": value.clip(0),
            "requires": requires,
            "excludes": excludes,
        }
    )


def plain_milp(items: pd.DataFrame, budget: float, capacity: dict[str, float]) -> float:
    """The textbook formulation handed to HiGHS directly: returns the optimal value."""
    n = len(items)
    pos = {i: k for k, i in enumerate(items["id"])}
    rows: list[Any] = [items["cost"].to_numpy()[None, :]]
    ub = [budget]
    for owner, days in capacity.items():
        rows.append(np.where(items["owner"] == owner, items["effort_days"], 0.0)[None, :])
        ub.append(days)
    a = [[k, pos[b]] for k, reqs in enumerate(items["requires"]) for b in reqs]
    e = [[k, pos[b]] for k, exc in enumerate(items["excludes"]) for b in exc]
    for pairs, coef in ((a, (1.0, -1.0)), (e, (1.0, 1.0))):
        if pairs:
            r = np.repeat(np.arange(len(pairs)), 2)
            c = np.array(pairs).ravel()
            d = np.tile(coef, len(pairs))
            rows.append(sparse.csr_array((d, (r, c)), shape=(len(pairs), n)))
            ub.extend([0.0 if coef[1] < 0 else 1.0] * len(pairs))
    mat = sparse.vstack([sparse.csr_array(r) for r in rows]).tocsr()
    res = milp(
        -items["impact"].to_numpy(),
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(mat, -np.inf, np.array(ub)),
        options={"mip_rel_gap": 0.0, "time_limit": 60},
    )
    return float(-res.fun)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> None:
    load = os.getloadavg()
    print(f"load average (1, 5, 15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'workload':<58} {'target':>7} {'frictionkit':>12} {'plain milp':>11}  result")

    big = instance(1_000, owners=5, deps=200, groups=50, seed=1)
    budget = float(big["cost"].sum() * 0.3)
    effort = big.groupby("owner")["effort_days"].sum()
    cap = {o: float(d * 0.35) for o, d in effort.items()}
    t_fk, plan = timed(lambda: optimise_portfolio(big, budget=budget, capacity=cap))
    t_nt, _ = timed(lambda: optimise_portfolio(big, budget=budget, capacity=cap, tie_break=False))
    t_pl, v_pl = timed(lambda: plain_milp(big, budget, cap))
    print(
        f"{'1,000 items, budget, 5 owners, 200 requires, 50 groups':<58} {'5 s':>7} "
        f"{t_fk:>11.2f}s {t_pl:>10.2f}s  {plan.status}, value {plan.value:,.0f} "
        f"(plain {v_pl:,.0f}; without tie-break {t_nt:.2f}s)"
    )

    knap = instance(10_000, owners=1, deps=0, groups=0, seed=2)
    kb = float(knap["cost"].sum() * 0.25)
    t_fk, plan = timed(lambda: optimise_portfolio(knap, budget=kb))
    only = _solve._budget_only
    _solve._budget_only = lambda p: False  # the MILP path: reduction + 3 solves
    try:
        t_mp, mplan = timed(lambda: optimise_portfolio(knap, budget=kb))
    finally:
        _solve._budget_only = only
    t_pl, v_pl = timed(lambda: plain_milp(knap, kb, {}))
    same = "same plan" if mplan.selected == plan.selected else "DIFFERENT plan"
    print(
        f"{'10,000 items, budget only (tie-broken)':<58} {'2 s':>7} {t_fk:>11.2f}s "
        f"{t_pl:>10.2f}s  {plan.status}, value {plan.value:,.0f} (plain {v_pl:,.0f}; "
        f"MILP path with tie-break {t_mp:.2f}s, {same})"
    )

    fr = instance(1_000, owners=1, deps=0, groups=0, seed=3)
    fr["cost"] = (fr["cost"] / 100).round()  # costs in hundreds of euros
    t_fk, f = timed(lambda: frontier(fr))
    print(
        f"{'exact frontier, 1,000 items, whole-unit costs':<58} {'1 s':>7} {t_fk:>11.2f}s "
        f"{'-':>11}  {len(f)} rows shown, knee at cost {f.loc[f['knee'], 'cost'].item():,.0f}"
    )
    fr_small = fr.iloc[:300].copy()
    fr_small["cost"] = fr_small["cost"] * np.random.default_rng(4).uniform(0.99, 1.01, 300)
    t_fk, f = timed(lambda: frontier(fr_small))
    print(
        f"{'exact frontier, 300 items, real-valued costs':<58} {'-':>7} {t_fk:>11.2f}s "
        f"{'-':>11}  {len(f)} rows shown"
    )
    robust_rows()


def with_estimates(items: pd.DataFrame) -> pd.DataFrame:
    """Impact as a PERT estimate (-30 % / +50 %), cost as a range (-20 % / +30 %)."""
    out = items.copy()
    out["impact"] = [
        Estimate.three_point(0.7 * v, v, 1.5 * v) if v > 0 else 0.0 for v in out["impact"]
    ]
    out["cost"] = [Estimate.range(0.8 * c, 1.3 * c) for c in out["cost"]]
    return out


def robust_rows() -> None:
    j = load_autoparts()
    t, r = timed(lambda: robust_portfolio(j, budget=50_000, draws=200, seed=1))
    print(
        f"{'robust: autoparts (12 items), 200 draws':<58} {'-':>7} {t:>11.2f}s {'-':>11}  "
        f"{r.mean_plan_optimal_share:.0%} of draws keep the mean plan optimal"
    )
    mid = with_estimates(instance(100, owners=3, deps=20, groups=5, seed=5))
    budget = float(sum(e.mean for e in mid["cost"]) * 0.3)
    effort = mid.groupby("owner")["effort_days"].sum()
    cap = {o: float(d * 0.4) for o, d in effort.items()}
    for tb in (True, False):
        t, r = timed(
            lambda tb=tb: robust_portfolio(
                mid, budget=budget, capacity=cap, draws=20, seed=1, tie_break=tb
            )
        )
        name = f"robust: 100 items, every rule, 20 draws, tie_break={tb}"
        counts = r.classes.value_counts()
        print(
            f"{name:<58} {'-':>7} {t:>11.2f}s {'-':>11}  "
            f"always {counts.get('always fund', 0)}, never {counts.get('never', 0)}"
        )
    big = with_estimates(instance(2_000, owners=1, deps=0, groups=0, seed=6))
    bb = float(sum(e.mean for e in big["cost"]) * 0.25)
    t, r = timed(lambda: robust_portfolio(big, budget=bb, draws=50, seed=1))
    print(
        f"{'robust: 2,000 items, budget only, 50 draws':<58} {'-':>7} {t:>11.2f}s "
        f"{'-':>11}  value p5-p95 {r.value_p5:,.0f}-{r.value_p95:,.0f}"
    )


if __name__ == "__main__":
    main()
