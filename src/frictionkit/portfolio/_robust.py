"""The robust plan: how often each improvement is in the optimal plan when estimates vary."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd

from frictionkit._compat import require
from frictionkit._protocol import Result, number_text
from frictionkit.estimates import Estimate, SeedLike
from frictionkit.exceptions import (
    InfeasibleError,
    InputTypeError,
    ValidationError,
)
from frictionkit.model import Journey
from frictionkit.portfolio._inputs import (
    _REL_TOL,
    BoolArray,
    FloatArray,
    Objective,
    _load,
    _Problem,
    ranking_draws,
    ranking_frame,
)
from frictionkit.portfolio._solve import _diagnose, _no_worse, _solve
from frictionkit.scoring import Ranking
from frictionkit.uncertainty import sample_estimates

__all__ = ["CLASSES", "RobustPlan", "robust_portfolio"]

#: The three classes of :attr:`RobustPlan.classes`, from the most to the least robust.
CLASSES: tuple[str, str, str] = ("always fund", "fund if the budget allows", "never")

_QUANTITIES = ("impact", "cost", "effort_days")


# ---------------------------------------------------------------------------------------
# estimates of each improvement


def _cell_estimate(cell: Any, text: Any) -> Any:
    """An Estimate from a cell or its ``*_estimate`` text, else ``None``."""
    if isinstance(cell, Estimate):
        return cell
    if isinstance(text, Estimate):
        return text
    if isinstance(text, str) and text.strip():
        return Estimate.parse(text)
    if isinstance(cell, str) and cell.strip():
        try:
            float(cell)
        except ValueError:
            return Estimate.parse(cell)
    return None


def _estimates(source: Journey | pd.DataFrame, p: _Problem, objective: Objective) -> list[Any]:
    """One row ``[value, cost, effort_days]`` per improvement: Estimates where given."""
    rows: list[list[Any]] = [[p.value[k], p.cost[k], p.effort[k]] for k in range(p.n)]
    sample_value = isinstance(objective, str)
    value_col = "impact" if objective == "value" else str(objective)
    if isinstance(source, Journey):
        by_id = {imp.id: imp for imp in source.improvements}
        for k, id_ in enumerate(p.ids):
            imp = by_id[id_]
            if sample_value and value_col == "impact" and isinstance(imp.impact, Estimate):
                rows[k][0] = imp.impact
            for j, name in ((1, "cost"), (2, "effort_days")):
                q = getattr(imp, name)
                if isinstance(q, Estimate):
                    rows[k][j] = q
        return rows
    frame = source.reset_index(drop=True)
    cols = [(0, value_col)] if sample_value else []
    cols += [(1, "cost"), (2, "effort_days")]
    for j, col in cols:
        if col not in frame.columns:
            continue
        texts = frame[f"{col}_estimate"] if f"{col}_estimate" in frame.columns else None
        for k in range(p.n):
            est = _cell_estimate(frame[col].iloc[k], None if texts is None else texts.iloc[k])
            if est is None:
                continue
            if est.low < 0:
                raise ValidationError(
                    f"{col} of {p.ids[k]!r} is {est}, which can be negative",
                    field=col,
                    value=str(est),
                    hint="Every value an estimate can take must be >= 0",
                )
            rows[k][j] = est
    return rows


def _samples_value(objective: Objective) -> bool:
    return isinstance(objective, str) and objective in {"value", "impact"}


def _ranking_estimates(ranking: Ranking, p: _Problem, objective: Objective) -> list[Any]:
    """Estimates of a ranking's improvements: its impact, the ranked input's cost and effort.

    Only a declared impact keeps its estimate (it is the figure the ranking used); any
    other impact is the ranking's, fixed, unless the ranking carries draws of it (see
    :func:`_sample`).
    """
    src = ranking.source
    rows = _estimates(src if isinstance(src, Journey) else ranking_frame(ranking), p, objective)
    if _samples_value(objective):
        source = dict(
            zip(
                ranking.table["id"].astype(str),
                ranking.table["impact_source"].astype(str),
                strict=True,
            )
        )
        for k, id_ in enumerate(p.ids):
            if source.get(id_) != "declared":
                rows[k][0] = p.value[k]
    return rows


def _sample(
    source: Ranking | Journey | pd.DataFrame,
    p: _Problem,
    objective: Objective,
    draws: int,
    seed: SeedLike,
) -> FloatArray:
    """``(draws, n, 3)`` samples of ``[value, cost, effort_days]``.

    With a ranking that carries ``impact_draws``, the value of each improvement with
    draws is its draw ``d`` (draw ``d`` of the result uses the ranking's draw ``d``,
    cycling when the ranking has fewer), the same draw for every improvement so that
    improvements fixing the same pain point move together.
    """
    if not isinstance(source, Ranking):
        return sample_estimates(_estimates(source, p, objective), draws, seed)
    sample = np.array(sample_estimates(_ranking_estimates(source, p, objective), draws, seed))
    given = ranking_draws(source) if _samples_value(objective) else None
    if given is None or len(given) == 0:
        return sample
    rows = np.arange(draws) % len(given)
    for k, id_ in enumerate(p.ids):
        if id_ not in given.columns:
            continue
        col = pd.to_numeric(given[id_], errors="coerce").to_numpy(dtype=float)[rows]
        if not np.isfinite(col).all() or (col < 0).any():
            raise ValidationError(
                f"the ranking's impact draws of {id_!r} must be finite numbers >= 0",
                field="impact_draws",
                value=id_,
            )
        sample[:, k, 0] = col
    return sample


# ---------------------------------------------------------------------------------------
# the result


@attrs.frozen(kw_only=True, repr=False, eq=False)  # holds Series: identity equality
class RobustPlan(Result):
    """How often each improvement is in the optimal plan when the estimates vary.

    Built by :func:`robust_portfolio`: one exact optimal plan per joint draw of the
    impact, cost and effort estimates.

    Attributes
    ----------
    draws : int
        Number of draws.
    probability : Series
        Per improvement id: the share of the feasible draws whose optimal plan contains
        it (mandatory improvements: 1).
    classes : Series
        Per id: ``"always fund"`` (probability >= ``always``), ``"never"`` (<= ``never``)
        or ``"fund if the budget allows"`` (in between).
    mean_plan : tuple of str
        The optimal plan of the mean estimates (what :func:`optimise_portfolio` returns).
    mean_plan_optimal_share : float
        Share of the feasible draws in which the mean plan fits and is worth as much as
        that draw's optimum (it is *an* optimal plan of the draw).
    mean_plan_feasible_share : float
        Share of the feasible draws in which the mean plan fits the budget and capacities.
    value_mean, value_p5, value_p95 : float
        Mean and 5th / 95th percentiles of the optimal value over the feasible draws
        (``nan`` when no draw is feasible).
    infeasible_draws : int
        Draws in which the mandatory improvements do not fit (left out of the shares).
    time_limit_draws : int
        Draws whose solve hit the time limit (best plan found used).
    always, never : float
        The class thresholds.
    budget : float or None
    capacity : dict
    objective : str
    seed : int or None
        The seed, when given as a whole number.

    Examples
    --------
    >>> import frictionkit as fk
    >>> r = fk.portfolio.robust_portfolio(fk.datasets.load_autoparts(), budget=60_000,
    ...                                   draws=20, seed=1)
    >>> r.probability["consent_management"]  # mandatory
    np.float64(1.0)
    """

    draws: int
    probability: pd.Series
    classes: pd.Series
    mean_plan: tuple[str, ...]
    mean_plan_optimal_share: float
    mean_plan_feasible_share: float
    value_mean: float
    value_p5: float
    value_p95: float
    infeasible_draws: int
    time_limit_draws: int
    always: float
    never: float
    budget: float | None
    capacity: Mapping[str, float]
    objective: str
    seed: int | None
    _problem: _Problem = attrs.field(alias="problem", eq=False)
    _x: BoolArray = attrs.field(alias="x", eq=False)
    _values: FloatArray = attrs.field(alias="values", eq=False)

    def _repr_body(self) -> str:
        counts = self.classes.value_counts()
        parts = ", ".join(f"{c} {int(counts.get(c, 0))}" for c in CLASSES)
        p = self._problem
        unit = (f" {p.currency}" if p.currency else "") + (
            f" per {p.period}" if p.period and self.objective == "value" else ""
        )
        return (
            f"{self.draws} draw{'' if self.draws == 1 else 's'}, {parts}; value p5-p95 "
            f"{number_text(self.value_p5)}-{number_text(self.value_p95)}{unit}; "
            "mean plan optimal in "
            f"{self.mean_plan_optimal_share:.0%} of draws"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per improvement, most robust first.

        Returns
        -------
        DataFrame
            Columns ``id, title, owner, mandatory, probability, class, in_mean_plan``,
            sorted by probability (descending), ties in input order.

        Examples
        --------
        >>> import frictionkit as fk
        >>> r = fk.portfolio.robust_portfolio(fk.datasets.load_autoparts(), budget=60_000,
        ...                                   draws=20, seed=1)
        >>> list(r.to_frame().columns)
        ['id', 'title', 'owner', 'mandatory', 'probability', 'class', 'in_mean_plan']
        """
        p = self._problem
        mean = set(self.mean_plan)
        frame = pd.DataFrame(
            {
                "id": list(p.ids),
                "title": list(p.titles),
                "owner": list(p.owners),
                "mandatory": p.mandatory.copy(),
                "probability": self.probability.to_numpy(copy=True),
                "class": self.classes.to_numpy(copy=True),
                "in_mean_plan": [i in mean for i in p.ids],
            }
        )
        order = np.lexsort((np.arange(p.n), -frame["probability"].to_numpy()))
        return frame.iloc[order].reset_index(drop=True)

    def plans(self) -> pd.DataFrame:
        """The optimal plan of every draw, one row per draw (infeasible draws: all False).

        Returns
        -------
        DataFrame
            ``draws x improvements`` booleans, columns the ids, plus ``value`` (the
            optimal value of the draw, ``nan`` when infeasible).

        Examples
        --------
        >>> import frictionkit as fk
        >>> r = fk.portfolio.robust_portfolio(fk.datasets.load_autoparts(), budget=60_000,
        ...                                   draws=20, seed=1)
        >>> r.plans().shape
        (20, 13)
        """
        frame = pd.DataFrame(self._x.copy(), columns=list(self._problem.ids))
        frame["value"] = self._values.copy()
        return frame


