"""Stage-matched friction, failure sub-routes, and the Markov chain of an event log.

These functions are the implementations behind :meth:`EventLog.friction`,
:meth:`EventLog.failure_patterns`, :meth:`EventLog.markov` and
:meth:`EventLog.repair_effects`; call them either way. They work on the integer-coded
arrays of the log with a few sorts and ``bincount`` passes (no Python loop over journeys).

Conventions (they change numbers, so they are pinned here and tested):

- **Decided journeys only.** Open journeys (no outcome yet) are left out of every
  analysis here; a log whose journeys are all open is refused.
- **Events after the outcome are dropped.** A journey is read up to its deciding event,
  and on through the events right after it that carry the same outcome (so an outcome
  column repeated on every event keeps the whole journey, and two ``Payment`` events in a
  row both count). Later events belong to what happened after the outcome.
- **Outcome steps.** When outcomes come from touchpoints (``success=`` / ``failure=``
  lists), a touchpoint all of whose events carry an outcome is an *outcome step*: its
  failure risk is 0 or 1 by definition, so it is reported (``outcome_step`` True) but not
  scored, and its events are left out of the paths analysed (stage reached, last step,
  patterns, Markov chain: there the outcome step *is* the ``SUCCESS`` / ``FAILURE``
  state). Dwell times still count the time up to the outcome step.
- **Stage-matched comparison.** A journey *reaches* a stage when its furthest stage (in
  journey order) is that stage or a later one, as in :func:`frictionkit.routes.funnel`.
  A touchpoint is judged among the decided journeys that reached its stage: those that
  visited it against those that did not. Comparing visitors with *all* other journeys
  (naive lift) rewards late steps, error pages included, because reaching them is
  progress; the stage-matched comparison removes that bias.

Examples
--------
>>> from frictionkit.datasets import simulate_journeys
>>> from frictionkit.events import EventLog
>>> df = simulate_journeys(4000, seed=3)
>>> log = EventLog.from_frame(df, case_col="case_id", touchpoint_col="touchpoint",
...     timestamp_col="timestamp", stage_col="stage", outcome_col="outcome", strict=False)
>>> log.friction()["touchpoint"].iloc[0]
'payment_error'
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from frictionkit._validate import as_float, check_bounds
from frictionkit.estimates import SeedLike
from frictionkit.events._kernels import FAILURE, SUCCESS, int_group_quantiles
from frictionkit.exceptions import InputTypeError, ValidationError
from frictionkit.routes import ARROW

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events import EventLog
    from frictionkit.markov import MarkovModel

__all__ = [
    "FRICTION_WEIGHTS",
    "benjamini_hochberg",
    "failure_patterns",
    "fisher_exact_p",
    "friction",
    "markov",
    "odds_ratio_prior",
    "repair_effects",
    "risk_ratio",
]

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

    ff, nn, nn1 = f[row], n[row], n1[row]
    logp = log_choose(ff, x) + log_choose(nn - ff, nn1 - x) - log_choose(nn, nn1)
    pmf = np.exp(logp)
    if alternative == "greater":
        mask = x >= a[row]
    else:
        obs = log_choose(f, a) + log_choose(n - f, n1 - a) - log_choose(n, n1)
        mask = logp <= obs[row] + 1e-7
    total = np.add.reduceat(np.where(mask, pmf, 0.0), seg[:-1])
    out: np.ndarray = np.clip(total, 0.0, 1.0)
    return out


# ---------------------------------------------------------------------------------------
# the decided part of each journey
# ---------------------------------------------------------------------------------------
class _Paths(NamedTuple):
    """Decided journeys cut after their outcome (see the module conventions)."""

    tp: np.ndarray  # touchpoint code of each kept event (outcome steps removed)
    offsets: np.ndarray  # start of each decided journey in ``tp``, plus the total
    outcome: np.ndarray  # 1 success / 2 failure per decided journey
    outcome_step: np.ndarray  # bool per touchpoint
    event_all: np.ndarray  # log positions of the events up to the outcome (steps kept)
    offsets_all: np.ndarray  # journeys in ``event_all``
    visitors_all: np.ndarray  # decided journeys visiting each touchpoint (steps kept)


def _decided_paths(log: EventLog, field: str) -> _Paths:
    cached = log._cache.get("decided_paths")
    if cached is not None:
        result: _Paths = cached
        return result
    outcome = log.journey_outcome
    decided = np.flatnonzero(outcome != 0)
    if len(decided) == 0:
        raise ValidationError(
            f"{field} needs journeys with an outcome, but all {log.n_journeys} journeys are "
            "open (no success or failure)",
            field="outcome",
            value=0,
            hint="Build the log with success= / failure= (touchpoints that decide the "
            "outcome) or with outcome_col=",
        )
    n = log.n_events
    eo = log.event_outcome
    off = log.journey_offsets
    same = (eo != 0) & (eo == outcome[log.event_journey])
    pos = np.arange(n, dtype=_INT)
    # first event at or after each position that does not carry the journey's outcome
    nxt = np.minimum.accumulate(np.where(same, n, pos)[::-1])[::-1]
    start = off[:-1][decided]
    end = np.minimum(nxt[log.journey_deciding_event[decided]], off[1:][decided])
    lengths = end - start
    off_all = np.r_[0, np.cumsum(lengths)].astype(_INT)
    event = np.repeat(start - off_all[:-1], lengths) + np.arange(off_all[-1], dtype=_INT)
    tp_all = log.event_touchpoint[event]
    k = len(log.touchpoints)
    # outcome column repeated on every event (per case): no touchpoint decides by itself
    per_case = bool(np.logical_and.reduceat(same, off[:-1])[decided].all())
    if per_case:
        step = np.zeros(k, dtype=bool)
    else:
        coded = np.bincount(log.event_touchpoint, weights=eo != 0, minlength=k)
        step = coded == np.bincount(log.event_touchpoint, minlength=k)
    jj = np.repeat(np.arange(len(decided), dtype=_INT), lengths)
    visitors = np.bincount(_pair_counts(jj, tp_all, len(decided), k)[1], minlength=k)
    keep = ~step[tp_all]
    kept_len = np.bincount(jj[keep], minlength=len(decided))
    paths = _Paths(
        tp=tp_all[keep],
        offsets=np.r_[0, np.cumsum(kept_len)].astype(_INT),
        outcome=outcome[decided],
        outcome_step=step,
        event_all=event,
        offsets_all=off_all,
        visitors_all=visitors.astype(_INT),
    )
    log._cache["decided_paths"] = paths
    return paths


def _pair_counts(
    jj: np.ndarray, tp: np.ndarray, n_j: int, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (journey, touchpoint) pairs and their event counts."""
    if n_j * k <= 50_000_000:
        dense = np.bincount(jj * np.int64(k) + tp, minlength=n_j * k)
        pair = np.flatnonzero(dense)
        return pair // k, pair % k, dense[pair]
    pair, counts = np.unique(jj * np.int64(k) + tp, return_counts=True)
    return pair // k, pair % k, counts


