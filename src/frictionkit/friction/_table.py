"""Part of :mod:`frictionkit.friction` (see its documentation)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from frictionkit._memory import reuses_memory
from frictionkit._threads import in_background
from frictionkit.estimates import SeedLike, _rng
from frictionkit.events._kinds import with_kind_column
from frictionkit.events._outcomes import FAILURE
from frictionkit.exceptions import (
    ValidationError,
    did_you_mean,
)

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events import EventLog
from frictionkit.events._reductions import decided_paths, pair_counts, stage_reach
from frictionkit.friction._adjust import adjustment_names, journey_groups
from frictionkit.friction._attributable import (
    DRAWS_ATTR,
    Attributable,
    DrawsByTouchpoint,
    attributable_cells,
    attributable_failures,
    grouped_cells,
)
from frictionkit.friction._paths import (
    _check_fdr,
    _check_markers,
    _check_min_support,
    _check_n_boot,
    service_split,
    stored_dwell,
    without_markers,
)
from frictionkit.friction._stats import (
    _INT,
    FRICTION_WEIGHTS,
    benjamini_hochberg,
    e_value,
    fisher_exact_p,
    risk_ratio,
)
from frictionkit.markov._comparison import ENDED_SHARE_MAX
from frictionkit.routes import check_group_size

#: The verdicts of :func:`friction`, in the order the table lists them.
VERDICTS: tuple[str, ...] = ("friction", "helps", "no evidence", "not comparable", "outcome marker")
#: Share of a touchpoint's visitors in one outcome from which it is an outcome marker.
OUTCOME_MARKER_SHARE = 0.98
_COMPARISONS = ("risk set", "never met")


# ---------------------------------------------------------------------------------------
# friction
# ---------------------------------------------------------------------------------------
@reuses_memory
def friction(
    log: EventLog,
    *,
    min_support: int = 30,
    min_group_size: int | None = None,
    n_boot: int = 500,
    seed: SeedLike = 0,
    outcome_markers: Iterable[str] | str | None = None,
    fdr: float = 0.05,
    comparison: str = "risk set",
    adjust_for: Iterable[str] | str | None = None,
    failure_kind: str | None = None,
) -> pd.DataFrame:
    """Attributable failures of every touchpoint, with interval and verdict.

    The **attributable failures** of a touchpoint are the failed journeys among its
    visitors that would have succeeded had they gone on, from where they met it, like
    comparable journeys that did not meet it (epidemiology's attributable number among
    the exposed, estimated by standardisation at the point of exposure; see
    :mod:`frictionkit.friction._attributable` and the Friction concept page). The
    stage-matched risk ratio (visitors against the journeys that reached the stage
    without it) and the descriptive columns are kept beside it.

    Parameters
    ----------
    log : EventLog
        The event log (its stages come from a journey map, a stage column or inference;
        see ``stage_source``).
    min_support : int, default 30
        Fewest journeys on each side (visited / not visited) for the stage-matched
        comparison (below it its statistics are NaN and ``supported`` is False), and
        fewest comparison journeys for a stratum of the attributable failures (below it
        the stratum's visitors are counted in ``visitors_not_comparable``).
    min_group_size : int, optional
        Touchpoints visited by fewer journeys are folded into one ``"other (suppressed)"``
        row at the end by :func:`frictionkit.privacy.suppress_small_groups` (``journeys``
        and ``failures_visited`` summed, other columns missing, a ``suppressed_groups``
        column added). The figures of a shown row that rest on another small group (the
        journeys that skipped it, the comparison journeys) are hidden first by
        :func:`hide_small_comparisons`, as are those of a stage reached by a small group
        fewer than the last stage shown
        (:func:`frictionkit.privacy.hidden_nested_counts`), and ``exit_share``,
        ``repeat_rate`` and ``friction_score`` where the failed journeys that ended at
        the touchpoint, the others, the visitors who repeated it or the others are a
        small group; a ``suppressed`` column flags those rows.
    n_boot : int, default 500
        Bootstrap draws of the interval of the attributable failures (0: no interval).
    seed : int or numpy.random.Generator, default 0
        Seed of the bootstrap; the same seed gives the same table bit for bit.
    outcome_markers : str or iterable of str, optional
        Touchpoints declared outcome markers (a consequence or a sign of the outcome,
        not a cause: e.g. a declined offer); they get that verdict whatever the data say.
    fdr : float in (0, 1), default 0.05
        False discovery rate of the verdicts (Benjamini-Hochberg over the rows).
    comparison : {"risk set", "never met"}, default "risk set"
        The comparison of a stratum ``s``: the journeys that were at ``s`` before
        meeting the touchpoint (or never met it) and went on from ``s`` to another
        step (``"risk set"``), or only the journeys that never met it at all
        (``"never met"``; conditions on the future, so it favours short journeys).
    adjust_for : str or iterable of str, optional
        Case attributes (kept with ``case_cols=`` when the log was built) to adjust for:
        the strata become (step before the first visit, combination of the attributes'
        values), so visitors are compared only with journeys of their own group, and
        the interval and the Cochran-Mantel-Haenszel test run over these finer strata
        (see :mod:`frictionkit.friction._adjust`). Attributes are read as categories:
        a numeric one with more than 20 distinct values, one with missing values, or
        groups with fewer than ``min_support`` decided journeys each on average are
        refused.
    failure_kind : str, optional
        One failure kind of the log (``failure={"declined": [...], ...}``; see
        :attr:`EventLog.outcome_kinds <frictionkit.events.EventLog.outcome_kinds>`). The
        attributable failures of that kind only: journeys that failed in *another* kind are censored
        at their outcome (:meth:`EventLog.with_failure_kind
        <frictionkit.events.EventLog.with_failure_kind>`: neither a success nor a failure of this
        kind, left out like open journeys), so the estimand is the journeys that failed in this kind
        and would have succeeded without the step's harm, among the journeys that ended in success
        or in this kind (a step that drives journeys into another kind is not counted here: see that
        kind). The table gains a ``failure_kind`` column naming the kind. Default: every failure,
        whatever its kind.

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint, sorted by verdict (``friction`` first, outcome steps
        last, every other verdict between), then by ``attributable_failures`` (largest
        first, NaN last), then touchpoint. The decision comes first (``touchpoint``,
        ``stage``, ``verdict``, ``attributable_failures`` and its interval,
        ``verdict_rests_on``), then:

        - ``touchpoint``, ``stage``, ``stage_source`` (``"journey"``, ``"column"`` or
          ``"inferred"``);
        - ``outcome_step``: the touchpoint decides the outcome itself (not scored);
        - ``journeys``: decided journeys that visited it;
        - ``reached_stage``: decided journeys that reached its stage;
        - ``failures_visited``, ``failures_not_visited``: failures on each side (nullable
          ``Int64``; missing for outcome steps, which are not compared);
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
        - ``median_service_s``, ``median_wait_after_s`` (only for a log read with
          ``lifecycle="start_complete"``): the step's own time (start to complete) and the
          wait after it (to the next step's start), which together make the dwell;
        - ``excess_risk``: ``1 - 1 / risk_ratio`` clipped to [0, 1] (the share of the
          visitors' failure risk above the comparison risk), 0 when not supported;
        - ``friction_score``: ``0.6 excess_risk + 0.2 exit_share + 0.2 repeat_rate``
          (weights :data:`FRICTION_WEIGHTS`; in [0, 1]; NaN for outcome steps): a
          descriptive heuristic without a unit, kept for reading; it ranks nothing;
        - ``attributable_failures`` with ``attributable_failures_low`` / ``_high``: the
          estimate over the comparable visitors and its 95 % bootstrap interval (NaN
          when no stratum is comparable and for outcome steps);
        - ``visitors_comparable``, ``visitors_not_comparable``: visitors whose stratum
          has / lacks ``min_support`` comparison journeys;
        - ``expected_failures``: failures the comparable visitors would have had at
          their strata's comparison risks; ``comparison_journeys``: the comparison
          journeys summed over the comparable strata;
        - ``ended_share``: share of the journeys that were where the visitors met the
          touchpoint, did not take it and ended there (visitor-weighted);
        - ``af_p_value``: Cochran-Mantel-Haenszel test over the comparable strata;
          ``af_q_value``: its Benjamini-Hochberg adjustment over the rows;
        - ``standardised_risk_ratio``: failures of the comparable visitors over their
          expected failures; ``e_value``: its E-value (VanderWeele and Ding 2017: how
          strongly an unmeasured confounder would have to be associated with both the
          visit and failure, on the risk-ratio scale, to explain it away; see
          :func:`~frictionkit.friction.e_value`); ``e_value_ci``: the E-value of the
          interval's limit closest to 1, 1 when the interval of attributable failures
          covers 0 (the ratio's interval is ``1 + interval / expected_failures``);
        - ``adjusted_for``: the case attributes adjusted for, comma-separated (``""``:
          none; also in ``table.attrs["adjusted_for"]`` as a tuple);
        - ``verdict``: ``"friction"`` (attributable failures > 0, ``af_q_value <=
          fdr`` and the interval above 0), ``"helps"`` (< 0, significant, the interval
          below 0), ``"no evidence"``, ``"not
          comparable"`` (no comparable stratum, or more than 90 % of the journeys that
          did not take it ended there) or ``"outcome marker"`` (outcome steps,
          declared ``outcome_markers``, and touchpoints at least 98 % of whose
          visitors end in one outcome while the comparison differs significantly);
        - ``verdict_rests_on``: for a ``friction`` verdict that would be ``"not
          comparable"`` were the outcome markers found in the data declared, those
          markers (comma-separated; ``""`` for every other row). Found markers stay
          steps of the paths unless declared, since the data cannot tell a step that
          records the outcome from one that decides it; such a verdict is friction only
          while they count as steps, and the touchpoint may be a consequence of the
          outcome (a reminder sent to those who did not pay) as well as its cause (an
          error just before success): the analyst decides, and declares the markers
          when it is a consequence. ``table.attrs["found_outcome_markers"]`` lists the
          markers found (a tuple).

    Raises
    ------
    ValidationError
        All journeys are open, or a bad ``min_support``, ``n_boot``, ``fdr`` or
        ``comparison``.
    InputTypeError
        A ``seed`` that is not an int, a Generator or None, or a non-integer ``n_boot``.
    UnknownReferenceError
        ``outcome_markers`` naming a touchpoint the log does not have, or
        ``adjust_for`` naming a column that is not a case attribute of the log.
    ValidationError
        ``adjust_for`` naming an attribute with missing values or a continuous one, or
        making too many groups for the data.

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
    >>> table = log.friction()
    >>> table[["touchpoint", "attributable_failures", "verdict"]].head(3).round(1)
          touchpoint  attributable_failures   verdict
    0  payment_error                  477.0  friction
    1           home                  108.0  friction
    2         search                  107.5  friction
    >>> table[["attributable_failures_low", "attributable_failures_high"]].head(1).round(1)
       attributable_failures_low  attributable_failures_high
    0                      454.2                       500.9
    """
    if failure_kind is not None:
        return with_kind_column(
            friction(
                log.with_failure_kind(failure_kind),
                min_support=min_support,
                min_group_size=min_group_size,
                n_boot=n_boot,
                seed=seed,
                outcome_markers=outcome_markers,
                fdr=fdr,
                comparison=comparison,
                adjust_for=adjust_for,
            ),
            failure_kind,
        )
    support = _check_min_support(min_support)
    boots = _check_n_boot(n_boot)
    rng = _rng(seed)
    markers = _check_markers(log, outcome_markers)
    alpha = _check_fdr(fdr)
    if comparison not in _COMPARISONS:
        raise ValidationError(
            f"comparison must be one of {', '.join(map(repr, _COMPARISONS))}, got "
            f"{comparison!r}" + did_you_mean(comparison, _COMPARISONS),
            field="comparison",
            value=comparison,
        )
    adjusted = adjustment_names(log, adjust_for)
    paths = decided_paths(log, "friction")
    k = len(log.touchpoints)
    n_st = len(log.stages)
    tp_stage = log.touchpoint_stage
    tp = paths.tp
    off = paths.offsets
    n_j = len(off) - 1
    fail = paths.outcome == FAILURE
    lengths = np.diff(off)
    wd = np.ones(n_j) if paths.weight is None else paths.weight.astype(float)
    w_cells = None if paths.weight is None else wd
    risk_set = comparison == "risk set"
    # the comparison rule shared with harm removal (frictionkit.markov._comparison): the
    # narrower comparison of a touchpoint's successors where it has min_support journeys
    narrow = max(support, 1)

    # Declared outcome markers are read like outcome steps: their events leave the paths
    # of the comparison, so a journey whose next step is one ended right there (Payment
    # after Create Fine in the fines log; the planted shop's confirmation after
    # order_placed). Markers found from the data (at least OUTCOME_MARKER_SHARE of the
    # visitors in one outcome) get the verdict but stay in the paths: the data alone cannot
    # tell a payment page that confirms success from a step that decides it.
    def estimate_without(
        left_out: np.ndarray, n_boot: int, gen: np.random.Generator
    ) -> Attributable:
        """The estimate with the events of the touchpoints ``left_out`` out of the paths."""
        tp_c, off_c = without_markers(tp, off, left_out)
        if adjusted:
            decided = np.flatnonzero(log.journey_outcome != 0)
            groups, n_groups = journey_groups(log, adjusted, decided, wd, support)
            cells = grouped_cells(
                tp_c, off_c, fail, w_cells, k, groups, n_groups,
                risk_set=risk_set, successors=narrow,
            )  # fmt: skip
        else:
            cells = attributable_cells(
                tp_c, off_c, fail, w_cells, k, risk_set=risk_set, successors=narrow
            )
        out = attributable_failures(cells, k, min_support=support, n_boot=n_boot, rng=gen)
        for arr in out:
            arr.flags.writeable = False  # may be kept with the log (below)
        return out

    def estimate() -> Attributable:
        return estimate_without(markers, boots, rng)

    # the estimate and its draws depend on neither min_group_size nor fdr: kept with the
    # log for a whole-number seed (the same table bit for bit), so the report's friction
    # section and its journey map (which folds small groups) compute it once. On a large
    # log it runs on a worker thread while this one computes the descriptive columns.
    key = None
    if isinstance(seed, int | np.integer) and not isinstance(seed, bool):
        args = (support, boots, int(seed), tuple(np.flatnonzero(markers).tolist()))
        key = f"friction_estimate{(*args, comparison, tuple(adjusted))!r}"
    pending = None if key is not None and key in log._cache else in_background(estimate, tp.size)
    # visits per (journey, touchpoint), outcome steps left out
    journeys, fail_vis, repeats = _visitor_counts(tp, lengths, fail, paths.weight, wd, k)
    # journeys reaching each stage (furthest stage >= it, the funnel's rule: see
    # stage_reach); journeys with only outcome steps reach none
    has = lengths > 0
    furthest_all = stage_reach(log).furthest[log.journey_outcome != 0]
    reached = furthest_all >= 0
    furthest = furthest_all[reached]
    hist = np.bincount(furthest, weights=wd[reached], minlength=n_st).astype(_INT)
    hist_f = np.bincount(furthest, weights=(fail * wd)[reached], minlength=n_st)
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
    compute = estimate if pending is None else pending.result
    res = compute() if key is None else log._memo(key, compute)
    af = np.where(step | markers, np.nan, res.af)
    af_p = np.where(step | markers, np.nan, res.p_value)
    af_q = benjamini_hochberg(af_p)
    verdict = _verdicts(step, markers, res, af, af_q, alpha)
    # markers found in the data stay in the paths (see above); a friction verdict that
    # would be "not comparable" with them declared names them in verdict_rests_on
    found = (verdict == "outcome marker") & ~step & ~markers
    hinges = np.zeros(k, dtype=bool)
    if found.any() and (verdict == "friction").any():

        def declared() -> Attributable:
            return estimate_without(markers | found, 0, np.random.default_rng(0))

        found_key = f"{key}+found{tuple(np.flatnonzero(found).tolist())}"
        alt = declared() if key is None else log._memo(found_key, declared)
        hinges = (verdict == "friction") & ~_comparable(alt)
    found_names = np.asarray(log.touchpoints, dtype=object)[found].tolist()
    gone = step | markers
    with np.errstate(divide="ignore", invalid="ignore"):
        exp = res.expected_failures
        undefined = gone | ((exp <= 0) & (res.failures_comparable <= 0))
        srr = np.where(undefined, np.nan, res.failures_comparable / exp)
        srr_low = np.maximum(1 + res.low / exp, 0.0)
        srr_high = np.maximum(1 + res.high / exp, 0.0)
    ev, ev_ci = e_value(srr, srr_low, srr_high)
    out = pd.DataFrame(
        {
            "touchpoint": pd.Series(log.touchpoints, dtype=object),
            "stage": pd.Series([log.stages[s] for s in tp_stage.tolist()], dtype=object),
            "stage_source": log.stage_source,
            "outcome_step": paths.outcome_step,
            "journeys": paths.visitors_all,
            "reached_stage": reach[tp_stage].astype(_INT),
            "failures_visited": _counts_or_missing(a, step),
            "failures_not_visited": _counts_or_missing(c, step),
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
            "attributable_failures": af,
            "attributable_failures_low": np.where(step, np.nan, res.low),
            "attributable_failures_high": np.where(step, np.nan, res.high),
            "visitors_comparable": np.where(step, 0, res.visitors_comparable).astype(_INT),
            "visitors_not_comparable": np.where(step, 0, res.visitors_not_comparable).astype(_INT),
            "expected_failures": np.where(step, np.nan, res.expected_failures),
            "comparison_journeys": np.where(step, 0, res.comparison_journeys).astype(_INT),
            "ended_share": np.where(step, np.nan, res.ended_share),
            "af_p_value": af_p,
            "af_q_value": af_q,
            "standardised_risk_ratio": srr,
            "e_value": ev,
            "e_value_ci": ev_ci,
            "adjusted_for": ", ".join(adjusted),
            "verdict": pd.Series(verdict, dtype=object),
            "verdict_rests_on": pd.Series(
                np.where(hinges, ", ".join(found_names), ""), dtype=object
            ),
        }
    )
    split = service_split(log)
    if split is not None:  # lifecycle events: the step's own time and the wait after it
        at = list(out.columns).index("dwell_ratio") + 1
        out.insert(at, "median_wait_after_s", split[1])
        out.insert(at, "median_service_s", split[0])
    first = ["touchpoint", "stage", "verdict", "attributable_failures",
             "attributable_failures_low", "attributable_failures_high",
             "verdict_rests_on"]  # fmt: skip
    out = out[first + [c for c in out.columns if c not in first]]  # the decision first
    out.attrs["found_outcome_markers"] = tuple(found_names)
    size = check_group_size(min_group_size)
    if size is not None:
        from frictionkit.privacy import hidden_nested_counts, hide_small_figures

        # stages reached are nested: one a small group below the last shown is hidden too
        # (and so the figures of its touchpoints' not-visited groups)
        hidden = hidden_nested_counts(reach, size)[tp_stage]
        out = hide_small_comparisons(
            out,
            np.where(hidden, 1.0, reach[tp_stage] - n1),
            res.visitors_comparable,
            min_group_size=size,
        )
        # exit share and repeat rate rest on subgroups: the failed journeys that ended
        # here (and the others), the visitors who repeated it (and the others)
        out = hide_small_figures(
            out,
            [
                (exits, ["exit_share", "friction_score"]),
                (np.where(exits > 0, n_fail - exits, 0), ["exit_share", "friction_score"]),
                (repeats, ["repeat_rate", "friction_score"]),
                (journeys - repeats, ["repeat_rate", "friction_score"]),
            ],
            min_group_size=size,
        )
        af = out["attributable_failures"].to_numpy(dtype=np.float64)
        verdict = np.array([v if isinstance(v, str) else "" for v in out["verdict"]])
    rank = np.where(verdict == "friction", 0, np.where(step, 2, 1))
    order = np.lexsort(
        (out["touchpoint"].to_numpy(dtype=object), -np.nan_to_num(af, nan=-np.inf), rank)
    )
    out = out.iloc[order].reset_index(drop=True)
    out.attrs["adjusted_for"] = adjusted
    out.attrs[DRAWS_ATTR] = DrawsByTouchpoint(
        log.touchpoints, np.where((step | markers)[None, :], np.nan, res.draws)
    )
    if size is None:
        return out
    from frictionkit.privacy import suppress_small_groups

    folded = suppress_small_groups(
        out,
        count_col="journeys",
        min_group_size=size,
        label_col="touchpoint",
        sum_cols=["failures_visited"],
    )
    folded["suppressed"] = folded["suppressed"].fillna(True).astype(bool)
    folded.attrs.update(out.attrs)  # adjusted_for and the bootstrap draws
    return folded


#: Columns of :func:`friction` computed from the journeys that reached a touchpoint's
#: stage without visiting it.
NOT_VISITED_COLS: tuple[str, ...] = (
    "reached_stage",
    "failures_not_visited",
    "risk_not_visited",
    "risk_ratio",
    "risk_ratio_low",
    "risk_ratio_high",
    "p_value",
    "q_value",
    "excess_risk",
    "friction_score",
)
#: Columns of :func:`friction` computed from the outcomes of all of a touchpoint's
#: visitors (comparable or not), and the two counts that split them.
ALL_VISITORS_COLS: tuple[str, ...] = (
    "failures_visited",
    "risk_visited",
    "risk_ratio",
    "risk_ratio_low",
    "risk_ratio_high",
    "p_value",
    "q_value",
    "excess_risk",
    "exit_share",
    "friction_score",
    "visitors_comparable",
    "visitors_not_comparable",
)
#: Columns of :func:`friction` computed from the comparison journeys of the
#: attributable failures (and from the comparable visitors).
COMPARISON_COLS: tuple[str, ...] = (
    "attributable_failures",
    "attributable_failures_low",
    "attributable_failures_high",
    "visitors_comparable",
    "visitors_not_comparable",
    "expected_failures",
    "comparison_journeys",
    "ended_share",
    "af_p_value",
    "af_q_value",
    "standardised_risk_ratio",
    "e_value",
    "e_value_ci",
    "verdict",
)


def friction_by_kind(log: EventLog, **options: Any) -> pd.DataFrame:
    """The friction table of each failure kind, one block per kind (a per-kind breakdown).

    For each failure kind of the log (in the order of :attr:`EventLog.outcome_kinds
    <frictionkit.events.EventLog.outcome_kinds>`), :func:`friction` with
    ``failure_kind=`` that kind: the attributable failures of that kind among the journeys
    that ended in success or in that kind (the other kinds censored). A plain log has one
    kind, ``"failure"``.

    Parameters
    ----------
    log : EventLog
        The event log, built with ``failure={"kind": [...], ...}``.
    **options
        The options of :func:`friction` (``min_support``, ``n_boot``, ``seed`` …), the
        same for every kind; not ``failure_kind``.

    Returns
    -------
    pandas.DataFrame
        The blocks one under the other; ``failure_kind`` (second column) names each
        row's kind, ``attrs["failure_kinds"]`` lists the kinds.

    Raises
    ------
    ValidationError
        ``failure_kind`` among the options, or what :func:`friction` raises for a kind.

    Examples
    --------
    >>> import pandas as pd
    >>> from frictionkit.events import EventLog
    >>> df = pd.DataFrame({"c": ["a", "a", "b", "b", "c", "c"],
    ...                    "t": ["x", "buy", "x", "no", "y", "stop"],
    ...                    "ts": ["2024-01-01"] * 6})
    >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts",
    ...     success="buy", failure={"declined": "no", "cancelled": "stop"})
    >>> friction_by_kind(log, min_support=1, n_boot=0)["failure_kind"].unique().tolist()
    ['declined', 'cancelled']
    """
    if "failure_kind" in options:
        raise ValidationError(
            "friction_by_kind() computes every failure kind; it takes no failure_kind",
            field="failure_kind",
            value=options["failure_kind"],
            hint="Use friction(log, failure_kind=...) for one kind",
        )
    kinds = [
        name
        for name, outcome in zip(log.outcome_kinds, log.kind_outcome.tolist(), strict=True)
        if outcome == FAILURE
    ]
    frames = [friction(log, failure_kind=kind, **options) for kind in kinds]
    out = pd.concat(frames, ignore_index=True)
    attrs = {k: v for k, v in frames[0].attrs.items() if k != "failure_kind"}
    out.attrs = {**attrs, "failure_kinds": tuple(kinds)}
    return out


def hide_small_comparisons(
    table: pd.DataFrame,
    not_visited: Any = None,
    visitors_comparable: Any = None,
    *,
    min_group_size: int,
) -> pd.DataFrame:
    """Hide the figures of a friction table that rest on a group too small to show.

    Besides a touchpoint's visitors (folded by ``friction(min_group_size=...)``), its
    row is computed from the journeys that reached its stage without visiting it (the
    risk of that group, the risk ratio, the friction score: :data:`NOT_VISITED_COLS`)
    and from the comparison journeys and comparable visitors of the attributable
    failures (:data:`COMPARISON_COLS`). Where one of these groups has 1 to
    ``min_group_size - 1`` journeys, its figures become missing and ``suppressed`` is
    True (:func:`frictionkit.privacy.hide_small_figures`). A few visitors left out of
    the comparison (``visitors_not_comparable``) hide the figures over all visitors
    (:data:`ALL_VISITORS_COLS`), not the estimate and its verdict.

    Parameters
    ----------
    table : pandas.DataFrame
        A table of :func:`friction`.
    not_visited, visitors_comparable : array-like, optional
        The group sizes per row; by default from the table (``reached_stage -
        journeys``; ``visitors_comparable`` and ``visitors_not_comparable``).
    min_group_size : int
        Smallest group a figure may rest on.

    Returns
    -------
    pandas.DataFrame
    """
    from frictionkit.privacy import hide_small_figures

    if not_visited is None:
        not_visited = table["reached_stage"].to_numpy(dtype=np.float64) - table[
            "journeys"
        ].to_numpy(dtype=np.float64)
    if visitors_comparable is None:
        visitors_comparable = table["visitors_comparable"]
    cmp_cols = [c for c in COMPARISON_COLS if c in table.columns]
    return hide_small_figures(
        table,
        [
            (not_visited, [c for c in NOT_VISITED_COLS if c in table.columns]),
            (table["comparison_journeys"], cmp_cols),
            (visitors_comparable, cmp_cols),
            # a few visitors left out of the comparison: the figures over all visitors
            # (with theirs in) would give their outcomes away against the comparable
            # visitors' figures, so those are hidden, never the estimate and its verdict
            (table["visitors_not_comparable"], [c for c in ALL_VISITORS_COLS if c in table]),
        ],
        min_group_size=min_group_size,
    )


def count_as_steps(names: str, n: int) -> str:
    """``names`` (``n`` found outcome markers) with the verb of ``verdict_rests_on``.

    Examples
    --------
    >>> count_as_steps("confirmation", 1), count_as_steps("a and b", 2)
    ('confirmation counts as a step', 'a and b count as steps')
    """
    return f"{names} counts as a step" if n == 1 else f"{names} count as steps"


def _comparable(res: Attributable) -> np.ndarray:
    """Touchpoints with comparable visitors and a comparison that mostly went on."""
    ended = np.nan_to_num(res.ended_share, nan=1.0)
    out: np.ndarray = (res.visitors_comparable > 0) & (ended <= ENDED_SHARE_MAX)
    return out


def _verdicts(
    step: np.ndarray,
    markers: np.ndarray,
    res: Attributable,
    af: np.ndarray,
    q: np.ndarray,
    alpha: float,
) -> np.ndarray:
    """The verdict of every touchpoint (see :func:`friction`)."""
    sig = np.nan_to_num(q, nan=1.0) <= alpha
    vis = res.visitors_comparable
    with np.errstate(divide="ignore", invalid="ignore"):
        risk = res.failures_comparable / vis
    decided = np.maximum(risk, 1 - risk) >= OUTCOME_MARKER_SHARE
    comparable = _comparable(res)
    out = np.full(len(af), "no evidence", dtype=object)
    # significant after FDR over the rows AND an interval on the same side of 0: a verdict
    # never contradicts the interval shown next to it
    out[sig & (af > 0) & (np.nan_to_num(res.low, nan=-np.inf) > 0)] = "friction"
    out[sig & (af < 0) & (np.nan_to_num(res.high, nan=np.inf) < 0)] = "helps"
    out[comparable & decided & sig] = "outcome marker"
    out[~comparable] = "not comparable"
    out[step | markers] = "outcome marker"
    return out


#: Largest journey x touchpoint table of visit counts for :func:`_visitor_counts`.
_DENSE_VISITS = 50_000_000


def _visitor_counts(
    tp: np.ndarray,
    lengths: np.ndarray,
    fail: np.ndarray,
    weight: np.ndarray | None,
    wd: np.ndarray,
    k: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Journeys visiting each touchpoint, the failed ones, and those visiting it twice or more.

    ``tp`` and ``lengths`` lay out the journeys; ``weight`` the journeys each row stands
    for (None: 1 each), ``wd`` the same as floats. A full log with a small journey x
    touchpoint table counts its cells (the same whole numbers); else the distinct pairs.

    Examples
    --------
    >>> j, f, r = _visitor_counts(np.array([0, 1, 0, 1]), np.array([3, 1]),
    ...     np.array([True, False]), None, np.ones(2), 2)
    >>> j.tolist(), f.tolist(), r.tolist()
    ([1, 2], [1.0, 1.0], [1.0, 0.0])
    """
    n_j = len(lengths)
    if weight is None and n_j * k <= _DENSE_VISITS:
        key = np.repeat(np.arange(0, n_j * k, k, dtype=_INT), lengths)
        key += tp
        visits = np.bincount(key, minlength=n_j * k).reshape(n_j, k)
        del key
        journeys = np.count_nonzero(visits, axis=0).astype(_INT)
        fail_vis = np.count_nonzero(visits[fail], axis=0).astype(float)
        repeats = np.count_nonzero(visits >= 2, axis=0).astype(float)
        return journeys, fail_vis, repeats
    jj = np.repeat(np.arange(n_j, dtype=_INT), lengths)
    pair_j, pair_t, visits = pair_counts(jj, tp, n_j, k)
    journeys = np.bincount(pair_t, weights=wd[pair_j], minlength=k).astype(_INT)
    fail_vis = np.bincount(pair_t, weights=(fail * wd)[pair_j], minlength=k)
    repeats = np.bincount(pair_t, weights=(visits >= 2) * wd[pair_j], minlength=k)
    return journeys, fail_vis, repeats


def _counts_or_missing(counts: np.ndarray, missing: np.ndarray) -> pd.Series:
    """Whole counts as a nullable ``Int64`` column, missing where ``missing`` is set."""
    out = pd.Series(np.asarray(counts).astype(_INT), dtype="Int64")
    out[np.asarray(missing, dtype=bool)] = pd.NA
    return out
