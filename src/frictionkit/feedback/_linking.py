"""Survey answers joined to the journeys of an event log: outcomes and friction touchpoints.

Answers are joined to journeys by case id (compared as text, so ``7`` and ``"7"`` match).
A case split into several journeys (:meth:`frictionkit.events.EventLog.split`) gives an
answer with a timestamp to the last journey that started at or before it, and an answer
without one to the case's last journey. Answers whose case id matches no journey are
reported (``no_journey`` rows and an :class:`UnlinkedAnswersWarning`), never dropped
silently; answers without a case id cannot be joined and are counted as ``no_case``.

Differences between two groups of answers come with a confidence interval (pinned):

- CSAT share: Newcombe's (1998) hybrid score interval (his method 10), built from the two
  Wilson intervals;
- means (CSAT mean, CES): Welch's t interval with Satterthwaite degrees of freedom;
- NPS: normal interval on the sum of the two multinomial variances.

Examples
--------
>>> _newcombe_diff(56, 70, 48, 80, 0.95)  # Newcombe (1998), example (a)
(0.2, 0.0524..., 0.3338...)
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pandas as pd

from frictionkit.exceptions import (
    InputTypeError,
    UnknownReferenceError,
    UnlinkedAnswersWarning,
    ValidationError,
    did_you_mean,
)
from frictionkit.feedback._metrics import (
    FloatArray,
    IntArray,
    _check_confidence,
    _wilson_kernel,
    _z,
)

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events import EventLog
    from frictionkit.feedback._feedback import Feedback

__all__ = ["UnlinkedAnswersWarning"]

_OUTCOME_LABELS = ("open", "success", "failure")
NO_JOURNEY = "no_journey"
NO_CASE = "no_case"


# ---------------------------------------------------------------------------------------
# difference kernels (numbers in, numbers out)


def _newcombe_diff(k1: float, n1: float, k2: float, n2: float, c: float) -> tuple[float, ...]:
    """Difference of two proportions ``k1/n1 - k2/n2`` with Newcombe's hybrid score CI."""
    if n1 <= 0 or n2 <= 0:
        return (math.nan, math.nan, math.nan)
    z = _z(c)
    lo, hi = _wilson_kernel(np.array([k1, k2]), np.array([n1, n2]), z)
    p1, p2 = k1 / n1, k2 / n2
    d = p1 - p2
    low = d - math.sqrt((p1 - lo[0]) ** 2 + (hi[1] - p2) ** 2)
    high = d + math.sqrt((hi[0] - p1) ** 2 + (p2 - lo[1]) ** 2)
    return (d, low, high)


def _welch_diff(x1: FloatArray, x2: FloatArray, c: float) -> tuple[float, float, float]:
    """Difference of two means with Welch's t interval (NaN with fewer than 2 answers)."""
    from scipy import stats

    if x1.size == 0 or x2.size == 0:
        return (math.nan, math.nan, math.nan)
    d = float(x1.mean() - x2.mean())
    if x1.size < 2 or x2.size < 2:
        return (d, math.nan, math.nan)
    a = x1.var(ddof=1) / x1.size
    b = x2.var(ddof=1) / x2.size
    se2 = a + b
    if se2 == 0:
        return (d, d, d)
    df = se2**2 / (a**2 / (x1.size - 1) + b**2 / (x2.size - 1))
    half = float(stats.t.ppf(0.5 + c / 2.0, df)) * math.sqrt(se2)
    return (d, d - half, d + half)


def _nps_diff(x1: FloatArray, x2: FloatArray, c: float) -> tuple[float, float, float]:
    """Difference of two NPS (points) with a normal interval on the summed variances."""
    if x1.size == 0 or x2.size == 0:
        return (math.nan, math.nan, math.nan)

    def parts(x: FloatArray) -> tuple[float, float]:
        pp = float(np.mean(x >= 9.0))
        pd_ = float(np.mean(x <= 6.0))
        return pp - pd_, max(pp + pd_ - (pp - pd_) ** 2, 0.0) / x.size

    m1, v1 = parts(x1)
    m2, v2 = parts(x2)
    d = 100.0 * (m1 - m2)
    half = _z(c) * 100.0 * math.sqrt(v1 + v2)
    return (d, d - half, d + half)


def _metric_value(label: str, x: FloatArray, satisfied_from: float) -> float:
    if x.size == 0:
        return math.nan
    if label == "csat":
        return float(np.mean(x >= satisfied_from))
    if label == "nps":
        return float(100.0 * (np.mean(x >= 9.0) - np.mean(x <= 6.0)))
    return float(x.mean())


def _diff(
    label: str, x1: FloatArray, x2: FloatArray, satisfied_from: float, c: float
) -> tuple[float, ...]:
    """``value(x1) - value(x2)`` with its interval, by the metric's pinned method."""
    if label == "csat":
        k1 = float(np.count_nonzero(x1 >= satisfied_from))
        k2 = float(np.count_nonzero(x2 >= satisfied_from))
        return _newcombe_diff(k1, float(x1.size), k2, float(x2.size), c)
    if label == "nps":
        return _nps_diff(x1, x2, c)
    return _welch_diff(x1, x2, c)


