"""The roadmap: when each improvement of a plan is done, wave by wave.

:func:`roadmap` sequences the improvements of a :class:`~frictionkit.portfolio.Plan` into
periods (waves) of ``period_days`` working days. Rules (pinned):

- an improvement starts only in a wave after every improvement it requires has finished;
- each owner gives at most its capacity per period (person-days) to the plan; work on one
  improvement fills the owner's free days from its first wave on and may span waves;
- among the improvements that are ready, the quick wins go first, then the rest by CD3,
  cost of delay divided by duration, taken as ``value / effort_days`` (an improvement of
  no effort has infinite CD3); ties go to the input order. The quick wins are the
  ranking's when the plan was made from a :class:`~frictionkit.scoring.Ranking`;
  otherwise those of the plan, by the ranking's rule (value strictly above the median of
  the plan and above 0, effort strictly below the median).

Examples
--------
>>> import frictionkit as fk
>>> plan = fk.portfolio.optimise_portfolio(fk.datasets.load_autoparts(), budget=60_000)
>>> table = roadmap(plan, period_days=10)
>>> table[["wave", "end_wave", "id", "owner"]].head(3)
   wave  end_wave                  id             owner
0     1         1      guided_selling             sales
1     1         1        callback_sla  customer_service
2     1         1  consent_management         marketing
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from frictionkit.exceptions import (
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from frictionkit.portfolio import Plan

__all__ = ["roadmap"]


def roadmap(
    plan: Plan,
    *,
    period_days: int = 20,
    start: date | str | pd.Timestamp | None = None,
    capacity_per_period: Mapping[str, float] | None = None,
    waves: int | None = None,
) -> pd.DataFrame:
    """Schedule the selected improvements into waves, respecting dependencies and staff.

    Parameters
    ----------
    plan : Plan
        From :func:`~frictionkit.portfolio.optimise_portfolio`.
    period_days : int, default 20
        Working days per wave (20 is about a month).
    start : date or str, optional
        First working day of wave 1. With it, ``start`` and ``end`` are dates (Monday to
        Friday calendar); without it, they are working-day numbers from 0.
    capacity_per_period : mapping owner id -> person-days, optional
        What each owner can give per wave. Default: ``period_days`` (one full-time person).
    waves : int, optional
        Spread each owner's work over this many waves instead: its capacity per wave is its
        total effort in the plan divided by ``waves``. Dependencies may still push work
        later than wave ``waves``.

    Returns
    -------
    DataFrame
        One row per selected improvement, in schedule order, with columns ``wave``,
        ``end_wave``, ``start``, ``end``, ``id``, ``title``, ``owner``, ``effort_days``,
        ``value``, ``quick_win``, ``cd3``, ``requires``.

    Examples
    --------
    >>> import frictionkit as fk
    >>> plan = fk.portfolio.optimise_portfolio(fk.datasets.load_autoparts(), budget=60_000)
    >>> t = roadmap(plan, start="2025-01-06", waves=2)
    >>> t.groupby("wave")["id"].count().tolist()
    [4, 2, 1]
    >>> str(t["start"].min().date())
    '2025-01-06'
    """
    if not isinstance(plan, Plan):
        raise InputTypeError(
            f"roadmap needs a Plan, got {type(plan).__name__}",
            field="plan",
            value=type(plan).__name__,
            hint="Build one with frictionkit.portfolio.optimise_portfolio(...), e.g. "
            "optimise_portfolio(ranking, budget=...) from a Ranking",
        )
    pd_any: Any = period_days
    if isinstance(pd_any, bool) or not isinstance(pd_any, int) or period_days < 1:
        raise ValidationError(
            f"period_days must be a whole number >= 1, got {period_days!r}",
            field="period_days",
            value=period_days,
        )
    w_any: Any = waves
    if w_any is not None and (isinstance(w_any, bool) or not isinstance(w_any, int) or w_any < 1):
        raise ValidationError(
            f"waves must be a whole number >= 1, got {waves!r}", field="waves", value=waves
        )
    frame = plan.to_frame()
    sel = frame[frame["selected"]].reset_index(drop=True)
    p = plan._problem
    pos = {p.ids[k]: k for k in range(p.n)}
    owners = list(dict.fromkeys(sel["owner"]))
    cap: dict[str, float] = {}
    if waves is not None:
        totals = sel.groupby("owner", sort=False)["effort_days"].sum()
        cap = {o: float(totals[o]) / waves for o in owners}
    elif capacity_per_period is not None:
        if not isinstance(capacity_per_period, Mapping):
            raise InputTypeError(
                "capacity_per_period must map owner ids to person-days per wave",
                field="capacity_per_period",
                value=capacity_per_period,
            )
        for key in capacity_per_period:
            if key not in set(p.owners):
                raise UnknownReferenceError(
                    f"capacity_per_period names unknown owner {key!r}"
                    + did_you_mean(key, set(p.owners)),
                    field="capacity_per_period",
                    value=key,
                )
        for o in owners:
            days: Any = capacity_per_period.get(o, float(period_days))
            if isinstance(days, bool) or not isinstance(days, (int, float)) or not days > 0:
                raise ValidationError(
                    f"capacity_per_period[{o!r}] must be > 0 person-days, got {days!r}",
                    field="capacity_per_period",
                    value=days,
                )
            cap[o] = float(days)
    else:
        cap = dict.fromkeys(owners, float(period_days))

    value = sel["value"].to_numpy(dtype=float)
    effort = sel["effort_days"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cd3 = np.where(effort > 0, value / np.where(effort > 0, effort, 1.0), np.inf)
    if p.quick_win is not None:
        quick = np.array([bool(p.quick_win[pos[i]]) for i in sel["id"]], dtype=bool)
    elif len(sel):
        quick = (value > np.median(value)) & (value > 0) & (effort < np.median(effort))
    else:
        quick = np.zeros(0, dtype=bool)
    ids = list(sel["id"])
    chosen = set(ids)
    reqs = {i: [p.ids[r] for r in p.requires[pos[i]] if p.ids[r] in chosen] for i in ids}
    rank = {i: (not quick[k], -cd3[k], pos[i]) for k, i in enumerate(ids)}
    used: dict[str, list[float]] = {o: [] for o in owners}
    end_wave: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    pending = set(ids)
    while pending:
        ready = [i for i in pending if all(r in end_wave for r in reqs[i])]
        item = min(ready, key=lambda i: rank[i])
        k = ids.index(item)
        owner = str(sel.loc[k, "owner"])
        first = max((end_wave[r] + 1 for r in reqs[item]), default=0)
        left = float(effort[k])
        book = used[owner]
        w = first
        begin: int | None = None
        while True:
            while len(book) <= w:
                book.append(0.0)
            free = cap[owner] - book[w]
            if left <= 1e-12:
                if begin is None:
                    begin = w
                break
            if free > 1e-12:
                take = min(free, left)
                book[w] += take
                left -= take
                if begin is None:
                    begin = w
                if left <= 1e-12:
                    break
            w += 1
        assert begin is not None
        end_wave[item] = w
        pending.discard(item)
        rows.append(
            {
                "wave": begin + 1,
                "end_wave": w + 1,
                "start": begin * period_days,
                "end": (w + 1) * period_days - 1,
                "id": item,
                "title": sel.loc[k, "title"],
                "owner": owner,
                "effort_days": float(effort[k]),
                "value": float(value[k]),
                "quick_win": bool(quick[k]),
                "cd3": float(cd3[k]),
                "requires": tuple(reqs[item]),
            }
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "wave",
            "end_wave",
            "start",
            "end",
            "id",
            "title",
            "owner",
            "effort_days",
            "value",
            "quick_win",
            "cd3",
            "requires",
        ],
    )
    out = out.sort_values(["wave", "end_wave"], kind="stable").reset_index(drop=True)
    if start is not None:
        try:
            day0 = pd.Timestamp(start).date()
        except (ValueError, TypeError) as exc:
            raise ValidationError(
                f"start must be a date, got {start!r}", field="start", value=start
            ) from exc
        day1 = np.busday_offset(np.datetime64(day0), 0, roll="forward")
        for col in ("start", "end"):
            offs = out[col].to_numpy(dtype=np.int64)
            out[col] = pd.to_datetime(np.busday_offset(day1, offs, roll="forward"))
    return out
