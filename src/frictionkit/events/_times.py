"""Timestamps of an event table to int64 nanoseconds (the conventions of :mod:`frictionkit.events`).

Aware values are converted to UTC, naive ones kept as wall-clock time; values beyond the
nanosecond range, numbers, mixed naive and aware values and text that is not a time are
refused with a :class:`~frictionkit.DataError` holding the rows.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings

import numpy as np
import pandas as pd

from frictionkit.exceptions import DataError, InputTypeError

_INT = np.int64


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
