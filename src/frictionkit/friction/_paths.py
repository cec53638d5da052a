"""Part of :mod:`frictionkit.friction` (see its documentation)."""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from frictionkit.events._kernels import int_group_quantiles
from frictionkit.exceptions import InputTypeError, ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events import EventLog
from frictionkit.friction._stats import _INT


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
    weight: np.ndarray | None  # journeys per decided row (compact logs), else None


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
    n = len(log.event_touchpoint)
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
    wd = None if log.journey_weight is None else log.journey_weight[decided]
    pj, pt, _ = _pair_counts(jj, tp_all, len(decided), k)
    visitors = np.bincount(pt, weights=None if wd is None else wd[pj], minlength=k)
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
        weight=wd,
    )
    log._cache["decided_paths"] = paths
    return paths


def dwell_ns(log: EventLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Dwell quantiles (ns) per touchpoint and per stage over the decided journeys.

    The dwell of an event is the time to the next event of the same journey, over the
    events of each decided journey up to its cut (outcome steps included); see
    :class:`frictionkit.events._engine.Timings`.

    Returns
    -------
    dwell : pandas.DataFrame
        ``tp``, ``median_ns``, ``p95_ns`` for the touchpoints with at least one dwell.
    stage_dwell : pandas.DataFrame
        ``stage``, ``median_ns`` for the stages with at least one dwell.

    Examples
    --------
    >>> import pandas as pd
    >>> from frictionkit.events import EventLog
    >>> df = pd.DataFrame({"c": ["a", "a"], "t": ["x", "buy"],
    ...                    "ts": ["2024-01-01 10:00", "2024-01-01 10:02"]})
    >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts",
    ...                           success="buy")
    >>> dwell_ns(log)[0]
       tp     median_ns        p95_ns
    0   1  1.200000e+11  1.200000e+11
    """
    log._require_events("dwell_ns")
    k = len(log.touchpoints)
    n_st = len(log.stages)
    if not (log.journey_outcome != 0).any():
        empty = np.zeros(0, dtype=_INT)
        return (
            pd.DataFrame({"tp": empty, "median_ns": [], "p95_ns": []}),
            pd.DataFrame({"stage": empty, "median_ns": []}),
        )
    paths = _decided_paths(log, "dwell")
    ja = np.repeat(np.arange(len(paths.offsets_all) - 1, dtype=_INT), np.diff(paths.offsets_all))
    inner = np.flatnonzero(ja[1:] == ja[:-1])
    ev = paths.event_all
    tpa = log.event_touchpoint[ev]
    ts = log.event_timestamp_ns[ev]
    gap = ts[inner + 1] - ts[inner]
    q = int_group_quantiles(tpa[inner], gap, k, (0.5, 0.95))
    sq = int_group_quantiles(log.touchpoint_stage[tpa[inner]], gap, n_st, (0.5,))[:, 0]
    has = np.flatnonzero(~np.isnan(q[:, 0]))
    has_s = np.flatnonzero(~np.isnan(sq))
    return (
        pd.DataFrame({"tp": has.astype(_INT), "median_ns": q[has, 0], "p95_ns": q[has, 1]}),
        pd.DataFrame({"stage": has_s.astype(_INT), "median_ns": sq[has_s]}),
    )


def stored_dwell(log: EventLog) -> tuple[np.ndarray, np.ndarray]:
    """Dwell quantiles in seconds: ``(k, 2)`` per touchpoint and ``(n_stages,)`` medians."""
    k, n_st = len(log.touchpoints), len(log.stages)
    if log.timings is None:
        dwell, stage_dwell = dwell_ns(log)
    else:
        dwell, stage_dwell = log.timings.dwell, log.timings.stage_dwell
    q = np.full((k, 2), np.nan)
    sq = np.full(n_st, np.nan)
    q[dwell["tp"].to_numpy(dtype=_INT)] = dwell[["median_ns", "p95_ns"]].to_numpy(dtype=float)
    sq[stage_dwell["stage"].to_numpy(dtype=_INT)] = stage_dwell["median_ns"].to_numpy(dtype=float)
    return q / 1e9, sq / 1e9


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
