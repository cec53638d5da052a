"""Small validators shared by the domain objects and the public functions.

They raise errors from :mod:`frictionkit.exceptions` that name the field, the value and
the fix. Nothing here is public API.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit.exceptions import (
    DataError,
    InputTypeError,
    MissingColumnError,
    SchemaError,
    ValidationError,
    WeightsNormalisedWarning,
    _short,
    did_you_mean,
)

_FloatArray: TypeAlias = npt.NDArray[np.float64]

__all__ = [
    "SUM_TOLERANCE",
    "as_benefit",
    "as_float",
    "as_id",
    "as_id_tuple",
    "as_optional_text",
    "as_weight_values",
    "as_weights",
    "check_bounds",
    "check_key_cells",
    "column",
    "normalised_weights",
]


def as_float(value: Any, field: str) -> float:
    """Return ``value`` as a finite float, or raise naming ``field``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise InputTypeError(
            f"{field} must be a number, got {_short(value)} ({type(value).__name__})",
            field=field,
            value=value,
        )
    try:
        out = float(value)
    except OverflowError:  # an integer beyond the float range (hundreds of digits)
        raise ValidationError(
            f"{field} is too large: {_short(value)}",
            field=field,
            value=value,
            hint="Give a number below 1e308",
        ) from None
    if not math.isfinite(out):
        raise ValidationError(
            f"{field} must be finite, got {_short(out)}",
            field=field,
            value=value,
            hint="Replace NaN or infinite values with a real number, or leave the field out",
        )
    return out


def check_bounds(
    value: float,
    field: str,
    *,
    low: float | None = None,
    high: float | None = None,
    hint: str | None = None,
) -> float:
    """Raise unless ``low <= value <= high`` (either bound may be omitted)."""
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            allowed = f"between {low:g} and {high:g}"
        elif low is not None:
            allowed = f">= {low:g}"
        else:
            allowed = f"<= {high:g}"
        raise ValidationError(
            f"{field} must be {allowed}, got {value:g}", field=field, value=value, hint=hint
        )
    return value


def as_id(value: Any, field: str) -> str:
    """Return ``value`` as an id: a non-empty string without surrounding whitespace."""
    if not isinstance(value, str):
        raise InputTypeError(
            f"{field} must be a string id, got {_short(value)} ({type(value).__name__})",
            field=field,
            value=value,
            hint="Quote ids that look like numbers in YAML ('2024')",
        )
    if not value or value != value.strip():
        raise ValidationError(
            f"{field} must be a non-empty id without surrounding spaces, got {_short(value)}",
            field=field,
            value=value,
        )
    bad = _invisible(value)
    if bad is not None:
        raise ValidationError(
            f"{field} must not contain control characters or invisible format characters, got "
            f"{_short(value)} (U+{ord(value[bad]):04X} at position {bad:,})",
            field=field,
            value=value,
            hint="Zero-width characters, direction marks and bidirectional controls are "
            "refused: they make an id look the same as another, or display as a different one",
        )
    _check_surrogates(value, field)
    return value


# C0/C1 controls; Unicode format characters (category Cf: zero-width spaces and joiners,
# direction marks, the bidirectional controls that reorder how text is displayed, the byte
# order mark, soft hyphens) are found by their category: each would let one id look like
# another.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _invisible(value: str) -> int | None:
    """Position of the first control or format character in ``value``, or None."""
    bad = _CONTROL.search(value)
    first = bad.start() if bad else None
    if not value.isascii():
        for i, ch in enumerate(value[: first if first is not None else len(value)]):
            if unicodedata.category(ch) == "Cf":
                return i
    return first


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_surrogates(value: str, field: str) -> None:
    """Refuse lone surrogates (from broken JSON escapes): they cannot be written as UTF-8."""
    if _SURROGATE.search(value):
        raise ValidationError(
            f"{field} holds a lone surrogate character, got {_short(value)}",
            field=field,
            value=value,
            hint="The text is not valid Unicode (often a broken \\u escape); fix the source",
        )


# Cells that cannot be a key: containers (a list or a dict, e.g. from a Parquet list or
# struct column) have no text of their own and break grouping.
_CONTAINERS = (list, tuple, dict, set, frozenset, np.ndarray)
_MIXED = ("mixed", "mixed-integer", "mixed-integer-float")


