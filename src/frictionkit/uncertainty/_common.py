"""Shared types, constants and argument checks of :mod:`frictionkit.uncertainty`."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit.exceptions import (
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
    _short,
    did_you_mean,
)

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
Method: TypeAlias = Literal["weighted_sum", "topsis"]
WeightsSpec: TypeAlias = "str | Mapping[Any, Any] | npt.ArrayLike | None"

#: The scoring methods of :func:`smaa`, :func:`stability_intervals`, :func:`weight_sweep`
#: and :func:`value_of_information` (a subset of :data:`frictionkit.scoring.METHODS`;
#: :func:`rank_risk` takes all of those).
SMAA_METHODS: tuple[str, ...] = ("weighted_sum", "topsis")
#: Number of Monte Carlo draws when none is given.
DEFAULT_DRAWS = 10_000

# Elements per temporary array when ``chunk`` is not given (2**21 float64 = 16 MiB).
_CHUNK_ELEMENTS = 2**21

# ---------------------------------------------------------------------------------------
# validation helpers


def _count(value: Any, field: str, *, low: int = 1) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise InputTypeError(
            f"{field} must be a whole number, got {value!r}", field=field, value=value
        )
    if int(value) < low:
        raise ValidationError(
            f"{field} must be >= {low}, got {int(value)}", field=field, value=value
        )
    return int(value)


def _method(value: Any) -> str:
    if not isinstance(value, str) or value not in SMAA_METHODS:
        raise UnknownReferenceError(
            f"unknown method {value!r}; choose one of {list(SMAA_METHODS)}"
            + did_you_mean(value, SMAA_METHODS),
            field="method",
            value=value,
        )
    return value


def _labels(given: Any, default: Sequence[Hashable] | None, size: int, field: str) -> pd.Index:
    if given is None:
        if default is None:
            return pd.Index(range(size), name=field)
        _check_unique(list(default), field, given=False)
        return pd.Index(list(default), name=field)
    if isinstance(given, (str, bytes)) or not hasattr(given, "__iter__"):
        raise InputTypeError(
            f"{field} must be a list of {size} names, got {given!r}", field=field, value=given
        )
    names = list(given)
    if len(names) != size:
        raise ValidationError(
            f"{field} has {len(names)} names but the matrix has {size}",
            field=field,
            value=given,
        )
    _check_unique(names, field, given=True)
    return pd.Index(names, name=field)  # type: ignore[no-any-return]


def _check_unique(names: Sequence[Hashable], field: str, *, given: bool) -> None:
    """Refuse repeated names: results indexed by name would merge them silently."""
    index = pd.Index(list(names))
    if index.is_unique:
        return
    repeated = list(dict.fromkeys(index[index.duplicated()].tolist()))
    where = "lists" if given else "(from the matrix labels) repeats"
    shown = ", ".join(_short(r) for r in repeated[:5]) + (" …" if len(repeated) > 5 else "")
    raise ValidationError(
        f"{field} {where} {len(repeated)} name(s) more than once: {shown}",
        field=field,
        value=repeated[0],
        hint="Give each one its own name"
        + ("" if given else " (the DataFrame index for alternatives, columns for criteria)"),
    )


def _matrix_draws(value: Any) -> FloatArray:
    try:
        # no copy of a float64 array (the draws may be hundreds of MB): it is only read
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputTypeError(
            "matrix_draws must be a 3-d array of numbers (draws x alternatives x criteria)",
            field="matrix_draws",
            value=type(value).__name__,
            hint="Build it with sample_estimates(matrix_of_estimates, draws, seed)",
        ) from exc
    if arr.ndim != 3 or 0 in arr.shape:
        raise ValidationError(
            "matrix_draws must be a non-empty 3-d array (draws x alternatives x criteria), "
            f"got shape {arr.shape}",
            field="matrix_draws",
            value=arr.shape,
        )
    # a finite sum proves every value finite without a mask of the array's size; a sum
    # that overflows (or a NaN) sends the search to the mask
    bad = np.zeros((0, 3)) if np.isfinite(arr.sum()) else np.argwhere(~np.isfinite(arr))
    if bad.size:
        d, i, j = (int(x) for x in bad[0])
        raise ValidationError(
            f"matrix_draws[{d}, {i}, {j}] must be finite, got {arr[d, i, j]!r}",
            field=f"matrix_draws[{d}, {i}, {j}]",
            value=arr[d, i, j],
            hint="Fill or drop missing estimates before sampling",
        )
    return arr


def _k(value: Any, n: int) -> int:
    k = _count(value, "k")
    if k > n:
        raise ValidationError(
            f"k must be <= the number of alternatives ({n}), got {k}",
            field="k",
            value=value,
            hint=f"Use k between 1 and {n}",
        )
    return k


def _criterion_position(key: Any, criteria: pd.Index, field: str) -> int:
    if key in criteria:
        loc = criteria.get_loc(key)
        if isinstance(loc, int):
            return loc
    if (
        isinstance(key, (int, np.integer))
        and not isinstance(key, bool)
        and 0 <= int(key) < len(criteria)
    ):
        return int(key)
    raise UnknownReferenceError(
        f"{field} names unknown criterion {key!r}; criteria are {list(criteria)}"
        + did_you_mean(key, list(criteria)),
        field=field,
        value=key,
    )
