"""The plan: the best set of improvements under a budget, staff capacity and dependencies.

Sorting improvements by a ratio (value per cost, RICE, WSJF) and funding them down the list
is the greedy rule for the 0-1 knapsack problem; under a hard budget it can lose a large
share of the value. :func:`optimise_portfolio` instead solves the selection *exactly* as a
mixed-integer linear program (MILP) with :func:`scipy.optimize.milp` (the HiGHS solver,
zero relative gap), and :class:`Plan` explains the result: totals, slack, marginal value
of more budget or staff, the next improvement that would enter, and why each excluded
improvement is out. :func:`frontier` gives the exact best value at every budget beside
what the greedy ratio order achieves. Scheduling lives in :mod:`frictionkit.roadmap`.

The model (pinned; see ``docs/concepts/planning.md``)
-----------------------------------------------------
``x_i`` in {0, 1} says whether improvement ``i`` is done. Maximise ``sum v_i x_i`` subject to

- budget: ``sum cost_i x_i <= budget`` (when a budget is given);
- capacity: ``sum_{i owned by o} effort_days_i x_i <= capacity_o`` for every owner ``o``;
- requires: ``x_a <= x_b`` when ``a`` requires ``b``;
- excludes: ``sum_{i in G} x_i <= 1`` for each group ``G`` of mutually exclusive
  improvements (pairs are merged into cliques);
- mandatory: ``x_i = 1``.

Values ``v_i`` are the objective: ``"value"`` uses the impact (the mean of an estimate), a
column name uses that column, a mapping or Series gives one score per id. Values must be
finite and >= 0; a missing value counts as 0 for a mandatory item and is an error
otherwise. Ties between plans of equal value are broken exactly, by two further solves
that keep the optimal value fixed: lower total cost first, then the smallest sum of input
positions (earlier improvements preferred); variables that no optimal plan can flip are
fixed first by a Lagrangian bound. Problems with a budget and no other rule
(besides must-dos) skip the MILP: exact variable fixing by LP bounds and a dynamic
programme over the remaining core give the same lexicographic optimum in one pass.

Examples
--------
>>> import frictionkit as fk
>>> from frictionkit.portfolio import optimise_portfolio
>>> plan = optimise_portfolio(fk.datasets.load_autoparts(), budget=60_000)
>>> plan.status, plan.value, plan.cost
('optimal', 540000.0, 58500.0)
"""

from __future__ import annotations

from frictionkit.portfolio._frontier import frontier
from frictionkit.portfolio._plan import BudgetStep, Plan, optimise_portfolio
from frictionkit.portfolio._robust import CLASSES, RobustPlan, robust_portfolio

__all__ = [
    "CLASSES",
    "BudgetStep",
    "Plan",
    "RobustPlan",
    "frontier",
    "optimise_portfolio",
    "robust_portfolio",
]
