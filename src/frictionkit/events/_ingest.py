r"""Event-log ingest: parse tables and read CSV, Parquet and XES files.

The helpers here turn the columns of an event table into numpy arrays (timestamps to int64
nanoseconds, outcomes to codes, case attributes), and :func:`read_events` reads a file into
an :class:`~frictionkit.events.EventLog`. The conventions they follow are pinned in
:mod:`frictionkit.events`.

Examples
--------
>>> import tempfile, os
>>> from frictionkit.io.events import read_events
>>> text = "case,step,time\nNA,visit,2024-01-01\nNA,buy,2024-01-02\n"
>>> with tempfile.TemporaryDirectory() as d:
...     p = os.path.join(d, "log.csv")
...     with open(p, "w") as fh:
...         _ = fh.write(text)
...     log = read_events(p, case_col="case", touchpoint_col="step", timestamp_col="time",
...                       success="buy")
>>> log.outcome_counts
{'success': 1, 'failure': 0, 'open': 0}
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

import numpy as np
import pandas as pd

from frictionkit._compat import require
from frictionkit._validate import column
from frictionkit.exceptions import (
    DataError,
    DroppedRowsWarning,
    InputTypeError,
    SchemaError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from frictionkit.io._xes import _XES_ACTIVITY, _XES_CASE, _XES_TIME, read_xes_frame

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events import EventLog
    from frictionkit.model import Journey

__all__ = ["read_events", "read_xes_frame"]

# outcome codes per event (the same as frictionkit.events.SUCCESS / FAILURE)
SUCCESS, FAILURE = 1, 2
_INT = np.int64

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
    if isinstance(dtype, pd.CategoricalDtype) or is_object or pd.api.types.is_string_dtype(dtype):
        empty = np.asarray(np.asarray(uniques, dtype=object) == "", dtype=bool)
    else:
        empty = np.zeros(len(uniques), dtype=bool)
    if empty.any():
        codes = np.where(empty[codes], -1, codes)
    return codes, uniques, codes < 0


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


def _to_ns(
    s: pd.Series, field: str, rows: np.ndarray | None = None
) -> tuple[np.ndarray, str | None]:
    """Parse a timestamp column to int64 ns; returns (ns, "UTC" or None for naive).

    ``rows`` maps positions in ``s`` to rows of the input table (for failure cases).
    """
    dtype = s.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        return _ns(s.dt.tz_convert("UTC").dt.tz_localize(None), field, rows), "UTC"
    if pd.api.types.is_datetime64_dtype(dtype):
        return _ns(s, field, rows), None
    if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        raise InputTypeError(
            f"{field} holds numbers ({dtype}), which are ambiguous as times",
            field=field,
            value=str(dtype),
            hint="Convert them first, e.g. pd.to_datetime(df[col], unit='s') for Unix seconds",
        )
    if pd.api.types.is_object_dtype(dtype):
        _check_time_types(s, field, rows)
    values = s.astype(object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            parsed = pd.to_datetime(values)
        except (ValueError, TypeError, OverflowError) as err:
            parsed = _parse_fallback(values, field, err, rows)
    return _to_ns(pd.Series(parsed, index=s.index), field, rows)


def _positions(mask: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    where = np.flatnonzero(mask)
    return where if rows is None else rows[where]


def _ns(s: pd.Series, field: str, rows: np.ndarray | None) -> np.ndarray:
    """Naive datetimes of any resolution to int64 ns, refusing those beyond the ns range."""
    try:
        out: np.ndarray = s.astype("datetime64[ns]").to_numpy().view(_INT)
        return out
    except (pd.errors.OutOfBoundsDatetime, OverflowError):
        pass
    bad = ((s < pd.Timestamp.min) | (s > pd.Timestamp.max)).to_numpy(dtype=bool)
    values = s[bad]
    raise DataError(
        f"{field} has {int(bad.sum())} timestamp(s) outside the range 1677-09-21 to "
        f"2262-04-11, e.g. {str(values.iloc[0])!r}",
        field=field,
        value=values.iloc[0],
        failure_cases=pd.DataFrame(
            {"row": _positions(bad, rows), field: values.to_numpy(dtype=object)}
        ),
        hint="Fix those rows (a placeholder such as 9999-12-31 often means 'no date': "
        "make it empty), or drop them",
    )


# Values a timestamp column may hold: text, or date/time objects (nulls are checked apart).
_TIME_KINDS = frozenset({"string", "datetime", "datetime64", "date", "empty"})


def _check_time_types(s: pd.Series, field: str, rows: np.ndarray | None) -> None:
    """Refuse an object column mixing text or datetimes with other values (numbers …)."""
    if pd.api.types.infer_dtype(s, skipna=True) in _TIME_KINDS:
        return
    timelike = (str, dt.date, np.datetime64)
    cells = s.to_numpy(dtype=object)
    bad = np.fromiter((not isinstance(v, timelike) for v in cells), dtype=bool, count=len(cells))
    bad &= ~pd.isna(cells)
    if not bad.any():
        return
    values = s[bad]
    first = values.iloc[0]
    raise DataError(
        f"{field} mixes timestamps with {int(bad.sum())} value(s) of another type, e.g. "
        f"{first!r} ({type(first).__name__})",
        field=field,
        value=first,
        failure_cases=pd.DataFrame(
            {
                "row": _positions(bad, rows),
                field: values.to_numpy(dtype=object),
                "type": [type(v).__name__ for v in values],
            }
        ),
        hint="Give every timestamp as text or as a date/time; numbers are ambiguous as times "
        "(for Unix seconds use pd.to_datetime(df[col], unit='s'))",
    )


_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})\s*$")


def _parse_fallback(
    values: pd.Series, field: str, err: Exception, rows: np.ndarray | None = None
) -> pd.Series:
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
            failure_cases=pd.DataFrame({"row": _positions(~aware, rows), field: bad.to_numpy()}),
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
        failure_cases=pd.DataFrame({"row": _positions(bad_mask, rows), field: bad.to_numpy()}),
        hint="Fix or drop those rows, or parse the column yourself with "
        "pd.to_datetime(df[col], format=...)",
    ) from None


def _labels(values: Any) -> list[str]:
    return [str(v) for v in values]


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
    if outcome_col is None:
        lut = outcome_by_touchpoint(touchpoints, success, failure, strict)
        looked_up: np.ndarray = lut[tp_codes[order]]
        return looked_up
    codes, uniques = pd.factorize(frame[outcome_col], use_na_sentinel=True)
    obj = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    lut = np.zeros(len(obj) + 1, dtype=np.int8)  # the last entry serves code -1 (null)
    lut[:-1] = outcome_by_value(obj, outcome_col, success, failure, strict)
    result: np.ndarray = lut[codes[order]]
    return result


def outcome_by_touchpoint(
    touchpoints: Sequence[str], success: Any, failure: Any, strict: bool
) -> np.ndarray:
    """Outcome code (0, 1 success, 2 failure) of each touchpoint from ``success=`` / ``failure=``.

    Examples
    --------
    >>> outcome_by_touchpoint(("buy", "leave", "visit"), "buy", "leave", True)
    array([1, 2, 0], dtype=int8)
    """
    succ_s = {str(v) for v in _text_set(success, "success")}
    fail_s = {str(v) for v in _text_set(failure, "failure")}
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
    succ = _text_set(success, "success")
    fail = _text_set(failure, "failure")
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


def _case_attributes(
    frame: pd.DataFrame,
    order: np.ndarray,
    case_cols: Sequence[str],
    starts: np.ndarray,
    case_sorted: np.ndarray,
    case_ids: np.ndarray,
) -> pd.DataFrame:
    out: dict[str, Any] = {}
    n = len(order)
    big = np.int64(n)
    for col in case_cols:
        column = frame[col]
        head = column.iloc[order[starts]]
        if not head.isna().any():  # the usual case: the first event of each case has it
            out[col] = head.to_numpy(dtype=object)
            continue
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        sorted_codes = codes[order]
        pos = np.where(sorted_codes >= 0, np.arange(n, dtype=_INT), big)
        first = np.minimum.reduceat(pos, starts)
        got = first < big
        values = np.asarray(uniques, dtype=object)
        col_vals = np.full(len(starts), None, dtype=object)
        col_vals[got] = values[sorted_codes[first[got]]]
        out[col] = col_vals
    del case_sorted
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
        The file. ``.csv`` (also ``.csv.gz``, ``.csv.bz2``, ``.csv.xz``), ``.parquet``,
        ``.xes`` and ``.xes.gz`` are recognised by their suffix; ``format`` overrides it.
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
    CSV: the file is read once, as UTF-8 (a byte order mark is skipped);
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
    df = read_event_frame(Path(path), (case_col, touchpoint_col), format)
    from frictionkit.events import EventLog

    return EventLog.from_frame(
        df,
        case_col=case_col,
        touchpoint_col=touchpoint_col,
        timestamp_col=timestamp_col,
        **options,
    )


def read_event_frame(p: Path, text_cols: Sequence[str], format: str | None = None) -> pd.DataFrame:
    r"""Read an event file into a DataFrame, as :func:`read_events` does (``text_cols`` as text).

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "log.csv"
    ...     _ = p.write_text("case,step\nNA,visit\n")
    ...     read_event_frame(p, ("case", "step"))
      case   step
    0   NA  visit
    """
    if not p.exists():
        raise ValidationError(
            f"event log file {str(p)!r} does not exist", field="path", value=str(p)
        )
    fmt = format or _guess_format(p)
    _check_choice(fmt, "format", ("csv", "parquet", "xes"))
    if fmt == "csv":
        return _read_csv(p, text_cols)
    if fmt == "parquet":
        pa = require("pyarrow", extra="arrow", feature="reading Parquet event logs")
        try:
            return pd.read_parquet(p)
        except (pa.ArrowException, OSError) as err:
            raise ValidationError(
                f"{p} is not a readable Parquet file: {_short_error(err)}",
                field="path",
                value=str(p),
                hint="Check that the file is complete Parquet (or pass format='csv' / 'xes')",
            ) from err
    return read_xes_frame(p)


def _short_error(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return text[0][:200] if text else type(err).__name__


def _guess_format(p: Path) -> str:
    name = p.name.lower()
    for suffix, fmt in (
        (".csv", "csv"),
        (".csv.gz", "csv"),
        (".csv.bz2", "csv"),
        (".csv.xz", "csv"),
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


_COMPRESSED = {".gz": "gzip", ".bz2": "bz2", ".xz": "lzma"}
_EXTRA_CELLS_HINT = (
    "Remove the extra cells (often a trailing comma) or name the extra columns in the header"
)
_TOO_MANY = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _open_binary(p: Path, stack: contextlib.ExitStack) -> BinaryIO:
    """The file's bytes, decompressed when its suffix says so (one open of the file)."""
    import bz2
    import gzip
    import lzma

    raw = stack.enter_context(open(p, "rb"))  # noqa: SIM115 (the stack closes it)
    kind = _COMPRESSED.get(p.suffix.lower())
    opened: Any = raw
    if kind == "gzip":
        opened = stack.enter_context(gzip.GzipFile(fileobj=raw, mode="rb"))
    elif kind == "bz2":
        opened = stack.enter_context(bz2.BZ2File(raw, mode="rb"))
    elif kind == "lzma":
        opened = stack.enter_context(lzma.LZMAFile(raw, mode="rb"))  # noqa: SIM115
    stream: BinaryIO = opened
    return stream


