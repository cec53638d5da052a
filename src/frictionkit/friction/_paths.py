"""Part of :mod:`frictionkit.friction` (see its documentation)."""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from frictionkit.events._reductions import dwell_ns
from frictionkit.exceptions import (
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events import EventLog
from frictionkit.friction._stats import _INT


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


def service_split(log: EventLog) -> tuple[np.ndarray, np.ndarray] | None:
    """A touchpoint's own time and the wait after it, where the log has lifecycle events.

    With ``lifecycle="start_complete"`` an event carries its service time (start to
    complete, :attr:`EventLog.event_service_s`), so the dwell after a step (its complete
    to the next complete) splits into the wait before the next step starts and that
    step's own service. Returns, per touchpoint, the median service time of its events
    and the median wait after them (seconds; NaN where no pair is known), or ``None``
    when the log has no service times (or is compact).
    """
    service = getattr(log, "event_service_s", None)
    if service is None or log.is_compact:
        return None
    k = len(log.touchpoints)
    tp = np.asarray(log.event_touchpoint, dtype=_INT)
    ts = np.asarray(log.event_timestamp_ns, dtype=np.float64) / 1e9
    svc = np.asarray(service, dtype=np.float64)
    off = np.asarray(log.journey_offsets, dtype=_INT)
    inner = np.ones(len(tp), dtype=bool)
    inner[off[1:] - 1] = False  # the last event of a journey has no next event
    idx = np.flatnonzero(inner[: len(tp)])
    wait_after = ts[idx + 1] - ts[idx] - svc[idx + 1]
    own = pd.Series(svc).groupby(tp).median()
    after = pd.Series(wait_after).groupby(tp[idx]).median()
    out_own = np.full(k, np.nan)
    out_after = np.full(k, np.nan)
    out_own[own.index.to_numpy(dtype=_INT)] = own.to_numpy(dtype=float)
    out_after[after.index.to_numpy(dtype=_INT)] = after.to_numpy(dtype=float)
    return out_own, out_after


def _check_count(value: Any, field: str, least: int, what: str, hint: str) -> int:
    """A whole number ``>= least`` (``what``: of what, for the message), else an error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputTypeError(
            f"{field} must be a whole number of {what}, got {value!r}",
            field=field,
            value=value,
            hint=f"e.g. {field}={hint}",
        )
    if value < least:
        raise ValidationError(
            f"{field} must be >= {least}, got {value}", field=field, value=value, hint=hint
        )
    return int(value)


def _check_min_support(min_support: Any) -> int:
    return _check_count(
        min_support,
        "min_support",
        1,
        "journeys",
        "30 (the fewest journeys on each side of a comparison)",
    )


def without_markers(
    tp: np.ndarray, offsets: np.ndarray, markers: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Paths with the events of declared outcome markers left out.

    ``tp`` and ``offsets`` are journeys of touchpoint codes (``decided_paths``);
    ``markers`` is a bool per touchpoint. Returns the kept codes and their offsets (a
    journey of markers only becomes empty). The one rule of :func:`friction` and of
    harm removal (``repair_effects(kind="harm_removal", outcome_markers=...)``):
    declared markers are read like outcome steps.
    """
    if not markers.any():  # nothing to leave out: the same arrays
        return tp, offsets
    keep = ~markers[tp]
    n_j = len(offsets) - 1
    jj = np.repeat(np.arange(n_j, dtype=_INT), np.diff(offsets))
    off = np.r_[0, np.cumsum(np.bincount(jj[keep], minlength=n_j))].astype(_INT)
    return tp[keep], off


def _check_n_boot(n_boot: Any) -> int:
    return _check_count(n_boot, "n_boot", 0, "bootstrap draws", "500 (0: no interval)")


def _check_fdr(fdr: Any) -> float:
    if isinstance(fdr, bool) or not isinstance(fdr, numbers.Real):
        raise InputTypeError(f"fdr must be a number, got {fdr!r}", field="fdr", value=fdr)
    if not 0 < float(fdr) < 1:
        raise ValidationError(
            f"fdr must be in (0, 1), got {fdr}", field="fdr", value=fdr, hint="e.g. fdr=0.05"
        )
    return float(fdr)


def _check_markers(log: EventLog, markers: Iterable[str] | str | None) -> np.ndarray:
    """Bool per touchpoint: declared an outcome marker."""
    k = len(log.touchpoints)
    out = np.zeros(k, dtype=bool)
    if markers is None:
        return out
    names = [markers] if isinstance(markers, str) else list(markers)
    index = {t: i for i, t in enumerate(log.touchpoints)}
    for name in names:
        if not isinstance(name, str):
            raise InputTypeError(
                f"outcome_markers must name touchpoints (str), got {name!r}",
                field="outcome_markers",
                value=name,
            )
        if name not in index:
            raise UnknownReferenceError(
                f"outcome_markers names {name!r}, not a touchpoint of this log"
                + did_you_mean(name, log.touchpoints),
                field="outcome_markers",
                value=name,
            )
        out[index[name]] = True
    return out
