"""Part of :mod:`frictionkit.friction` (see its documentation)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

#: Weights of the composite friction score: excess risk, exit share, repeat rate.
FRICTION_WEIGHTS: tuple[float, float, float] = (0.6, 0.2, 0.2)
_Z95 = 1.959963984540054
_INT = np.int64
_MAX_CODE = 2**62


# ---------------------------------------------------------------------------------------
# kernels (numpy in, numpy out, no validation)
# ---------------------------------------------------------------------------------------
def risk_ratio(
    a: np.ndarray, n1: np.ndarray, c: np.ndarray, n0: np.ndarray, z: float = _Z95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Risk ratio ``(a / n1) / (c / n0)`` with its log-method (Katz) confidence interval.

    The standard error of ``log RR`` is ``sqrt(1/a - 1/n1 + 1/c - 1/n0)`` (Katz, Baptista,
    Azen and Pike, 1978, *Biometrics* 34). When one of the four cells (``a``, ``n1 - a``,
    ``c``, ``n0 - c``) is 0, 0.5 is added to each cell (so ``n1`` and ``n0`` grow by 1)
    for the estimate and the interval, which keeps both finite. NaN where ``n1`` or ``n0``
    is 0.

    Parameters
    ----------
    a, n1 : ndarray
        Events and size of the exposed group (journeys that visited the touchpoint).
    c, n0 : ndarray
        Events and size of the comparison group.
    z : float, default 1.96
        Normal quantile of the interval.

    Returns
    -------
    rr, low, high : ndarray

    Examples
    --------
    ACTG 076 trial (Connor et al., 1994, *NEJM* 331): 13 of 180 infants infected with
    zidovudine against 40 of 183 with placebo; RR 0.33, 95 % CI 0.18 to 0.60:

    >>> rr, low, high = risk_ratio(np.array([13]), np.array([180]), np.array([40]),
    ...                            np.array([183]))
    >>> print(round(float(rr[0]), 2), round(float(low[0]), 2), round(float(high[0]), 2))
    0.33 0.18 0.6
    """
    a = np.asarray(a, dtype=float)
    n1 = np.asarray(n1, dtype=float)
    c = np.asarray(c, dtype=float)
    n0 = np.asarray(n0, dtype=float)
    ok = (n1 > 0) & (n0 > 0)
    zero = (a == 0) | (a == n1) | (c == 0) | (c == n0)
    corr = np.where(zero, 0.5, 0.0)
    a2, c2 = a + corr, c + corr
    m1, m0 = n1 + 2 * corr, n0 + 2 * corr
    with np.errstate(divide="ignore", invalid="ignore"):
        log_rr = np.log(a2 / m1) - np.log(c2 / m0)
        se = np.sqrt(1 / a2 - 1 / m1 + 1 / c2 - 1 / m0)
    rr = np.where(ok, np.exp(log_rr), np.nan)
    low = np.where(ok, np.exp(log_rr - z * se), np.nan)
    high = np.where(ok, np.exp(log_rr + z * se), np.nan)
    return rr, low, high


