"""``read_events``: an event log from a CSV, Parquet or XES file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from frictionkit.events._lifecycle import XES_LIFECYCLE
from frictionkit.events._log import EventLog
from frictionkit.events._options import Lifecycle, OnNull, ValueAgg, WhenBoth, options_from
from frictionkit.events._readers import read_event_frame
from frictionkit.events._xes import _XES_ACTIVITY, _XES_CASE, _XES_TIME

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.model import Journey

__all__ = ["read_events"]


def read_events(
    path: str | Path,
    *,
    case_col: str = _XES_CASE,
    touchpoint_col: str = _XES_ACTIVITY,
    timestamp_col: str = _XES_TIME,
    format: Literal["csv", "parquet", "xes"] | None = None,
    sep: str | None = None,
    encoding: str | None = None,
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
    r"""Read an event log from a CSV, Parquet or XES file.

    Parameters
    ----------
    path : str or Path
        The file. ``.csv`` (also ``.csv.gz``, ``.csv.bz2``, ``.csv.xz``), ``.parquet``,
        ``.xes`` and ``.xes.gz`` are recognised by their suffix; ``format`` overrides it.
    case_col, touchpoint_col, timestamp_col : str
        Column names; the defaults are the XES standard names (``case:concept:name``,
        ``concept:name``, ``time:timestamp``), which XES files always use.
    format : {"csv", "parquet", "xes"}, optional
        The file format when the suffix does not tell.
    sep : str, optional
        CSV only: the delimiter between cells (``","``, ``";"``, ``"\t"``, ``"|"`` …).
        By default (``None``) it is detected from the first lines of the file
        (:class:`csv.Sniffer`, choosing among ``, ; tab |``; a comma when unsure), and the
        choice is logged (see Notes).
    encoding : str, optional
        CSV only: the text encoding (default UTF-8, a byte order mark skipped), e.g.
        ``"latin-1"`` or ``"cp1252"`` for files saved by older spreadsheet programs.
    outcome_col, success, failure, when_both, stage_col, channel_col : optional
        As in :meth:`EventLog.from_frame`.
    value_col, value_agg, case_cols, journey, strict, on_null, pseudonymise : optional
        As in :meth:`EventLog.from_frame`.
    timestamp_format, dayfirst, lifecycle : optional
        As in :meth:`EventLog.from_frame`.
    lifecycle_col : str, optional
        As in :meth:`EventLog.from_frame`; by default ``lifecycle:transition`` when the
        file has that column (XES logs usually do), so only ``complete`` events are kept
        unless ``lifecycle`` says otherwise (``lifecycle="all"``: every event).

    Returns
    -------
    EventLog

    Raises
    ------
    SchemaError
        The file cannot be read as the format says: a CSV that is empty, not UTF-8, badly
        quoted, with a repeated column name or a row longer than its header; a corrupt
        compressed file; XES that is not well-formed or declares a DOCTYPE.
    DataError
        A typed XES attribute (``<int>``, ``<float>``) whose value is not of its type, and
        every row problem :meth:`EventLog.from_frame` reports.

    Notes
    -----
    CSV: the file is read once, as UTF-8 (a byte order mark is skipped) unless
    ``encoding`` says otherwise; with ``sep=None`` the delimiter detected is logged at
    level INFO on the ``frictionkit.events`` logger (``logging.basicConfig(level="INFO")``
    shows it);
    ``.gz``, ``.bz2`` and ``.xz`` files are decompressed. The case id and touchpoint
    columns are read as text exactly as written (no missing-value guessing: ``NA`` is a
    case id; only an empty field is missing). Other columns get pandas' usual
    missing-value markers. Parquet needs the optional package
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
    df = read_event_frame(
        Path(path), (case_col, touchpoint_col), format, sep=sep, encoding=encoding
    )
    if lifecycle_col is None and XES_LIFECYCLE in df.columns:
        lifecycle_col = XES_LIFECYCLE
    options = options_from(locals())
    return EventLog.from_frame(
        df,
        case_col=case_col,
        touchpoint_col=touchpoint_col,
        timestamp_col=timestamp_col,
        **options.as_kwargs(),
    )
