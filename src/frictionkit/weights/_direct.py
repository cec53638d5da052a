"""Direct weights: checks shared by every weighting method, :func:`normalise_weights`."""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit.exceptions import (
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
    WeightsNormalisedWarning,
    _short,
    did_you_mean,
)

FloatArray: TypeAlias = npt.NDArray[np.float64]
WeightsLike: TypeAlias = "Mapping[Hashable, float] | pd.Series | Sequence[float] | npt.ArrayLike"

#: Tolerance on ``sum(weights) - 1`` before weights are renormalised with a warning.
SUM_TOLERANCE = 1e-9


# ---------------------------------------------------------------------------------------
# direct weights


def _weight_values(values: Any, field: str) -> FloatArray:
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


def _normalised(arr: FloatArray, field: str, *, stacklevel: int) -> FloatArray:
    total = float(arr.sum())
    if abs(total - 1.0) > SUM_TOLERANCE:
        warnings.warn(
            f"{field} sum to {total:.12g}, not 1; they were divided by their sum",
            WeightsNormalisedWarning,
            stacklevel=stacklevel,
        )
    return arr / total


def _check_weights(values: Any, m: int, field: str = "weights") -> FloatArray:
    """Validate weights for ``m`` criteria and return them summing to 1 (for mcda)."""
    if isinstance(values, Mapping):
        raise InputTypeError(
            f"{field} must be a list of {m} numbers in column order, got a mapping",
            field=field,
            value=values,
            hint="Pass list(mapping.values()) in the order of the matrix columns",
        )
    if isinstance(values, pd.Series):
        values = values.to_numpy(dtype=np.float64)
    arr = _weight_values(values, field)
    if arr.size != m:
        raise ValidationError(
            f"{field} has {arr.size} values but the matrix has {m} criteria (columns)",
            field=field,
            value=values,
        )
    return _normalised(arr, field, stacklevel=4)


def _as_names(criteria: Any, field: str = "criteria") -> list[Hashable]:
    if isinstance(criteria, (str, bytes)) or not isinstance(criteria, Iterable):
        raise InputTypeError(
            f"{field} must be a list of criterion names, got {_short(criteria)}",
            field=field,
            value=criteria,
        )
    names = list(criteria)
    seen: set[Hashable] = set()
    for name in names:
        if name in seen:
            raise ValidationError(
                f"{field} lists {name!r} twice", field=field, value=name, hint="List it once"
            )
        seen.add(name)
    return names


def _series(values: FloatArray, names: Sequence[Hashable] | None) -> FloatArray | pd.Series:
    if names is None:
        return values
    return pd.Series(values, index=pd.Index(list(names), name="criterion"), name="weight")


def normalise_weights(
    weights: WeightsLike, criteria: Sequence[Hashable] | None = None
) -> FloatArray | pd.Series:
    """Check direct weights and scale them to sum to 1.

    Parameters
    ----------
    weights : mapping, Series or array-like
        One non-negative weight per criterion. A mapping or Series is keyed by criterion
        name.
    criteria : sequence of names, optional
        The criterion names. With an array, they label it (same length); with a mapping,
        they fix the order and must name exactly the mapping's keys.

    Returns
    -------
    numpy.ndarray or pandas.Series
        Weights summing to 1; a Series indexed by criterion name when names are known.

    Raises
    ------
    ValidationError
        A weight is negative, NaN or infinite, or all are zero; lengths differ.
    UnknownReferenceError
        ``criteria`` and the mapping's keys differ.

    Warns
    -----
    WeightsNormalisedWarning
        When the sum differs from 1 by more than ``1e-9``.

    Examples
    --------
    >>> normalise_weights([0.5, 0.3, 0.2])
    array([0.5, 0.3, 0.2])
    >>> normalise_weights({"impact": 0.6, "effort": 0.4}).to_dict()
    {'impact': 0.6, 'effort': 0.4}
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     normalise_weights([2, 1, 1], criteria=["a", "b", "c"]).to_dict()
    {'a': 0.5, 'b': 0.25, 'c': 0.25}
    """
    names: list[Hashable] | None
    if isinstance(weights, (Mapping, pd.Series)):
        source: dict[Hashable, Any] = dict(weights.items())
        keys = list(source)
        if criteria is None:
            names = keys
        else:
            names = _as_names(criteria)
            key_set = set(keys)
            for name in names:
                if name not in key_set:
                    raise UnknownReferenceError(
                        f"criteria names {name!r} but weights has no such key"
                        + did_you_mean(name, keys),
                        field="criteria",
                        value=name,
                    )
            name_set = set(names)
            extra = [k for k in keys if k not in name_set]
            if extra:
                raise UnknownReferenceError(
                    f"weights has key(s) {extra!r} not listed in criteria"
                    + did_you_mean(extra[0], names),
                    field="weights",
                    value=extra,
                )
        values: Any = [source[k] for k in names]
    else:
        names = None if criteria is None else _as_names(criteria)
        values = weights
    arr = _weight_values(values, "weights")
    if names is not None and len(names) != arr.size:
        raise ValidationError(
            f"criteria has {len(names)} names but weights has {arr.size} values",
            field="criteria",
            value=criteria,
        )
    return _series(_normalised(arr, "weights", stacklevel=3), names)
