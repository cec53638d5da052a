"""The per-draw scoring kernels and breakdowns of every method (private).

Pure kernels (numpy in, numpy out, no validation). Each method of the registry
(:mod:`frictionkit.scoring._methods`) names its kernel and its breakdown here.
:func:`frictionkit.scoring.prioritise` scores one draw with them (and explains the score
with the breakdown); :func:`frictionkit.uncertainty.rank_risk` and
:func:`frictionkit.uncertainty.smaa` score many draws at once. A kernel takes a
:class:`Draws` (one row per draw, one column per improvement) and returns the scores
``(draws, n)``, higher is better; a breakdown returns the contribution of each term or
criterion, ``{name: (draws, n)}``, as the ``contrib_*`` columns of a Ranking show them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from frictionkit.mcda import _VIKOR_TIE

FloatArray: TypeAlias = npt.NDArray[np.float64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]


def _none() -> FloatArray:
    return np.zeros((0, 0))


@attrs.frozen(kw_only=True)
class Draws:
    """What a kernel reads: one row per draw, one column per improvement.

    The framework methods read the improvement columns, the MCDA methods the criteria
    matrix, its weights and directions; a field a method does not read may stay empty.

    Attributes
    ----------
    impact, effort_days, cost, confidence : numpy.ndarray
        ``(draws, n)``; impact as resolved by ``prioritise``.
    reach, time_criticality, risk_reduction : numpy.ndarray
        ``(n,)`` or ``(draws, n)``.
    duration_weeks : numpy.ndarray or None
        CD3 duration ``(n,)``; ``effort_days / 5`` when None.
    criteria : numpy.ndarray
        The MCDA criteria matrix per draw, ``(draws, n, m)``.
    weights : numpy.ndarray
        Criterion weights ``(m,)`` (the same in every draw) or ``(draws, m)``.
    benefit : numpy.ndarray
        ``(m,)``: True for a benefit criterion, False for a cost.
    ice_variant : {"product", "average"}
    vikor_v : float
        VIKOR weight of group utility.
    criteria_names : tuple of str
        The names of the criteria (columns of ``criteria``), which name the breakdown of an
        MCDA method.
    """

    impact: FloatArray = attrs.field(factory=_none)
    effort_days: FloatArray = attrs.field(factory=_none)
    cost: FloatArray = attrs.field(factory=_none)
    confidence: FloatArray = attrs.field(factory=_none)
    reach: FloatArray = attrs.field(factory=_none)
    time_criticality: FloatArray = attrs.field(factory=_none)
    risk_reduction: FloatArray = attrs.field(factory=_none)
    duration_weeks: FloatArray | None = None
    criteria: FloatArray = attrs.field(factory=_none)
    weights: FloatArray = attrs.field(factory=_none)
    benefit: BoolArray = attrs.field(factory=lambda: np.zeros(0, dtype=bool))
    ice_variant: str = "product"
    vikor_v: float = 0.5
    criteria_names: tuple[str, ...] = ()


#: A per-draw kernel: scores ``(draws, n)``.
Kernel: TypeAlias = Callable[[Draws], FloatArray]
#: A per-draw breakdown: the contribution of each term or criterion, ``{name: (draws, n)}``.
Breakdown: TypeAlias = Callable[[Draws], dict[str, FloatArray]]

# ---------------------------------------------------------------------------------------
# framework methods (the breakdown: each term of the score, a divisor as its inverse)


def _rows(a: FloatArray, like: FloatArray) -> FloatArray:
    """``a`` (``(n,)`` or ``(draws, n)``) as ``(draws, n)``, the shape of ``like``."""
    return np.broadcast_to(a, like.shape)


def value_per_cost(d: Draws) -> FloatArray:
    """``impact / cost``."""
    return np.asarray(d.impact / d.cost, dtype=np.float64)


def roi(d: Draws) -> FloatArray:
    """``(impact - cost) / cost``."""
    return np.asarray((d.impact - d.cost) / d.cost, dtype=np.float64)


def per_cost_breakdown(d: Draws) -> dict[str, FloatArray]:
    """Value per cost and ROI: ``impact`` and ``1 / cost``."""
    return {"impact": d.impact, "cost": 1.0 / d.cost}


def rice(d: Draws) -> FloatArray:
    """``reach * impact * confidence / effort_days``."""
    return np.asarray(d.reach * d.impact * d.confidence / d.effort_days, dtype=np.float64)


def rice_breakdown(d: Draws) -> dict[str, FloatArray]:
    """RICE: reach, impact, confidence and ``1 / effort_days``."""
    return {
        "reach": _rows(d.reach, d.impact),
        "impact": d.impact,
        "confidence": d.confidence,
        "effort_days": 1.0 / d.effort_days,
    }


def _ice_scales(d: Draws) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Impact, confidence and ease on Ellis's 0-10 scales, per draw."""
    impact, effort = d.impact, d.effort_days
    top = impact.max(axis=1, keepdims=True)
    i10 = np.where(top > 0, 10.0 * impact / np.where(top > 0, top, 1.0), 0.0)
    c10 = 10.0 * d.confidence
    e10 = 10.0 * effort.min(axis=1, keepdims=True) / effort
    return i10, c10, e10


