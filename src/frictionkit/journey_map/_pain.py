"""Pain points derived from the evidence, and their acceptance into a journey."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pandas as pd

from frictionkit.exceptions import (
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from frictionkit.model import Journey, PainPoint

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
