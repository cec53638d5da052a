"""Stage-matched friction, failure sub-routes, and the Markov chain of an event log.

These functions are the implementations behind :meth:`EventLog.friction`,
:meth:`EventLog.failure_patterns`, :meth:`EventLog.markov` and
:meth:`EventLog.repair_effects` and :meth:`EventLog.value_at_stake` (money per period at
stake at each touchpoint); call them either way. They work on the integer-coded
arrays of the log with a few sorts and ``bincount`` passes (no Python loop over journeys).

Conventions (they change numbers, so they are pinned here and tested):

- **Decided journeys only.** Open journeys (no outcome yet) are left out of every
  analysis here; a log whose journeys are all open is refused.
- **Events after the outcome are dropped.** A journey is read up to its deciding event,
  and on through the events right after it that carry the same outcome (so an outcome
  column repeated on every event keeps the whole journey, and two ``Payment`` events in a
  row both count). Later events belong to what happened after the outcome.
- **Outcome steps.** When outcomes come from touchpoints (``success=`` / ``failure=``
  lists), a touchpoint all of whose events carry an outcome is an *outcome step*: its
  failure risk is 0 or 1 by definition, so it is reported (``outcome_step`` True) but not
  scored, and its events are left out of the paths analysed (stage reached, last step,
  patterns, Markov chain: there the outcome step *is* the ``SUCCESS`` / ``FAILURE``
  state). Dwell times still count the time up to the outcome step.
- **Stage-matched comparison.** A journey *reaches* a stage when its furthest stage (in
  journey order) is that stage or a later one, as in :func:`frictionkit.routes.funnel`.
  A touchpoint is judged among the decided journeys that reached its stage: those that
  visited it against those that did not. Comparing visitors with *all* other journeys
  (naive lift) rewards late steps, error pages included, because reaching them is
  progress; the stage-matched comparison removes that bias.

Examples
--------
>>> from frictionkit.datasets import simulate_journeys
>>> from frictionkit.events import EventLog
>>> df = simulate_journeys(4000, seed=3)
>>> log = EventLog.from_frame(df, case_col="case_id", touchpoint_col="touchpoint",
...     timestamp_col="timestamp", stage_col="stage", outcome_col="outcome", strict=False)
>>> log.friction()["touchpoint"].iloc[0]
'payment_error'
"""

from __future__ import annotations

from frictionkit.friction._markov import markov, repair_effects
from frictionkit.friction._patterns import failure_patterns
from frictionkit.friction._stats import (
    FRICTION_WEIGHTS,
    benjamini_hochberg,
    e_value,
    fisher_exact_p,
    odds_ratio_prior,
    risk_ratio,
)
from frictionkit.friction._table import friction, friction_by_kind, hide_small_comparisons
from frictionkit.friction._value import period_scale, value_at_stake, value_column

__all__ = [
    "FRICTION_WEIGHTS",
    "benjamini_hochberg",
    "e_value",
    "failure_patterns",
    "fisher_exact_p",
    "friction",
    "friction_by_kind",
    "hide_small_comparisons",
    "markov",
    "odds_ratio_prior",
    "period_scale",
    "repair_effects",
    "risk_ratio",
    "value_at_stake",
    "value_column",
]
