"""Survey metrics on plain arrays: CSAT, CES, NPS, their kernels and intervals.

The conventions are described in :mod:`frictionkit.feedback`.

Examples
--------
>>> csat([5, 4, 4, 2, 1]).value
0.6
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any, Literal, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit._protocol import Result
from frictionkit.exceptions import (
    InputTypeError,
    SuspiciousScaleWarning,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)

__all__ = [
    "CES_VARIANTS",
    "METRICS",
    "MetricResult",
    "SuspiciousScaleWarning",
    "ces",
    "csat",
    "csat_mean",
    "nps",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
CesVariant: TypeAlias = Literal["agreement", "effort"]
CsatStatistic: TypeAlias = Literal["share", "mean", "both"]

#: Metric names understood by :meth:`Feedback.from_frame` (case-insensitive).
METRICS: tuple[str, ...] = ("csat", "ces", "nps")
#: CES variants: ``"agreement"`` (CES 2.0, 1-7, higher = easier), ``"effort"`` (1-5, lower
#: = easier).
CES_VARIANTS: tuple[str, ...] = ("agreement", "effort")
_CES_SCALES: dict[str, tuple[float, float]] = {"agreement": (1.0, 7.0), "effort": (1.0, 5.0)}
_NPS_SCALE: tuple[float, float] = (0.0, 10.0)
#: Below this many NPS answers, all answers in 1-5 can be all-detractors by chance.
_NPS_SUSPICIOUS_MIN_N = 10
_LINK_FIELDS: tuple[str, ...] = ("touchpoint", "stage", "persona")
_CANONICAL: tuple[str, ...] = (
    "row",
    "case_id",
    "metric",
    "score",
    "touchpoint",
    "stage",
    "persona",
    "timestamp",
    "comment",
    "sentiment",
)


# ---------------------------------------------------------------------------------------
# result type


def _fmt(x: float) -> str:
    return "nan" if math.isnan(x) else f"{x:.4g}"


@attrs.frozen(kw_only=True, repr=False)
class MetricResult(Result):
    """One survey metric: its value, confidence interval and number of answers.

    Parameters
    ----------
    metric : str
        ``"csat"`` (share), ``"csat_mean"``, ``"ces"`` or ``"nps"``.
    value : float
        The estimate (NaN when there are no answers).
    ci_low, ci_high : float
        Bounds of the two-sided confidence interval (NaN when undefined).
    n : int
        Number of answers behind the value.
    confidence : float, default 0.95
        Confidence level of the interval.

    Examples
    --------
    >>> r = csat([5, 5, 4, 1])
    >>> r.value, r.n
    (0.75, 4)
    >>> r.to_frame().columns.tolist()
    ['metric', 'value', 'ci_low', 'ci_high', 'n']
    """

    metric: str
    value: float
    ci_low: float
    ci_high: float
    n: int
    confidence: float = 0.95

    def to_frame(self) -> pd.DataFrame:
        """A one-row DataFrame with columns metric, value, ci_low, ci_high, n."""
        return pd.DataFrame(
            {
                "metric": [self.metric],
                "value": [self.value],
                "ci_low": [self.ci_low],
                "ci_high": [self.ci_high],
                "n": np.array([self.n], dtype=np.int64),
            }
        )

    def _repr_body(self) -> str:
        return (
            f"metric={self.metric!r}, value={_fmt(self.value)}, "
            f"ci_low={_fmt(self.ci_low)}, ci_high={_fmt(self.ci_high)}, n={self.n}"
        )


# ---------------------------------------------------------------------------------------
# pure kernels (numpy in, numpy out, no validation); all vectorised over groups


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def _wilson_kernel(k: FloatArray, n: FloatArray, z: float) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval for ``k`` successes out of ``n`` (NaN where ``n == 0``)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        z2 = z * z
        denom = 1.0 + z2 / n
        centre = (p + z2 / (2.0 * n)) / denom
        half = z * np.sqrt(np.maximum(p * (1.0 - p) / n + z2 / (4.0 * n * n), 0.0)) / denom
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def _t_kernel(
    mean: FloatArray, var: FloatArray, n: FloatArray, confidence: float, low: float, high: float
) -> tuple[FloatArray, FloatArray]:
    """Student t interval of a mean, clipped to ``[low, high]`` (NaN where ``n < 2``)."""
    from scipy import stats

    ok = n >= 2
    q = np.full(n.shape, np.nan)
    q[ok] = stats.t.ppf(0.5 + confidence / 2.0, n[ok] - 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = q * np.sqrt(np.maximum(var, 0.0) / n)
    half = np.where(ok, half, np.nan)
    return np.clip(mean - half, low, high), np.clip(mean + half, low, high)


def _nps_kernel(
    n_promoters: FloatArray, n_detractors: FloatArray, n: FloatArray, z: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """NPS, and its normal interval on the multinomial variance, clipped to [-100, 100]."""
    with np.errstate(invalid="ignore", divide="ignore"):
        pp = n_promoters / n
        pd_ = n_detractors / n
        diff = pp - pd_
        var = np.maximum(pp + pd_ - diff * diff, 0.0) / n
        half = z * np.sqrt(var)
    return (
        100.0 * diff,
        np.clip(100.0 * (diff - half), -100.0, 100.0),
        np.clip(100.0 * (diff + half), -100.0, 100.0),
    )


def _sentiment_kernel(
    score: FloatArray,
    is_nps: npt.NDArray[np.bool_],
    low: FloatArray,
    high: FloatArray,
    reverse: npt.NDArray[np.bool_],
) -> FloatArray:
    """Per-answer sentiment in [-1, 1]: linear on the scale, or +1/0/-1 for NPS classes."""
    linear = 2.0 * (score - low) / (high - low) - 1.0
    linear = np.where(reverse, -linear, linear)
    nps_class = np.where(score >= 9.0, 1.0, np.where(score <= 6.0, -1.0, 0.0))
    return np.where(is_nps, nps_class, linear)


def _group_stats(
    group: IntArray, score: FloatArray, n_groups: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Count, mean and sample variance (ddof=1, two-pass) of ``score`` per group."""
    n = np.bincount(group, minlength=n_groups).astype(np.float64)
    total = np.bincount(group, weights=score, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
        dev = score - mean[group]
        var = np.bincount(group, weights=dev * dev, minlength=n_groups) / (n - 1.0)
    var = np.where(n >= 2, var, np.nan)
    return n, mean, var


# ---------------------------------------------------------------------------------------
# validation helpers


def _check_confidence(confidence: Any) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float, np.floating)):
        raise InputTypeError(
            f"confidence must be a number between 0 and 1, got {confidence!r}",
            field="confidence",
            value=confidence,
        )
    c = float(confidence)
    if not 0.0 < c < 1.0:
        raise ValidationError(
            f"confidence must be strictly between 0 and 1, got {c:g}",
            field="confidence",
            value=confidence,
            hint="Use 0.95 for a 95 % interval",
        )
    return c


