"""Kinds of outcome: ``failure=`` / ``success=`` given as a mapping of kind to values.

``failure={"declined": ["Decline"], "cancelled": ["Cancel", "Withdraw"]}`` names several
kinds of failure (and ``success={"discharged": [...], "transferred": [...]}`` several
kinds of success). Each journey keeps its two-outcome code (``journey_outcome``: open,
success, failure), which every analysis uses, and gets a *kind*: a code into the log's
kinds table :attr:`EventLog.outcome_kinds <frictionkit.events.EventLog.outcome_kinds>`,
whose entry 0 is ``"open"``, then the success kinds, then the failure kinds, in the
order given. The plain forms (a value or a list) make one kind named ``"success"`` /
``"failure"``, so a log without mappings has the kinds ``("open", "success",
"failure")``, the same codes as its outcomes.

An analysis of one failure kind (``failure_kind=`` of friction, failure patterns and
repair effects) reads the log through :func:`failure_kind_view`: journeys that failed in
*another* kind are censored at their outcome (treated as open: neither a success nor a
failure of this kind, so left out of the comparison, as open journeys are).

Examples
--------
>>> kinds = parse_kinds(None, {"declined": ["Decline"], "cancelled": "Cancel"})
>>> kinds.names, kinds.outcome
(('open', 'success', 'declined', 'cancelled'), (0, 1, 2, 2))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from frictionkit.events._outcomes import FAILURE, OPEN, OUTCOMES, SUCCESS
from frictionkit.exceptions import InputTypeError, ValidationError, did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events._log import EventLog

__all__ = [
    "Kinds",
    "failure_kind_view",
    "insert_after",
    "is_mapping",
    "kind_columns",
    "kind_reach",
    "parse_kinds",
]


class Kinds(NamedTuple):
    """The kinds table of a log: names, outcome code and outcome values of each kind."""

    names: tuple[str, ...]
    outcome: tuple[int, ...]
    values: tuple[tuple[Any, ...], ...]

    @property
    def plain(self) -> bool:
        """True for the two-outcome form (kinds ``open``, ``success``, ``failure``)."""
        return self.names == OUTCOMES


def is_mapping(value: Any) -> bool:
    """True when ``success=`` / ``failure=`` is given as a mapping of kinds."""
    return isinstance(value, Mapping)


def outcome_values(value: Any, field: str) -> tuple[Any, ...]:
    """The values of a plain ``success=`` / ``failure=`` (one value or a list) as a tuple."""
    if value is None:
        return ()
    if isinstance(value, (str, bool, int, float)) or not isinstance(value, Iterable):
        return (value,)
    if isinstance(value, (bytes, Mapping)):
        raise InputTypeError(
            f"{field} must be a value or a list of values, got {value!r}",
            field=field,
            value=value,
        )
    return tuple(value)


def _kinds_of(value: Any, field: str, other: str) -> list[tuple[str, tuple[Any, ...]]]:
    """The (name, values) of each kind of one outcome, checked."""
    if not is_mapping(value):
        return [(field, outcome_values(value, field))]
    if len(value) == 0:
        raise ValidationError(
            f"{field} is an empty mapping: it names no kind of {field}",
            field=field,
            value=dict(value),
            hint=f'Give at least one kind, e.g. {field}={{"declined": ["Decline"]}}, or '
            f"a plain list of {field} values",
        )
    out: list[tuple[str, tuple[Any, ...]]] = []
    for name, vals in value.items():
        if not isinstance(name, str) or not name.strip():
            raise InputTypeError(
                f"{field} kind names must be non-empty text, got {name!r}",
                field=field,
                value=name,
                hint=f'Name each kind with text, e.g. {field}={{"declined": [...]}}',
            )
        if name in ("open", other):
            raise ValidationError(
                f"{field} kind name {name!r} clashes with the outcome {name!r}",
                field=field,
                value=name,
                hint=f"Name the kinds of {field} other than 'open' and {other!r} "
                "(the outcomes of every journey)",
            )
        got = outcome_values(vals, f"{field}[{name!r}]")
        if not got:
            raise ValidationError(
                f"{field} kind {name!r} lists no value",
                field=field,
                value=name,
                hint="List the touchpoints (or outcome-column values) of each kind",
            )
        out.append((name, got))
    return out


def parse_kinds(success: Any, failure: Any) -> Kinds:
    """The kinds table from ``success=`` and ``failure=`` (plain forms or mappings).

    Raises
    ------
    ValidationError
        An empty mapping, a kind listing no value, a kind name ``"open"`` or the other
        outcome's name, a name used for a success and a failure kind, or a value listed
        in two kinds.
    InputTypeError
        A kind name that is not text.

    Examples
    --------
    >>> parse_kinds("buy", ["leave"]).plain
    True
    """
    succ = _kinds_of(success, "success", "failure")
    fail = _kinds_of(failure, "failure", "success")
    names = [n for n, _ in succ] + [n for n, _ in fail]
    both = sorted({n for n, _ in succ} & {n for n, _ in fail})
    if both:
        raise ValidationError(
            f"kind name(s) {both} are used for both success and failure",
            field="failure",
            value=both[0],
            hint="Give each kind its own name",
        )
    seen: dict[str, str] = {}
    for field, kinds in (("success", succ), ("failure", fail)):
        if len(kinds) == 1 and not (is_mapping(success) or is_mapping(failure)):
            continue  # plain forms: checked by the outcome lookups as before
        for name, vals in kinds:
            for v in vals:
                key = str(v)
                if key in seen and seen[key] != name:
                    raise ValidationError(
                        f"{key!r} is listed in two kinds, {seen[key]!r} and {name!r}",
                        field=field,
                        value=key,
                        hint="List each touchpoint (or value) in one kind only",
                    )
                seen[key] = name
    return Kinds(
        names=("open", *names),
        outcome=(OPEN, *([SUCCESS] * len(succ)), *([FAILURE] * len(fail))),
        values=((), *(v for _, v in succ), *(v for _, v in fail)),
    )


def kind_of_touchpoint(touchpoints: tuple[str, ...], kinds: Kinds) -> np.ndarray:
    """Kind code of each touchpoint (0 when it decides nothing)."""
    idx = {t: i for i, t in enumerate(touchpoints)}
    lut = np.zeros(len(touchpoints), dtype=np.int16)
    for code, vals in enumerate(kinds.values):
        for v in vals:
            i = idx.get(str(v))
            if i is not None:
                lut[i] = code
    return lut


def kind_of_value(values: pd.Series, kinds: Kinds) -> np.ndarray:
    """Kind code of each distinct value of an outcome column (0 when none)."""
    obj = pd.Series(np.asarray(values, dtype=object), dtype=object)
    out = np.zeros(len(obj), dtype=np.int16)
    for code, vals in enumerate(kinds.values):
        if vals:
            hit = obj.isin(list(vals)).to_numpy(dtype=bool) & (out == 0)
            out[hit] = code
    return out


def check_failure_kind(log: EventLog, failure_kind: Any, field: str = "failure_kind") -> int:
    """The code of a failure kind of ``log``, refusing a name that is not one."""
    kinds = log.outcome_kinds
    names = [n for n, o in zip(kinds, log.kind_outcome.tolist(), strict=True) if o == FAILURE]
    if not isinstance(failure_kind, str) or failure_kind not in names:
        raise ValidationError(
            f"{field} must be one of the log's failure kinds {names}, got {failure_kind!r}"
            + (did_you_mean(failure_kind, names) if isinstance(failure_kind, str) else ""),
            field=field,
            value=failure_kind,
            hint='Name the kinds when building the log: failure={"declined": [...], '
            '"cancelled": [...]}',
        )
    return kinds.index(failure_kind)


def failure_kind_view(log: EventLog, failure_kind: str | None) -> EventLog:
    """The log as an analysis of one failure kind reads it (``log`` when None).

    Journeys whose outcome is another failure kind are *censored*: their outcome becomes
    open (they count as neither a success nor a failure of this kind, and, like open
    journeys, are left out of friction, failure patterns and the Markov chain). Their
    events keep their outcome codes, so an outcome step stays an outcome step.

    Examples
    --------
    >>> from frictionkit.events import EventLog
    >>> df = pd.DataFrame({"c": ["a", "b", "c"], "t": ["buy", "no", "stop"],
    ...                    "ts": ["2024-01-01"] * 3})
    >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts",
    ...     success="buy", failure={"declined": ["no"], "cancelled": ["stop"]})
    >>> failure_kind_view(log, "declined").outcome_counts
    {'success': 1, 'failure': 1, 'open': 1}
    """
    if failure_kind is None:
        return log
    code = check_failure_kind(log, failure_kind)
    jk = log.journey_kind
    other = (log.journey_outcome == FAILURE) & (jk != code)

    def build() -> EventLog:
        parts = {name: getattr(log, name) for name in log.__slots__ if name != "_cache"}
        parts["journey_outcome"] = np.where(other, OPEN, log.journey_outcome).astype(np.int8)
        parts["journey_deciding_event"] = np.where(other, -1, log.journey_deciding_event)
        return type(log)(**parts)

    return log._memo(f"failure_kind_view:{failure_kind}", build)


def kind_columns(
    log: EventLog,
    group: np.ndarray,
    n_groups: int,
    mask: np.ndarray | None = None,
    journey: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Journeys per group and kind, one column per kind (none for a plain log).

    Columns are named ``successes_<kind>`` / ``failures_<kind>``, in the order of the
    kinds table (the plain kind of an outcome, e.g. ``"success"`` beside several failure
    kinds, has none: it is the ``successes`` column itself). ``group`` gives each journey
    row's group (-1: none); ``mask`` keeps only some journey rows. With ``journey``, the
    rows are not the journeys but (group, journey) pairs, each counted once: ``journey``
    gives the journey of each row.
    """
    if not log.has_kinds:
        return {}
    jk = log.journey_kind.astype(np.int64)
    weights = log.weights
    if journey is not None:
        jk, weights = jk[journey], weights[journey]
    n_k = len(log.outcome_kinds)
    keep = group >= 0
    if mask is not None:
        keep = keep & mask
    w = weights[keep]
    counts = (
        np.bincount(group[keep] * n_k + jk[keep], weights=w, minlength=n_groups * n_k)
        .astype(np.int64)
        .reshape(n_groups, n_k)
    )
    return {col: counts[:, code] for col, code in _kind_names(log).items()}