def _csv_error(p: Path, message: str, hint: str) -> SchemaError:
    return SchemaError(f"{p.name}: {message}", field="path", value=str(p), hint=hint)


def _read_csv(p: Path, text_cols: Sequence[str]) -> pd.DataFrame:
    """Read a CSV event log in one pass over the file.

    The header (and the first row, to refuse one longer than the header) are read with the
    :mod:`csv` module, then pandas reads the rows from the same handle, with the text
    columns kept as written.
    """
    import csv
    import gzip
    import lzma
    import zlib

    try:
        with contextlib.ExitStack() as stack:
            raw = _open_binary(p, stack)
            fh = stack.enter_context(io.TextIOWrapper(raw, "utf-8-sig", newline=""))
            records = csv.reader(iter(fh.readline, ""))
            header = next((r for r in records if r), None)
            if header is None:
                raise _csv_error(
                    p,
                    "the file is empty: an event log needs a header row",
                    "Write the column names on the first line, e.g. case,touchpoint,timestamp",
                )
            start = fh.tell()
            try:
                first = next((r for r in records if r), None)
            except csv.Error:  # e.g. a cell beyond the csv module's size limit: pandas reads it
                first = None
            cols = [c if c else f"Unnamed: {i}" for i, c in enumerate(header)]
            _check_csv_header(p, cols, first)
            fh.seek(start)
            text = set(text_cols)
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                return pd.read_csv(
                    fh,
                    header=None,
                    names=cols,
                    index_col=False,
                    dtype={c: str for c in cols if c in text},
                    keep_default_na=False,
                    na_values={c: list(_DEFAULT_NA) for c in cols if c not in text},
                )
    except UnicodeDecodeError as err:
        raise _csv_error(
            p,
            f"the file is not UTF-8 text ({err.reason}, byte {err.object[err.start : err.end]!r})",
            "Save it as UTF-8 (in Excel: 'CSV UTF-8'), or re-encode it, e.g. "
            "iconv -f latin1 -t utf-8",
        ) from None
    except (gzip.BadGzipFile, lzma.LZMAError, zlib.error, EOFError) as err:
        raise _csv_error(
            p,
            f"the compressed file is corrupt or truncated ({err})",
            "Compress it again, or read the uncompressed file",
        ) from None
    except (pd.errors.ParserError, pd.errors.ParserWarning, csv.Error) as err:
        too_many = _TOO_MANY.search(str(err))
        if too_many:
            n, line, saw = too_many.groups()
            raise _csv_error(
                p,
                f"row {line} has {saw} cells but the header has {n}",
                _EXTRA_CELLS_HINT,
            ) from None
        raise _csv_error(
            p,
            f"the file cannot be read as CSV: {str(err).strip()}",
            "Check quotes (every opening quote needs a closing one) and separators "
            "(a comma between cells)",
        ) from None
    except OSError as err:
        if isinstance(err, (FileNotFoundError, PermissionError, IsADirectoryError)):
            raise
        raise _csv_error(
            p,
            f"the file cannot be read ({err})",
            "Check that it is a complete CSV file (compressed: .gz, .bz2 or .xz)",
        ) from None