# ---------------------------------------------------------------------------------------
# the computation


def _threshold(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputTypeError(f"{field} must be a number, got {value!r}", field=field, value=value)
    v = float(value)
    if not 0 <= v <= 1:
        raise ValidationError(f"{field} must be in [0, 1], got {v:g}", field=field, value=v)
    return v


def _fits(q: _Problem, x: BoolArray) -> bool:
    if q.budget is not None and float(q.cost[x].sum()) > q.budget * (1 + _REL_TOL) + 1e-12:
        return False
    for owner, days in q.capacity.items():
        used = float(sum(q.effort[k] for k in np.flatnonzero(x) if q.owners[k] == owner))
        if used > days * (1 + _REL_TOL) + 1e-12:
            return False
    return True


def robust_portfolio(
    journey_or_improvements: Ranking | Journey | pd.DataFrame,
    *,
    budget: float | None = None,
    capacity: Mapping[str, float] | None = None,
    draws: int = 200,
    seed: SeedLike = None,
    objective: Objective = "value",
    time_limit_s: float = 10.0,
    progress: bool = False,
    always: float = 0.9,
    never: float = 0.1,
    tie_break: bool = True,
) -> RobustPlan:
    """How often each improvement belongs to the optimal plan when the estimates vary.

    Impact, cost and effort are guesses. For each draw, every
    :class:`~frictionkit.Estimate` is sampled (all three quantities of every improvement
    jointly, with :func:`frictionkit.uncertainty.sample_estimates` on the
    ``n x 3`` table ``[impact, cost, effort_days]``, in input order) and the exact optimal
    plan of that draw is solved, as :func:`optimise_portfolio` does (same rules, same
    tie-break). Plain numbers stay fixed. The model's structure (requires, exclusions,
    owners) is built once; only the coefficients change between draws.

    The result gives, per improvement, the probability that it is in the optimal plan,
    and a class: ``"always fund"`` (probability >= ``always``), ``"never"``
    (<= ``never``) or ``"fund if the budget allows"``; the plan of the mean estimates and
    how often it is still optimal; and the distribution of the optimal value.

    Parameters
    ----------
    journey_or_improvements : Ranking, Journey or DataFrame
        As for :func:`optimise_portfolio`. A ranking gives the impact: a declared
        impact is sampled from its estimate; any other impact is sampled from the
        ranking's ``impact_draws`` when it has them (draw ``d`` uses the ranking's draw
        ``d``, cycling when it has fewer; one draw for all improvements at once), else
        fixed; cost and effort are sampled from a ranked journey's estimates. In a
        DataFrame, an estimate is an :class:`~frictionkit.Estimate` in the ``impact``,
        ``cost`` or ``effort_days`` cell, or its text (``"2..4..12"``, ``"M"``) in a
        ``<name>_estimate`` column, as ``Journey.to_frames()`` writes it.
    budget, capacity : optional
        As for :func:`optimise_portfolio`.
    draws : int, default 200
        Number of draws (one exact solve each).
    seed : int or numpy.random.Generator, optional
        Same seed, same result.
    objective : "value", column name, mapping or Series, default "value"
        As for :func:`optimise_portfolio`. Scores given as a mapping or Series are fixed;
        a column is sampled when it holds estimates.
    time_limit_s : float, default 10.0
        Time limit of each solve.
    progress : bool, default False
        Show a progress bar (needs ``tqdm``: ``pip install 'frictionkit[progress]'``).
    always, never : float, default 0.9 and 0.1
        Class thresholds on the probability, ``0 <= never < always <= 1``.
    tie_break : bool, default True
        Break ties between equally valuable plans of a draw as :func:`optimise_portfolio`
        does. On problems with capacities or rules this costs two more MILP solves per
        draw; with continuous estimates on the values, ties almost never happen, and
        ``False`` (each draw then keeps the solver's first optimal plan, still of proven
        optimal value) is about three times faster. Small problems (up to 14
        improvements) and budget-only problems are always tie-broken, at no extra cost.

    Returns
    -------
    RobustPlan

    Raises
    ------
    InfeasibleError
        The mandatory improvements do not fit with the mean estimates.
    ValidationError, InputTypeError
        Bad arguments (as :func:`optimise_portfolio`), ``draws < 1``, thresholds out of
        order, an estimate that can be negative.

    Examples
    --------
    >>> import frictionkit as fk
    >>> r = robust_portfolio(fk.datasets.load_autoparts(), budget=50_000, draws=50, seed=7)
    >>> r  # doctest: +NORMALIZE_WHITESPACE
    RobustPlan(50 draws, always fund 5, fund if the budget allows 3, never 4; value p5-p95
    480,000-529,301 EUR per year; mean plan optimal in 54% of draws)
    >>> r.to_frame()[["id", "probability", "class"]].iloc[4:8]
                           id  probability                      class
    4      consent_management         1.00                always fund
    5            compare_tool         0.54  fund if the budget allows
    6       order_status_page         0.46  fund if the budget allows
    7  delivery_notifications         0.46  fund if the budget allows
    """
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)):
        raise InputTypeError(
            f"draws must be a whole number, got {draws!r}", field="draws", value=draws
        )
    if draws < 1:
        raise ValidationError(f"draws must be >= 1, got {draws}", field="draws", value=draws)
    hi = _threshold(always, "always")
    lo = _threshold(never, "never")
    if not lo < hi:
        raise ValidationError(
            f"never ({lo:g}) must be below always ({hi:g})",
            field="never",
            value=lo,
            hint="For example always=0.9, never=0.1",
        )
    if not isinstance(tie_break, (bool, np.bool_)):
        raise InputTypeError(
            f"tie_break must be True or False, got {tie_break!r}",
            field="tie_break",
            value=tie_break,
        )
    if not isinstance(progress, (bool, np.bool_)):
        raise InputTypeError(
            f"progress must be True or False, got {progress!r}", field="progress", value=progress
        )
    if isinstance(time_limit_s, bool) or not isinstance(time_limit_s, (int, float)):
        raise InputTypeError(
            f"time_limit_s must be a number of seconds, got {time_limit_s!r}",
            field="time_limit_s",
            value=time_limit_s,
        )
    if not time_limit_s > 0:
        raise ValidationError(
            f"time_limit_s must be > 0, got {time_limit_s!r}",
            field="time_limit_s",
            value=time_limit_s,
        )
    p = _load(journey_or_improvements, objective=objective, budget=budget, capacity=capacity)
    err = _diagnose(p)
    if err is not None:
        raise err
    limit = float(time_limit_s)
    mean_sol = _solve(p, time_limit_s=limit)
    if mean_sol is None:  # pragma: no cover - the diagnosis above is complete
        raise InfeasibleError("the solver found no plan", conflicts=("unknown",))
    mean_x = mean_sol.x
    sample = _sample(journey_or_improvements, p, objective, int(draws), seed)
    n_draws = int(draws)
    xs = np.zeros((n_draws, p.n), dtype=bool)
    values = np.full(n_draws, np.nan)
    mean_ok = np.zeros(n_draws, dtype=bool)
    mean_fit = np.zeros(n_draws, dtype=bool)
    timed_out = 0
    bar = None
    if progress:
        tqdm = require("tqdm", extra="progress", feature="robust_portfolio(progress=True)")
        bar = tqdm.tqdm(total=n_draws, unit="draw", desc="robust_portfolio")
    try:
        for d in range(n_draws):
            q = attrs.evolve(p, value=sample[d, :, 0], cost=sample[d, :, 1], effort=sample[d, :, 2])
            sol = _solve(q, time_limit_s=limit, tie_break=bool(tie_break))
            if bar is not None:
                bar.update(1)
            if sol is None:
                continue
            timed_out += sol.status != "optimal"
            xs[d] = sol.x
            values[d] = float(q.value[sol.x].sum())
            mean_fit[d] = _fits(q, mean_x)
            mean_ok[d] = mean_fit[d] and _no_worse(float(q.value[mean_x].sum()), values[d])
    finally:
        if bar is not None:
            bar.close()
    feasible = ~np.isnan(values)
    n_ok = int(feasible.sum())
    ids = pd.Index(list(p.ids), name="id")
    if n_ok:
        prob = xs[feasible].mean(axis=0)
        v_ok = values[feasible]
        v_mean, v5, v95 = (float(v_ok.mean()), *map(float, np.percentile(v_ok, [5, 95])))
    else:
        prob = np.full(p.n, np.nan)
        v_mean = v5 = v95 = math.nan
    prob = np.where(p.mandatory, 1.0, prob)
    cls = np.where(prob >= hi, CLASSES[0], np.where(prob <= lo, CLASSES[2], CLASSES[1]))
    cls = np.where(np.isnan(prob), CLASSES[1], cls)
    return RobustPlan(
        draws=n_draws,
        probability=pd.Series(prob, index=ids, name="probability"),
        classes=pd.Series(cls.astype(object), index=ids, name="class"),
        mean_plan=tuple(p.ids[k] for k in np.flatnonzero(mean_x)),
        mean_plan_optimal_share=float(mean_ok[feasible].mean()) if n_ok else math.nan,
        mean_plan_feasible_share=float(mean_fit[feasible].mean()) if n_ok else math.nan,
        value_mean=v_mean,
        value_p5=v5,
        value_p95=v95,
        infeasible_draws=n_draws - n_ok,
        time_limit_draws=int(timed_out),
        always=hi,
        never=lo,
        budget=p.budget,
        capacity=dict(p.capacity),
        objective=p.objective,
        seed=int(seed) if isinstance(seed, (int, np.integer)) else None,
        problem=p,
        x=xs,
        values=values,
    )
