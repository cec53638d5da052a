"""The :class:`EventLog` class (re-exported by :mod:`frictionkit.events`).

Why this module is long: it holds one class whose constructors' docstrings are the one
place every ingest option is documented (:meth:`EventLog.from_frame`, :meth:`EventLog.scan`);
the work is elsewhere (``_ingest``, ``_lifecycle``, ``_scan``, ``_compact``, ``_analyses``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import numpy as np
import pandas as pd

from frictionkit._memory import reusing_memory
from frictionkit._protocol import Result
from frictionkit._resources import array_bytes, check_allocation
from frictionkit.events._analyses import LogAnalyses
from frictionkit.events._compact import compact_log
from frictionkit.events._ingest import frame_parts
from frictionkit.events._kernels import (
    _INT,
    _fmt,
    _journey_values,
    journey_outcomes,
)
from frictionkit.events._options import Lifecycle, OnNull, ValueAgg, WhenBoth, options_from
from frictionkit.events._outcomes import FAILURE, OPEN, OUTCOMES, SUCCESS
from frictionkit.events._scan import scan
from frictionkit.events._split import journey_cuts
from frictionkit.exceptions import ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events._engine import Engine, Timings
    from frictionkit.model import Journey

_T = TypeVar("_T")


# Peak working memory of ingest per event (measured: about 145 bytes over the input at
# 10M events), used to refuse a log that would not fit the memory budget.
_BYTES_PER_EVENT = 160


# ---------------------------------------------------------------------------------------
# EventLog
# ---------------------------------------------------------------------------------------
class EventLog(LogAnalyses, Result):
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
    - ``event_kind`` (int16 or None): the kind of outcome of each event, an index into
      :attr:`outcome_kinds` (0 none); None when the log has the plain kinds (then the
      kinds are the outcome codes);
    - ``event_value`` (float64 or None): the ``value_col`` of each event;
    - ``event_service_s`` (float64 or None): with ``lifecycle="start_complete"``, the
      seconds from each event's paired ``start`` to its ``complete`` (NaN when unpaired);
    - ``journey_offsets`` (int64, length ``n_journeys + 1``);
    - ``journey_case`` (int64): index into :attr:`case_ids` of each journey;
    - ``journey_outcome`` (int8): 0 open, 1 success, 2 failure (see :data:`OUTCOMES`);
    - ``journey_deciding_event`` (int64): position of the deciding event, -1 when open;
    - ``journey_value`` (float64): value of each journey (NaN when unknown);
    - ``touchpoint_stage`` (int64): index into :attr:`stages` of each touchpoint.

    Kinds of outcome (``failure={"declined": [...], "cancelled": [...]}``, see
    :meth:`from_frame`): :attr:`outcome_kinds` names each kind (``"open"`` first, then the
    success kinds, then the failure kinds), ``kind_outcome`` (int8) gives each kind's
    outcome code, :attr:`journey_kind` each journey's kind (the kind of its deciding
    event). The plain forms give the kinds ``("open", "success", "failure")``.

    A *compact* log (from :meth:`EventLog.scan` or :meth:`compact`) holds one row per
    distinct journey variant instead of one per journey: ``journey_weight`` (int64) counts
    the journeys of each row, ``journey_value`` is the mean value of the row's journeys that
    have one and ``journey_value_n`` how many do, and ``timings`` holds the time quantiles
    that the engine computed over the raw events (the event timestamps of a compact log are
    not real). Every analysis (routes, transitions, funnel, friction, failure patterns,
    Markov chain) gives the same results on a log and on its compact form; what needs single
    journeys (:meth:`journeys`, :meth:`to_frame`, :meth:`split`) is refused with a clear
    error. :attr:`is_compact` tells which form a log is in, :attr:`engine` which engine
    computed it.
    """

    __slots__ = (
        "_cache",
        "case_attributes",
        "case_ids",
        "channels",
        "engine",
        "event_journey",
        "event_kind",
        "event_outcome",
        "event_row",
        "event_service_s",
        "event_timestamp_ns",
        "event_touchpoint",
        "event_value",
        "journey_case",
        "journey_deciding_event",
        "journey_offsets",
        "journey_outcome",
        "journey_value",
        "journey_value_n",
        "journey_weight",
        "kind_outcome",
        "outcome_kinds",
        "stage_source",
        "stages",
        "timezone",
        "timings",
        "touchpoint_stage",
        "touchpoints",
        "value_agg",
        "when_both",
    )
    _charts: ClassVar[Mapping[str, str]] = {
        "route_flow": "route_flow",
        "funnel": "funnel",
        "friction": "friction",
        "repair_effects": "repair_effects",
    }

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
    event_kind: np.ndarray | None
    outcome_kinds: tuple[str, ...]
    kind_outcome: np.ndarray
    event_value: np.ndarray | None
    event_service_s: np.ndarray | None
    journey_offsets: np.ndarray
    journey_case: np.ndarray
    journey_outcome: np.ndarray
    journey_deciding_event: np.ndarray
    journey_value: np.ndarray
    journey_value_n: np.ndarray | None
    journey_weight: np.ndarray | None
    touchpoint_stage: np.ndarray
    engine: str
    timings: Timings | None
    _cache: dict[str, Any]

    def __init__(self, **parts: Any) -> None:
        parts.setdefault("journey_weight", None)
        parts.setdefault("journey_value_n", None)
        parts.setdefault("event_service_s", None)
        parts.setdefault("event_kind", None)
        parts.setdefault("outcome_kinds", OUTCOMES)
        parts.setdefault("kind_outcome", np.array([OPEN, SUCCESS, FAILURE], dtype=np.int8))
        parts.setdefault("timings", None)
        parts.setdefault("engine", "pandas")
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

    def _memo(self, key: str, compute: Callable[[], _T]) -> _T:
        """The value kept under ``key``, computed by ``compute()`` on first use.

        The one way the package keeps a derived value with a log (route keys, decided
        paths, counts): the log is read-only, so a value computed once stays right. When
        ``compute`` raises, nothing is kept.
        """
        if key not in self._cache:
            self._cache[key] = compute()
        value: _T = self._cache[key]
        return value

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
        on_null: OnNull = "raise",
        pseudonymise: str | bytes | None = None,
        timestamp_format: str | None = None,
        dayfirst: bool | None = None,
        lifecycle_col: str | None = None,
        lifecycle: Lifecycle | None = None,
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
        success, failure : value, list of values or mapping of kind to values, optional
            Without ``outcome_col``: touchpoints whose occurrence decides the outcome.
            With ``outcome_col``: the values of that column that mean success / failure.
            A mapping names *kinds* of the outcome
            (``failure={"declined": ["Decline"], "cancelled": ["Cancel", "Withdraw"]}``,
            ``success={"discharged": [...]}``): each journey keeps its outcome and gets the
            kind of its deciding event (:attr:`journey_kind`, :attr:`outcome_kinds`,
            ``outcome_kind`` in :meth:`journeys` and :meth:`to_frame`), and routes,
            funnel, friction, failure patterns and repair effects report per kind. Kind
            names are non-empty text other than ``"open"`` and the other outcome's name;
            a value may be listed in one kind only. The plain forms are one kind named
            ``"success"`` / ``"failure"``.
        when_both : {"first", "last", "success", "failure"}, default "first"
            Which outcome a journey gets when it has both success and failure events: the
            first reached, the last reached, or the named one whenever present.
        stage_col : str, optional
            Column giving the stage of each event. Each touchpoint takes its most frequent
            stage; a touchpoint seen in several stages is an error (``strict=False``: the
            most frequent wins, ties to the stage whose name sorts first, and a stage left
            without touchpoints is dropped). Stages are ordered by their categories when the
            column is an ordered categorical, else by the median relative position of the
            events of their touchpoints (ties by name).
        channel_col : str, optional
            Column giving the channel of each event (most frequent per touchpoint).
        value_col : str, optional
            Numeric column giving the value of the journey (order value, fine amount).
        value_agg : {"last", "first", "sum", "max"}, default "last"
            How a journey's value is taken from its non-null ``value_col`` entries.
        case_cols : sequence of str, default ()
            Case-level columns to keep (persona, segment): each case's first non-null value;
            ``by=`` / ``adjust_for=`` refuse one that varies within a case (see its ``attrs``).
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
        pseudonymise : str or bytes, optional
            A secret key (at least 16 bytes). When given, every case id is replaced by its
            keyed pseudonym (:func:`frictionkit.privacy.pseudonymise`: HMAC-SHA256 of the
            id's text, 64 hexadecimal characters) before anything else, so the log, its
            tables and its error messages never hold the original ids. The same key gives
            the same pseudonyms (joins across logs still work); routes and every count are
            unchanged. Keep the key out of code and data.
        timestamp_format, dayfirst : str, bool, optional
            How text times are read: one ``strftime`` format (``"%d/%m/%Y %H:%M"``), or
            dates day-first (True: ``01/02/2024`` is 1 February) or month-first (False).
            Else *one* format per column is inferred from all values (ISO 8601 first).
        lifecycle_col : str, optional
            Column giving the lifecycle of each event (XES ``lifecycle:transition``:
            ``schedule``, ``start``, ``complete`` …; compared ignoring case and spaces).
            :func:`read_events` uses ``lifecycle:transition`` when the file has it.
        lifecycle : {"complete", "start_complete", "touchpoint", "all"}, optional
            How ``lifecycle_col`` is used (default ``"complete"`` when it is given):
            ``"complete"`` keeps the ``complete`` events (and those with no lifecycle), one
            per activity instance; ``"start_complete"`` keeps the same events and pairs
            each with the ``start`` of the same activity just before it in its case, giving
            its service time (:attr:`event_service_s`; ``to_frame()`` shows ``service_s``
            and ``waiting_s``), so the time between two events splits into waiting and
            service; ``"touchpoint"`` keeps every event with ``activity+lifecycle``
            (``"W_Call+start"``) as its touchpoint (name outcome touchpoints that way);
            ``"all"`` keeps every event as it is. Without a lifecycle column, a touchpoint
            that most of the journeys reaching it repeat immediately raises a
            :class:`~frictionkit.RepeatedTouchpointWarning` naming it.

        Returns
        -------
        EventLog

        Warns
        -----
        LongJourneyWarning
            One journey holds more than :data:`LONG_JOURNEY_EVENTS` (100,000) events,
            named with its count (often a wrong ``case_col``).

        Raises
        ------
        MissingColumnError
            A column name is not in the table (the message suggests the closest one).
        SchemaError
            A column named in an argument appears more than once in the table.
        DataError
            Missing values; unparseable, ambiguous (see ``dayfirst``) or mixed-format
            timestamps, timestamps mixed with numbers, mixed naive/aware ones, or ones
            outside 1677-09-21 to 2262-04-11 (the range of nanosecond times); infinite
            values in ``value_col``; case ids of different types with the same text
            (``"1"`` and ``1``: one type please); key cells (case id, touchpoint, stage,
            channel, outcome, case attribute) that are lists or records, or hold a lone
            surrogate; booleans mixed with other values in a case id, touchpoint, stage
            or channel column (``True`` equals ``1``, so they would be one key)
            (``failure_cases`` holds the rows).
        ValidationError
            An empty log, a reserved touchpoint name, a touchpoint holding a lone
            surrogate character (not valid Unicode), inconsistent options.

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
        n_rows = getattr(df, "shape", (0,))[0]
        if isinstance(n_rows, int):
            check_allocation(
                array_bytes(n_rows, itemsize=_BYTES_PER_EVENT),
                what=f"reading an event log of {n_rows:,} events",
                hint="Read a sample or a period at a time, or split the log by case",
            )
        options = options_from(locals())
        with reusing_memory(n_rows if isinstance(n_rows, int) else 0):
            parts, offsets, journey_case = frame_parts(
                df,
                case_col=case_col,
                touchpoint_col=touchpoint_col,
                timestamp_col=timestamp_col,
                options=options,
            )
            return cls._with_journeys(parts, offsets, journey_case)

    @classmethod
    def scan(
        cls,
        source: Any,
        *,
        case_col: str,
        touchpoint_col: str,
        timestamp_col: str,
        engine: str | Engine | None = None,
        order_col: str | None = None,
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
        on_null: OnNull = "raise",
        pseudonymise: str | bytes | None = None,
        timestamp_format: str | None = None,
        dayfirst: bool | None = None,
        lifecycle_col: str | None = None,
        lifecycle: Lifecycle | None = None,
        engine_options: Mapping[str, Any] | None = None,
    ) -> EventLog:
        """Run the evidence step where the events live, keeping only small aggregates.

        The engine orders the events within each case, decides outcomes, and reduces the
        log to its journey variants (distinct touchpoint sequences with their per-event
        outcomes and journey counts) and to time quantiles; the raw events never come into
        pandas (except with ``engine="pandas"``, the in-memory engine). The result is a
        *compact* :class:`EventLog` (:attr:`is_compact`) on which routes, transitions,
        funnel, friction, failure patterns and the Markov chain give the same results as
        :meth:`from_frame` on the same events.

        Parameters
        ----------
        source : path, DataFrame, DuckDB relation or Spark DataFrame
            ``engine="pandas"``: a DataFrame or a CSV / Parquet / XES file.
            ``engine="duckdb"``: a Parquet or CSV file, a glob or list of Parquet files, or
            a ``duckdb`` relation. ``engine="spark"``: a ``pyspark.sql.DataFrame`` or a
            Parquet path (read by the active Spark session).
        case_col, touchpoint_col, timestamp_col : str
            Columns holding the case id, the touchpoint and the time.
        engine : {"pandas", "duckdb", "spark"} or Engine, optional
            Default: ``"duckdb"`` for a DuckDB relation, ``"spark"`` for a Spark
            DataFrame, ``"pandas"`` otherwise. DuckDB and Spark are the extras
            ``frictionkit[duckdb]`` and ``frictionkit[spark]``.
        order_col : str, optional
            The row-order column that breaks ties of timestamps within a case (the
            in-memory path uses the input row order). A Spark DataFrame and a DuckDB
            relation have no defined row order, so they need one; DuckDB files use the
            file's row order when none is given.
        outcome_col, success, failure, when_both, stage_col : optional
            As in :meth:`from_frame`.
        channel_col : str, optional
            As in :meth:`from_frame`; only ``engine="pandas"`` reduces a channel column
            (DuckDB and Spark refuse it with a :class:`~frictionkit.ValidationError`: give
            the channels with ``journey=`` instead).
        value_col, value_agg, case_cols, journey, strict, on_null : optional
            As in :meth:`from_frame`. Stages from ``stage_col`` take each touchpoint's most
            frequent stage (ties: the stage whose name sorts first).
        pseudonymise : str or bytes, optional
            As in :meth:`from_frame`. A compact log holds no case id, so on DuckDB and Spark
            the key is checked and the case ids in the rows shown by an error message are
            replaced by their pseudonyms.
        timestamp_format, dayfirst : optional
            As in :meth:`from_frame`; DuckDB and Spark refuse them (ISO 8601 text only).
        lifecycle_col, lifecycle : optional
            As in :meth:`from_frame` (``engine="pandas"``; no ``lifecycle:transition``
            default here: name the column). DuckDB and Spark refuse ``lifecycle_col`` with
            a :class:`~frictionkit.ValidationError`: keep the ``complete`` events in the
            query that feeds them.
        engine_options : mapping, optional
            Passed to the engine: DuckDB ``connection``, ``memory_limit`` (e.g.
            ``"3GB"``), ``threads``, ``temp_directory``; Spark ``spark`` (the session).

        Returns
        -------
        EventLog
            A compact log (one row per journey variant).

        Raises
        ------
        OptionalDependencyError
            The engine's package is not installed (the message names the extra).
        MissingColumnError, DataError, ValidationError
            The same problems as :meth:`from_frame` reports (missing columns, missing
            keys, timestamps that are not timestamps or mix naive and aware values, reserved
            names, unknown outcome values), whatever the engine.

        Notes
        -----
        Timestamps follow :meth:`from_frame`: naive values are wall-clock times, aware
        values UTC instants. Spark keeps microseconds, so time quantiles from Spark are
        exact to the microsecond. A compact log holds no case ids: :meth:`journeys`,
        :meth:`to_frame` and :meth:`split` are refused; an id leaves the engine only in the
        rows an error message shows (pseudonymised with ``pseudonymise``).

        Examples
        --------
        >>> from frictionkit.datasets import simulate_journeys
        >>> df = simulate_journeys(500, seed=1)
        >>> log = EventLog.scan(df, case_col="case_id", touchpoint_col="touchpoint",
        ...                     timestamp_col="timestamp", outcome_col="outcome", strict=False)
        >>> log.is_compact, log.n_journeys
        (True, 500)
        """
        return scan(
            cls,
            source,
            case_col=case_col,
            touchpoint_col=touchpoint_col,
            timestamp_col=timestamp_col,
            engine=engine,
            order_col=order_col,
            options=options_from(locals()),
            engine_options=engine_options,
        )

    @classmethod
    def _with_journeys(
        cls, parts: dict[str, Any], offsets: np.ndarray, journey_case: np.ndarray
    ) -> EventLog:
        outcome, deciding = journey_outcomes(parts["event_outcome"], offsets, parts["when_both"])
        ev = parts["event_value"]
        if parts.get("journey_value") is not None:
            value = parts["journey_value"]
        elif ev is None:
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

    def _require_events(self, what: str) -> None:
        """Refuse an operation that needs single journeys on a compact log."""
        if self.journey_weight is not None:
            raise ValidationError(
                f"{what} needs the single journeys, but this log is compact (computed by "
                f"engine={self.engine!r}: one row per journey variant, the raw events stay "
                "where they are)",
                field="log",
                value=self.engine,
                hint="Build the log in memory with EventLog.from_frame or read_events (a "
                "sample or a period at a time), or query the single journeys in the engine",
            )

    def compact(self) -> EventLog:
        """The compact form of this log: one row per journey variant, with its weight.

        Journeys with equal touchpoint sequences, equal per-event outcomes and equal case
        attributes become one row; the time quantiles over the raw events are computed
        now and kept in :attr:`timings`. Every analysis gives the same results on the
        compact form; this is the form the DuckDB and Spark engines produce (see
        :meth:`scan`), so the in-memory engine is checked against them through it.

        Returns
        -------
        EventLog
            A compact log (itself when it already is one).

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"c": list("aabbc"), "t": ["x", "buy", "x", "buy", "x"],
        ...                    "ts": pd.date_range("2024-01-01", periods=5, freq="h")})
        >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t",
        ...                           timestamp_col="ts", success="buy")
        >>> small = log.compact()
        >>> small.weights.tolist(), small.n_journeys, small.is_compact
        ([1, 2], 3, True)
        >>> small.routes().equals(log.routes())
        True
        """
        if self.journey_weight is not None:
            return self
        with reusing_memory(self.n_events):
            return compact_log(self)

    # -- sizes ------------------------------------------------------------------------
    @property
    def is_compact(self) -> bool:
        """True when each row stands for all journeys of one variant (see the class notes)."""
        return self.journey_weight is not None

    @property
    def weights(self) -> np.ndarray:
        """Journeys represented by each journey row (all ones unless compact; int64)."""
        if self.journey_weight is None:
            return np.ones(len(self.journey_offsets) - 1, dtype=_INT)
        return self.journey_weight

    @property
    def n_events(self) -> int:
        """Number of events."""
        if self.journey_weight is None:
            return len(self.event_touchpoint)
        return int(np.dot(np.diff(self.journey_offsets), self.journey_weight))

    @property
    def n_journeys(self) -> int:
        """Number of journeys (cases until :meth:`split`)."""
        if self.journey_weight is None:
            return len(self.journey_offsets) - 1
        return int(self.journey_weight.sum())

    @property
    def n_cases(self) -> int:
        """Number of distinct case ids."""
        return int(self._memo("n_cases", lambda: len(self.case_ids)))

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
        c = np.bincount(self.journey_outcome, weights=self.journey_weight, minlength=3).astype(_INT)
        return {"success": int(c[SUCCESS]), "failure": int(c[FAILURE]), "open": int(c[OPEN])}

    @property
    def has_kinds(self) -> bool:
        """True when ``success=`` or ``failure=`` named kinds (see :meth:`from_frame`)."""
        return self.outcome_kinds != OUTCOMES

    @property
    def journey_kind(self) -> np.ndarray:
        """Kind of outcome of each journey: an index into :attr:`outcome_kinds` (0 open).

        The kind of the journey's deciding event; with the plain forms it equals
        ``journey_outcome``.
        """

        def compute() -> np.ndarray:
            if self.event_kind is None:
                return self.journey_outcome.astype(np.int16)
            dec = self.journey_deciding_event
            kind = np.where(dec >= 0, self.event_kind[np.maximum(dec, 0)], 0)
            kind = np.where(self.journey_outcome == OPEN, 0, kind).astype(np.int16)
            kind.flags.writeable = False
            return kind

        return self._memo("journey_kind", compute)

    @property
    def kind_counts(self) -> dict[str, int]:
        """Journeys per kind of outcome, in the order of :attr:`outcome_kinds`.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"c": ["a", "b", "c"], "t": ["buy", "no", "stop"],
        ...                    "ts": ["2024-01-01"] * 3})
        >>> EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts",
        ...     success="buy", failure={"declined": "no", "cancelled": "stop"}).kind_counts
        {'open': 0, 'success': 1, 'declined': 1, 'cancelled': 1}
        """
        c = np.bincount(
            self.journey_kind, weights=self.journey_weight, minlength=len(self.outcome_kinds)
        ).astype(_INT)
        return {name: int(n) for name, n in zip(self.outcome_kinds, c.tolist(), strict=True)}

    def with_failure_kind(self, failure_kind: str) -> EventLog:
        """The log as an analysis of one failure kind reads it.

        Journeys that failed in *another* kind are censored at their outcome: their
        outcome becomes open, so they count as neither a success nor a failure of this
        kind (and, like open journeys, are left out of friction, failure patterns and the
        Markov chain). Success journeys and failures of ``failure_kind`` are unchanged.
        ``friction(failure_kind=...)``, ``failure_patterns(failure_kind=...)`` and
        ``repair_effects(failure_kind=...)`` read the log this way.

        The estimand is that of a cause-specific analysis of competing outcomes: the
        figures among the journeys that ended in success or in this kind, as if the other
        kinds did not occur (they are assumed to strike independently of the step). A
        journey of another kind never becomes a success (repairing ``"cancelled"`` does
        not approve credit the bank ``"declined"``); a repaired journey goes on like the
        comparable journeys that ended in success or in this kind, so where the other
        kinds would still strike it (a customer who did not cancel may still be
        declined), the extra successes are an upper bound. A step that pushes journeys
        into another kind shows under that kind.

        Parameters
        ----------
        failure_kind : str
            A failure kind of the log (see :attr:`outcome_kinds`).

        Returns
        -------
        EventLog

        Raises
        ------
        ValidationError
            ``failure_kind`` is not a failure kind of the log.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"c": ["a", "b", "c"], "t": ["buy", "no", "stop"],
        ...                    "ts": ["2024-01-01"] * 3})
        >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts",
        ...     success="buy", failure={"declined": "no", "cancelled": "stop"})
        >>> log.with_failure_kind("cancelled").outcome_counts
        {'success': 1, 'failure': 1, 'open': 1}
        """
        from frictionkit.events._kinds import failure_kind_view

        return failure_kind_view(self, failure_kind)

    @property
    def n_duplicate_rows(self) -> int:
        """Rows repeating the case, touchpoint and timestamp of an earlier row (kept)."""
        self._require_events("n_duplicate_rows")

        def count() -> int:
            key = pd.DataFrame(
                {
                    "c": self.journey_case[self.event_journey],
                    "t": self.event_touchpoint,
                    "s": self.event_timestamp_ns,
                }
            )
            return int(key.duplicated().sum())

        return self._memo("dup", count)

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
            (``success`` / ``failure`` / ``open``), ``outcome_kind`` (its kind, see
            :attr:`outcome_kinds`; the outcome itself with the plain forms), ``value``
            (NaN without ``value_col``).

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
        self._require_events("journeys()")
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
                "outcome_kind": np.asarray(self.outcome_kinds, dtype=object)[self.journey_kind],
                "value": self.journey_value,
            }
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per event, in journey order.

        Returns
        -------
        pandas.DataFrame
            ``journey``, ``case_id``, ``touchpoint``, ``stage``, ``timestamp``, ``row``
            (position in the input table), ``outcome_kind`` (the kind of outcome of the
            event's journey: ``open``, ``success`` or ``failure``, or the kind's name when
            ``success=`` / ``failure=`` named kinds). A log read with ``lifecycle="start_complete"``
            adds ``service_s`` (seconds from the activity's ``start`` to its ``complete``)
            and ``waiting_s`` (seconds from the previous event of the journey to this
            ``start``: the gap between two events is ``waiting_s + service_s``); both are
            NaN where no ``start`` pairs with the event (and ``waiting_s`` on a journey's
            first event).

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
        self._require_events("to_frame()")
        tp = np.asarray(self.touchpoints, dtype=object)
        st = np.asarray(self.stages, dtype=object)
        out = pd.DataFrame(
            {
                "journey": self.event_journey,
                "case_id": pd.array(
                    self.case_ids[self.journey_case[self.event_journey]], dtype=object
                ),
                "touchpoint": tp[self.event_touchpoint],
                "stage": st[self.touchpoint_stage[self.event_touchpoint]],
                "timestamp": self._timestamps(self.event_timestamp_ns),
                "row": self.event_row,
                "outcome_kind": np.asarray(self.outcome_kinds, dtype=object)[
                    self.journey_kind[self.event_journey]
                ],
            }
        )
        if self.event_service_s is not None:
            service = self.event_service_s
            ts = self.event_timestamp_ns
            first = np.zeros(len(ts), dtype=bool)
            first[self.journey_offsets[:-1]] = True
            gap = np.where(first, np.nan, np.r_[np.nan, np.diff(ts) / 1e9])
            out["service_s"] = service
            out["waiting_s"] = gap - service
        return out

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
                "events": np.bincount(
                    self.event_touchpoint,
                    weights=None
                    if self.journey_weight is None
                    else self.journey_weight[self.event_journey],
                    minlength=len(self.touchpoints),
                ).astype(_INT),
            }
        )
        out.attrs["stage_source"] = self.stage_source
        return out

    # -- journeys ---------------------------------------------------------------------
    def split(
        self,
        gap_s: float | None = None,
        *,
        truncate_at_outcome: bool = False,
        end: str = "open",
    ) -> EventLog:
        """Split cases into journeys at inactivity gaps and/or after the outcome.

        Parameters
        ----------
        gap_s : float, optional
            A new journey starts when more than ``gap_s`` seconds pass between two
            consecutive events of a case (a *session* of a clickstream).
        truncate_at_outcome : bool, default False
            End a journey at its first success or failure event; the case's later events
            start a new journey (no event is dropped).
        end : {"open", "failure"}, default "open"
            What a journey that ends without an outcome event is: ``"open"`` (undecided,
            counted apart) or ``"failure"`` (a clickstream session that ended without a
            purchase failed: its last event becomes its failure event, of the kind
            ``"failure"``, added to :attr:`outcome_kinds` if needed). Journeys with a
            success or failure event keep the outcome their events give, under the log's
            ``when_both`` rule.

        Returns
        -------
        EventLog
            A new log with the same events; outcomes are recomputed per journey from the
            events.

        Notes
        -----
        An outcome column repeated on every row of a case gives every journey of that case
        the same outcome; put the outcome on the deciding event when splitting. With
        ``end="failure"`` no touchpoint is added: the last touchpoint of an abandoned
        session carries the failure, so it stays a step of the journey (it becomes an
        *outcome step*, left out of the funnel's reach, only if every one of its events
        ends a failed session).

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
        >>> sessions = log.split(gap_s=3600, end="failure")
        >>> sessions.journeys()["outcome"].tolist()
        ['success', 'failure']
        """
        self._require_events("split()")
        offsets, event_outcome = journey_cuts(
            self, gap_s=gap_s, truncate_at_outcome=truncate_at_outcome, end=end
        )
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
        parts["event_outcome"] = event_outcome
        if self.event_kind is not None and event_outcome is not self.event_outcome:
            # sessions ended without an outcome failed: their kind is "failure"
            kinds = self.outcome_kinds
            if "failure" not in kinds:
                parts["outcome_kinds"] = (*kinds, "failure")
                parts["kind_outcome"] = np.r_[self.kind_outcome, FAILURE].astype(np.int8)
            code = parts["outcome_kinds"].index("failure")
            event_kind = self.event_kind.copy()
            event_kind[(event_outcome != self.event_outcome)] = code
            parts["event_kind"] = event_kind
        return self._with_journeys(parts, offsets, journey_case)

    # -- display ----------------------------------------------------------------------
    def _repr_body(self) -> str:
        oc = self.outcome_counts
        return (
            f"{_fmt(self.n_events)} events, {_fmt(self.n_journeys)} journeys in "
            f"{_fmt(self.n_cases)} cases, {len(self.touchpoints)} touchpoints; "
            f"{_fmt(oc['success'])} success, {_fmt(oc['failure'])} failure, "
            f"{_fmt(oc['open'])} open"
            + (
                f"; compact: {_fmt(len(self.journey_offsets) - 1)} variants from {self.engine}"
                if self.journey_weight is not None
                else ""
            )
        )

    def _repr_facts(self) -> list[tuple[str, str]]:
        oc = self.outcome_counts
        rows = [
            ("events", _fmt(self.n_events)),
            ("journeys", _fmt(self.n_journeys)),
            ("cases", _fmt(self.n_cases)),
            ("touchpoints", str(len(self.touchpoints))),
            ("stages", f"{len(self.stages)} ({self.stage_source})"),
            ("success / failure / open", f"{oc['success']} / {oc['failure']} / {oc['open']}"),
        ]
        if self.has_kinds:
            kc = self.kind_counts
            rows.append(("kinds", ", ".join(f"{k} {_fmt(kc[k])}" for k in self.outcome_kinds[1:])))
        if self.journey_weight is not None:
            rows.append(
                ("compact", f"{_fmt(len(self.journey_offsets) - 1)} variants from {self.engine}")
            )
        return rows

    def _repr_frame(self) -> None:
        return None  # one row per event is too costly to build for a view; see to_frame()
