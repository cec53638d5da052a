"""The journey map as a table, and pain points derived from the evidence.

:func:`journey_map` lays the journey out stage by stage, touchpoint by touchpoint, and puts
next to each touchpoint what the evidence says: traffic and success from an event log,
the friction score, the satisfaction of survey answers, the declared pain points, and how
the row is backed (``backed_by``). It is the data twin of the journey-map figure.

:func:`derive_pain_points` proposes :class:`~frictionkit.PainPoint` s from the evidence
and measures the declared ones; :func:`accept_pain_points` writes the rows an analyst
accepts back into the journey.

Signals (a touchpoint is proposed when at least one holds)
---------------------------------------------------------
=================  ===================================================  ====================
signal             rule (defaults)                                      reach
=================  ===================================================  ====================
``friction``       stage-matched friction supported, ``q < 0.05`` and   ``risk_visited -
                   risk ratio > 1 (:meth:`EventLog.friction`)           risk_not_visited``
``failure_route``  a failing sub-route ending at the touchpoint,        excess failures per
                   ``q < 0.05``, odds ratio > 1                          journey through it
                   (:meth:`EventLog.failure_patterns`)
``loop``           ``repeat_rate >= 0.15`` and one of the two signals   ``repeat_rate``
                   above (coming back is tied to failing)
``long_wait``      ``dwell_ratio >= 2`` (median dwell twice its         not measured
                   stage's), with ``min_support`` journeys
``low_sat``        mean sentiment ``< 0`` over at least                 share of negative
                   ``min_answers`` answers, or a drop in score when     answers
                   the touchpoint is hit whose Bonferroni interval
                   (95 % over all touchpoints) excludes 0
=================  ===================================================  ====================

The measured **reach** is the largest reach of the signals that hold (clipped to 0-1).

The **severity** (1-5) maps the strength ``s`` of the strongest signal: ``excess_risk``
(``1 - 1 / risk_ratio``) for friction, the excess failure rate of the sub-route, the
repeat rate of a loop, ``(dwell_ratio - 1) / 4`` for a wait, and for satisfaction the
larger of ``-sentiment`` and the drop in CSAT share (NPS drop / 100). Then ``s < 0.1`` is
1, ``< 0.25`` is 2, ``< 0.4`` is 3, ``< 0.6`` is 4, otherwise 5.

The **value at stake** is the Markov repair effect of the touchpoint
(:meth:`EventLog.repair_effects` with ``reduce_failure_by``) times the value per success.

Examples
--------
>>> import frictionkit as fk
>>> table = journey_map(fk.datasets.load_autoparts())
>>> table[["stage", "touchpoint", "pain_points", "backed_by"]].head(3)
       stage     touchpoint      pain_points     backed_by
0  discovery  parts_website  (missing_specs,)  declared only
1  discovery     search_ads               ()  declared only
2  discovery     trade_fair               ()  declared only
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pandas as pd

from frictionkit.exceptions import (
    FrictionkitWarning,
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from frictionkit.model import Journey, PainPoint, Stage, Touchpoint

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events import EventLog
    from frictionkit.feedback import Feedback

__all__ = [
    "SEVERITY_THRESHOLDS",
    "UnmappedEvidenceWarning",
    "accept_pain_points",
    "derive_pain_points",
    "journey_map",
    "to_pain_points",
]

#: Strength thresholds of the severity mapping: severity = 1 + thresholds reached.
SEVERITY_THRESHOLDS: tuple[float, ...] = (0.1, 0.25, 0.4, 0.6)
_OPEN, _SUCCESS, _FAILURE = 0, 1, 2


class UnmappedEvidenceWarning(FrictionkitWarning):
    """Evidence about touchpoints the journey map does not have (left out of the table)."""


# ---------------------------------------------------------------------------------------
# validation and per-touchpoint evidence


def _check_inputs(journey: Any, log: Any, feedback: Any) -> tuple[Journey, Any, Any]:
    from frictionkit.events import EventLog
    from frictionkit.feedback import Feedback

    if log is not None and not isinstance(log, EventLog):
        raise InputTypeError(
            f"log must be a frictionkit EventLog, got {type(log).__name__}",
            field="log",
            value=type(log).__name__,
        )
    if feedback is not None and not isinstance(feedback, Feedback):
        raise InputTypeError(
            f"feedback must be a frictionkit Feedback, got {type(feedback).__name__}",
            field="feedback",
            value=type(feedback).__name__,
            hint="Build it with frictionkit.Feedback.from_frame(...)",
        )
    if journey is None:
        if log is None:
            raise ValidationError(
                "give a journey, or an event log to take the journey's touchpoints from",
                field="journey",
                value=None,
            )
        journey = journey_from_log(log)
    if not isinstance(journey, Journey):
        raise InputTypeError(
            f"journey must be a frictionkit Journey, got {type(journey).__name__}",
            field="journey",
            value=type(journey).__name__,
            hint="Load one with frictionkit.load_journey(path)",
        )
    if feedback is not None and feedback.journey is not journey:
        feedback = feedback.with_journey(journey)  # unknown touchpoints: did-you-mean error
    return journey, log, feedback


def journey_from_log(log: EventLog) -> Journey:
    """A bare journey map from an event log: its stages and touchpoints, nothing declared.

    Touchpoints without a channel get the channel ``"unknown"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from frictionkit.events import EventLog
    >>> df = pd.DataFrame({"c": ["a", "a"], "t": ["x", "y"], "s": ["buy", "buy"],
    ...                    "ts": ["2024-01-01"] * 2})
    >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts",
    ...                           stage_col="s")
    >>> journey_from_log(log)
    Journey(1 stages, 2 touchpoints, 0 personas, 0 owners, 0 pain points, 0 improvements)
    """
    stages = [Stage(id=s) for s in log.stages]
    tps = []
    for i, t in enumerate(log.touchpoints):
        stage = log.stages[int(log.touchpoint_stage[i])]
        tps.append(Touchpoint(id=t, stage=stage, channel=log.channels[i] or "unknown"))
    order = {s: i for i, s in enumerate(log.stages)}
    tps.sort(key=lambda tp: order[tp.stage])
    return Journey(stages=tuple(stages), touchpoints=tuple(tps))


def _ordered_touchpoints(journey: Journey) -> list[Touchpoint]:
    return [tp for st in journey.ids("stages") for tp in journey.touchpoints_in(st)]


def _warn_unmapped(journey: Journey, log: EventLog | None) -> None:
    if log is None:
        return
    known = set(journey.ids("touchpoints"))
    extra = [t for t in log.touchpoints if t not in known]
    if extra:
        shown = ", ".join(repr(t) + did_you_mean(t, sorted(known)) for t in extra[:8])
        warnings.warn(
            f"{len(extra)} touchpoint(s) of the event log are not in the journey map and are "
            f"left out: {shown}" + (" …" if len(extra) > 8 else ""),
            UnmappedEvidenceWarning,
            stacklevel=3,
        )


def _traffic(log: EventLog) -> pd.DataFrame:
    """Journeys visiting each touchpoint, with their successes and failures."""
    k = len(log.touchpoints)
    pairs = np.unique(
        np.asarray(log.event_journey, dtype=np.int64) * k + np.asarray(log.event_touchpoint)
    )
    pj, pt = np.divmod(pairs, k)
    out = np.asarray(log.journey_outcome)[pj]
    journeys = np.bincount(pt, minlength=k)
    succ = np.bincount(pt, weights=(out == _SUCCESS).astype(float), minlength=k)
    fail = np.bincount(pt, weights=(out == _FAILURE).astype(float), minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(succ + fail > 0, succ / (succ + fail), np.nan)
    return pd.DataFrame(
        {
            "touchpoint": list(log.touchpoints),
            "journeys": journeys.astype(np.int64),
            "traffic_share": journeys / max(log.n_journeys, 1),
            "success_rate": rate,
        }
    ).set_index("touchpoint")


def _decided(log: EventLog) -> bool:
    oc = log.outcome_counts
    return oc["success"] + oc["failure"] > 0


def _check_group_size(min_group_size: Any) -> int:
    if min_group_size is None:
        return 0
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, (int, np.integer)):
        raise InputTypeError(
            f"min_group_size must be a whole number or None, got {min_group_size!r}",
            field="min_group_size",
            value=min_group_size,
        )
    if min_group_size < 1:
        raise ValidationError(
            f"min_group_size must be >= 1, got {min_group_size}",
            field="min_group_size",
            value=min_group_size,
        )
    return int(min_group_size)


# ---------------------------------------------------------------------------------------
# journey_map


def journey_map(
    journey: Journey,
    log: EventLog | None = None,
    feedback: Feedback | None = None,
    *,
    min_group_size: int | None = None,
    min_support: int = 30,
) -> pd.DataFrame:
    """The journey map as one tidy table: stages x touchpoints with their evidence.

    Parameters
    ----------
    journey : Journey
        The map: its stages in order, each with its touchpoints as listed.
    log : EventLog, optional
        Events of the journeys (its touchpoint ids are the journey's). Touchpoints of the
        log missing from the map are left out with an :class:`UnmappedEvidenceWarning`.
    feedback : Feedback, optional
        Survey answers; checked against the journey (unknown touchpoints or stages are an
        :class:`~frictionkit.UnknownReferenceError` with a did-you-mean).
    min_group_size : int, optional
        Hide figures resting on fewer journeys (traffic, success rate, friction) or
        answers (satisfaction) than this: they become missing and ``suppressed`` is True.
        Use it before sharing the table (no figure about only a handful of people).
    min_support : int, default 30
        Passed to :meth:`EventLog.friction`.

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint, in journey order: ``stage``, ``stage_position``
        (0-based), ``touchpoint``, ``name``, ``channel``, ``owner``, ``journeys``
        (journeys visiting it; missing without a log), ``traffic_share``,
        ``success_rate`` (successes among its decided journeys), ``friction_score`` and
        ``risk_ratio`` (from :meth:`EventLog.friction`), ``satisfaction`` (sentiment -1..1
        from :meth:`Feedback.emotion_curve`) and ``n_answers``, ``pain_points`` (tuple of
        the declared pain point ids), ``backed_by`` (``"events and answers"``,
        ``"events"``, ``"answers"`` or ``"declared only"``) and ``suppressed``. Figures
        without data are missing, never zero.

    Examples
    --------
    >>> import frictionkit as fk
    >>> from frictionkit.datasets import simulate_journeys
    >>> journey = fk.datasets.load_autoparts()
    >>> events = simulate_journeys(1500, seed=4, journey=journey)
    >>> log = fk.EventLog.from_frame(events, case_col="case_id", touchpoint_col="touchpoint",
    ...     timestamp_col="timestamp", outcome_col="outcome", strict=False, journey=journey)
    >>> table = journey_map(journey, log, min_group_size=10)
    >>> table.loc[0, ["touchpoint", "backed_by"]].tolist()
    ['parts_website', 'events']
    """
    journey, log, feedback = _check_inputs(journey, log, feedback)
    limit = _check_group_size(min_group_size)
    _warn_unmapped(journey, log)
    tps = _ordered_touchpoints(journey)
    ids = [tp.id for tp in tps]
    stage_pos = {s: i for i, s in enumerate(journey.ids("stages"))}
    n = len(tps)
    journeys = pd.array([pd.NA] * n, dtype="Int64")
    share = np.full(n, np.nan)
    success = np.full(n, np.nan)
    fscore = np.full(n, np.nan)
    rr = np.full(n, np.nan)
    sat = np.full(n, np.nan)
    n_ans = np.zeros(n, dtype=np.int64)
    has_events = np.zeros(n, dtype=bool)
    if log is not None:
        traffic = _traffic(log).reindex(ids)
        counts = traffic["journeys"].to_numpy(dtype=np.float64)
        has_events = np.nan_to_num(counts) > 0
        journeys = pd.array([int(c) if math.isfinite(c) else 0 for c in counts], dtype="Int64")
        share = np.array(np.nan_to_num(traffic["traffic_share"].to_numpy(dtype=np.float64)))
        success = np.array(traffic["success_rate"].to_numpy(dtype=np.float64))
        if _decided(log):
            fr = log.friction(min_support=min_support).set_index("touchpoint").reindex(ids)
            fscore = np.array(fr["friction_score"].to_numpy(dtype=np.float64))
            rr = np.array(fr["risk_ratio"].to_numpy(dtype=np.float64))
    if feedback is not None:
        curve = feedback.emotion_curve(journey)
        curve = curve[curve["touchpoint"].notna()].set_index("touchpoint").reindex(ids)
        n_ans = np.array(curve["n"].fillna(0).to_numpy(dtype=np.int64))
        sat = np.array(curve["sentiment"].to_numpy(dtype=np.float64))
    has_answers = n_ans > 0
    suppressed = np.zeros(n, dtype=bool)
    if limit:
        small_j = has_events & (np.asarray(journeys.to_numpy(dtype=np.float64, na_value=0)) < limit)
        small_a = has_answers & (n_ans < limit)
        for arr in (share, success, fscore, rr):
            arr[small_j] = np.nan
        journeys[small_j] = pd.NA
        sat[small_a] = np.nan
        n_ans = np.where(small_a, 0, n_ans)
        suppressed = small_j | small_a
    backed = np.where(
        has_events & has_answers,
        "events and answers",
        np.where(has_events, "events", np.where(has_answers, "answers", "declared only")),
    )
    return pd.DataFrame(
        {
            "stage": [tp.stage for tp in tps],
            "stage_position": np.array([stage_pos[tp.stage] for tp in tps], dtype=np.int64),
            "touchpoint": ids,
            "name": [tp.label for tp in tps],
            "channel": [tp.channel for tp in tps],
            "owner": [tp.owner for tp in tps],
            "journeys": journeys,
            "traffic_share": share if log is not None else np.full(n, np.nan),
            "success_rate": success,
            "friction_score": fscore,
            "risk_ratio": rr,
            "satisfaction": sat,
            "n_answers": n_ans,
            "pain_points": [tuple(p.id for p in journey.pain_points_at(t)) for t in ids],
            "backed_by": backed.astype(object),
            "suppressed": suppressed,
        }
    )


# ---------------------------------------------------------------------------------------
# derive_pain_points


def _severity(strength: float) -> int:
    if not math.isfinite(strength):
        return 1
    return 1 + sum(strength >= t for t in SEVERITY_THRESHOLDS)


def _f(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v


def _signals_from_log(
    log: EventLog,
    ids: Sequence[str],
    *,
    min_support: int,
    q_max: float,
    min_repeat_rate: float,
    min_dwell_ratio: float,
    reduce_failure_by: float,
    value_per_success: float | None,
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {t: {"signals": [], "evidence": [], "reach": [],
                                          "strength": []} for t in ids}  # fmt: skip
    if not _decided(log):
        return out
    fr = log.friction(min_support=min_support)
    for rec in fr.to_dict("records"):
        t = str(rec["touchpoint"])
        if t not in out or bool(rec["outcome_step"]):
            continue
        d = out[t]
        d.update(
            journeys=int(rec["journeys"]),
            friction_score=_f(rec["friction_score"]),
            risk_ratio=_f(rec["risk_ratio"]),
            q_value=_f(rec["q_value"]),
            repeat_rate=_f(rec["repeat_rate"]),
            dwell_ratio=_f(rec["dwell_ratio"]),
        )
        rv, rn, q = _f(rec["risk_visited"]), _f(rec["risk_not_visited"]), _f(rec["q_value"])
        if bool(rec["supported"]) and q < q_max and _f(rec["risk_ratio"]) > 1:
            d["signals"].append("friction")
            d["reach"].append(max(rv - rn, 0.0))
            d["strength"].append(_f(rec["excess_risk"]))
            d["evidence"].append(
                f"event log: {rv:.0%} of journeys visiting it fail vs {rn:.0%} of those "
                f"reaching its stage without it (risk ratio {_f(rec['risk_ratio']):.2f}, "
                f"95% CI {_f(rec['risk_ratio_low']):.2f}-{_f(rec['risk_ratio_high']):.2f}, "
                f"q={q:.2g}, n={int(rec['journeys'])})"
            )
        if int(rec["journeys"]) >= min_support and _f(rec["dwell_ratio"]) >= min_dwell_ratio:
            d["signals"].append("long_wait")
            d["strength"].append(min(1.0, (_f(rec["dwell_ratio"]) - 1.0) / 4.0))
            d["evidence"].append(
                f"event log: median wait after it {_f(rec['median_dwell_s']):.0f} s, "
                f"{_f(rec['dwell_ratio']):.1f}x its stage's median"
            )
    k = len(log.touchpoints)
    if k >= 2:
        pats = log.failure_patterns(max_len=min(3, k), min_support=min_support)
        pats = pats[(pats["q_value"] < q_max) & (pats["odds_ratio"] > 1)]
        seen: set[str] = set()
        for rec in pats.to_dict("records"):
            t = str(rec["pattern"][-1])
            if t not in out or t in seen or "journeys" not in out[t]:
                continue
            seen.add(t)  # the strongest sub-route per touchpoint (table is ranked)
            d = out[t]
            excess = _f(rec["failure_rate"]) - _f(rec["comparison_failure_rate"])
            d["signals"].append("failure_route")
            d["reach"].append(min(1.0, _f(rec["excess_failures"]) / max(d["journeys"], 1)))
            d["strength"].append(max(excess, 0.0))
            d["evidence"].append(
                f"event log: sub-route {rec['pattern_text']} fails {_f(rec['failure_rate']):.0%}"
                f" vs {_f(rec['comparison_failure_rate']):.0%} (n={int(rec['journeys'])}, "
                f"q={_f(rec['q_value']):.2g})"
            )
    for d in out.values():
        rep = d.get("repeat_rate", math.nan)
        if rep >= min_repeat_rate and {"friction", "failure_route"} & set(d["signals"]):
            d["signals"].append("loop")
            d["reach"].append(rep)
            d["strength"].append(rep)
            d["evidence"].append(f"event log: {rep:.0%} of visiting journeys come back to it")
    rep_eff = log.repair_effects(
        reduce_failure_by=reduce_failure_by, value_per_success=value_per_success
    )
    for rec in rep_eff.to_dict("records"):
        t = str(rec["touchpoint"])
        if t in out:
            out[t].update(
                delta_success_probability=_f(rec["delta_success_probability"]),
                extra_successes=_f(rec["extra_successes"]),
                value_at_stake=_f(rec["extra_value"]),
            )
    return out


def _signals_from_feedback(
    fb: Feedback,
    journey: Journey,
    log: EventLog | None,
    out: dict[str, dict[str, Any]],
    *,
    min_answers: int,
    max_sentiment: float,
) -> None:
    curve = fb.emotion_curve(journey)
    curve = curve[curve["touchpoint"].notna()]
    a = fb.answers
    for rec in curve.to_dict("records"):
        t = str(rec["touchpoint"])
        d = out[t]
        n = int(rec["n"])
        s = _f(rec["sentiment"])
        d.update(satisfaction=s, n_answers=n)
        if n >= min_answers and s < max_sentiment:
            neg = a.loc[a["touchpoint"] == t, "sentiment"].to_numpy(dtype=np.float64)
            d["signals"].append("low_satisfaction")
            d["reach"].append(float(np.mean(neg < 0)))
            d["strength"].append(-s)
            d["evidence"].append(f"survey: sentiment {s:+.2f} over {n} answers about it")
    if log is None or not a["case_id"].notna().any():
        return
    k = max(len(journey.touchpoints), 1)
    hit = fb.by_touchpoint_hit(log, confidence=1.0 - 0.05 / k)  # Bonferroni over touchpoints
    hit = hit[(hit["n_hit"] >= min_answers) & (hit["drop_low"] > 0)]
    if fb.ces_variant == "effort":
        hit = hit[hit["metric"] != "ces"]
    for rec in hit.to_dict("records"):
        t = str(rec["touchpoint"])
        if t not in out:
            continue
        d = out[t]
        scale = 100.0 if rec["metric"] == "nps" else 1.0
        if rec["metric"] in ("csat_mean", "ces"):
            scale = 4.0 if rec["metric"] == "csat_mean" else 6.0
        d["satisfaction_drop"] = _f(rec["drop"])
        if "low_satisfaction" not in d["signals"]:
            d["signals"].append("low_satisfaction")
        d["strength"].append(min(1.0, _f(rec["drop"]) / scale))
        d["evidence"].append(
            f"survey: {rec['metric']} {_f(rec['value_hit']):.2f} for journeys through it vs "
            f"{_f(rec['value_not_hit']):.2f} without (drop {_f(rec['drop']):.2f}, "
            "Bonferroni 95% CI "
            f"{_f(rec['drop_low']):.2f}-{_f(rec['drop_high']):.2f}, n={int(rec['n_hit'])})"
        )


_COLUMNS = (
    "pain_point", "touchpoint", "stage", "status", "signals", "description", "severity",
    "severity_declared", "reach", "reach_declared", "evidence", "journeys", "friction_score",
    "risk_ratio", "q_value", "repeat_rate", "dwell_ratio", "satisfaction", "n_answers",
    "satisfaction_drop", "delta_success_probability", "extra_successes", "value_at_stake",
)  # fmt: skip


def derive_pain_points(
    journey: Journey | None,
    log: EventLog | None = None,
    feedback: Feedback | None = None,
    min_support: int = 30,
    *,
    q_max: float = 0.05,
    min_repeat_rate: float = 0.15,
    min_dwell_ratio: float = 2.0,
    min_answers: int = 10,
    max_sentiment: float = 0.0,
    reduce_failure_by: float = 1.0,
    value_per_success: float | None = None,
) -> pd.DataFrame:
    """Propose pain points from the evidence and measure the declared ones.

    Parameters
    ----------
    journey : Journey or None
        The map. ``None`` takes the stages and touchpoints of ``log`` (nothing declared).
    log : EventLog, optional
        Events: friction, failing sub-routes, loops, waits and the value at stake.
    feedback : Feedback, optional
        Survey answers: low satisfaction at a touchpoint, and (with case ids and a log)
        lower scores of the journeys through it.
    min_support : int, default 30
        Fewest journeys on each side of a comparison (see :meth:`EventLog.friction`).
    q_max : float, default 0.05
        Largest Benjamini-Hochberg q-value of a friction or sub-route signal.
    min_repeat_rate, min_dwell_ratio, min_answers, max_sentiment
        Thresholds of the loop, wait and satisfaction signals (see the module notes).
    reduce_failure_by : float, default 1.0
        Share of the touchpoint's direct failures removed by the repair whose effect is
        the value at stake.
    value_per_success : float, optional
        Value of one extra success; default: the log's mean journey value of successes
        (``value_col``), else the value at stake is missing.

    Returns
    -------
    pandas.DataFrame
        One row per declared pain point (``status="declared"``, keeping its id) and one
        per touchpoint with a signal but no declared pain point (``status="proposed"``,
        id ``<touchpoint>_friction``). Columns: ``pain_point``, ``touchpoint``,
        ``stage``, ``status``, ``signals`` (comma-separated), ``description``,
        ``severity`` (measured, 1-5; the declared one when no signal holds),
        ``severity_declared``, ``reach`` (measured), ``reach_declared``, ``evidence``
        (tuple of texts: declared first, then measured), ``journeys``,
        ``friction_score``, ``risk_ratio``, ``q_value``, ``repeat_rate``,
        ``dwell_ratio``, ``satisfaction``, ``n_answers``, ``satisfaction_drop``,
        ``delta_success_probability``, ``extra_successes``, ``value_at_stake``.
        Rows with a signal come first, ordered by the log's friction score (stage-matched
        risk, exits and repeats), then severity, then reach; rows without a signal last.

    Examples
    --------
    >>> import frictionkit as fk
    >>> from frictionkit.datasets import simulate_journeys
    >>> events = simulate_journeys(4000, seed=2, loop_rate=0.4)  # error step and loop planted
    >>> log = fk.EventLog.from_frame(events, case_col="case_id", touchpoint_col="touchpoint",
    ...     timestamp_col="timestamp", stage_col="stage", outcome_col="outcome", strict=False)
    >>> table = derive_pain_points(None, log, value_per_success=80.0)
    >>> table[["pain_point", "signals", "severity"]].head(2)
                   pain_point                        signals  severity
    0  payment_error_friction        friction, failure_route         5
    1           cart_friction  friction, failure_route, loop         4
    """
    journey, log, feedback = _check_inputs(journey, log, feedback)
    _warn_unmapped(journey, log)
    tps = _ordered_touchpoints(journey)
    ids = [tp.id for tp in tps]
    if log is not None:
        ev = _signals_from_log(
            log, ids, min_support=min_support, q_max=q_max, min_repeat_rate=min_repeat_rate,
            min_dwell_ratio=min_dwell_ratio, reduce_failure_by=reduce_failure_by,
            value_per_success=value_per_success,
        )  # fmt: skip
    else:
        ev = {t: {"signals": [], "evidence": [], "reach": [], "strength": []} for t in ids}
    if feedback is not None:
        _signals_from_feedback(
            feedback, journey, log, ev, min_answers=min_answers, max_sentiment=max_sentiment
        )
    taken = {p.id for p in journey.pain_points} | set(journey.ids("touchpoints"))
    rows: list[dict[str, Any]] = []
    order = {t: i for i, t in enumerate(ids)}
    for tp in tps:
        d = ev[tp.id]
        measured = {
            "journeys": d.get("journeys", pd.NA),
            "friction_score": d.get("friction_score", math.nan),
            "risk_ratio": d.get("risk_ratio", math.nan),
            "q_value": d.get("q_value", math.nan),
            "repeat_rate": d.get("repeat_rate", math.nan),
            "dwell_ratio": d.get("dwell_ratio", math.nan),
            "satisfaction": d.get("satisfaction", math.nan),
            "n_answers": d.get("n_answers", 0),
            "satisfaction_drop": d.get("satisfaction_drop", math.nan),
            "delta_success_probability": d.get("delta_success_probability", math.nan),
            "extra_successes": d.get("extra_successes", math.nan),
            "value_at_stake": d.get("value_at_stake", math.nan),
        }
        has_signal = bool(d["signals"])
        reach = min(1.0, max(d["reach"])) if d["reach"] else math.nan
        severity = _severity(max(d["strength"])) if d["strength"] else None
        declared = journey.pain_points_at(tp.id)
        base = {"touchpoint": tp.id, "stage": tp.stage, "signals": ", ".join(d["signals"])}
        for p in declared:
            rows.append(
                base | measured | {
                    "pain_point": p.id, "status": "declared", "description": p.description,
                    "severity": severity if severity is not None else p.severity,
                    "severity_declared": p.severity, "reach": reach,
                    "reach_declared": math.nan if p.reach is None else p.reach,
                    "evidence": tuple(dict.fromkeys((*p.evidence, *d["evidence"]))),
                    "_signal": has_signal, "_pos": order[tp.id],
                }
            )  # fmt: skip
        if has_signal and not declared:
            pid = f"{tp.id}_friction"
            i = 2
            while pid in taken:
                pid, i = f"{tp.id}_friction_{i}", i + 1
            taken.add(pid)
            rows.append(
                base | measured | {
                    "pain_point": pid, "status": "proposed",
                    "description": f"Evidence of friction at {tp.label}: "
                    + ", ".join(s.replace("_", " ") for s in d["signals"]),
                    "severity": severity, "severity_declared": pd.NA, "reach": reach,
                    "reach_declared": math.nan, "evidence": tuple(d["evidence"]),
                    "_signal": True, "_pos": order[tp.id],
                }
            )  # fmt: skip
    if not rows:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in _COLUMNS})
    table = pd.DataFrame(rows)
    table["_fs"] = table["friction_score"].where(table["_signal"], np.nan).fillna(-1.0)
    table["_reach"] = table["reach"].fillna(-1.0)
    table = table.sort_values(
        ["_signal", "_fs", "severity", "_reach", "_pos", "pain_point"],
        ascending=[False, False, False, False, True, True],
        kind="stable",
    )
    table["severity"] = table["severity"].astype(np.int64)
    table["severity_declared"] = table["severity_declared"].astype("Int64")
    table["journeys"] = table["journeys"].astype("Int64")
    table["n_answers"] = table["n_answers"].astype(np.int64)
    return table[list(_COLUMNS)].reset_index(drop=True)


def to_pain_points(table: pd.DataFrame, ids: Sequence[str] | None = None) -> list[PainPoint]:
    """Turn rows of :func:`derive_pain_points` into :class:`~frictionkit.PainPoint` objects.

    Parameters
    ----------
    table : pandas.DataFrame
        The table returned by :func:`derive_pain_points` (or rows of it).
    ids : sequence of str, optional
        The pain point ids to keep (the analyst's choice); default: every row.

    Returns
    -------
    list of PainPoint
        With the measured severity and reach (the declared reach when none was measured)
        and the evidence texts.

    Examples
    --------
    >>> import pandas as pd
    >>> row = {"pain_point": "x_friction", "touchpoint": "x", "description": "slow",
    ...        "severity": 3, "reach": 0.4, "reach_declared": float("nan"),
    ...        "evidence": ("event log: ...",)}
    >>> to_pain_points(pd.DataFrame([row]))[0].severity
    3
    """
    if not isinstance(table, pd.DataFrame):
        raise InputTypeError(
            f"table must be the DataFrame of derive_pain_points, got {type(table).__name__}",
            field="table",
            value=type(table).__name__,
        )
    needed = ["pain_point", "touchpoint", "description", "severity", "reach", "evidence"]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ValidationError(
            f"table lacks the column(s) {missing}: pass the table of derive_pain_points",
            field="table",
            value=missing,
        )
    rows = table
    if ids is not None:
        wanted = [ids] if isinstance(ids, str) else list(ids)
        known = table["pain_point"].astype(str).tolist()
        for i in wanted:
            if i not in known:
                raise UnknownReferenceError(
                    f"pain point {i!r} is not in the table" + did_you_mean(i, known),
                    field="ids",
                    value=i,
                )
        rows = table[table["pain_point"].isin(wanted)]
    out = []
    for rec in rows.to_dict("records"):
        reach = _f(rec["reach"])
        if not math.isfinite(reach):
            reach = _f(rec.get("reach_declared", math.nan))
        out.append(
            PainPoint(
                id=str(rec["pain_point"]),
                touchpoint=str(rec["touchpoint"]),
                description=str(rec["description"] or ""),
                severity=int(rec["severity"]),
                reach=reach if math.isfinite(reach) else None,
                evidence=tuple(rec["evidence"]),
            )
        )
    return out


def accept_pain_points(
    journey: Journey, table: pd.DataFrame, ids: Sequence[str] | None = None
) -> Journey:
    """A new journey with the accepted rows of :func:`derive_pain_points` written in.

    Declared pain points keep their id, description and personas and take the measured
    severity, reach and evidence; proposed ones are added.

    Parameters
    ----------
    journey : Journey
        The journey the table was derived for.
    table : pandas.DataFrame
        The table of :func:`derive_pain_points`.
    ids : sequence of str, optional
        The pain point ids accepted; default: every row with a signal.

    Returns
    -------
    Journey

    Examples
    --------
    >>> import frictionkit as fk
    >>> j = fk.datasets.load_autoparts()
    >>> table = derive_pain_points(j)
    >>> accept_pain_points(j, table, ["late_delivery"]).pain_point("late_delivery").reach
    0.25
    """
    if not isinstance(journey, Journey):
        raise InputTypeError(
            f"journey must be a frictionkit Journey, got {type(journey).__name__}",
            field="journey",
            value=type(journey).__name__,
        )
    if ids is None and "signals" in table.columns:
        ids = table.loc[table["signals"].astype(str) != "", "pain_point"].astype(str).tolist()
    new = {p.id: p for p in to_pain_points(table, ids)}
    kept = []
    for p in journey.pain_points:
        if p.id in new:
            q = new.pop(p.id)
            kept.append(
                attrs.evolve(
                    p, severity=q.severity, reach=q.reach if q.reach is not None else p.reach,
                    evidence=q.evidence,
                )
            )  # fmt: skip
        else:
            kept.append(p)
    return attrs.evolve(journey, pain_points=(*kept, *new.values()))
