"""The ratio frameworks (RICE, ICE, PIE, WSJF, CD3, value per cost, ROI) as array functions.

Private: :mod:`frictionkit.frameworks` re-exports the public names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from frictionkit.exceptions import (
    UnknownReferenceError,
    _short,
    did_you_mean,
)
from frictionkit.frameworks._checks import (
    _arr,
    _broadcast,
    _finite,
    _positive,
)

__all__ = [
    "ICE_VARIANTS",
    "RICE_CONFIDENCE",
    "RICE_IMPACT",
    "cd3",
    "ice",
    "pie",
    "rice",
    "roi",
    "value_per_cost",
    "wsjf",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]

#: Intercom's RICE impact scale (McBride, 2016): label -> multiplier.
RICE_IMPACT: Mapping[str, float] = {
    "massive": 3.0,
    "high": 2.0,
    "medium": 1.0,
    "low": 0.5,
    "minimal": 0.25,
}
#: Intercom's RICE confidence levels (McBride, 2016): label -> share.
RICE_CONFIDENCE: Mapping[str, float] = {"high": 1.0, "medium": 0.8, "low": 0.5}
#: The two ways of combining ICE scores offered by :func:`ice`.
ICE_VARIANTS: tuple[str, ...] = ("product", "average")


# ---------------------------------------------------------------------------------------
# ratio frameworks


def rice(
    reach: npt.ArrayLike, impact: npt.ArrayLike, confidence: npt.ArrayLike, effort: npt.ArrayLike
) -> FloatArray:
    """RICE score: ``reach * impact * confidence / effort`` (Intercom; McBride, 2016).

    Sean McBride, "RICE: Simple prioritization for product managers", Intercom blog (2016).
    Reach is people or events per period; impact is per person on the scale 3 (massive),
    2 (high), 1 (medium), 0.5 (low), 0.25 (minimal) (:data:`RICE_IMPACT`); confidence is a
    share, 1.0 (high), 0.8 (medium), 0.5 (low) (:data:`RICE_CONFIDENCE`); effort is in
    person-months (any unit, the same for all). Higher is better. Other impact units
    (money per year) are accepted: the formula is the same.

    Parameters
    ----------
    reach : array-like
        ``>= 0``.
    impact : array-like
        ``>= 0``.
    confidence : array-like
        Shares in ``[0, 1]`` (80 % is ``0.8``).
    effort : array-like
        ``> 0``.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> rice(2000, 2, 0.8, 4)
    array(800.)
    """
    r = _arr(reach, "reach")
    i = _arr(impact, "impact")
    c = _arr(confidence, "confidence", high=1.0)
    e = _positive(effort, "effort", "Give every item a positive effort estimate")
    r, i, c, e = _broadcast(r, i, c, e)
    return _finite(
        lambda r, i, c, e: r * i * c / e, "reach * impact * confidence / effort", r, i, c, e
    )


def ice(
    impact: npt.ArrayLike,
    confidence: npt.ArrayLike,
    ease: npt.ArrayLike,
    variant: Literal["product", "average"] = "product",
) -> FloatArray:
    """ICE score from impact, confidence and ease, each scored 1 to 10 (Sean Ellis).

    Sean Ellis introduced ICE for growth experiments at GrowthHackers (Ellis and Brown,
    *Hacking Growth*, 2017). Two combinations are in use and both are offered:
    ``"product"`` (``I * C * E``, range 1-1000) and ``"average"`` (``(I + C + E) / 3``,
    range 1-10, the form of the GrowthHackers ICE score). Higher is better. Values are
    only checked to be finite and ``>= 0``, so rescaled inputs are accepted.

    Parameters
    ----------
    impact, confidence, ease : array-like
        Scores ``>= 0`` (1-10 on the published scale).
    variant : {"product", "average"}, default "product"

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> ice([8, 5], [6, 9], [3, 7])
    array([144., 315.])
    >>> ice([8, 5], [6, 9], [3, 7], variant="average").round(3)
    array([5.667, 7.   ])
    """
    if variant not in ICE_VARIANTS:
        raise UnknownReferenceError(
            f"unknown ICE variant {_short(variant)}; choose one of {list(ICE_VARIANTS)}"
            + did_you_mean(variant, ICE_VARIANTS),
            field="variant",
            value=variant,
        )
    i, c, e = _broadcast(_arr(impact, "impact"), _arr(confidence, "confidence"), _arr(ease, "ease"))
    if variant == "product":
        return _finite(lambda i, c, e: i * c * e, "impact * confidence * ease", i, c, e)
    return _finite(lambda i, c, e: (i + c + e) / 3.0, "(impact + confidence + ease) / 3", i, c, e)


def pie(potential: npt.ArrayLike, importance: npt.ArrayLike, ease: npt.ArrayLike) -> FloatArray:
    """PIE score: the average of potential, importance and ease, each 1 to 10 (WiderFunnel).

    Chris Goward, *You Should Test That!* (Wiley, 2013), the WiderFunnel PIE framework for
    choosing which pages to test: ``(P + I + E) / 3``. Higher is better.

    Parameters
    ----------
    potential, importance, ease : array-like
        Scores in ``[1, 10]``.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> pie([8, 3], [9, 5], [4, 10]).round(3)
    array([7., 6.])
    """
    p = _arr(potential, "potential", low=1.0, high=10.0)
    i = _arr(importance, "importance", low=1.0, high=10.0)
    e = _arr(ease, "ease", low=1.0, high=10.0)
    p, i, e = _broadcast(p, i, e)
    return np.asarray((p + i + e) / 3.0, dtype=np.float64)


def wsjf(
    user_business_value: npt.ArrayLike,
    time_criticality: npt.ArrayLike,
    risk_reduction: npt.ArrayLike,
    job_size: npt.ArrayLike,
) -> FloatArray:
    """Weighted shortest job first: cost of delay / job size (SAFe; Reinertsen, 2009).

    Scaled Agile Framework, "WSJF": cost of delay = user-business value + time
    criticality + risk reduction-opportunity enablement, each a relative estimate (SAFe
    uses the modified Fibonacci series 1, 2, 3, 5, 8, 13, 20); job size is a relative
    proxy for duration. Don Reinertsen, *The Principles of Product Development Flow*
    (2009), ch. 7. Higher is better.

    Parameters
    ----------
    user_business_value, time_criticality, risk_reduction : array-like
        ``>= 0``, in one common unit.
    job_size : array-like
        ``> 0``.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> wsjf([8, 5], [5, 9], [3, 2], [4, 3]).round(3)
    array([4.   , 5.333])
    """
    v = _arr(user_business_value, "user_business_value")
    t = _arr(time_criticality, "time_criticality")
    r = _arr(risk_reduction, "risk_reduction")
    s = _positive(job_size, "job_size", "Give every job a positive size")
    v, t, r, s = _broadcast(v, t, r, s)
    return _finite(lambda v, t, r, s: (v + t + r) / s, "cost of delay / job_size", v, t, r, s)


def cd3(cost_of_delay_per_week: npt.ArrayLike, duration_weeks: npt.ArrayLike) -> FloatArray:
    """CD3, cost of delay divided by duration (Reinertsen, 2009; Black Swan Farming).

    Joshua Arnold's Black Swan Farming pages popularised the name CD3 for Reinertsen's
    WSJF with money: cost of delay per week / duration in weeks. Higher is better.

    Parameters
    ----------
    cost_of_delay_per_week : array-like
        Value lost per week of delay (``>= 0``).
    duration_weeks : array-like
        Time the work takes (``> 0``).

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> cd3(30, 4)
    array(7.5)
    """
    c = _arr(cost_of_delay_per_week, "cost_of_delay_per_week")
    d = _positive(duration_weeks, "duration_weeks", "Give every item a positive duration")
    c, d = _broadcast(c, d)
    return _finite(np.divide, "cost_of_delay_per_week / duration_weeks", c, d)


def value_per_cost(value: npt.ArrayLike, cost: npt.ArrayLike) -> FloatArray:
    """Value per unit of cost: ``value / cost`` (the benefit-cost ratio). Higher is better.

    Parameters
    ----------
    value : array-like
        ``>= 0`` (e.g. money per year).
    cost : array-like
        ``> 0``.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValidationError
        Negative or non-finite values, a cost ``<= 0``, or a ratio beyond the float64
        range (about ``1.8e308``, e.g. a subnormal cost such as ``5e-324``), naming the
        positions. The same holds for every ratio and product framework here (RICE, ICE,
        WSJF, CD3, ROI): a score is finite or refused, never ``inf``.

    Examples
    --------
    >>> value_per_cost([70_000, 60_000], [1_500, 6_000]).round(2)
    array([46.67, 10.  ])
    """
    v = _arr(value, "value")
    c = _positive(cost, "cost", "A ratio needs a positive cost")
    v, c = _broadcast(v, c)
    return _finite(np.divide, "value / cost", v, c)


def roi(value: npt.ArrayLike, cost: npt.ArrayLike) -> FloatArray:
    """Return on investment: ``(value - cost) / cost``. Higher is better; 0 is break-even.

    With ``value`` per year and a one-off ``cost`` it is the first-year ROI.

    Parameters
    ----------
    value : array-like
        ``>= 0``.
    cost : array-like
        ``> 0``.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> roi([15_000, 5_000], [10_000, 10_000])
    array([ 0.5, -0.5])
    """
    v = _arr(value, "value")
    c = _positive(cost, "cost", "ROI needs a positive cost")
    v, c = _broadcast(v, c)
    return _finite(lambda v, c: (v - c) / c, "(value - cost) / cost", v, c)