def _check_min_support(min_support: Any) -> int:
    if isinstance(min_support, bool) or not isinstance(min_support, numbers.Integral):
        raise InputTypeError(
            f"min_support must be a whole number of journeys, got {min_support!r}",
            field="min_support",
            value=min_support,
            hint="e.g. min_support=30",
        )
    if min_support < 1:
        raise ValidationError(
            f"min_support must be >= 1, got {min_support}",
            field="min_support",
            value=min_support,
            hint="It is the fewest journeys on each side of a comparison; e.g. 30",
        )
    return int(min_support)


# ---------------------------------------------------------------------------------------
# friction
# ---------------------------------------------------------------------------------------
def friction(log: EventLog, *, min_support: int = 30) -> pd.DataFrame:
    """Stage-matched friction of every touchpoint, with a composite score.

    Among the decided journeys that reached a touchpoint's stage, the failure risk of
    those that visited it is compared with the risk of those that did not.

    Parameters
    ----------
    log : EventLog
        The event log (its stages come from a journey map, a stage column or inference;
        see ``stage_source``).
    min_support : int, default 30
        Fewest journeys on each side (visited / not visited) for the comparison; below
        it the statistics are NaN and ``supported`` is False.

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint, sorted by ``friction_score`` (largest first; outcome
        steps last), then touchpoint:

        - ``touchpoint``, ``stage``, ``stage_source`` (``"journey"``, ``"column"`` or
          ``"inferred"``);
        - ``outcome_step``: the touchpoint decides the outcome itself (not scored);
        - ``journeys``: decided journeys that visited it;
        - ``reached_stage``: decided journeys that reached its stage;
        - ``failures_visited``, ``failures_not_visited``: failures on each side (-1 for
          outcome steps);
        - ``risk_visited``, ``risk_not_visited``: failure risk on each side;
        - ``risk_ratio`` with ``risk_ratio_low`` / ``risk_ratio_high``: risk_visited /
          risk_not_visited and its 95 % interval (log method, Katz 1978; 0.5 added to
          every cell when one is 0; see :func:`risk_ratio`);
        - ``p_value``: two-sided Fisher exact test of the 2×2 table;
        - ``q_value``: Benjamini–Hochberg adjusted p-value over the supported rows;
        - ``supported``: both sides have at least ``min_support`` journeys;
        - ``exit_share``: share of failed journeys whose last step (outcome steps aside)
          was this touchpoint;
        - ``repeat_rate``: share of visiting journeys that visited it twice or more
          (loops);
        - ``median_dwell_s``, ``p95_dwell_s``: time from its events to the next event of
          the journey (seconds; the last event of a journey has no dwell);
        - ``stage_median_dwell_s``: median dwell of all events of its stage;
        - ``dwell_ratio``: median_dwell_s / stage_median_dwell_s;
        - ``excess_risk``: ``1 - 1 / risk_ratio`` clipped to [0, 1] (the share of the
          visitors' failure risk above the comparison risk), 0 when not supported;
        - ``friction_score``: ``0.6 excess_risk + 0.2 exit_share + 0.2 repeat_rate``
          (weights :data:`FRICTION_WEIGHTS`; in [0, 1]; NaN for outcome steps).

    Raises
    ------
    ValidationError
        All journeys are open, or a bad ``min_support``.

    Notes
    -----
    A touchpoint alone in its stage (or visited by every journey reaching it) has no
    comparison group: its risk ratio is NaN and ``supported`` False.

    Examples
    --------
    >>> from frictionkit.datasets import simulate_journeys
    >>> from frictionkit.events import EventLog
    >>> df = simulate_journeys(4000, seed=3)
    >>> log = EventLog.from_frame(df, case_col="case_id", touchpoint_col="touchpoint",
    ...     timestamp_col="timestamp", stage_col="stage", outcome_col="outcome",
    ...     strict=False)
    >>> log.friction()[["touchpoint", "risk_ratio", "supported"]].head(3).round(2)
          touchpoint  risk_ratio  supported
    0  payment_error        2.93       True
    1           cart        1.79       True
    2        support        1.53       True
    """
    support = _check_min_support(min_support)
    paths = _decided_paths(log, "friction")
    k = len(log.touchpoints)
    n_st = len(log.stages)
    tp_stage = log.touchpoint_stage
    tp = paths.tp
    off = paths.offsets
    n_j = len(off) - 1
    fail = paths.outcome == FAILURE
    lengths = np.diff(off)
    jj = np.repeat(np.arange(n_j, dtype=_INT), lengths)
    # visits per (journey, touchpoint), outcome steps left out
    pair_j, pair_t, visits = _pair_counts(jj, tp, n_j, k)
    journeys = np.bincount(pair_t, minlength=k)
    fail_vis = np.bincount(pair_t, weights=fail[pair_j], minlength=k)
    repeats = np.bincount(pair_t, weights=visits >= 2, minlength=k)
    # journeys reaching each stage (furthest stage >= it); empty journeys reach none
    has = lengths > 0
    furthest = np.maximum.reduceat(tp_stage[tp], off[:-1][has]) if has.any() else tp[:0]
    hist = np.bincount(furthest, minlength=n_st)
    hist_f = np.bincount(furthest, weights=fail[has], minlength=n_st)
    reach = np.cumsum(hist[::-1])[::-1]
    reach_f = np.cumsum(hist_f[::-1])[::-1]
    n1 = journeys.astype(float)
    a = fail_vis
    n0 = reach[tp_stage] - n1
    c = reach_f[tp_stage] - a
    supported = (n1 >= support) & (n0 >= support) & ~paths.outcome_step
    rr, low, high = risk_ratio(a, n1, c, n0)
    p = np.full(k, np.nan)
    idx = np.flatnonzero(supported)
    p[idx] = fisher_exact_p(a[idx], n1[idx], a[idx] + c[idx], n1[idx] + n0[idx])
    for arr in (rr, low, high):
        arr[~supported] = np.nan
    step = paths.outcome_step
    with np.errstate(divide="ignore", invalid="ignore"):
        risk_v = np.where((n1 > 0) & ~step, a / n1, np.nan)
        risk_n = np.where((n0 > 0) & ~step, c / n0, np.nan)
        repeat_rate = np.where(journeys > 0, repeats / journeys, np.nan)
    # exit: last step (outcome steps aside) of each failed journey
    exit_j = fail & has
    exits = np.bincount(tp[off[1:][exit_j] - 1], minlength=k)
    n_fail = int(fail.sum())
    exit_share = exits / n_fail if n_fail else np.zeros(k)
    # dwell: time to the next event of the same journey (outcome steps included)
    ev = paths.event_all
    ja = np.repeat(np.arange(n_j, dtype=_INT), np.diff(paths.offsets_all))
    inner = np.flatnonzero(ja[1:] == ja[:-1])
    tpa = log.event_touchpoint[ev]
    ts = log.event_timestamp_ns[ev]
    gap = ts[inner + 1] - ts[inner]
    q = int_group_quantiles(tpa[inner], gap, k, (0.5, 0.95)) / 1e9
    stage_q = int_group_quantiles(tp_stage[tpa[inner]], gap, n_st, (0.5,))[:, 0] / 1e9
    stage_med = stage_q[tp_stage]
    with np.errstate(divide="ignore", invalid="ignore"):
        dwell_ratio = np.where(stage_med > 0, q[:, 0] / stage_med, np.nan)
        excess = np.where(supported, np.clip(1 - 1 / rr, 0.0, 1.0), 0.0)
    w_risk, w_exit, w_rep = FRICTION_WEIGHTS
    score = w_risk * excess + w_exit * exit_share + w_rep * np.nan_to_num(repeat_rate)
    score = np.where(paths.outcome_step, np.nan, score)
    out = pd.DataFrame(
        {
            "touchpoint": pd.Series(log.touchpoints, dtype=object),
            "stage": pd.Series([log.stages[s] for s in tp_stage.tolist()], dtype=object),
            "stage_source": log.stage_source,
            "outcome_step": paths.outcome_step,
            "journeys": paths.visitors_all,
            "reached_stage": reach[tp_stage].astype(_INT),
            "failures_visited": np.where(step, -1, a).astype(_INT),
            "failures_not_visited": np.where(step, -1, c).astype(_INT),
            "risk_visited": risk_v,
            "risk_not_visited": risk_n,
            "risk_ratio": rr,
            "risk_ratio_low": low,
            "risk_ratio_high": high,
            "p_value": p,
            "q_value": benjamini_hochberg(p),
            "supported": supported,
            "exit_share": exit_share,
            "repeat_rate": repeat_rate,
            "median_dwell_s": q[:, 0],
            "p95_dwell_s": q[:, 1],
            "stage_median_dwell_s": stage_med,
            "dwell_ratio": dwell_ratio,
            "excess_risk": excess,
            "friction_score": score,
        }
    )
    order = np.lexsort(
        (out["touchpoint"].to_numpy(dtype=object), -np.nan_to_num(score, nan=-np.inf))
    )
    return out.iloc[order].reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# failure patterns