def check_key_cells(
    s: pd.Series,
    col: str,
    *,
    field: str,
    what: str,
    bools: bool = False,
) -> None:
    """Refuse cells that cannot serve as keys (ids, touchpoints, groups) in a column.

    A key column may not hold containers (lists, dicts, arrays: e.g. a Parquet list or
    struct column), nor lone surrogates in text (not valid Unicode: they fail later when
    written), nor, unless ``bools`` is true, booleans mixed with other values: ``True``
    equals ``1`` in Python and pandas, so ``True`` and ``1`` would be one key shown as
    ``True``. A column of booleans only is a valid key column. The error is a
    :class:`~frictionkit.exceptions.DataError` whose ``failure_cases`` name the rows
    (0-based positions in the table). Only object columns need a look at each cell, and
    only when their types are mixed.

    Examples
    --------
    >>> check_key_cells(pd.Series(["a", "b"]), "case", field="case_col", what="the log")
    >>> check_key_cells(
    ...     pd.Series([True, 1], dtype=object), "tp", field="touchpoint_col", what="the log"
    ... )
    Traceback (most recent call last):
    ...
    frictionkit.exceptions.DataError: tp of the log mixes booleans with other values (int), \
e.g. True in row 0: True equals 1, so they would be one key. Make the column one type, \
e.g. df[col].astype(str)
    """
    dtype = s.dtype
    nested = getattr(dtype, "pyarrow_dtype", None)
    if nested is not None and str(nested).split("<")[0] in _ARROW_NESTED:
        rows = np.flatnonzero(s.notna().to_numpy(dtype=bool))
        if len(rows):
            _refuse_containers(s, col, field, what, rows)
        return
    if not pd.api.types.is_object_dtype(dtype):
        return
    values = s.to_numpy(dtype=object)
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("string", "mixed", "mixed-integer"):
        text = (
            values[~pd.isna(values)]
            if kind == "string"
            else [v for v in values if isinstance(v, str)]
        )
        if _SURROGATE.search("".join(text)) is not None:
            bad = [isinstance(v, str) and _SURROGATE.search(v) is not None for v in values]
            rows = np.flatnonzero(bad)
            raise DataError(
                f"{col} of {what} holds text that is not valid Unicode (a lone surrogate) "
                f"in {len(rows)} row(s), e.g. row {int(rows[0])}",
                field=field,
                value=values[rows[0]],
                failure_cases=pd.DataFrame(
                    {"row": rows, col: pd.Series(values[rows], dtype=object)}
                ),
                hint="Often a broken \\u escape or a mis-decoded file; fix the source",
            )
    if kind not in _MIXED:
        return
    containers = np.fromiter(
        (isinstance(v, _CONTAINERS) for v in values), dtype=bool, count=len(values)
    )
    if containers.any():
        _refuse_containers(s, col, field, what, np.flatnonzero(containers))
    if bools:
        return
    is_bool = np.fromiter(
        (isinstance(v, (bool, np.bool_)) for v in values), dtype=bool, count=len(values)
    )
    if not is_bool.any():
        return
    present = ~pd.isna(values).astype(bool)
    others = present & ~is_bool
    if not others.any():
        return
    rows = np.flatnonzero(present)
    types = sorted({type(v).__name__ for v in values[others]})
    first = int(np.flatnonzero(is_bool)[0])
    raise DataError(
        f"{col} of {what} mixes booleans with other values ({', '.join(types)}), "
        f"e.g. {values[first]!r} in row {first}: True equals 1, so they would be one key",
        field=field,
        value=values[first],
        failure_cases=pd.DataFrame(
            {
                "row": rows,
                col: pd.Series(values[rows], dtype=object),
                "type": [type(v).__name__ for v in values[rows]],
            }
        ),
        hint="Make the column one type, e.g. df[col].astype(str)",
    )


_ARROW_NESTED = ("list", "large_list", "fixed_size_list", "struct", "map")


def _refuse_containers(s: pd.Series, col: str, field: str, what: str, rows: np.ndarray) -> None:
    values = s.to_numpy(dtype=object)[rows]
    raise DataError(
        f"{col} of {what} holds {len(rows)} cell(s) that are lists or records, not single "
        f"values, e.g. {_short(values[0])} in row {int(rows[0])}",
        field=field,
        value=values[0],
        failure_cases=pd.DataFrame(
            {"row": rows, col: pd.Series([_short(v) for v in values], dtype=object)}
        ),
        hint="Give one id or name per cell (e.g. take the list's first item, or explode it "
        "into rows with df.explode(col))",
    )


