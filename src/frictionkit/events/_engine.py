"""The engine seam of the evidence layer: what an engine computes over raw events.

An *engine* runs the heavy reductions over the raw events where they live (in memory, in
DuckDB, in Spark) and hands back small aggregates. Everything after that (coding of the
labels, validation, stages, friction statistics, the Markov chain) runs in Python on those
aggregates, the same for every engine. An engine answers three questions, each with small
pandas tables; it never returns the raw events.

1. :meth:`Engine.profile`: the size of the log, the rows with a missing key, the distinct
   touchpoints (with event counts), outcome values and stages, and timestamp problems.
2. :meth:`Engine.variants`: one row per distinct journey *variant*: the sequence of
   touchpoint codes, the sequence of per-event outcome codes, and how many journeys
   follow it (plus value sums and case attributes when asked for).
3. :meth:`Engine.timings`: quantiles of the time between consecutive events, per
   transition, and the dwell per touchpoint and per stage of decided journeys.

Conventions every engine follows (they change numbers, so they are pinned and tested
across engines):

- A journey is a case (all events of one case id).
- Events are ordered within a case by timestamp, then by the row-order column (the
  ``order_col`` given by the user, or the engine's read order when none is given).
- Timestamps are int64 nanoseconds since the epoch: naive values as wall-clock time,
  time-zone-aware values as UTC instants. Text is parsed as ISO 8601; text mixing naive
  and aware values is refused.
- A key (case id, touchpoint, timestamp) is missing when it is null, or empty text.
- Touchpoints are labelled by their text (``CAST(... AS text)``).
- Quantiles are exact with linear interpolation between order statistics (numpy's
  default, SQL ``quantile_cont`` / Spark ``percentile``).
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import attrs
import numpy as np
import pandas as pd

from frictionkit.exceptions import (
    FrictionkitError,
    InputTypeError,
    MemoryBudgetError,
    ValidationError,
)

__all__ = ["Coding", "Engine", "Profile", "ScanColumns", "Timings", "engine_errors"]

#: Rows of examples kept for an error message.
SAMPLE_ROWS = 20


@attrs.frozen(kw_only=True)
class ScanColumns:
    """The columns of an event source, as the user named them.

    ``order`` is the explicit row-order column (ties of timestamps within a case keep
    its order); ``None`` means the engine's read order (documented per engine).
    """

    case: str
    touchpoint: str
    timestamp: str
    order: str | None = None
    outcome: str | None = None
    stage: str | None = None
    value: str | None = None
    value_agg: str = "last"
    case_cols: tuple[str, ...] = ()
    drop_missing: bool = False

    @property
    def keys(self) -> tuple[str, str, str]:
        """The three key columns (case, touchpoint, timestamp)."""
        return (self.case, self.touchpoint, self.timestamp)

    def named(self) -> list[tuple[str, str]]:
        """``(parameter, column)`` for every column given, as the user named it."""
        pairs = [
            ("case_col", self.case),
            ("touchpoint_col", self.touchpoint),
            ("timestamp_col", self.timestamp),
            ("order_col", self.order),
            ("outcome_col", self.outcome),
            ("stage_col", self.stage),
            ("value_col", self.value),
            *(("case_cols", c) for c in self.case_cols),
        ]
        return [(field, col) for field, col in pairs if col is not None]


@attrs.frozen(kw_only=True)
class Profile:
    """What :meth:`Engine.profile` finds in the source (all small).

    Attributes
    ----------
    n_rows : int
        Rows of the source.
    n_missing : int
        Rows with a missing key (null, or empty text, in case, touchpoint or timestamp).
    missing_sample : pandas.DataFrame
        Up to :data:`SAMPLE_ROWS` of those rows: ``row`` (the order value) and the three
        key columns as in the source.
    touchpoints : pandas.DataFrame
        ``label`` (text), ``events`` (int): one row per distinct touchpoint of the kept
        rows (rows without a missing key when ``drop_missing``; all rows otherwise).
    n_cases : int
        Distinct case ids of the kept rows.
    outcome_values : pandas.DataFrame or None
        ``value`` (as in the source), ``events``: distinct non-null values of the outcome
        column over the kept rows.
    stages : pandas.DataFrame or None
        ``touchpoint`` (text), ``stage`` (text), ``events``: counts of the non-null stage
        values per touchpoint over the kept rows.
    timezone_aware : bool
        The timestamps are instants (aware type, or text with offsets).
    n_bad_time : int
        Kept rows whose timestamp text cannot be parsed, or, for text, whose kind (naive or
        with an offset) differs from the majority kind.
    bad_time_sample : pandas.DataFrame
        Up to :data:`SAMPLE_ROWS` of those rows: ``row`` and the timestamp column as text.
    bad_time_reason : str
        ``""``, ``"unparseable"`` or ``"mixed"`` (naive and aware text mixed).
    n_bad_value : int
        With ``cols.value``: kept rows whose value is present but not a finite number
        (text that is not a number, or an infinite value).
    """

    n_rows: int
    n_missing: int
    missing_sample: pd.DataFrame
    touchpoints: pd.DataFrame
    n_cases: int
    outcome_values: pd.DataFrame | None = None
    stages: pd.DataFrame | None = None
    timezone_aware: bool = False
    n_bad_time: int = 0
    bad_time_sample: pd.DataFrame = attrs.field(factory=pd.DataFrame)
    bad_time_reason: str = ""
    n_bad_value: int = 0


@attrs.frozen(kw_only=True)
class Coding:
    """Small lookup tables that Python decided from the profile, handed back to the engine.

    Attributes
    ----------
    touchpoints : pandas.DataFrame
        ``label`` (text), ``code`` (int): the code of every touchpoint.
    outcome_by_value : pandas.DataFrame or None
        ``value`` (as in the source), ``eo`` (int 1 success / 2 failure): with an outcome
        column, the values that decide an outcome; any other value (and null) is 0.
    outcome_by_touchpoint : pandas.DataFrame or None
        ``code``, ``eo``: without an outcome column, the touchpoints that decide an outcome.
    touchpoint_stage : numpy.ndarray
        Stage code of every touchpoint code (for :meth:`Engine.timings`).
    when_both : str
        ``"first"``, ``"last"``, ``"success"`` or ``"failure"`` (see
        :func:`frictionkit.events.journey_outcomes`).
    """

    touchpoints: pd.DataFrame
    outcome_by_value: pd.DataFrame | None = None
    outcome_by_touchpoint: pd.DataFrame | None = None
    touchpoint_stage: np.ndarray = attrs.field(factory=lambda: np.zeros(0, dtype=np.int64))
    when_both: str = "first"


@attrs.frozen(kw_only=True)
class Timings:
    """Time aggregates (all in int64-compatible nanoseconds, as float quantiles).

    Attributes
    ----------
    transitions : pandas.DataFrame
        ``src``, ``dst`` (touchpoint codes), ``median_ns``, ``p95_ns``: over every pair of
        consecutive events of a case (all cases).
    dwell : pandas.DataFrame
        ``tp`` (code), ``median_ns``, ``p95_ns``: time from an event to the next event of
        the same journey, over the events of *decided* journeys up to their cut (see
        below), grouped by the touchpoint of the first event of the pair.
    stage_dwell : pandas.DataFrame
        ``stage`` (code), ``median_ns``: the same pairs grouped by the stage of the first
        event's touchpoint.

    Notes
    -----
    The *cut* of a decided journey: with ``pos`` the 0-based position of an event in its
    journey and ``eo`` its outcome code, the deciding position ``d`` is, by ``when_both``:
    the first (``"first"``) or last (``"last"``) position with ``eo != 0``; for
    ``"success"`` / ``"failure"`` the first position with that outcome, else the first
    with ``eo != 0``. The journey's outcome is ``eo`` at ``d``; open journeys (no such
    position) are left out. The kept events are those before ``end``, the first position
    after ``d`` whose ``eo`` differs from the outcome (the journey's length when none).
    """

    transitions: pd.DataFrame
    dwell: pd.DataFrame
    stage_dwell: pd.DataFrame


class Engine(abc.ABC):
    """One source of raw events and the reductions over it (see the module docstring)."""

    name: ClassVar[str]

    @abc.abstractmethod
    def columns(self) -> list[str]:
        """Column names of the source."""

    @abc.abstractmethod
    def profile(self, cols: ScanColumns) -> Profile:
        """Sizes, missing keys, distinct labels and timestamp problems."""

    @abc.abstractmethod
    def variants(self, cols: ScanColumns, coding: Coding) -> Any:
        """One row per distinct journey variant.

        Rows with a missing key are left out (the caller has refused them already unless
        ``cols.drop_missing``).

        Returns
        -------
        pandas.DataFrame or pyarrow.Table
            With these columns (a pyarrow Table may hold ``tp`` and ``eo`` as list
            columns, which reach Python as flat arrays):

            - ``tp``: list of touchpoint codes of the journey, in event order;
            - ``eo``: list of per-event outcome codes (0, 1, 2), same length;
            - ``journeys``: number of journeys (cases) following exactly this variant
              (equal ``tp``, ``eo`` and case attributes);
            - ``value_sum``, ``value_n``: with ``cols.value``, the sum of the journeys'
              values and how many journeys have one (a journey's value is taken from its
              non-null values by ``cols.value_agg``: last / first in event order, sum or
              max); 0.0 and 0 without;
            - one column per ``cols.case_cols`` entry: the first non-null value of the
              case in event order (null when none), as text.
            Any row order.
        """

    @abc.abstractmethod
    def timings(self, cols: ScanColumns, coding: Coding) -> Timings:
        """Quantiles of times between consecutive events (see :class:`Timings`)."""

    def release(self) -> None:  # noqa: B027 - optional hook, nothing to free by default
        """Free what the engine kept between the reductions of one scan (default: nothing).

        :meth:`EventLog.scan` calls it when the scan ends, also after an error.
        """


# The libraries whose errors about the input are re-raised as frictionkit errors.
_ENGINE_MODULES = frozenset({"duckdb", "_duckdb", "pyarrow", "pyspark", "py4j"})


def _engine_error(err: BaseException) -> FrictionkitError | None:
    """The frictionkit error for an engine's error about the input, or None (a bug)."""
    if isinstance(err, FrictionkitError):
        return None
    module = type(err).__module__.split(".")[0]
    name = type(err).__name__
    if module not in _ENGINE_MODULES or "Internal" in name or "Fatal" in name:
        return None
    lines = str(err).strip().splitlines()
    text = lines[0][:300] if lines else name
    message = f"the engine could not run on this input ({name}): {text}"
    if "OutOfMemory" in name:
        return MemoryBudgetError(
            message,
            field="memory_limit",
            value=None,
            hint="Raise memory_limit=, give a temp_directory= to spill to, or read fewer columns",
        )
    cls = InputTypeError if isinstance(err, TypeError) else ValidationError
    return cls(
        message,
        field="source",
        value=None,
        hint="Check the file (a complete Parquet or CSV file) and the engine options",
    )


@contextmanager
def engine_errors() -> Iterator[None]:
    """Re-raise the errors DuckDB, Arrow or Spark raise about the input as frictionkit errors.

    Errors about the input (a truncated Parquet file, ``memory_limit='lots'``, a column
    that does not convert) become a :class:`~frictionkit.exceptions.ValidationError`
    (:class:`~frictionkit.exceptions.InputTypeError` for a type error,
    :class:`~frictionkit.exceptions.MemoryBudgetError` when out of memory) naming the
    engine's class and first line, chained to the original. Internal errors of an engine
    are left as they are (they are bugs to report).

    Examples
    --------
    >>> import pyarrow as pa
    >>> try:
    ...     with engine_errors():
    ...         pa.array([1, "a"])
    ... except ValidationError as err:
    ...     print(str(err)[:54])
    the engine could not run on this input (ArrowInvalid):
    """
    try:
        yield
    except Exception as err:
        mapped = _engine_error(err)
        if mapped is None:
            raise
        raise mapped from err
