"""The value at stake per touchpoint: attributable failures per period, in money.

Part of :mod:`frictionkit.friction` (see its documentation); behind
:meth:`EventLog.value_at_stake`, :func:`frictionkit.journey_map.derive_pain_points` and
``prioritise(journey, evidence=log)``, so that the three give the same number.

**The estimand.** The value at stake of a touchpoint is its **attributable failures**
(:func:`~frictionkit.friction.friction`: failed journeys among its visitors that would
have succeeded without it), clipped at 0, times the value of one success, counted **per
period**: money per year by default. Its 95 % interval and its bootstrap draws are those
of the attributable failures, scaled the same way.

**Per period.** A log covers some span of time; its counts are turned into counts per
period by one factor, ``scale``:

- by default from the log's **observed span**, the time from its first to its last event
  (over all journeys): ``scale = period / span``, with a year of 365.25 days, a quarter of
  a fourth and a month of a twelfth of it, a week of 7 days. A log of four years has
  ``scale = 1/4`` per year. The log should then hold every journey of that span.
- with ``journeys_per_period=`` when the log is a **sample** (or a compact log, whose
  event times are not kept): how many journeys (decided or not) happen per period, and
  ``scale = journeys_per_period / journeys in the log``.

**Names.** Columns carry their unit: ``value_at_stake_per_<period>`` (with ``_low`` /
``_high``), ``visitors_per_<period>``; the currency and the period are in the table's
``attrs`` (``currency``, ``period``) for display.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from frictionkit.estimates import SeedLike
from frictionkit.events._kinds import failure_kind_view, with_kind_column
from frictionkit.events._outcomes import SUCCESS
from frictionkit.exceptions import InputTypeError, ValidationError, did_you_mean
from frictionkit.friction._attributable import DRAWS_ATTR, DrawsByTouchpoint
from frictionkit.friction._table import friction
from frictionkit.model import PERIODS

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable

    from frictionkit.events import EventLog

__all__ = ["period_scale", "value_at_stake", "value_column"]

#: Nanoseconds in a day.
_DAY_NS = 86_400 * 10**9


def value_column(per: str) -> str:
    """The name of the value-at-stake column for one period (``value_at_stake_per_year``).

    Examples
    --------
    >>> value_column("month")
    'value_at_stake_per_month'
    """
    return f"value_at_stake_per_{check_per(per)}"


def check_per(per: Any) -> str:
    """``per`` as one of :data:`~frictionkit.model.PERIODS`, or a ValidationError."""
    if isinstance(per, str) and per.strip().lower() in PERIODS:
        return per.strip().lower()
    raise ValidationError(
        f"per must be one of {list(PERIODS)}, got {per!r}"
        + (did_you_mean(per, list(PERIODS)) if isinstance(per, str) else ""),
        field="per",
        value=per,
        hint="Values at stake are money per period, e.g. per='year'",
    )


def _journeys_in(log: EventLog) -> float:
    oc = log.outcome_counts
    return float(oc["success"] + oc["failure"] + oc["open"])


def period_scale(
    log: EventLog, per: str = "year", journeys_per_period: float | None = None
) -> tuple[float, float]:
    """``(scale, journeys_per_period)``: the factor from the log's counts to counts per period.

    See the module notes. Raises a ValidationError when the log spans no time (one
    instant, or a compact log) and ``journeys_per_period`` is not given.

    Examples
    --------
    >>> import pandas as pd
    >>> from frictionkit.events import EventLog
    >>> df = pd.DataFrame({"c": ["a", "b"], "t": ["x", "x"],
    ...                    "ts": ["2020-01-01", "2022-01-01"]})
    >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts")
    >>> scale, per_year = period_scale(log, "year")
    >>> round(scale, 3), round(per_year, 3)
    (0.5, 1.0)
    >>> period_scale(log, "year", journeys_per_period=100.0)
    (50.0, 100.0)
    """
    p = check_per(per)
    n = _journeys_in(log)
    if journeys_per_period is not None:
        if isinstance(journeys_per_period, bool) or not isinstance(
            journeys_per_period, (int, float, np.integer, np.floating)
        ):
            raise InputTypeError(
                f"journeys_per_period must be a number, got {type(journeys_per_period).__name__}",
                field="journeys_per_period",
                value=journeys_per_period,
            )
        jpp = float(journeys_per_period)
        if not math.isfinite(jpp) or jpp <= 0:
            raise ValidationError(
                f"journeys_per_period must be a finite number > 0, got {journeys_per_period!r}",
                field="journeys_per_period",
                value=journeys_per_period,
                hint="How many journeys happen per period in the population the log samples",
            )
        return (jpp / n if n > 0 else math.nan), jpp
    ts = np.asarray(log.event_timestamp_ns)
    span_ns = float(ts.max() - ts.min()) if ts.size else 0.0
    if log.is_compact or span_ns <= 0:
        why = "a compact log keeps no event times" if log.is_compact else "its events span no time"
        raise ValidationError(
            f"cannot count the log per {p}: {why}",
            field="journeys_per_period",
            value=None,
            hint=f"Give journeys_per_period= (how many journeys happen per {p})",
        )
    scale = PERIODS[p] * _DAY_NS / span_ns
    return scale, n * scale


def default_value_per_success(log: EventLog) -> float | None:
    """Mean journey value of the log's successful journeys (``value_col``), if any."""
    values = np.asarray(log.journey_value, dtype=np.float64)
    n = log.journey_value_n
    w = np.asarray(log.weights if n is None else n, dtype=np.float64)
    keep = (np.asarray(log.journey_outcome) == SUCCESS) & np.isfinite(values) & (w > 0)
    if not keep.any():
        return None
    return float(np.average(values[keep], weights=w[keep]))


