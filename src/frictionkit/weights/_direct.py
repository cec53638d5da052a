"""Direct weights: checks shared by every weighting method, :func:`normalise_weights`."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit._validate import SUM_TOLERANCE as SUM_TOLERANCE
from frictionkit._validate import as_weight_values as _weight_values
from frictionkit._validate import normalised_weights as _normalised
from frictionkit.exceptions import (
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
    _short,
    did_you_mean,
)

FloatArray: TypeAlias = npt.NDArray[np.float64]
WeightsLike: TypeAlias = "Mapping[Hashable, float] | pd.Series | Sequence[float] | npt.ArrayLike"


# ---------------------------------------------------------------------------------------
# direct weights


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
