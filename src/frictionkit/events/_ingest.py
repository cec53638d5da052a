"""Building an event log's arrays from a table (the work of ``EventLog.from_frame``).

The helpers here validate the columns of an event table and turn them into numpy arrays:
case ids and touchpoints to sorted integer codes, timestamps to int64 nanoseconds (see
:mod:`frictionkit.events._times`), outcomes to codes, case attributes, stages and channels.
:func:`frame_parts` returns the parts of an :class:`~frictionkit.events.EventLog`. The
conventions they follow are pinned in :mod:`frictionkit.events`; files are read by
:mod:`frictionkit.events._readers`.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from frictionkit._validate import as_pandas, check_key_cells, column
from frictionkit.events._kernels import (
    _infer_stages,
    _labels,
    _mode_per_group,
    _stages_from_column,
    _stages_from_journey,
)
from frictionkit.events._kinds import (
    Kinds,
    is_mapping,
    kind_of_touchpoint,
    kind_of_value,
    outcome_values,
    parse_kinds,
)
from frictionkit.events._lifecycle import (
    lifecycle_keep,
    lifecycle_mode,
    lifecycle_touchpoints,
    warn_repeats,
)
from frictionkit.events._options import ON_NULL, VALUE_AGG, WHEN_BOTH, IngestOptions
from frictionkit.events._outcomes import FAILURE, RESERVED_STATES, SUCCESS
from frictionkit.events._times import _positions, _to_ns, check_time_options
from frictionkit.exceptions import (
    DataError,
    DroppedRowsWarning,
    LongJourneyWarning,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)

_INT = np.int64
#: Events in one journey beyond which ingest warns (:class:`LongJourneyWarning`).
LONG_JOURNEY_EVENTS = 100_000


# ---------------------------------------------------------------------------------------
# helpers for ingest
# ---------------------------------------------------------------------------------------
def _as_pandas(df: Any) -> pd.DataFrame:
    return as_pandas(df, "the event log")


def _check_column(df: pd.DataFrame, col: Any, field: str) -> str:
    return column(df, col, field=field, what="the event log")


def _factorize(s: pd.Series) -> tuple[np.ndarray, Any, np.ndarray]:
    """Codes (-1 when missing), uniques and the missing mask of a column, in one pass.

    Missing means null or, for text, the empty string. Python-backed text columns are
    factorised through their object array (several times faster than the masked path).
    """
    dtype = s.dtype
    values: Any = s
    is_object = pd.api.types.is_object_dtype(dtype)
    if is_object or (isinstance(dtype, pd.StringDtype) and dtype.storage == "python"):
        values = s.to_numpy(dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    codes = codes.astype(_INT, copy=False)
    if isinstance(uniques, pd.Index) and isinstance(uniques.dtype, pd.StringDtype):
        empty = np.asarray(uniques == "", dtype=bool)  # vectorised, no Python strings
    elif isinstance(dtype, pd.CategoricalDtype) or is_object or pd.api.types.is_string_dtype(dtype):
        empty = np.asarray(np.asarray(uniques, dtype=object) == "", dtype=bool)
    else:
        empty = np.zeros(len(uniques), dtype=bool)
    if empty.any():
        codes = np.where(empty[codes], -1, codes)
    return codes, uniques, codes < 0


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_text(labels: Sequence[str], field: str, col: str) -> None:
    """Refuse lone surrogates (from broken escapes): they cannot be written as UTF-8."""
    if _SURROGATE.search("".join(labels)) is None:
        return
    bad = next(lab for lab in labels if _SURROGATE.search(lab))
    raise ValidationError(
        f"{col} holds a lone surrogate character, got {bad!r}",
        field=field,
        value=bad,
        hint="The text is not valid Unicode (often a broken \\u escape or a mis-decoded "
        "file); fix the source",
    )


def _check_case_ids(
    codes: np.ndarray,
    uniques: Any,
    col: str,
    rows: np.ndarray | None,
    *,
    show_values: bool = True,
) -> None:
    """Refuse case ids of different types with the same text (``"1"`` and ``1``).

    They would be two journeys both shown as ``1``. Only ids that do not compare with each
    other (text and numbers) can clash, so ``frame_parts`` calls this when sorting them fails.
    """
    u = np.asarray(uniques, dtype=object)
    labels = [str(v) for v in u]
    clash = pd.Series(labels).duplicated(keep=False).to_numpy(dtype=bool)
    if not clash.any():
        return
    mask = (codes >= 0) & clash[np.maximum(codes, 0)]
    values = u[codes[mask]]
    types = [type(v).__name__ for v in values]
    cases = {"row": _positions(mask, rows)}
    if show_values:
        cases[col] = values
    example = f" {labels[int(np.flatnonzero(clash)[0])]!r}" if show_values else ""
    raise DataError(
        f"{col} holds case ids of different types with the same text{example} "
        f"({', '.join(sorted(set(types)))}): they would be different journeys shown alike",
        field="case_col",
        value=values[0] if show_values else None,
        failure_cases=pd.DataFrame({**cases, "type": types}),
        hint="Make the column one type, e.g. df[col].astype(str)",
    )


def _cell_float(value: Any) -> float:
    """One cell as a float: NaN when not a number, ±inf when beyond the float range."""
    try:
        return float(value)
    except OverflowError:
        return (math.inf if value > 0 else -math.inf) if isinstance(value, int) else math.nan
    except (TypeError, ValueError):
        return math.nan


def _sorted_codes(
    codes: np.ndarray, uniques: np.ndarray, on_mixed: Callable[[], None] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Recode so that codes follow the sort order of ``uniques``; returns (codes, uniques).

    ``on_mixed`` is called first when the uniques do not compare (text and numbers).
    """
    try:
        order = np.argsort(uniques, kind="stable")
    except TypeError:
        if on_mixed is not None:
            on_mixed()
        keys = [(type(u).__name__, str(u)) for u in uniques]
        order = np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=_INT)
    rank = np.empty(len(order), dtype=_INT)
    rank[order] = np.arange(len(order), dtype=_INT)
    return rank[codes], uniques[order]


