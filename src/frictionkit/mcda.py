"""Multi-criteria decision analysis (MCDA) kernels: score and rank alternatives.

Every method takes a decision ``matrix`` (``n`` alternatives x ``m`` criteria), ``weights``
(``m`` values >= 0; weights that do not sum to 1 are divided by their sum with a
:class:`~frictionkit.weights.WeightsNormalisedWarning`) and ``benefit`` (``m`` booleans:
``True`` when more is better, ``False`` for a cost criterion such as effort or price).
Inputs are validated up front; the arithmetic lives in pure numpy kernels (the
``_*_kernel`` functions: numpy in, numpy out, no validation).

Conventions (pinned; see ``docs/concepts/mcda.md`` for the formulas and sources)
-------------------------------------------------------------------------------
- :func:`weighted_sum`: min-max normalisation by default; a criterion that is constant
  across alternatives contributes 0 to every score. Scores lie in ``[0, 1]``; higher is
  better.
- :func:`weighted_product`: ``prod_j (x_ij / max_j)^w_j`` for benefit and
  ``prod_j (min_j / x_ij)^w_j`` for cost criteria; positive values only. Scores lie in
  ``(0, 1]``; ratios of scores equal Triantaphyllou's ``R(A_K / A_L)``.
- :func:`topsis`: vector normalisation, Euclidean distances, closeness
  ``D- / (D+ + D-)`` in ``[0, 1]``; when every alternative coincides with both ideals
  (nothing varies) closeness is 0.5 for all.
- :func:`vikor`: linear normalisation by the best-worst range; ``S``, ``R`` and ``Q``,
  lower is better; constant criteria contribute 0.
- :func:`promethee_ii`: net outranking flow in ``[-1, 1]``, usual or linear (V-shape with
  indifference) preference functions; higher is better.
- :func:`rank`: ranks ``1..n`` (1 = best); ties go to the alternative listed first.

Examples
--------
>>> from frictionkit import mcda
>>> m = [[250, 16, 12], [200, 16, 8], [300, 32, 16], [275, 32, 8]]
>>> benefit = [False, True, True]
>>> closeness = mcda.topsis(m, [0.5, 0.3, 0.2], benefit)
>>> closeness.round(4)
array([0.347 , 0.4507, 0.5493, 0.4935])
>>> mcda.rank(closeness)
array([4, 3, 1, 2])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit._protocol import Result
from frictionkit._validate import as_benefit as _as_benefit
from frictionkit._validate import as_weights as _check_weights
from frictionkit.exceptions import (
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
    _short,
    did_you_mean,
)

__all__ = [
    "NORMALISATIONS",
    "PREFERENCE_FUNCTIONS",
    "VikorResult",
    "promethee_ii",
    "rank",
    "topsis",
    "vikor",
    "weighted_product",
    "weighted_sum",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
MatrixLike: TypeAlias = "npt.ArrayLike | pd.DataFrame"
Normalisation: TypeAlias = Literal["minmax", "max", "vector", "none"]
Preference: TypeAlias = Literal["usual", "linear"]

#: Normalisations offered by :func:`weighted_sum`.
NORMALISATIONS: tuple[str, ...] = ("minmax", "max", "vector", "none")
#: Preference functions offered by :func:`promethee_ii`.
PREFERENCE_FUNCTIONS: tuple[str, ...] = ("usual", "linear")


# ---------------------------------------------------------------------------------------
# validation


def _as_matrix(matrix: Any) -> FloatArray:
    if isinstance(matrix, pd.DataFrame):
        matrix = matrix.to_numpy()
    if isinstance(matrix, (str, bytes)):
        raise InputTypeError(
            "matrix must be a 2-d array of numbers (alternatives x criteria)",
            field="matrix",
            value=matrix,
        )
    try:
        arr = np.array(matrix, dtype=np.float64)  # a copy: inputs are never mutated
    except (TypeError, ValueError) as exc:
        raise InputTypeError(
            "matrix must be a 2-d array of numbers (alternatives x criteria)",
            field="matrix",
            value=matrix,
            hint="Convert text columns to numbers first",
        ) from exc
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValidationError(
            f"matrix must be a non-empty 2-d array (alternatives x criteria), "
            f"got shape {arr.shape}",
            field="matrix",
            value=matrix,
        )
    bad = np.argwhere(~np.isfinite(arr))
    if bad.size:
        i, j = (int(x) for x in bad[0])
        raise ValidationError(
            f"matrix[{i}, {j}] must be finite, got {_short(arr[i, j])}"
            + (f" ({len(bad) - 1} more non-finite cell(s))" if len(bad) > 1 else ""),
            field=f"matrix[{i}, {j}]",
            value=arr[i, j],
            hint="Fill or drop missing scores before ranking",
        )
    return arr


def _inputs(matrix: Any, weights: Any, benefit: Any) -> tuple[FloatArray, FloatArray, BoolArray]:
    arr = _as_matrix(matrix)
    m = arr.shape[1]
    w = _check_weights(weights, m)
    return arr, w, _as_benefit(benefit, m)


def _choice(value: Any, allowed: Sequence[str], field: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise UnknownReferenceError(
            f"unknown {field} {_short(value)}; choose one of {list(allowed)}"
            + did_you_mean(value, allowed),
            field=field,
            value=value,
        )
    return value


def _require(arr: FloatArray, ok: BoolArray, what: str, method: str, hint: str) -> None:
    bad = np.argwhere(~ok)
    if bad.size:
        i, j = (int(x) for x in bad[0])
        raise ValidationError(
            f"{method} needs {what} values, got matrix[{i}, {j}] = {arr[i, j]:g}",
            field=f"matrix[{i}, {j}]",
            value=arr[i, j],
            hint=hint,
        )


# ---------------------------------------------------------------------------------------
# kernels (numpy in, numpy out, no validation)


def _minmax_kernel(x: FloatArray, benefit: BoolArray) -> FloatArray:
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = hi - lo
    live = span > 0
    safe = np.where(live, span, 1.0)
    r = np.where(benefit, x - lo, hi - x) / safe
    r[:, ~live] = 0.0
    return np.asarray(r, dtype=np.float64)


def _normalise_kernel(x: FloatArray, benefit: BoolArray, how: str) -> FloatArray:
    if how == "minmax":
        return _minmax_kernel(x, benefit)
    if how == "none":
        return x
    scale = x.max(axis=0) if how == "max" else np.sqrt((x * x).sum(axis=0))
    live = scale > 0
    r = x / np.where(live, scale, 1.0)
    r = np.where(benefit, r, 1.0 - r)
    r[:, ~live] = 0.0
    return np.asarray(r, dtype=np.float64)


def _weighted_sum_kernel(
    x: FloatArray, w: FloatArray, benefit: BoolArray, how: str = "minmax"
) -> FloatArray:
    return np.asarray(_normalise_kernel(x, benefit, how) @ w, dtype=np.float64)


def _weighted_product_kernel(x: FloatArray, w: FloatArray, benefit: BoolArray) -> FloatArray:
    logs = np.log(x)
    ref = np.where(benefit, logs.max(axis=0), logs.min(axis=0))
    signed = np.where(benefit, logs - ref, ref - logs)
    return np.asarray(np.exp(signed @ w), dtype=np.float64)


def _topsis_kernel(x: FloatArray, w: FloatArray, benefit: BoolArray) -> FloatArray:
    # Each column is scaled by its largest magnitude before squaring, so values near the
    # float limit (1e308) do not overflow; the result is the same vector normalisation.
    peak = np.abs(x).max(axis=0)
    xs = x / np.where(peak > 0, peak, 1.0)
    norm = np.sqrt(np.einsum("ij,ij->j", xs, xs))
    v = xs * (w / np.where(norm > 0, norm, 1.0))
    vmax, vmin = v.max(axis=0), v.min(axis=0)
    best = np.where(benefit, vmax, vmin)
    worst = np.where(benefit, vmin, vmax)
    d_best = np.sqrt(np.square(v - best).sum(axis=1))
    d_worst = np.sqrt(np.square(v - worst).sum(axis=1))
    total = d_best + d_worst
    out = np.full(x.shape[0], 0.5)
    np.divide(d_worst, total, out=out, where=total > 0)
    return out


_VIKOR_TIE = 1e-12  # spreads of S or R at most this large count as ties


def _vikor_kernel(
    x: FloatArray, w: FloatArray, benefit: BoolArray, v: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    hi, lo = x.max(axis=0), x.min(axis=0)
    best = np.where(benefit, hi, lo)
    span = hi - lo
    live = span > 0
    gap = np.abs(best - x) / np.where(live, span, 1.0)
    gap[:, ~live] = 0.0
    terms = gap * w
    s = terms.sum(axis=1)
    r = terms.max(axis=1)

    def _scaled(a: FloatArray) -> FloatArray:
        # S and R lie in [0, 1]: a spread below 1e-12 is floating-point noise (two rows
        # equal in exact arithmetic), and scaling it up would turn noise into Q = 0 vs 1
        rng = a.max() - a.min()
        if rng > _VIKOR_TIE:
            return np.asarray((a - a.min()) / rng, dtype=np.float64)
        return np.zeros_like(a)

    q = v * _scaled(s) + (1.0 - v) * _scaled(r)
    return s, r, q


def _net_linear(g: FloatArray, q: float, p: float) -> FloatArray:
    """``sum_b P(g_a - g_b) - P(g_b - g_a)`` for every a, P the V-shape with indifference.

    One sort of ``g``; the thresholds are looked up with sorted queries (``s - p`` keeps
    the order of ``s``), and the partial sums of the linear part come from prefix sums.
    """
    n = g.size
    order = np.argsort(g, kind="stable")
    s = g[order]
    cs = np.concatenate(([0.0], np.cumsum(s)))
    # out: b with s_b < s_a - p count 1; s_a - p <= s_b < s_a - q count (s_a - q - s_b)/(p - q)
    lo = np.searchsorted(s, s - p, side="left")
    # in: b with s_b > s_a + p count 1; s_a + q < s_b <= s_a + p count (s_b - s_a - q)/(p - q)
    top = np.searchsorted(s, s + p, side="right")
    net = lo - (n - top).astype(np.float64)
    if p > q:
        hi = np.searchsorted(s, s - q, side="left")
        k_out = (hi - lo).astype(np.float64)
        lin_out = ((s - q) * k_out - (cs[hi] - cs[lo])) / (p - q)
        bottom = np.searchsorted(s, s + q, side="right")
        k_in = (top - bottom).astype(np.float64)
        lin_in = ((cs[top] - cs[bottom]) - (s + q) * k_in) / (p - q)
        net = net + lin_out - lin_in
    out = np.empty(n, dtype=np.float64)
    out[order] = net
    return out


def _net_usual(g: FloatArray) -> FloatArray:
    """``sum_b [g_a > g_b] - [g_b > g_a]`` for every a, from one sort: O(n log n)."""
    n = g.size
    order = np.argsort(g)
    s = g[order]
    start = np.empty(n, dtype=bool)
    start[0] = True
    np.not_equal(s[1:], s[:-1], out=start[1:])
    first = np.flatnonzero(start)  # where each run of equal values starts in s
    after = np.append(first[1:], n)  # and where it ends
    # below = first (values smaller), above = n - after (values larger)
    net = np.empty(n, dtype=np.float64)
    net[order] = (first + after - n)[np.cumsum(start) - 1]
    return net


def _promethee_criterion_flows(
    x: FloatArray, benefit: BoolArray, q: FloatArray, p: FloatArray, live: BoolArray
) -> FloatArray:
    """``sum_b P_j(a, b) - P_j(b, a)`` per alternative (rows) and criterion (columns).

    The usual criterion is ``q = p = 0``; columns not ``live`` stay 0. Not divided by
    ``n - 1``. O(m n log n), no n x n matrix.
    """
    n, m = x.shape
    out = np.zeros((n, m))
    if n == 1:
        return out
    for j in np.flatnonzero(live):
        g = x[:, j] if benefit[j] else -x[:, j]
        if p[j] == 0:  # then q = 0 too: the usual criterion
            out[:, j] = _net_usual(g)
            continue
        # Scale the criterion (values and thresholds alike, which leaves every P(d)
        # unchanged) by a power of two, exact in floating point, so that |g| <= 1 and
        # p <= 1: the differences and prefix sums then cannot overflow, even for values
        # near 1e308, and a threshold far above tiny (subnormal) values stays finite.
        _, exp = np.frexp(max(float(np.max(np.abs(g))), float(p[j])))
        g = np.ldexp(g, -exp)
        qj, pj = float(np.ldexp(q[j], -exp)), float(np.ldexp(p[j], -exp))
        out[:, j] = _net_linear(g, qj, pj)
    return out


def _promethee_ii_kernel(
    x: FloatArray, w: FloatArray, benefit: BoolArray, q: FloatArray, p: FloatArray
) -> FloatArray:
    """Net flows ``sum_j w_j flow_j / (n - 1)``; usual criterion is ``q = p = 0``."""
    n = x.shape[0]
    if n == 1:
        return np.zeros(1)
    flows = _promethee_criterion_flows(x, benefit, q, p, w != 0)
    return np.asarray(flows @ w / (n - 1), dtype=np.float64)


# ---------------------------------------------------------------------------------------
# public functions


def weighted_sum(
    matrix: MatrixLike,
    weights: npt.ArrayLike,
    benefit: Sequence[bool] | bool,
    normalisation: Normalisation = "minmax",
) -> FloatArray:
    """Weighted sum model (simple additive weighting): ``score_i = sum_j w_j r_ij``.

    ``r`` is the normalised matrix (Fishburn, 1967; Triantaphyllou, 2000, ch. 2):

    - ``"minmax"`` (default): ``(x - min) / (max - min)`` for benefit and
      ``(max - x) / (max - min)`` for cost criteria; a criterion constant across
      alternatives gives ``r = 0`` for all (it cannot separate them). Scores in ``[0, 1]``.
    - ``"max"`` (linear max): ``x / max`` for benefit and ``1 - x / max`` for cost
      (Jahan and Edwards, 2015). Values must be ``>= 0``. Scores in ``[0, 1]``.
    - ``"vector"``: ``x / sqrt(sum x^2)`` for benefit and ``1 - x / sqrt(sum x^2)`` for
      cost. Values must be ``>= 0``. Scores in ``[0, 1]``.
    - ``"none"``: the raw values, for criteria already on one common scale (benefit
      criteria only), as in Triantaphyllou's textbook example.

    An all-zero column gives ``r = 0`` under ``"max"`` and ``"vector"``.

    Parameters
    ----------
    matrix : array-like or DataFrame
        ``n x m`` finite scores.
    weights : array-like
        ``m`` weights ``>= 0`` (normalised to sum 1 with a warning if needed).
    benefit : sequence of bool or bool
        True where more is better, False for cost criteria (one bool applies to all).
    normalisation : {"minmax", "max", "vector", "none"}, default "minmax"

    Returns
    -------
    numpy.ndarray
        One score per alternative; higher is better.

    Examples
    --------
    >>> weighted_sum([[3, 100], [5, 300], [4, 200]], [0.5, 0.5], [True, False])
    array([0.5, 0.5, 0.5])
    >>> weighted_sum([[3, 100], [5, 300], [4, 200]], [0.7, 0.3], [True, False])
    array([0.3, 0.7, 0.5])
    """
    how = _choice(normalisation, NORMALISATIONS, "normalisation")
    x, w, ben = _inputs(matrix, weights, benefit)
    if how in ("max", "vector"):
        _require(
            x, x >= 0, "non-negative", f"weighted_sum(normalisation={_short(how)})",
            "Use normalisation='minmax', which accepts any finite values",
        )  # fmt: skip
    if how == "none" and not ben.all():
        j = int(np.flatnonzero(~ben)[0])
        raise ValidationError(
            f"normalisation='none' adds raw values and cannot handle cost criterion {j}",
            field="benefit",
            value=benefit,
            hint="Use normalisation='minmax' (or 'max'/'vector') when there are cost criteria",
        )
    return _weighted_sum_kernel(x, w, ben, how)


def weighted_product(
    matrix: MatrixLike, weights: npt.ArrayLike, benefit: Sequence[bool] | bool
) -> FloatArray:
    """Weighted product model: ``score_i = prod_j (x_ij / ref_j)^(+/- w_j)``.

    For a benefit criterion the factor is ``(x_ij / max_j)^w_j``, for a cost criterion
    ``(min_j / x_ij)^w_j``, so every score lies in ``(0, 1]`` and does not depend on the
    units of any criterion. The ratio of two scores is Bridgman's and Miller and Starr's
    ``R(A_K / A_L) = prod_j (x_Kj / x_Lj)^w_j`` (Triantaphyllou, 2000, section 2.2.2).

    Parameters
    ----------
    matrix : array-like or DataFrame
        ``n x m`` scores, all ``> 0``.
    weights : array-like
        ``m`` weights ``>= 0``.
    benefit : sequence of bool or bool
        True where more is better, False for cost criteria.

    Returns
    -------
    numpy.ndarray
        One score per alternative in ``(0, 1]``; higher is better.

    Raises
    ------
    ValidationError
        A value is zero or negative (logarithms are undefined).

    Examples
    --------
    >>> weighted_product([[2, 10], [4, 20]], [0.5, 0.5], [True, False]).round(4)
    array([0.7071, 0.7071])
    >>> weighted_product([[2, 10], [4, 20]], [0.8, 0.2], [True, False]).round(4)
    array([0.5743, 0.8706])
    """
    x, w, ben = _inputs(matrix, weights, benefit)
    _require(
        x, x > 0, "positive", "weighted_product",
        "Shift the criterion so that every value is > 0, or use weighted_sum",
    )  # fmt: skip
    return _weighted_product_kernel(x, w, ben)


def topsis(
    matrix: MatrixLike, weights: npt.ArrayLike, benefit: Sequence[bool] | bool
) -> FloatArray:
    """TOPSIS closeness to the ideal solution (Hwang and Yoon, 1981).

    ``r_ij = x_ij / sqrt(sum_i x_ij^2)`` (vector normalisation), ``v_ij = w_j r_ij``; the
    ideal takes the best ``v`` of each criterion (max for benefit, min for cost), the
    anti-ideal the worst. ``D+`` and ``D-`` are Euclidean distances to them and the
    closeness is ``C_i = D-_i / (D+_i + D-_i)`` in ``[0, 1]``. If ``D+ + D- = 0`` (every
    alternative equals both ideals: nothing varies on a weighted criterion) ``C = 0.5``.

    Closeness is invariant to scaling a criterion by a positive constant. It is *not*
    monotone in general: improving one alternative moves the ideals and can lower its
    own closeness relative to others only through those moves.

    Parameters
    ----------
    matrix : array-like or DataFrame
        ``n x m`` finite scores.
    weights : array-like
        ``m`` weights ``>= 0``.
    benefit : sequence of bool or bool
        True where more is better, False for cost criteria.

    Returns
    -------
    numpy.ndarray
        Closeness per alternative in ``[0, 1]``; higher is better.

    Examples
    --------
    >>> topsis([[7, 9, 9], [8, 7, 8], [9, 6, 8]], [0.4, 0.3, 0.3], True).round(4)
    array([0.5592, 0.3872, 0.4408])
    >>> topsis([[1, 2], [1, 2]], [0.5, 0.5], True)
    array([0.5, 0.5])
    """
    x, w, ben = _inputs(matrix, weights, benefit)
    return _topsis_kernel(x, w, ben)


@attrs.frozen(kw_only=True, repr=False)
class VikorResult(Result):
    """The three VIKOR measures per alternative (lower is better for all three).

    Attributes
    ----------
    S : numpy.ndarray
        Group utility: ``sum_j w_j (f*_j - f_ij) / (f*_j - f-_j)``, in ``[0, 1]``.
    R : numpy.ndarray
        Individual regret: ``max_j w_j (f*_j - f_ij) / (f*_j - f-_j)``.
    Q : numpy.ndarray
        Compromise index ``v (S - S*) / (S- - S*) + (1 - v) (R - R*) / (R- - R*)``, in
        ``[0, 1]``; a term whose range is 0 (at most ``1e-12``, rounding noise)
        contributes 0.
    v : float
        Weight of the strategy of maximum group utility.
    """

    S: FloatArray = attrs.field(eq=False)
    R: FloatArray = attrs.field(eq=False)
    Q: FloatArray = attrs.field(eq=False)
    v: float

    def to_frame(self) -> pd.DataFrame:
        """The measures as a DataFrame with columns ``S``, ``R``, ``Q``."""
        return pd.DataFrame({"S": self.S, "R": self.R, "Q": self.Q})

    def compromise(self) -> FloatArray:
        """Positions of the compromise solution(s) (Opricovic and Tzeng, 2004, step 5).

        With ``A1`` best and ``A2`` second by ``Q`` (ties by input order) and
        ``DQ = 1 / (n - 1)``: C1 *acceptable advantage* is ``Q(A2) - Q(A1) >= DQ``;
        C2 *acceptable stability* is that ``A1`` is also best by ``S`` or by ``R``.
        Both hold: ``[A1]``. Only C2 fails: ``[A1, A2]``. C1 fails: ``A1 ... AM`` with
        ``M`` the largest position such that ``Q(AM) - Q(A1) < DQ``.

        Returns
        -------
        numpy.ndarray
            Integer positions (0-based rows of the matrix), best first.

        Examples
        --------
        >>> res = vikor([[1, 3000], [2, 3750], [5, 4500]], [0.5, 0.5], [True, False])
        >>> res.compromise()  # all Q equal: no acceptable advantage, all three remain
        array([0, 1, 2])
        >>> vikor([[9, 1], [5, 5], [3, 7], [1, 9]], [0.8, 0.2], True).compromise()
        array([0])
        """
        n = self.Q.size
        order = np.argsort(self.Q, kind="stable")
        if n == 1:
            return order.astype(np.int64)
        dq = 1.0 / (n - 1)
        a1, a2 = int(order[0]), int(order[1])
        c1 = self.Q[a2] - self.Q[a1] >= dq - 1e-12
        c2 = a1 in (int(np.argmin(self.S)), int(np.argmin(self.R)))
        if c1 and c2:
            return np.array([a1], dtype=np.int64)
        if c1:
            return np.array([a1, a2], dtype=np.int64)
        close = self.Q[order] - self.Q[a1] < dq - 1e-12
        return np.asarray(order[close], dtype=np.int64)

    def _repr_body(self) -> str:
        return f"n={self.Q.size}, v={self.v}"


def vikor(
    matrix: MatrixLike,
    weights: npt.ArrayLike,
    benefit: Sequence[bool] | bool,
    v: float = 0.5,
) -> VikorResult:
    """VIKOR compromise ranking (Opricovic, 1998; Opricovic and Tzeng, 2004).

    ``f*_j`` and ``f-_j`` are the best and worst values of criterion ``j`` (max/min for
    benefit, min/max for cost). ``S``, ``R`` and ``Q`` are defined on
    :class:`VikorResult`; rank by ``Q`` ascending (``rank(result.Q,
    higher_is_better=False)``) and check :meth:`VikorResult.compromise`. A criterion
    constant across alternatives contributes 0.

    Parameters
    ----------
    matrix : array-like or DataFrame
        ``n x m`` finite scores.
    weights : array-like
        ``m`` weights ``>= 0``.
    benefit : sequence of bool or bool
        True where more is better, False for cost criteria.
    v : float, default 0.5
        Weight of the strategy of maximum group utility, in ``[0, 1]`` (0.5: consensus).

    Returns
    -------
    VikorResult

    Examples
    --------
    >>> res = vikor([[1, 3000], [2, 3750], [5, 4500]], [0.5, 0.5], [True, False])
    >>> res.S, res.R, res.Q
    (array([0.5  , 0.625, 0.5  ]), array([0.5  , 0.375, 0.5  ]), array([0.5, 0.5, 0.5]))
    """
    x, w, ben = _inputs(matrix, weights, benefit)
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.number)):
        raise InputTypeError(f"v must be a number, got {_short(v)}", field="v", value=v)
    if not 0.0 <= float(v) <= 1.0:
        raise ValidationError(
            f"v must be between 0 and 1, got {_short(v)}",
            field="v",
            value=v,
            hint="0.5 balances group utility and individual regret",
        )
    s, r, q = _vikor_kernel(x, w, ben, float(v))
    return VikorResult(S=s, R=r, Q=q, v=float(v))


def _threshold(value: Any, m: int, field: str) -> FloatArray:
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputTypeError(
            f"{field} must be a number or {m} numbers", field=field, value=value
        ) from exc
    if arr.ndim == 0:
        arr = np.full(m, float(arr))
    if arr.shape != (m,):
        raise ValidationError(
            f"{field} must be one number or {m} numbers (one per criterion), got shape {arr.shape}",
            field=field,
            value=value,
        )
    bad = np.flatnonzero(~(np.isfinite(arr) & (arr >= 0)))
    if bad.size:
        raise ValidationError(
            f"{field}[{int(bad[0])}] must be a finite number >= 0, got {_short(arr[bad[0]])}",
            field=field,
            value=value,
        )
    return arr


def promethee_ii(
    matrix: MatrixLike,
    weights: npt.ArrayLike,
    benefit: Sequence[bool] | bool,
    preference: Preference = "usual",
    p: float | Sequence[float] | None = None,
    q: float | Sequence[float] | None = None,
) -> FloatArray:
    """PROMETHEE II net outranking flows (Brans and Vincke, 1985).

    For each pair ``(a, b)`` and criterion ``j``, ``d = g_j(a) - g_j(b)`` (negated for
    cost criteria) and ``P_j(a, b) = F(d)``:

    - ``"usual"`` (type I): ``F(d) = 1`` if ``d > 0`` else 0.
    - ``"linear"`` (type V, V-shape with indifference): 0 if ``d <= q``,
      ``(d - q) / (p - q)`` if ``q < d <= p``, 1 if ``d > p``. ``q = 0`` gives type III
      (V-shape); ``q = p`` gives type II (U-shape).

    ``pi(a, b) = sum_j w_j P_j(a, b)``; ``phi+(a) = sum_b pi(a, b) / (n - 1)``,
    ``phi-(a) = sum_b pi(b, a) / (n - 1)`` and the net flow ``phi = phi+ - phi-`` lies in
    ``[-1, 1]`` and sums to 0. The flows are computed per criterion from sorted values
    and prefix sums, in ``O(m n log n)`` time and ``O(n)`` memory.

    Parameters
    ----------
    matrix : array-like or DataFrame
        ``n x m`` finite scores.
    weights : array-like
        ``m`` weights ``>= 0``.
    benefit : sequence of bool or bool
        True where more is better, False for cost criteria.
    preference : {"usual", "linear"}, default "usual"
    p : float or sequence of float, optional
        Preference threshold(s), in the criterion's units; required for ``"linear"``.
    q : float or sequence of float, optional
        Indifference threshold(s), ``0 <= q <= p``; default 0.

    Returns
    -------
    numpy.ndarray
        Net flow per alternative in ``[-1, 1]``; higher is better.

    Examples
    --------
    >>> promethee_ii([[1, 9], [2, 8], [3, 7]], [0.5, 0.5], [True, False])
    array([-1.,  0.,  1.])
    >>> promethee_ii([[1], [2], [4]], [1.0], True, preference="linear", p=2)
    array([-0.75, -0.25,  1.  ])
    """
    kind = _choice(preference, PREFERENCE_FUNCTIONS, "preference")
    x, w, ben = _inputs(matrix, weights, benefit)
    m = x.shape[1]
    if kind == "usual":
        if p is not None or q is not None:
            raise ValidationError(
                "the usual preference function takes no thresholds p or q",
                field="p" if p is not None else "q",
                value=p if p is not None else q,
                hint="Use preference='linear' to set thresholds",
            )
        zeros = np.zeros(m)
        return _promethee_ii_kernel(x, w, ben, zeros, zeros)
    if p is None:
        raise ValidationError(
            "preference='linear' needs a preference threshold p (per criterion or one for all)",
            field="p",
            value=None,
            hint="p is the difference above which one option is strictly preferred",
        )
    pa = _threshold(p, m, "p")
    qa = np.zeros(m) if q is None else _threshold(q, m, "q")
    bad = np.flatnonzero(qa > pa)
    if bad.size:
        j = int(bad[0])
        raise ValidationError(
            f"q must not exceed p, got q[{j}] = {qa[j]:g} > p[{j}] = {pa[j]:g}",
            field="q",
            value=q,
        )
    return _promethee_ii_kernel(x, w, ben, qa, pa)


def rank(scores: npt.ArrayLike, higher_is_better: bool = True) -> npt.NDArray[np.int64]:
    """Ranks ``1..n`` from scores (1 = best), ties broken by input order.

    Tied alternatives get consecutive ranks, the one listed first getting the better
    rank (a stable sort; "ordinal" ranking), so the result is always a permutation of
    ``1..n`` and identical on every run.

    Parameters
    ----------
    scores : array-like
        One finite score per alternative.
    higher_is_better : bool, default True
        False for measures where lower is better (VIKOR ``Q``, cost).

    Returns
    -------
    numpy.ndarray
        Integer ranks, aligned with ``scores``.

    Examples
    --------
    >>> rank([0.2, 0.9, 0.5, 0.9])
    array([4, 1, 3, 2])
    >>> rank([3.0, 1.0, 2.0], higher_is_better=False)
    array([3, 1, 2])
    """
    try:
        arr = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputTypeError("scores must be numbers", field="scores", value=scores) from exc
    if arr.ndim != 1:
        raise ValidationError(
            f"scores must be 1-d, got shape {arr.shape}", field="scores", value=scores
        )
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise ValidationError(
            f"scores must be finite, got {_short(arr[bad[0]])} at position {int(bad[0])}",
            field="scores",
            value=scores,
        )
    if not isinstance(higher_is_better, (bool, np.bool_)):
        raise InputTypeError(
            f"higher_is_better must be True or False, got {_short(higher_is_better)}",
            field="higher_is_better",
            value=higher_is_better,
        )
    order = np.argsort(-arr if higher_is_better else arr, kind="stable")
    out = np.empty(arr.size, dtype=np.int64)
    out[order] = np.arange(1, arr.size + 1)
    return out