def kind_reach(
    log: EventLog, seg: np.ndarray, furthest: np.ndarray, n_seg: int, n_st: int
) -> dict[str, np.ndarray]:
    """Journeys reaching each stage per segment and kind (``(n_seg, n_st)`` per column).

    The funnel's reach (a journey reaches its furthest stage and every stage before it),
    split by the journey's kind; columns named as in :func:`kind_columns` (none for a
    plain log).
    """
    if not log.has_kinds:
        return {}
    jk = log.journey_kind.astype(np.int64)
    n_k = len(log.outcome_kinds)
    has = furthest >= 0
    w = log.journey_weight
    hist = (
        np.bincount(
            ((seg * n_st + furthest) * n_k + jk)[has],
            weights=None if w is None else w[has],
            minlength=n_seg * n_st * n_k,
        )
        .astype(np.int64)
        .reshape(n_seg, n_st, n_k)
    )
    reach = np.flip(np.cumsum(np.flip(hist, axis=1), axis=1), axis=1)
    return {col: reach[:, :, code] for col, code in _kind_names(log).items()}


def _kind_names(log: EventLog) -> dict[str, int]:
    """Column name of each success and failure kind, with its code."""
    outcome = log.kind_outcome.tolist()
    out: dict[str, int] = {}
    for code, (name, oc) in enumerate(zip(log.outcome_kinds, outcome, strict=True)):
        if oc == OPEN or (name == OUTCOMES[oc] and outcome.count(oc) == 1):
            continue  # the plain kind of an outcome is the outcome's own column
        out[f"{'successes' if oc == SUCCESS else 'failures'}_{name}"] = code
    return out


def insert_after(table: dict[str, Any], after: str, columns: Mapping[str, Any]) -> dict[str, Any]:
    """``table`` with ``columns`` inserted right after the key ``after``."""
    if not columns:
        return table
    out: dict[str, Any] = {}
    for key, value in table.items():
        out[key] = value
        if key == after:
            out.update(columns)
    return out


def with_kind_column(table: pd.DataFrame, failure_kind: str) -> pd.DataFrame:
    """``table`` with a first-after-the-key ``failure_kind`` column naming the kind analysed.

    The column goes right after the first column (the touchpoint or pattern); the kind is
    also kept in ``table.attrs["failure_kind"]``.
    """
    out = table.copy()
    out.insert(
        min(1, len(out.columns)),
        "failure_kind",
        pd.Series([failure_kind] * len(out), index=out.index, dtype=object),
    )
    out.attrs["failure_kind"] = failure_kind
    return out