# ---------------------------------------------------------------------------------------
def failure_patterns(log: EventLog, *, max_len: int = 3, min_support: int = 30) -> pd.DataFrame:
    """Sub-routes over-represented in failing journeys, against journeys at their first step.

    Every run of 2 to ``max_len`` consecutive touchpoints of a decided journey (loops
    included, such as ``checkout → payment_error → checkout``) is a pattern. Journeys
    with the pattern are compared with the decided journeys that visited the pattern's
    first touchpoint without following the pattern (not with all journeys: reaching the
    first step is the matching).

    Parameters
    ----------
    log : EventLog
        The event log.
    max_len : int, default 3
        Longest pattern (2 or more; the number of touchpoints limits it, see Raises).
    min_support : int, default 30
        Fewest journeys on each side (with the pattern / comparison); patterns below it
        are left out of the table.

    Returns
    -------
    pandas.DataFrame
        One row per supported pattern, sorted by ``excess_failures`` (largest first),
        then ``q_value``, then pattern:

        - ``pattern`` (tuple of touchpoints), ``pattern_text`` (joined by ``" → "``),
          ``length``;
        - ``journeys``: decided journeys containing it (``support``);
        - ``failures``: those that failed; ``failure_rate``;
        - ``comparison_journeys``, ``comparison_failure_rate``: decided journeys that
          visited the first step without the pattern, and their failure rate;
        - ``odds_ratio`` with ``odds_ratio_low`` / ``odds_ratio_high``: odds of failure
          with the pattern against the comparison, 0.5 added to every cell
          (Haldane–Anscombe prior), Woolf 95 % interval;
        - ``p_value``: one-sided Fisher exact test (hypergeometric upper tail: failures
          at least as many as observed), ``q_value``: Benjamini–Hochberg over the rows;
        - ``excess_failures``: ``failures - journeys * comparison_failure_rate``, the
          failures beyond what the comparison rate predicts: the ranking score.

    Raises
    ------
    ValidationError
        All journeys are open; ``max_len`` below 2, above 10, or so large that
        patterns cannot be coded in 62 bits; a bad ``min_support``.

    Examples
    --------
    >>> from frictionkit.datasets import simulate_journeys
    >>> from frictionkit.events import EventLog
    >>> df = simulate_journeys(4000, seed=3)
    >>> log = EventLog.from_frame(df, case_col="case_id", touchpoint_col="touchpoint",
    ...     timestamp_col="timestamp", outcome_col="outcome", strict=False)
    >>> log.failure_patterns(max_len=2)["pattern_text"].iloc[0]
    'payment → payment_error'
    """
    support = _check_min_support(min_support)
    if isinstance(max_len, bool) or not isinstance(max_len, (int, np.integer)):
        raise InputTypeError(
            f"max_len must be a whole number, got {max_len!r}", field="max_len", value=max_len
        )
    k = len(log.touchpoints)
    if not 2 <= max_len <= 10 or (k + 1) ** int(max_len) >= _MAX_CODE:
        raise ValidationError(
            f"max_len must be between 2 and 10 (and (touchpoints + 1) ** max_len < 2**62), "
            f"got {max_len} with {k} touchpoints",
            field="max_len",
            value=max_len,
            hint="Patterns of 2 to 4 steps are the readable ones; e.g. max_len=3",
        )
    length = int(max_len)
    paths = _decided_paths(log, "failure_patterns")
    tp = paths.tp
    off = paths.offsets
    n_j = len(off) - 1
    fail = paths.outcome == FAILURE
    jj = np.repeat(np.arange(n_j, dtype=_INT), np.diff(off))
    base = np.int64(k + 1)
    digit = tp + 1  # digits 1..k, so patterns of different lengths never share a code
    codes_list, starts_list, lens_list = [], [], []
    code = digit.copy()
    for m in range(2, length + 1):
        n_ok = len(tp) - (m - 1)
        if n_ok <= 0:
            break
        code = code[:n_ok] * base + digit[m - 1 :]
        ok = jj[m - 1 :] == jj[:n_ok]
        idx = np.flatnonzero(ok)
        codes_list.append(code[idx])
        starts_list.append(idx)
        lens_list.append(np.full(len(idx), m, dtype=_INT))
    empty = _empty_patterns()
    if not codes_list or sum(len(c) for c in codes_list) == 0:
        return empty
    codes = np.concatenate(codes_list)
    first_ev = np.concatenate(starts_list)
    lens = np.concatenate(lens_list)
    inv_raw, uniq_raw = pd.factorize(codes)
    inv = inv_raw.astype(_INT)
    uniq = np.asarray(uniq_raw, dtype=_INT)
    n_pat = len(uniq)
    pj = pd.unique(jj[first_ev] * np.int64(n_pat) + inv)
    p_pat, p_j = pj % n_pat, pj // n_pat
    journeys = np.bincount(p_pat, minlength=n_pat)
    failures = np.bincount(p_pat, weights=fail[p_j], minlength=n_pat)
    # first step of each pattern: journeys (and failures) that visited it
    rep = np.empty(n_pat, dtype=_INT)
    rep[inv[::-1]] = np.arange(len(inv) - 1, -1, -1, dtype=_INT)
    first_tp = tp[first_ev[rep]]
    pat_len = lens[rep]
    vis_j, vis_t, _ = _pair_counts(jj, tp, n_j, k)
    t_journeys = np.bincount(vis_t, minlength=k)
    t_fail = np.bincount(vis_t, weights=fail[vis_j], minlength=k)
    n1 = journeys.astype(float)
    a = failures
    n0 = t_journeys[first_tp] - n1
    c = t_fail[first_tp] - a
    keep = (n1 >= support) & (n0 >= support)
    if not keep.any():
        return empty
    sel = np.flatnonzero(keep)
    n1, a, n0, c = n1[sel], a[sel], n0[sel], c[sel]
    odds, low, high = odds_ratio_prior(a, n1 - a, c, n0 - c)
    p = fisher_exact_p(a, n1, a + c, n1 + n0, "greater")
    rate0 = c / n0
    excess = a - n1 * rate0
    # decode the patterns of the kept rows
    names = np.asarray(log.touchpoints, dtype=object)
    plen = pat_len[sel]
    digits = np.zeros((len(sel), length), dtype=_INT)
    rest = uniq[sel].copy()
    for j in range(length - 1, -1, -1):
        digits[:, j] = rest % base
        rest //= base
    patterns = []
    for row, m in zip(digits.tolist(), plen.tolist(), strict=True):
        patterns.append(tuple(names[d - 1] for d in row[length - m :]))
    out = pd.DataFrame(
        {
            "pattern": pd.Series(patterns, dtype=object),
            "pattern_text": pd.Series([ARROW.join(x) for x in patterns], dtype=object),
            "length": plen.astype(_INT),
            "journeys": n1.astype(_INT),
            "failures": a.astype(_INT),
            "failure_rate": a / n1,
            "comparison_journeys": n0.astype(_INT),
            "comparison_failure_rate": rate0,
            "odds_ratio": odds,
            "odds_ratio_low": low,
            "odds_ratio_high": high,
            "p_value": p,
            "q_value": benjamini_hochberg(p),
            "excess_failures": excess,
        }
    )
    order = np.lexsort(
        (out["pattern_text"].to_numpy(dtype=object), out["q_value"].to_numpy(), -excess)
    )
    return out.iloc[order].reset_index(drop=True)


