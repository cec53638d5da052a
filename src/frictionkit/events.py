"""Event logs: ingest, validate, order, outcomes and journey splitting.

An :class:`EventLog` is built once from a table of events (one row per event: a case id,
a touchpoint, a timestamp) and then answers the descriptive questions (routes,
transitions, funnel) on small aggregates. The reduction is *aggregate-first*: case ids and
touchpoints are integer-coded, the events are sorted once, and every analysis works on the
resulting numpy arrays.

Conventions (they change numbers, so they are pinned here and tested):

- **Order within a case**: by timestamp; events with the same timestamp keep the order of
  the input rows (a stable sort). Never by name.
- **Case ids** are kept exactly as given (the text ``"NA"`` is a case id). Cases are
  ordered by id. Missing means null or the empty string.
- **Touchpoints** are labelled by the text form of their values (``str(value)``), so
  integer and categorical touchpoint columns work; codes follow the sorted labels.
  ``START``, ``SUCCESS``, ``FAILURE`` and ``OPEN`` are reserved state names.
- **Timestamps** are stored as int64 nanoseconds. Time-zone-aware values are converted to
  UTC; values written with explicit UTC offsets (such as ``+01:00`` and ``+02:00`` across a
  daylight-saving change) are exact instants and are converted to UTC too. Naive values are
  kept as wall-clock time. Mixing naive and aware values is an error.
- **Outcomes** (one per journey: ``success``, ``failure`` or ``open``) come from events:
  either an ``outcome_col`` whose values are mapped with ``success=`` / ``failure=``, or
  touchpoints listed in ``success=`` / ``failure=``. When a journey has both a success and
  a failure event, ``when_both`` decides (default ``"first"``: the first reached).
  Journeys without an outcome are *open*: reported on their own, never counted as failures.
- **Duplicate rows** (same case, touchpoint and timestamp as an earlier row) are kept: a
  repeated event is evidence too. They are counted in :attr:`EventLog.n_duplicate_rows`.

Examples
--------
>>> import pandas as pd
>>> from frictionkit.events import EventLog
>>> df = pd.DataFrame({
...     "case": ["c1", "c1", "c1", "c2", "c2"],
...     "step": ["visit", "cart", "buy", "visit", "cart"],
...     "time": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:05",
...                             "2024-01-01 10:09", "2024-01-02 09:00",
...                             "2024-01-02 09:01"]),
... })
>>> log = EventLog.from_frame(df, case_col="case", touchpoint_col="step",
...                           timestamp_col="time", success="buy")
>>> log
EventLog(5 events, 2 journeys in 2 cases, 3 touchpoints; 1 success, 0 failure, 1 open)
"""

from __future__ import annotations

import gzip
import html
import io
import math
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

import numpy as np
import pandas as pd

