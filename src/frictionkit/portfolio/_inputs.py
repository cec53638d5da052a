"""Validation of the improvements (a Journey or a DataFrame) into one checked problem."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit._protocol import plural
from frictionkit.estimates import Estimate
from frictionkit.exceptions import (
    CycleError,
    DataError,
    DuplicateIdError,
    InfeasibleError,
    InputTypeError,
    MissingColumnError,
    SchemaError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from frictionkit.model import Improvement, Journey, _find_cycle
from frictionkit.scoring import Ranking
from frictionkit.scoring._ranking import QUICK_WIN

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Objective = str | Mapping[str, float] | pd.Series

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
    # Quick wins of the ranking the plan was made from (None: not from a ranking).
    quick_win: BoolArray | None = attrs.field(default=None, eq=False)
    # The unit of value and cost, for display: the ranking's or the journey's.
    currency: str | None = attrs.field(default=None, eq=False)
    period: str | None = attrs.field(default=None, eq=False)
    # Cache of the rows that depend only on requires/excludes (see _solve._static_rows).
    # attrs.evolve shares it, which is right as long as only coefficients and limits change.
    _static: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False, alias="static")

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
            f"column {field!r} must hold numbers; {plural(int(bad_type.sum()), 'row')} "
            f"{'does' if int(bad_type.sum()) == 1 else 'do'} not",
            field=field,
            value=raw[bad_type].iloc[0],
            failure_cases=frame.loc[bad_type],
        )
    return np.asarray(values.to_numpy(dtype=float, na_value=np.nan), dtype=float)


def _named(ids: Any, limit: int = 10) -> str:
    """``'a', 'b', ...`` for the first ``limit`` ids (with how many more)."""
    ids = [str(i) for i in ids]
    shown = ", ".join(map(repr, ids[:limit]))
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _check_nonneg(frame: pd.DataFrame, arr: FloatArray, field: str, *, nan_ok: BoolArray) -> None:
    bad = (np.isnan(arr) & ~nan_ok) | np.isinf(arr) | (arr < 0)
    if bad.any():
        first = arr[bad][0]
        kind = "missing" if np.isnan(first) else f"{first:g}"
        which = f": {_named(frame.loc[bad, 'id'])}" if "id" in frame.columns else ""
        raise DataError(
            f"{field} must be a finite number >= 0 for every improvement; "
            f"{plural(int(bad.sum()), 'row')} {'is' if int(bad.sum()) == 1 else 'are'} not "
            f"(first: {kind}){which}",
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


_READ_COLUMNS = ("id", "owner", "cost", "effort_days", "title", "mandatory", "requires", "excludes")


def _check_unique_columns(frame: pd.DataFrame, objective: Objective) -> None:
    """Refuse a repeated name among the columns read (``frame[name]`` would be a table)."""
    read = list(_READ_COLUMNS)
    sampled = ["cost", "effort_days"]  # robust plans also read "<col>_estimate"
    if isinstance(objective, str):
        sampled.append("impact" if objective == "value" else objective)
    read += sampled[2:] + [f"{c}_estimate" for c in sampled]
    for name in read:
        repeats = int((frame.columns == name).sum())
        if repeats > 1:
            raise SchemaError(
                f"column {name!r} appears {repeats} times in the improvements table",
                field=name,
                value=name,
                hint="Drop or rename the duplicates, e.g. df.loc[:, ~df.columns.duplicated()]",
            )


# ---------------------------------------------------------------------------------------
# a Ranking as the input of a plan
#
# The contract with prioritise (scoring): a Ranking's ``table`` has one row per
# improvement with ``id``, ``title``, ``owner``, ``impact``, ``impact_source``
# ("declared", "evidence" or "missing"; a missing impact is 0 in the table),
# ``effort_days``, ``cost`` and ``mandatory``; ``source`` is what was ranked (a Journey, a
# DataFrame or a list of Improvement); ``options["id_col"]`` names the id column of a
# DataFrame source. When the ranking carries draws of the impact (an ``impact_draws``
# attribute: a DataFrame with one column per improvement id and one row per draw, in
# the unit of ``impact``), robust plans sample the impact from them.

_RANKED_COLUMNS = ("id", "title", "owner", "impact", "effort_days", "cost", "mandatory")


def _source_order(ranking: Ranking) -> list[str]:
    """The ranked ids in the order of the ranked input (a plan's tie-break uses it)."""
    ranked = [str(i) for i in ranking.table["id"]]
    src = ranking.source
    order: list[str] = []
    if isinstance(src, Journey):
        order = [imp.id for imp in src.improvements]
    elif isinstance(src, pd.DataFrame):
        col = str(ranking.options.get("id_col", "id"))
        if col in src.columns:
            order = [str(v) for v in src[col]]
    elif src is not None and not isinstance(src, (str, bytes)):
        try:
            order = [imp.id for imp in src if isinstance(imp, Improvement)]
        except TypeError:
            order = []
    if sorted(order) != sorted(ranked):
        return ranked
    return order


def _links(ranking: Ranking) -> dict[str, dict[str, Any]]:
    """``requires`` and ``excludes`` of each ranked id, from the ranked input."""
    out: dict[str, dict[str, Any]] = {"requires": {}, "excludes": {}}
    src = ranking.source
    if isinstance(src, Journey):
        items: Any = src.improvements
    elif isinstance(src, pd.DataFrame):
        col = str(ranking.options.get("id_col", "id"))
        for name in out:
            if name in src.columns and col in src.columns:
                out[name] = dict(zip(map(str, src[col]), src[name], strict=True))
        return out
    else:
        items = src if isinstance(src, (list, tuple)) else ()
    for imp in items:
        if isinstance(imp, Improvement):
            out["requires"][imp.id] = imp.requires
            out["excludes"][imp.id] = imp.excludes
    return out


def ranking_frame(ranking: Ranking) -> pd.DataFrame:
    """The improvements of a :class:`~frictionkit.scoring.Ranking` as a plan reads them.

    One row per improvement, in the order of the ranked input, with the ranking's
    ``impact`` (``NaN`` where the ranking has none: its ``impact_source`` is
    ``"missing"``), ``impact_source``, ``effort_days``, ``cost``, ``owner``,
    ``mandatory``, ``title`` and the ``requires`` / ``excludes`` of the ranked input.
    """
    t = ranking.table.set_index(ranking.table["id"].astype(str), drop=False)
    t = t.loc[_source_order(ranking)]
    frame = pd.DataFrame({c: t[c].to_numpy() for c in _RANKED_COLUMNS if c in t.columns})
    if "owner" in frame.columns:
        owner = frame["owner"].astype(object)
        frame["owner"] = owner.where(owner.notna(), "unowned")
    source = t["impact_source"].astype(str).to_numpy()
    frame["impact"] = np.where(source == "missing", np.nan, t["impact"].to_numpy(dtype=float))
    frame["impact_source"] = source
    if "quadrant" in t.columns:
        frame["quick_win"] = (t["quadrant"] == QUICK_WIN).to_numpy(dtype=bool)
    for name, by_id in _links(ranking).items():
        frame[name] = [by_id.get(i, ()) for i in frame["id"]]
    return frame


def ranking_draws(ranking: Ranking) -> pd.DataFrame | None:
    """The ranking's draws of the impact (one column per id), or ``None``."""
    draws = getattr(ranking, "impact_draws", None)
    if draws is None:
        return None
    if isinstance(draws, pd.DataFrame):
        return draws
    arr = np.asarray(draws, dtype=float)
    if arr.ndim == 2 and arr.shape[1] == len(ranking.table):
        return pd.DataFrame(arr, columns=[str(i) for i in ranking.table["id"]])
    raise InputTypeError(
        "the ranking's impact_draws must be a DataFrame with one column per improvement id "
        f"or an array (draws, {len(ranking.table)}) in rank order, got shape {arr.shape}",
        field="impact_draws",
        value=arr.shape,
    )


def _refuse_missing_impact(frame: pd.DataFrame, objective: Objective) -> None:
    """A ranking's missing impact is an error (named), never a silent 0 or a declared one."""
    if not (isinstance(objective, str) and objective in {"value", "impact"}):
        return
    bad = frame["impact"].isna().to_numpy() & ~frame["mandatory"].to_numpy(dtype=bool)
    if bad.any():
        ids = frame.loc[bad, "id"].tolist()
        raise DataError(
            f"the ranking has no impact for {plural(len(ids), 'improvement')}: {_named(ids)} "
            "(no declared impact and no value at stake for the pain points "
            f"{'it fixes' if len(ids) == 1 else 'they fix'})",
            field="impact",
            value=ids,
            failure_cases=frame.loc[bad],
            hint="Give them an impact or a value at stake for what they fix, make them "
            "mandatory, or drop them from the journey",
        )


def checked_capacity(
    capacity: Mapping[str, float] | None,
    owners: Sequence[str],
    known_owners: Sequence[str] | None = None,
) -> dict[str, float]:
    """``capacity`` checked against the improvements' ``owners``: the finite limits.

    A key must be an owner of an improvement or one of ``known_owners`` (the journey's);
    when any owner has a capacity, every owner of an improvement needs one.
    """
    cap: dict[str, float] = {}
    if capacity is None:
        return cap
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
    return cap


def _load(
    source: Journey | pd.DataFrame | Ranking,
    *,
    objective: Objective,
    budget: float | None,
    capacity: Mapping[str, float] | None,
) -> _Problem:
    known_owners: list[str] | None = None
    if isinstance(source, Ranking):
        frame = ranking_frame(source)
        _refuse_missing_impact(frame, objective)
        journey = source.source
        if isinstance(journey, Journey):
            known_owners = [o.id for o in journey.owners]
            if capacity is None:
                capacity = {
                    o.id: o.capacity_days for o in journey.owners if o.capacity_days is not None
                }
    elif isinstance(source, Journey):
        frame = source.to_frames()["improvements"]
        known_owners = [o.id for o in source.owners]
        if capacity is None:
            capacity = {o.id: o.capacity_days for o in source.owners if o.capacity_days is not None}
    elif isinstance(source, pd.DataFrame):
        frame = source
    else:
        raise InputTypeError(
            "expected a Ranking, a Journey or a DataFrame of improvements, got "
            f"{type(source).__name__}",
            field="journey_or_improvements",
            value=type(source).__name__,
            hint="Pass the Ranking of frictionkit.prioritise(journey, ...), the journey, or "
            "journey.to_frames()['improvements']",
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
    _check_unique_columns(frame, objective)
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
    cap = checked_capacity(capacity, owners, known_owners)
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
        quick_win=(
            frame["quick_win"].to_numpy(dtype=bool)
            if isinstance(source, Ranking) and "quick_win" in frame.columns
            else None
        ),
        currency=source.currency if isinstance(source, (Ranking, Journey)) else None,
        period=_period_of(source),
    )
    _check_never_possible(prob)
    return prob


def _period_of(source: Journey | pd.DataFrame | Ranking) -> str | None:
    """The period value is counted per: the ranking's, the journey's (else a year)."""
    if isinstance(source, Ranking):
        return source.period
    if isinstance(source, Journey):
        return source.period or "year"
    return None


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
