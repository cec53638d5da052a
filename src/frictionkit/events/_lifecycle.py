"""Lifecycle events (``schedule`` / ``start`` / ``complete``) at ingest.

Process logs often record several events per activity instance, told apart by a lifecycle
column (XES: ``lifecycle:transition``). Loaded as they are, every activity repeats itself
and the routes are self-loops. :meth:`EventLog.from_frame
<frictionkit.events.EventLog.from_frame>` takes ``lifecycle_col`` and ``lifecycle``
(documented there); the helpers here do the work, and :func:`warn_repeats` issues
:class:`~frictionkit.exceptions.RepeatedTouchpointWarning` when a log looks as if
lifecycle events were left in.

Examples
--------
>>> import numpy as np, pandas as pd
>>> lc = pd.Series(["start", "complete", "COMPLETE"])
>>> keep, service = lifecycle_keep(lc, np.array([0, 0, 1]), np.array([0, 0, 0]),
...                                np.array([0, 60 * 10**9, 0]), "start_complete")
>>> keep.tolist(), service[keep].tolist()
([False, True, True], [60.0, nan])
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from frictionkit.events._kernels import journeys_per_code
from frictionkit.events._options import LIFECYCLE
from frictionkit.exceptions import RepeatedTouchpointWarning, ValidationError, did_you_mean

__all__ = ["lifecycle_keep", "lifecycle_mode", "lifecycle_touchpoints", "warn_repeats"]

#: The XES standard name of the lifecycle attribute (kept by ``read_events``).
XES_LIFECYCLE = "lifecycle:transition"

# A touchpoint is named by warn_repeats when more than this share of the journeys that
# reach it repeat it immediately, and at least _MIN_JOURNEYS of them do.
_REPEAT_SHARE = 0.5
_MIN_JOURNEYS = 30


def lifecycle_mode(lifecycle_col: str | None, lifecycle: str | None) -> str | None:
    """The lifecycle mode in effect (``None``: no lifecycle handling), checked.

    Examples
    --------
    >>> lifecycle_mode("lifecycle:transition", None), lifecycle_mode(None, None)
    ('complete', None)
    """
    if lifecycle is not None and lifecycle not in LIFECYCLE:
        raise ValidationError(
            f"lifecycle must be one of {', '.join(map(repr, LIFECYCLE))}, got {lifecycle!r}"
            + did_you_mean(str(lifecycle), LIFECYCLE),
            field="lifecycle",
            value=lifecycle,
        )
    if lifecycle_col is None:
        if lifecycle is not None and lifecycle != "all":
            raise ValidationError(
                f"lifecycle={lifecycle!r} needs lifecycle_col=, the column that holds the "
                "lifecycle of each event (XES: 'lifecycle:transition')",
                field="lifecycle",
                value=lifecycle,
                hint="Pass lifecycle_col='<column>' as well",
            )
        return None
    mode = lifecycle or "complete"
    return None if mode == "all" else mode


def _normalised(values: pd.Series) -> np.ndarray:
    """The lifecycle values as stripped lower-case text ("" when missing)."""
    text = values.astype(object).where(values.notna(), "")
    return np.asarray(text.astype(str).str.strip().str.lower(), dtype=object)


def lifecycle_touchpoints(activity: pd.Series, lifecycle: pd.Series) -> pd.Series:
    """``activity+lifecycle`` as the touchpoint (the activity alone where lifecycle is missing).

    Examples
    --------
    >>> lifecycle_touchpoints(pd.Series(["A", "A", "B"]),
    ...                       pd.Series(["start", None, "complete"])).tolist()
    ['A+start', 'A', 'B+complete']
    """
    lc = lifecycle.astype(object).where(lifecycle.notna(), "").astype(str).str.strip()
    has = (lc != "").to_numpy(dtype=bool) & activity.notna().to_numpy(dtype=bool)
    out = activity.astype(object).copy()
    out[has] = activity[has].astype(str) + "+" + lc[has]
    return out


def lifecycle_keep(
    values: pd.Series,
    case_codes: np.ndarray,
    tp_codes: np.ndarray,
    ts: np.ndarray,
    mode: str,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Which events to keep, and their service time in seconds.

    Kept: the ``complete`` events and those without a lifecycle. Service times come with
    ``mode="start_complete"`` (NaN when no start pairs with an event): a ``complete``
    event pairs with the event of the same activity in the same case just before it (by
    time, then input row) when that event is a ``start``.
    """
    lc = _normalised(values)
    keep = (lc == "complete") | (lc == "")
    if mode != "start_complete":
        return keep, None
    n = len(lc)
    order = np.lexsort((np.arange(n), ts, tp_codes, case_codes))
    service = np.full(n, np.nan)
    if n > 1:
        cur, prev = order[1:], order[:-1]
        paired = (
            (case_codes[cur] == case_codes[prev])
            & (tp_codes[cur] == tp_codes[prev])
            & (lc[cur] == "complete")
            & (lc[prev] == "start")
        )
        service[cur[paired]] = (ts[cur[paired]] - ts[prev[paired]]) / 1e9
    return keep, service


def warn_repeats(
    event_journey: np.ndarray,
    event_tp: np.ndarray,
    touchpoints: tuple[str, ...],
    *,
    stacklevel: int,
) -> None:
    """Warn, naming the touchpoint, when most journeys that reach it repeat it at once.

    That is the sign of lifecycle events (schedule / start / complete) left in the log.
    """
    n = len(event_tp)
    if n < 2:
        return
    rep = np.r_[False, (event_tp[1:] == event_tp[:-1]) & (event_journey[1:] == event_journey[:-1])]
    if not rep.any():
        return
    n_tp = len(touchpoints)
    # journeys repeating each touchpoint (distinct journey-touchpoint pairs among repeats)
    repeating = journeys_per_code(event_journey[rep], event_tp[rep], n_tp)
    del rep
    found: list[tuple[str, int, int]] = []
    candidates = np.flatnonzero(repeating >= _MIN_JOURNEYS)
    candidates = candidates[np.argsort(-repeating[candidates], kind="stable")][:10]
    if not len(candidates):
        return
    # journeys reaching each candidate, in one pass over the events
    slot = np.full(n_tp, -1, dtype=np.int64)
    slot[candidates] = np.arange(len(candidates))
    at = slot[event_tp]
    hit = at >= 0
    reached = journeys_per_code(event_journey[hit], at[hit], len(candidates))
    for t, reach in zip(candidates.tolist(), reached.tolist(), strict=True):
        if repeating[t] > reach * _REPEAT_SHARE:
            found.append((touchpoints[int(t)], int(repeating[t]), int(reach)))
    if not found:
        return
    found.sort(key=lambda f: (-f[1] / f[2], f[0]))
    name, k, reach = found[0]
    others = f" (and {len(found) - 1} other touchpoint(s))" if len(found) > 1 else ""
    warnings.warn(
        f"touchpoint {name!r} repeats immediately in {k:,} of the {reach:,} journeys that "
        f"reach it{others}: lifecycle events (schedule / start / complete) left in? Pass "
        "lifecycle_col= (read_events keeps XES 'lifecycle:transition') to keep one event "
        "per activity",
        RepeatedTouchpointWarning,
        stacklevel=stacklevel,
    )
