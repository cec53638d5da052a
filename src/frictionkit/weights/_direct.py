"""Criterion weights: direct, AHP, entropy, CRITIC, rank-order centroid, rank sum, swing.

Every function returns weights that are non-negative and sum to 1. When criterion names
are known (a mapping was given, or ``criteria=`` was passed) the result is a
:class:`pandas.Series` indexed by criterion name; otherwise it is a 1-d
:class:`numpy.ndarray` in the order of the input.

Conventions (pinned)
--------------------
- **Direct** (:func:`normalise_weights`): weights are divided by their sum. Negative, NaN
  or all-zero weights are refused; a sum that differs from 1 by more than ``1e-9`` is
  normalised with a :class:`WeightsNormalisedWarning`.
- **AHP** (:func:`ahp`): the weights are the principal (Perron) eigenvector of the
  pairwise comparison matrix, normalised to sum 1 (Saaty, 1977, 1980).
  ``CI = (lambda_max - n) / (n - 1)`` and ``CR = CI / RI(n)`` with a *named* random-index
  table (:data:`RANDOM_INDEX`). For ``n <= 2`` a reciprocal matrix is always consistent:
  CI = CR = 0 by definition. ``CR > 0.10`` issues an :class:`AHPInconsistencyWarning`.
- **Entropy** (:func:`entropy_weights`): Shannon entropy of each criterion's share
  distribution ``p_ij = x_ij / sum_i x_ij``, ``e_j = -sum_i p_ij ln p_ij / ln n``,
  ``w_j = (1 - e_j) / sum_k (1 - e_k)`` (Shannon, 1948; Zeleny, 1982; Hwang and Yoon, 1981).
- **CRITIC** (:func:`critic_weights`): min-max normalised criteria, ``C_j = sigma_j *
  sum_k (1 - r_jk)``, ``w_j = C_j / sum_k C_k`` (Diakoulaki, Mavrotas and Papayannakis,
  1995), with the sample standard deviation (``ddof=1``).
- **Rank-order centroid** (:func:`rank_order_centroid`): ``w_i = (1/n) sum_{k=i}^{n} 1/k``
  (Barron and Barrett, 1996); **rank sum** (:func:`rank_sum`):
  ``w_i = 2 (n + 1 - i) / (n (n + 1))`` (Stillwell, Seaver and Edwards, 1981).
- **Swing** (:func:`swing_weights`): points given to each criterion's swing from worst to
  best (100 for the most important swing), divided by their sum (von Winterfeldt and
  Edwards, 1986).

Examples
--------
>>> from frictionkit.weights import ahp, rank_order_centroid
>>> rank_order_centroid(["impact", "effort", "risk"]).round(4).to_dict()
{'impact': 0.6111, 'effort': 0.2778, 'risk': 0.1111}
>>> res = ahp({("impact", "effort"): 3, ("impact", "risk"): 5, ("effort", "risk"): 2})
>>> res.weights.round(3).to_dict()
{'impact': 0.648, 'effort': 0.23, 'risk': 0.122}
>>> round(res.cr, 4)
0.0032
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit.exceptions import (
    FrictionkitWarning,
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)

__all__ = [
    "RANDOM_INDEX",
    "AHPInconsistencyWarning",
    "AHPResult",
    "WeightsNormalisedWarning",
    "ahp",
    "critic_weights",
    "entropy_weights",
    "normalise_weights",
    "rank_order_centroid",
    "rank_sum",
    "swing_weights",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]
WeightsLike: TypeAlias = "Mapping[Hashable, float] | pd.Series | Sequence[float] | npt.ArrayLike"

#: Tolerance on ``sum(weights) - 1`` before weights are renormalised with a warning.
SUM_TOLERANCE = 1e-9

#: Named random-index tables ``RI(n)`` for the AHP consistency ratio, index ``n - 1``.
#:
#: - ``"saaty"``: Saaty, *The Analytic Hierarchy Process* (McGraw-Hill, 1980), the average
#:   consistency index of random reciprocal matrices, n = 1..15 (values for n = 11..15
#:   from the same book's extended table).
#: - ``"alonso_lamata"``: Alonso and Lamata, "Consistency in the analytic hierarchy process:
#:   a new approach", *Int. J. Uncertainty, Fuzziness and Knowledge-Based Systems* 14(4),
#:   445-459 (2006), Table 2, from 100,000 random matrices per size, n = 1..15.
# fmt: off
RANDOM_INDEX: Mapping[str, tuple[float, ...]] = {
    "saaty": (
        0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49,
        1.51, 1.48, 1.56, 1.57, 1.59,
    ),
    "alonso_lamata": (
        0.0, 0.0, 0.5245, 0.8815, 1.1086, 1.2479, 1.3417, 1.4056, 1.4499, 1.4854,
        1.5141, 1.5365, 1.5551, 1.5713, 1.5838,
    ),
}
# fmt: on

#: Saaty's threshold on the consistency ratio above which judgements should be revised.
CR_THRESHOLD = 0.10

# Relative tolerance on a_ij * a_ji == 1: published matrices often round 1/3 to 0.33.
_RECIPROCAL_RTOL = 0.02


class WeightsNormalisedWarning(FrictionkitWarning):
    """Weights did not sum to 1 and were divided by their sum.

    Issued by :func:`normalise_weights` and by the :mod:`frictionkit.mcda` functions when
    ``abs(sum(weights) - 1) > 1e-9``. Pass weights that sum to 1 to silence it.
    """


class AHPInconsistencyWarning(FrictionkitWarning):
    """An AHP pairwise matrix has a consistency ratio above the threshold (0.10).

    Saaty (1980) recommends revising the judgements when ``CR > 0.10``: the weights are
    still returned, but they rest on contradictory comparisons.
    """


# ---------------------------------------------------------------------------------------
# direct weights


def _weight_values(values: Any, field: str) -> FloatArray:
    """1-d finite, non-negative float array with a positive sum (no normalisation)."""
    if isinstance(values, (str, bytes)):
        raise InputTypeError(
            f"{field} must be a list of numbers, got {values!r}", field=field, value=values
        )
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputTypeError(
            f"{field} must be numbers, got {values!r}", field=field, value=values
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
            f"{field} must be finite, got {arr[bad[0]]!r} at position {int(bad[0])}",
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
            f"{field} must be a list of criterion names, got {criteria!r}",
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


# ---------------------------------------------------------------------------------------
# AHP


@attrs.frozen(kw_only=True)
class AHPResult:
    """The outcome of :func:`ahp`.

    Attributes
    ----------
    weights : numpy.ndarray or pandas.Series
        The principal eigenvector, summing to 1 (a Series when criteria are named).
    lambda_max : float
        The principal eigenvalue (``>= n``; ``= n`` for a consistent matrix).
    ci : float
        Consistency index ``(lambda_max - n) / (n - 1)`` (0 for ``n <= 2``).
    cr : float
        Consistency ratio ``ci / random_index`` (0 for ``n <= 2``).
    random_index : float
        ``RI(n)`` from the table named by ``table``.
    table : str
        The random-index table used (a key of :data:`RANDOM_INDEX`).
    matrix : numpy.ndarray
        The complete reciprocal pairwise matrix that was analysed.
    """

    weights: FloatArray | pd.Series = attrs.field(eq=False)
    lambda_max: float
    ci: float
    cr: float
    random_index: float
    table: str
    matrix: FloatArray = attrs.field(eq=False, repr=False)

    @property
    def consistent(self) -> bool:
        """Whether ``cr <= 0.10`` (Saaty's rule of thumb)."""
        return self.cr <= CR_THRESHOLD

    def __repr__(self) -> str:
        w = np.asarray(self.weights, dtype=np.float64)
        return (
            f"AHPResult(n={w.size}, lambda_max={self.lambda_max:.4f}, ci={self.ci:.4f}, "
            f"cr={self.cr:.4f}, table={self.table!r})"
        )


def _pairwise_from_mapping(
    comparisons: Mapping[Any, Any], criteria: Sequence[Hashable] | None
) -> tuple[FloatArray, list[Hashable]]:
    for key in comparisons:
        if not (isinstance(key, tuple) and len(key) == 2):
            raise InputTypeError(
                f"pairwise keys must be (criterion, criterion) pairs, got {key!r}",
                field="pairwise",
                value=key,
                hint='Write comparisons as {("impact", "effort"): 3, ...}',
            )
    if criteria is None:
        names: list[Hashable] = []
        for a, b in comparisons:
            for name in (a, b):
                if name not in names:
                    names.append(name)
    else:
        names = _as_names(criteria)
        known = set(names)
        for a, b in comparisons:
            for name in (a, b):
                if name not in known:
                    raise UnknownReferenceError(
                        f"pairwise compares {name!r}, which is not in criteria"
                        + did_you_mean(name, names),
                        field="pairwise",
                        value=name,
                    )
    pos = {name: i for i, name in enumerate(names)}
    n = len(names)
    mat = np.full((n, n), np.nan)
    np.fill_diagonal(mat, 1.0)
    for (a, b), raw in comparisons.items():
        field = f"pairwise[{a!r}, {b!r}]"
        value = _positive(raw, field)
        i, j = pos[a], pos[b]
        if i == j:
            if not math.isclose(value, 1.0, rel_tol=1e-9):
                raise ValidationError(
                    f"{field} compares a criterion with itself and must be 1, got {value:g}",
                    field=field,
                    value=raw,
                )
            continue
        for r, c, v in ((i, j, value), (j, i, 1.0 / value)):
            old = mat[r, c]
            if np.isfinite(old) and not math.isclose(old, v, rel_tol=_RECIPROCAL_RTOL):
                raise ValidationError(
                    f"{field} = {value:g} contradicts the comparison given for the reverse "
                    f"pair (expected {1.0 / old if r == i else old:g})",
                    field=field,
                    value=raw,
                    hint="Give each pair once; the reverse is filled in as the reciprocal",
                )
            mat[r, c] = v
    missing = [
        (names[i], names[j]) for i in range(n) for j in range(i + 1, n) if np.isnan(mat[i, j])
    ]
    if missing:
        listed = ", ".join(f"({a!r}, {b!r})" for a, b in missing)
        raise ValidationError(
            f"pairwise is missing {len(missing)} comparison(s): {listed}",
            field="pairwise",
            value=missing,
            hint="AHP needs every pair of criteria compared once",
        )
    return mat, names


def _positive(raw: Any, field: str) -> float:
    if isinstance(raw, (bool, np.bool_)) or not isinstance(raw, (int, float, np.number)):
        raise InputTypeError(
            f"{field} must be a number, got {raw!r} ({type(raw).__name__})",
            field=field,
            value=raw,
        )
    value = float(raw)
    if not (math.isfinite(value) and value > 0):
        raise ValidationError(
            f"{field} must be a positive finite number, got {value!r}",
            field=field,
            value=raw,
            hint="Use Saaty's 1-9 scale: 1 equal, 3 moderate, 5 strong, 7 very strong, 9 extreme",
        )
    return value


def _pairwise_from_matrix(pairwise: Any) -> FloatArray:
    if isinstance(pairwise, pd.DataFrame):
        pairwise = pairwise.to_numpy()
    try:
        mat = np.asarray(pairwise, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputTypeError(
            "pairwise must be a square matrix of numbers or a dict of comparisons",
            field="pairwise",
            value=pairwise,
        ) from exc
    if mat.ndim != 2 or mat.shape[0] != mat.shape[1] or mat.shape[0] == 0:
        raise ValidationError(
            f"pairwise must be a non-empty square matrix, got shape {mat.shape}",
            field="pairwise",
            value=pairwise,
        )
    n = mat.shape[0]
    for i in range(n):
        for j in range(n):
            v = mat[i, j]
            if not (np.isfinite(v) and v > 0):
                raise ValidationError(
                    f"pairwise[{i}, {j}] must be a positive finite number, got {v!r}",
                    field=f"pairwise[{i}, {j}]",
                    value=v,
                    hint="Every cell of a pairwise matrix is a ratio > 0",
                )
    for i in range(n):
        if not math.isclose(mat[i, i], 1.0, rel_tol=1e-9):
            raise ValidationError(
                f"pairwise[{i}, {i}] must be 1 (a criterion compared with itself), "
                f"got {mat[i, i]:g}",
                field=f"pairwise[{i}, {i}]",
                value=mat[i, i],
            )
        for j in range(i + 1, n):
            if not math.isclose(mat[i, j] * mat[j, i], 1.0, rel_tol=_RECIPROCAL_RTOL):
                raise ValidationError(
                    f"pairwise is not reciprocal: cell ({i}, {j}) = {mat[i, j]:g} but "
                    f"cell ({j}, {i}) = {mat[j, i]:g}, expected {1.0 / mat[i, j]:g}",
                    field=f"pairwise[{j}, {i}]",
                    value=mat[j, i],
                    hint="Set a_ji = 1 / a_ij",
                )
    # The upper triangle is authoritative; the lower is rebuilt as its exact reciprocal.
    upper = np.triu(mat, 1)
    out = upper + np.triu(1.0 / mat, 1).T
    np.fill_diagonal(out, 1.0)
    return out


def _principal_eigen(mat: FloatArray) -> tuple[float, FloatArray]:
    """Perron eigenvalue and eigenvector (normalised to sum 1) of a positive matrix."""
    values, vectors = np.linalg.eig(mat)
    k = int(np.argmax(values.real))
    vec = np.abs(vectors[:, k].real)
    return float(values[k].real), vec / vec.sum()


def ahp(
    pairwise: Mapping[tuple[Hashable, Hashable], float] | npt.ArrayLike | pd.DataFrame,
    *,
    criteria: Sequence[Hashable] | None = None,
    random_index: str = "saaty",
) -> AHPResult:
    """Weights from pairwise comparisons by the Analytic Hierarchy Process.

    The weights are the principal eigenvector of the reciprocal comparison matrix
    (Saaty, 1977, "A scaling method for priorities in hierarchical structures",
    *J. Math. Psychology* 15, 234-281), normalised to sum 1.
    ``CI = (lambda_max - n) / (n - 1)``, ``CR = CI / RI(n)`` with the random index from the
    named table (:data:`RANDOM_INDEX`). For ``n <= 2`` CI and CR are 0 by definition.

    Parameters
    ----------
    pairwise : dict, array-like or DataFrame
        Either an ``n x n`` positive reciprocal matrix (``a_ij`` = how many times more
        important criterion ``i`` is than ``j``; ``a_ji = 1 / a_ij`` to within 2 %, the
        upper triangle is used as given), or a dict ``{("a", "b"): 3, ...}`` giving each
        pair once (reciprocals filled in). A DataFrame's index names the criteria.
    criteria : sequence of names, optional
        Criterion names (the order of the result). For a dict, defaults to the order of
        first appearance.
    random_index : {"saaty", "alonso_lamata"}, default "saaty"
        The random-index table for CR.

    Returns
    -------
    AHPResult
        ``weights`` (a Series when criteria are named), ``lambda_max``, ``ci``, ``cr``,
        ``random_index``, ``table``.

    Raises
    ------
    ValidationError
        Not square, a cell not positive, not reciprocal (names the cell and values),
        missing pairs (lists them), or ``n`` beyond the table (15).
    UnknownReferenceError
        Unknown ``random_index`` table or criterion name.

    Warns
    -----
    AHPInconsistencyWarning
        When ``CR > 0.10``.

    Examples
    --------
    >>> import numpy as np
    >>> res = ahp(np.array([[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]]))
    >>> res.weights.round(4)
    array([0.5714, 0.2857, 0.1429])
    >>> round(res.lambda_max, 9), round(res.cr, 9)
    (3.0, 0.0)
    >>> ahp({("a", "b"): 3}, random_index="alonso_lamata").weights.to_dict()
    {'a': 0.75, 'b': 0.25}
    """
    if random_index not in RANDOM_INDEX:
        raise UnknownReferenceError(
            f"unknown random_index table {random_index!r}; choose one of "
            f"{sorted(RANDOM_INDEX)}" + did_you_mean(random_index, RANDOM_INDEX),
            field="random_index",
            value=random_index,
        )
    names: list[Hashable] | None
    if isinstance(pairwise, Mapping):
        if not pairwise:
            raise ValidationError("pairwise has no comparisons", field="pairwise", value=pairwise)
        mat, names = _pairwise_from_mapping(pairwise, criteria)
    else:
        if isinstance(pairwise, pd.DataFrame) and criteria is None:
            criteria = list(pairwise.index)
        mat = _pairwise_from_matrix(pairwise)
        names = None if criteria is None else _as_names(criteria)
        if names is not None and len(names) != mat.shape[0]:
            raise ValidationError(
                f"criteria has {len(names)} names but pairwise is {mat.shape[0]} x {mat.shape[0]}",
                field="criteria",
                value=criteria,
            )
    n = mat.shape[0]
    table = RANDOM_INDEX[random_index]
    if n > len(table):
        raise ValidationError(
            f"the {random_index!r} random-index table stops at n = {len(table)}, got {n} criteria",
            field="pairwise",
            value=n,
            hint="Group the criteria into a hierarchy of at most 15 (7 +/- 2 is advised)",
        )
    lam, vec = _principal_eigen(mat)
    ri = table[n - 1]
    if n <= 2:
        ci = cr = 0.0
        lam = float(n)
    else:
        ci = max((lam - n) / (n - 1), 0.0)
        cr = ci / ri
    if cr > CR_THRESHOLD:
        warnings.warn(
            f"AHP consistency ratio is {cr:.3f} > {CR_THRESHOLD:.2f}: the pairwise "
            "judgements contradict each other; consider revising them",
            AHPInconsistencyWarning,
            stacklevel=2,
        )
    return AHPResult(
        weights=_series(vec, names),
        lambda_max=lam,
        ci=ci,
        cr=cr,
        random_index=ri,
        table=random_index,
        matrix=mat,
    )


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
            f"matrix[{i}, {j}] must be finite, got {arr[i, j]!r}",
            field=f"matrix[{i}, {j}]",
            value=arr[i, j],
            hint="Fill missing scores before computing weights",
        )
    return arr, names


def _benefit(benefit: Any, m: int) -> npt.NDArray[np.bool_]:
    if benefit is None:
        return np.ones(m, dtype=bool)
    if isinstance(benefit, (bool, np.bool_)):
        return np.full(m, bool(benefit))
    if isinstance(benefit, (str, bytes)) or not isinstance(benefit, Iterable):
        raise InputTypeError(
            f"benefit must be a list of {m} booleans, got {benefit!r}",
            field="benefit",
            value=benefit,
        )
    items = list(benefit)
    for k, item in enumerate(items):
        if not isinstance(item, (bool, np.bool_)):
            raise InputTypeError(
                f"benefit[{k}] must be True (more is better) or False (cost), got {item!r}",
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
    corr = np.zeros((m, m))
    idx = np.flatnonzero(live)
    if idx.size >= 2:
        corr[np.ix_(idx, idx)] = np.corrcoef(r[:, idx], rowvar=False)
    elif idx.size == 1:
        corr[idx[0], idx[0]] = 1.0
    info = sigma * (1.0 - corr).sum(axis=1)
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
