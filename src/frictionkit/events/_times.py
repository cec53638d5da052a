"""Timestamps of an event table to int64 nanoseconds (the conventions of :mod:`frictionkit.events`).

Aware values are converted to UTC, naive ones kept as wall-clock time; values beyond the
nanosecond range, numbers, mixed naive and aware values and text that is not a time are
refused with a :class:`~frictionkit.DataError` holding the rows.

Text is read with one format per column, inferred from all its values: ISO 8601 (with or
without time and zone) first, else the single ``strftime`` format every value fits. A column
that fits no single format, or fits both the day-first and the month-first reading
(``01/02/2024``: 1 February or 2 January), is refused unless ``dayfirst`` or
``timestamp_format`` says which (pandas' per-value fallback, which reads ``12/04/2024``
month-first and ``13/04/2024`` day-first in the same column, is never used for text).
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from frictionkit.exceptions import DataError, InputTypeError, ValidationError

_INT = np.int64


def _to_ns(
    s: pd.Series,
    field: str,
    rows: np.ndarray | None = None,
    *,
    timestamp_format: str | None = None,
    dayfirst: bool | None = None,
) -> tuple[np.ndarray, str | None]:
    """Parse a timestamp column to int64 ns; returns (ns, "UTC" or None for naive).

    ``rows`` maps positions in ``s`` to rows of the input table (for failure cases);
    ``timestamp_format`` and ``dayfirst`` choose how text is read (:func:`parse_text_times`).
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
    if _has_text(values):
        parsed = parse_text_times(
            _as_text(values), field, rows, timestamp_format=timestamp_format, dayfirst=dayfirst
        )
        return _to_ns(pd.Series(parsed, index=s.index), field, rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            parsed = pd.to_datetime(values)
        except (ValueError, TypeError, OverflowError) as err:
            parsed = _parse_fallback(values, field, err, rows)
    return _to_ns(pd.Series(parsed, index=s.index), field, rows)


def _has_text(values: pd.Series) -> bool:
    return bool(values.map(lambda v: isinstance(v, str)).any())


def _as_text(values: pd.Series) -> pd.Series:
    """Date/time objects among text as ISO 8601 text (missing values as None)."""

    def one(v: Any) -> Any:
        if v is None or isinstance(v, str):
            return v
        if pd.isna(v):
            return None
        if isinstance(v, np.datetime64):
            return pd.Timestamp(v).isoformat()
        return v.isoformat() if isinstance(v, dt.date) else v

    return values.map(one).astype(object)


def check_time_options(timestamp_format: object, dayfirst: object) -> None:
    """Refuse a ``timestamp_format`` that is not text with a directive, or a non-bool ``dayfirst``.

    Examples
    --------
    >>> check_time_options("%d/%m/%Y", None)
    >>> try:
    ...     check_time_options("dd/mm/yyyy", None)
    ... except ValueError as err:
    ...     print(err.field)
    timestamp_format
    """
    if timestamp_format is not None and (
        not isinstance(timestamp_format, str) or "%" not in timestamp_format
    ):
        raise ValidationError(
            "timestamp_format must be a strftime format such as '%d/%m/%Y %H:%M', "
            f"got {timestamp_format!r}",
            field="timestamp_format",
            value=timestamp_format,
            hint="Use strftime directives: %Y year, %m month, %d day, %H:%M:%S time, %z offset",
        )
    if dayfirst is not None and not isinstance(dayfirst, (bool, np.bool_)):
        raise ValidationError(
            f"dayfirst must be True, False or None, got {dayfirst!r}",
            field="dayfirst",
            value=dayfirst,
            hint="dayfirst=True reads 01/02/2024 as 1 February, False as 2 January",
        )


def _order(fmt: str) -> str | None:
    """Which of day and month comes first in ``fmt`` (``"day"``, ``"month"`` or None).

    The month is ``%m``, ``%b`` or ``%B``; None when the format lacks a day or a month.
    """
    day = fmt.find("%d")
    month = min((i for i in (fmt.find(m) for m in ("%m", "%b", "%B")) if i >= 0), default=-1)
    if day < 0 or month < 0:
        return None
    return "day" if day < month else "month"


def _sample(unique: np.ndarray, k: int = 200) -> np.ndarray:
    if len(unique) <= 2 * k:
        return unique
    spread = np.linspace(0, len(unique) - 1, k).astype(np.int64)
    return np.concatenate([unique[:k], unique[spread]])


def _fit(values: pd.Series, fmt: str, utc: bool) -> pd.Series | None:
    """``values`` parsed with ``fmt``, or None when some value does not fit it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            out = pd.to_datetime(values, format=fmt, utc=utc, errors="coerce")
    except (ValueError, TypeError, OverflowError):
        return None
    if bool((out.isna() & values.notna()).any()):
        return None
    return out


def parse_text_times(
    values: pd.Series,
    field: str,
    rows: np.ndarray | None = None,
    *,
    timestamp_format: str | None = None,
    dayfirst: bool | None = None,
) -> pd.Series:
    """Text timestamps (None for missing) to datetimes with ONE format for the whole column.

    ``timestamp_format`` (a ``strftime`` format) is used as given. Otherwise ISO 8601 is
    tried first (with or without time and zone), then every format pandas guesses for the
    values (day-first and month-first) is checked against all of them: exactly one reading
    must fit. ``dayfirst`` keeps only the day-first (True) or month-first (False) readings.

    Raises
    ------
    DataError
        Text that is not a time, a column mixing formats, a column fitting both the
        day-first and the month-first reading without ``dayfirst``, values not fitting
        ``timestamp_format``, naive and aware values mixed.

    Examples
    --------
    >>> s = pd.Series(["12/04/2024", "13/04/2024"], dtype=object)
    >>> parse_text_times(s, "ts").dt.day.tolist()
    [12, 13]
    >>> parse_text_times(pd.Series(["01/02/2024"]), "ts", dayfirst=True).dt.month.tolist()
    [2]
    """
    check_time_options(timestamp_format, dayfirst)
    values = values.astype(object)
    utc = _aware_all(values, field, rows)
    if timestamp_format is not None:
        out = _fit(values, timestamp_format, utc)
        if out is not None:
            return out
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                coerced = pd.to_datetime(values, format=timestamp_format, utc=utc, errors="coerce")
        except (ValueError, TypeError, OverflowError):
            coerced = pd.Series(pd.NaT, index=values.index)
        bad = coerced.isna().to_numpy() & values.notna().to_numpy()
        raise DataError(
            f"{field} has {int(bad.sum())} value(s) that do not fit "
            f"timestamp_format={timestamp_format!r}, e.g. {values[bad].iloc[0]!r}",
            field=field,
            value=values[bad].iloc[0],
            failure_cases=pd.DataFrame(
                {"row": _positions(bad, rows), field: values[bad].to_numpy()}
            ),
            hint="Fix those rows, or give the format they are written in",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return pd.to_datetime(values, format="ISO8601", utc=utc)
    except (ValueError, TypeError, OverflowError):
        pass
    present = values[values.notna()]
    unique = pd.unique(present.to_numpy(dtype=object))
    candidates: dict[str, None] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for v in _sample(unique):
            for first in (False, True):
                fmt = guess_datetime_format(str(v).strip(), dayfirst=first)
                if fmt is not None:
                    candidates[fmt] = None
    if dayfirst is not None:
        keep = ("day" if dayfirst else "month", None)
        candidates = {f: None for f in candidates if _order(f) in keep}
    fits: list[tuple[str, pd.Series]] = []
    for fmt in candidates:
        out = _fit(values, fmt, utc)
        if out is not None and not any(out.equals(o) for _, o in fits):
            fits.append((fmt, out))
    if len(fits) == 1:
        return fits[0][1]
    if len(fits) > 1:
        (f1, o1), (f2, o2) = fits[:2]
        differ = (o1 != o2).to_numpy() & values.notna().to_numpy()
        examples = list(pd.unique(values[differ].to_numpy(dtype=object))[:2])
        shown = " and ".join(repr(e) for e in examples)
        raise DataError(
            f"{field} is ambiguous: every value fits both {f1!r} and {f2!r} (e.g. {shown}: "
            "day first or month first?), and one format must hold for the whole column",
            field=field,
            value=examples[0],
            failure_cases=pd.DataFrame(
                {"row": _positions(differ, rows), field: values[differ].to_numpy()}
            ),
            hint="Say which: dayfirst=True (day/month/year) or dayfirst=False "
            f"(month/day/year), or timestamp_format={f1!r}",
        )
    _refuse_no_format(values, field, rows, list(candidates), utc, dayfirst)
    raise AssertionError  # pragma: no cover  (_refuse_no_format always raises)


def _refuse_no_format(
    values: pd.Series,
    field: str,
    rows: np.ndarray | None,
    candidates: list[str],
    utc: bool,
    dayfirst: bool | None,
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        coerced = pd.to_datetime(values, errors="coerce", format="mixed", utc=True)
    unreadable = coerced.isna().to_numpy() & values.notna().to_numpy()
    if unreadable.any():
        bad = values[unreadable]
        raise DataError(
            f"{field} has {int(unreadable.sum())} value(s) that are not timestamps, "
            f"e.g. {bad.iloc[0]!r}",
            field=field,
            value=bad.iloc[0],
            failure_cases=pd.DataFrame(
                {"row": _positions(unreadable, rows), field: bad.to_numpy()}
            ),
            hint="Fix or drop those rows, or give the column's format with "
            "timestamp_format= (e.g. '%d/%m/%Y %H:%M')",
        ) from None
    # every value is a time on its own, but no one format fits them all: show the values
    # the format fitting most of them leaves out
    best, best_fit = None, -1
    for fmt in candidates:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                n = int(pd.to_datetime(values, format=fmt, utc=utc, errors="coerce").notna().sum())
        except (ValueError, TypeError, OverflowError):
            continue
        if n > best_fit:
            best, best_fit = fmt, n
    if best is None:
        fitting = np.zeros(len(values), dtype=bool)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            fitting = (
                pd.to_datetime(values, format=best, utc=utc, errors="coerce").notna().to_numpy()
            )
    present = values.notna().to_numpy()
    misfit = present & ~fitting
    if not misfit.any():  # pragma: no cover  (only when dayfirst filtered every format out)
        misfit = present
    one = (
        values[present & fitting].iloc[0] if (present & fitting).any() else values[present].iloc[0]
    )
    other = values[misfit].iloc[0]
    reading = "" if dayfirst is None else f" with dayfirst={dayfirst}"
    raise DataError(
        f"{field} fits no single timestamp format{reading}: e.g. {one!r} and {other!r} are "
        f"written differently ({int(misfit.sum())} value(s) do not fit "
        f"{best or 'the format of the others'!r})",
        field=field,
        value=other,
        failure_cases=pd.DataFrame(
            {"row": _positions(misfit, rows), field: values[misfit].to_numpy()}
        ),
        hint="Write every value the same way (ISO 8601, 2024-04-13 10:00, is safest), or "
        "give the format with timestamp_format= (e.g. '%d/%m/%Y %H:%M')"
        + ("" if dayfirst is None else ", or check dayfirst="),
    )


def _aware_all(values: pd.Series, field: str, rows: np.ndarray | None) -> bool:
    """True when every text value carries a zone offset, False when none; refuse a mix."""
    present = values.notna().to_numpy()
    aware = values.astype(str).str.contains(_TIME_OFFSET).to_numpy(dtype=bool) & present
    if aware.any() and (aware != present).any():
        naive = present & ~aware
        bad = values[naive]
        raise DataError(
            f"{field} mixes time-zone-aware and naive timestamps ({len(bad)} naive of "
            f"{int(present.sum())})",
            field=field,
            value=bad.iloc[0],
            failure_cases=pd.DataFrame({"row": _positions(naive, rows), field: bad.to_numpy()}),
            hint="Convert all timestamps to UTC first, e.g. localise the naive ones with "
            "pd.to_datetime(...).dt.tz_localize('Europe/Paris').dt.tz_convert('UTC')",
        )
    return bool(aware.any())


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
# A zone offset after a time of day (not the year of 12-04-2024).
_TIME_OFFSET = re.compile(r":\d{2}(?:\.\d+)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)\s*$")


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