def _empty_patterns() -> pd.DataFrame:
    cols = {
        "pattern": object,
        "pattern_text": object,
        "length": _INT,
        "journeys": _INT,
        "failures": _INT,
        "failure_rate": float,
        "comparison_journeys": _INT,
        "comparison_failure_rate": float,
        "odds_ratio": float,
        "odds_ratio_low": float,
        "odds_ratio_high": float,
        "p_value": float,
        "q_value": float,
        "excess_failures": float,
    }
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in cols.items()})


# ---------------------------------------------------------------------------------------
# Markov chain
# ---------------------------------------------------------------------------------------
def markov(log: EventLog) -> MarkovModel:
    """The absorbing Markov chain of the log's decided journeys.

    Transition counts are the number of times each transition occurs (a loop counts
    every time round), built from the events of decided journeys up to their outcome
    (open journeys are left out and counted in ``n_open``). Outcome steps (touchpoints
    listed in ``success=`` / ``failure=``) are the absorbing states themselves: a journey
    ``visit → buy`` with ``success="buy"`` is ``START → visit → SUCCESS``. The model keeps the
    distinct routes, so :meth:`MarkovModel.repair_effect` can bootstrap journeys.

    Parameters
    ----------
    log : EventLog
        The event log.

    Returns
    -------
    MarkovModel

    Raises
    ------
    ValidationError
        All journeys are open, or no journey succeeds or none fails.

    Examples
    --------
    >>> import pandas as pd
    >>> from frictionkit.events import EventLog
    >>> df = pd.DataFrame({"c": list("aabbb"), "t": ["x", "buy", "x", "y", "x"],
    ...                    "ts": pd.date_range("2024-01-01", periods=5, freq="min")})
    >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts",
    ...                           success="buy", failure="y")
    >>> model = log.markov()  # the outcome steps buy and y become SUCCESS and FAILURE
    >>> model.states, model.success_probability
    (('START', 'x', 'SUCCESS', 'FAILURE'), 0.5)
    """
    from frictionkit.markov import MarkovModel

    paths = _decided_paths(log, "markov")
    n_open = int((log.journey_outcome == 0).sum())
    return MarkovModel.from_arrays(
        touchpoints=log.touchpoints,
        event_touchpoint=paths.tp,
        offsets=paths.offsets,
        outcome=np.where(paths.outcome == SUCCESS, 1, 2).astype(np.int8),
        n_open=n_open,
    )