# ---------------------------------------------------------------------------------------
# joining answers to journeys


def _check_log(log: Any) -> EventLog:
    from frictionkit.events import EventLog

    if not isinstance(log, EventLog):
        raise InputTypeError(
            f"log must be a frictionkit EventLog, got {type(log).__name__}",
            field="log",
            value=type(log).__name__,
            hint="Build one with frictionkit.EventLog.from_frame(...)",
        )
    log._require_events("linking answers to journeys")
    return log


def answer_journeys(fb: Feedback, log: EventLog) -> IntArray:
    """Journey code of each answer: ``-1`` no journey for its case id, ``-2`` no case id.

    Raises a :class:`ValidationError` when no answer has a case id (nothing to join).
    """
    a = fb.answers
    case = a["case_id"].to_numpy(dtype=object)
    has_case = np.array([v is not None and not _is_na(v) for v in case], dtype=bool)
    if not has_case.any():
        raise ValidationError(
            "no answer has a case id, so the answers cannot be joined to the journeys of the log",
            field="case_col",
            value=None,
            hint="Pass case_col= to Feedback.from_frame with the case ids of the event log",
        )
    n_j = log.n_journeys
    jc = np.asarray(log.journey_case, dtype=np.int64)
    last = np.full(log.n_cases, -1, dtype=np.int64)
    np.maximum.at(last, jc, np.arange(n_j, dtype=np.int64))
    count = np.bincount(jc, minlength=log.n_cases)
    index = {str(c): i for i, c in enumerate(log.case_ids.tolist())}
    out = np.full(len(a), -2, dtype=np.int64)
    ts = a["timestamp"]
    starts = np.asarray(log.event_timestamp_ns)[np.asarray(log.journey_offsets)[:-1]]
    for i in np.flatnonzero(has_case):
        ci = index.get(str(case[i]), -1)
        if ci < 0:
            out[i] = -1
            continue
        j = int(last[ci])
        if count[ci] > 1 and not pd.isna(ts.iloc[i]):
            t = pd.Timestamp(ts.iloc[i])
            t_ns = (t.tz_convert("UTC").tz_localize(None) if t.tzinfo else t).value
            mine = np.flatnonzero(jc == ci)
            before = mine[starts[mine] <= t_ns]
            j = int(before[-1]) if before.size else int(mine[0])
        out[i] = j
    return out


def _is_na(v: Any) -> bool:
    return not isinstance(v, str) and bool(np.all(pd.isna(v)))


def _warn_unlinked(codes: IntArray, fb: Feedback, stacklevel: int = 3) -> None:
    bad = codes == -1
    if bad.any():
        ids = pd.unique(fb.answers["case_id"].to_numpy(dtype=object)[bad])
        shown = ", ".join(repr(x) for x in ids[:5]) + (" …" if len(ids) > 5 else "")
        warnings.warn(
            f"{int(bad.sum())} answer(s) name {len(ids)} case id(s) that match no journey of "
            f"the log ({shown}); they are reported as {NO_JOURNEY!r}",
            UnlinkedAnswersWarning,
            stacklevel=stacklevel,
        )


def _labels_of(fb: Feedback, csat: str) -> list[str]:
    out: list[str] = []
    for m in fb.metrics:
        if m == "csat":
            if csat in ("share", "both"):
                out.append("csat")
            if csat in ("mean", "both"):
                out.append("csat_mean")
        else:
            out.append(m)
    return out


def _check_csat(csat: Any) -> str:
    if csat not in ("share", "mean", "both"):
        raise UnknownReferenceError(
            f"csat must be 'share', 'mean' or 'both', got {csat!r}"
            + did_you_mean(csat, ("share", "mean", "both")),
            field="csat",
            value=csat,
        )
    return str(csat)


def _grouped(fb: Feedback, group: np.ndarray, name: str, csat: str, c: float) -> pd.DataFrame:
    """``fb.scores(by=name)`` for a per-answer group label (observed groups only)."""
    a = fb.answers.copy()
    key = "_fk_group"
    a[key] = pd.Series(group, index=a.index, dtype=object)
    tmp = attrs.evolve(fb, answers=a, attribute_cols=(*fb.attribute_cols, key), journey=None)
    out = tmp.scores(by=key, csat=csat, confidence=c, include_empty=False)  # type: ignore[arg-type]
    return out.rename(columns={key: name})