from frictionkit._compat import require
from frictionkit.exceptions import (
    DataError,
    FrictionkitWarning,
    InputTypeError,
    MissingColumnError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.model import Journey

__all__ = [
    "OUTCOMES",
    "RESERVED_STATES",
    "DroppedRowsWarning",
    "EventLog",
    "read_events",
]

#: State names used by transitions and the Markov chain; no touchpoint may use them.
RESERVED_STATES: tuple[str, ...] = ("START", "SUCCESS", "FAILURE", "OPEN")
#: Journey outcome labels, indexed by the outcome codes 0, 1, 2.
OUTCOMES: tuple[str, ...] = ("open", "success", "failure")
OPEN, SUCCESS, FAILURE = 0, 1, 2

_XES_CASE, _XES_ACTIVITY, _XES_TIME = "case:concept:name", "concept:name", "time:timestamp"
_DEFAULT_NA = (
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
)
_N_INFERRED_STAGES = 5
_INT = np.int64

WhenBoth = Literal["first", "last", "success", "failure"]
ValueAgg = Literal["last", "first", "sum", "max"]
IntArray = np.ndarray[Any, np.dtype[np.int64]]


class DroppedRowsWarning(FrictionkitWarning):
    """Rows were dropped because a case id, touchpoint or timestamp was missing."""


# ---------------------------------------------------------------------------------------
# pure kernels (numpy in, numpy out, no validation)
# ---------------------------------------------------------------------------------------
def group_quantiles(
    groups: np.ndarray, values: np.ndarray, n_groups: int, qs: Sequence[float]
) -> np.ndarray:
    """Quantiles of ``values`` within each group (linear interpolation, numpy's default).

    Parameters
    ----------
    groups : ndarray of int
        Group code of each value, in ``0 .. n_groups - 1``.
    values : ndarray of float
        The values (NaN values are ignored).
    n_groups : int
        Number of groups.
    qs : sequence of float
        Quantile levels in [0, 1].

    Returns
    -------
    ndarray, shape (n_groups, len(qs))
        NaN for groups without values.

    Examples
    --------
    >>> import numpy as np
    >>> group_quantiles(np.array([0, 0, 0, 1]), np.array([3.0, 1.0, 2.0, 5.0]), 3, [0.5])
    array([[ 2.],
           [ 5.],
           [nan]])
    """
    keep = ~np.isnan(values)
    groups, values = groups[keep], values[keep]
    order = np.lexsort((values, groups))
    g, v = groups[order], values[order]
    counts = np.bincount(g, minlength=n_groups)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    out = np.full((n_groups, len(qs)), np.nan)
    has = counts > 0
    for j, q in enumerate(qs):
        h = (counts[has] - 1) * q
        lo = np.floor(h).astype(_INT)
        hi = np.minimum(lo + 1, counts[has] - 1)
        base = starts[has]
        vlo, vhi = v[base + lo], v[base + hi]
        out[has, j] = vlo + (h - lo) * (vhi - vlo)
    return out


def int_group_quantiles(
    groups: np.ndarray, values: np.ndarray, n_groups: int, qs: Sequence[float]
) -> np.ndarray:
    """Quantiles of non-negative integer values per group, by one sort of a combined key.

    Same results as :func:`group_quantiles` (linear interpolation), faster for integers;
    falls back to it when the combined key would overflow int64.

    Examples
    --------
    >>> import numpy as np
    >>> int_group_quantiles(np.array([1, 1, 0]), np.array([4, 2, 7]), 2, (0.5,))
    array([[7.],
           [3.]])
    """
    if len(values) == 0:
        return np.full((n_groups, len(qs)), np.nan)
    width = int(values.max()) + 1
    if width * max(n_groups, 1) >= 2**62:
        return group_quantiles(groups, values.astype(float), n_groups, qs)
    key = np.sort(groups.astype(_INT) * width + values)
    g = key // width
    v = (key - g * width).astype(float)
    counts = np.bincount(g, minlength=n_groups)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    out = np.full((n_groups, len(qs)), np.nan)
    has = counts > 0
    for j, q in enumerate(qs):
        h = (counts[has] - 1) * q
        lo = np.floor(h).astype(_INT)
        hi = np.minimum(lo + 1, counts[has] - 1)
        vlo, vhi = v[starts[has] + lo], v[starts[has] + hi]
        out[has, j] = vlo + (h - lo) * (vhi - vlo)
    return out


def journey_outcomes(
    event_outcome: np.ndarray, offsets: np.ndarray, when_both: str
) -> tuple[np.ndarray, np.ndarray]:
    """Outcome code and deciding event of each journey from per-event outcome codes.

    Parameters
    ----------
    event_outcome : ndarray of int8
        0 (no outcome), 1 (success) or 2 (failure) per event, in journey order.
    offsets : ndarray of int
        Start of each journey in the event arrays, plus the total at the end.
    when_both : {"first", "last", "success", "failure"}
        Rule for journeys holding both success and failure events.

    Returns
    -------
    outcome : ndarray of int8
        0 open, 1 success, 2 failure, per journey.
    deciding : ndarray of int64
        Position of the deciding event in the event arrays, -1 for open journeys.

    Examples
    --------
    >>> import numpy as np
    >>> eo = np.array([0, 1, 2, 0, 0, 2, 1], dtype=np.int8)
    >>> journey_outcomes(eo, np.array([0, 3, 5, 7]), "first")
    (array([1, 0, 2], dtype=int8), array([ 1, -1,  5]))
    >>> journey_outcomes(eo, np.array([0, 3, 5, 7]), "failure")[0]
    array([2, 0, 2], dtype=int8)
    """
    n = len(event_outcome)
    pos = np.arange(n, dtype=_INT)
    big = np.int64(n)
    starts = offsets[:-1]

    def first_of(mask: np.ndarray) -> np.ndarray:
        f = np.minimum.reduceat(np.where(mask, pos, big), starts)
        return np.where(f == big, -1, f)

    def last_of(mask: np.ndarray) -> np.ndarray:
        return np.maximum.reduceat(np.where(mask, pos, -1), starts)

    decided = event_outcome != 0
    if when_both == "first":
        deciding = first_of(decided)
    elif when_both == "last":
        deciding = last_of(decided)
    else:
        pref = SUCCESS if when_both == "success" else FAILURE
        fp = first_of(event_outcome == pref)
        deciding = np.where(fp >= 0, fp, first_of(decided))
    outcome = np.where(deciding >= 0, event_outcome[np.maximum(deciding, 0)], 0).astype(np.int8)
    return outcome, deciding.astype(_INT)


# ---------------------------------------------------------------------------------------
# helpers for ingest
# ---------------------------------------------------------------------------------------
def _as_pandas(df: Any) -> pd.DataFrame:
    if isinstance(df, pd.DataFrame):
        return df
    to_pandas = getattr(df, "to_pandas", None)
    if callable(to_pandas):
        out = to_pandas()
        if isinstance(out, pd.DataFrame):
            return out
    raise InputTypeError(
        f"the event log must be a pandas DataFrame, got {type(df).__name__}",
        field="df",
        value=type(df).__name__,
        hint="Pass a pandas DataFrame, or a polars / pyarrow table (anything with to_pandas())",
    )


def _check_column(df: pd.DataFrame, col: Any, field: str) -> str:
    if not isinstance(col, str):
        raise InputTypeError(
            f"{field} must be a column name (text), got {col!r}", field=field, value=col
        )
    if col not in df.columns:
        cols = [str(c) for c in df.columns]
        raise MissingColumnError(
            f"{field}={col!r} is not a column of the event log" + did_you_mean(col, cols),
            field=field,
            value=col,
            hint=f"Columns: {', '.join(map(repr, cols[:20]))}" + (" …" if len(cols) > 20 else ""),
        )
    return col


def _missing(s: pd.Series) -> np.ndarray:
    miss = s.isna().to_numpy(dtype=bool, copy=True)
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        if isinstance(s.dtype, pd.CategoricalDtype):
            cats = s.cat.categories.astype(str)
            empty = np.asarray(cats == "", dtype=bool)
            if empty.any():
                codes = s.cat.codes.to_numpy()
                miss |= (codes >= 0) & empty[np.maximum(codes, 0)]
        else:
            miss |= np.asarray(s.astype(object).to_numpy() == "", dtype=bool)
    return miss


def _text_set(value: Any, field: str) -> tuple[Any, ...]:
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


def _to_ns(s: pd.Series, field: str) -> tuple[np.ndarray, str | None]:
    """Parse a timestamp column to int64 ns; returns (ns, "UTC" or None for naive)."""
    dtype = s.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        conv = s.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]")
        return conv.to_numpy().view(_INT), "UTC"
    if pd.api.types.is_datetime64_dtype(dtype):
        return s.astype("datetime64[ns]").to_numpy().view(_INT), None
    if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        raise InputTypeError(
            f"{field} holds numbers ({dtype}), which are ambiguous as times",
            field=field,
            value=str(dtype),
            hint="Convert them first, e.g. pd.to_datetime(df[col], unit='s') for Unix seconds",
        )
    values = s.astype(object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            parsed = pd.to_datetime(values)
        except (ValueError, TypeError, OverflowError) as err:
            parsed = _parse_fallback(values, field, err)
    return _to_ns(pd.Series(parsed, index=s.index), field)


_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})\s*$")


