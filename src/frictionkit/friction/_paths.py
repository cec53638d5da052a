"""Part of :mod:`frictionkit.friction` (see its documentation)."""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

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
