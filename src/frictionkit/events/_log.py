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

import html
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from frictionkit.exceptions import (
    FrictionkitWarning,
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from frictionkit.io.events import _labels, frame_parts, read_events, read_xes_frame

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.estimates import SeedLike
    from frictionkit.markov import MarkovModel
    from frictionkit.model import Journey

__all__ = [
    "OUTCOMES",
    "RESERVED_STATES",
    "DroppedRowsWarning",
    "EventLog",
    "read_events",
    "read_xes_frame",
]

#: State names used by transitions and the Markov chain; no touchpoint may use them.
RESERVED_STATES: tuple[str, ...] = ("START", "SUCCESS", "FAILURE", "OPEN")
#: Journey outcome labels, indexed by the outcome codes 0, 1, 2.
OUTCOMES: tuple[str, ...] = ("open", "success", "failure")
OPEN, SUCCESS, FAILURE = 0, 1, 2

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
        parts, offsets, journey_case = frame_parts(
            df,
            case_col=case_col,
            touchpoint_col=touchpoint_col,
            timestamp_col=timestamp_col,
            outcome_col=outcome_col,
            success=success,
            failure=failure,
            when_both=when_both,
            stage_col=stage_col,
            channel_col=channel_col,
            value_col=value_col,
            value_agg=value_agg,
            case_cols=case_cols,
            journey=journey,
            strict=strict,
            on_null=on_null,
        )
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

    def friction(self, min_support: int = 30) -> pd.DataFrame:
        """Stage-matched friction per touchpoint; see :func:`frictionkit.friction.friction`.

        Examples
        --------
        >>> from frictionkit.datasets import simulate_journeys
        >>> df = simulate_journeys(3000, seed=5)
        >>> log = EventLog.from_frame(df, case_col="case_id", touchpoint_col="touchpoint",
        ...     timestamp_col="timestamp", stage_col="stage", outcome_col="outcome",
        ...     strict=False)
        >>> log.friction().loc[0, "touchpoint"]
        'payment_error'
        """
        from frictionkit.friction import friction

        return friction(self, min_support=min_support)

    def failure_patterns(self, max_len: int = 3, min_support: int = 30) -> pd.DataFrame:
        """Sub-routes frequent in failures; see :func:`~frictionkit.friction.failure_patterns`.

        Examples
        --------
        >>> from frictionkit.datasets import simulate_journeys
        >>> df = simulate_journeys(3000, seed=5)
        >>> log = EventLog.from_frame(df, case_col="case_id", touchpoint_col="touchpoint",
        ...     timestamp_col="timestamp", outcome_col="outcome", strict=False)
        >>> "payment_error" in log.failure_patterns().loc[0, "pattern"]
        True
        """
        from frictionkit.friction import failure_patterns

        return failure_patterns(self, max_len=max_len, min_support=min_support)

    def markov(self) -> MarkovModel:
        """Absorbing Markov chain of decided journeys; see :func:`frictionkit.friction.markov`.

        Examples
        --------
        >>> from frictionkit.datasets import simulate_journeys
        >>> df = simulate_journeys(2000, seed=5)
        >>> log = EventLog.from_frame(df, case_col="case_id", touchpoint_col="touchpoint",
        ...     timestamp_col="timestamp", outcome_col="outcome", strict=False)
        >>> oc = log.outcome_counts
        >>> log.markov().n_journeys == oc["success"] + oc["failure"]
        True
        """
        from frictionkit.friction import markov

        return markov(self)

    def repair_effects(
        self,
        reduce_failure_by: float = 0.5,
        value_per_success: float | None = None,
        bootstrap: int = 0,
        seed: SeedLike = None,
    ) -> pd.DataFrame:
        """Repair effect per touchpoint; see :func:`frictionkit.friction.repair_effects`.

        Examples
        --------
        >>> from frictionkit.datasets import simulate_journeys
        >>> df = simulate_journeys(2000, seed=5)
        >>> log = EventLog.from_frame(df, case_col="case_id", touchpoint_col="touchpoint",
        ...     timestamp_col="timestamp", outcome_col="outcome", strict=False)
        >>> log.repair_effects(1.0, value_per_success=50).loc[0, "touchpoint"]
        'payment_error'
        """
        from frictionkit.friction import repair_effects

        return repair_effects(
            self,
            reduce_failure_by=reduce_failure_by,
            value_per_success=value_per_success,
            bootstrap=bootstrap,
            seed=seed,
        )

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
