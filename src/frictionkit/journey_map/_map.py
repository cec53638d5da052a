"""The journey map table: one row per touchpoint with its evidence (:func:`journey_map`)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from frictionkit._protocol import plural
from frictionkit.exceptions import (
    InputTypeError,
    UnmappedEvidenceWarning,
    ValidationError,
    did_you_mean,
)
from frictionkit.model import Journey, Stage, Touchpoint
from frictionkit.privacy import check_min_group_size

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events import EventLog
    from frictionkit.feedback import Feedback


#: Strength thresholds of the severity mapping: severity = 1 + thresholds reached.
SEVERITY_THRESHOLDS: tuple[float, ...] = (0.1, 0.25, 0.4, 0.6)
_OPEN, _SUCCESS, _FAILURE = 0, 1, 2


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
            hint=(
                "The journey comes first, the event log second: (journey, log)"
                if isinstance(log, Journey)
                else "Read one with frictionkit.read_events(path, ...)"
            ),
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
        swapped = isinstance(journey, EventLog) and (log is None or isinstance(log, Journey))
        raise InputTypeError(
            f"journey must be a frictionkit Journey, got {type(journey).__name__}",
            field="journey",
            value=type(journey).__name__,
            hint=(
                "The journey comes first, the event log second: (journey, log); pass "
                "journey=None to take the journey's touchpoints from the log"
                if swapped
                else "Load one with frictionkit.load_journey(path)"
            ),
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
    Journey(1 stage, 2 touchpoints, 0 personas, 0 owners, 0 pain points, 0 improvements)
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
            f"{plural(len(extra), 'touchpoint')} of the event log "
            f"{'is' if len(extra) == 1 else 'are'} not in the journey map and "
            f"{'is' if len(extra) == 1 else 'are'} left out: {shown}"
            + (" …" if len(extra) > 8 else ""),
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
    w = log.weights[pj].astype(float)  # journeys per row (compact logs)
    journeys = np.bincount(pt, weights=w, minlength=k).astype(np.int64)
    succ = np.bincount(pt, weights=(out == _SUCCESS) * w, minlength=k)
    fail = np.bincount(pt, weights=(out == _FAILURE) * w, minlength=k)
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
    return check_min_group_size(min_group_size, optional=True) or 0


# ---------------------------------------------------------------------------------------
# journey_map


def journey_map(
    journey: Journey,
    log: EventLog | None = None,
    feedback: Feedback | None = None,
    *,
    min_group_size: int | None = None,
    min_support: int = 30,
    outcome_markers: Sequence[str] | str | None = None,
    adjust_for: Sequence[str] | str | None = None,
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
    outcome_markers, adjust_for : optional
        Passed to :meth:`EventLog.friction` (declared outcome markers; case attributes to
        adjust for), so the verdicts are those of the friction table built with them.

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint, in journey order: ``stage``, ``stage_position``
        (0-based), ``touchpoint``, ``name``, ``channel``, ``owner``, ``journeys``
        (journeys visiting it; missing without a log), ``traffic_share``,
        ``success_rate`` (successes among its decided journeys), ``friction_score``
        (descriptive, ranks nothing), ``risk_ratio`` (stage-matched), ``verdict``,
        ``verdict_rests_on`` (the outcome markers found in the data a friction verdict
        rests on, ``""`` for none) and ``attributable_failures`` with
        ``attributable_failures_low`` / ``_high`` (95 % interval; all from
        :meth:`EventLog.friction`), ``satisfaction`` (sentiment -1..1
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
    verdict: list[Any] = [pd.NA] * n
    rests_on: list[Any] = [pd.NA] * n
    af = np.full(n, np.nan)
    af_low = np.full(n, np.nan)
    af_high = np.full(n, np.nan)
    sat = np.full(n, np.nan)
    n_ans = np.zeros(n, dtype=np.int64)
    has_events = np.zeros(n, dtype=bool)
    hidden_fr = np.zeros(n, dtype=bool)
    if log is not None:
        traffic = _traffic(log).reindex(ids)
        counts = traffic["journeys"].to_numpy(dtype=np.float64)
        has_events = np.nan_to_num(counts) > 0
        journeys = pd.array([int(c) if math.isfinite(c) else 0 for c in counts], dtype="Int64")
        share = np.array(np.nan_to_num(traffic["traffic_share"].to_numpy(dtype=np.float64)))
        success = np.array(traffic["success_rate"].to_numpy(dtype=np.float64))
        if _decided(log):
            # the friction table's own suppression (its visitors are the decided
            # journeys; figures on a small comparison group hidden): one rule everywhere
            fr = log.friction(
                min_support=min_support,
                min_group_size=limit or None,
                outcome_markers=outcome_markers,
                adjust_for=adjust_for,
            )
            if limit:
                fr = fr[fr["suppressed_groups"] == 1]  # the folded row stands for no one
                flags = pd.Series(fr["suppressed"].to_numpy(dtype=bool), index=fr["touchpoint"])
                # folded away (absent) or a figure hidden: the map says so too
                hidden_fr = flags.reindex(ids).fillna(True).to_numpy(dtype=bool)
            fr = fr.set_index("touchpoint").reindex(ids)
            fscore = np.array(fr["friction_score"].to_numpy(dtype=np.float64))
            rr = np.array(fr["risk_ratio"].to_numpy(dtype=np.float64))
            verdict = [v if isinstance(v, str) else pd.NA for v in fr["verdict"]]
            rests_on = [v if isinstance(v, str) else pd.NA for v in fr["verdict_rests_on"]]
            af = np.array(fr["attributable_failures"].to_numpy(dtype=np.float64))
            af_low = np.array(fr["attributable_failures_low"].to_numpy(dtype=np.float64))
            af_high = np.array(fr["attributable_failures_high"].to_numpy(dtype=np.float64))
    if feedback is not None:
        curve = feedback.emotion_curve(journey)
        curve = curve[curve["touchpoint"].notna()].set_index("touchpoint").reindex(ids)
        n_ans = np.array(curve["n"].fillna(0).to_numpy(dtype=np.int64))
        sat = np.array(curve["sentiment"].to_numpy(dtype=np.float64))
    has_answers = n_ans > 0
    suppressed = np.zeros(n, dtype=bool)
    if limit:
        small_j = has_events & (np.asarray(journeys.to_numpy(dtype=np.float64, na_value=0)) < limit)
        small_f = has_events & hidden_fr & ~small_j
        small_a = has_answers & (n_ans < limit)
        for arr in (share, success, fscore, rr, af, af_low, af_high):
            arr[small_j] = np.nan
        verdict = [pd.NA if small else v for v, small in zip(verdict, small_j, strict=True)]
        rests_on = [pd.NA if small else v for v, small in zip(rests_on, small_j, strict=True)]
        journeys[small_j] = pd.NA
        sat[small_a] = np.nan
        n_ans = np.where(small_a, 0, n_ans)
        suppressed = small_j | small_a | small_f
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
            "verdict": pd.Series(verdict, dtype=object),
            "verdict_rests_on": pd.Series(rests_on, dtype=object),
            "attributable_failures": af,
            "attributable_failures_low": af_low,
            "attributable_failures_high": af_high,
            "satisfaction": sat,
            "n_answers": n_ans,
            "pain_points": [tuple(p.id for p in journey.pain_points_at(t)) for t in ids],
            "backed_by": backed.astype(object),
            "suppressed": suppressed,
        }
    )
