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
  ``START``, ``SUCCESS``, ``FAILURE`` and ``OPEN`` are reserved state names
  (:data:`RESERVED_STATES`).
- **Timestamps** are stored as int64 nanoseconds. Time-zone-aware values are converted to
  UTC; values written with explicit UTC offsets (such as ``+01:00`` and ``+02:00`` across a
  daylight-saving change) are exact instants and are converted to UTC too. Naive values are
  kept as wall-clock time. Mixing naive and aware values is an error.
- **Outcomes** (one per journey: ``success``, ``failure`` or ``open``; the codes
  :data:`SUCCESS`, :data:`FAILURE` and :data:`OPEN` index :data:`OUTCOMES`) come from events:
  either an ``outcome_col`` whose values are mapped with ``success=`` / ``failure=``, or
  touchpoints listed in ``success=`` / ``failure=``. When a journey has both a success and
  a failure event, ``when_both`` decides (default ``"first"``: the first reached).
  Journeys without an outcome are *open*: reported on their own, never counted as failures.
- **Duplicate rows** (same case, touchpoint and timestamp as an earlier row) are kept: a
  repeated event is evidence too. They are counted in :attr:`EventLog.n_duplicate_rows`.

Engines: :meth:`EventLog.scan` runs the heavy reductions where the events live (in memory,
:class:`DuckDBEngine` on files or relations larger than memory, :class:`SparkEngine` on a
cluster) and keeps only small aggregates: the journey variants and time quantiles that
every engine computes by the contract of :class:`Engine`.

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

from typing import TYPE_CHECKING, Any

from frictionkit.events._engine import Coding, Engine, Profile, ScanColumns, Timings
from frictionkit.events._ingest import LONG_JOURNEY_EVENTS
from frictionkit.events._kernels import (
    group_quantiles,
    grouped_order,
    int_group_quantiles,
    journey_outcomes,
)
from frictionkit.events._log import EventLog
from frictionkit.events._options import LIFECYCLE, ON_NULL, WHEN_BOTH
from frictionkit.events._outcomes import (
    FAILURE,
    FAILURE_STATE,
    OPEN,
    OPEN_STATE,
    OUTCOMES,
    RESERVED_STATES,
    START_STATE,
    SUCCESS,
    SUCCESS_STATE,
)
from frictionkit.events._read_events import read_events
from frictionkit.events._scan import ENGINES
from frictionkit.events._xes import read_xes_frame
from frictionkit.exceptions import DroppedRowsWarning

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events._duckdb import DuckDBEngine
    from frictionkit.events._spark import SparkEngine

_LAZY = {"DuckDBEngine": "frictionkit.events._duckdb", "SparkEngine": "frictionkit.events._spark"}


def __getattr__(name: str) -> Any:
    """Import the engine classes on first use (they are not needed to import frictionkit)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ENGINES",
    "FAILURE",
    "FAILURE_STATE",
    "LIFECYCLE",
    "LONG_JOURNEY_EVENTS",
    "ON_NULL",
    "OPEN",
    "OPEN_STATE",
    "OUTCOMES",
    "RESERVED_STATES",
    "START_STATE",
    "SUCCESS",
    "SUCCESS_STATE",
    "WHEN_BOTH",
    "Coding",
    "DroppedRowsWarning",
    "DuckDBEngine",
    "Engine",
    "EventLog",
    "Profile",
    "ScanColumns",
    "SparkEngine",
    "Timings",
    "group_quantiles",
    "grouped_order",
    "int_group_quantiles",
    "journey_outcomes",
    "read_events",
    "read_xes_frame",
]
