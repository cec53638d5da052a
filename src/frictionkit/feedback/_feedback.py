"""Voice of the customer: survey metrics (CSAT, CES, NPS), scores by group, the emotion curve.

Survey answers sit next to behaviour: a :class:`Feedback` holds answers tied to a touchpoint,
a stage or a case (one customer journey), optionally checked against a
:class:`~frictionkit.Journey`. The metrics are also available as functions on plain arrays
(:func:`csat`, :func:`csat_mean`, :func:`ces`, :func:`nps`), each returning a
:class:`MetricResult` (value, confidence interval, number of answers).

Conventions (they change numbers, so they are pinned here and tested)
--------------------------------------------------------------------
==========  ============================  =========================  ========================
metric      question and scale            value                      confidence interval
==========  ============================  =========================  ========================
``csat``    satisfaction, 1-5             share of answers >= 4      Wilson score interval
                                          (top two boxes), in [0, 1]
``csat``    same answers                  mean on 1-5                Student t interval
(mean)                                    (:func:`csat_mean`)
``ces``     CES 2.0 agreement, 1-7        mean on 1-7, higher =      Student t interval
            (default) or original effort  easier; or mean on 1-5,
            1-5 (``variant="effort"``)    lower = easier
``nps``     likelihood to recommend,      % promoters (9-10) minus   normal interval on the
            0-10                          % detractors (0-6), in     multinomial variance,
                                          [-100, 100]                clipped to [-100, 100]
==========  ============================  =========================  ========================

- **CSAT** is the share of satisfied answers (4 or 5 on 1-5, "top two boxes"); its interval
  is the Wilson (1927) score interval, which stays inside [0, 1] and behaves at 0 % and
  100 % (Newcombe 1998, method 3). :func:`csat_mean` gives the mean instead.
- **CES**: the Customer Effort Score was introduced by Dixon, Freeman and Toman (2010,
  "Stop Trying to Delight Your Customers", HBR) as "How much effort did you personally have
  to put forth to handle your request?" on 1 (very low) to 5 (very high) effort, where lower
  is better. CEB/Gartner's CES 2.0 (Dixon, Toman and DeLisi 2013, *The Effortless
  Experience*) asks for agreement with "The company made it easy for me to handle my
  issue" on 1 (strongly disagree) to 7 (strongly agree), where **higher is better**. The
  default here is CES 2.0 (``variant="agreement"``, scale 1-7); ``variant="effort"``
  selects the original (scale 1-5, lower is better). The value is the plain mean on the
  scale of the variant; the direction only matters for the emotion curve.
- **NPS** (Reichheld 2003, "The One Number You Need to Grow", HBR): promoters answer 9-10,
  detractors 0-6, passives 7-8; NPS = 100 (p_P - p_D). Its variance is that of a
  difference of two multinomial proportions,
  ``var = (p_P + p_D - (p_P - p_D)^2) / n`` (the variance of the mean of +1/0/-1 codes),
  and the interval is ``NPS +- z * 100 * sqrt(var)``, clipped to [-100, 100]
  (the Wald form discussed by Rocks 2016, *The American Statistician* 70(4)).
- **Means** use the Student t interval ``mean +- t(n-1) * s / sqrt(n)``, clipped to the
  scale. With one answer the spread is unknown and the interval is NaN.
- **No answers** give ``value = NaN``, ``n = 0``: no data is never reported as zero.
- Intervals are two-sided at ``confidence`` (default 0.95). Scores need not be integers;
  NPS classes use ``score >= 9`` and ``score <= 6``.

The emotion curve maps every answer to a sentiment in [-1, +1]: CSAT and CES linearly
from their scale (``2 (x - low) / (high - low) - 1``, reversed for the effort variant of
CES, where low effort is good), NPS answers to +1 (promoter), 0 (passive) and -1
(detractor). The sentiment of a group is the mean over its answers, so metrics combine with
weights equal to their number of answers, and a group's NPS-only sentiment is NPS / 100.

Examples
--------
>>> from frictionkit import feedback
>>> feedback.nps([10, 9, 9, 8, 7, 3])
MetricResult(metric='nps', value=33.33, ci_low=-26.31, ci_high=92.97, n=6)
>>> feedback.csat([5, 4, 4, 2, 1]).value
0.6
"""

from __future__ import annotations