def _parse_fallback(values: pd.Series, field: str, err: Exception) -> pd.Series:
    is_text = values.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    aware = np.zeros(len(values), dtype=bool)
    if is_text.any():
        aware[is_text] = values[is_text].astype(str).str.contains(_OFFSET).to_numpy(dtype=bool)
    if not is_text.all():
        objs = values[~is_text]
        aware[~is_text] = objs.map(lambda v: getattr(v, "tzinfo", None) is not None).to_numpy(
            dtype=bool
        )
    if aware.any() and not aware.all():
        bad = values[~aware]
        raise DataError(
            f"{field} mixes time-zone-aware and naive timestamps ({len(bad)} naive of "
            f"{len(values)})",
            field=field,
            value=bad.iloc[0],
            failure_cases=pd.DataFrame({"row": np.flatnonzero(~aware), field: bad.to_numpy()}),
            hint="Convert all timestamps to UTC first, e.g. localise the naive ones with "
            "pd.to_datetime(...).dt.tz_localize('Europe/Paris').dt.tz_convert('UTC')",
        ) from None
    utc = bool(aware.all())
    for fmt in ("ISO8601", "mixed"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                return pd.to_datetime(values, format=fmt, utc=utc)
        except (ValueError, TypeError, OverflowError):
            continue
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        coerced = pd.to_datetime(values, errors="coerce", format="mixed", utc=True)
    bad_mask = coerced.isna().to_numpy() & values.notna().to_numpy()
    bad = values[bad_mask] if bad_mask.any() else values
    raise DataError(
        f"{field} has {int(bad_mask.sum())} value(s) that are not timestamps, "
        f"e.g. {bad.iloc[0]!r} ({err.__class__.__name__})",
        field=field,
        value=bad.iloc[0],
        failure_cases=pd.DataFrame({"row": np.flatnonzero(bad_mask), field: bad.to_numpy()}),
        hint="Fix or drop those rows, or parse the column yourself with "
        "pd.to_datetime(df[col], format=...)",
    ) from None


def _labels(values: Any) -> list[str]:
    return [str(v) for v in values]


def _sorted_codes(codes: np.ndarray, uniques: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Recode so that codes follow the sort order of ``uniques``; returns (codes, uniques)."""
    try:
        order = np.argsort(uniques, kind="stable")
    except TypeError:
        keys = [(type(u).__name__, str(u)) for u in uniques]
        order = np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=_INT)
    rank = np.empty(len(order), dtype=_INT)
    rank[order] = np.arange(len(order), dtype=_INT)
    return rank[codes], uniques[order]


def _mode_per_group(
    group: np.ndarray, value: np.ndarray, n_group: int, n_value: int
) -> tuple[np.ndarray, np.ndarray]:
    """Most frequent value per group (ties: lowest code) and the number of distinct values."""
    table = np.bincount(group * n_value + value, minlength=n_group * n_value).reshape(
        n_group, n_value
    )
    return table.argmax(axis=1).astype(_INT), (table > 0).sum(axis=1)


def _fmt(n: int) -> str:
    return f"{n:,}"


# ---------------------------------------------------------------------------------------
# EventLog
# ---------------------------------------------------------------------------------------
class EventLog:
    """An event log, integer-coded and ordered, with one outcome per journey.

    Build it with :meth:`EventLog.from_frame` or :func:`read_events`, not directly.

    The event arrays (``event_*``) are sorted by journey, then timestamp, then input row;
    journey ``j`` holds the events ``journey_offsets[j]`` to ``journey_offsets[j + 1] - 1``.
    All arrays are read-only numpy arrays:

    - ``event_journey`` (int64): journey code of each event (non-decreasing);
    - ``event_touchpoint`` (int64): index into :attr:`touchpoints`;
    - ``event_timestamp_ns`` (int64): nanoseconds since the epoch (UTC when aware);
    - ``event_row`` (int64): 0-based position of the event in the input table;
    - ``event_outcome`` (int8): 0 none, 1 success, 2 failure, per event;
    - ``event_value`` (float64 or None): the ``value_col`` of each event;
    - ``journey_offsets`` (int64, length ``n_journeys + 1``);
    - ``journey_case`` (int64): index into :attr:`case_ids` of each journey;
    - ``journey_outcome`` (int8): 0 open, 1 success, 2 failure (see :data:`OUTCOMES`);
    - ``journey_deciding_event`` (int64): position of the deciding event, -1 when open;
    - ``journey_value`` (float64): value of each journey (NaN when unknown);
    - ``touchpoint_stage`` (int64): index into :attr:`stages` of each touchpoint.
    """

    __slots__ = (
        "_cache",
        "case_attributes",
        "case_ids",
        "channels",
        "event_journey",
        "event_outcome",
        "event_row",
        "event_timestamp_ns",
        "event_touchpoint",
        "event_value",
        "journey_case",
        "journey_deciding_event",
        "journey_offsets",
        "journey_outcome",
        "journey_value",
        "stage_source",
        "stages",
        "timezone",
        "touchpoint_stage",
        "touchpoints",
        "value_agg",
        "when_both",
    )

    touchpoints: tuple[str, ...]
    stages: tuple[str, ...]
    stage_source: str
    channels: tuple[str | None, ...]
    timezone: str | None
    when_both: str
    value_agg: str
    case_ids: np.ndarray
    case_attributes: pd.DataFrame
    event_journey: np.ndarray
    event_touchpoint: np.ndarray
    event_timestamp_ns: np.ndarray
    event_row: np.ndarray
    event_outcome: np.ndarray
    event_value: np.ndarray | None
    journey_offsets: np.ndarray
    journey_case: np.ndarray
    journey_outcome: np.ndarray
    journey_deciding_event: np.ndarray
    journey_value: np.ndarray
    touchpoint_stage: np.ndarray
    _cache: dict[str, Any]

    def __init__(self, **parts: Any) -> None:
        for name in self.__slots__:
            if name == "_cache":
                continue
            value = parts[name]
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_cache", {})

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"EventLog is read-only; {name!r} cannot be set")

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_frame(
        cls,
        df: Any,
        *,
        case_col: str,
        touchpoint_col: str,
        timestamp_col: str,
        outcome_col: str | None = None,
        success: Any = None,
        failure: Any = None,
        when_both: WhenBoth = "first",
        stage_col: str | None = None,
        channel_col: str | None = None,
        value_col: str | None = None,
        value_agg: ValueAgg = "last",
        case_cols: Sequence[str] = (),
        journey: Journey | None = None,
        strict: bool = True,
        on_null: Literal["raise", "drop"] = "raise",
    ) -> EventLog:
        """Build an event log from a table with one row per event.

        Parameters
        ----------
        df : pandas.DataFrame
            One row per event. Polars and pyarrow tables are accepted through their
            ``to_pandas()``. The input is never modified.
        case_col, touchpoint_col, timestamp_col : str
            Columns holding the case id, the touchpoint (activity) and the time.
        outcome_col : str, optional
            Column whose values give the outcome. Per-event (set on the deciding event) or
            per-case (repeated on every row) both work. Null values mean "no outcome here".
            The values listed in ``success`` mean success, those in ``failure`` failure
            (defaults: ``True`` or ``"success"`` and ``False`` or ``"failure"``; values
            are compared with ``==``, so ``1`` and ``0`` match ``True`` and ``False``); any
            other value is an error listing them (with ``strict=False``: no outcome).
        success, failure : value or list of values, optional
            Without ``outcome_col``: touchpoints whose occurrence decides the outcome.
            With ``outcome_col``: the values of that column that mean success / failure.
        when_both : {"first", "last", "success", "failure"}, default "first"
            Which outcome a journey gets when it has both success and failure events: the
            first reached, the last reached, or the named one whenever present.
        stage_col : str, optional
            Column giving the stage of each event. Each touchpoint takes its most frequent
            stage; a touchpoint seen in several stages is an error (``strict=False``: the
            most frequent wins). Stages are ordered by their categories when the column is
            an ordered categorical, else by the median relative position of their events.
        channel_col : str, optional
            Column giving the channel of each event (most frequent per touchpoint).
        value_col : str, optional
            Numeric column giving the value of the journey (order value, fine amount).
        value_agg : {"last", "first", "sum", "max"}, default "last"
            How a journey's value is taken from its non-null ``value_col`` entries.
        case_cols : sequence of str, default ()
            Case-level columns to keep (persona, segment, channel of acquisition): the first
            non-null value of each case, in journey order. Used by ``funnel(by=...)``.
        journey : Journey, optional
            Journey map giving each touchpoint's stage and channel. Touchpoints of the log
            missing from it are an error listing them (``strict=False``: stage
            ``"unmapped"``, placed last).
        strict : bool, default True
            See ``outcome_col``, ``stage_col``, ``journey`` and ``success``.
        on_null : {"raise", "drop"}, default "raise"
            Rows with a missing case id, touchpoint or timestamp (null or empty text):
            raise a :class:`~frictionkit.DataError` holding them, or drop them with a
            :class:`DroppedRowsWarning` that counts them.

        Returns
        -------
        EventLog

        Raises
        ------
        MissingColumnError
            A column name is not in the table (the message suggests the closest one).
        DataError
            Missing values, unparseable or mixed naive/aware timestamps
            (``failure_cases`` holds the rows).
        ValidationError
            An empty log, a reserved touchpoint name, inconsistent options.

        Notes
        -----
        Without ``journey`` or ``stage_col``, stages are *inferred*: each touchpoint's
        relative position in a journey is ``i / (n - 1)`` for its ``i``-th of ``n`` events
        (0 in single-event journeys); its median over all its events, cut into five equal
        bins, gives the pseudo-stages ``inferred_1`` to ``inferred_5`` (empty bins left
        out). :attr:`stage_source` says where stages came from (``"journey"``,
        ``"column"`` or ``"inferred"``), and the funnel repeats it in a column.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({
        ...     "case": ["NA", "NA", "b", "b"],
        ...     "step": ["visit", "buy", "visit", "leave"],
        ...     "time": ["2024-01-01 10:00", "2024-01-01 10:00", "2024-01-02", "2024-01-03"],
        ... })
        >>> log = EventLog.from_frame(df, case_col="case", touchpoint_col="step",
        ...                           timestamp_col="time", success="buy", failure="leave")
        >>> log.journeys()[["case_id", "n_events", "outcome"]]
          case_id  n_events  outcome
        0       NA         2  success
        1        b         2  failure
        """
        frame = _as_pandas(df)
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
        _check_choice(when_both, "when_both", ("first", "last", "success", "failure"))
        _check_choice(value_agg, "value_agg", ("last", "first", "sum", "max"))
        _check_choice(on_null, "on_null", ("raise", "drop"))
        if journey is not None and stage_col is not None:
            raise ValidationError(
                "give either journey= or stage_col=, not both",
                field="stage_col",
                value=stage_col,
                hint="The journey map already gives each touchpoint's stage",
            )
        if len(frame) == 0:
            raise ValidationError(
                "the event log is empty (no rows)",
                field="df",
                value=0,
                hint="Check the file or the filter that produced the table",
            )

        case_s = frame[case_col]
        tp_s = frame[touchpoint_col]
        ts_s = frame[timestamp_col]
        null = _missing(case_s) | _missing(tp_s) | ts_s.isna().to_numpy(dtype=bool)
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
                stacklevel=2,
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
            rows = np.flatnonzero(keep).astype(_INT)
        else:
            rows = np.arange(len(frame), dtype=_INT)

        # -- codes -----------------------------------------------------------------
        ts, tz = _to_ns(ts_s, timestamp_col)
        case_codes, case_uniques = pd.factorize(case_s, use_na_sentinel=True)
        case_codes, case_ids = _sorted_codes(
            case_codes.astype(_INT), np.asarray(case_uniques, dtype=object)
        )
        tp_codes_raw, tp_uniques = pd.factorize(tp_s, use_na_sentinel=True)
        labels_raw = _labels(tp_uniques)
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
        tp_codes, tp_labels = _sorted_codes(
            tp_codes_raw.astype(_INT), np.asarray(labels_raw, dtype=object)
        )
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
        order = np.argsort(ts, kind="stable")
        order = order[np.argsort(case_codes[order], kind="stable")]
        case_sorted = case_codes[order]
        starts = np.flatnonzero(np.r_[True, case_sorted[1:] != case_sorted[:-1]])
        offsets = np.r_[starts, len(order)].astype(_INT)
        event_journey = np.repeat(np.arange(len(starts), dtype=_INT), np.diff(offsets))
        event_tp = tp_codes[order]
        event_ts = ts[order]
        event_row = rows[order]
        journey_case = case_sorted[starts]

        # -- outcomes ----------------------------------------------------------------
        event_outcome = _event_outcomes(
            frame, order, outcome_col, success, failure, touchpoints, tp_codes, strict
        )

        # -- value -------------------------------------------------------------------
        event_value: np.ndarray | None = None
        if value_col is not None:
            vs = frame[value_col]
            num = pd.to_numeric(vs, errors="coerce")
            bad = num.isna().to_numpy() & vs.notna().to_numpy()
            if bad.any():
                raise DataError(
                    f"{value_col} has {int(bad.sum())} non-numeric value(s), "
                    f"e.g. {vs[bad].iloc[0]!r}",
                    field="value_col",
                    value=vs[bad].iloc[0],
                    failure_cases=frame.loc[bad].assign(row=rows[bad]),
                    hint="Give values as numbers (currency units)",
                )
            event_value = num.to_numpy(dtype=float, na_value=np.nan)[order]

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
            "event_value": event_value,
            "touchpoint_stage": tp_stage,
        }
        return cls._with_journeys(parts, offsets, journey_case)

    @classmethod
    def _with_journeys(
        cls, parts: dict[str, Any], offsets: np.ndarray, journey_case: np.ndarray
    ) -> EventLog:
        outcome, deciding = journey_outcomes(parts["event_outcome"], offsets, parts["when_both"])
        ev = parts["event_value"]
        if ev is None:
            value = np.full(len(offsets) - 1, np.nan)
        else:
            value = _journey_values(ev, offsets, parts["value_agg"])
        parts = dict(parts)
        parts.update(
            journey_offsets=offsets,
            journey_case=journey_case,
            journey_outcome=outcome,
            journey_deciding_event=deciding,
            journey_value=value,
        )
        return cls(**parts)

    # -- sizes ------------------------------------------------------------------------
    @property
    def n_events(self) -> int:
        """Number of events."""
        return len(self.event_touchpoint)

    @property
    def n_journeys(self) -> int:
        """Number of journeys (cases until :meth:`split`)."""
        return len(self.journey_offsets) - 1

    @property
    def n_cases(self) -> int:
        """Number of distinct case ids."""
        return len(self.case_ids)

    @property
    def journey_length(self) -> np.ndarray:
        """Number of events of each journey (int64 array)."""
        return np.diff(self.journey_offsets)

    @property
    def outcome_counts(self) -> dict[str, int]:
        """Journeys per outcome: ``{"success": …, "failure": …, "open": …}``.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"c": ["a", "b"], "t": ["x", "y"], "ts": ["2024-01-01"] * 2})
        >>> EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts",
        ...                     success="x").outcome_counts
        {'success': 1, 'failure': 0, 'open': 1}
        """
        c = np.bincount(self.journey_outcome, minlength=3)
        return {"success": int(c[SUCCESS]), "failure": int(c[FAILURE]), "open": int(c[OPEN])}

    @property
    def n_duplicate_rows(self) -> int:
        """Rows repeating the case, touchpoint and timestamp of an earlier row (kept)."""
        if "dup" not in self._cache:
            key = pd.DataFrame(
                {
                    "c": self.journey_case[self.event_journey],
                    "t": self.event_touchpoint,
                    "s": self.event_timestamp_ns,
                }
            )
            self._cache["dup"] = int(key.duplicated().sum())
        return int(self._cache["dup"])

    # -- tables -----------------------------------------------------------------------
    def _timestamps(self, ns: np.ndarray) -> pd.DatetimeIndex:
        out = pd.DatetimeIndex(ns.astype("datetime64[ns]"))
        return out.tz_localize("UTC") if self.timezone else out

    def journeys(self) -> pd.DataFrame:
        """One row per journey.

        Returns
        -------
        pandas.DataFrame
            ``journey`` (0-based code), ``case_id`` (as given), ``journey_in_case``
            (0-based, > 0 only after :meth:`split`), ``start`` and ``end`` (timestamps of
            the first and last event), ``duration_s``, ``n_events``, ``outcome``
            (``success`` / ``failure`` / ``open``), ``value`` (NaN without ``value_col``).

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"c": ["a", "a"], "t": ["x", "y"],
        ...                    "ts": ["2024-01-01 10:00", "2024-01-01 10:01"]})
        >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts")
        >>> log.journeys()[["case_id", "duration_s", "n_events", "outcome"]]
          case_id  duration_s  n_events outcome
        0       a        60.0         2    open
        """
        off = self.journey_offsets
        first_ts = self.event_timestamp_ns[off[:-1]]
        last_ts = self.event_timestamp_ns[off[1:] - 1]
        jc = self.journey_case
        new_case = np.r_[True, jc[1:] != jc[:-1]]
        run_start = np.maximum.accumulate(np.where(new_case, np.arange(len(jc)), 0))
        return pd.DataFrame(
            {
                "journey": np.arange(self.n_journeys, dtype=_INT),
                "case_id": pd.array(self.case_ids[jc], dtype=object),
                "journey_in_case": np.arange(len(jc)) - run_start,
                "start": self._timestamps(first_ts),
                "end": self._timestamps(last_ts),
                "duration_s": (last_ts - first_ts) / 1e9,
                "n_events": np.diff(off),
                "outcome": np.asarray(OUTCOMES, dtype=object)[self.journey_outcome],
                "value": self.journey_value,
            }
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per event, in journey order.

        Returns
        -------
        pandas.DataFrame
            ``journey``, ``case_id``, ``touchpoint``, ``stage``, ``timestamp``, ``row``
            (position in the input table).

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"c": ["a", "a"], "t": ["y", "x"],
        ...                    "ts": ["2024-01-02", "2024-01-01"]})
        >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts")
        >>> log.to_frame()[["case_id", "touchpoint", "row"]]
          case_id touchpoint  row
        0       a          x    1
        1       a          y    0
        """
        tp = np.asarray(self.touchpoints, dtype=object)
        st = np.asarray(self.stages, dtype=object)
        return pd.DataFrame(
            {
                "journey": self.event_journey,
                "case_id": pd.array(
                    self.case_ids[self.journey_case[self.event_journey]], dtype=object
                ),
                "touchpoint": tp[self.event_touchpoint],
                "stage": st[self.touchpoint_stage[self.event_touchpoint]],
                "timestamp": self._timestamps(self.event_timestamp_ns),
                "row": self.event_row,
            }
        )

    def touchpoint_table(self) -> pd.DataFrame:
        """One row per touchpoint: ``touchpoint``, ``code``, ``stage``, ``channel``, ``events``.

        The table also carries ``stage_source`` in ``.attrs``.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"c": ["a", "a"], "t": ["x", "y"], "ts": ["2024-01-01"] * 2})
        >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts")
        >>> log.touchpoint_table()
          touchpoint  code       stage channel  events
        0          x     0  inferred_1    None       1
        1          y     1  inferred_5    None       1
        """
        out = pd.DataFrame(
            {
                "touchpoint": pd.array(self.touchpoints, dtype=object),
                "code": np.arange(len(self.touchpoints), dtype=_INT),
                "stage": pd.array([self.stages[s] for s in self.touchpoint_stage], dtype=object),
                "channel": pd.array(self.channels, dtype=object),
                "events": np.bincount(self.event_touchpoint, minlength=len(self.touchpoints)),
            }
        )
        out.attrs["stage_source"] = self.stage_source
        return out

    # -- journeys ---------------------------------------------------------------------
    def split(self, gap_s: float | None = None, *, truncate_at_outcome: bool = False) -> EventLog:
        """Split cases into journeys at inactivity gaps and/or after the outcome.

        Parameters
        ----------
        gap_s : float, optional
            A new journey starts when more than ``gap_s`` seconds pass between two
            consecutive events of a case.
        truncate_at_outcome : bool, default False
            End a journey at its first success or failure event; the case's later events
            start a new journey (no event is dropped).

        Returns
        -------
        EventLog
            A new log; outcomes are recomputed per journey from the events.

        Notes
        -----
        An outcome column repeated on every row of a case gives every journey of that case
        the same outcome; put the outcome on the deciding event when splitting.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"c": ["a"] * 4, "t": ["x", "buy", "x", "y"],
        ...     "ts": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:10",
        ...                           "2024-01-03 09:00", "2024-01-03 09:05"])})
        >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t",
        ...                           timestamp_col="ts", success="buy")
        >>> log.split(gap_s=3600).journeys()[["case_id", "journey_in_case", "outcome"]]
          case_id  journey_in_case  outcome
        0       a                0  success
        1       a                1     open
        """
        n = self.n_events
        cut = np.zeros(n, dtype=bool)
        cut[self.journey_offsets[:-1]] = True
        if gap_s is not None:
            from frictionkit._validate import as_float, check_bounds

            gap = check_bounds(as_float(gap_s, "gap_s"), "gap_s", low=0.0)
            same_case = np.r_[
                False,
                self.journey_case[self.event_journey[1:]]
                == self.journey_case[self.event_journey[:-1]],
            ]
            dt = np.r_[0, np.diff(self.event_timestamp_ns)]
            cut |= same_case & (dt > gap * 1e9)
        if not isinstance(truncate_at_outcome, bool):
            raise InputTypeError(
                f"truncate_at_outcome must be True or False, got {truncate_at_outcome!r}",
                field="truncate_at_outcome",
                value=truncate_at_outcome,
            )
        if truncate_at_outcome:
            # iteratively: after each journey's first outcome event, start a new journey
            while True:
                offsets = np.r_[np.flatnonzero(cut), n].astype(_INT)
                _, deciding = journey_outcomes(self.event_outcome, offsets, "first")
                nxt = deciding[deciding >= 0] + 1
                nxt = nxt[nxt < n]
                nxt = nxt[~cut[nxt]]
                if len(nxt) == 0:
                    break
                cut[nxt] = True
        offsets = np.r_[np.flatnonzero(cut), n].astype(_INT)
        event_journey = np.repeat(np.arange(len(offsets) - 1, dtype=_INT), np.diff(offsets))
        journey_case = self.journey_case[self.event_journey[offsets[:-1]]]
        parts = {
            name: getattr(self, name)
            for name in self.__slots__
            if name
            not in {
                "_cache",
                "event_journey",
                "journey_offsets",
                "journey_case",
                "journey_outcome",
                "journey_deciding_event",
                "journey_value",
            }
        }
        parts["event_journey"] = event_journey
        return self._with_journeys(parts, offsets, journey_case)

    def journey_segment(self, by: Any) -> tuple[np.ndarray, np.ndarray]:
        """Segment code of each journey and the segment labels.

        Parameters
        ----------
        by : str or pandas.Series or mapping
            The name of a column kept with ``case_cols``, or a mapping / Series from case
            id to segment. Journeys of cases without a segment get ``"(none)"``.

        Returns
        -------
        codes : ndarray of int64
            Index into ``labels`` per journey.
        labels : ndarray of object
            Segment labels, sorted by their text.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"c": ["a", "b"], "t": ["x", "y"], "ts": ["2024-01-01"] * 2})
        >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts")
        >>> log.journey_segment({"a": "new", "b": "loyal"})
        (array([1, 0]), array(['loyal', 'new'], dtype=object))
        """
        if isinstance(by, str):
            if by not in self.case_attributes.columns:
                kept = list(self.case_attributes.columns)
                raise UnknownReferenceError(
                    f"by={by!r} is not a case column kept by this log" + did_you_mean(by, kept),
                    field="by",
                    value=by,
                    hint="Pass it in case_cols= when building the log, or give a mapping from "
                    "case id to segment"
                    + (f" (kept: {', '.join(map(repr, kept))})" if kept else ""),
                )
            per_case = self.case_attributes[by].astype(object).to_numpy()
        elif isinstance(by, (pd.Series, Mapping)):
            mapping = by if isinstance(by, pd.Series) else pd.Series(dict(by), dtype=object)
            mapped = pd.Series(self.case_ids, dtype=object).map(mapping)
            per_case = mapped.astype(object).to_numpy()
        else:
            raise InputTypeError(
                f"by must be a column name or a mapping from case id to segment, got "
                f"{type(by).__name__}",
                field="by",
                value=by,
            )
        text = np.array(
            [
                "(none)" if (v is None or (isinstance(v, float) and math.isnan(v))) else str(v)
                for v in per_case
            ],
            dtype=object,
        )
        labels, codes = np.unique(text, return_inverse=True)
        return codes.astype(_INT)[self.journey_case], labels.astype(object)

    # -- analyses (implemented in frictionkit.routes) ----------------------------------
    def routes(self, min_group_size: int | None = None) -> pd.DataFrame:
        """Distinct routes with their outcomes; see :func:`frictionkit.routes.routes`.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"c": ["a", "a", "b"], "t": ["x", "y", "x"],
        ...                    "ts": ["2024-01-01"] * 3})
        >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts")
        >>> log.routes()["route_text"].tolist()
        ['x', 'x → y']
        """
        from frictionkit.routes import routes

        return routes(self, min_group_size=min_group_size)

    def transitions(self) -> pd.DataFrame:
        """Directly-follows counts; see :func:`frictionkit.routes.transitions`.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"c": ["a", "a"], "t": ["x", "y"], "ts": ["2024-01-01"] * 2})
        >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts")
        >>> log.transitions()[["source", "target", "count"]]
          source target  count
        0  START      x      1
        1      x      y      1
        2      y   OPEN      1
        """
        from frictionkit.routes import transitions

        return transitions(self)

    def funnel(self, by: Any = None) -> pd.DataFrame:
        """Journeys reaching each stage; see :func:`frictionkit.routes.funnel`.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"c": ["a", "a", "b"], "t": ["x", "y", "x"],
        ...                    "ts": ["2024-01-01"] * 3})
        >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts")
        >>> log.funnel()[["stage", "journeys"]]
                stage  journeys
        0  inferred_1         2
        1  inferred_5         1
        """
        from frictionkit.routes import funnel

        return funnel(self, by=by)

    # -- display ----------------------------------------------------------------------
    def __repr__(self) -> str:
        oc = self.outcome_counts
        return (
            f"EventLog({_fmt(self.n_events)} events, {_fmt(self.n_journeys)} journeys in "
            f"{_fmt(self.n_cases)} cases, {len(self.touchpoints)} touchpoints; "
            f"{_fmt(oc['success'])} success, {_fmt(oc['failure'])} failure, "
            f"{_fmt(oc['open'])} open)"
        )

    def _repr_html_(self) -> str:
        oc = self.outcome_counts
        rows = [
            ("events", _fmt(self.n_events)),
            ("journeys", _fmt(self.n_journeys)),
            ("cases", _fmt(self.n_cases)),
            ("touchpoints", str(len(self.touchpoints))),
            ("stages", f"{len(self.stages)} ({self.stage_source})"),
            ("success / failure / open", f"{oc['success']} / {oc['failure']} / {oc['open']}"),
        ]
        body = "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows
        )
        return f"<table><caption>EventLog</caption>{body}</table>"