def _check_csv_header(p: Path, cols: list[str], first: list[str] | None) -> None:
    seen: set[str] = set()
    for col in cols:
        if "\n" in col or "\r" in col:
            raise _csv_error(
                p,
                f"the header holds a line break in column name {col[:40]!r}…",
                "Check quotes in the first line (every opening quote needs a closing one)",
            )
        if col in seen:
            raise _csv_error(
                p,
                f"column {col!r} appears more than once in the header",
                "Delete or rename one of them",
            )
        seen.add(col)
    if first is not None and len(first) > len(cols):
        raise _csv_error(
            p,
            f"row 1 has {len(first)} cells but the header has {len(cols)}",
            _EXTRA_CELLS_HINT,
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


def _event_order(case_codes: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Stable order by case, then timestamp, then input row (identity when already so)."""
    n = len(case_codes)
    if n > 1:
        dc = np.diff(case_codes)
        if (dc >= 0).all() and ((np.diff(ts) >= 0) | (dc > 0)).all():
            return np.arange(n, dtype=_INT)
    return np.lexsort((ts, case_codes)).astype(_INT, copy=False)


def frame_parts(
    df: Any,
    *,
    case_col: str,
    touchpoint_col: str,
    timestamp_col: str,
    outcome_col: str | None,
    success: Any,
    failure: Any,
    when_both: str,
    stage_col: str | None,
    channel_col: str | None,
    value_col: str | None,
    value_agg: str,
    case_cols: Sequence[str],
    journey: Journey | None,
    strict: bool,
    on_null: str,
    pseudonymise: str | bytes | None = None,
) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    """Validate an event table and code it as arrays (the work of ``EventLog.from_frame``).

    Returns the parts of the log (event arrays, labels, stages), the journey offsets and the
    case of each journey; see :meth:`frictionkit.events.EventLog.from_frame` for the
    arguments and the conventions.
    """
    from frictionkit.events._kernels import (
        RESERVED_STATES,
        _infer_stages,
        _mode_per_group,
        _stages_from_column,
        _stages_from_journey,
    )

    frame = _as_pandas(df)
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
    check_log_options(when_both, value_agg, on_null, journey, stage_col)
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
    ts, tz = _to_ns(ts_s, timestamp_col, rows)
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

    # -- outcomes ----------------------------------------------------------------
    event_outcome = _event_outcomes(
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
        "event_value": event_value,
        "touchpoint_stage": tp_stage,
    }
    return parts, offsets, journey_case
