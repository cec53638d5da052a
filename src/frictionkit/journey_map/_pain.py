"""Pain points derived from the evidence, and their acceptance into a journey."""

from __future__ import annotations

import ast
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pandas as pd

from frictionkit._protocol import duration_text
from frictionkit.exceptions import (
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from frictionkit.friction._table import count_as_steps
from frictionkit.friction._value import (
    check_per,
    default_value_per_success,
    period_scale,
    value_column,
    value_table,
)
from frictionkit.model import Journey, PainPoint
from frictionkit.privacy import folded_rows

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events import EventLog
    from frictionkit.feedback import Feedback
from frictionkit.journey_map._map import (
    SEVERITY_THRESHOLDS,
    _check_inputs,
    _decided,
    _ordered_touchpoints,
    _warn_unmapped,
)
from frictionkit.journey_map._waits import _wait_tests

# ---------------------------------------------------------------------------------------
# derive_pain_points


def _severity(strength: float) -> int:
    if not math.isfinite(strength):
        return 1
    return 1 + sum(strength >= t for t in SEVERITY_THRESHOLDS)


#: Highest severity of a touchpoint whose event-log verdict is not ``"friction"``.
MAX_SEVERITY_WITHOUT_FRICTION = 2

#: Verdicts in the order rows are listed (the friction table's order).
_VERDICT_RANK = {"friction": 0, "helps": 1, "no evidence": 1, "not comparable": 1,
                 "outcome marker": 2}  # fmt: skip


def _f(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v


def _proposal_text(label: str, d: dict[str, Any]) -> str:
    """What a proposed pain point rests on; says so when the friction verdict is not friction."""
    signals = ", ".join(s.replace("_", " ") for s in d["signals"])
    verdict = d.get("verdict")
    if verdict is None or verdict == "friction":
        return f"Evidence of friction at {label}: {signals}"
    return f"Signals at {label} (friction verdict: {verdict}): {signals}"


def _rests_on_text(rec: Mapping[Any, Any]) -> str:
    """The caution of a friction verdict that rests on outcome markers found in the data."""
    markers = rec.get("verdict_rests_on")
    if not isinstance(markers, str) or not markers:
        return ""
    n = len(markers.split(", "))
    return (
        f"; friction only while {count_as_steps(markers, n)} of the journey (outcome "
        "markers found in the data): if this step is a consequence of the outcome rather "
        f"than a cause, declare {'it an outcome marker' if n == 1 else 'them outcome markers'}"
    )


def _slug(text: str) -> str:
    """A valid Python identifier from a touchpoint id (``"Send Fine"`` -> ``send_fine``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^0-9a-zA-Z]+", "_", ascii_text).strip("_").lower()
    if not slug:
        slug = "touchpoint"
    if slug[0].isdigit():
        slug = f"tp_{slug}"
    return slug


def _signals_from_log(
    log: EventLog,
    ids: Sequence[str],
    *,
    min_support: int,
    q_max: float,
    min_repeat_rate: float,
    min_dwell_ratio: float,
    min_wait_s: float,
    reduce_failure_by: float | None,
    value_per_success: float | None,
    outcome_markers: Sequence[str] | str | None = None,
    adjust_for: Sequence[str] | str | None = None,
    per: str = "year",
    journeys_per_period: float | None = None,
    currency: str | None = None,
    meta: dict[str, Any] | None = None,
    min_group_size: int | None = None,
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {t: {"signals": [], "evidence": [], "reach": [],
                                          "strength": []} for t in ids}  # fmt: skip
    if not _decided(log):
        return out
    if value_per_success is None:
        value_per_success = default_value_per_success(log)
    try:
        scale, jpp = period_scale(log, per, journeys_per_period)
    except ValidationError:
        if value_per_success is not None:
            raise
        scale, jpp = math.nan, math.nan  # no value to count per period anyway
    oc = log.outcome_counts
    n_decided = max(int(oc["success"] + oc["failure"]), 1)
    fr = log.friction(
        min_support=min_support, fdr=q_max, outcome_markers=outcome_markers,
        adjust_for=adjust_for, min_group_size=min_group_size,
    )  # fmt: skip
    fr = fr[~folded_rows(fr)]  # the folded row stands for no touchpoint
    vt = value_table(log, fr, value_per_success, per=per, scale=scale,
                     journeys_per_period=jpp, currency=currency)  # fmt: skip
    col = value_column(per)
    values = vt.set_index("touchpoint")
    if meta is not None:
        meta.update({str(k): v for k, v in vt.attrs.items()})
    waits: dict[str, float] = {}  # candidate long waits: touchpoint -> threshold (s)
    for rec in fr.to_dict("records"):
        t = str(rec["touchpoint"])
        if t not in out:
            continue
        d = out[t]
        af = _f(rec["attributable_failures"])
        af_lo = _f(rec["attributable_failures_low"])
        af_hi = _f(rec["attributable_failures_high"])
        d.update(
            verdict=str(rec["verdict"]),
            attributable_failures=af,
            attributable_failures_low=af_lo,
            attributable_failures_high=af_hi,
        )
        if bool(rec["outcome_step"]) or rec["verdict"] == "outcome marker":
            continue  # the step is (or reveals) the outcome: no pain point, no value
        failed = _f(rec["failures_visited"])
        d.update(
            journeys=int(rec["journeys"]),
            friction_score=_f(rec["friction_score"]),
            risk_ratio=_f(rec["risk_ratio"]),
            q_value=_f(rec["q_value"]),
            af_q_value=_f(rec["af_q_value"]),
            repeat_rate=_f(rec["repeat_rate"]),
            dwell_ratio=_f(rec["dwell_ratio"]),
            median_dwell_s=_f(rec["median_dwell_s"]),
            median_service_s=_f(rec.get("median_service_s", math.nan)),
            median_wait_after_s=_f(rec.get("median_wait_after_s", math.nan)),
        )
        v = values.loc[t]
        d.update(share=_f(v["share_of_journeys"]), visitors_per_period=_f(v[f"visitors_per_{per}"]))
        if reduce_failure_by is None and rec["verdict"] != "not comparable":
            d.update(
                delta_success_probability=af / n_decided,
                extra_successes=af,
                value_at_stake=_f(v[col]),
                value_at_stake_low=_f(v[f"{col}_low"]),
                value_at_stake_high=_f(v[f"{col}_high"]),
            )
        if rec["verdict"] == "friction":
            d["signals"].append("friction")
            d["reach"].append(max(af, 0.0) / max(int(rec["journeys"]), 1))
            d["strength"].append(max(af, 0.0) / failed if failed > 0 else math.nan)
            d["evidence"].append(
                f"event log: {af:.0f} attributable failures (95% CI {af_lo:.0f} to "
                f"{af_hi:.0f}) among the {failed:.0f} failed of its {int(rec['journeys'])} "
                "visitors, compared with journeys that were where they met it and went on "
                f"without it (q={_f(rec['af_q_value']):.2g}; verdict friction)"
                + _rests_on_text(rec)
            )
        median_dwell = _f(rec["median_dwell_s"])
        if (
            int(rec["journeys"]) >= min_support
            and _f(rec["dwell_ratio"]) >= min_dwell_ratio
            and median_dwell >= min_wait_s
        ):
            stage_median = median_dwell / _f(rec["dwell_ratio"])
            waits[t] = max(min_wait_s, min_dwell_ratio * stage_median)
    for t, test in _wait_tests(log, waits, q_max).items():
        d = out[t]
        d["wait_test"] = test
        if not test["friction"]:
            continue
        d["signals"].append("long_wait")
        d["strength"].append(min(1.0, (d["dwell_ratio"] - 1.0) / 4.0))
        own = d.get("median_service_s", math.nan)
        split = (
            f" (its own time {duration_text(own)}, then "
            f"{duration_text(d['median_wait_after_s'])} before the next step starts)"
            if isinstance(own, float) and math.isfinite(own)
            else ""
        )
        d["evidence"].append(
            f"event log: median wait after it {duration_text(d['median_dwell_s'])}{split}, "
            f"{d['dwell_ratio']:.1f}x its stage's median; visitors who waited over "
            f"{duration_text(test['threshold_s'])} failed {test['rate_long']:.0%} vs "
            f"{test['rate_short']:.0%} (n={test['n_long']} vs {test['n_short']}; risk "
            f"ratio {test['risk_ratio']:.2f}, 95% CI {test['low']:.2f} to {test['high']:.2f}; "
            f"q={test['q_value']:.2g})"
        )
    k = len(log.touchpoints)
    if k >= 2:
        if adjust_for is None:
            pats = log.failure_patterns(
                max_len=min(3, k), min_support=min_support, n_boot=0,
                outcome_markers=outcome_markers,
            )  # fmt: skip
            pats = pats[(pats["q_value"] < q_max) & (pats["odds_ratio"] > 1)]
        else:  # the sub-route must stay friction once adjusted (its verdict)
            pats = log.failure_patterns(
                max_len=min(3, k), min_support=min_support, adjust_for=adjust_for, fdr=q_max,
                outcome_markers=outcome_markers,
            )  # fmt: skip
            pats = pats[pats["verdict"] == "friction"]
        seen: set[str] = set()
        for rec in pats.to_dict("records"):
            t = str(rec["pattern"][-1])
            if t not in out or t in seen or "journeys" not in out[t]:
                continue
            seen.add(t)  # the strongest sub-route per touchpoint (table is ranked)
            d = out[t]
            excess = _f(rec["failure_rate"]) - _f(rec["comparison_failure_rate"])
            d["signals"].append("failure_route")
            excess_n = _f(rec["excess_failures" if adjust_for is None else "attributable_failures"])
            d["reach"].append(min(1.0, excess_n / max(d["journeys"], 1)))
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
    if reduce_failure_by is not None:  # the former valuation, kept for compatibility
        rep_eff = log.repair_effects(
            reduce_failure_by=reduce_failure_by, value_per_success=value_per_success
        )
        for rec in rep_eff.to_dict("records"):
            t = str(rec["touchpoint"])
            if t in out:
                out[t].update(
                    delta_success_probability=_f(rec["delta_success_probability"]),
                    extra_successes=_f(rec["extra_successes"]),
                    value_at_stake=_f(rec["extra_value"]) * scale,
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
    "severity_declared", "reach", "reach_declared", "evidence", "journeys", "verdict",
    "attributable_failures", "attributable_failures_low", "attributable_failures_high",
    "af_q_value", "friction_score", "risk_ratio", "q_value", "repeat_rate", "dwell_ratio",
    "median_dwell_s", "satisfaction", "n_answers", "satisfaction_drop",
    "delta_success_probability", "extra_successes", "visitors_per_period", "value_at_stake",
    "value_at_stake_low", "value_at_stake_high",
)  # fmt: skip
#: Columns whose name carries the period (``value_at_stake`` -> ``value_at_stake_per_year``).
_PER_PERIOD = {
    "visitors_per_period": "visitors_per_{per}",
    "value_at_stake": "value_at_stake_per_{per}",
    "value_at_stake_low": "value_at_stake_per_{per}_low",
    "value_at_stake_high": "value_at_stake_per_{per}_high",
}


def derive_pain_points(
    journey: Journey | None,
    log: EventLog | None = None,
    feedback: Feedback | None = None,
    min_support: int = 30,
    *,
    q_max: float = 0.05,
    min_repeat_rate: float = 0.15,
    min_dwell_ratio: float = 2.0,
    min_wait_s: float = 3600.0,
    min_answers: int = 10,
    max_sentiment: float = 0.0,
    reduce_failure_by: float | None = None,
    value_per_success: float | None = None,
    outcome_markers: Sequence[str] | str | None = None,
    adjust_for: Sequence[str] | str | None = None,
    per: str | None = None,
    journeys_per_period: float | None = None,
    currency: str | None = None,
    min_group_size: int | None = None,
) -> pd.DataFrame:
    """Propose pain points from the evidence and measure the declared ones.

    Parameters
    ----------
    journey : Journey or None
        The map. ``None`` takes the stages and touchpoints of ``log`` (nothing declared).
    log : EventLog, optional
        Events: the friction verdicts and attributable failures, failing sub-routes,
        loops, waits and the value at stake.
    feedback : Feedback, optional
        Survey answers: low satisfaction at a touchpoint, and (with case ids and a log)
        lower scores of the journeys through it.
    min_support : int, default 30
        Fewest journeys on each side of a comparison (see :meth:`EventLog.friction`).
    q_max : float, default 0.05
        Largest Benjamini-Hochberg q-value of a friction verdict (passed to
        :meth:`EventLog.friction` as ``fdr``) or of a sub-route signal.
    min_repeat_rate, min_dwell_ratio, min_answers, max_sentiment
        Thresholds of the loop, wait and satisfaction signals (see the module notes).
    min_wait_s : float, default 3600.0
        Absolute floor of the ``long_wait`` signal: the touchpoint's median dwell must be
        at least this many seconds (one hour) as well as ``min_dwell_ratio`` times its
        stage's median, so that quick automatic steps next to instant ones are not waits;
        and the wait is a signal only when the visitors who waited longer than
        ``max(min_wait_s, min_dwell_ratio x stage median)`` failed more (the wait test of
        :mod:`frictionkit.journey_map`). The dwell is the time to the journey's next
        event: without lifecycle events, the wait after the step.
    reduce_failure_by : float, optional
        Only for compatibility with the former valuation: when given, the value at stake
        (and ``delta_success_probability``, ``extra_successes``) is the first-order
        Markov repair removing this share of the touchpoint's direct failures (per
        period), without an interval. By default the value at stake is the touchpoint's
        **attributable failures** per period times ``value_per_success``, with its 95 %
        interval: the whole harm of the step, as the repair with
        :data:`frictionkit.markov.REDUCE_FAILURE_BY` (1.0) would count it.
    value_per_success : float, optional
        Value of one extra success; default: the mean journey value of the log's
        successful journeys (``value_col``), else the value at stake is missing.
    outcome_markers : str or sequence of str, optional
        Touchpoints that record the outcome rather than cause it (a confirmation page, a
        cancellation notice); passed to :meth:`EventLog.friction` and
        :meth:`EventLog.failure_patterns`, where they get the verdict ``"outcome marker"``
        and count as the end of the journeys they close.
    adjust_for : str or sequence of str, optional
        Case attributes of ``log`` (kept with ``case_cols=``: segment, channel, ...) to
        adjust the friction verdicts, attributable failures and value at stake for;
        passed to :meth:`EventLog.friction` and :meth:`EventLog.failure_patterns`. A step
        that one group meets more often while that group fails more anyway then gets no
        ``friction`` signal, and a sub-route gives the ``failure_route`` signal only when
        its adjusted verdict is ``friction``. The loop and wait signals are not adjusted.
    per : {"year", "quarter", "month", "week", "day"}, optional
        The period the value at stake is counted per; default: the journey's ``period``,
        else ``"year"``. See :func:`frictionkit.friction.value_at_stake`.
    journeys_per_period : float, optional
        Journeys per period when the log is a sample (or compact); default: the log holds
        every journey from its first to its last event.
    currency : str, optional
        Shown with the money; default: the journey's ``currency``.
    min_group_size : int, optional
        Passed to :meth:`EventLog.friction`: touchpoints visited by fewer journeys get no
        friction signal, and figures resting on a smaller group are missing.

    Returns
    -------
    pandas.DataFrame
        One row per declared pain point (``status="declared"``, keeping its id) and one
        per touchpoint with a signal but no declared pain point (``status="proposed"``,
        id ``<touchpoint>_friction`` made a valid Python identifier: lower case, runs of
        other characters replaced by ``_``). Columns: ``pain_point``, ``touchpoint``,
        ``stage``, ``status``, ``signals`` (comma-separated), ``description``,
        ``severity`` (measured, 1-5; the declared one when no signal holds; at most 2
        when the log's verdict is not ``friction``), ``severity_declared``, ``reach``
        (measured: the **share of customers affected**, the decided journeys that visit
        the touchpoint over all decided journeys, in [0, 1]; from a survey alone, the
        share of negative answers about it), ``reach_declared``, ``evidence`` (tuple of
        texts: declared first, then measured), ``journeys``, ``verdict`` (of
        :meth:`EventLog.friction`),
        ``attributable_failures`` with ``attributable_failures_low`` / ``_high`` (95 %
        interval), ``af_q_value``, ``friction_score`` (descriptive, ranks nothing),
        ``risk_ratio`` and ``q_value`` (stage-matched), ``repeat_rate``, ``dwell_ratio``,
        ``median_dwell_s``, ``satisfaction``, ``n_answers``, ``satisfaction_drop``,
        ``delta_success_probability``, ``extra_successes`` (the attributable failures,
        and their share of the decided journeys, counted over the whole log, not per
        period: the per-period figure is ``value_at_stake_per_<per>``), ``visitors_per_<per>``
        (journeys visiting the touchpoint per period) and ``value_at_stake_per_<per>``
        with ``value_at_stake_per_<per>_low`` / ``_high`` (attributable failures per
        period, clipped at 0, times ``value_per_success``: money per period, the
        column's name saying which period). ``attrs`` hold ``period``, ``currency``,
        ``value_per_success``, ``journeys_per_period`` and ``value_draws`` (bootstrap
        draws per touchpoint, see :func:`frictionkit.friction.value_at_stake`).
        Rows with a signal come first, ordered by verdict (``friction`` first, outcome
        markers last) then attributable failures (largest first), severity and reach;
        rows without a signal last.

    Examples
    --------
    >>> import frictionkit as fk
    >>> from frictionkit.datasets import simulate_journeys
    >>> events = simulate_journeys(4000, seed=2, loop_rate=0.4)  # error step and loop planted
    >>> log = fk.EventLog.from_frame(events, case_col="case_id", touchpoint_col="touchpoint",
    ...     timestamp_col="timestamp", stage_col="stage", outcome_col="outcome", strict=False)
    >>> table = derive_pain_points(None, log, value_per_success=80.0)
    >>> table[["pain_point", "verdict", "severity", "attributable_failures"]].head(3).round(1)
                   pain_point   verdict  severity  attributable_failures
    0  payment_error_friction  friction         5                  509.0
    1         search_friction  friction         3                  206.8
    2        support_friction  friction         3                   61.4
    """
    journey, log, feedback = _check_inputs(journey, log, feedback)
    _warn_unmapped(journey, log)
    period = check_per(journey.period or "year" if per is None else per)
    currency = journey.currency if currency is None else currency
    meta: dict[str, Any] = {"period": period, "currency": currency}
    tps = _ordered_touchpoints(journey)
    ids = [tp.id for tp in tps]
    if log is not None:
        ev = _signals_from_log(
            log, ids, min_support=min_support, q_max=q_max, min_repeat_rate=min_repeat_rate,
            min_dwell_ratio=min_dwell_ratio, min_wait_s=min_wait_s,
            reduce_failure_by=reduce_failure_by, value_per_success=value_per_success,
            outcome_markers=outcome_markers, adjust_for=adjust_for, per=period,
            journeys_per_period=journeys_per_period, currency=currency, meta=meta,
            min_group_size=min_group_size,
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
            "verdict": d.get("verdict", pd.NA),
            "attributable_failures": d.get("attributable_failures", math.nan),
            "attributable_failures_low": d.get("attributable_failures_low", math.nan),
            "attributable_failures_high": d.get("attributable_failures_high", math.nan),
            "af_q_value": d.get("af_q_value", math.nan),
            "friction_score": d.get("friction_score", math.nan),
            "risk_ratio": d.get("risk_ratio", math.nan),
            "q_value": d.get("q_value", math.nan),
            "repeat_rate": d.get("repeat_rate", math.nan),
            "dwell_ratio": d.get("dwell_ratio", math.nan),
            "median_dwell_s": d.get("median_dwell_s", math.nan),
            "satisfaction": d.get("satisfaction", math.nan),
            "n_answers": d.get("n_answers", 0),
            "satisfaction_drop": d.get("satisfaction_drop", math.nan),
            "delta_success_probability": d.get("delta_success_probability", math.nan),
            "extra_successes": d.get("extra_successes", math.nan),
            "visitors_per_period": d.get("visitors_per_period", math.nan),
            "value_at_stake": d.get("value_at_stake", math.nan),
            "value_at_stake_low": d.get("value_at_stake_low", math.nan),
            "value_at_stake_high": d.get("value_at_stake_high", math.nan),
        }
        has_signal = bool(d["signals"])
        reach = min(1.0, max(d["reach"])) if d["reach"] else math.nan
        if math.isfinite(d.get("share", math.nan)):
            reach = d["share"]  # the share of customers affected
        strengths = [x for x in d["strength"] if math.isfinite(x)]
        severity = _severity(max(strengths)) if strengths else (1 if d["strength"] else None)
        if severity is not None and d.get("verdict", "friction") != "friction":
            severity = min(severity, MAX_SEVERITY_WITHOUT_FRICTION)
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
            stem = f"{_slug(tp.id)}_friction"
            pid, i = stem, 2
            while pid in taken:
                pid, i = f"{stem}_{i}", i + 1
            taken.add(pid)
            rows.append(
                base | measured | {
                    "pain_point": pid, "status": "proposed",
                    "description": _proposal_text(tp.label, d),
                    "severity": severity, "severity_declared": pd.NA, "reach": reach,
                    "reach_declared": math.nan, "evidence": tuple(d["evidence"]),
                    "_signal": True, "_pos": order[tp.id],
                }
            )  # fmt: skip
    names = {c: _PER_PERIOD[c].format(per=period) if c in _PER_PERIOD else c for c in _COLUMNS}
    if not rows:
        empty = pd.DataFrame({names[c]: pd.Series([], dtype=object) for c in _COLUMNS})
        empty.attrs.update(meta)
        return empty
    table = pd.DataFrame(rows)
    table["_verdict"] = table["verdict"].map(_VERDICT_RANK).fillna(1)
    table["_af"] = pd.to_numeric(table["attributable_failures"], errors="coerce").fillna(-np.inf)
    table["_reach"] = table["reach"].fillna(-1.0)
    table = table.sort_values(
        ["_signal", "_verdict", "_af", "severity", "_reach", "_pos", "pain_point"],
        ascending=[False, True, False, False, False, True, True],
        kind="stable",
    )
    table["severity"] = table["severity"].astype(np.int64)
    table["severity_declared"] = table["severity_declared"].astype("Int64")
    table["journeys"] = table["journeys"].astype("Int64")
    table["verdict"] = table["verdict"].astype(object)
    table["n_answers"] = table["n_answers"].astype(np.int64)
    out = table[list(_COLUMNS)].rename(columns=names).reset_index(drop=True)
    out.attrs.update(meta)
    return out


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
        severity = _f(rec["severity"])
        if not math.isfinite(severity):
            severity = _f(rec.get("severity_declared", math.nan))
        out.append(
            PainPoint(
                id=str(rec["pain_point"]),
                touchpoint=str(rec["touchpoint"]),
                description=_cell_text(rec["description"]),
                severity=int(severity) if math.isfinite(severity) else 1,
                reach=reach if math.isfinite(reach) else None,
                evidence=_evidence_texts(rec["evidence"]),
            )
        )
    return out


def _cell_text(value: Any) -> str:
    """A text cell as text: a missing cell (None, NaN) is empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def _evidence_texts(value: Any) -> tuple[str, ...]:
    """The evidence cell as texts, empty texts dropped.

    A tuple or list as derived, or its text once written to a CSV or a workbook
    (``"('a', 'b')"`` or ``"a; b"``).
    """
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("(", "[")) and text.endswith((")", "]")):
            try:
                parsed = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                parsed = None
            if isinstance(parsed, (tuple, list)):
                return tuple(t for t in (str(x).strip() for x in parsed) if t)
        return tuple(t for t in (x.strip() for x in text.split(";")) if t)
    if isinstance(value, (tuple, list, np.ndarray)):
        return tuple(t for t in (str(x).strip() for x in value if not _is_missing(x)) if t)
    return ()


def _is_missing(x: Any) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def accept_pain_points(
    journey: Journey, table: pd.DataFrame, ids: Sequence[str] | None = None
) -> Journey:
    """A new journey with the accepted rows of :func:`derive_pain_points` written in.

    Declared pain points keep their id, description and personas and take the measured
    severity, reach and evidence; proposed ones are added. The table is taken as it comes
    from :func:`derive_pain_points`, or read back from a CSV file or a workbook (empty
    cells, evidence written as text).

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
    if not isinstance(table, pd.DataFrame):
        raise InputTypeError(
            f"table must be the DataFrame of derive_pain_points, got {type(table).__name__}",
            field="table",
            value=type(table).__name__,
        )
    if ids is None and "signals" in table.columns:
        # a row with a signal; an empty cell may read back as NaN from a CSV
        signals = table["signals"].map(_cell_text).str.strip()
        ids = table.loc[signals != "", "pain_point"].astype(str).tolist()
    elif ids is not None and not isinstance(ids, str):
        ids = [str(i) for i in ids]
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