def as_id_tuple(value: Any, field: str) -> tuple[str, ...]:
    """Return a tuple of ids; a single string counts as a one-item list."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, Iterable) or isinstance(value, (bytes, dict)):
        raise InputTypeError(
            f"{field} must be a list of ids, got {_short(value)}", field=field, value=value
        )
    items = tuple(as_id(v, f"{field}[{i}]") for i, v in enumerate(value))
    seen: set[str] = set()
    for item in items:
        if item in seen:
            raise ValidationError(
                f"{field} lists {_short(item)} twice", field=field, value=item, hint="List it once"
            )
        seen.add(item)
    return items


def as_optional_text(value: Any, field: str) -> str | None:
    """Return ``None`` or a string."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputTypeError(
            f"{field} must be text, got {_short(value)} ({type(value).__name__})",
            field=field,
            value=value,
        )
    _check_surrogates(value, field)
    return value


def column(df: pd.DataFrame, col: Any, *, field: str, what: str) -> str:
    """Return ``col`` if it names exactly one column of ``df``, or raise naming ``field``.

    Parameters
    ----------
    df : pandas.DataFrame
        The table.
    col : Any
        The column name given by the user.
    field : str
        Name of the argument that carried ``col`` (used in the message).
    what : str
        What the table is, for the message ("the event log", "the survey answers").

    Returns
    -------
    str
        ``col``.

    Raises
    ------
    InputTypeError
        ``col`` is not text.
    MissingColumnError
        ``col`` is not a column of ``df`` (with a did-you-mean suggestion).
    SchemaError
        ``col`` names several columns (``df[col]`` would be a table, not a column).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"case_id": [1], "score": [5]})
    >>> column(df, "score", field="score_col", what="the survey answers")
    'score'
    >>> try:
    ...     column(df, "scores", field="score_col", what="the survey answers")
    ... except KeyError as err:
    ...     print(type(err).__name__, err.args[0].split(" (")[0])
    MissingColumnError score_col='scores' is not a column of the survey answers
    """
    if not isinstance(col, str):
        raise InputTypeError(
            f"{field} must be a column name (text), got {col!r}", field=field, value=col
        )
    if col not in df.columns:
        cols = [str(c) for c in df.columns]
        glued = _glued_columns(cols)
        if glued is not None:
            shown = "tab" if glued == "\t" else repr(glued)
            raise MissingColumnError(
                f"{field}={col!r} is not a column of {what}: it has one column, "
                f"{_short(cols[0])}, whose name holds {shown}, so the file was read with "
                "the wrong delimiter",
                field=field,
                value=col,
                hint=f"Read the file with sep={glued!r}",
            )
        raise MissingColumnError(
            f"{field}={col!r} is not a column of {what}" + did_you_mean(col, cols),
            field=field,
            value=col,
            hint=f"Columns: {', '.join(map(repr, cols[:20]))}" + (" …" if len(cols) > 20 else ""),
        )
    repeats = int((df.columns == col).sum())
    if repeats > 1:  # df[col] would be a DataFrame, not a column
        raise SchemaError(
            f"{field}: column {col!r} appears {repeats} times in {what}",
            field=field,
            value=col,
            hint="Drop or rename the duplicates, e.g. df.loc[:, ~df.columns.duplicated()]",
        )
    return col


