"""Weights derived from a decision matrix (entropy, CRITIC), an ordering or swing points."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit._validate import as_benefit
from frictionkit._validate import as_weight_values as _weight_values
from frictionkit.exceptions import (
    InputTypeError,
    ValidationError,
)
from frictionkit.weights._direct import FloatArray, _as_names, _series

# ---------------------------------------------------------------------------------------
# objective weights from a decision matrix


def _matrix(matrix: Any) -> tuple[FloatArray, list[Hashable] | None]:
    names: list[Hashable] | None = None
    if isinstance(matrix, pd.DataFrame):
        names = list(matrix.columns)
        matrix = matrix.to_numpy()
    try:
        arr = np.asarray(matrix, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputTypeError(
            "matrix must be a 2-d array of numbers (alternatives x criteria)",
            field="matrix",
            value=matrix,
        ) from exc
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValidationError(
            f"matrix must be a non-empty 2-d array (alternatives x criteria), got shape "
            f"{arr.shape}",
            field="matrix",
            value=matrix,
        )
    bad = np.argwhere(~np.isfinite(arr))
    if bad.size:
        i, j = (int(x) for x in bad[0])
        raise ValidationError(
            f"matrix[{i}, {j}] must be finite, got {arr[i, j]:g}",
            field=f"matrix[{i}, {j}]",
            value=arr[i, j],
            hint="Fill missing scores before computing weights",
        )
    return arr, names


def _benefit(benefit: Any, m: int) -> npt.NDArray[np.bool_]:
    # None: every criterion is a benefit (more is better).
    return np.ones(m, dtype=bool) if benefit is None else as_benefit(benefit, m)


def _finish(raw: FloatArray, names: list[Hashable] | None, criteria: Any) -> FloatArray | pd.Series:
    if criteria is not None:
        names = _as_names(criteria)
        if len(names) != raw.size:
            raise ValidationError(
                f"criteria has {len(names)} names but the matrix has {raw.size} columns",
                field="criteria",
                value=criteria,
            )
    return _series(raw, names)


def entropy_weights(
    matrix: npt.ArrayLike | pd.DataFrame,
    benefit: Sequence[bool] | bool | None = None,
    *,
    criteria: Sequence[Hashable] | None = None,
) -> FloatArray | pd.Series:
    """Objective weights by the Shannon entropy method.

    ``p_ij = x_ij / sum_i x_ij``, ``e_j = -(1 / ln n) sum_i p_ij ln p_ij`` (with
    ``0 ln 0 = 0``), ``d_j = 1 - e_j``, ``w_j = d_j / sum_k d_k`` (Hwang and Yoon, 1981,
    pp. 52-54; Zeleny, 1982). A criterion whose values are all equal (or all zero) has
    ``e_j = 1`` and weight 0. If every criterion is constant the weights are equal.

    Parameters
    ----------
    matrix : array-like or DataFrame
        ``n x m`` scores, ``n >= 2``, all ``>= 0`` (entropy needs shares). DataFrame
        columns name the criteria.
    benefit : sequence of bool or bool, optional
        Accepted for symmetry with the other methods. The entropy of a criterion does not
        depend on its direction when computed on the raw shares (the classic method), so
        it is only validated.
    criteria : sequence of names, optional
        Names for the result (a Series).

    Returns
    -------
    numpy.ndarray or pandas.Series
        Weights summing to 1.

    Examples
    --------
    >>> entropy_weights([[1, 5], [1, 1], [1, 3]]).round(4)
    array([0., 1.])
    >>> entropy_weights([[2, 7, 1], [4, 1, 1], [3, 2, 1]]).round(4)
    array([0.1129, 0.8871, 0.    ])
    """
    arr, names = _matrix(matrix)
    n, m = arr.shape
    _benefit(benefit, m)
    if n < 2:
        raise ValidationError(
            "entropy weights need at least 2 alternatives (rows)", field="matrix", value=n
        )
    neg = np.argwhere(arr < 0)
    if neg.size:
        i, j = (int(x) for x in neg[0])
        raise ValidationError(
            f"entropy weights need scores >= 0, got matrix[{i}, {j}] = {arr[i, j]:g}",
            field=f"matrix[{i}, {j}]",
            value=arr[i, j],
            hint="Shift or rescale the criterion so that it is non-negative",
        )
    return _finish(_entropy_kernel(arr), names, criteria)


def _entropy_kernel(arr: FloatArray) -> FloatArray:
    n, m = arr.shape
    col = arr.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(col > 0, arr / np.where(col > 0, col, 1.0), 1.0 / n)
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    e = -plogp.sum(axis=0) / math.log(n)
    d = np.clip(1.0 - e, 0.0, None)
    d[d < 1e-12] = 0.0
    total = d.sum()
    if total <= 0:
        return np.full(m, 1.0 / m)
    return np.asarray(d / total, dtype=np.float64)


def critic_weights(
    matrix: npt.ArrayLike | pd.DataFrame,
    benefit: Sequence[bool] | bool | None = None,
    *,
    criteria: Sequence[Hashable] | None = None,
) -> FloatArray | pd.Series:
    """Objective weights by CRITIC (CRiteria Importance Through Intercriteria Correlation).

    Each criterion is min-max normalised to ``[0, 1]`` (cost criteria reversed); its
    information is ``C_j = sigma_j * sum_k (1 - r_jk)`` with ``sigma_j`` the sample
    standard deviation (``ddof=1``) of the normalised column and ``r`` the Pearson
    correlation matrix; ``w_j = C_j / sum_k C_k`` (Diakoulaki, Mavrotas and Papayannakis,
    1995, *Computers & Operations Research* 22(7), 763-770). A constant criterion has
    ``sigma = 0`` and weight 0 (its correlations are taken as 0). If every criterion is
    constant the weights are equal.

    Parameters
    ----------
    matrix : array-like or DataFrame
        ``n x m`` scores, ``n >= 2``.
    benefit : sequence of bool or bool, optional
        True where more is better (default: all). Reversing a criterion changes only the
        sign of its correlations, which matters through ``1 - r``.
    criteria : sequence of names, optional
        Names for the result (a Series).

    Returns
    -------
    numpy.ndarray or pandas.Series
        Weights summing to 1.

    Examples
    --------
    >>> critic_weights([[1, 2, 3], [2, 4, 1], [3, 1, 2]]).round(4)
    array([0.3135, 0.3367, 0.3498])
    >>> critic_weights([[1, 1, 5], [2, 2, 5], [3, 4, 5]], [True, True, True]).round(4)
    array([0.4955, 0.5045, 0.    ])
    """
    arr, names = _matrix(matrix)
    n, m = arr.shape
    ben = _benefit(benefit, m)
    if n < 2:
        raise ValidationError(
            "CRITIC weights need at least 2 alternatives (rows)", field="matrix", value=n
        )
    return _finish(_critic_kernel(arr, ben), names, criteria)


def _critic_kernel(arr: FloatArray, benefit: npt.NDArray[np.bool_]) -> FloatArray:
    m = arr.shape[1]
    lo, hi = arr.min(axis=0), arr.max(axis=0)
    span = hi - lo
    live = span > 0
    safe = np.where(live, span, 1.0)
    r = np.where(benefit, (arr - lo) / safe, (hi - arr) / safe)
    r[:, ~live] = 0.0
    sigma = r.std(axis=0, ddof=1)
    one_minus_corr = np.ones((m, m))  # a constant criterion is uncorrelated with the others
    idx = np.flatnonzero(live)
    if idx.size:
        z = (r[:, idx] - r[:, idx].mean(axis=0)) / sigma[idx]
        twice_dof = 2.0 * (z.shape[0] - 1)
        for a, j in enumerate(idx.tolist()):
            # 1 - r_jk = sum_i (z_ij - z_ik)^2 / (2 (n - 1)) for standardised columns: equal
            # to 1 - r in exact arithmetic, and free of the cancellation of 1 - corrcoef
            # when two criteria are almost collinear (r close to 1)
            one_minus_corr[j, idx] = np.square(z - z[:, [a]]).sum(axis=0) / twice_dof
    info = sigma * one_minus_corr.sum(axis=1)
    info[~live] = 0.0
    total = info.sum()
    if total <= 0:
        return np.full(m, 1.0 / m)
    return np.asarray(info / total, dtype=np.float64)


# ---------------------------------------------------------------------------------------
# weights from an ordering or from points


def _order(order: Any) -> list[Hashable]:
    names = _as_names(order, "order")
    if not names:
        raise ValidationError("order lists no criteria", field="order", value=order)
    return names


def rank_order_centroid(order: Sequence[Hashable]) -> pd.Series:
    """Rank-order centroid (ROC) weights from criteria ordered most important first.

    ``w_i = (1 / n) sum_{k=i}^{n} 1 / k`` for the criterion in position ``i``
    (Barron and Barrett, 1996, "Decision quality using ranked attribute weights",
    *Management Science* 42(11), 1515-1523).

    Parameters
    ----------
    order : sequence of names
        Criteria from most to least important.

    Returns
    -------
    pandas.Series
        Weights indexed by criterion name, in the given order.

    Examples
    --------
    >>> rank_order_centroid(["a", "b", "c", "d"]).round(4).tolist()
    [0.5208, 0.2708, 0.1458, 0.0625]
    """
    names = _order(order)
    n = len(names)
    inv = 1.0 / np.arange(1, n + 1)
    w = np.cumsum(inv[::-1])[::-1] / n
    return pd.Series(w, index=pd.Index(names, name="criterion"), name="weight")


def rank_sum(order: Sequence[Hashable]) -> pd.Series:
    """Rank-sum weights from criteria ordered most important first.

    ``w_i = 2 (n + 1 - i) / (n (n + 1))`` for the criterion in position ``i``
    (Stillwell, Seaver and Edwards, 1981, *Organizational Behavior and Human
    Performance* 28, 62-77).

    Parameters
    ----------
    order : sequence of names
        Criteria from most to least important.

    Returns
    -------
    pandas.Series
        Weights indexed by criterion name, in the given order.

    Examples
    --------
    >>> rank_sum(["a", "b", "c", "d"]).tolist()
    [0.4, 0.3, 0.2, 0.1]
    """
    names = _order(order)
    n = len(names)
    w = 2.0 * (n + 1 - np.arange(1, n + 1)) / (n * (n + 1))
    return pd.Series(w, index=pd.Index(names, name="criterion"), name="weight")


def swing_weights(points: Mapping[Hashable, float] | pd.Series) -> pd.Series:
    """Swing weights: points for each criterion's worst-to-best swing, scaled to sum 1.

    The analyst imagines every criterion at its worst level, picks the swing to its best
    level that matters most and gives it 100 points, then rates every other swing
    relative to it (von Winterfeldt and Edwards, 1986, *Decision Analysis and Behavioral
    Research*, ch. 8). ``w_j = points_j / sum_k points_k``.

    Parameters
    ----------
    points : mapping or Series
        Points per criterion name, each ``>= 0`` (the largest is usually 100).

    Returns
    -------
    pandas.Series
        Weights indexed by criterion name.

    Examples
    --------
    >>> swing_weights({"impact": 100, "effort": 60, "risk": 40}).to_dict()
    {'impact': 0.5, 'effort': 0.3, 'risk': 0.2}
    """
    if not isinstance(points, (Mapping, pd.Series)):
        raise InputTypeError(
            f"points must map criterion names to points, got {type(points).__name__}",
            field="points",
            value=points,
            hint='Write {"impact": 100, "effort": 60}',
        )
    source: dict[Hashable, Any] = dict(points.items())
    names = list(source)
    arr = _weight_values([source[k] for k in names], "points")
    return pd.Series(arr / arr.sum(), index=pd.Index(names, name="criterion"), name="weight")