def _success_value(log: EventLog, value_per_success: Any) -> float | None:
    if value_per_success is not None:
        return check_bounds(
            as_float(value_per_success, "value_per_success"), "value_per_success", low=0.0
        )
    values = log.journey_value[(log.journey_outcome == SUCCESS) & ~np.isnan(log.journey_value)]
    if len(values) == 0:
        return None
    mean = float(values.mean())
    return mean if math.isfinite(mean) and mean >= 0 else None


def repair_effects(
    log: EventLog,
    *,
    reduce_failure_by: float = 0.5,
    value_per_success: float | None = None,
    bootstrap: int = 0,
    seed: SeedLike = None,
) -> pd.DataFrame:
    """Repair effect of every touchpoint of the log's Markov chain.

    Parameters
    ----------
    log : EventLog
        The event log.
    reduce_failure_by : float in [0, 1], default 0.5
        Share of each touchpoint's direct failures handed to its other successors (see
        :meth:`MarkovModel.repair_effect`).
    value_per_success : float, optional
        Value of one extra success. Default: the mean journey value (``value_col``) of
        the successful journeys that have one; NaN ``extra_value`` when the log has no
        values.
    bootstrap : int, default 0
        Journey resamples for a percentile interval of each delta.
    seed : int or numpy.random.Generator, optional
        Seed of the resampling.

    Returns
    -------
    pandas.DataFrame
        The table of :meth:`MarkovModel.repair_effects` for the decided journeys.

    Examples
    --------
    >>> from frictionkit.datasets import simulate_journeys
    >>> from frictionkit.events import EventLog
    >>> df = simulate_journeys(2000, seed=3)
    >>> log = EventLog.from_frame(df, case_col="case_id", touchpoint_col="touchpoint",
    ...     timestamp_col="timestamp", outcome_col="outcome", strict=False)
    >>> log.repair_effects(reduce_failure_by=1.0)["touchpoint"].iloc[0]
    'payment_error'
    """
    value = _success_value(log, value_per_success)
    return markov(log).repair_effects(
        reduce_failure_by=reduce_failure_by,
        value_per_success=value,
        bootstrap=bootstrap,
        seed=seed,
    )
