"""Result objects of prioritisation: :class:`Ranking` and :class:`MethodComparison`.

The code lives in :mod:`frictionkit.scoring` now (``scoring/_ranking.py`` and
``scoring/_compare.py``); this module re-exports its names so that ``frictionkit.ranking``
keeps working.

Examples
--------
>>> import frictionkit as fk
>>> from frictionkit.scoring import prioritise
>>> ranking = prioritise(fk.datasets.load_autoparts())
>>> ranking  # doctest: +NORMALIZE_WHITESPACE
Ranking(method='value_per_cost', n=12, quick_wins=2,
        top=['onboarding_plan', 'guided_selling', 'callback_sla'], impact in EUR per year)
"""

from __future__ import annotations

from frictionkit.scoring._compare import DEFAULT_COMPARE_METHODS, compare_methods
from frictionkit.scoring._ranking import (
    EASY_AND_SMART,
    FILL_IN,
    IMPACT_MISSING,
    MAJOR_PROJECT,
    QUADRANTS,
    QUICK_WIN,
    THANKLESS,
    UNOWNED,
    MethodComparison,
    Ranking,
    non_dominated,
    weighted_spearman,
)
from frictionkit.scoring._ranking import _rank as _rank  # for tests of the tie rule

__all__ = [
    "DEFAULT_COMPARE_METHODS",
    "EASY_AND_SMART",
    "FILL_IN",
    "IMPACT_MISSING",
    "MAJOR_PROJECT",
    "QUADRANTS",
    "QUICK_WIN",
    "THANKLESS",
    "UNOWNED",
    "MethodComparison",
    "Ranking",
    "compare_methods",
    "non_dominated",
    "weighted_spearman",
]
