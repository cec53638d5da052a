"""Absorbing Markov chains of journeys: success probability, removal and repair effects.

A :class:`MarkovModel` is a first-order absorbing Markov chain over the states
``START``, the touchpoints, ``SUCCESS`` and ``FAILURE``. Every journey enters at
``START``, moves from touchpoint to touchpoint, and is absorbed in ``SUCCESS`` or
``FAILURE``. The transition probabilities are the observed directly-follows counts,
normalised per state (maximum likelihood).

Everything is solved exactly by linear algebra, never by simulation. With ``Q`` the
transient-to-transient block of the transition matrix (transient states: ``START`` and the
touchpoints) and ``r`` the column of transitions into ``SUCCESS``, the fundamental matrix is
``N = (I - Q)^-1`` and the absorption probabilities into ``SUCCESS`` are ``b = N r``. The
success probability is ``b[START]``.

Conventions (pinned)
--------------------
- **Open journeys are excluded.** A journey with no outcome yet ("open") is still under
  way: it is neither a success nor a failure, so it is left out of the chain (its
  transitions are not counted) and reported in :attr:`MarkovModel.n_open`. This follows
  multi-touch attribution tools, which build the chain from completed paths only, each
  ending in a conversion or in the null state; ``FAILURE`` plays the role of that null
  state.
- **Removal effect** (Anderl, Becker, von Wangenheim and Schumann, 2016, "Mapping the
  customer journey: Lessons learned from graph-based online attribution modeling",
  *International Journal of Research in Marketing* 33(3); the R package
  ChannelAttribution): when touchpoint ``k`` is removed, every transition into ``k`` is
  redirected to ``FAILURE``. With ``P`` the success probability and ``P_-k`` the success
  probability of the chain without ``k``, the removal effect is ``1 - P_-k / P``. It is
  computed in closed form: ``P_-k = b[START] - N[START, k] / N[k, k] * b[k]`` (the
  probability of ever reaching ``k`` is ``N[START, k] / N[k, k]``).
- **Repair effect** (what fixing the friction at ``k`` is worth):

  * ``reduce_failure_by=f`` takes the fraction ``f`` of ``k``'s direct transitions to
    ``FAILURE`` and hands it to ``k``'s other successors (touchpoints other than ``k``
    itself, and ``SUCCESS``) in proportion to their transition probabilities. A journey
    leaving ``k`` then fails right away with probability ``(1 - f)`` times the observed
    one, and otherwise goes on as the journeys that did not fail there. Self-loops at
    ``k`` are left as they are.
  * ``redirect_to=t`` sends all of ``k``'s direct transitions to ``FAILURE`` to state
    ``t`` instead (a touchpoint other than ``k``, or ``SUCCESS``).

  The change of one row of the chain is a rank-one update, so the new success probability
  follows exactly from ``N`` and ``b`` (Sherman-Morrison), with no new solve. The repair
  effect is reported as ``delta_success_probability``, ``extra_successes`` (delta times
  the number of journeys) and ``extra_value`` (times ``value_per_success``). Both count
  the journeys of the whole log, not per period: money per period, the unit of the
  ranking and the plan, is :meth:`EventLog.value_at_stake`.
- **Harm removal** (:meth:`MarkovModel.harm_removal_effects`; what removing the step's
  harm is worth, harm that shows after the step included): for touchpoint ``t`` the moves
  carry whether the journey has met ``t``, ``(touchpoint, met)``. Moves of a journey
  before its first visit to ``t`` are counted in the ``met = 0`` copy, from the first
  visit on in the ``met = 1`` copy. With ``t``'s harm removed, each visitor goes on from
  the state it met ``t`` from like the journeys of the ``met = 0`` copy that made a
  *comparable move* there, and succeeds at their success share (their whole observed
  future: nothing after the move is assumed first order). Which moves are comparable is
  the rule the friction table uses (``frictionkit.markov._comparison``): moves to other
  touchpoints, narrowed to ``t``'s successors where there are ``min_support`` of those
  (``s -> t -> u`` against ``s -> u``), and ending right there only at a step where
  journeys end both ways, never for a last step (no successor, its visitors end right
  after it; it is compared with the other last steps). The delta is the new
  success probability minus the observed one; times the journeys it is ``t``'s
  **attributable failures**, the friction table's estimand, with strata of the step
  before (the table also splits by which visit of it).
  It never exceeds the failed visitors of ``t``, and it is negative when the visitors
  did better than comparable journeys. A state with fewer than ``min_support``
  comparable moves (or under 5 % of the moves on from it) keeps its visitors' own
  outcome; a touchpoint with no such state, or whose non-takers mostly ended right
  there (the road-fines log's Send Fine), gets NaN (``method`` ``"not_comparable"``).
- **Bootstrap**: with ``bootstrap=B`` the journeys are resampled with replacement
  (multinomial on the counts of distinct paths, same total), each resample is
  estimated again, and the percentile interval of the delta is reported. Only a model built
  from paths (:meth:`MarkovModel.from_paths`) can be bootstrapped.

Examples
--------
>>> from frictionkit.markov import MarkovModel
>>> model = MarkovModel.from_paths(
...     [("C1", "C2", "C3"), ("C1",), ("C2", "C3")], ["success", "failure", "failure"]
... )
>>> round(model.success_probability, 6)
0.333333
>>> model.removal_effects()
  touchpoint  success_probability_without  removal_effect
0         C2                     0.000000             1.0
1         C3                     0.000000             1.0
2         C1                     0.166667             0.5
"""

from __future__ import annotations

from frictionkit.events._outcomes import (
    FAILURE_STATE,
    OPEN_STATE,
    OUTCOMES,
    RESERVED_STATES,
    START_STATE,
    SUCCESS_STATE,
)
from frictionkit.markov._core import REDUCE_FAILURE_BY, RepairEffect
from frictionkit.markov._model import MarkovModel

__all__ = [
    "FAILURE_STATE",
    "OPEN_STATE",
    "OUTCOMES",
    "REDUCE_FAILURE_BY",
    "RESERVED_STATES",
    "START_STATE",
    "SUCCESS_STATE",
    "MarkovModel",
    "RepairEffect",
]
