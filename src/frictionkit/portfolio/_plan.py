"""The plan: optimise_portfolio and the Plan it returns (totals, slack, marginals, why_not)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import attrs
import numpy as np
import pandas as pd

from frictionkit._protocol import Result, and_list, number_text
from frictionkit.exceptions import (
    InfeasibleError,
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from frictionkit.model import Journey
from frictionkit.portfolio._inputs import (
    _REL_TOL,
    BoolArray,
    FloatArray,
    Objective,
    _check_share,
    _load,
    _Problem,
)
from frictionkit.portfolio._solve import (
    _ENUM_MAX,
    _cheapest_better,
    _describe,
    _diagnose,
    _overflow,
    _Solution,
    _solve,
)
from frictionkit.scoring import Ranking


def _plan_from(p: _Problem, sol: _Solution, time_limit_s: float) -> Plan:
    x = sol.x
    per_owner = {
        o: float(sum(p.effort[k] for k in range(p.n) if x[k] and p.owners[k] == o))
        for o in dict.fromkeys(p.owners)
    }
    return Plan(
        status=sol.status,
        selected=tuple(p.ids[k] for k in np.flatnonzero(x)),
        value=float(p.value[x].sum()),
        cost=float(p.cost[x].sum()),
        effort_days=per_owner,
        budget=p.budget,
        capacity=dict(p.capacity),
        objective=p.objective,
        bound=sol.bound,
        gap=sol.gap,
        solve_time_s=sol.seconds,
        problem=p,
        x=x,
        time_limit_s=time_limit_s,
    )


def optimise_portfolio(
    journey_or_improvements: Ranking | Journey | pd.DataFrame,
    *,
    budget: float | None = None,
    capacity: Mapping[str, float] | None = None,
    objective: Objective = "value",
    time_limit_s: float = 10.0,
    max_mandatory_share: float | None = None,
    tie_break: bool = True,
) -> Plan:
    """Choose the improvements that maximise total value under budget, staff and rules.

    Parameters
    ----------
    journey_or_improvements : Ranking, Journey or DataFrame
        The :class:`~frictionkit.scoring.Ranking` of :func:`~frictionkit.prioritise` (its
        ``impact`` is the value: evidence-based where the ranking has it; an improvement
        whose impact is missing is an error naming it, never a declared figure or 0; the
        journey's capacities, requires and excludes are kept), a journey, or a table with
        the columns of ``Journey.to_frames()["improvements"]``:
        ``id``, ``owner``, ``cost``, ``effort_days`` (required), ``title``, ``impact``,
        ``requires`` and ``excludes`` (lists of ids), ``mandatory`` (optional).
    budget : float, optional
        Money available (same unit as ``cost``); ``None`` means no budget limit.
    capacity : mapping owner id -> days, optional
        Person-days each owner can give to the plan. With a journey and ``None``, each
        owner's ``capacity_days`` is used (owners without one are then an error, as soon
        as any owner has one). Pass ``{}`` to plan without staff limits; use
        ``float("inf")`` for one unlimited owner.
    objective : "value", column name, mapping or Series, default "value"
        What to maximise: ``"value"`` is the impact (mean of an estimate); a column of the
        improvements table; or one score per improvement id (e.g. from a scoring method).
        Scores must be >= 0; a missing score counts as 0 for mandatory items only.
    time_limit_s : float, default 10.0
        Wall-clock limit for the solver. When it runs out, the best plan found is returned
        with ``status="time_limit"`` and the proven ``gap``.
    max_mandatory_share : float, optional
        A MoSCoW-style check (DSDM's rule of thumb is 0.6): the must-dos may use at most
        this share of the budget and of each owner's capacity, so that a contingency is
        left. Violations raise :class:`~frictionkit.InfeasibleError` naming the resource.
    tie_break : bool, default True
        Among plans of equal (optimal) value, return the cheapest, then the one whose
        items come earliest in the input (smallest sum of positions). Costs two more
        exact MILP solves; ``False`` returns the solver's first optimal plan. Budget-only
        problems are always tie-broken (their exact dynamic programme does it for free).

    Returns
    -------
    Plan

    Raises
    ------
    InfeasibleError
        The mandatory improvements (with what they require) do not fit a resource;
        ``conflicts`` names the constraint and an irreducible set of items.
    CycleError
        ``requires`` forms a cycle (shown in the message).
    ValidationError, UnknownReferenceError, InputTypeError
        Bad input: negative budget or capacity, missing capacity for an owner, unknown
        ids or objective column, NaN or negative figures.
    SchemaError
        A column the plan reads (``id``, ``cost``, the objective...) appears more than
        once in the table.

    Examples
    --------
    >>> import frictionkit as fk
    >>> j = fk.datasets.load_autoparts()
    >>> plan = optimise_portfolio(j, budget=60_000)
    >>> plan.selected  # doctest: +NORMALIZE_WHITESPACE
    ('compare_tool', 'guided_selling', 'onboarding_plan', 'callback_sla',
     'order_status_page', 'delivery_notifications', 'consent_management')
    >>> print(plan.why_not("cad_library"))  # doctest: +NORMALIZE_WHITESPACE
    'cad_library' is out: it does not fit what is left (needs 6,000 of budget, 1,500 is
    left); forcing it in adds 60,000 but displaces 'delivery_notifications' worth 65,000:
    the best plan with it is worth 5,000 less.

    A ranking is planned on its own impact (here the journey's declared figures; with
    ``prioritise(journey, value_at_stake=...)`` the evidence-based ones):

    >>> ranking = fk.prioritise(j)
    >>> optimise_portfolio(ranking, budget=60_000).value == plan.value
    True
    """
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
    if max_mandatory_share is not None:
        _check_share(p, max_mandatory_share)
    err = _diagnose(p)
    if err is not None:
        raise err
    sol = _solve(p, time_limit_s=float(time_limit_s), tie_break=tie_break)
    if sol is None:  # pragma: no cover - the diagnosis above is complete
        raise InfeasibleError("the solver found no plan", conflicts=("unknown",))
    return _plan_from(p, sol, float(time_limit_s))


# ---------------------------------------------------------------------------------------
# the plan


@attrs.frozen(kw_only=True)
class BudgetStep:
    """The smallest budget increase that changes the optimal plan.

    Attributes
    ----------
    budget : float
        The budget at which a more valuable plan first becomes affordable.
    extra_budget : float
        ``budget`` minus the current budget.
    value_gain : float
        Value of the new optimal plan minus the current value.
    entering, leaving : tuple of str
        Improvements that enter and leave the plan at that budget.
    """

    budget: float
    extra_budget: float
    value_gain: float
    entering: tuple[str, ...]
    leaving: tuple[str, ...]


def _label_map(value: Any, field: str) -> Mapping[str, str]:
    """``improvement_labels`` / ``owner_labels`` checked: a mapping of ids to labels."""
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise InputTypeError(
            f"{field} must map ids (str) to labels (str), got {value!r}",
            field=field,
            value=value,
            hint=f'e.g. {field}={{"it": "IT"}}',
        )
    return value


@attrs.frozen
class _Names:
    """How :meth:`Plan.why_not` writes improvements and owners.

    Without labels an improvement or owner is its quoted id (``'guided_selling'``); with
    a label it is ``"Guided selling (guided_selling)"`` and an owner ``"Sales"``.
    """

    improvements: Mapping[str, str]
    owners: Mapping[str, str]

    def improvement(self, id_: str) -> str:
        label = self.improvements.get(id_)
        return f"{label} ({id_})" if label and label != id_ else repr(id_)

    def improvement_list(self, ids: Any) -> str:
        parts = [self.improvement(i) for i in ids]
        # without labels the quoted ids as before; titles may hold commas (and_list)
        return and_list(parts) if self.improvements else ", ".join(parts)

    def owner(self, owner: str) -> str:
        return self.owners.get(owner) or repr(owner)


@attrs.frozen(kw_only=True, repr=False)
class Plan(Result):
    """An optimal (or best found) selection of improvements, with its explanation.

    Attributes
    ----------
    status : {"optimal", "time_limit"}
        ``"optimal"`` is a proven optimum; ``"time_limit"`` is the best plan found, with
        ``bound`` (the best value any plan could reach) and ``gap``.
    selected : tuple of str
        Ids of the chosen improvements, in input order.
    value, cost : float
        Totals of the objective and of the cost over the selection.
    effort_days : dict
        Effort per owner over the selection.
    budget : float or None
    capacity : dict
        The limits the plan was solved under (owners without a limit are absent).
    objective : str
        What was maximised.
    bound, gap : float
        Upper bound on the value and relative gap (``0`` when optimal).
    solve_time_s : float
        Wall-clock time of the solve.

    Examples
    --------
    >>> import frictionkit as fk
    >>> plan = fk.portfolio.optimise_portfolio(fk.datasets.load_autoparts(), budget=60_000)
    >>> plan
    Plan(optimal, 7 of 12 improvements, value=540,000 EUR per year,
         cost=58,500 EUR of budget 60,000)
    >>> plan.constraints()[["constraint", "used", "slack"]].head(2)
                constraint     used   slack
    0               budget  58500.0  1500.0
    1  capacity[marketing]      5.0    35.0
    """

    status: Literal["optimal", "time_limit"]
    selected: tuple[str, ...]
    value: float
    cost: float
    effort_days: Mapping[str, float]
    budget: float | None
    capacity: Mapping[str, float]
    objective: str
    bound: float
    gap: float
    solve_time_s: float
    _problem: _Problem = attrs.field(alias="problem", eq=False)
    _x: BoolArray = attrs.field(alias="x", eq=False)
    _time_limit_s: float = attrs.field(alias="time_limit_s", eq=False)

    _charts: ClassVar[Mapping[str, str]] = {"roadmap": "plan_roadmap"}

    # -- views ---------------------------------------------------------------------
    @property
    def currency(self) -> str | None:
        """The currency of value and cost (the ranking's or the journey's), or None."""
        return self._problem.currency

    @property
    def period(self) -> str | None:
        """The period the value is counted per, when the objective is the impact."""
        return self._problem.period if self.objective == "value" else None

    def _repr_body(self) -> str:
        cur = f" {self.currency}" if self.currency else ""
        per = f" per {self.period}" if self.period else ""
        bud = "" if self.budget is None else f" of budget {number_text(self.budget)}"
        return (
            f"{self.status}, {len(self.selected)} of {self._problem.n} "
            f"improvement{'' if self._problem.n == 1 else 's'}, "
            f"value={number_text(self.value)}{cur}{per}, cost={number_text(self.cost)}{cur}{bud}"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per improvement: whether it is selected, with its figures.

        Returns
        -------
        DataFrame
            Columns ``id, title, owner, selected, mandatory, value, cost, effort_days``.

        Examples
        --------
        >>> import frictionkit as fk
        >>> plan = fk.portfolio.optimise_portfolio(fk.datasets.load_autoparts(), budget=60_000)
        >>> int(plan.to_frame()["selected"].sum())
        7
        """
        p = self._problem
        return pd.DataFrame(
            {
                "id": list(p.ids),
                "title": list(p.titles),
                "owner": list(p.owners),
                "selected": self._x.copy(),
                "mandatory": p.mandatory.copy(),
                "value": p.value.copy(),
                "cost": p.cost.copy(),
                "effort_days": p.effort.copy(),
            }
        )

    def constraints(self) -> pd.DataFrame:
        """Use, limit and slack of each resource constraint, and whether it binds.

        A constraint *binds* when it keeps out an improvement with value: some unselected
        improvement (with the prerequisites it still lacks) needs more of it than is left.

        Returns
        -------
        DataFrame
            Columns ``constraint, used, limit, slack, binding, blocks`` (``blocks`` lists
            the improvements it keeps out).

        Examples
        --------
        >>> import frictionkit as fk
        >>> plan = fk.portfolio.optimise_portfolio(fk.datasets.load_autoparts(), budget=60_000)
        >>> plan.constraints()["binding"].tolist()
        [True, False, False, False, True, True]
        """
        p = self._problem
        rows: list[dict[str, Any]] = []
        resources: list[tuple[str, FloatArray, float]] = []
        if p.budget is not None:
            resources.append(("budget", p.cost, p.budget))
        for owner, days in p.capacity.items():
            per = np.where(np.array([o == owner for o in p.owners]), p.effort, 0.0)
            resources.append((f"capacity[{owner}]", per, days))
        chosen = set(np.flatnonzero(self._x).tolist())
        for name, per, limit in resources:
            used = float(per[self._x].sum())
            slack = limit - used
            blocks = []
            for k in range(p.n):
                if k in chosen or p.value[k] <= 0:
                    continue
                extra = p.closure([k]) - chosen
                if float(per[sorted(extra)].sum()) > slack * (1 + _REL_TOL) + 1e-12:
                    blocks.append(p.ids[k])
            rows.append(
                {
                    "constraint": name,
                    "used": used,
                    "limit": limit,
                    "slack": slack,
                    "binding": bool(blocks),
                    "blocks": tuple(blocks),
                }
            )
        return pd.DataFrame(
            rows, columns=["constraint", "used", "limit", "slack", "binding", "blocks"]
        )

    # -- what-if -------------------------------------------------------------------
    def _resolve(self, p: _Problem) -> _Solution | None:
        return _solve(p, time_limit_s=self._time_limit_s, tie_break=False)

    def marginal_value(self, resource: str = "budget", delta: float = 1.0) -> float:
        """Exact value of ``delta`` more units of one resource, by solving again.

        An integer program has no dual prices: the value of one more unit is a step
        function. This re-solves the whole problem with the limit raised by ``delta`` and
        returns the gain in optimal value (0 when the extra does not change the plan).

        Parameters
        ----------
        resource : str, default "budget"
            ``"budget"`` or an owner id with a capacity.
        delta : float, default 1.0
            Extra units (money for the budget, days for an owner); > 0.

        Returns
        -------
        float

        Examples
        --------
        >>> import frictionkit as fk
        >>> plan = fk.portfolio.optimise_portfolio(fk.datasets.load_autoparts(), budget=60_000)
        >>> plan.marginal_value("budget", 6_000)
        60000.0
        >>> plan.marginal_value("it", 10)
        0.0
        """
        p = self._problem
        d_any: Any = delta
        if isinstance(d_any, bool) or not isinstance(d_any, (int, float)) or not delta > 0:
            raise ValidationError(f"delta must be > 0, got {delta!r}", field="delta", value=delta)
        if resource == "budget":
            if p.budget is None:
                raise ValidationError(
                    "the plan has no budget limit, so more budget changes nothing",
                    field="resource",
                    value=resource,
                    hint="Solve with budget=... first",
                )
            q = p.with_limits(budget=p.budget + delta)
        elif resource in p.capacity:
            cap = dict(p.capacity)
            cap[resource] += delta
            q = p.with_limits(capacity=cap)
        else:
            pool = ["budget", *p.capacity]
            raise UnknownReferenceError(
                f"unknown resource {resource!r}" + did_you_mean(resource, pool),
                field="resource",
                value=resource,
                hint=f"Use one of {', '.join(map(repr, pool))}",
            )
        sol = self._resolve(q)
        assert sol is not None  # more of a resource keeps the plan feasible
        return max(float(p.value[sol.x].sum()) - self.value, 0.0)

    def marginals(self, *, budget_delta: float = 1.0, days_delta: float = 1.0) -> pd.DataFrame:
        """Exact value of more budget and of more days for each owner (see marginal_value).

        Parameters
        ----------
        budget_delta : float, default 1.0
            Extra money.
        days_delta : float, default 1.0
            Extra days per owner.

        Returns
        -------
        DataFrame
            Columns ``resource, delta, value_gain``.

        Examples
        --------
        >>> import frictionkit as fk
        >>> plan = fk.portfolio.optimise_portfolio(fk.datasets.load_autoparts(), budget=60_000)
        >>> plan.marginals(budget_delta=5_000, days_delta=5)["value_gain"].tolist()
        [60000.0, 0.0, 0.0, 0.0, 0.0, 0.0]
        """
        rows = []
        if self._problem.budget is not None:
            rows.append(("budget", budget_delta, self.marginal_value("budget", budget_delta)))
        for owner in self._problem.capacity:
            rows.append((owner, days_delta, self.marginal_value(owner, days_delta)))
        return pd.DataFrame(rows, columns=["resource", "delta", "value_gain"])

    def next_budget_step(self) -> BudgetStep | None:
        """The smallest budget increase after which a more valuable plan exists.

        Solves exactly for the cheapest plan worth more than this one (all other
        constraints kept), then the best plan at that budget.

        Returns
        -------
        BudgetStep or None
            ``None`` when the plan has no budget or no more value can be reached.

        Examples
        --------
        >>> import frictionkit as fk
        >>> plan = fk.portfolio.optimise_portfolio(fk.datasets.load_autoparts(), budget=60_000)
        >>> step = plan.next_budget_step()
        >>> step.budget, step.entering, step.leaving
        (64500.0, ('cad_library',), ())
        """
        p = self._problem
        if p.budget is None or self.status != "optimal":
            return None
        x = _cheapest_better(p, self._x, self._time_limit_s)
        if x is None:
            return None
        new_budget = float(p.cost[x].sum())
        sol = _solve(p.with_limits(budget=new_budget), time_limit_s=self._time_limit_s)
        if sol is None:  # pragma: no cover
            return None
        now = set(self.selected)
        later = [p.ids[k] for k in np.flatnonzero(sol.x)]
        return BudgetStep(
            budget=new_budget,
            extra_budget=new_budget - p.budget,
            value_gain=float(p.value[sol.x].sum()) - self.value,
            entering=tuple(i for i in later if i not in now),
            leaving=tuple(i for i in self.selected if i not in set(later)),
        )

    def why_not(
        self,
        id: str,
        *,
        exact: bool = True,
        improvement_labels: Mapping[str, str] | None = None,
        owner_labels: Mapping[str, str] | None = None,
    ) -> str:
        """Explain in plain language why an improvement is in or out of the plan.

        The reasons checked, in order: it brings no value; an alternative it excludes is
        in the plan; it cannot fit even with only the must-dos (which resource, by how
        much); otherwise the exact cost of forcing it in: what it needs that is out, the
        value it adds and what it would displace (found by solving again with it forced).

        Parameters
        ----------
        id : str
            Improvement id.
        exact : bool, default True
            ``False`` skips the solve with the improvement forced in: the answer then
            gives what is out of the plan that it needs and the resources it does not
            fit, but not what forcing it in would displace. Costs no solve.
        improvement_labels : mapping of str to str, optional
            Labels (titles) by improvement id: an improvement with one is written
            ``"Title (id)"``, and a list of them with "and" before the last; the others
            keep their quoted id.
        owner_labels : mapping of str to str, optional
            Labels by owner id: a capacity reads ``"days of Sales"`` instead of ``"days of
            'sales'"``.

        Returns
        -------
        str

        Raises
        ------
        UnknownReferenceError
            ``id`` is not an improvement of the plan.
        InputTypeError
            Labels that are not a mapping of str to str.

        Examples
        --------
        >>> import frictionkit as fk
        >>> plan = fk.portfolio.optimise_portfolio(fk.datasets.load_autoparts(), budget=60_000)
        >>> print(plan.why_not("sales_training"))
        'sales_training' is out: it excludes 'guided_selling', which is in the plan (value 90,000 vs 50,000).
        >>> titles = {"sales_training": "Sales training", "guided_selling": "Guided selling"}
        >>> print(plan.why_not("sales_training", improvement_labels=titles))
        Sales training (sales_training) is out: it excludes Guided selling (guided_selling), which is in the plan (value 90,000 vs 50,000).
        """  # noqa: E501
        names = _Names(
            _label_map(improvement_labels, "improvement_labels"),
            _label_map(owner_labels, "owner_labels"),
        )
        p = self._problem
        k = p.index(id)
        if self._x[k]:
            why = "it is mandatory" if p.mandatory[k] else "it is part of the optimal plan"
            if not p.mandatory[k] and any(k in p.requires[j] and self._x[j] for j in range(p.n)):
                users = [p.ids[j] for j in range(p.n) if k in p.requires[j] and self._x[j]]
                why += f" (and {names.improvement_list(users)} require it)"
            return f"{names.improvement(id)} is in the plan: {why}."
        head = f"{names.improvement(id)} is out: "
        if p.value[k] <= 0:
            return head + f"it brings no value under the objective {p.objective!r}."
        rivals = [j for j in sorted(p.excludes[k]) if self._x[j]]
        if rivals:
            j = rivals[0]
            return head + (
                f"it excludes {names.improvement(p.ids[j])}, which is in the plan "
                f"(value {number_text(p.value[j])} vs {number_text(p.value[k])})."
            )
        chosen = set(np.flatnonzero(self._x).tolist())
        need = p.closure([k])
        missing_req = sorted(need - chosen - {k})
        blocked = [
            (r, j) for r in sorted(need) for j in sorted(p.excludes[r]) if j in chosen and r != k
        ]
        parts: list[str] = []
        if missing_req:
            parts.append(
                f"it requires {names.improvement_list(p.ids[r] for r in missing_req)}, which "
                + ("is" if len(missing_req) == 1 else "are")
                + " out of the plan"
            )
        if blocked:
            r, j = blocked[0]
            parts.append(
                f"its prerequisite {names.improvement(p.ids[r])} excludes "
                f"{names.improvement(p.ids[j])}, which is in"
            )
        over = _overflow(p, [*np.flatnonzero(p.mandatory).tolist(), k])
        if over is not None:
            parts.append(
                "it does not fit even with only the mandatory items: with its prerequisites"
                " and the mandatory items it needs " + _describe(*over[:3], owner=names.owner)
            )
            return head + "; ".join(parts) + "."
        if not exact:
            tight = self._tight(sorted(need - chosen), names)
            if tight:
                parts.append("it does not fit what is left (" + "; ".join(tight) + ")")
            if not parts:
                parts.append(
                    "a plan with it is worth no more (ties go to the lower cost, then to "
                    "the improvements listed first)"
                    if self.status == "optimal"
                    else "the solver stopped at its time limit before finding a plan with it"
                )
            return head + "; ".join(parts) + "."
        sol = _solve(p, time_limit_s=self._time_limit_s, tie_break=False, force=[k])
        if sol is None:  # pragma: no cover - diagnosed above
            return head + "; ".join(parts) + "."
        forced_value = float(p.value[sol.x].sum())
        forced_cost = float(p.cost[sol.x].sum())
        if forced_value >= self.value - max(abs(self.value) * 1e-12, 1e-12):
            if forced_cost > self.cost * (1 + _REL_TOL) + 1e-12:
                parts.append(
                    f"a plan with it is worth as much ({number_text(forced_value)}) but costs "
                    f"{forced_cost:,.6g} vs {self.cost:,.6g}; ties go to the lower cost"
                )
            else:
                parts.append(
                    f"a plan with it is worth as much ({number_text(forced_value)}) at the same"
                    " cost;"
                    " ties go to the improvements listed first"
                )
            return head + "; ".join(parts) + "."
        tight = self._tight(sorted(need - chosen), names)
        if tight:
            parts.append("it does not fit what is left (" + "; ".join(tight) + ")")
        now = set(chosen)
        after = set(np.flatnonzero(sol.x).tolist())
        gone = sorted(now - after)
        came = sorted(after - now)
        gained = float(p.value[came].sum())
        lost = float(p.value[gone].sum())
        move = f"forcing it in adds {number_text(gained)}"
        if len(came) > 1:
            move += f" (with {names.improvement_list(p.ids[c] for c in came if c != k)})"
        if gone:
            displaced = names.improvement_list(p.ids[g] for g in gone)
            move += f" but displaces {displaced} worth {number_text(lost)}"
        move += f": the best plan with it is worth {number_text(self.value - forced_value)} less"
        parts.append(move)
        return head + "; ".join(parts) + "."

    def _tight(self, add: list[int], names: _Names) -> list[str]:
        """The resources that adding ``add`` to the plan would overflow, as text."""
        p = self._problem
        tight = []
        if p.budget is not None:
            left = p.budget - self.cost
            extra = float(p.cost[add].sum())
            if extra > left * (1 + _REL_TOL) + 1e-12:
                tight.append(f"needs {extra:,.6g} of budget, {left:,.6g} is left")
        for owner, days in p.capacity.items():
            extra = float(sum(p.effort[a] for a in add if p.owners[a] == owner))
            left = days - self.effort_days.get(owner, 0.0)
            if extra > left * (1 + _REL_TOL) + 1e-12:
                tight.append(f"needs {extra:,.1f} days of {names.owner(owner)}, {left:,.1f} left")
        return tight

    def explain(
        self,
        *,
        exact_limit: int | None = None,
        improvement_labels: Mapping[str, str] | None = None,
        owner_labels: Mapping[str, str] | None = None,
    ) -> pd.DataFrame:
        """:meth:`why_not` for every improvement, as a table.

        Each excluded improvement explained exactly costs one solve, so a plan over
        thousands of improvements is best explained with ``exact_limit``.

        Parameters
        ----------
        exact_limit : int, optional
            Explain exactly (``why_not(id)``) only this many excluded improvements, the
            most valuable first (ties in input order); the others get the answer of
            ``why_not(id, exact=False)``, which costs no solve. ``None`` explains every
            one exactly. Plans over at most 14 improvements are always explained
            exactly: their solves check a cached list of every possible plan, at little
            cost.
        improvement_labels, owner_labels : mapping of str to str, optional
            Labels by improvement id and by owner id, used in the reasons as by
            :meth:`why_not`.

        Returns
        -------
        DataFrame
            Columns ``id, selected, reason``.

        Examples
        --------
        >>> import frictionkit as fk
        >>> plan = fk.portfolio.optimise_portfolio(fk.datasets.load_autoparts(), budget=60_000)
        >>> plan.explain().shape
        (12, 3)
        """
        p = self._problem
        given: Any = exact_limit
        if given is not None and (
            isinstance(given, bool) or not isinstance(given, int) or given < 0
        ):
            raise ValidationError(
                f"exact_limit must be a whole number >= 0 or None, got {exact_limit!r}",
                field="exact_limit",
                value=exact_limit,
            )
        out = np.flatnonzero(~self._x)
        ranked = out[np.lexsort((out, -p.value[out]))]
        limit = len(ranked) if exact_limit is None or p.n <= _ENUM_MAX else exact_limit
        exact = set(ranked[:limit].tolist())
        return pd.DataFrame(
            {
                "id": list(p.ids),
                "selected": self._x.copy(),
                "reason": [
                    self.why_not(
                        i,
                        exact=k in exact,
                        improvement_labels=improvement_labels,
                        owner_labels=owner_labels,
                    )
                    for k, i in enumerate(p.ids)
                ],
            }
        )