import html
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit.exceptions import (
    DataError,
    FrictionkitWarning,
    InputTypeError,
    MissingColumnError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.model import Journey

__all__ = [
    "CES_VARIANTS",
    "METRICS",
    "Feedback",
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


class SuspiciousScaleWarning(FrictionkitWarning):
    """Scores look like they were given on another scale (NPS answers all within 1-5)."""


# ---------------------------------------------------------------------------------------
# result type


def _fmt(x: float) -> str:
    return "nan" if math.isnan(x) else f"{x:.4g}"


@attrs.frozen(kw_only=True, repr=False)
class MetricResult:
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

    def __repr__(self) -> str:
        return (
            f"MetricResult(metric={self.metric!r}, value={_fmt(self.value)}, "
            f"ci_low={_fmt(self.ci_low)}, ci_high={_fmt(self.ci_high)}, n={self.n})"
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


# ---------------------------------------------------------------------------------------
# Feedback: survey answers tied to the journey


def _as_pandas(df: Any) -> pd.DataFrame:
    if isinstance(df, pd.DataFrame):
        return df
    to_pandas = getattr(df, "to_pandas", None)
    if callable(to_pandas):
        out = to_pandas()
        if isinstance(out, pd.DataFrame):
            return out
    raise InputTypeError(
        f"the survey answers must be a pandas DataFrame, got {type(df).__name__}",
        field="df",
        value=type(df).__name__,
        hint="Pass a pandas DataFrame, or a polars / pyarrow table (anything with to_pandas())",
    )


def _check_column(df: pd.DataFrame, col: Any, field: str) -> str:
    if not isinstance(col, str):
        raise InputTypeError(
            f"{field} must be a column name (text), got {col!r}", field=field, value=col
        )
    if col not in df.columns:
        cols = [str(c) for c in df.columns]
        raise MissingColumnError(
            f"{field}={col!r} is not a column of the survey answers" + did_you_mean(col, cols),
            field=field,
            value=col,
            hint=f"Columns: {', '.join(map(repr, cols[:20]))}" + (" …" if len(cols) > 20 else ""),
        )
    return col


def _missing(s: pd.Series) -> npt.NDArray[np.bool_]:
    miss = s.isna().to_numpy(dtype=bool, copy=True)
    if not (pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)):
        values = s.astype(object).to_numpy()
        miss |= np.array([isinstance(v, str) and v == "" for v in values], dtype=bool)
    return miss


def _labels(s: pd.Series) -> npt.NDArray[np.object_]:
    """Text labels of a column (``str(value)``); missing or empty values become None."""
    miss = _missing(s)
    values = s.astype(object).to_numpy()
    return np.array(
        [None if m else str(v) for v, m in zip(values, miss, strict=True)], dtype=object
    )


_TEXT: frozenset[str] = frozenset(
    {"case_id", "metric", "touchpoint", "stage", "persona", "comment"}
)


def _obj(s: pd.Series) -> npt.NDArray[np.object_]:
    """Values of a column as an object array, missing values (None, NaN, NA) as None."""
    values = s.to_numpy(dtype=object, copy=True)
    values[pd.isna(s).to_numpy()] = None
    return values


def _rows_text(labels: Iterable[Any], candidates: Sequence[str]) -> str:
    return ", ".join(repr(x) + did_you_mean(x, candidates) for x in labels)


def _parse_timestamps(s: pd.Series, df: pd.DataFrame, field: str) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return pd.Series(s.to_numpy(), index=pd.RangeIndex(len(s)))
    miss = _missing(s)
    values = s.astype(object).where(~miss, None)
    try:
        parsed = pd.to_datetime(values, format="ISO8601")
    except (ValueError, TypeError):
        try:
            parsed = pd.to_datetime(values, format="mixed", errors="coerce")
        except (ValueError, TypeError) as exc:
            raise DataError(
                f"{field}: timestamps could not be read ({exc})",
                field=field,
                hint="Convert the column with pandas.to_datetime first",
            ) from None
    bad = parsed.isna().to_numpy() & ~miss
    if bad.any():
        raise DataError(
            f"{field}: {int(bad.sum())} value(s) are not timestamps, "
            f"e.g. {values[bad].head(3).tolist()}",
            field=field,
            value=values[bad].head(3).tolist(),
            failure_cases=df.iloc[np.flatnonzero(bad)],
            hint="Fix or blank those cells; answers without a timestamp are allowed",
        )
    return pd.Series(parsed.to_numpy(), index=pd.RangeIndex(len(s)))


def _link_to_journey(
    answers: pd.DataFrame, journey: Journey, source: pd.DataFrame, names: Mapping[str, str]
) -> pd.DataFrame:
    """Check touchpoints, stages and personas against ``journey``; fill stages. A copy."""
    from frictionkit.model import Journey

    if not isinstance(journey, Journey):
        raise InputTypeError(
            f"journey must be a frictionkit.Journey, got {type(journey).__name__}",
            field="journey",
            value=type(journey).__name__,
            hint="Load one with frictionkit.load_journey(path)",
        )
    out = answers.copy()
    tp_ids = journey.ids("touchpoints")
    st_ids = journey.ids("stages")
    tp = _obj(out["touchpoint"])
    st = _obj(out["stage"])
    for field, values, known, kind in (
        ("touchpoint", tp, tp_ids, "touchpoint"),
        ("stage", st, st_ids, "stage"),
    ):
        seen = {v for v in values if v is not None}
        unknown = sorted(seen - set(known))
        if unknown:
            raise UnknownReferenceError(
                f"{len(unknown)} {kind}(s) in {names.get(field, field)!r} are not in the "
                f"journey: {_rows_text(unknown[:12], known)}" + (" …" if len(unknown) > 12 else ""),
                field=f"{field}_col",
                value=unknown,
                hint=f"Known {kind}s: {', '.join(map(repr, known[:15]))}"
                + (" …" if len(known) > 15 else ""),
            )
    stage_of = {t.id: t.stage for t in journey.touchpoints}
    filled = np.array(
        [stage_of[t] if t is not None else s for t, s in zip(tp, st, strict=True)], dtype=object
    )
    clash = np.array(
        [s is not None and f != s for f, s in zip(filled, st, strict=True)], dtype=bool
    )
    if clash.any():
        pos = np.flatnonzero(clash)
        raise DataError(
            f"{len(pos)} answer(s) name a stage that is not the stage of their touchpoint, "
            f"e.g. touchpoint {tp[pos[0]]!r} is in stage {filled[pos[0]]!r}, "
            f"not {st[pos[0]]!r}",
            field="stage_col",
            value=st[pos[0]],
            failure_cases=source.iloc[out["row"].to_numpy()[pos]]
            if "row" in out and len(source) != len(out)
            else source.iloc[pos],
            hint="Leave the stage empty to take it from the journey, or fix the touchpoint",
        )
    out["stage"] = pd.Series(filled, index=out.index, dtype=object)
    if journey.personas:
        known_p = journey.ids("personas")
        seen_p = {v for v in _obj(out["persona"]) if v is not None}
        unknown_p = sorted(seen_p - set(known_p))
        if unknown_p:
            raise UnknownReferenceError(
                f"{len(unknown_p)} persona(s) in {names.get('persona', 'persona')!r} are not "
                f"in the journey: {_rows_text(unknown_p[:12], known_p)}",
                field="persona_col",
                value=unknown_p,
                hint=f"Known personas: {', '.join(map(repr, known_p))}",
            )
    return out


def _metric_arrays(
    metric: npt.NDArray[np.object_],
    csat_scale: tuple[float, float],
    ces_scale: tuple[float, float],
    ces_variant: str,
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Per answer: scale low, scale high, is-NPS, reversed direction (CES effort)."""
    scales = {"csat": csat_scale, "ces": ces_scale, "nps": _NPS_SCALE}
    low = np.array([scales[m][0] for m in metric], dtype=np.float64)
    high = np.array([scales[m][1] for m in metric], dtype=np.float64)
    is_nps = np.asarray(metric == "nps", dtype=bool)
    reverse = np.asarray((metric == "ces") & (ces_variant == "effort"), dtype=bool)
    return low, high, is_nps, reverse


def _sort_key(v: Any) -> tuple[int, str]:
    return (1, "") if v is None else (0, str(v))


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Feedback:
    """Survey answers (CSAT, CES, NPS) tied to touchpoints, stages and cases.

    Build it with :meth:`Feedback.from_frame`. The answers are kept in :attr:`answers`, one
    row per answer, with the columns ``row`` (position in the input table), ``case_id``,
    ``metric``, ``score``, ``touchpoint``, ``stage``, ``persona``, ``timestamp``,
    ``comment``, ``sentiment`` (see the module notes) and any ``attribute_cols``. Missing
    links are ``None``. Case ids are kept exactly as given, so the answers can be joined to
    the journeys of an event log by case id.

    Attributes
    ----------
    answers : pandas.DataFrame
        The validated answers (a copy; the input table is never changed).
    journey : Journey or None
        The journey the touchpoints and stages were checked against.
    case_col : str or None
        Name of the case-id column in the input table.
    csat_scale, ces_scale : (float, float)
        Answer scales; ``satisfied_from`` is the CSAT threshold.
    ces_variant : {"agreement", "effort"}
        Direction of the CES question.
    attribute_cols : tuple of str
        Extra input columns kept for grouping in :meth:`scores`.
    n_duplicate_answers : int
        Answers repeating an earlier one (same case, touchpoint, stage, metric and
        timestamp); they are kept and counted, only when a case column is given.
    """

    answers: pd.DataFrame
    journey: Journey | None = None
    case_col: str | None = None
    source_columns: Mapping[str, str] = attrs.field(factory=dict)
    csat_scale: tuple[float, float] = (1.0, 5.0)
    satisfied_from: float = 4.0
    ces_variant: str = "agreement"
    ces_scale: tuple[float, float] = (1.0, 7.0)
    attribute_cols: tuple[str, ...] = ()
    n_duplicate_answers: int = 0

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_frame(
        cls,
        df: Any,
        *,
        metric_col: str,
        score_col: str,
        case_col: str | None = None,
        touchpoint_col: str | None = None,
        stage_col: str | None = None,
        timestamp_col: str | None = None,
        comment_col: str | None = None,
        persona_col: str | None = None,
        journey: Journey | None = None,
        attribute_cols: Sequence[str] = (),
        csat_scale: tuple[float, float] = (1, 5),
        satisfied_from: float = 4,
        ces_variant: CesVariant = "agreement",
        ces_scale: tuple[float, float] | None = None,
    ) -> Feedback:
        """Validate a table of survey answers (one row per answer).

        Parameters
        ----------
        df : pandas.DataFrame
            The answers; never modified.
        metric_col : str
            Column naming the metric of each answer: ``"csat"``, ``"ces"`` or ``"nps"``
            (case and surrounding spaces ignored).
        score_col : str
            Column of the numeric answers, on the scale of their metric.
        case_col : str, optional
            Case (customer journey) id, to join answers to event logs later.
        touchpoint_col, stage_col : str, optional
            The touchpoint or stage the question was about. At least one of
            ``case_col``, ``touchpoint_col`` and ``stage_col`` is required, and every
            answer must have at least one of them filled.
        timestamp_col : str, optional
            When the answer was given (parsed as timestamps).
        comment_col : str, optional
            Free text; kept as data, escaped wherever displayed.
        persona_col : str, optional
            The persona (customer profile) of the respondent.
        journey : Journey, optional
            When given, touchpoints, stages and personas must exist in it (unknown names
            are an error with a did-you-mean), and a touchpoint's stage is filled from it.
        attribute_cols : sequence of str, default ()
            Further columns kept with the answers and usable in :meth:`scores` ``by=``.
        csat_scale : (low, high), default (1, 5)
            Scale of CSAT answers.
        satisfied_from : float, default 4
            CSAT answers ``>=`` this count as satisfied.
        ces_variant : {"agreement", "effort"}, default "agreement"
            CES 2.0 agreement (1-7, higher = easier) or the original effort question
            (1-5, lower = easier).
        ces_scale : (low, high), optional
            Overrides the scale of the CES variant.

        Returns
        -------
        Feedback

        Raises
        ------
        MissingColumnError
            A ``*_col`` names no column.
        ValidationError
            No link column at all (``case_col``, ``touchpoint_col``, ``stage_col``).
        UnknownReferenceError
            An unknown metric name, or (with ``journey``) touchpoints, stages or personas
            not in the journey; all are listed with the closest known names.
        DataError
            Missing, non-numeric or out-of-scale scores, rows without any link, stages
            that contradict their touchpoint, unreadable timestamps; ``failure_cases``
            holds the input rows at fault.

        Warns
        -----
        SuspiciousScaleWarning
            At least 10 NPS answers, all between 1 and 5: NPS is asked on 0-10, so these
            look like answers on a 1-5 scale (every one would count as a detractor).

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({
        ...     "tp": ["order_delivery", "order_delivery", "support_hotline"],
        ...     "metric": ["CSAT", "csat", "ces"],
        ...     "score": [5, 2, 3],
        ... })
        >>> fb = Feedback.from_frame(df, metric_col="metric", score_col="score",
        ...                          touchpoint_col="tp")
        >>> fb
        Feedback(3 answers: 2 csat, 1 ces; 2 touchpoints, 0 stages, 0 cases)
        """
        df = _as_pandas(df)
        given = {
            "metric": (metric_col, "metric_col"),
            "score": (score_col, "score_col"),
            "case_id": (case_col, "case_col"),
            "touchpoint": (touchpoint_col, "touchpoint_col"),
            "stage": (stage_col, "stage_col"),
            "timestamp": (timestamp_col, "timestamp_col"),
            "comment": (comment_col, "comment_col"),
            "persona": (persona_col, "persona_col"),
        }
        names: dict[str, str] = {}
        for key, (col, field) in given.items():
            if col is not None or key in ("metric", "score"):
                names[key] = _check_column(df, col, field)
        if isinstance(attribute_cols, str):
            attribute_cols = (attribute_cols,)
        attrs_cols = tuple(attribute_cols)
        for i, col in enumerate(attrs_cols):
            _check_column(df, col, f"attribute_cols[{i}]")
            if col in _CANONICAL or attrs_cols.count(col) > 1:
                raise ValidationError(
                    f"attribute_cols[{i}]={col!r} clashes with a column name of the answers "
                    f"or is listed twice",
                    field="attribute_cols",
                    value=col,
                    hint=f"Rename it; reserved names: {', '.join(_CANONICAL)}",
                )
        if case_col is None and touchpoint_col is None and stage_col is None:
            raise ValidationError(
                "feedback must be linked to the journey: give case_col, touchpoint_col or "
                "stage_col",
                field="touchpoint_col",
                value=None,
                hint="For a relationship survey (one NPS per customer) pass case_col; for a "
                "survey about the whole journey add a stage column (e.g. 'recommendation')",
            )
        csat_sc = _check_scale(csat_scale, "csat_scale")
        if not csat_sc[0] <= float(satisfied_from) <= csat_sc[1]:
            raise ValidationError(
                f"satisfied_from must lie on the CSAT scale {csat_sc[0]:g}-{csat_sc[1]:g}, "
                f"got {satisfied_from!r}",
                field="satisfied_from",
                value=satisfied_from,
            )
        variant, ces_sc = _ces_scale(ces_variant, ces_scale)

        n_rows = len(df)
        # metric names
        m_raw = df[names["metric"]]
        m_miss = _missing(m_raw)
        if m_miss.any():
            pos = np.flatnonzero(m_miss)
            raise DataError(
                f"{len(pos)} answer(s) have no metric in {names['metric']!r}",
                field="metric_col",
                value=None,
                failure_cases=df.iloc[pos],
                hint=f"Name the metric of every answer: one of {', '.join(METRICS)}",
            )
        metric = np.array([str(v).strip().lower() for v in m_raw.astype(object)], dtype=object)
        unknown = sorted(set(metric.tolist()) - set(METRICS))
        if unknown:
            raise UnknownReferenceError(
                f"unknown metric name(s) in {names['metric']!r}: {_rows_text(unknown, METRICS)}",
                field="metric_col",
                value=unknown,
                hint=f"Use one of {', '.join(map(repr, METRICS))} (case-insensitive)",
            )
        # scores
        s_raw = df[names["score"]]
        if pd.api.types.is_bool_dtype(s_raw.dtype):
            raise InputTypeError(
                f"score_col={names['score']!r} holds true/false values, not scores",
                field="score_col",
                value=str(s_raw.dtype),
            )
        score_num = pd.to_numeric(s_raw.astype(object), errors="coerce")
        score = np.asarray(score_num, dtype=np.float64)
        bad = ~np.isfinite(score)
        if bad.any():
            pos = np.flatnonzero(bad)
            raise DataError(
                f"{len(pos)} answer(s) in {names['score']!r} are missing or not numbers, "
                f"e.g. {s_raw.iloc[pos[:3]].tolist()}",
                field="score_col",
                value=s_raw.iloc[pos[:3]].tolist(),
                failure_cases=df.iloc[pos],
                hint="Drop unanswered questions, or convert the answers to numbers",
            )
        low, high, is_nps, reverse = _metric_arrays(metric, csat_sc, ces_sc, variant)
        out_of_scale = (score < low) | (score > high)
        if out_of_scale.any():
            pos = np.flatnonzero(out_of_scale)
            parts = []
            for m in METRICS:
                k = int(np.count_nonzero(out_of_scale & (metric == m)))
                if k:
                    sc = {"csat": csat_sc, "ces": ces_sc, "nps": _NPS_SCALE}[m]
                    parts.append(f"{k} {m} outside {sc[0]:g}-{sc[1]:g}")
            raise DataError(
                f"{len(pos)} score(s) outside their metric's scale ({', '.join(parts)}), "
                f"e.g. {score[pos[:3]].tolist()}",
                field="score_col",
                value=score[pos[:3]].tolist(),
                failure_cases=df.iloc[pos],
                hint="Check the scale of each question (csat_scale=, ces_variant=, "
                "ces_scale=); NPS is asked on 0-10",
            )
        nps_scores = score[is_nps]
        if nps_scores.size >= _NPS_SUSPICIOUS_MIN_N and bool(
            np.all((nps_scores >= 1) & (nps_scores <= 5))
        ):
            warnings.warn(
                f"all {nps_scores.size} NPS answers lie between 1 and 5: NPS is asked on "
                "0-10, so these look like answers on a 1-5 scale (every one counts as a "
                "detractor). Relabel them (e.g. as 'csat') if the question was on 1-5",
                SuspiciousScaleWarning,
                stacklevel=2,
            )
        none_col = np.full(n_rows, None, dtype=object)
        data: dict[str, Any] = {
            "row": np.arange(n_rows, dtype=np.int64),
            "case_id": none_col,
            "metric": metric,
            "score": score,
        }
        for key in _LINK_FIELDS:
            data[key] = _labels(df[names[key]]) if key in names else none_col
        if "case_id" in names:
            c_raw = df[names["case_id"]]
            c_vals = c_raw.astype(object).to_numpy(copy=True)
            c_vals[_missing(c_raw)] = None
            data["case_id"] = c_vals
        no_link = np.ones(n_rows, dtype=bool)
        for key in ("case_id", "touchpoint", "stage"):
            no_link &= np.array([v is None for v in data[key]], dtype=bool)
        if no_link.any():
            pos = np.flatnonzero(no_link)
            raise DataError(
                f"{len(pos)} answer(s) have neither a case, a touchpoint nor a stage",
                field="touchpoint_col",
                value=None,
                failure_cases=df.iloc[pos],
                hint="Fill one link for each answer, or drop those rows",
            )
        if "timestamp" in names:
            data["timestamp"] = _parse_timestamps(
                df[names["timestamp"]], df, "timestamp_col"
            ).to_numpy()
        else:
            data["timestamp"] = np.full(n_rows, np.datetime64("NaT"), dtype="datetime64[ns]")
        if "comment" in names:
            data["comment"] = _labels(df[names["comment"]])
        else:
            data["comment"] = none_col
        data["sentiment"] = _sentiment_kernel(score, is_nps, low, high, reverse)
        index = pd.RangeIndex(n_rows)
        answers = pd.DataFrame(
            {
                k: pd.Series(v, index=index, dtype=object if k in _TEXT else None)
                for k, v in data.items()
            }
        )
        for col in attrs_cols:
            answers[col] = df[col].to_numpy(copy=True)
        source_names = dict(names)
        if journey is not None:
            answers = _link_to_journey(answers, journey, df, source_names)
        return cls(
            answers=answers,
            journey=journey,
            case_col=case_col,
            source_columns=source_names,
            csat_scale=csat_sc,
            satisfied_from=float(satisfied_from),
            ces_variant=variant,
            ces_scale=ces_sc,
            attribute_cols=attrs_cols,
            n_duplicate_answers=_count_duplicates(answers, case_col is not None),
        )

    # -- basic facts ------------------------------------------------------------------
    @property
    def n_answers(self) -> int:
        """Number of answers."""
        return len(self.answers)

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metrics present, in the order csat, ces, nps."""
        present = set(self.answers["metric"].tolist())
        return tuple(m for m in METRICS if m in present)

    def __len__(self) -> int:
        return self.n_answers

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`answers` (one row per answer).

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"case": ["a", "b"], "m": ["nps", "nps"], "s": [9, 3]})
        >>> fb = Feedback.from_frame(df, metric_col="m", score_col="s", case_col="case")
        >>> fb.to_frame()[["case_id", "metric", "score", "sentiment"]]
          case_id metric  score  sentiment
        0       a    nps    9.0        1.0
        1       b    nps    3.0       -1.0
        """
        return self.answers.copy()

    def with_journey(self, journey: Journey) -> Feedback:
        """The same answers checked against ``journey`` (stages filled from touchpoints).

        Examples
        --------
        >>> import pandas as pd, frictionkit as fk
        >>> df = pd.DataFrame({"tp": ["quote_portal"], "m": ["csat"], "s": [4]})
        >>> fb = Feedback.from_frame(df, metric_col="m", score_col="s", touchpoint_col="tp")
        >>> fb.with_journey(fk.datasets.load_autoparts()).answers["stage"].tolist()
        ['purchase']
        """
        answers = _link_to_journey(self.answers, journey, self.answers, self.source_columns)
        return attrs.evolve(self, answers=answers, journey=journey)

    def one_per_case(self, keep: Literal["first", "last"] = "last") -> Feedback:
        """Keep one answer per case, metric, touchpoint and stage.

        Answers are ordered by timestamp, ties and missing timestamps by input row (answers
        without a timestamp count as the earliest); ``keep`` picks the first or the last.
        Answers without a case id are all kept.

        Parameters
        ----------
        keep : {"first", "last"}, default "last"
            ``"last"`` keeps the most recent answer (a customer's final word).

        Returns
        -------
        Feedback

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"case": ["a", "a", "b"], "m": ["csat"] * 3, "s": [1, 5, 4],
        ...                    "t": ["2024-01-02", "2024-01-01", "2024-01-01"]})
        >>> fb = Feedback.from_frame(df, metric_col="m", score_col="s", case_col="case",
        ...                          timestamp_col="t")
        >>> fb.one_per_case().answers["score"].tolist()
        [1.0, 4.0]
        """
        if keep not in ("first", "last"):
            raise UnknownReferenceError(
                f"keep must be 'first' or 'last', got {keep!r}"
                + did_you_mean(keep, ("first", "last")),
                field="keep",
                value=keep,
            )
        if self.case_col is None:
            raise ValidationError(
                "one_per_case needs case ids: this feedback was built without case_col",
                field="case_col",
                value=None,
                hint="Pass case_col= to Feedback.from_frame",
            )
        a = self.answers
        ts = a["timestamp"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
        ts = np.where(a["timestamp"].isna().to_numpy(), np.iinfo(np.int64).min, ts)
        order = np.lexsort((a["row"].to_numpy(), ts))
        ordered = a.iloc[order]
        has_case = ordered["case_id"].notna().to_numpy()
        key = ["case_id", "metric", "touchpoint", "stage"]
        dup = ordered.duplicated(subset=key, keep=keep).to_numpy() & has_case
        kept = ordered[~dup].sort_values("row", kind="stable").reset_index(drop=True)
        return attrs.evolve(self, answers=kept, n_duplicate_answers=_count_duplicates(kept, True))

    # -- analysis ---------------------------------------------------------------------
    def _levels(self, col: str) -> list[Any]:
        values = _obj(self.answers[col])
        miss = pd.isna(self.answers[col]).to_numpy()
        present = [v for v, m in zip(values, miss, strict=True) if not m]
        j = self.journey
        levels: list[Any]
        if j is not None and col == "touchpoint":
            levels = list(j.ids("touchpoints"))
        elif j is not None and col == "stage":
            levels = list(j.ids("stages"))
        elif j is not None and col == "persona" and j.personas:
            levels = list(j.ids("personas"))
        else:
            levels = sorted(set(present), key=_sort_key)
        if miss.any():
            levels.append(None)
        return levels

    def _codes(self, col: str, levels: Sequence[Any]) -> IntArray:
        index = {v: i for i, v in enumerate(levels) if v is not None}
        miss = pd.isna(self.answers[col]).to_numpy()
        none_code = len(levels) - 1
        values = _obj(self.answers[col])
        return np.array(
            [none_code if m else index[v] for v, m in zip(values, miss, strict=True)],
            dtype=np.int64,
        )

    def scores(
        self,
        by: str | Sequence[str] = ("metric", "touchpoint"),
        *,
        csat: CsatStatistic = "share",
        confidence: float = 0.95,
        include_empty: bool = True,
    ) -> pd.DataFrame:
        """Each metric by group: value, confidence interval and number of answers.

        Parameters
        ----------
        by : str or sequence of str, default ("metric", "touchpoint")
            Grouping columns among ``"metric"``, ``"touchpoint"``, ``"stage"``,
            ``"persona"`` and the ``attribute_cols``. Metrics are never pooled: ``"metric"``
            is added first when missing.
        csat : {"share", "mean", "both"}, default "share"
            CSAT as the share of satisfied answers (``metric="csat"``, 0-1), the mean
            (``metric="csat_mean"``), or both rows.
        confidence : float, default 0.95
            Level of the intervals (see the module notes for each method).
        include_empty : bool, default True
            Report every combination of the groups' levels (the journey's touchpoints,
            stages and personas when a journey is attached, else the observed ones);
            groups without answers have ``value = NaN`` and ``n = 0``, never zero.

        Returns
        -------
        pandas.DataFrame
            Columns ``metric``, the group columns, ``value``, ``ci_low``, ``ci_high``,
            ``n``; metrics in the order csat, csat_mean, ces, nps, then groups in journey
            (or sorted) order, missing links last.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({
        ...     "tp": ["web", "web", "web", "phone", "phone"],
        ...     "metric": ["csat", "csat", "csat", "csat", "nps"],
        ...     "score": [5, 4, 2, 5, 10],
        ... })
        >>> fb = Feedback.from_frame(df, metric_col="metric", score_col="score",
        ...                          touchpoint_col="tp")
        >>> fb.scores().round(3)
          metric touchpoint  value  ci_low  ci_high  n
        0   csat      phone  1.000   0.207    1.000  1
        1   csat        web  0.667   0.208    0.939  3
        2    nps      phone  100.0     100.0    100.0  1
        3    nps        web    NaN     NaN      NaN  0
        """
        c = _check_confidence(confidence)
        if csat not in ("share", "mean", "both"):
            raise UnknownReferenceError(
                f"csat must be 'share', 'mean' or 'both', got {csat!r}"
                + did_you_mean(csat, ("share", "mean", "both")),
                field="csat",
                value=csat,
            )
        groups = self._check_by(by)
        metrics = list(self.metrics)
        metric_index = {m: i for i, m in enumerate(metrics)}
        m_code = np.array(
            [metric_index[m] for m in _obj(self.answers["metric"])],
            dtype=np.int64,
        )
        levels = [self._levels(g) for g in groups]
        dims = (len(metrics), *(len(lv) for lv in levels))
        total = int(np.prod(dims)) if metrics else 0
        if total > 5_000_000:
            raise ValidationError(
                f"grouping by {groups} gives {total:,} groups",
                field="by",
                value=groups,
                hint="Group by fewer columns, or pass include_empty=False",
            )
        if total == 0:
            return pd.DataFrame(
                {"metric": pd.Series([], dtype=object)}
                | {g: pd.Series([], dtype=object) for g in groups}
                | {k: pd.Series([], dtype=np.float64) for k in ("value", "ci_low", "ci_high")}
                | {"n": pd.Series([], dtype=np.int64)}
            )
        codes = [m_code, *(self._codes(g, lv) for g, lv in zip(groups, levels, strict=True))]
        flat = np.ravel_multi_index(tuple(codes), dims).astype(np.int64)
        score = self.answers["score"].to_numpy(dtype=np.float64)
        n, mean, var = _group_stats(flat, score, total)
        sat = _count_where(flat, score >= self.satisfied_from, total)
        prom = _count_where(flat, score >= 9.0, total)
        det = _count_where(flat, score <= 6.0, total)
        z = _z(c)
        grid = np.unravel_index(np.arange(total), dims)
        block = total // len(metrics)
        frames: list[pd.DataFrame] = []
        labels: list[tuple[str, int]] = []
        for m in metrics:
            if m == "csat":
                if csat in ("share", "both"):
                    labels.append(("csat", metric_index[m]))
                if csat in ("mean", "both"):
                    labels.append(("csat_mean", metric_index[m]))
            else:
                labels.append((m, metric_index[m]))
        for label, mi in labels:
            sl = slice(mi * block, (mi + 1) * block)
            nn = n[sl]
            if label == "csat":
                with np.errstate(invalid="ignore", divide="ignore"):
                    value = sat[sl] / nn
                lo, hi = _wilson_kernel(sat[sl], nn, z)
            elif label == "nps":
                value, lo, hi = _nps_kernel(prom[sl], det[sl], nn, z)
            else:
                sc = self.csat_scale if label == "csat_mean" else self.ces_scale
                value = mean[sl]
                lo, hi = _t_kernel(mean[sl], var[sl], nn, c, *sc)
            cols: dict[str, Any] = {"metric": np.full(block, label, dtype=object)}
            for gi, g in enumerate(groups):
                lv = np.array(levels[gi] if levels[gi] else [None], dtype=object)
                cols[g] = lv[grid[gi + 1][sl]]
            cols |= {
                "value": np.where(nn > 0, value, np.nan),
                "ci_low": lo,
                "ci_high": hi,
                "n": nn.astype(np.int64),
            }
            frames.append(pd.DataFrame(cols))
        out = pd.concat(frames, ignore_index=True)
        if not include_empty:
            out = out[out["n"] > 0].reset_index(drop=True)
        return out

    def _check_by(self, by: str | Sequence[str]) -> list[str]:
        items = [by] if isinstance(by, str) else list(by)
        allowed = ("metric", *_LINK_FIELDS, *self.attribute_cols)
        seen: list[str] = []
        for item in items:
            if item not in allowed:
                raise UnknownReferenceError(
                    f"cannot group by {item!r}" + did_you_mean(item, allowed),
                    field="by",
                    value=item,
                    hint=f"Group by {', '.join(map(repr, allowed))}; keep other columns "
                    "with attribute_cols= in Feedback.from_frame",
                )
            if item in seen:
                raise ValidationError(
                    f"by lists {item!r} twice", field="by", value=item, hint="List it once"
                )
            seen.append(item)
        return [g for g in seen if g != "metric"]

    def emotion_curve(
        self, journey: Journey | None = None, by_persona: bool = False
    ) -> pd.DataFrame:
        """Normalised sentiment in [-1, +1] per stage and touchpoint: the map's emotion lane.

        Every answer is mapped to [-1, +1] (see the module notes: CSAT and CES linearly
        from their scale, CES reversed for the effort variant; NPS answers to +1 / 0 / -1,
        so an NPS-only group has sentiment NPS / 100). A row's sentiment is the mean over
        its answers, which weighs the metrics by their number of answers.

        Parameters
        ----------
        journey : Journey, optional
            Order and complete the rows by this journey (touchpoints checked against it);
            defaults to the journey given to :meth:`from_frame`.
        by_persona : bool, default False
            One row per persona as well.

        Returns
        -------
        pandas.DataFrame
            Columns ``stage``, ``touchpoint``, (``persona``), ``sentiment``, ``n``,
            ``n_csat``, ``n_ces``, ``n_nps``. With a journey: its stages in order, in each
            a row for answers about the stage as a whole (``touchpoint`` missing) when there
            are any, then every touchpoint of the stage (``sentiment`` NaN, ``n = 0`` when
            nobody answered); answers linked to a case only come last (stage and
            touchpoint missing). Without a journey: the observed pairs in sorted order.

        Examples
        --------
        >>> import pandas as pd
        >>> import frictionkit as fk
        >>> df = pd.DataFrame({
        ...     "tp": ["parts_website", "parts_website", "support_hotline"],
        ...     "metric": ["csat", "nps", "csat"],
        ...     "score": [5, 6, 2],
        ... })
        >>> fb = Feedback.from_frame(df, metric_col="metric", score_col="score",
        ...                          touchpoint_col="tp", journey=fk.datasets.load_autoparts())
        >>> curve = fb.emotion_curve()
        >>> curve.loc[curve["n"] > 0, ["stage", "touchpoint", "sentiment", "n"]]
                stage       touchpoint  sentiment  n
        0   discovery    parts_website        0.0  2
        12  retention  support_hotline       -0.5  1
        """
        fb = self
        if journey is not None and journey is not self.journey:
            fb = self.with_journey(journey)
        a = fb.answers
        stage = _obj(a["stage"])
        tp = _obj(a["touchpoint"])
        pairs_present = set(zip(stage.tolist(), tp.tolist(), strict=True))
        j = fb.journey
        pairs: list[tuple[Any, Any]] = []
        if j is not None:
            for st in j.ids("stages"):
                if (st, None) in pairs_present:
                    pairs.append((st, None))
                pairs.extend((st, t.id) for t in j.touchpoints_in(st))
            if (None, None) in pairs_present:
                pairs.append((None, None))
        else:
            pairs = sorted(pairs_present, key=lambda p: (_sort_key(p[0]), _sort_key(p[1])))
        pair_index = {p: i for i, p in enumerate(pairs)}
        code = np.array(
            [pair_index[p] for p in zip(stage.tolist(), tp.tolist(), strict=True)],
            dtype=np.int64,
        )
        n_pairs = len(pairs)
        personas: list[Any] = [None]
        if by_persona:
            personas = fb._levels("persona")
            code = code * len(personas) + fb._codes("persona", personas)
        total = n_pairs * len(personas)
        metric = _obj(a["metric"])
        n = np.bincount(code, minlength=total).astype(np.float64)
        s = np.bincount(code, weights=a["sentiment"].to_numpy(dtype=np.float64), minlength=total)
        with np.errstate(invalid="ignore", divide="ignore"):
            sentiment = np.where(n > 0, s / n, np.nan)
        pi, qi = np.divmod(np.arange(total), len(personas))
        cols: dict[str, Any] = {
            "stage": np.array([pairs[i][0] for i in pi], dtype=object),
            "touchpoint": np.array([pairs[i][1] for i in pi], dtype=object),
        }
        if by_persona:
            cols["persona"] = np.array([personas[i] for i in qi], dtype=object)
        cols["sentiment"] = sentiment
        cols["n"] = n.astype(np.int64)
        for m in METRICS:
            cols[f"n_{m}"] = np.bincount(
                code, weights=(metric == m).astype(np.float64), minlength=total
            ).astype(np.int64)
        return pd.DataFrame(cols)

    # -- display ----------------------------------------------------------------------
    def __repr__(self) -> str:
        a = self.answers
        counts = a["metric"].value_counts()
        per_metric = ", ".join(f"{int(counts[m])} {m}" for m in self.metrics)
        n_tp = a["touchpoint"].dropna().nunique()
        n_st = a["stage"].dropna().nunique()
        n_case = a["case_id"].dropna().nunique()
        dup = f"; {self.n_duplicate_answers} duplicate answers" if self.n_duplicate_answers else ""
        return (
            f"Feedback({len(a)} answers: {per_metric or 'none'}; {n_tp} touchpoints, "
            f"{n_st} stages, {n_case} cases{dup})"
        )

    def _repr_html_(self) -> str:
        cols = ["case_id", "metric", "score", "touchpoint", "stage", "persona", "comment"]
        head = self.answers.head(10)
        rows = []
        for rec in head[cols].itertuples(index=False):
            cells = "".join(
                f"<td>{html.escape('' if _is_missing(v) else str(v))}</td>" for v in rec
            )
            rows.append(f"<tr>{cells}</tr>")
        more = len(self.answers) - len(head)
        tail = f"<p>… {more} more answers</p>" if more > 0 else ""
        header = "".join(f"<th>{c}</th>" for c in cols)
        return (
            f"<div><strong>{html.escape(repr(self))}</strong>"
            f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"{tail}</div>"
        )


def _is_missing(v: Any) -> bool:
    return v is None or (not isinstance(v, str) and bool(np.all(pd.isna(v))))


def _count_where(group: IntArray, mask: npt.NDArray[np.bool_], n_groups: int) -> FloatArray:
    """Number of answers per group where ``mask`` holds, as floats."""
    return np.bincount(group, weights=mask.astype(np.float64), minlength=n_groups).astype(
        np.float64
    )


def _count_duplicates(answers: pd.DataFrame, has_case: bool) -> int:
    """Answers repeating an earlier one: same case, touchpoint, stage, metric, timestamp."""
    if not has_case or answers.empty:
        return 0
    key = ["case_id", "touchpoint", "stage", "metric", "timestamp"]
    sub = answers[answers["case_id"].notna()]
    return int(sub.duplicated(subset=key).sum())
