"""Prioritise improvements: frameworks and MCDA methods over a journey or a table.

:func:`prioritise` turns a :class:`~frictionkit.Journey`, a DataFrame of improvements or a
list of :class:`~frictionkit.Improvement` objects into a :class:`~frictionkit.ranking.Ranking`:
one row per improvement with its inputs, score, rank, quadrant, owner and a breakdown of
the score. :func:`compare_methods` ranks the same improvements with several methods side
by side and measures how much they agree.

What each method reads from an improvement (``impact`` is the resolved impact, see below;
numbers given as :class:`~frictionkit.Estimate` are scored at their mean):

=================  ===========================================================================
method             score (higher is better)
=================  ===========================================================================
value_per_cost     ``impact / cost``
roi                ``(impact - cost) / cost`` (first-year ROI when impact is per year)
rice               ``reach * impact * confidence / effort_days``; reach from ``reach_col``
                   (DataFrame; 1 when not given) or, for a Journey, the sum of the fixed
                   pain points' ``reach`` (a pain point without reach counts 0)
ice                ``I * C * E`` (or their average, ``ice_variant="average"``) with
                   ``I = 10 * impact / max(impact)``, ``C = 10 * confidence``,
                   ``E = 10 * min(effort_days) / effort_days`` (all on Ellis's 0-10 scale)
wsjf               ``(impact + time_criticality + risk_reduction) / effort_days``; the two
                   middle terms from ``time_criticality_col`` / ``risk_reduction_col``
                   (0 when not given), job size = ``effort_days``
cd3                ``(impact / 52) / duration_weeks``: impact per year as cost of delay per
                   week; ``duration_weeks`` from ``duration_col`` or ``effort_days / 5``
weighted_sum       :func:`frictionkit.mcda.weighted_sum` (min-max normalisation)
weighted_product   :func:`frictionkit.mcda.weighted_product` (all criteria ``> 0``)
topsis             :func:`frictionkit.mcda.topsis` closeness
vikor              ``1 - Q`` of :func:`frictionkit.mcda.vikor` (``v = vikor_v``)
promethee          :func:`frictionkit.mcda.promethee_ii` net flow (usual criterion)
=================  ===========================================================================

Each method is declared once, in :data:`SCORING` (a :class:`ScoringMethod` per name: its
label, the formula above, its source, what it reads and refuses, its per-draw kernel and
the breakdown behind the ``contrib_*`` columns); :func:`prioritise` scores through it with
no case of its own per method, and a test keeps this table and the registry in step.

The MCDA methods use ``criteria`` (default: impact as benefit, effort_days and cost as
cost, confidence as benefit) and ``weights`` (default: equal). A missing confidence counts
as ``default_confidence`` (0.5, Intercom's "low").

**Impact.** With ``value_at_stake`` (pain point id -> money per year at stake), an
improvement that fixes pain points with a value gets ``impact = sum(value) * fix_share``
(the mean of its ``fix_share``; 1.0 when ``fix_share`` is not given) and
``impact_source="evidence"``. Otherwise its declared ``impact`` is used
(``"declared"``). Without either, impact is 0 with ``impact_source="missing"`` and a
:class:`MissingImpactWarning` naming the ids (mandatory improvements, which are done
whatever their impact, get no warning).

**Impact from evidence.** ``prioritise(journey, evidence=log, value_per_success=...,
per="year")`` measures the value at stake of the journey's pain points itself
(:meth:`EventLog.value_at_stake`: attributable failures per period times the value of a
success; scoring only calls that method, it imports no event-log code): an improvement's
impact is ``fix_share`` times the value at stake of the distinct touchpoints of the pain
points it fixes, with ``impact_low`` / ``impact_high`` and the bootstrap draws in
:attr:`Ranking.impact_draws` (and per pain point in :attr:`Ranking.value_draws`). For
RICE, ``reach`` is then the journeys per period that visit those touchpoints and the
impact is per journey (``impact / reach``), so reach x impact is the value once; the
``impact`` column stays the total per period. A ``value_at_stake=`` mapping (no
evidence) is counted once the same way: its impact is divided by the fixed pain points'
reach (their share of customers; 1 when that is 0 or unknown).

**Ranks.** 1 is best. Scores within ``1e-9`` of the largest absolute score are tied; ties
go to the lower cost, then the lower effort, then the improvement listed first.

**Quadrants.** ``"quick win"`` (impact strictly above the impact threshold and above 0,
effort strictly below the effort threshold), ``"major project"`` (high impact, effort not
below), ``"fill-in"`` (low impact, low effort) and ``"thankless"`` (low impact, high
effort). Thresholds are the medians by default (a missing impact counts as 0 there); a
value equal to a threshold is neither high impact nor low effort, and a zero impact is
never high. An improvement without any impact gets the label ``"impact missing"``
instead of a quadrant. ``EASY_AND_SMART`` is an alias of ``QUICK_WIN``.
``non_dominated`` is True when no other improvement is at least as good on impact,
effort and cost and strictly better on one.

Examples
--------
>>> import frictionkit as fk
>>> from frictionkit.scoring import prioritise
>>> ranking = prioritise(fk.datasets.load_autoparts())
>>> ranking.quick_wins()[["rank", "id", "owner"]].to_dict("records")
... # doctest: +NORMALIZE_WHITESPACE
[{'rank': 2, 'id': 'guided_selling', 'owner': 'sales'},
 {'rank': 3, 'id': 'callback_sla', 'owner': 'customer_service'}]
"""

from __future__ import annotations

from frictionkit.exceptions import MissingImpactWarning, MissingOwnerWarning
from frictionkit.scoring._compare import DEFAULT_COMPARE_METHODS, compare_methods
from frictionkit.scoring._methods import MCDA_METHODS, METHODS, SCORING, ScoringMethod
from frictionkit.scoring._prioritise import prioritise
from frictionkit.scoring._ranking import (
    MethodComparison,
    Ranking,
    non_dominated,
    weighted_spearman,
)

__all__ = [
    "DEFAULT_COMPARE_METHODS",
    "MCDA_METHODS",
    "METHODS",
    "SCORING",
    "MethodComparison",
    "MissingImpactWarning",
    "MissingOwnerWarning",
    "Ranking",
    "ScoringMethod",
    "compare_methods",
    "non_dominated",
    "prioritise",
    "weighted_spearman",
]