def _glued_columns(cols: list[str]) -> str | None:
    """The delimiter (``;``, ``|`` or tab) glueing a table's only column name, if any.

    Examples
    --------
    >>> _glued_columns(["case;step;time"]), _glued_columns(["case"])
    (';', None)
    """
    if len(cols) != 1:
        return None
    counts = {sep: cols[0].count(sep) for sep in (";", "|", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else None


def as_benefit(benefit: Any, m: int) -> npt.NDArray[np.bool_]:
    """Return ``m`` criterion directions (True = more is better, False = cost).

    A single bool applies to every criterion; otherwise a list of exactly ``m`` bools.
    """
    if isinstance(benefit, (bool, np.bool_)):
        return np.full(m, bool(benefit))
    if isinstance(benefit, pd.Series):
        benefit = benefit.tolist()
    if isinstance(benefit, (str, bytes)) or not isinstance(benefit, Iterable):
        raise InputTypeError(
            f"benefit must be a list of {m} booleans (True = more is better, False = cost), "
            f"got {_short(benefit)}",
            field="benefit",
            value=benefit,
        )
    items = list(benefit)
    for k, item in enumerate(items):
        if not isinstance(item, (bool, np.bool_)):
            raise InputTypeError(
                f"benefit[{k}] must be True (more is better) or False (cost), got {_short(item)}",
                field=f"benefit[{k}]",
                value=item,
            )
    if len(items) != m:
        raise ValidationError(
            f"benefit has {len(items)} values but the matrix has {m} criteria (columns)",
            field="benefit",
            value=benefit,
        )
    return np.asarray(items, dtype=bool)


# ---------------------------------------------------------------------------------------
# criterion weights (shared by mcda, weights and uncertainty)

#: Tolerance on ``sum(weights) - 1`` before weights are renormalised with a warning.
SUM_TOLERANCE = 1e-9


def as_weight_values(values: Any, field: str) -> _FloatArray:
    """1-d finite, non-negative float array with a positive sum (no normalisation)."""
    if isinstance(values, (str, bytes)):
        raise InputTypeError(
            f"{field} must be a list of numbers, got {_short(values)}", field=field, value=values
        )
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputTypeError(
            f"{field} must be numbers, got {_short(values)}", field=field, value=values
        ) from exc
    if arr.ndim != 1 or arr.size == 0:
        raise ValidationError(
            f"{field} must be a non-empty 1-d list of numbers, got shape {arr.shape}",
            field=field,
            value=values,
        )
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise ValidationError(
            f"{field} must be finite, got {arr[bad[0]]:g} at position {int(bad[0])}",
            field=field,
            value=values,
            hint="Replace NaN or infinite weights with a number >= 0",
        )
    neg = np.flatnonzero(arr < 0)
    if neg.size:
        raise ValidationError(
            f"{field} must be >= 0, got {arr[neg[0]]:g} at position {int(neg[0])}",
            field=field,
            value=values,
            hint="A criterion that should count against an option is a cost criterion: "
            "give it a positive weight and mark it as cost (benefit=False)",
        )
    if not arr.sum() > 0:
        raise ValidationError(
            f"{field} are all zero; at least one weight must be positive",
            field=field,
            value=values,
        )
    return arr


def normalised_weights(arr: _FloatArray, field: str, *, stacklevel: int) -> _FloatArray:
    total = float(arr.sum())
    if abs(total - 1.0) > SUM_TOLERANCE:
        warnings.warn(
            f"{field} sum to {total:.12g}, not 1; they were divided by their sum",
            WeightsNormalisedWarning,
            stacklevel=stacklevel,
        )
    return arr / total


def as_weights(values: Any, m: int, field: str = "weights") -> _FloatArray:
    """Validate weights for ``m`` criteria and return them summing to 1 (for mcda).

    Weights not summing to 1 (beyond :data:`SUM_TOLERANCE`) are divided by their sum with
    a :class:`~frictionkit.exceptions.WeightsNormalisedWarning` pointing at the caller of
    the public function.
    """
    if isinstance(values, Mapping):
        raise InputTypeError(
            f"{field} must be a list of {m} numbers in column order, got a mapping",
            field=field,
            value=values,
            hint="Pass list(mapping.values()) in the order of the matrix columns",
        )
    if isinstance(values, pd.Series):
        values = values.to_numpy(dtype=np.float64)
    arr = as_weight_values(values, field)
    if arr.size != m:
        raise ValidationError(
            f"{field} has {arr.size} values but the matrix has {m} criteria (columns)",
            field=field,
            value=values,
        )
    return normalised_weights(arr, field, stacklevel=4)


def as_pandas(df: Any, what: str) -> pd.DataFrame:
    """``df`` as a pandas DataFrame: itself, or a polars / pyarrow table's ``to_pandas()``.

    ``what`` names the table in the error ("the event log", "the survey answers").
    """
    if isinstance(df, pd.DataFrame):
        return df
    to_pandas = getattr(df, "to_pandas", None)
    if callable(to_pandas):
        out = to_pandas()
        if isinstance(out, pd.DataFrame):
            return out
    raise InputTypeError(
        f"{what} must be a pandas DataFrame, got {type(df).__name__}",
        field="df",
        value=type(df).__name__,
        hint="Pass a pandas DataFrame, or a polars / pyarrow table (anything with to_pandas())",
    )
