"""The value at stake of a journey's pain points, measured on evidence (private).

``prioritise(journey, evidence=log, value_per_success=...)`` asks the evidence for its
value at stake per touchpoint through the evidence's own method
(:meth:`EventLog.value_at_stake`): scoring never imports the evidence layer, it only
calls that method on the object it is given. A pain point's value at stake is its
touchpoint's (money per period, with interval and bootstrap draws); an improvement
that fixes several pain points at one touchpoint counts that touchpoint once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit.exceptions import InputTypeError, ValidationError
from frictionkit.model import PERIODS, Journey

FloatArray = npt.NDArray[np.float64]


@attrs.frozen(kw_only=True)
class Measured:
    """Value at stake per touchpoint of the journey's pain points, from the evidence."""

    period: str
    currency: str | None
    touchpoint_of: Mapping[str, str]  # pain point -> touchpoint (those with a value)
    value: Mapping[str, float]  # touchpoint -> money per period
    low: Mapping[str, float]
    high: Mapping[str, float]
    visitors: Mapping[str, float]  # touchpoint -> journeys visiting it per period
    draws: Mapping[str, FloatArray]  # touchpoint -> bootstrap draws of the value
    journeys_per_period: float
    n_draws: int

    def table(self) -> pd.DataFrame:
        """One row per pain point with a measured value (for :attr:`Ranking.value_at_stake`)."""
        col = f"value_at_stake_per_{self.period}"
        rows = [
            {
                "pain_point": p,
                "touchpoint": t,
                col: self.value[t],
                f"{col}_low": self.low[t],
                f"{col}_high": self.high[t],
                f"visitors_per_{self.period}": self.visitors[t],
            }
            for p, t in self.touchpoint_of.items()
        ]
        cols = ["pain_point", "touchpoint", col, f"{col}_low", f"{col}_high",
                f"visitors_per_{self.period}"]  # fmt: skip
        return pd.DataFrame(rows, columns=cols)


def check_period(per: Any, journey: Any) -> str:
    """``per``, else the journey's period, else ``"year"`` (validated)."""
    if per is None:
        per = getattr(journey, "period", None) or "year"
    if isinstance(per, str) and per.strip().lower() in PERIODS:
        return per.strip().lower()
    raise ValidationError(
        f"per must be one of {list(PERIODS)}, got {per!r}",
        field="per",
        value=per,
        hint="Values at stake are money per period, e.g. per='year'",
    )


def measure(
    journey: Journey,
    evidence: Any,
    *,
    value_per_success: float | None,
    per: str,
    journeys_per_period: float | None,
    currency: str | None,
) -> Measured:
    """Ask ``evidence`` for the value at stake of the journey's pain points."""
    method = getattr(evidence, "value_at_stake", None)
    if not callable(method):
        raise InputTypeError(
            f"evidence must be an EventLog (with a value_at_stake method), got "
            f"{type(evidence).__name__}",
            field="evidence",
            value=type(evidence).__name__,
            hint="Read one with frictionkit.EventLog.from_frame(...) or frictionkit.read_events",
        )
    table = method(
        value_per_success,
        per=per,
        journeys_per_period=journeys_per_period,
        currency=currency,
    )
    col = f"value_at_stake_per_{per}"
    by_tp = table.set_index("touchpoint")
    raw = table.attrs.get("value_draws")
    touchpoint_of: dict[str, str] = {}
    value: dict[str, float] = {}
    low: dict[str, float] = {}
    high: dict[str, float] = {}
    visitors: dict[str, float] = {}
    draws: dict[str, FloatArray] = {}
    n_draws = 0
    for pp in journey.pain_points:
        t = pp.touchpoint
        if t not in by_tp.index:
            continue
        v = float(by_tp.loc[t, col])
        if not math.isfinite(v):
            continue
        touchpoint_of[pp.id] = t
        value[t] = v
        low[t] = float(by_tp.loc[t, f"{col}_low"])
        high[t] = float(by_tp.loc[t, f"{col}_high"])
        visitors[t] = float(by_tp.loc[t, f"visitors_per_{per}"])
        if raw is not None and t in raw.touchpoints:
            d = np.asarray(raw.of(t), dtype=np.float64)
            if d.size and np.isfinite(d).all():
                draws[t] = d
                n_draws = d.size
    return Measured(
        period=per,
        currency=currency,
        touchpoint_of=touchpoint_of,
        value=value,
        low=low,
        high=high,
        visitors=visitors,
        draws=draws,
        journeys_per_period=float(table.attrs.get("journeys_per_period", math.nan)),
        n_draws=n_draws,
    )


@attrs.frozen(kw_only=True)
class Impacts:
    """Evidence-based impacts of the improvements (NaN where none of their fixes is valued)."""

    impact: FloatArray
    low: FloatArray
    high: FloatArray
    reach: FloatArray  # journeys per period visiting what the improvement fixes
    draws: FloatArray | None  # (n_draws, n): impact draws, NaN columns where not valued


def impacts(
    m: Measured,
    fixes: Sequence[Sequence[str]],
    fix_share: FloatArray,
    overrides: Mapping[str, float],
) -> Impacts:
    """Impact = fix share x value at stake of the distinct touchpoints it fixes.

    Pain points in ``overrides`` (a ``value_at_stake=`` mapping) keep their given value
    and add no draws (their value is a constant in every draw).
    """
    n = len(fixes)
    impact = np.full(n, np.nan)
    low = np.full(n, np.nan)
    high = np.full(n, np.nan)
    reach = np.full(n, np.nan)
    draws = np.full((m.n_draws, n), np.nan) if m.n_draws else None
    share = np.where(np.isnan(fix_share), 1.0, fix_share)
    for k, fx in enumerate(fixes):
        tps = list(dict.fromkeys(m.touchpoint_of[f] for f in fx if f in m.touchpoint_of))
        fixed = [f for f in fx if f in overrides]
        tps = [t for t in tps if not any(m.touchpoint_of.get(f) == t for f in fixed)]
        if not tps:
            continue
        const = float(sum(overrides[f] for f in fixed))
        s = float(share[k])
        impact[k] = s * (sum(m.value[t] for t in tps) + const)
        reach[k] = min(sum(m.visitors[t] for t in tps), m.journeys_per_period)
        if draws is not None and all(t in m.draws for t in tps):
            col = s * (np.sum([m.draws[t] for t in tps], axis=0) + const)
            draws[:, k] = col
            low[k], high[k] = np.percentile(col, [2.5, 97.5])
        if len(tps) == 1 or draws is None or np.isnan(draws[0, k]):
            # one touchpoint: exactly its interval (as derive_pain_points shows it)
            low[k] = s * (sum(m.low[t] for t in tps) + const)
            high[k] = s * (sum(m.high[t] for t in tps) + const)
    return Impacts(impact=impact, low=low, high=high, reach=reach, draws=draws)