def _check_value(value_per_success: Any) -> float | None:
    if value_per_success is None:
        return None
    if isinstance(value_per_success, bool) or not isinstance(
        value_per_success, (int, float, np.integer, np.floating)
    ):
        raise InputTypeError(
            f"value_per_success must be a number, got {type(value_per_success).__name__}",
            field="value_per_success",
            value=value_per_success,
        )
    v = float(value_per_success)
    if not math.isfinite(v) or v < 0:
        raise ValidationError(
            f"value_per_success must be a finite number >= 0, got {value_per_success!r}",
            field="value_per_success",
            value=value_per_success,
        )
    return v


def value_at_stake(
    log: EventLog,
    value_per_success: float | None = None,
    *,
    per: str = "year",
    journeys_per_period: float | None = None,
    currency: str | None = None,
    min_support: int = 30,
    fdr: float = 0.05,
    outcome_markers: Iterable[str] | str | None = None,
    adjust_for: Iterable[str] | str | None = None,
    n_boot: int = 500,
    seed: SeedLike = 0,
    failure_kind: str | None = None,
) -> pd.DataFrame:
    """Value at stake per touchpoint: attributable failures per period times the value of a success.

    Parameters
    ----------
    log : EventLog
    value_per_success : float, optional
        Money one extra success brings; default: the mean journey value of the log's
        successful journeys (``value_col``), else the value at stake is missing (NaN).
    per : {"year", "quarter", "month", "week", "day"}, default "year"
        The period the money is counted per.
    journeys_per_period : float, optional
        Journeys per period in the population the log samples; default: the log holds
        every journey of its observed span (first to last event; see the module notes).
    currency : str, optional
        Shown with the money (kept in ``attrs["currency"]``).
    min_support, fdr, outcome_markers, adjust_for, n_boot, seed
        Passed to :func:`~frictionkit.friction.friction`.
    failure_kind : str, optional
        One kind of failure of ``failure={...}``: the value at stake of the failures of
        that kind (``friction(failure_kind=...)``: the journeys that failed in another
        kind are censored, so they are neither decided journeys nor failures here); the
        table gets a ``failure_kind`` column after ``touchpoint``.

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint, in the order of :func:`~frictionkit.friction.friction`:
        ``touchpoint``, ``stage``, ``verdict``, ``journeys`` (decided journeys visiting
        it, in the log), ``share_of_journeys`` (of the decided journeys, in [0, 1]),
        ``visitors_per_<per>``, ``attributable_failures`` with ``_low`` / ``_high``,
        ``af_q_value``, ``value_at_stake_per_<per>`` with ``_low`` / ``_high`` (NaN for
        outcome steps and markers, touchpoints that are not comparable, or without a
        value per success). ``attrs``: ``period``, ``currency``, ``value_per_success``,
        ``journeys_per_period``, ``scale`` and ``value_draws`` (a
        :class:`~frictionkit.friction._attributable.DrawsByTouchpoint` of the bootstrap
        draws of the value at stake per period).

    Raises
    ------
    ValidationError
        A bad ``per``, ``value_per_success`` or ``journeys_per_period``; a log that spans
        no time (or a compact log) without ``journeys_per_period``.

    Examples
    --------
    >>> from frictionkit.datasets import simulate_journeys
    >>> from frictionkit.events import EventLog
    >>> df = simulate_journeys(4000, seed=2)
    >>> log = EventLog.from_frame(df, case_col="case_id", touchpoint_col="touchpoint",
    ...     timestamp_col="timestamp", stage_col="stage", outcome_col="outcome", strict=False)
    >>> v = value_at_stake(log, 80.0, journeys_per_period=40_000)
    >>> v.loc[0, ["touchpoint", "attributable_failures"]].tolist()[0]
    'payment_error'
    >>> bool(v.loc[0, "value_at_stake_per_year"] == 80.0 * 10 * v.loc[0, "attributable_failures"])
    True
    """
    p = check_per(per)
    vps = _check_value(value_per_success)
    scale, jpp = period_scale(log, p, journeys_per_period)
    if vps is None:
        vps = default_value_per_success(log)
    fr = friction(
        log,
        min_support=min_support,
        n_boot=n_boot,
        seed=seed,
        outcome_markers=outcome_markers,
        fdr=fdr,
        adjust_for=adjust_for,
        failure_kind=failure_kind,
    )
    if failure_kind is None:
        return value_table(log, fr, vps, per=p, scale=scale, journeys_per_period=jpp,
                           currency=currency)  # fmt: skip
    view = failure_kind_view(log, failure_kind)
    out = value_table(view, fr, vps, per=p, scale=scale, journeys_per_period=jpp,
                      currency=currency)  # fmt: skip
    return with_kind_column(out, failure_kind)