def ice(d: Draws) -> FloatArray:
    """ICE on Ellis's 0-10 scales, per draw (product or average)."""
    i10, c10, e10 = _ice_scales(d)
    if d.ice_variant == "product":
        return np.asarray(i10 * c10 * e10, dtype=np.float64)
    return np.asarray((i10 + c10 + e10) / 3.0, dtype=np.float64)


def ice_breakdown(d: Draws) -> dict[str, FloatArray]:
    """ICE: impact, confidence and ease on the 0-10 scales."""
    i10, c10, e10 = _ice_scales(d)
    return {"impact": i10, "confidence": c10, "ease": e10}


def wsjf(d: Draws) -> FloatArray:
    """``(impact + time_criticality + risk_reduction) / effort_days``."""
    return np.asarray((d.impact + d.time_criticality + d.risk_reduction) / d.effort_days)


def wsjf_breakdown(d: Draws) -> dict[str, FloatArray]:
    """WSJF: the three terms of the cost of delay and ``1 / job_size``."""
    return {
        "user_business_value": d.impact,
        "time_criticality": _rows(d.time_criticality, d.impact),
        "risk_reduction": _rows(d.risk_reduction, d.impact),
        "job_size": 1.0 / d.effort_days,
    }


def cd3_weeks(d: Draws) -> FloatArray:
    """CD3's duration in weeks: as given, or ``effort_days / 5``."""
    weeks = d.effort_days / 5.0 if d.duration_weeks is None else d.duration_weeks
    return np.asarray(weeks, dtype=np.float64)


def cd3(d: Draws) -> FloatArray:
    """``(impact / 52) / duration_weeks``."""
    return np.asarray((d.impact / 52.0) / cd3_weeks(d), dtype=np.float64)


def cd3_breakdown(d: Draws) -> dict[str, FloatArray]:
    """CD3: cost of delay per week and ``1 / duration_weeks``."""
    return {
        "cost_of_delay_per_week": d.impact / 52.0,
        "duration_weeks": _rows(1.0 / cd3_weeks(d), d.impact),
    }


# ---------------------------------------------------------------------------------------
# MCDA methods (the breakdown: one weighted term per criterion)


def _per_draw(w: FloatArray, rows: int) -> FloatArray:
    """Weights ``(rows, m)``: the same ``(m,)`` weights in every row, or as given."""
    return w if w.ndim == 2 else np.broadcast_to(w, (rows, w.size))


def _named(d: Draws, parts: FloatArray) -> dict[str, FloatArray]:
    """Per-criterion parts ``(draws, n, m)`` by criterion name."""
    return {name: parts[:, :, j] for j, name in enumerate(d.criteria_names)}


def weighted_sum(d: Draws) -> FloatArray:
    """Weighted sum of min-max normalised criteria per draw (``mcda.weighted_sum``)."""
    x = d.criteria
    return _ws_batch_kernel(x, _per_draw(d.weights, x.shape[0]), d.benefit)