def _check_choice(value: Any, field: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ValidationError(
            f"{field} must be one of {', '.join(map(repr, allowed))}, got {value!r}"
            + did_you_mean(value, allowed),
            field=field,
            value=value,
        )


def _flat(value: Any) -> Any:
    """The values of all kinds of a ``success=`` / ``failure=`` mapping (else as given)."""
    if not is_mapping(value):
        return value
    return [v for vals in value.values() for v in outcome_values(vals, "kind")]


def _event_outcomes(
    frame: pd.DataFrame,
    order: np.ndarray,
    outcome_col: str | None,
    success: Any,
    failure: Any,
    touchpoints: tuple[str, ...],
    tp_codes: np.ndarray,
    strict: bool,
) -> tuple[np.ndarray, Kinds, np.ndarray | None]:
    """Outcome code of each event, the kinds table and each event's kind (None if plain)."""
    kinds = parse_kinds(success, failure)
    success, failure = _flat(success), _flat(failure)
    if outcome_col is None:
        lut = outcome_by_touchpoint(touchpoints, success, failure, strict)
        looked_up: np.ndarray = lut[tp_codes[order]]
        if kinds.plain:
            return looked_up, kinds, None
        klut = kind_of_touchpoint(touchpoints, kinds)
        return looked_up, kinds, klut[tp_codes[order]]
    codes, uniques = pd.factorize(frame[outcome_col], use_na_sentinel=True)
    obj = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    lut = np.zeros(len(obj) + 1, dtype=np.int8)  # the last entry serves code -1 (null)
    lut[:-1] = outcome_by_value(obj, outcome_col, success, failure, strict)
    result: np.ndarray = lut[codes[order]]
    if kinds.plain:
        return result, kinds, None
    klut = np.zeros(len(obj) + 1, dtype=np.int16)
    klut[:-1] = kind_of_value(obj, kinds)
    return result, kinds, klut[codes[order]]


def outcome_by_touchpoint(
    touchpoints: Sequence[str], success: Any, failure: Any, strict: bool
) -> np.ndarray:
    """Outcome code (0, 1 success, 2 failure) of each touchpoint from ``success=`` / ``failure=``.

    Examples
    --------
    >>> outcome_by_touchpoint(("buy", "leave", "visit"), "buy", "leave", True)
    array([1, 2, 0], dtype=int8)
    """
    succ_s = {str(v) for v in outcome_values(success, "success")}
    fail_s = {str(v) for v in outcome_values(failure, "failure")}
    both = sorted(succ_s & fail_s)
    if both:
        raise ValidationError(
            f"touchpoint(s) {both} are listed as both success and failure",
            field="success",
            value=both[0],
            hint="List each touchpoint in one of success= and failure=",
        )
    known = set(touchpoints)
    unknown = sorted((succ_s | fail_s) - known)
    if unknown and strict:
        raise UnknownReferenceError(
            f"outcome touchpoint(s) {unknown} do not occur in the log"
            + did_you_mean(unknown[0], touchpoints),
            field="success" if unknown[0] in succ_s else "failure",
            value=unknown[0],
            hint="Check the spelling, or pass strict=False to allow outcome touchpoints "
            "absent from this log",
        )
    lut = np.zeros(len(touchpoints), dtype=np.int8)
    idx = {t: i for i, t in enumerate(touchpoints)}
    for t in succ_s & known:
        lut[idx[t]] = SUCCESS
    for t in fail_s & known:
        lut[idx[t]] = FAILURE
    return lut


def outcome_by_value(
    values: pd.Series, outcome_col: str, success: Any, failure: Any, strict: bool
) -> np.ndarray:
    """Outcome code (0, 1 success, 2 failure) of each distinct value of an outcome column.

    Values are compared with ``==`` against ``success`` / ``failure`` (defaults ``True`` or
    ``"success"`` and ``False`` or ``"failure"``).

    Examples
    --------
    >>> outcome_by_value(pd.Series(["success", "failure"], dtype=object), "o", None, None, True)
    array([1, 2], dtype=int8)
    """
    succ = outcome_values(success, "success")
    fail = outcome_values(failure, "failure")
    if not succ and not fail:
        succ, fail = (True, "success"), (False, "failure")
    clash = [v for v in succ if v in fail]
    if clash:
        raise ValidationError(
            f"value(s) {clash} are listed as both success and failure",
            field="success",
            value=clash[0],
        )
    obj = pd.Series(np.asarray(values, dtype=object), dtype=object)
    u_s = obj.isin(list(succ)).to_numpy(dtype=bool)
    u_f = obj.isin(list(fail)).to_numpy(dtype=bool) & ~u_s
    other = ~u_s & ~u_f
    if other.any() and strict:
        shown = sorted({str(v) for v in obj[other]})
        raise ValidationError(
            f"{outcome_col} has value(s) {shown[:10]} that are neither success "
            f"{list(succ)} nor failure {list(fail)}",
            field="outcome_col",
            value=shown[0],
            hint="List them in success= or failure=, make them null, or pass strict=False "
            "to treat them as no outcome",
        )
    out = np.zeros(len(obj), dtype=np.int8)
    out[u_s] = SUCCESS
    out[u_f] = FAILURE
    return out


#: Key of ``EventLog.case_attributes.attrs`` recording the case attributes that vary
#: within a case: ``{column: (cases with more than one value, an example case id, its
#: first two values)}``. Analyses that read a case attribute as the case's own
#: (``adjust_for=``, ``by=``) refuse those columns (:func:`check_constant_in_case`).
VARYING_KEY = "varying_within_case"


def _case_attributes(
    frame: pd.DataFrame,
    order: np.ndarray,
    case_cols: Sequence[str],
    starts: np.ndarray,
    case_sorted: np.ndarray,
    case_ids: np.ndarray,
) -> pd.DataFrame:
    """The first non-null value of each case's attributes, and which of them vary.

    A column whose non-null values differ within some case (a customer who changed
    segment mid-journey) keeps its first value per case, and is recorded under
    ``attrs[VARYING_KEY]`` with the number of such cases and an example, so that an
    analysis that needs one value per case can refuse it with the fix.
    """
    out: dict[str, Any] = {}
    varying: dict[str, tuple[int, Any, tuple[Any, Any]]] = {}
    n = len(order)
    big = np.int64(n)
    for col in case_cols:
        column = frame[col]
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        sorted_codes = codes[order].astype(_INT)
        values = np.asarray(uniques, dtype=object)
        if len(starts):
            hi = np.maximum.reduceat(sorted_codes, starts)
            lo = np.minimum.reduceat(np.where(sorted_codes >= 0, sorted_codes, big), starts)
            differ = np.flatnonzero((hi >= 0) & (lo < hi))
            if len(differ):
                case = int(differ[0])
                stop = int(starts[case + 1]) if case + 1 < len(starts) else n
                seen = pd.unique(sorted_codes[int(starts[case]) : stop])
                seen = seen[seen >= 0]
                varying[str(col)] = (
                    len(differ),
                    case_ids[case],
                    (values[seen[0]], values[seen[1]]),
                )
        head = column.iloc[order[starts]]
        if not head.isna().any():  # the usual case: the first event of each case has it
            out[col] = head.to_numpy(dtype=object)
            continue
        pos = np.where(sorted_codes >= 0, np.arange(n, dtype=_INT), big)
        first = np.minimum.reduceat(pos, starts)
        got = first < big
        col_vals = np.full(len(starts), None, dtype=object)
        col_vals[got] = values[sorted_codes[first[got]]]
        out[col] = col_vals
    del case_sorted
    attrs = pd.DataFrame(out, index=pd.RangeIndex(len(case_ids)))
    if varying:
        attrs.attrs[VARYING_KEY] = varying
    return attrs


def check_constant_in_case(case_attributes: pd.DataFrame, name: str, field: str) -> None:
    """Refuse a case attribute that varies within a case (see :data:`VARYING_KEY`).

    Raises
    ------
    ValidationError
        Naming the column, how many cases vary, an example case and its values, and the
        fix.
    """
    varying = case_attributes.attrs.get(VARYING_KEY, {})
    if name not in varying:
        return
    n_cases, example, (first, second) = varying[name]
    raise ValidationError(
        f"{field}: case attribute {name!r} varies within a case ({n_cases} case(s); e.g. "
        f"case {example!r} has {first!r} then {second!r}), so it is not an attribute of "
        "the case: it could change because of the journey itself",
        field=field,
        value=name,
        hint=f"Keep one value per case before building the log, e.g. its value at the "
        f'first event: df[{name!r}] = df.groupby(<case column>)[{name!r}].transform("first") '
        "before EventLog.from_frame(..., case_cols=...)",
    )


def _pseudonymised_cases(frame: pd.DataFrame, case_col: str, key: str | bytes) -> pd.DataFrame:
    """The frame with its case ids replaced by keyed pseudonyms (hashing each id once)."""
    from frictionkit.privacy import pseudonymise

    codes, uniques = pd.factorize(frame[case_col], use_na_sentinel=True)
    _check_case_ids(codes.astype(_INT), uniques, case_col, None, show_values=False)
    ids = pd.DataFrame({"case": np.asarray(uniques, dtype=object)})
    pseudo = pseudonymise(ids, "case", key=key)["case"].to_numpy(dtype=object)
    lut = np.empty(len(pseudo) + 1, dtype=object)  # the trailing None serves code -1 (missing)
    lut[:-1] = pseudo
    values = lut[codes]
    return frame.assign(**{case_col: pd.Series(values, index=frame.index, dtype=object)})


def check_log_options(
    when_both: Any, value_agg: Any, on_null: Any, journey: Any, stage_col: Any
) -> None:
    """Check the options shared by ``EventLog.from_frame`` and ``EventLog.scan``.

    Examples
    --------
    >>> check_log_options("first", "last", "raise", None, "stage")
    """
    _check_choice(when_both, "when_both", WHEN_BOTH)
    _check_choice(value_agg, "value_agg", VALUE_AGG)
    _check_choice(on_null, "on_null", ON_NULL)
    if journey is not None and stage_col is not None:
        raise ValidationError(
            "give either journey= or stage_col=, not both",
            field="stage_col",
            value=stage_col,
            hint="The journey map already gives each touchpoint's stage",
        )


#: Events per block when checking whether a log is already in order (small temporaries).
_ORDER_BLOCK = 1 << 18


def _in_order(case_codes: np.ndarray, ts: np.ndarray, order: np.ndarray | None = None) -> bool:
    """Whether events (taken in ``order`` when given) are sorted by case, then timestamp.

    Checked block by block, blocks overlapping by one event so that each consecutive
    pair is compared once: the temporaries stay small (a 10M-event log would otherwise
    allocate, and fault in, several arrays of its full length) and an unsorted log stops
    at its first block.
    """
    n = len(case_codes)
    for a in range(0, n - 1, _ORDER_BLOCK):
        b = min(a + _ORDER_BLOCK + 1, n)
        if order is None:
            c, t = case_codes[a:b], ts[a:b]
        else:
            c, t = case_codes[order[a:b]], ts[order[a:b]]
        same = c[1:] == c[:-1]
        if not (c[1:] >= c[:-1]).all() or not ((t[1:] >= t[:-1]) | ~same).all():
            return False
    return True


def _event_order(case_codes: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Stable order by case, then timestamp, then input row (identity when already so)."""
    n = len(case_codes)
    if n > 1 and _in_order(case_codes, ts):
        return np.arange(n, dtype=_INT)
    if n > 1:
        # events often come case after case in time order, with cases interleaved or
        # out of order: a stable sort by case alone then gives the same order as the
        # full sort (ties in time keep their input order either way), at the cost of one
        # sort of small integers instead of two
        by_case = np.argsort(_narrow(case_codes), kind="stable")
        if _in_order(case_codes, ts, by_case):
            return by_case.astype(_INT, copy=False)
    return np.lexsort((ts, case_codes)).astype(_INT, copy=False)


def _narrow(codes: np.ndarray) -> np.ndarray:
    """Non-negative codes in the smallest integer type that holds them (faster sorts)."""
    top = int(codes.max()) if len(codes) else 0
    for dtype in (np.uint8, np.uint16, np.uint32):
        if top <= np.iinfo(dtype).max:
            return codes.astype(dtype)
    return codes


def _warn_long_journey(lengths: np.ndarray, cases: np.ndarray) -> None:
    """Warn (:class:`LongJourneyWarning`) when one journey holds too many events."""
    if not len(lengths) or int(lengths.max()) <= LONG_JOURNEY_EVENTS:
        return
    longest = int(np.argmax(lengths))
    n_long = int((lengths > LONG_JOURNEY_EVENTS).sum())
    name = f"{str(cases[longest])[:80]!r} "
    warnings.warn(
        f"journey {name}holds {int(lengths[longest]):,} events"
        + (f" ({n_long} journeys hold more than {LONG_JOURNEY_EVENTS:,})" if n_long > 1 else "")
        + f": more than {LONG_JOURNEY_EVENTS:,} events in one journey is often a wrong "
        "case_col (a column shared by every event); analyses that walk a journey take "
        "time in proportion to its length",
        LongJourneyWarning,
        stacklevel=4,
    )


def _check_keys(
    frame: pd.DataFrame, case_col: Any, touchpoint_col: Any, options: IngestOptions
) -> None:
    """Refuse key cells that would merge or break groups (see ``check_key_cells``).

    Case ids, touchpoints, stages and channels may not mix booleans with other values
    (``True`` equals ``1``); no key column may hold lists or records, or lone surrogates.
    An outcome column may mix ``True`` and ``"success"`` (its default values).
    """
    case_cols = options.case_cols
    keys: list[tuple[str, Any, bool]] = [
        ("case_col", case_col, False),
        ("touchpoint_col", touchpoint_col, False),
        ("stage_col", options.stage_col, False),
        ("channel_col", options.channel_col, False),
        ("outcome_col", options.outcome_col, True),
        *(
            ("case_cols", c, True)
            for c in ((case_cols,) if isinstance(case_cols, str) else case_cols)
        ),
    ]
    for field, col, bools in keys:
        if col is None:
            continue
        name = _check_column(frame, col, field)
        check_key_cells(frame[name], name, field=field, what="the event log", bools=bools)


def frame_parts(
    df: Any,
    *,
    case_col: str,
    touchpoint_col: str,
    timestamp_col: str,
    options: IngestOptions,
) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    """Validate an event table and code it as arrays (the work of ``EventLog.from_frame``).

    Returns the parts of the log (event arrays, labels, stages), the journey offsets and the
    case of each journey; see :meth:`frictionkit.events.EventLog.from_frame` for the
    arguments and the conventions.
    """
    outcome_col, success, failure = options.outcome_col, options.success, options.failure
    when_both, stage_col, channel_col = options.when_both, options.stage_col, options.channel_col
    value_col, value_agg, case_cols = options.value_col, options.value_agg, options.case_cols
    journey, strict, on_null = options.journey, options.strict, options.on_null
    pseudonymise = options.pseudonymise
    frame = _as_pandas(df)
    _check_keys(frame, case_col, touchpoint_col, options)
    if pseudonymise is not None:
        frame = _pseudonymised_cases(
            frame, _check_column(frame, case_col, "case_col"), pseudonymise
        )
    cols = {
        "case_col": _check_column(frame, case_col, "case_col"),
        "touchpoint_col": _check_column(frame, touchpoint_col, "touchpoint_col"),
        "timestamp_col": _check_column(frame, timestamp_col, "timestamp_col"),
    }
    for name, col in (
        ("outcome_col", outcome_col),
        ("stage_col", stage_col),
        ("channel_col", channel_col),
        ("value_col", value_col),
    ):
        if col is not None:
            _check_column(frame, col, name)
    if isinstance(case_cols, str):
        case_cols = (case_cols,)
    for col in case_cols:
        _check_column(frame, col, "case_cols")
    lifecycle_col = options.lifecycle_col
    if lifecycle_col is not None:
        _check_column(frame, lifecycle_col, "lifecycle_col")
    lifecycle = lifecycle_mode(lifecycle_col, options.lifecycle)
    check_log_options(when_both, value_agg, on_null, journey, stage_col)
    check_time_options(options.timestamp_format, options.dayfirst)
    if len(frame) == 0:
        raise ValidationError(
            "the event log is empty (no rows)",
            field="df",
            value=0,
            hint="Check the file or the filter that produced the table",
        )

    if lifecycle == "touchpoint" and lifecycle_col is not None:
        combined = lifecycle_touchpoints(frame[touchpoint_col], frame[lifecycle_col])
        frame = frame.assign(**{touchpoint_col: combined})
    case_s = frame[case_col]
    tp_s = frame[touchpoint_col]
    ts_s = frame[timestamp_col]
    case_codes, case_uniques, null = _factorize(case_s)
    tp_codes_raw, tp_uniques, tp_null = _factorize(tp_s)
    null = null | tp_null | ts_s.isna().to_numpy(dtype=bool)
    del tp_null
    if null.any():
        n_null = int(null.sum())
        if on_null == "raise":
            failing = frame.loc[null, [case_col, touchpoint_col, timestamp_col]]
            failing = failing.assign(row=np.flatnonzero(null))
            raise DataError(
                f"{n_null} row(s) have a missing case id, touchpoint or timestamp",
                field=", ".join(cols.values()),
                value=n_null,
                failure_cases=failing,
                hint="Fix them, or pass on_null='drop' to leave them out with a warning",
            )
        warnings.warn(
            f"dropped {n_null} row(s) with a missing case id, touchpoint or timestamp",
            DroppedRowsWarning,
            stacklevel=4,
        )
        keep = ~null
        if not keep.any():
            raise ValidationError(
                "the event log is empty after dropping rows with missing values",
                field="df",
                value=n_null,
                hint="Check the column mapping",
            )
        frame = frame.loc[keep]
        case_s, tp_s, ts_s = frame[case_col], frame[touchpoint_col], frame[timestamp_col]
        case_codes, case_uniques, _ = _factorize(case_s)
        tp_codes_raw, tp_uniques, _ = _factorize(tp_s)
        rows: np.ndarray | None = np.flatnonzero(keep).astype(_INT)
    else:
        rows = None
    del null

    # -- codes -----------------------------------------------------------------
    ts, tz = _to_ns(
        ts_s,
        timestamp_col,
        rows,
        timestamp_format=options.timestamp_format,
        dayfirst=options.dayfirst,
    )
    service: np.ndarray | None = None
    if lifecycle in ("complete", "start_complete") and lifecycle_col is not None:
        keep, service = lifecycle_keep(
            frame[lifecycle_col], case_codes, tp_codes_raw, ts, lifecycle
        )
        if not keep.any():
            raise ValidationError(
                f"no event of the log is a 'complete' event in {lifecycle_col}",
                field="lifecycle_col",
                value=lifecycle_col,
                hint="Check the column, or pass lifecycle='touchpoint' (activity+lifecycle "
                "as the touchpoint) or lifecycle='all' (every event as it is)",
            )
        if not keep.all():
            frame = frame.loc[keep]
            ts = ts[keep]
            service = None if service is None else service[keep]
            rows = np.flatnonzero(keep).astype(_INT) if rows is None else rows[keep]
            case_codes, case_uniques, _ = _factorize(frame[case_col])
            tp_codes_raw, tp_uniques, _ = _factorize(frame[touchpoint_col])
    case_codes, case_ids = _sorted_codes(
        case_codes,
        np.asarray(case_uniques, dtype=object),
        on_mixed=lambda: _check_case_ids(case_codes, case_uniques, case_col, rows),
    )
    labels_raw = _labels(tp_uniques)
    _check_text(labels_raw, "touchpoint_col", touchpoint_col)
    if len(set(labels_raw)) != len(labels_raw):
        counts: dict[str, int] = {}
        for lab in labels_raw:
            counts[lab] = counts.get(lab, 0) + 1
        dup = next(lab for lab, c in counts.items() if c > 1)
        raise ValidationError(
            f"{touchpoint_col} holds different values with the same text {dup!r}",
            field="touchpoint_col",
            value=dup,
            hint="Make the column one type (e.g. df[col].astype(str))",
        )
    tp_codes, tp_labels = _sorted_codes(tp_codes_raw, np.asarray(labels_raw, dtype=object))
    touchpoints = tuple(str(t) for t in tp_labels)
    reserved = sorted(set(touchpoints) & set(RESERVED_STATES))
    if reserved:
        raise ValidationError(
            f"touchpoint name(s) {reserved} are reserved for the states of a journey",
            field="touchpoint_col",
            value=reserved[0],
            hint=f"Rename them (reserved: {', '.join(RESERVED_STATES)}), e.g. "
            "df[col].replace({'START': 'start_page'})",
        )

    # -- order: timestamp, then input row (stable), within case ---------------------
    order = _event_order(case_codes, ts)
    case_sorted = case_codes[order]
    starts = np.flatnonzero(np.r_[True, case_sorted[1:] != case_sorted[:-1]])
    offsets = np.r_[starts, len(order)].astype(_INT)
    event_journey = np.repeat(np.arange(len(starts), dtype=_INT), np.diff(offsets))
    event_tp = tp_codes[order]
    event_ts = ts[order]
    event_row = order if rows is None else rows[order]
    journey_case = case_sorted[starts]
    warn_repeats(event_journey, event_tp, touchpoints, stacklevel=4)
    _warn_long_journey(np.diff(offsets), case_ids[journey_case])

    # -- outcomes ----------------------------------------------------------------
    event_outcome, kinds, event_kind = _event_outcomes(
        frame, order, outcome_col, success, failure, touchpoints, tp_codes, strict
    )

    # -- value -------------------------------------------------------------------
    event_value: np.ndarray | None = None
    if value_col is not None:
        vs = frame[value_col]
        try:
            num = pd.to_numeric(vs, errors="coerce")
        except (OverflowError, TypeError, ValueError):  # e.g. an int beyond float range
            num = pd.Series([_cell_float(v) for v in vs], index=vs.index, dtype=float)
        bad = num.isna().to_numpy() & vs.notna().to_numpy()
        if bad.any():
            raise DataError(
                f"{value_col} has {int(bad.sum())} non-numeric value(s), e.g. {vs[bad].iloc[0]!r}",
                field="value_col",
                value=vs[bad].iloc[0],
                failure_cases=frame.loc[bad].assign(
                    row=np.flatnonzero(bad) if rows is None else rows[bad]
                ),
                hint="Give values as numbers (currency units)",
            )
        vals = num.to_numpy(dtype=float, na_value=np.nan)
        inf = np.isinf(vals)
        if inf.any():
            raise DataError(
                f"{value_col} has {int(inf.sum())} infinite or too large value(s)",
                field="value_col",
                value=vals[inf][0],
                failure_cases=frame.loc[inf].assign(
                    row=np.flatnonzero(inf) if rows is None else rows[inf]
                ),
                hint="Give finite amounts (currency units); leave unknown values empty",
            )
        event_value = vals[order]

    # -- stages and channels -----------------------------------------------------
    n_tp = len(touchpoints)
    if journey is not None:
        stages, tp_stage, channels = _stages_from_journey(journey, touchpoints, strict)
        stage_source = "journey"
    elif stage_col is not None:
        stages, tp_stage = _stages_from_column(
            frame[stage_col], order, event_tp, offsets, n_tp, touchpoints, strict
        )
        stage_source = "column"
        channels = (None,) * n_tp
    else:
        stages, tp_stage = _infer_stages(event_tp, offsets, n_tp)
        stage_source = "inferred"
        channels = (None,) * n_tp
    if channel_col is not None:
        ch_codes, ch_uniques = pd.factorize(frame[channel_col], use_na_sentinel=True)
        ch = ch_codes[order].astype(_INT)
        ok = ch >= 0
        if ok.any():
            mode, _ = _mode_per_group(event_tp[ok], ch[ok], n_tp, len(ch_uniques))
            seen_tp = np.bincount(event_tp[ok], minlength=n_tp) > 0
            names = _labels(ch_uniques)
            channels = tuple(
                names[m] if s else c
                for m, s, c in zip(mode.tolist(), seen_tp.tolist(), channels, strict=True)
            )

    # -- case attributes ------------------------------------------------------------
    attrs_frame = _case_attributes(frame, order, case_cols, starts, case_sorted, case_ids)

    parts: dict[str, Any] = {
        "touchpoints": touchpoints,
        "stages": stages,
        "stage_source": stage_source,
        "channels": channels,
        "timezone": tz,
        "when_both": when_both,
        "value_agg": value_agg,
        "case_ids": case_ids,
        "case_attributes": attrs_frame,
        "event_journey": event_journey,
        "event_touchpoint": event_tp,
        "event_timestamp_ns": event_ts,
        "event_row": event_row,
        "event_outcome": event_outcome,
        "event_kind": event_kind,
        "outcome_kinds": kinds.names,
        "kind_outcome": np.asarray(kinds.outcome, dtype=np.int8),
        "event_value": event_value,
        "event_service_s": None if service is None else service[order],
        "touchpoint_stage": tp_stage,
    }
    return parts, offsets, journey_case
