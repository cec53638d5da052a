"""Where :meth:`EventLog.split <frictionkit.events.EventLog.split>` cuts cases into journeys.

A new journey starts at each case's first event, after an inactivity gap longer than
``gap_s`` seconds (a *session*), and, with ``truncate_at_outcome``, right after each
journey's first outcome event. With ``end="failure"`` a journey that ends without an
outcome event fails: its last event carries the failure code, so every analysis reads it
like any failure event (no touchpoint is added). The cuts never drop or reorder an event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from frictionkit.events._kernels import _INT, journey_outcomes
from frictionkit.events._outcomes import FAILURE
from frictionkit.exceptions import InputTypeError, ValidationError, did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events._log import EventLog

__all__ = ["SPLIT_ENDS", "journey_cuts"]

#: What a journey without an outcome event is after a split (``end=``).
SPLIT_ENDS = ("open", "failure")


def journey_cuts(
    log: EventLog, *, gap_s: float | None, truncate_at_outcome: bool, end: str
) -> tuple[np.ndarray, np.ndarray]:
    """Journey offsets after the split, and the per-event outcome codes to keep.

    Parameters
    ----------
    log : EventLog
        A log of single journeys (not compact).
    gap_s, truncate_at_outcome, end
        As in :meth:`EventLog.split <frictionkit.events.EventLog.split>`.

    Returns
    -------
    offsets : ndarray of int64
        Start of each new journey in the event arrays, plus the total.
    event_outcome : ndarray of int8
        The log's outcome codes, with ``end="failure"`` the failure code on the last event
        of each journey that has no outcome event.

    Examples
    --------
    >>> import pandas as pd
    >>> from frictionkit.events import EventLog
    >>> df = pd.DataFrame({"c": ["a"] * 3, "t": ["x", "buy", "x"],
    ...     "ts": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:01", "2024-01-02 09:00"])})
    >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts",
    ...                           success="buy")
    >>> offsets, eo = journey_cuts(log, gap_s=3600, truncate_at_outcome=False, end="failure")
    >>> offsets.tolist(), eo.tolist()
    ([0, 2, 3], [0, 1, 2])
    """
    if end not in SPLIT_ENDS:
        raise ValidationError(
            f"end must be one of {', '.join(map(repr, SPLIT_ENDS))}, got {end!r}"
            + did_you_mean(str(end), SPLIT_ENDS),
            field="end",
            value=end,
            hint='end="failure" makes a journey that ends without success or failure a '
            "failure (a session without a purchase)",
        )
    n = log.n_events
    cut = np.zeros(n, dtype=bool)
    cut[log.journey_offsets[:-1]] = True
    if gap_s is not None:
        from frictionkit._validate import as_float, check_bounds

        gap = check_bounds(as_float(gap_s, "gap_s"), "gap_s", low=0.0)
        same_case = np.r_[
            False,
            log.journey_case[log.event_journey[1:]] == log.journey_case[log.event_journey[:-1]],
        ]
        dt = np.r_[0, np.diff(log.event_timestamp_ns)]
        cut |= same_case & (dt > gap * 1e9)
    if not isinstance(truncate_at_outcome, bool):
        raise InputTypeError(
            f"truncate_at_outcome must be True or False, got {truncate_at_outcome!r}",
            field="truncate_at_outcome",
            value=truncate_at_outcome,
        )
    if truncate_at_outcome:
        # iteratively: after each journey's first outcome event, start a new journey
        while True:
            offsets = np.r_[np.flatnonzero(cut), n].astype(_INT)
            _, deciding = journey_outcomes(log.event_outcome, offsets, "first")
            nxt = deciding[deciding >= 0] + 1
            nxt = nxt[nxt < n]
            nxt = nxt[~cut[nxt]]
            if len(nxt) == 0:
                break
            cut[nxt] = True
    offsets = np.r_[np.flatnonzero(cut), n].astype(_INT)
    event_outcome = log.event_outcome
    if end == "failure" and n:
        outcome, _ = journey_outcomes(event_outcome, offsets, log.when_both)
        event_outcome = event_outcome.copy()
        event_outcome[offsets[1:][outcome == 0] - 1] = FAILURE
    return offsets, event_outcome