def weighted_sum_breakdown(d: Draws) -> dict[str, FloatArray]:
    """Weighted sum: ``weight * normalised value`` per criterion."""
    x = d.criteria
    w = _per_draw(d.weights, x.shape[0])
    return _named(d, _minmax_batch_kernel(x, d.benefit) * w[:, None, :])


def topsis(d: Draws) -> FloatArray:
    """TOPSIS closeness per draw (``mcda.topsis``)."""
    x = d.criteria
    return _topsis_batch_kernel(x, _per_draw(d.weights, x.shape[0]), d.benefit)


def topsis_breakdown(d: Draws) -> dict[str, FloatArray]:
    """TOPSIS: per criterion, squared distance to the worst minus that to the best."""
    x = d.criteria
    w = _per_draw(d.weights, x.shape[0])
    gap_best, gap_worst = _topsis_batch_parts(x, d.benefit)
    return _named(d, (w * w)[:, None, :] * (gap_worst - gap_best))


def weighted_product(d: Draws) -> FloatArray:
    """Weighted product per draw (``mcda.weighted_product``); every criterion ``> 0``."""
    return _weighted_product_batch(d.criteria, d.weights, d.benefit)


def weighted_product_breakdown(d: Draws) -> dict[str, FloatArray]:
    """Weighted product: ``weight * log ratio to the best`` per criterion (``<= 0``)."""
    x = d.criteria
    w = _per_draw(d.weights, x.shape[0])
    return _named(d, _wp_signed_logs(x, d.benefit) * w[:, None, :])


def vikor(d: Draws) -> FloatArray:
    """``1 - Q`` of VIKOR per draw (``mcda.vikor``)."""
    return _vikor_batch(d.criteria, d.weights, d.benefit, d.vikor_v)


def vikor_breakdown(d: Draws) -> dict[str, FloatArray]:
    """VIKOR: the weighted regret per criterion (smaller is better)."""
    x = d.criteria
    w = _per_draw(d.weights, x.shape[0])
    return _named(d, _vikor_gaps(x, d.benefit) * w[:, None, :])


def promethee(d: Draws) -> FloatArray:
    """PROMETHEE II net flow per draw, usual criterion (``mcda.promethee_ii``)."""
    return _promethee_batch(d.criteria, d.weights, d.benefit)


def promethee_breakdown(d: Draws) -> dict[str, FloatArray]:
    """PROMETHEE II: ``weight * single-criterion net flow`` per criterion (they sum to it)."""
    x = d.criteria
    rows, n, m = x.shape
    w = _per_draw(d.weights, rows)
    parts = np.zeros((rows, n, m))
    if n > 1:
        for j in range(m):
            if not w[:, j].any():
                continue  # a criterion without weight adds exactly 0
            g = x[:, :, j] if d.benefit[j] else -x[:, :, j]
            parts[:, :, j] = w[:, j, None] * (_less_minus_greater(g) / (n - 1))
    return _named(d, parts)