def _check_choice(value: Any, field: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ValidationError(
            f"{field} must be one of {', '.join(map(repr, allowed))}, got {value!r}"
            + did_you_mean(value, allowed),
            field=field,
            value=value,
        )


def _event_outcomes(
    frame: pd.DataFrame,
    order: np.ndarray,
    outcome_col: str | None,
    success: Any,
    failure: Any,
    touchpoints: tuple[str, ...],
    tp_codes: np.ndarray,
    strict: bool,
) -> np.ndarray:
    succ = _text_set(success, "success")
    fail = _text_set(failure, "failure")
    if outcome_col is None:
        succ_s = {str(v) for v in succ}
        fail_s = {str(v) for v in fail}
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
        looked_up: np.ndarray = lut[tp_codes[order]]
        return looked_up
    s = frame[outcome_col]
    if not succ and not fail:
        succ, fail = (True, "success"), (False, "failure")
    clash = [v for v in succ if v in fail]
    if clash:
        raise ValidationError(
            f"value(s) {clash} are listed as both success and failure",
            field="success",
            value=clash[0],
        )
    obj = s.astype(object)
    is_s = obj.isin(list(succ)).to_numpy(dtype=bool)
    is_f = obj.isin(list(fail)).to_numpy(dtype=bool)
    other = obj.notna().to_numpy(dtype=bool) & ~is_s & ~is_f
    if other.any() and strict:
        values = sorted({str(v) for v in obj[other].unique()})
        raise ValidationError(
            f"{outcome_col} has value(s) {values[:10]} that are neither success "
            f"{list(succ)} nor failure {list(fail)}",
            field="outcome_col",
            value=values[0],
            hint="List them in success= or failure=, make them null, or pass strict=False "
            "to treat them as no outcome",
        )
    out = np.zeros(len(s), dtype=np.int8)
    out[is_s] = SUCCESS
    out[is_f] = FAILURE
    result: np.ndarray = out[order]
    return result


def _journey_values(ev: np.ndarray, offsets: np.ndarray, how: str) -> np.ndarray:
    starts = offsets[:-1]
    ok = ~np.isnan(ev)
    if how == "sum":
        total = np.add.reduceat(np.where(ok, ev, 0.0), starts)
        anyok = np.logical_or.reduceat(ok, starts)
        return np.where(anyok, total, np.nan)
    if how == "max":
        return np.fmax.reduceat(ev, starts)
    pos = np.arange(len(ev), dtype=_INT)
    if how == "last":
        p = np.maximum.reduceat(np.where(ok, pos, -1), starts)
    else:
        big = np.int64(len(ev))
        p = np.minimum.reduceat(np.where(ok, pos, big), starts)
        p = np.where(p == big, -1, p)
    return np.where(p >= 0, ev[np.maximum(p, 0)], np.nan)


def _stages_from_journey(
    journey: Journey, touchpoints: tuple[str, ...], strict: bool
) -> tuple[tuple[str, ...], np.ndarray, tuple[str | None, ...]]:
    from frictionkit.model import Journey

    if not isinstance(journey, Journey):
        raise InputTypeError(
            f"journey must be a frictionkit.Journey, got {type(journey).__name__}",
            field="journey",
            value=type(journey).__name__,
        )
    known = journey.ids("touchpoints")
    unknown = [t for t in touchpoints if t not in set(known)]
    stages = list(journey.ids("stages"))
    if unknown and strict:
        hints = "; ".join(f"{u!r}{did_you_mean(u, known)}" for u in unknown[:5])
        raise UnknownReferenceError(
            f"{len(unknown)} touchpoint(s) of the log are not in the journey map: {hints}"
            + (" …" if len(unknown) > 5 else ""),
            field="journey",
            value=unknown,
            hint="Add them to the journey, rename them in the log, or pass strict=False to "
            "keep them in the stage 'unmapped'",
        )
    if unknown:
        stages.append("unmapped")
    pos = {s: i for i, s in enumerate(stages)}
    tp_stage = np.array(
        [pos[journey.stage_of(t)] if t in set(known) else pos["unmapped"] for t in touchpoints],
        dtype=_INT,
    )
    channels = tuple(
        journey.touchpoint(t).channel if t in set(known) else None for t in touchpoints
    )
    return tuple(stages), tp_stage, channels


def _relative_position(event_tp: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    lengths = np.diff(offsets)
    idx = np.arange(len(event_tp), dtype=_INT) - np.repeat(offsets[:-1], lengths)
    denom = np.repeat(np.maximum(lengths - 1, 1), lengths)
    rel: np.ndarray = idx / denom
    return rel


def _infer_stages(
    event_tp: np.ndarray, offsets: np.ndarray, n_tp: int
) -> tuple[tuple[str, ...], np.ndarray]:
    rel = _relative_position(event_tp, offsets)
    # fixed-point positions (2**-40 resolution) let one integer sort do the grouping
    scale = float(2**40)
    med = int_group_quantiles(event_tp, np.round(rel * scale).astype(_INT), n_tp, (0.5,))
    med = med[:, 0] / scale
    k = _N_INFERRED_STAGES
    bins = np.minimum(np.floor(med * k + 1e-9), k - 1).astype(_INT)
    used = np.unique(bins)
    names = tuple(f"inferred_{b + 1}" for b in used.tolist())
    return names, np.searchsorted(used, bins).astype(_INT)


def _stages_from_column(
    s: pd.Series,
    order: np.ndarray,
    event_tp: np.ndarray,
    offsets: np.ndarray,
    n_tp: int,
    touchpoints: tuple[str, ...],
    strict: bool,
) -> tuple[tuple[str, ...], np.ndarray]:
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    names = _labels(uniques)
    ev_stage = codes[order].astype(_INT)
    ok = ev_stage >= 0
    mode, n_distinct = _mode_per_group(event_tp[ok], ev_stage[ok], n_tp, len(names))
    seen = np.bincount(event_tp[ok], minlength=n_tp) > 0
    if not seen.all():
        missing = [touchpoints[i] for i in np.flatnonzero(~seen)]
        raise ValidationError(
            f"touchpoint(s) {missing[:10]} have no stage in the stage column",
            field="stage_col",
            value=missing[0],
            hint="Fill the stage of every event",
        )
    multi = np.flatnonzero(n_distinct > 1)
    if len(multi) and strict:
        bad = [touchpoints[i] for i in multi]
        raise ValidationError(
            f"touchpoint(s) {bad[:10]} appear in more than one stage",
            field="stage_col",
            value=bad[0],
            hint="Give each touchpoint one stage, or pass strict=False to use the most "
            "frequent stage of each",
        )
    if isinstance(s.dtype, pd.CategoricalDtype) and s.cat.ordered:
        cat_order = _labels(s.cat.categories)
        stage_order = [c for c in cat_order if c in set(names)]
    else:
        rel = _relative_position(event_tp, offsets)
        med = group_quantiles(ev_stage[ok], rel[ok], len(names), [0.5])[:, 0]
        stage_order = [
            names[i] for i in sorted(range(len(names)), key=lambda i: (med[i], names[i]))
        ]
    pos = {n: i for i, n in enumerate(stage_order)}
    remap = np.array([pos[n] for n in names], dtype=_INT)
    return tuple(stage_order), remap[mode]


def _case_attributes(
    frame: pd.DataFrame,
    order: np.ndarray,
    case_cols: Sequence[str],
    starts: np.ndarray,
    case_sorted: np.ndarray,
    case_ids: np.ndarray,
) -> pd.DataFrame:
    out: dict[str, Any] = {}
    lengths = np.diff(np.r_[starts, len(order)])
    for col in case_cols:
        vals = frame[col].astype(object).to_numpy()[order]
        ok = ~pd.isna(vals)
        pos = np.arange(len(vals), dtype=_INT)
        big = np.int64(len(vals))
        first = np.minimum.reduceat(np.where(ok, pos, big), starts)
        got = first < big
        col_vals = np.full(len(starts), None, dtype=object)
        col_vals[got] = vals[first[got]]
        out[col] = col_vals
    del lengths, case_sorted
    return pd.DataFrame(out, index=pd.RangeIndex(len(case_ids)))


# ---------------------------------------------------------------------------------------
# readers
# ---------------------------------------------------------------------------------------
def read_events(
    path: str | Path,
    *,
    case_col: str = _XES_CASE,
    touchpoint_col: str = _XES_ACTIVITY,
    timestamp_col: str = _XES_TIME,
    format: Literal["csv", "parquet", "xes"] | None = None,
    **options: Any,
) -> EventLog:
    r"""Read an event log from a CSV, Parquet or XES file.

    Parameters
    ----------
    path : str or Path
        The file. ``.csv``, ``.csv.gz``, ``.parquet``, ``.xes`` and ``.xes.gz`` are
        recognised by their suffix; ``format`` overrides it.
    case_col, touchpoint_col, timestamp_col : str
        Column names; the defaults are the XES standard names (``case:concept:name``,
        ``concept:name``, ``time:timestamp``), which XES files always use.
    format : {"csv", "parquet", "xes"}, optional
        The file format when the suffix does not tell.
    **options
        Passed to :meth:`EventLog.from_frame` (``success=``, ``outcome_col=`` …).

    Returns
    -------
    EventLog

    Notes
    -----
    CSV: the case id and touchpoint columns are read as text exactly as written (no
    missing-value guessing: ``NA`` is a case id; only an empty field is missing). Other
    columns get pandas' usual missing-value markers. Parquet needs the optional package
    ``pyarrow``. XES is read in one streaming pass with the standard library; documents with
    a DOCTYPE or entity declarations are refused (they can make a parser read other files
    or expand without bound). Trace attributes become ``case:``-prefixed columns.

    Examples
    --------
    >>> import tempfile, os
    >>> text = "case,step,time\nNA,visit,2024-01-01\nNA,buy,2024-01-02\n"
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "log.csv")
    ...     with open(p, "w") as fh:
    ...         _ = fh.write(text)
    ...     log = read_events(p, case_col="case", touchpoint_col="step", timestamp_col="time")
    >>> log.case_ids.tolist()
    ['NA']
    """
    p = Path(path)
    if not p.exists():
        raise ValidationError(
            f"event log file {str(p)!r} does not exist", field="path", value=str(p)
        )
    fmt = format or _guess_format(p)
    _check_choice(fmt, "format", ("csv", "parquet", "xes"))
    if fmt == "csv":
        df = _read_csv(p, (case_col, touchpoint_col))
    elif fmt == "parquet":
        require("pyarrow", extra="arrow", feature="reading Parquet event logs")
        df = pd.read_parquet(p)
    else:
        df = read_xes_frame(p)
    return EventLog.from_frame(
        df,
        case_col=case_col,
        touchpoint_col=touchpoint_col,
        timestamp_col=timestamp_col,
        **options,
    )


def _guess_format(p: Path) -> str:
    name = p.name.lower()
    for suffix, fmt in (
        (".csv", "csv"),
        (".csv.gz", "csv"),
        (".txt", "csv"),
        (".parquet", "parquet"),
        (".pq", "parquet"),
        (".xes", "xes"),
        (".xes.gz", "xes"),
    ):
        if name.endswith(suffix):
            return fmt
    raise ValidationError(
        f"cannot tell the format of {p.name!r} from its suffix",
        field="format",
        value=p.name,
        hint="Pass format='csv', 'parquet' or 'xes'",
    )


def _read_csv(p: Path, text_cols: Sequence[str]) -> pd.DataFrame:
    header = pd.read_csv(p, nrows=0)
    cols = [str(c) for c in header.columns]
    na_values = {c: list(_DEFAULT_NA) for c in cols if c not in set(text_cols)}
    dtype = {c: str for c in text_cols if c in set(cols)}
    return pd.read_csv(p, dtype=dtype, keep_default_na=False, na_values=na_values)


class _GuardedReader(io.RawIOBase):
    """A byte stream that refuses DOCTYPE and ENTITY declarations while it is read."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._tail = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        window = (self._tail + data).upper()
        if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
            raise ValidationError(
                "the XES file declares a DOCTYPE or entities, which are refused for safety",
                field="path",
                value="<!DOCTYPE/<!ENTITY",
                hint="Remove the DOCTYPE / ENTITY declarations (XES does not need them)",
            )
        self._tail = data[-16:]
        n = len(data)
        buffer[:n] = data
        return n


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_XES_SIMPLE = {"string", "date", "int", "float", "boolean", "id"}


def _xes_value(kind: str, text: str | None) -> Any:
    if text is None:
        return None
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    if kind == "boolean":
        return text.strip().lower() == "true"
    return text


def read_xes_frame(path: str | Path) -> pd.DataFrame:
    """Read an XES file (optionally gzipped) into one row per event.

    Parameters
    ----------
    path : str or Path
        The ``.xes`` or ``.xes.gz`` file.

    Returns
    -------
    pandas.DataFrame
        Event attributes as columns (``concept:name``, ``time:timestamp`` …) and trace
        attributes prefixed ``case:`` (``case:concept:name``). Dates stay text; they are
        parsed by :meth:`EventLog.from_frame`.

    Examples
    --------
    >>> import tempfile, os
    >>> xes = ('<log><trace><string key="concept:name" value="c1"/>'
    ...        '<event><string key="concept:name" value="visit"/>'
    ...        '<date key="time:timestamp" value="2024-01-01T10:00:00+00:00"/></event>'
    ...        '</trace></log>')
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "log.xes")
    ...     with open(p, "w") as fh:
    ...         _ = fh.write(xes)
    ...     read_xes_frame(p).columns.tolist()
    ['case:concept:name', 'concept:name', 'time:timestamp']
    """
    import xml.etree.ElementTree as ET

    p = Path(path)

    def opener() -> BinaryIO:
        if p.name.lower().endswith(".gz"):
            return gzip.open(p, "rb")  # type: ignore[return-value]
        return open(p, "rb")

    rows: list[dict[str, Any]] = []
    with opener() as raw:
        stream = io.BufferedReader(_GuardedReader(raw))
        trace_attrs: dict[str, Any] = {}
        trace_rows: list[dict[str, Any]] = []
        depth_event = 0
        depth_trace = 0
        event: dict[str, Any] = {}
        try:
            events_iter: Iterator[tuple[str, Any]] = ET.iterparse(stream, events=("start", "end"))
            for kind, elem in events_iter:
                tag = _local(elem.tag)
                if kind == "start":
                    if tag == "trace":
                        depth_trace += 1
                        trace_attrs, trace_rows = {}, []
                    elif tag == "event":
                        depth_event += 1
                        event = {}
                    continue
                if tag in _XES_SIMPLE and elem.get("key") is not None:
                    parent_is_event = depth_event > 0
                    key = str(elem.get("key"))
                    value = _xes_value(tag, elem.get("value"))
                    if parent_is_event:
                        event.setdefault(key, value)
                    elif depth_trace > 0:
                        trace_attrs.setdefault(f"case:{key}", value)
                elif tag == "event":
                    depth_event -= 1
                    trace_rows.append(event)
                    elem.clear()
                elif tag == "trace":
                    depth_trace -= 1
                    for r in trace_rows:
                        r.update(trace_attrs)
                    rows.extend(trace_rows)
                    elem.clear()
        except ET.ParseError as err:
            raise ValidationError(
                f"{p.name!r} is not well-formed XML: {err}",
                field="path",
                value=str(p),
                hint="Check that the file is a complete XES document",
            ) from None
    if not rows:
        raise ValidationError(
            f"{p.name!r} holds no events",
            field="path",
            value=str(p),
            hint="An XES log has <trace> elements holding <event> elements",
        )
    df = pd.DataFrame(rows)
    first = [c for c in (_XES_CASE, _XES_ACTIVITY, _XES_TIME) if c in df.columns]
    return df[first + [c for c in df.columns if c not in set(first)]]
