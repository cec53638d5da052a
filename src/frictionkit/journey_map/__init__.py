"""The journey map as a table, and pain points derived from the evidence.

:func:`journey_map` lays the journey out stage by stage, touchpoint by touchpoint, and puts
next to each touchpoint what the evidence says: traffic and success from an event log,
the friction verdict and attributable failures (with their interval), the satisfaction of
survey answers, the declared pain points, and how the row is backed (``backed_by``). It is
the data twin of the journey-map figure.

:func:`derive_pain_points` proposes :class:`~frictionkit.PainPoint` s from the evidence
and measures the declared ones; :func:`accept_pain_points` writes the rows an analyst
accepts back into the journey.

Signals (a touchpoint is proposed when at least one holds)
---------------------------------------------------------
=================  ===================================================  ====================
signal             rule (defaults)                                      reach
=================  ===================================================  ====================
``friction``       verdict ``friction`` in :meth:`EventLog.friction`:   attributable
                   attributable failures > 0, ``af_q_value <= 0.05``,   failures per
                   a comparable group present                           visitor
``failure_route``  a failing sub-route ending at the touchpoint,        excess failures per
                   ``q < 0.05``, odds ratio > 1                          journey through it
                   (:meth:`EventLog.failure_patterns`)
``loop``           ``repeat_rate >= 0.15`` and one of the two signals   ``repeat_rate``
                   above (coming back is tied to failing)
``long_wait``      ``dwell_ratio >= 2`` (median dwell twice its         not measured
                   stage's) **and** ``median_dwell_s >= 3600``
                   (``min_wait_s``: at least an hour), with
                   ``min_support`` journeys, **and** longer waits go
                   with more failure (the wait test below)
``low_sat``        mean sentiment ``< 0`` over at least                 share of negative
                   ``min_answers`` answers, or a drop in score when     answers
                   the touchpoint is hit whose Bonferroni interval
                   (95 % over all touchpoints) excludes 0
=================  ===================================================  ====================

**The wait test.** A long wait is friction only when waiting longer goes with failing.
The touchpoint's decided visitors are split by their longest wait after it: above the
threshold ``max(min_wait_s, min_dwell_ratio x the stage's median dwell)`` or at or
below it. ``long_wait`` holds when the failure rate above is higher: one-sided Fisher
exact test with Benjamini-Hochberg q-values over the touchpoints tested (``q <=
q_max``) and the risk ratio's 95 % interval (Katz) above 1; the evidence text gives the
two rates, the group sizes, the ratio with its interval and q. With fewer than
10 visitors on a side (everyone waits as long: the pace of the
process, which the log cannot judge) or on a compact log (no single journeys), it does
not hold. A *dwell* is the time from an event to the journey's next event: in a log with
one event per step and no lifecycle (start / complete) events, that is the wait *after*
the step (the customer waiting for the next one), not the time spent in it.

Outcome steps and touchpoints with the verdict ``outcome marker`` get no event-log
signal (the step *is* the outcome). The measured **reach** is the **share of customers
affected**: the decided journeys that visit the touchpoint over all decided journeys, in
[0, 1], so that the reaches of a journey's pain points say how many customers meet each
(and RICE counts no value twice). Without an event log it is the largest reach of the
signals that hold (the table's last column, clipped to 0-1).

The **severity** (1-5) maps the strength ``s`` of the strongest signal: for friction the
share of the touchpoint's failed visitors that are attributable to it
(``attributable_failures / failures_visited``), the excess failure rate of the sub-route,
the repeat rate of a loop, ``(dwell_ratio - 1) / 4`` for a wait, and for satisfaction the
larger of ``-sentiment`` and the drop in CSAT share (NPS drop / 100). Then ``s < 0.1`` is
1, ``< 0.25`` is 2, ``< 0.4`` is 3, ``< 0.6`` is 4, otherwise 5. **Nothing gets a high
severity without a significant, comparable estimate:** a touchpoint whose event-log
verdict is ``helps``, ``no evidence`` or ``not comparable`` gets at most severity 2
(:data:`MAX_SEVERITY_WITHOUT_FRICTION`), whatever its other signals.

Rows are ordered by verdict (``friction`` first) and then by attributable failures.

The **value at stake** of a touchpoint is money **per period** (per year by default): its
attributable failures per period (clipped at 0) times the value per success, with the
same 95 % interval, in ``value_at_stake_per_<period>`` with ``_low`` / ``_high``
(:func:`frictionkit.friction.value_at_stake`: the period is counted from the log's
observed span, first to last event, or from ``journeys_per_period=``); it is missing for
``not comparable`` touchpoints. The former valuation, the first-order Markov repair
effect (:meth:`EventLog.repair_effects` with ``reduce_failure_by``, per period too), is
still used when ``reduce_failure_by`` is given.

Examples
--------
>>> import frictionkit as fk
>>> table = journey_map(fk.datasets.load_autoparts())
>>> table[["stage", "touchpoint", "pain_points", "backed_by"]].head(3)
       stage     touchpoint      pain_points     backed_by
0  discovery  parts_website  (missing_specs,)  declared only
1  discovery     search_ads               ()  declared only
2  discovery     trade_fair               ()  declared only
"""

from __future__ import annotations

from frictionkit.exceptions import UnmappedEvidenceWarning
from frictionkit.journey_map._map import (
    SEVERITY_THRESHOLDS,
    journey_map,
)
from frictionkit.journey_map._map import (
    journey_from_log as journey_from_log,
)
from frictionkit.journey_map._pain import (
    MAX_SEVERITY_WITHOUT_FRICTION,
    accept_pain_points,
    derive_pain_points,
    to_pain_points,
)
from frictionkit.journey_map._pain import _severity as _severity

__all__ = [
    "MAX_SEVERITY_WITHOUT_FRICTION",
    "SEVERITY_THRESHOLDS",
    "UnmappedEvidenceWarning",
    "accept_pain_points",
    "derive_pain_points",
    "journey_map",
    "to_pain_points",
]