def _check_scale(scale: Any, field: str) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in scale)
    except (TypeError, ValueError):
        raise InputTypeError(
            f"{field} must be a pair of numbers (low, high), got {scale!r}",
            field=field,
            value=scale,
            hint="For example (1, 5)",
        ) from None
    if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
        raise ValidationError(
            f"{field} must be two finite numbers with low < high, got {scale!r}",
            field=field,
            value=scale,
        )
    return low, high


def _as_scores(scores: Any, field: str, scale: tuple[float, float], metric: str) -> FloatArray:
    if isinstance(scores, (str, bytes)):
        raise InputTypeError(
            f"{field} must be a 1-d array of numbers, got text", field=field, value=scores
        )
    if isinstance(scores, pd.Series):
        scores = scores.to_numpy(dtype=np.float64, na_value=np.nan)
    try:
        arr = np.array(scores, dtype=np.float64)  # a copy: inputs are never mutated
    except (TypeError, ValueError):
        raise InputTypeError(
            f"{field} must be a 1-d array of numbers", field=field, value=scores
        ) from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValidationError(
            f"{field} must be 1-d, got shape {arr.shape}", field=field, value=arr.shape
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ValidationError(
            f"{field} holds {int(bad.sum())} missing or non-finite value(s) "
            f"(first at position {int(np.argmax(bad))})",
            field=field,
            value=arr[bad][:5].tolist(),
            hint="Drop unanswered questions before computing the metric",
        )
    out = (arr < scale[0]) | (arr > scale[1])
    if out.any():
        raise ValidationError(
            f"{field}: {int(out.sum())} score(s) outside the {metric} scale "
            f"{scale[0]:g}-{scale[1]:g}, e.g. {arr[out][:5].tolist()}",
            field=field,
            value=arr[out][:5].tolist(),
            hint="Check the scale of the question, or pass scale=(low, high)",
        )
    return arr


def _ces_scale(variant: Any, scale: Any) -> tuple[str, tuple[float, float]]:
    if variant not in _CES_SCALES:
        raise UnknownReferenceError(
            f"unknown CES variant {variant!r}" + did_you_mean(variant, CES_VARIANTS),
            field="variant",
            value=variant,
            hint=f"Use one of {', '.join(map(repr, CES_VARIANTS))}",
        )
    return str(variant), (_CES_SCALES[variant] if scale is None else _check_scale(scale, "scale"))


# ---------------------------------------------------------------------------------------
# public array metrics


def csat(
    scores: Any,
    scale: tuple[float, float] = (1, 5),
    satisfied_from: float = 4,
    *,
    confidence: float = 0.95,
) -> MetricResult:
    """Customer satisfaction (CSAT): the share of satisfied answers, with a Wilson interval.

    Parameters
    ----------
    scores : array-like of numbers
        Answers to "How satisfied were you …?" on ``scale``.
    scale : (low, high), default (1, 5)
        The answer scale; scores outside it are an error.
    satisfied_from : float, default 4
        Answers ``>= satisfied_from`` count as satisfied (4 and 5 on 1-5: the top two boxes).
    confidence : float, default 0.95
        Level of the two-sided Wilson score interval (Wilson 1927; Newcombe 1998).

    Returns
    -------
    MetricResult
        ``metric="csat"``, value in [0, 1]; NaN with ``n = 0`` when there are no answers.

    Raises
    ------
    ValidationError
        Scores that are missing or outside the scale; a bad scale or confidence.

    Examples
    --------
    >>> csat([5, 4, 4, 3, 1])
    MetricResult(metric='csat', value=0.6, ci_low=0.2307, ci_high=0.8824, n=5)
    >>> csat([]).n
    0
    """
    low, high = _check_scale(scale, "scale")
    if not low <= float(satisfied_from) <= high:
        raise ValidationError(
            f"satisfied_from must lie on the scale {low:g}-{high:g}, got {satisfied_from!r}",
            field="satisfied_from",
            value=satisfied_from,
        )
    c = _check_confidence(confidence)
    arr = _as_scores(scores, "scores", (low, high), "CSAT")
    n = np.array([arr.size], dtype=np.float64)
    k = np.array([np.count_nonzero(arr >= float(satisfied_from))], dtype=np.float64)
    lo, hi = _wilson_kernel(k, n, _z(c))
    with np.errstate(invalid="ignore", divide="ignore"):
        value = float((k / n)[0])
    return MetricResult(
        metric="csat", value=value, ci_low=float(lo[0]), ci_high=float(hi[0]), n=arr.size,
        confidence=c,
    )  # fmt: skip


def _mean_result(
    metric: str, arr: FloatArray, scale: tuple[float, float], confidence: float
) -> MetricResult:
    n, mean, var = _group_stats(np.zeros(arr.size, dtype=np.int64), arr, 1)
    lo, hi = _t_kernel(mean, var, n, confidence, *scale)
    return MetricResult(
        metric=metric, value=float(mean[0]), ci_low=float(lo[0]), ci_high=float(hi[0]),
        n=arr.size, confidence=confidence,
    )  # fmt: skip


def csat_mean(
    scores: Any, scale: tuple[float, float] = (1, 5), *, confidence: float = 0.95
) -> MetricResult:
    """Mean satisfaction on its scale, with a Student t interval.

    Parameters
    ----------
    scores : array-like of numbers
        Answers on ``scale``.
    scale : (low, high), default (1, 5)
        The answer scale; the interval is clipped to it.
    confidence : float, default 0.95
        Level of the two-sided t interval.

    Returns
    -------
    MetricResult
        ``metric="csat_mean"``; the interval is NaN with fewer than two answers.

    Examples
    --------
    >>> csat_mean([5, 4, 4, 3, 1])
    MetricResult(metric='csat_mean', value=3.4, ci_low=1.517, ci_high=5, n=5)
    """
    sc = _check_scale(scale, "scale")
    c = _check_confidence(confidence)
    return _mean_result("csat_mean", _as_scores(scores, "scores", sc, "CSAT"), sc, c)


def ces(
    scores: Any,
    scale: tuple[float, float] | None = None,
    *,
    variant: CesVariant = "agreement",
    confidence: float = 0.95,
) -> MetricResult:
    """Customer Effort Score (CES): the mean answer, with a Student t interval.

    Parameters
    ----------
    scores : array-like of numbers
        Answers on the scale of ``variant``.
    scale : (low, high), optional
        Overrides the variant's scale: (1, 7) for ``"agreement"``, (1, 5) for ``"effort"``.
    variant : {"agreement", "effort"}, default "agreement"
        ``"agreement"``: CES 2.0, "The company made it easy for me to handle my issue",
        1 (strongly disagree) to 7 (strongly agree), higher is better (Dixon, Toman and
        DeLisi 2013). ``"effort"``: the original "How much effort did you personally have
        to put forth?", 1 (very low) to 5 (very high), lower is better (Dixon, Freeman and
        Toman 2010). The value is the plain mean either way.
    confidence : float, default 0.95
        Level of the two-sided t interval (clipped to the scale).

    Returns
    -------
    MetricResult
        ``metric="ces"``.

    Examples
    --------
    >>> ces([7, 6, 6, 5, 2])
    MetricResult(metric='ces', value=5.2, ci_low=2.812, ci_high=7, n=5)
    >>> ces([1, 2, 2], variant="effort").value
    1.6666666666666667
    """
    _, sc = _ces_scale(variant, scale)
    c = _check_confidence(confidence)
    return _mean_result("ces", _as_scores(scores, "scores", sc, "CES"), sc, c)


def nps(scores: Any, *, confidence: float = 0.95) -> MetricResult:
    """Net Promoter Score (NPS): % promoters (9-10) minus % detractors (0-6), in [-100, 100].

    Parameters
    ----------
    scores : array-like of numbers
        Answers to "How likely is it that you would recommend …?" on 0-10
        (Reichheld 2003, "The One Number You Need to Grow", HBR).
    confidence : float, default 0.95
        Level of the normal interval on ``var = (p_P + p_D - (p_P - p_D)^2) / n``,
        clipped to [-100, 100].

    Returns
    -------
    MetricResult
        ``metric="nps"``.

    Examples
    --------
    >>> nps([10, 10, 9, 8, 7, 6, 0])
    MetricResult(metric='nps', value=14.29, ci_low=-47.42, ci_high=75.99, n=7)
    >>> nps([10] * 5).value
    100.0
    """
    c = _check_confidence(confidence)
    arr = _as_scores(scores, "scores", _NPS_SCALE, "NPS")
    n = np.array([arr.size], dtype=np.float64)
    prom = np.array([np.count_nonzero(arr >= 9.0)], dtype=np.float64)
    det = np.array([np.count_nonzero(arr <= 6.0)], dtype=np.float64)
    value, lo, hi = _nps_kernel(prom, det, n, _z(c))
    return MetricResult(
        metric="nps", value=float(value[0]), ci_low=float(lo[0]), ci_high=float(hi[0]),
        n=arr.size, confidence=c,
    )  # fmt: skip