def value_table(
    log: EventLog,
    fr: pd.DataFrame,
    value_per_success: float | None,
    *,
    per: str,
    scale: float,
    journeys_per_period: float,
    currency: str | None,
) -> pd.DataFrame:
    """The table of :func:`value_at_stake` from the log's friction table ``fr``.

    ``fr`` must come from :func:`~frictionkit.friction.friction` without
    ``min_group_size`` (it holds the draws); ``scale`` and ``journeys_per_period`` from
    :func:`period_scale` (``scale`` NaN: no value per period).
    """
    p, vps, jpp = per, value_per_success, journeys_per_period
    money = math.nan if vps is None else vps * scale
    verdict = fr["verdict"].to_numpy(dtype=object)
    gone = (
        fr["outcome_step"].to_numpy(dtype=bool)
        | (verdict == "outcome marker")
        | (verdict == "not comparable")
    )

    def value(col: str) -> np.ndarray:
        af = fr[col].to_numpy(dtype=np.float64)
        return np.where(gone | np.isnan(af), np.nan, np.maximum(af, 0.0) * money)

    oc = log.outcome_counts
    decided = max(float(oc["success"] + oc["failure"]), 1.0)
    visitors = fr["journeys"].to_numpy(dtype=np.float64)
    col = value_column(p)
    out = pd.DataFrame(
        {
            "touchpoint": fr["touchpoint"],
            "stage": fr["stage"],
            "verdict": fr["verdict"],
            "journeys": fr["journeys"],
            "share_of_journeys": np.clip(visitors / decided, 0.0, 1.0),
            f"visitors_per_{p}": visitors * scale,
            "attributable_failures": fr["attributable_failures"],
            "attributable_failures_low": fr["attributable_failures_low"],
            "attributable_failures_high": fr["attributable_failures_high"],
            "af_q_value": fr["af_q_value"],
            col: value("attributable_failures"),
            f"{col}_low": value("attributable_failures_low"),
            f"{col}_high": value("attributable_failures_high"),
        }
    )
    raw: DrawsByTouchpoint = fr.attrs[DRAWS_ATTR]
    gone_by_tp = dict(zip(fr["touchpoint"].tolist(), gone.tolist(), strict=True))
    mask = np.array([gone_by_tp.get(t, True) for t in raw.touchpoints], dtype=bool)
    with np.errstate(invalid="ignore"):
        vd = np.where(mask[None, :], np.nan, np.maximum(raw.draws, 0.0) * money)
    out.attrs.update(
        period=p,
        currency=currency,
        value_per_success=vps,
        journeys_per_period=jpp,
        scale=scale,
        value_draws=DrawsByTouchpoint(raw.touchpoints, vd),
    )
    return out