def by_outcome(
    fb: Feedback, log: EventLog, *, csat: str = "share", confidence: float = 0.95
) -> pd.DataFrame:
    """Satisfaction of success, failure and open journeys; see :meth:`Feedback.by_outcome`."""
    log = _check_log(log)
    c = _check_confidence(confidence)
    csat = _check_csat(csat)
    codes = answer_journeys(fb, log)
    _warn_unlinked(codes, fb, stacklevel=4)
    jo = np.asarray(log.journey_outcome)
    group = np.array(
        [
            NO_CASE if j == -2 else NO_JOURNEY if j == -1 else _OUTCOME_LABELS[int(jo[j])]
            for j in codes
        ],
        dtype=object,
    )
    table = _grouped(fb, group, "outcome", csat, c)
    order = {"success": 0, "failure": 1, "open": 2, NO_JOURNEY: 3, NO_CASE: 4}
    score = fb.answers["score"].to_numpy(dtype=np.float64)
    metric = fb.answers["metric"].to_numpy(dtype=object)
    rows = []
    for label in _labels_of(fb, csat):
        m = "csat" if label == "csat_mean" else label
        x_s = score[(metric == m) & (group == "success")]
        x_f = score[(metric == m) & (group == "failure")]
        d, lo, hi = _diff(label, x_s, x_f, fb.satisfied_from, c)
        rows.append(
            {"metric": label, "outcome": "success - failure", "value": d, "ci_low": lo,
             "ci_high": hi, "n": int(x_s.size + x_f.size)}
        )  # fmt: skip
    table["_o"] = table["outcome"].map(order)
    metric_order = {m: i for i, m in enumerate(_labels_of(fb, csat))}
    table["_m"] = table["metric"].map(metric_order)
    diff = pd.DataFrame(rows)
    diff["_o"] = 9
    diff["_m"] = diff["metric"].map(metric_order)
    out = pd.concat([table, diff], ignore_index=True)
    out = out.sort_values(["_m", "_o"], kind="stable").drop(columns=["_m", "_o"])
    out["n"] = out["n"].astype(np.int64)
    return out.reset_index(drop=True)


def _visited(log: EventLog, journeys: IntArray) -> tuple[np.ndarray, IntArray]:
    """Boolean matrix (answered journey x touchpoint) of visits, and each journey's row."""
    uniq, row = np.unique(journeys, return_inverse=True)
    ej = np.asarray(log.event_journey)
    keep = np.isin(ej, uniq)
    pos = np.searchsorted(uniq, ej[keep])
    visited = np.zeros((uniq.size, len(log.touchpoints)), dtype=bool)
    visited[pos, np.asarray(log.event_touchpoint)[keep]] = True
    return visited, row.astype(np.int64)


def by_touchpoint_hit(
    fb: Feedback,
    log: EventLog,
    touchpoint: str | None = None,
    *,
    stage_matched: bool = True,
    csat: str = "share",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Scores of journeys that hit a touchpoint vs not; see :meth:`Feedback.by_touchpoint_hit`."""
    log = _check_log(log)
    c = _check_confidence(confidence)
    csat = _check_csat(csat)
    if not isinstance(stage_matched, bool):
        raise InputTypeError(
            f"stage_matched must be True or False, got {stage_matched!r}",
            field="stage_matched",
            value=stage_matched,
        )
    tps = list(log.touchpoints)
    if touchpoint is None:
        chosen = list(range(len(tps)))
    else:
        if touchpoint not in tps:
            raise UnknownReferenceError(
                f"touchpoint {touchpoint!r} is not in the event log"
                + did_you_mean(touchpoint, tps),
                field="touchpoint",
                value=touchpoint,
                hint=f"Touchpoints of the log: {', '.join(map(repr, tps[:15]))}"
                + (" …" if len(tps) > 15 else ""),
            )
        chosen = [tps.index(touchpoint)]
    codes = answer_journeys(fb, log)
    _warn_unlinked(codes, fb, stacklevel=4)
    linked = codes >= 0
    score = fb.answers["score"].to_numpy(dtype=np.float64)[linked]
    metric = fb.answers["metric"].to_numpy(dtype=object)[linked]
    labels = _labels_of(fb, csat)
    cols = ["metric", "touchpoint", "stage", "n_hit", "value_hit", "n_not_hit",
            "value_not_hit", "drop", "drop_low", "drop_high"]  # fmt: skip
    if not linked.any():
        return pd.DataFrame({k: pd.Series([], dtype=object) for k in cols})
    visited, row = _visited(log, codes[linked])
    tp_stage = np.asarray(log.touchpoint_stage)
    # furthest stage reached by each answered journey (stage order of the log)
    furthest = np.where(visited, tp_stage[None, :], -1).max(axis=1)
    rows = []
    for label in labels:
        m = "csat" if label == "csat_mean" else label
        is_m = metric == m
        for k in chosen:
            hit = visited[row, k]
            base = is_m & (furthest[row] >= tp_stage[k]) if stage_matched else is_m
            x_hit = score[is_m & hit]
            x_not = score[base & ~hit]
            d, lo, hi = _diff(label, x_not, x_hit, fb.satisfied_from, c)
            rows.append(
                {
                    "metric": label,
                    "touchpoint": tps[k],
                    "stage": log.stages[int(tp_stage[k])],
                    "n_hit": int(x_hit.size),
                    "value_hit": _metric_value(label, x_hit, fb.satisfied_from),
                    "n_not_hit": int(x_not.size),
                    "value_not_hit": _metric_value(label, x_not, fb.satisfied_from),
                    "drop": d,
                    "drop_low": lo,
                    "drop_high": hi,
                }
            )
    return pd.DataFrame(rows, columns=cols)
