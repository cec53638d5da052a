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
positions (earlier improvements preferred).

Examples
--------
>>> import frictionkit as fk
>>> from frictionkit.portfolio import optimise_portfolio
>>> plan = optimise_portfolio(fk.datasets.load_autoparts(), budget=60_000)
>>> plan.status, plan.value, plan.cost
('optimal', 540000.0, 58500.0)
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from frictionkit.estimates import Estimate
from frictionkit.exceptions import (
    CycleError,
    DataError,
    DuplicateIdError,
    InfeasibleError,
    InputTypeError,
    MissingColumnError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from frictionkit.model import Journey, _find_cycle

__all__ = ["BudgetStep", "Plan", "frontier", "optimise_portfolio"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Objective = str | Mapping[str, float] | pd.Series

_SCALE = 1e6  # objective coefficients are scaled to at most this (see _solve)
_REL_TOL = 1e-9


# ---------------------------------------------------------------------------------------
# the validated problem


@attrs.frozen(kw_only=True)
class _Problem:
    ids: tuple[str, ...]
    titles: tuple[str, ...]
    owners: tuple[str, ...]
    value: FloatArray
    cost: FloatArray
    effort: FloatArray
    requires: tuple[tuple[int, ...], ...]
    excludes: tuple[frozenset[int], ...]
    mandatory: BoolArray
    budget: float | None
    capacity: Mapping[str, float]
    objective: str

    @property
    def n(self) -> int:
        return len(self.ids)

    def index(self, id: str) -> int:
        try:
            return self.ids.index(id)
        except ValueError:
            raise UnknownReferenceError(
                f"no improvement with id {id!r}" + did_you_mean(id, self.ids),
                field="id",
                value=id,
                hint=f"Known ids: {', '.join(map(repr, self.ids[:12]))}"
                + (" …" if self.n > 12 else ""),
            ) from None

    def closure(self, items: Iterable[int]) -> set[int]:
        """The items plus everything they require, directly or not."""
        out: set[int] = set()
        stack = list(items)
        while stack:
            cur = stack.pop()
            if cur not in out:
                out.add(cur)
                stack.extend(self.requires[cur])
        return out

    def must(self) -> set[int]:
        return self.closure(np.flatnonzero(self.mandatory).tolist())

    def groups(self) -> list[tuple[int, ...]]:
        """Exclusion pairs merged greedily into cliques (each a valid ``<= 1`` row)."""
        done: set[tuple[int, int]] = set()
        out: list[tuple[int, ...]] = []
        for a in range(self.n):
            for b in sorted(self.excludes[a]):
                if b <= a or (a, b) in done:
                    continue
                clique = [a, b]
                for c in sorted(self.excludes[a] & self.excludes[b]):
                    if c > b and all(c in self.excludes[k] for k in clique):
                        clique.append(c)
                for i, p in enumerate(clique):
                    for q in clique[i + 1 :]:
                        done.add((min(p, q), max(p, q)))
                out.append(tuple(clique))
        return out

    def with_limits(
        self, *, budget: float | None = None, capacity: Mapping[str, float] | None = None
    ) -> _Problem:
        return attrs.evolve(
            self,
            budget=self.budget if budget is None else budget,
            capacity=self.capacity if capacity is None else capacity,
        )


def _quantity_mean(v: Any) -> Any:
    return v.mean if isinstance(v, Estimate) else v


def _id_list(value: Any, field: str, row: str) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, (list, tuple, np.ndarray, set, frozenset)):
        items = list(value)
        for item in items:
            if not isinstance(item, str):
                raise InputTypeError(
                    f"{field} of {row!r} must list ids as text, got {item!r}",
                    field=field,
                    value=value,
                )
        return tuple(items)
    raise InputTypeError(
        f"{field} of {row!r} must be a list of ids, got {value!r}", field=field, value=value
    )


def _numeric(frame: pd.DataFrame, col: str, field: str) -> FloatArray:
    raw = frame[col]
    values = pd.to_numeric(raw.map(_quantity_mean), errors="coerce")
    bad_type = values.isna() & raw.notna()
    if bad_type.any():
        raise DataError(
            f"column {field!r} must hold numbers; {int(bad_type.sum())} row(s) do not",
            field=field,
            value=raw[bad_type].iloc[0],
            failure_cases=frame.loc[bad_type],
        )
    return np.asarray(values.to_numpy(dtype=float, na_value=np.nan), dtype=float)


def _check_nonneg(frame: pd.DataFrame, arr: FloatArray, field: str, *, nan_ok: BoolArray) -> None:
    bad = (np.isnan(arr) & ~nan_ok) | np.isinf(arr) | (arr < 0)
    if bad.any():
        first = arr[bad][0]
        kind = "missing" if np.isnan(first) else f"{first:g}"
        raise DataError(
            f"{field} must be a finite number >= 0 for every improvement; "
            f"{int(bad.sum())} row(s) are not (first: {kind})",
            field=field,
            value=first,
            failure_cases=frame.loc[bad],
            hint="Fill in the missing figures or drop those improvements",
        )


def _objective_values(
    frame: pd.DataFrame, objective: Objective, ids: tuple[str, ...]
) -> tuple[FloatArray, str]:
    if isinstance(objective, str):
        col = "impact" if objective == "value" else objective
        if col not in frame.columns:
            numeric = [c for c in frame.columns if c not in {"id", "title", "owner"}]
            raise MissingColumnError(
                f"objective {objective!r} is not a column of the improvements"
                + did_you_mean(objective, ["value", *numeric]),
                field="objective",
                value=objective,
                hint="Use 'value' (the impact), a numeric column, or a mapping id -> score",
            )
        return _numeric(frame, col, f"objective {objective!r}"), objective
    if isinstance(objective, pd.Series):
        mapping: Mapping[Any, Any] = objective.to_dict()
        name = str(objective.name) if objective.name is not None else "score"
    elif isinstance(objective, Mapping):
        mapping = objective
        name = "score"
    else:
        raise InputTypeError(
            f"objective must be 'value', a column name, a mapping or a Series, got "
            f"{type(objective).__name__}",
            field="objective",
            value=objective,
        )
    unknown = [k for k in mapping if k not in set(ids)]
    if unknown:
        raise UnknownReferenceError(
            f"objective scores name unknown improvement {unknown[0]!r}"
            + did_you_mean(unknown[0], ids),
            field="objective",
            value=unknown[0],
        )
    out = np.full(len(ids), np.nan)
    for i, id_ in enumerate(ids):
        if id_ in mapping and mapping[id_] is not None:
            v = mapping[id_]
            if isinstance(v, bool) or not isinstance(v, (int, float, np.number)):
                raise InputTypeError(
                    f"objective score of {id_!r} must be a number, got {v!r}",
                    field="objective",
                    value=v,
                )
            out[i] = float(v)
    return out, name


def _capacity_map(value: Any, field: str) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise InputTypeError(
            f"{field} must map owner ids to days, got {type(value).__name__}",
            field=field,
            value=value,
            hint="For example capacity={'it': 60, 'sales': 30}",
        )
    out: dict[str, float] = {}
    for key, days in value.items():
        if isinstance(days, bool) or not isinstance(days, (int, float, np.number)):
            raise InputTypeError(
                f"{field}[{key!r}] must be a number of days, got {days!r}",
                field=field,
                value=days,
            )
        d = float(days)
        if math.isnan(d) or d < 0:
            raise ValidationError(
                f"{field}[{key!r}] must be >= 0 days, got {d:g}",
                field=field,
                value=d,
                hint="Use float('inf') for an owner without a staff limit",
            )
        out[str(key)] = d
    return out


def _load(
    source: Journey | pd.DataFrame,
    *,
    objective: Objective,
    budget: float | None,
    capacity: Mapping[str, float] | None,
) -> _Problem:
    known_owners: list[str] | None = None
    if isinstance(source, Journey):
        frame = source.to_frames()["improvements"]
        known_owners = [o.id for o in source.owners]
        if capacity is None:
            capacity = {o.id: o.capacity_days for o in source.owners if o.capacity_days is not None}
    elif isinstance(source, pd.DataFrame):
        frame = source
    else:
        raise InputTypeError(
            f"expected a Journey or a DataFrame of improvements, got {type(source).__name__}",
            field="journey_or_improvements",
            value=type(source).__name__,
            hint="Pass frictionkit.datasets.load_autoparts() or journey.to_frames()"
            "['improvements']",
        )
    for col in ("id", "owner", "cost", "effort_days"):
        if col not in frame.columns:
            raise MissingColumnError(
                f"the improvements table has no {col!r} column"
                + did_you_mean(col, map(str, frame.columns)),
                field=col,
                value=col,
                hint="Use the columns of Journey.to_frames()['improvements']",
            )
    frame = frame.reset_index(drop=True)
    ids = tuple(str(v) for v in frame["id"])
    for i, raw in enumerate(frame["id"]):
        if not isinstance(raw, str) or not raw.strip():
            raise DataError(
                f"improvement ids must be non-empty text, got {raw!r}",
                field="id",
                value=raw,
                failure_cases=frame.iloc[[i]],
            )
    dup = pd.Series(ids).duplicated()
    if dup.any():
        first = ids[int(np.flatnonzero(dup.to_numpy())[0])]
        raise DuplicateIdError(
            f"two improvements share the id {first!r}",
            field="id",
            value=first,
            hint="Give each one its own id",
        )
    owners = tuple(str(v) for v in frame["owner"])
    titles = (
        tuple(
            str(t) if isinstance(t, str) and t else i
            for t, i in zip(frame["title"], ids, strict=True)
        )
        if "title" in frame.columns
        else ids
    )
    mandatory_col = (
        frame["mandatory"] if "mandatory" in frame.columns else pd.Series([False] * len(ids))
    )
    mandatory = np.zeros(len(ids), dtype=bool)
    for i, m in enumerate(mandatory_col):
        if not isinstance(m, (bool, np.bool_)):
            raise DataError(
                f"mandatory must be true or false, got {m!r} for {ids[i]!r}",
                field="mandatory",
                value=m,
                failure_cases=frame.iloc[[i]],
            )
        mandatory[i] = bool(m)
    cost = _numeric(frame, "cost", "cost")
    effort = _numeric(frame, "effort_days", "effort_days")
    none_ok = np.zeros(len(ids), dtype=bool)
    _check_nonneg(frame, cost, "cost", nan_ok=none_ok)
    _check_nonneg(frame, effort, "effort_days", nan_ok=none_ok)
    value, obj_name = _objective_values(frame, objective, ids)
    _check_nonneg(frame, value, f"objective {obj_name!r}", nan_ok=mandatory)
    value = np.nan_to_num(value, nan=0.0)

    position = {id_: i for i, id_ in enumerate(ids)}
    links: dict[str, tuple[tuple[str, ...], ...]] = {}
    for name in ("requires", "excludes"):
        cells: Any = frame[name] if name in frame.columns else [None] * len(ids)
        lists = tuple(_id_list(v, name, ids[i]) for i, v in enumerate(cells))
        for i, lst in enumerate(lists):
            for other in lst:
                if other not in position:
                    raise UnknownReferenceError(
                        f"{name} of {ids[i]!r} refers to unknown improvement {other!r}"
                        + did_you_mean(other, ids),
                        field=name,
                        value=other,
                    )
                if other == ids[i]:
                    raise ValidationError(
                        f"improvement {ids[i]!r} lists itself in {name}",
                        field=name,
                        value=other,
                    )
        links[name] = lists
    for i, (req, exc) in enumerate(zip(links["requires"], links["excludes"], strict=True)):
        both = sorted(set(req) & set(exc))
        if both:
            raise ValidationError(
                f"improvement {ids[i]!r} both requires and excludes {both[0]!r}",
                field="excludes",
                value=both[0],
                hint="Keep it in one list only",
            )
    cycle = _find_cycle({ids[i]: links["requires"][i] for i in range(len(ids))})
    if cycle:
        raise CycleError(
            f"improvements require each other in a cycle: {' -> '.join(cycle)}",
            cycle=tuple(cycle),
            field="requires",
            value=tuple(cycle),
            hint="Remove one of these requirements",
        )
    requires = tuple(tuple(position[o] for o in lst) for lst in links["requires"])
    excl: list[set[int]] = [set() for _ in ids]
    for i, lst in enumerate(links["excludes"]):
        for other in lst:
            excl[i].add(position[other])
            excl[position[other]].add(i)

    # capacity and budget
    cap: dict[str, float] = {}
    if capacity is not None:
        cap = _capacity_map(capacity, "capacity")
        pool = sorted(set(owners) | set(known_owners or ()))
        for key in cap:
            if key not in pool:
                raise UnknownReferenceError(
                    f"capacity names unknown owner {key!r}" + did_you_mean(key, pool),
                    field="capacity",
                    value=key,
                    hint=f"Owners: {', '.join(map(repr, pool))}",
                )
        missing = [o for o in dict.fromkeys(owners) if o not in cap]
        if cap and missing:
            raise ValidationError(
                f"owner {missing[0]!r} has no capacity while others have one"
                + (f" (also missing: {', '.join(map(repr, missing[1:]))})" if missing[1:] else ""),
                field="capacity",
                value=missing[0],
                hint="Give every owner a capacity in days (float('inf') for no limit), "
                "or pass capacity={} to plan without staff limits",
            )
        cap = {k: v for k, v in cap.items() if math.isfinite(v)}
    bud: float | None = None
    if budget is not None:
        if isinstance(budget, bool) or not isinstance(budget, (int, float, np.number)):
            raise InputTypeError(
                f"budget must be a number, got {budget!r}", field="budget", value=budget
            )
        bud = float(budget)
        if math.isnan(bud) or bud < 0:
            raise ValidationError(
                f"budget must be >= 0, got {bud:g}",
                field="budget",
                value=bud,
                hint="Give the money available for the plan, or None for no budget limit",
            )
        if math.isinf(bud):
            bud = None
    prob = _Problem(
        ids=ids,
        titles=titles,
        owners=owners,
        value=value,
        cost=cost,
        effort=effort,
        requires=requires,
        excludes=tuple(frozenset(s) for s in excl),
        mandatory=mandatory,
        budget=bud,
        capacity=cap,
        objective=obj_name,
    )
    _check_never_possible(prob)
    return prob


def _check_never_possible(p: _Problem) -> None:
    """Improvements that need two items excluding each other; must-dos that clash."""
    for i in range(p.n):
        need = p.closure([i])
        for a in sorted(need):
            clash = sorted(p.excludes[a] & need)
            if clash:
                raise ValidationError(
                    f"improvement {p.ids[i]!r} can never be done: it needs both "
                    f"{p.ids[a]!r} and {p.ids[clash[0]]!r}, which exclude each other",
                    field="excludes",
                    value=(p.ids[a], p.ids[clash[0]]),
                    hint="Drop the exclusion or one of the requirements",
                )
    must = p.must()
    for a in sorted(must):
        clash = sorted(p.excludes[a] & must)
        if clash:
            b = clash[0]
            raise InfeasibleError(
                f"mandatory improvements clash: {p.ids[a]!r} and {p.ids[b]!r} exclude each "
                "other but both must be done",
                conflicts=(f"excludes[{p.ids[a]}|{p.ids[b]}]", *_mandatory_names(p, {a, b})),
                field="mandatory",
                value=(p.ids[a], p.ids[b]),
                hint="Make one of them optional or drop the exclusion",
            )


def _mandatory_names(p: _Problem, needed: set[int]) -> tuple[str, ...]:
    """Names of the mandatory items whose closure covers ``needed``."""
    out = []
    for m in np.flatnonzero(p.mandatory).tolist():
        if p.closure([m]) & needed:
            out.append(f"mandatory[{p.ids[m]}]")
    return tuple(out)


def _overflow(p: _Problem, items: Sequence[int]) -> tuple[str, float, float, list[int]] | None:
    """The first resource that ``items`` (with their prerequisites) overflow, if any."""
    need = sorted(p.closure(items))
    if p.budget is not None:
        used = float(p.cost[need].sum())
        if used > p.budget * (1 + _REL_TOL) + 1e-12:
            return ("budget", used, p.budget, need)
    for owner, days in p.capacity.items():
        used = float(sum(p.effort[k] for k in need if p.owners[k] == owner))
        if used > days * (1 + _REL_TOL) + 1e-12:
            return (f"capacity[{owner}]", used, days, need)
    return None


def _describe(name: str, used: float, limit: float) -> str:
    if name == "budget":
        return f"{used:,.6g}, more than the budget ({limit:,.6g})"
    return f"{used:,.1f} days of {name[9:-1]!r}, more than its capacity ({limit:,.1f} days)"


def _diagnose(p: _Problem, extra: Sequence[int] = ()) -> InfeasibleError | None:
    """Why the must-dos (plus ``extra``) cannot all fit; ``None`` when they do.

    Every constraint is ``<=`` with non-negative coefficients, so a plan exists exactly when
    the mandatory items with everything they require fit the budget and every capacity.
    A deletion filter then keeps an irreducible set of items that still overflows the
    resource.
    """
    forced = [int(m) for m in np.flatnonzero(p.mandatory)] + [int(e) for e in extra]
    over = _overflow(p, forced)
    if over is None:
        return None
    name = over[0]
    keep = list(forced)
    for item in list(forced):
        trial = [k for k in keep if k != item]
        again = _overflow(p, trial)
        if again is not None and again[0] == name:
            keep = trial
    final = _overflow(p, keep)
    assert final is not None
    _, used, limit, need = final
    conflicts = (
        name,
        *(f"mandatory[{p.ids[k]}]" for k in keep if p.mandatory[k]),
        *(f"forced[{p.ids[k]}]" for k in keep if not p.mandatory[k]),
        *(f"requires[{p.ids[a]}->{p.ids[b]}]" for a in need for b in p.requires[a]),
    )
    items = ", ".join(repr(p.ids[k]) for k in keep)
    extra_req = [p.ids[k] for k in need if k not in keep]
    with_req = f" (with what they require: {', '.join(extra_req)})" if extra_req else ""
    return InfeasibleError(
        f"no plan is possible: {items} must be done{with_req} and need "
        + _describe(name, used, limit),
        conflicts=conflicts,
        field=name,
        value=used,
        hint="Raise the limit, or make one of these improvements optional",
    )


# ---------------------------------------------------------------------------------------
# solving


@attrs.frozen
class _Solution:
    x: BoolArray
    status: Literal["optimal", "time_limit"]
    bound: float
    gap: float
    seconds: float


def _rows(p: _Problem) -> tuple[list[sparse.csr_array], list[float], list[str]]:
    """Constraint rows ``A x <= b`` of the model, each with a name."""
    n = p.n
    mats: list[sparse.csr_array] = []
    ubs: list[float] = []
    names: list[str] = []
    if p.budget is not None:
        mats.append(sparse.csr_array(p.cost.reshape(1, n)))
        ubs.append(p.budget)
        names.append("budget")
    for owner, days in p.capacity.items():
        row = np.where(np.array([o == owner for o in p.owners]), p.effort, 0.0)
        mats.append(sparse.csr_array(row.reshape(1, n)))
        ubs.append(days)
        names.append(f"capacity[{owner}]")
    pairs = [(a, b) for a in range(n) for b in p.requires[a]]
    if pairs:
        r = np.arange(len(pairs))
        a_idx = np.array([a for a, _ in pairs])
        b_idx = np.array([b for _, b in pairs])
        data = np.concatenate([np.ones(len(pairs)), -np.ones(len(pairs))])
        mats.append(
            sparse.csr_array(
                (data, (np.concatenate([r, r]), np.concatenate([a_idx, b_idx]))),
                shape=(len(pairs), n),
            )
        )
        ubs.extend([0.0] * len(pairs))
        names.extend(f"requires[{p.ids[a]}->{p.ids[b]}]" for a, b in pairs)
    groups = p.groups()
    if groups:
        rows = np.concatenate([np.full(len(g), k) for k, g in enumerate(groups)])
        cols = np.concatenate([np.array(g) for g in groups])
        mats.append(sparse.csr_array((np.ones(len(cols)), (rows, cols)), shape=(len(groups), n)))
        ubs.extend([1.0] * len(groups))
        names.extend("excludes[" + "|".join(p.ids[k] for k in g) + "]" for g in groups)
    return mats, ubs, names


def _milp(
    c: FloatArray,
    p: _Problem,
    extra: Sequence[tuple[FloatArray, float, float]],
    lb: FloatArray,
    time_limit_s: float,
    ub: FloatArray | None = None,
) -> Any:
    mats, ubs, _ = _rows(p)
    cons: list[LinearConstraint] = []
    if mats:
        cons.append(LinearConstraint(sparse.vstack(mats).tocsr(), -np.inf, np.array(ubs)))
    for row, lo, hi in extra:
        cons.append(LinearConstraint(row.reshape(1, -1), lo, hi))
    return milp(
        c,
        integrality=np.ones(p.n),
        bounds=Bounds(lb, np.ones(p.n) if ub is None else ub),
        constraints=cons,
        options={"time_limit": max(time_limit_s, 0.01), "mip_rel_gap": 0.0, "presolve": True},
    )


def _reduce(p: _Problem, lb: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Fix variables that no optimal plan can flip (budget-only problems).

    Dembo and Hammer's reduction: with ``r`` the value per cost of the critical item of the
    LP relaxation, ``U`` its bound and ``L`` the value of the greedy plan, any plan that
    flips item ``j`` away from its LP value is worth at most ``U - |v_j - r c_j|``; when
    that is below ``L`` the item is fixed. Exact: only plans worth less than a known plan
    are cut, so every optimal plan (and every tie) survives.
    """
    lb = lb.copy()
    ub = np.ones(p.n)
    if p.budget is None or p.capacity or any(p.requires) or any(p.excludes) or p.n < 50:
        return lb, ub
    fixed = lb > 0
    room = p.budget - float(p.cost[fixed].sum())
    pool = np.flatnonzero(~fixed & (p.value > 0))
    if room < 0 or pool.size == 0:
        return lb, ub
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(p.cost[pool] > 0, p.value[pool] / p.cost[pool], np.inf)
    order = pool[np.argsort(-ratio, kind="stable")]
    cum = np.cumsum(p.cost[order])
    s = int(np.searchsorted(cum, room, side="right"))
    if s >= order.size:
        return lb, ub  # everything fits: nothing to reduce
    crit = order[s]
    r = float(p.value[crit] / p.cost[crit])
    before = float(cum[s - 1]) if s else 0.0
    upper = float(p.value[order[:s]].sum()) + (room - before) * r
    left = room
    lower = 0.0
    for k in order:
        if p.cost[k] <= left:
            left -= p.cost[k]
            lower += p.value[k]
    d = p.value[pool] - r * p.cost[pool]
    margin = 1e-9 * max(abs(upper), 1.0)
    cut = upper - np.abs(d) < lower - margin
    lb[pool[cut & (d > 0)]] = 1.0
    ub[pool[cut & (d < 0)]] = 0.0
    return lb, ub


def _scaled(v: FloatArray) -> tuple[FloatArray, float]:
    top = float(v.max()) if v.size else 0.0
    s = _SCALE / top if top > 0 else 1.0
    return v * s, s


def _solve(
    p: _Problem,
    *,
    time_limit_s: float,
    tie_break: bool = True,
    force: Sequence[int] = (),
) -> _Solution | None:
    """Exact lexicographic solve: max value, then min cost, then earliest positions.

    Returns ``None`` when no plan exists (callers diagnose with :func:`_diagnose`).
    Objective coefficients are scaled so the largest is ``1e6``: HiGHS stops at an
    absolute gap of ``1e-6``, so the proven optimum is exact to ``1e-12`` of the largest
    value.
    """
    t0 = time.perf_counter()
    if _diagnose(p, force) is not None:
        return None
    lb = p.mandatory.astype(float)
    lb[list(force)] = 1.0
    lb, ub = _reduce(p, lb)
    sv, s_v = _scaled(p.value)
    res = _milp(-sv, p, (), lb, time_limit_s, ub)
    if res.x is None:
        if res.status == 2:
            return None
        # no incumbent within the time limit: fall back on the greedy ratio plan
        budget = np.array([math.inf if p.budget is None else p.budget])
        x = _greedy_select(p, budget, forced=[int(k) for k in np.flatnonzero(lb)])[0]
        dual = res.get("mip_dual_bound")
        bound = float(-dual / s_v) if dual is not None and math.isfinite(dual) else math.inf
        value = float(p.value[x].sum())
        gap = (bound - value) / max(abs(bound), 1e-300) if math.isfinite(bound) else math.inf
        return _Solution(x, "time_limit", bound, gap, time.perf_counter() - t0)
    x = np.round(res.x).astype(bool)
    status: Literal["optimal", "time_limit"] = "optimal" if res.status == 0 else "time_limit"
    best = float(p.value[x].sum())
    bound = best if status == "optimal" else float(-res.mip_dual_bound / s_v)
    gap = 0.0 if status == "optimal" else float(res.mip_gap or 0.0)
    if status == "optimal" and tie_break and p.n:
        # Rows keep the optimal value: coefficients normalised to at most 1; the result is
        # checked in exact arithmetic and dropped if it is worse in any earlier objective.
        nv = _unit(p.value)
        target = float(nv[x].sum()) - 1e-9
        left = time_limit_s - (time.perf_counter() - t0)
        sc, _ = _scaled(p.cost)
        res2 = _milp(sc, p, [(nv, target, np.inf)], lb, left, ub)
        if res2.x is not None and res2.status == 0:
            x2 = np.round(res2.x).astype(bool)
            if _no_worse(p.value[x2].sum(), best) and p.cost[x2].sum() <= p.cost[x].sum():
                x = x2
        nc = _unit(p.cost)
        ctarget = float(nc[x].sum()) + 1e-9
        left = time_limit_s - (time.perf_counter() - t0)
        pos = np.arange(1, p.n + 1, dtype=float)
        res3 = _milp(pos, p, [(nv, target, np.inf), (nc, -np.inf, ctarget)], lb, left, ub)
        if res3.x is not None and res3.status == 0:
            x3 = np.round(res3.x).astype(bool)
            if (
                _no_worse(p.value[x3].sum(), best)
                and p.cost[x3].sum() <= p.cost[x].sum() * (1 + _REL_TOL) + 1e-12
                and pos[x3].sum() <= pos[x].sum()
            ):
                x = x3
    return _Solution(x, status, bound, gap, time.perf_counter() - t0)


def _unit(v: FloatArray) -> FloatArray:
    top = float(v.max()) if v.size else 0.0
    return v / top if top > 0 else v


def _cheapest_better(p: _Problem, x_now: BoolArray, time_limit_s: float) -> BoolArray | None:
    """The cheapest plan worth strictly more than ``x_now``, ignoring the budget.

    The strict ``>`` is a row ``value >= current + delta``: ``delta`` starts at half the
    resolution of the values (0.5 for whole numbers, 0.005 for cents, else 1e-7 of the
    largest value) and grows tenfold while the solver's feasibility tolerance lets a plan
    that is not truly better through; every answer is checked in exact arithmetic.
    """
    free = attrs.evolve(p, budget=None)
    top = float(p.value.max()) if p.n else 0.0
    if top <= 0:
        return None
    nv = p.value / top
    now = float(p.value[x_now].sum())
    delta = 1e-7 * top
    for res_unit in (1.0, 0.01):
        scaled = p.value / res_unit
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1.0, scaled)):
            delta = 0.5 * res_unit
            break
    sc, _ = _scaled(p.cost)
    lb = p.mandatory.astype(float)
    for _ in range(8):
        res = _milp(sc, free, [(nv, (now + delta) / top, np.inf)], lb, time_limit_s)
        if res.x is None or res.status != 0:
            return None
        x: BoolArray = np.round(res.x).astype(bool)
        if float(p.value[x].sum()) > now:
            return x
        delta *= 10
    return None  # pragma: no cover - tolerance far above the values


def _no_worse(value: float, best: float) -> bool:
    return bool(value >= best - max(abs(best) * 1e-12, 1e-12))


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
    journey_or_improvements: Journey | pd.DataFrame,
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
    journey_or_improvements : Journey or DataFrame
        A journey, or a table with the columns of ``Journey.to_frames()["improvements"]``:
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
        exact solves; ``False`` returns the solver's first optimal plan.

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


def _check_share(p: _Problem, share: float) -> None:
    share_any: Any = share
    if isinstance(share_any, bool) or not isinstance(share_any, (int, float)) or not 0 < share <= 1:
        raise ValidationError(
            f"max_mandatory_share must be in (0, 1], got {share!r}",
            field="max_mandatory_share",
            value=share,
            hint="DSDM's MoSCoW rule of thumb is 0.6",
        )
    need = sorted(p.must())
    checks: list[tuple[str, float, float]] = []
    if p.budget is not None:
        checks.append(("budget", float(p.cost[need].sum()), p.budget))
    for owner, days in p.capacity.items():
        used = float(sum(p.effort[k] for k in need if p.owners[k] == owner))
        checks.append((f"capacity[{owner}]", used, days))
    for name, used, limit in checks:
        if used > share * limit * (1 + _REL_TOL):
            raise InfeasibleError(
                f"mandatory improvements use {used:,.6g} of {name} ({limit:,.6g}), more "
                f"than the allowed share {share:g}",
                conflicts=(name, "max_mandatory_share", *_mandatory_names(p, set(need))),
                field="max_mandatory_share",
                value=used / limit if limit else math.inf,
                hint="Raise the limit, lower the share, or make fewer items mandatory",
            )


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


@attrs.frozen(kw_only=True, repr=False)
class Plan:
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
    Plan(optimal, 7 of 12 improvements, value=540,000, cost=58,500 of budget 60,000)
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

    # -- views ---------------------------------------------------------------------
    def __repr__(self) -> str:
        bud = "" if self.budget is None else f" of budget {self.budget:,.6g}"
        return (
            f"Plan({self.status}, {len(self.selected)} of {self._problem.n} improvements, "
            f"value={self.value:,.6g}, cost={self.cost:,.6g}{bud})"
        )

    def _repr_html_(self) -> str:
        frame = self.to_frame()
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(r[c]))}</td>"
                for c in ("id", "title", "owner", "value", "cost", "effort_days")
            )
            + "</tr>"
            for r in frame[frame["selected"]].to_dict("records")
        )
        return (
            f"<div><strong>{html.escape(repr(self))}</strong><table><thead><tr>"
            "<th>id</th><th>title</th><th>owner</th><th>value</th><th>cost</th>"
            f"<th>effort_days</th></tr></thead><tbody>{rows}</tbody></table></div>"
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

    def why_not(self, id: str) -> str:
        """Explain in plain language why an improvement is in or out of the plan.

        The reasons checked, in order: it brings no value; an alternative it excludes is
        in the plan; it cannot fit even with only the must-dos (which resource, by how
        much); otherwise the exact cost of forcing it in: what it needs that is out, the
        value it adds and what it would displace (found by solving again with it forced).

        Parameters
        ----------
        id : str
            Improvement id.

        Returns
        -------
        str

        Examples
        --------
        >>> import frictionkit as fk
        >>> plan = fk.portfolio.optimise_portfolio(fk.datasets.load_autoparts(), budget=60_000)
        >>> print(plan.why_not("sales_training"))
        'sales_training' is out: it excludes 'guided_selling', which is in the plan (value 90,000 vs 50,000).
        """  # noqa: E501
        p = self._problem
        k = p.index(id)
        if self._x[k]:
            why = "it is mandatory" if p.mandatory[k] else "it is part of the optimal plan"
            if not p.mandatory[k] and any(k in p.requires[j] and self._x[j] for j in range(p.n)):
                users = [p.ids[j] for j in range(p.n) if k in p.requires[j] and self._x[j]]
                why += f" (and {', '.join(map(repr, users))} require it)"
            return f"{id!r} is in the plan: {why}."
        head = f"{id!r} is out: "
        if p.value[k] <= 0:
            return head + f"it brings no value under the objective {p.objective!r}."
        rivals = [j for j in sorted(p.excludes[k]) if self._x[j]]
        if rivals:
            j = rivals[0]
            return head + (
                f"it excludes {p.ids[j]!r}, which is in the plan "
                f"(value {p.value[j]:,.6g} vs {p.value[k]:,.6g})."
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
                f"it requires {', '.join(repr(p.ids[r]) for r in missing_req)}, which "
                + ("is" if len(missing_req) == 1 else "are")
                + " out of the plan"
            )
        if blocked:
            r, j = blocked[0]
            parts.append(f"its prerequisite {p.ids[r]!r} excludes {p.ids[j]!r}, which is in")
        over = _overflow(p, [*np.flatnonzero(p.mandatory).tolist(), k])
        if over is not None:
            parts.append(
                "it does not fit even with only the mandatory items: with its prerequisites"
                " and the mandatory items it needs " + _describe(*over[:3])
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
                    f"a plan with it is worth as much ({forced_value:,.6g}) but costs "
                    f"{forced_cost:,.6g} vs {self.cost:,.6g}; ties go to the lower cost"
                )
            else:
                parts.append(
                    f"a plan with it is worth as much ({forced_value:,.6g}) at the same cost;"
                    " ties go to the improvements listed first"
                )
            return head + "; ".join(parts) + "."
        add = sorted(need - chosen)
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
                tight.append(f"needs {extra:,.1f} days of {owner!r}, {left:,.1f} left")
        if tight:
            parts.append("it does not fit what is left (" + "; ".join(tight) + ")")
        now = set(chosen)
        after = set(np.flatnonzero(sol.x).tolist())
        gone = sorted(now - after)
        came = sorted(after - now)
        gained = float(p.value[came].sum())
        lost = float(p.value[gone].sum())
        move = f"forcing it in adds {gained:,.6g}"
        if len(came) > 1:
            move += f" (with {', '.join(repr(p.ids[c]) for c in came if c != k)})"
        if gone:
            move += f" but displaces {', '.join(repr(p.ids[g]) for g in gone)} worth {lost:,.6g}"
        move += f": the best plan with it is worth {self.value - forced_value:,.6g} less"
        parts.append(move)
        return head + "; ".join(parts) + "."

    def explain(self) -> pd.DataFrame:
        """:meth:`why_not` for every improvement, as a table (one solve per excluded item).

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
        return pd.DataFrame(
            {
                "id": list(p.ids),
                "selected": self._x.copy(),
                "reason": [self.why_not(i) for i in p.ids],
            }
        )


# ---------------------------------------------------------------------------------------
# the frontier


def frontier(
    journey_or_improvements: Journey | pd.DataFrame,
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
      plan worth more than the previous step, then the best plan at that cost.

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
    journey_or_improvements : Journey or DataFrame
        As for :func:`optimise_portfolio`.
    capacity : mapping owner id -> days, optional
        As for :func:`optimise_portfolio`; pass ``{}`` for a budget-only frontier of a
        journey whose owners have capacities.
    objective : "value", column name, mapping or Series, default "value"
        What to maximise.
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
    p = _load(journey_or_improvements, objective=objective, budget=None, capacity=capacity)
    err = _diagnose(p)
    if err is not None:
        raise err
    costs, values = _frontier_dp(p) if _dp_applies(p) else _frontier_milp(p, time_limit_s)
    knee = _knee(costs, values)
    keep = np.arange(len(costs))
    if max_points is not None and len(costs) > max_points:
        grid = np.linspace(costs[0], costs[-1], max_points - 1)
        idx = np.searchsorted(costs, grid, side="right") - 1
        keep = np.unique(np.concatenate([idx, [0, len(costs) - 1, knee]]))
    c, v = costs[keep], values[keep]
    greedy = _greedy_values(p, c)
    return pd.DataFrame(
        {
            "cost": c,
            "value": v,
            "greedy_value": greedy,
            "greedy_loss": v - greedy,
            "knee": keep == knee,
        }
    )


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


def _frontier_milp(p: _Problem, time_limit_s: float) -> tuple[FloatArray, FloatArray]:
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
        x = _cheapest_better(p, sol.x, time_limit_s)
        if x is None:
            break
        budget = float(p.cost[x].sum())
    return np.array(costs), np.array(values)


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


def _greedy_select(p: _Problem, budgets: FloatArray, forced: Sequence[int] = ()) -> BoolArray:
    """Selections made by funding in value-per-cost order, one row per budget."""
    n_b = len(budgets)
    must = sorted(p.closure([*np.flatnonzero(p.mandatory).tolist(), *forced]))
    sel = np.zeros((n_b, p.n), dtype=bool)
    sel[:, must] = True
    rem = budgets - float(p.cost[must].sum())
    cap_left = {
        o: np.full(n_b, d - float(sum(p.effort[k] for k in must if p.owners[k] == o)))
        for o, d in p.capacity.items()
    }
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(p.cost > 0, p.value / p.cost, np.inf)
    order = sorted(range(p.n), key=lambda k: (-ratio[k], k))
    for k in order:
        if p.mandatory[k] or k in must or p.value[k] <= 0:
            continue
        fits = rem >= p.cost[k] - 1e-9 * max(1.0, abs(p.cost[k]))
        if p.requires[k]:
            fits &= sel[:, list(p.requires[k])].all(axis=1)
        if p.excludes[k]:
            fits &= ~sel[:, sorted(p.excludes[k])].any(axis=1)
        owner = p.owners[k]
        if owner in cap_left:
            fits &= cap_left[owner] >= p.effort[k] - 1e-9 * max(1.0, p.effort[k])
            cap_left[owner][fits] -= p.effort[k]
        sel[fits, k] = True
        rem[fits] -= p.cost[k]
    return sel