def odds_ratio_prior(
    a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray, z: float = _Z95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Odds ratio ``(a d) / (b c)`` with 0.5 added to every cell, and its Woolf interval.

    Adding 0.5 to each cell (Haldane, 1956; Anscombe, 1956) is a weak prior that keeps
    the ratio and its interval finite when a cell is 0. The interval is
    ``exp(log OR ± z sqrt(sum of 1 / (cell + 0.5)))`` (Woolf, 1955).

    Parameters
    ----------
    a, b : ndarray
        Failures and successes of the journeys with the pattern.
    c, d : ndarray
        Failures and successes of the comparison journeys.
    z : float, default 1.96
        Normal quantile of the interval.

    Returns
    -------
    odds_ratio, low, high : ndarray

    Examples
    --------
    >>> or_, low, high = odds_ratio_prior(np.array([0]), np.array([10]), np.array([5]),
    ...                                   np.array([5]))
    >>> print(round(float(or_[0]), 4), round(float(low[0]), 4), round(float(high[0]), 4))
    0.0476 0.0022 1.0293
    """
    a2, b2, c2, d2 = (np.asarray(x, dtype=float) + 0.5 for x in (a, b, c, d))
    log_or = np.log(a2) + np.log(d2) - np.log(b2) - np.log(c2)
    se = np.sqrt(1 / a2 + 1 / b2 + 1 / c2 + 1 / d2)
    return np.exp(log_or), np.exp(log_or - z * se), np.exp(log_or + z * se)


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values); NaN p-values stay NaN.

    ``q_(i) = min over j >= i of p_(j) m / j`` for the ``m`` non-NaN p-values sorted
    ascending, capped at 1 (Benjamini and Hochberg, 1995, *JRSS B* 57).

    Parameters
    ----------
    p : ndarray
        p-values.

    Returns
    -------
    ndarray

    Examples
    --------
    The 15 p-values of Benjamini and Hochberg (1995, section 4): four are rejected at
    a false discovery rate of 0.05.

    >>> p = np.array([0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
    ...               0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0])
    >>> int((benjamini_hochberg(p) <= 0.05).sum())
    4
    """
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = len(ok)
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    ranked = p[order] * m / np.arange(1, m + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out[order] = np.minimum(q, 1.0)
    return out


def fisher_exact_p(
    a: np.ndarray,
    n1: np.ndarray,
    f: np.ndarray,
    n: np.ndarray,
    alternative: str = "two-sided",
) -> np.ndarray:
    """Fisher exact test p-values of many 2×2 tables at once.

    The table is ``[[a, n1 - a], [f - a, n - n1 - f + a]]``: ``n`` journeys of which ``f``
    failed, ``n1`` in the first group, ``a`` of them failed. Under independence ``a`` is
    hypergeometric. ``"two-sided"`` adds the probabilities of all tables no more likely
    than the observed one (relative tolerance 1e-7, as scipy does); ``"greater"`` is the
    upper tail ``P(X >= a)``.

    The sums run over ``mean ± sqrt(20 m) + 10`` with ``m = min(n1, f, n - n1, n - f)``;
    by Hoeffding's inequality the mass left out is below ``2 exp(-40) ≈ 8e-18``, so
    p-values are exact to about 1e-17 (and need no import of ``scipy.stats``).

    Parameters
    ----------
    a, n1, f, n : ndarray of int
        Cells and margins as above.
    alternative : {"two-sided", "greater"}
        Which p-value.

    Returns
    -------
    ndarray

    Examples
    --------
    Fisher's tea-tasting experiment (Fisher, 1935, *The Design of Experiments*): 3 of the
    4 cups with milk first recognised; one-sided p = 17/70.

    >>> round(float(fisher_exact_p(np.array([3]), np.array([4]), np.array([4]),
    ...                            np.array([8]), "greater")[0]), 4)
    0.2429
    """
    from scipy.special import gammaln

    a = np.asarray(a, dtype=_INT)
    n1 = np.asarray(n1, dtype=_INT)
    f = np.asarray(f, dtype=_INT)
    n = np.asarray(n, dtype=_INT)
    if len(a) == 0:
        return np.zeros(0)
    lo = np.maximum(0, n1 + f - n)
    hi = np.minimum(n1, f)
    m = np.minimum(np.minimum(n1, f), np.minimum(n - n1, n - f))
    w = np.ceil(np.sqrt(20.0 * m)).astype(_INT) + 10
    mean = np.where(n > 0, n1 * f / np.maximum(n, 1), 0.0).astype(_INT)
    lo = np.maximum(lo, np.minimum(mean - w, a))
    hi = np.minimum(hi, np.maximum(mean + w, a))
    size = hi - lo + 1
    seg = np.r_[0, np.cumsum(size)]
    row = np.repeat(np.arange(len(a), dtype=_INT), size)
    x = np.arange(seg[-1], dtype=_INT) - seg[:-1][row] + lo[row]

    def log_choose(top: np.ndarray, k: np.ndarray) -> np.ndarray:
        out: np.ndarray = gammaln(top + 1.0) - gammaln(k + 1.0) - gammaln(top - k + 1.0)
        return out

    if alternative == "greater":
        # the upper tail only: the terms below a are 0 (computed, they would be masked)
        up = np.flatnonzero(x >= a[row])
        ff, nn, nn1, xu = f[row[up]], n[row[up]], n1[row[up]], x[up]
        terms = np.zeros(len(x))
        terms[up] = np.exp(log_choose(ff, xu) + log_choose(nn - ff, nn1 - xu) - log_choose(nn, nn1))
    else:
        ff, nn, nn1 = f[row], n[row], n1[row]
        logp = log_choose(ff, x) + log_choose(nn - ff, nn1 - x) - log_choose(nn, nn1)
        obs = log_choose(f, a) + log_choose(n - f, n1 - a) - log_choose(n, n1)
        terms = np.where(logp <= obs[row] + 1e-7, np.exp(logp), 0.0)
    total = np.add.reduceat(terms, seg[:-1])
    out: np.ndarray = np.clip(total, 0.0, 1.0)
    return out


def e_value(
    rr: ArrayLike, low: ArrayLike | None = None, high: ArrayLike | None = None
) -> tuple[Any, Any]:
    """E-values of risk ratios and of their confidence limit closest to 1.

    The E-value is the smallest strength of association, on the risk-ratio scale, that
    an unmeasured confounder would need with both the exposure and the outcome to
    explain the observed risk ratio away (VanderWeele and Ding, 2017, *Annals of
    Internal Medicine* 167:268): ``RR + sqrt(RR (RR - 1))`` for ``RR >= 1``, and the same
    of ``1 / RR`` for ``RR < 1``. The E-value of the interval is that of the limit closest
    to 1 (the lower limit when ``RR > 1``, the upper when ``RR < 1``), and 1 when the
    interval covers 1. NaN where the risk ratio is NaN (or the limits, for the
    interval); infinite for an infinite risk ratio or one of 0.

    Parameters
    ----------
    rr : ndarray
        Risk ratios.
    low, high : ndarray, optional
        Their confidence limits (without them the interval's E-values are NaN).

    Returns
    -------
    point, limit : ndarray, or float for a single risk ratio

    Examples
    --------
    The breastfeeding example of VanderWeele and Ding (2017): RR 3.9, 95 % CI 1.8 to 8.7,
    gives E-values 7.26 and 3.0; the smoking example of the R package EValue (Hammond and
    Horn): RR 10.73 (8.02 to 14.36) gives 20.95 and 15.52.

    >>> point, limit = e_value(np.array([3.9, 10.73, 1 / 3.9]), np.array([1.8, 8.02, 0.5]),
    ...                        np.array([8.7, 14.36, 1.2]))
    >>> np.round(point, 2).tolist(), np.round(limit, 2).tolist()
    ([7.26, 20.95, 7.26], [3.0, 15.52, 1.0])
    >>> point, limit = e_value(3.9, 1.8, 8.7)  # one risk ratio: plain floats
    >>> round(point, 2), round(limit, 2)
    (7.26, 3.0)
    """
    scalar = np.ndim(rr) == 0
    rr = np.asarray(rr, dtype=float)

    def ev(x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(x < 1, 1 / x, x)
            return np.where(np.isinf(r), np.inf, r + np.sqrt(r * (r - 1)))

    point = ev(rr)
    if low is None or high is None:
        return (float(point), math.nan) if scalar else (point, np.full(rr.shape, np.nan))
    lo = np.asarray(low, dtype=float)
    hi = np.asarray(high, dtype=float)
    closest = np.where(rr >= 1, lo, hi)
    covers = (lo <= 1) & (hi >= 1)
    limit = np.where(covers, 1.0, ev(closest))
    bad = np.isnan(rr) | np.isnan(lo) | np.isnan(hi)
    limit = np.where(bad, np.nan, limit)
    return (float(point), float(limit)) if scalar else (point, limit)
