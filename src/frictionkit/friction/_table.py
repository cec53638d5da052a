"""Part of :mod:`frictionkit.friction` (see its documentation)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from frictionkit.events._outcomes import FAILURE

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events import EventLog
from frictionkit.events._reductions import decided_paths, pair_counts
from frictionkit.friction._paths import _check_min_support, stored_dwell
from frictionkit.friction._stats import (
    _INT,
    FRICTION_WEIGHTS,
    benjamini_hochberg,
    fisher_exact_p,
    risk_ratio,
)
from frictionkit.routes import check_group_size


# ---------------------------------------------------------------------------------------
# friction
# ---------------------------------------------------------------------------------------
def friction(
    log: EventLog, *, min_support: int = 30, min_group_size: int | None = None
) -> pd.DataFrame:
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
    min_group_size : int, optional
        Touchpoints visited by fewer journeys are folded into one ``"other (suppressed)"``
        row at the end by :func:`frictionkit.privacy.suppress_small_groups` (``journeys``
        summed, other columns missing, a ``suppressed_groups`` column added).

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
    paths = decided_paths(log, "friction")
    k = len(log.touchpoints)
    n_st = len(log.stages)
    tp_stage = log.touchpoint_stage
    tp = paths.tp
    off = paths.offsets
    n_j = len(off) - 1
    fail = paths.outcome == FAILURE
    lengths = np.diff(off)
    jj = np.repeat(np.arange(n_j, dtype=_INT), lengths)
    wd = np.ones(n_j) if paths.weight is None else paths.weight.astype(float)
    # visits per (journey, touchpoint), outcome steps left out
    pair_j, pair_t, visits = pair_counts(jj, tp, n_j, k)
    journeys = np.bincount(pair_t, weights=wd[pair_j], minlength=k).astype(_INT)
    fail_vis = np.bincount(pair_t, weights=(fail * wd)[pair_j], minlength=k)
    repeats = np.bincount(pair_t, weights=(visits >= 2) * wd[pair_j], minlength=k)
    # journeys reaching each stage (furthest stage >= it); empty journeys reach none
    has = lengths > 0
    furthest = np.maximum.reduceat(tp_stage[tp], off[:-1][has]) if has.any() else tp[:0]
    hist = np.bincount(furthest, weights=wd[has], minlength=n_st).astype(_INT)
    hist_f = np.bincount(furthest, weights=(fail * wd)[has], minlength=n_st)
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
    exits = np.bincount(tp[off[1:][exit_j] - 1], weights=wd[exit_j], minlength=k)
    n_fail = round(float((fail * wd).sum()))
    exit_share = exits / n_fail if n_fail else np.zeros(k)
    # dwell: time to the next event of the same journey (outcome steps included)
    q, stage_q = stored_dwell(log)
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
    out = out.iloc[order].reset_index(drop=True)
    size = check_group_size(min_group_size)
    if size is None:
        return out
    from frictionkit.privacy import suppress_small_groups

    return suppress_small_groups(
        out, count_col="journeys", min_group_size=size, label_col="touchpoint"
    )