def _column_extremes(x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Minimum and maximum ``(d, 1, m)`` over the alternatives of each draw.

    Reduced along the contiguous last axis of one transposed copy: several times faster
    than reducing ``(d, n, m)`` over its middle axis, and the same values (a minimum or
    maximum does not depend on the order it is taken in).
    """
    xt = np.ascontiguousarray(np.swapaxes(x, 1, 2))
    return xt.min(axis=2)[:, None, :], xt.max(axis=2)[:, None, :]


def _minmax_batch_kernel(
    x: FloatArray, benefit: BoolArray, extremes: tuple[FloatArray, FloatArray] | None = None
) -> FloatArray:
    """Min-max normalised ``(d, n, m)``; ``extremes``: ``_column_extremes(x)`` if known."""
    lo, hi = _column_extremes(x) if extremes is None else extremes
    span = hi - lo
    # (x - lo) / span for benefits, (hi - x) / span = (x - hi) / -span for costs (the same
    # value: IEEE negation is exact), 0 where a criterion does not vary (x - lo = 0, over
    # an infinite divisor): one subtraction and one division in place, no temporaries of
    # the block's size but the result.
    divisor = np.where(span > 0, np.where(benefit, span, -span), np.inf)
    r: FloatArray = np.subtract(x, np.where(benefit, lo, hi), dtype=np.float64)
    r /= divisor
    r += 0.0  # -0.0 (a cost criterion at its maximum) to 0.0, as (hi - x) / span gives
    return r


def _ws_batch_kernel(x: FloatArray, w: FloatArray, benefit: BoolArray) -> FloatArray:
    """Weighted-sum scores ``(d, n)`` for matrices ``(d, n, m)`` and weights ``(d, m)``."""
    r = _minmax_batch_kernel(x, benefit)
    return np.asarray(np.einsum("dnm,dm->dn", r, w), dtype=np.float64)


def _ws_fixed_kernel(r: FloatArray, w: FloatArray) -> FloatArray:
    """Weighted-sum scores ``(rows, n)`` for a normalised matrix ``r`` and weights ``w``."""
    return np.asarray(w @ r.T, dtype=np.float64)


#: Column norms at least this small lose precision when squared; they are rescaled.
_TOPSIS_SMALL_NORM = 2.0**-480


def _norm_safe(x: FloatArray, axis: int, spec: str) -> tuple[FloatArray, FloatArray]:
    """``x`` and its column norms ``sqrt(einsum(spec, x, x))``, without overflow or underflow.

    When a norm overflows (values near 1e308) or is tiny enough to lose precision, every
    column is first scaled by a power of two that brings its largest magnitude into
    ``[0.5, 1)``: exact in floating point, and vector normalisation is scale-free, so the
    normalised matrix is unchanged. Columns with usual values are not touched.
    """
    norm = np.sqrt(np.einsum(spec, x, x))
    if bool(np.all((norm >= _TOPSIS_SMALL_NORM) & (norm < np.inf))):
        return x, norm  # the usual case; a zero norm may hide values too small to square
    _, exp = np.frexp(np.abs(x).max(axis=axis, keepdims=True))
    xs = np.ldexp(x, -exp)
    return xs, np.sqrt(np.einsum(spec, xs, xs))


def _topsis_fixed_parts(x: FloatArray, benefit: BoolArray) -> tuple[FloatArray, FloatArray]:
    x, norm = _norm_safe(x, 0, "ij,ij->j")
    r = x / np.where(norm > 0, norm, 1.0)
    best = np.where(benefit, r.max(axis=0), r.min(axis=0))
    worst = np.where(benefit, r.min(axis=0), r.max(axis=0))
    return np.square(r - best), np.square(r - worst)


def _topsis_fixed_kernel(gap_best: FloatArray, gap_worst: FloatArray, w: FloatArray) -> FloatArray:
    """TOPSIS closeness ``(rows, n)``: ``D^2 = (w^2) @ gap^T`` as the ideals scale with w."""
    w2 = w * w
    d_best = np.sqrt(np.maximum(w2 @ gap_best.T, 0.0))
    d_worst = np.sqrt(np.maximum(w2 @ gap_worst.T, 0.0))
    return _closeness(d_best, d_worst)


def _closeness(d_best: FloatArray, d_worst: FloatArray) -> FloatArray:
    total = d_best + d_worst
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.divide(d_worst, total, out=total)
    out[~np.isfinite(out)] = 0.5  # every alternative equals both ideals
    return out


#: What :func:`_topsis_batch_parts` derives from a whole block of draws before the gaps:
#: the power-of-two exponents that rescaled it (None when not), the column divisors and
#: the extremes of the normalised columns.
TopsisIdeals: TypeAlias = tuple[
    "npt.NDArray[np.int_] | None", FloatArray, tuple[FloatArray, FloatArray]
]


def _topsis_batch_ideals(x: FloatArray) -> TopsisIdeals:
    """The exponents, divisors and extremes of :func:`_topsis_batch_parts` for ``x``."""
    return _topsis_normalised(x)[0]


def _topsis_normalised(x: FloatArray) -> tuple[TopsisIdeals, FloatArray]:
    """:func:`_topsis_batch_ideals` and the normalised matrices.

    As :func:`_norm_safe` along the alternatives: the block is rescaled by powers of two
    only when a norm overflows or is tiny.
    """
    norm = np.sqrt(np.einsum("dij,dij->dj", x, x))
    exp = None
    if not bool(np.all((norm >= _TOPSIS_SMALL_NORM) & (norm < np.inf))):
        _, exp = np.frexp(np.abs(x).max(axis=1, keepdims=True))
        xs = np.ldexp(x, -exp)
        norm = np.sqrt(np.einsum("dij,dij->dj", xs, xs))
    divisor = np.where(norm > 0, norm, 1.0)[:, None, :]
    r = (x if exp is None else np.ldexp(x, -exp)) / divisor
    return (exp, divisor, _column_extremes(r)), r


def _topsis_batch_parts(
    x: FloatArray, benefit: BoolArray, ideals: TopsisIdeals | None = None
) -> tuple[FloatArray, FloatArray]:
    """Squared gaps ``(d, n, m)`` of the normalised matrices to their best and worst values.

    ``ideals``: :func:`_topsis_batch_ideals` of ``x`` when already known (the same gaps).
    """
    if ideals is None:
        ideals, r = _topsis_normalised(x)
    else:
        exp, divisor, _ = ideals
        r = (x if exp is None else np.ldexp(x, -exp)) / divisor
    rmin, rmax = ideals[2]
    # squared in place: the same values as np.square(r - best), without temporaries
    gap_best = np.subtract(r, np.where(benefit, rmax, rmin))
    gap_worst = np.subtract(r, np.where(benefit, rmin, rmax), out=r)
    np.square(gap_best, out=gap_best)
    np.square(gap_worst, out=gap_worst)
    return gap_best, gap_worst


def _topsis_batch_kernel(x: FloatArray, w: FloatArray, benefit: BoolArray) -> FloatArray:
    """TOPSIS closeness ``(d, n)`` for matrices ``(d, n, m)`` and weights ``(d, m)``."""
    gb, gw = _topsis_batch_parts(x, benefit)
    w2 = w * w
    d_best = np.sqrt(np.maximum(np.einsum("dnm,dm->dn", gb, w2), 0.0))
    d_worst = np.sqrt(np.maximum(np.einsum("dnm,dm->dn", gw, w2), 0.0))
    return _closeness(d_best, d_worst)


def _topsis_columns(cols: list[FloatArray], w: FloatArray, benefit: BoolArray) -> FloatArray:
    """TOPSIS closeness ``(d, n)`` from one ``(d, n)`` array per criterion and weights ``(m,)``.

    The closeness of :func:`_topsis_batch_kernel` on the stacked matrix, up to rounding
    (about 1e-15 relative): with ``r = x / norm`` per draw, ``(w (r - r_best))^2`` is
    ``(w / norm)^2 (x - x_best)^2``, summed criterion by criterion without building the
    ``(d, n, m)`` matrix, its normalised copy or its transposes. Draws whose norms are 0,
    tiny or huge (where squares lose precision) go to the batch kernel.
    """
    d = cols[0].shape[0]
    norms2 = [np.einsum("dn,dn->d", x, x) for x in cols]
    low, high = _TOPSIS_SMALL_NORM**2, 2.0**500
    if not all(bool(np.all((v >= low) & (v <= high))) for v in norms2):
        return _topsis_batch_kernel(
            np.stack(cols, axis=2), np.broadcast_to(w, (d, w.size)), benefit
        )
    d_best = np.zeros(cols[0].shape)
    d_worst = np.zeros(cols[0].shape)
    for j, x in enumerate(cols):
        if w[j] == 0:
            continue
        k = ((w[j] * w[j]) / norms2[j])[:, None]
        hi, lo = x.max(axis=1)[:, None], x.min(axis=1)[:, None]
        best, worst = (hi, lo) if benefit[j] else (lo, hi)
        for ideal, acc in ((best, d_best), (worst, d_worst)):
            t = np.subtract(x, ideal)
            np.square(t, out=t)
            t *= k
            acc += t
    np.sqrt(d_best, out=d_best)
    np.sqrt(d_worst, out=d_worst)
    return _closeness(d_best, d_worst)


def _wp_signed_logs(x: FloatArray, benefit: BoolArray) -> FloatArray:
    """Log ratio ``(d, n, m)`` of each value to the best of its criterion (``<= 0``)."""
    logs = np.log(x)
    ref = np.where(benefit, logs.max(axis=1), logs.min(axis=1))[:, None, :]
    return np.asarray(np.where(benefit, logs - ref, ref - logs), dtype=np.float64)


def _weighted_product_batch(x: FloatArray, w: FloatArray, benefit: BoolArray) -> FloatArray:
    signed = _wp_signed_logs(x, benefit)
    total = signed @ w if w.ndim == 1 else np.einsum("dnm,dm->dn", signed, w)
    return np.asarray(np.exp(total), dtype=np.float64)


def _scaled_rows(a: FloatArray) -> FloatArray:
    # as in mcda.vikor: a spread of at most _VIKOR_TIE is rounding noise, a tie
    lo = a.min(axis=1, keepdims=True)
    span = a.max(axis=1, keepdims=True) - lo
    live = span > _VIKOR_TIE
    return np.asarray(np.where(live, (a - lo) / np.where(live, span, 1.0), 0.0))


def _vikor_gaps(x: FloatArray, benefit: BoolArray) -> FloatArray:
    """Normalised gap ``(d, n, m)`` of each value to the best of its criterion, in [0, 1]."""
    hi, lo = x.max(axis=1), x.min(axis=1)
    best = np.where(benefit, hi, lo)[:, None, :]
    span = (hi - lo)[:, None, :]
    live = span > 0
    return np.asarray(np.where(live, np.abs(best - x) / np.where(live, span, 1.0), 0.0))


def _vikor_batch(x: FloatArray, w: FloatArray, benefit: BoolArray, v: float) -> FloatArray:
    """``1 - Q`` of VIKOR per draw (as :func:`frictionkit.mcda.vikor`)."""
    terms = _vikor_gaps(x, benefit) * (w if w.ndim == 1 else w[:, None, :])
    q = v * _scaled_rows(terms.sum(axis=2)) + (1.0 - v) * _scaled_rows(terms.max(axis=2))
    return np.asarray(1.0 - q, dtype=np.float64)


def _less_minus_greater(g: FloatArray) -> FloatArray:
    """Per row: ``#{b: g_b < g_a} - #{b: g_b > g_a}`` for every ``a`` (one sort per row)."""
    rows, n = g.shape
    order = np.argsort(g, axis=1)  # equal values get equal counts: any order among them
    s = np.take_along_axis(g, order, axis=1)
    pos = np.broadcast_to(np.arange(n), (rows, n))
    new = np.ones((rows, n), dtype=bool)
    new[:, 1:] = s[:, 1:] != s[:, :-1]
    start = np.maximum.accumulate(np.where(new, pos, 0), axis=1)
    last = np.ones((rows, n), dtype=bool)
    last[:, :-1] = new[:, 1:]
    end = np.minimum.accumulate(np.where(last, pos, n - 1)[:, ::-1], axis=1)[:, ::-1]
    out = np.empty((rows, n))
    np.put_along_axis(out, order, (start - (n - 1 - end)).astype(np.float64), axis=1)
    return out


def _promethee_batch(x: FloatArray, w: FloatArray, benefit: BoolArray) -> FloatArray:
    """PROMETHEE II net flows per draw, usual criterion (as ``mcda.promethee_ii``)."""
    rows, n, m = x.shape
    score = np.zeros((rows, n))
    if n == 1:
        return score
    for j in range(m):
        g = x[:, :, j] if benefit[j] else -x[:, :, j]
        wj = w[j] if w.ndim == 1 else w[:, j, None]
        score = score + wj * (_less_minus_greater(g) / (n - 1))
    return score
