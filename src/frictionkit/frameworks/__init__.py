"""Prioritisation frameworks as small array functions: RICE, ICE, PIE, WSJF, CD3, ROI, Kano, MoSCoW.

Each function takes numbers (scalars or arrays, broadcast together), checks them up front
(finite, on the published scale, no zero divisor) and returns a float array. Definitions,
scales and sources are pinned in each docstring; :func:`frictionkit.scoring.prioritise`
scores a table of improvements with the same formulas, declared with its methods in
:data:`frictionkit.scoring.SCORING`.

Examples
--------
>>> from frictionkit import frameworks
>>> frameworks.rice(reach=[450, 2000], impact=[3, 1], confidence=[1.0, 0.8], effort=[2, 4])
array([675., 400.])
>>> frameworks.cd3(cost_of_delay_per_week=[10, 30], duration_weeks=[2, 4])
array([5. , 7.5])
"""

from __future__ import annotations

from frictionkit.frameworks._kano import (
    KANO_ANSWERS,
    KANO_TABLE,
    MOSCOW_MUST_LIMIT,
    MoscowCheck,
    kano_category,
    kano_coefficients,
    moscow_check,
)
from frictionkit.frameworks._ratios import (
    ICE_VARIANTS,
    RICE_CONFIDENCE,
    RICE_IMPACT,
    cd3,
    ice,
    pie,
    rice,
    roi,
    value_per_cost,
    wsjf,
)

__all__ = [
    "ICE_VARIANTS",
    "KANO_ANSWERS",
    "KANO_TABLE",
    "MOSCOW_MUST_LIMIT",
    "RICE_CONFIDENCE",
    "RICE_IMPACT",
    "MoscowCheck",
    "cd3",
    "ice",
    "kano_category",
    "kano_coefficients",
    "moscow_check",
    "pie",
    "rice",
    "roi",
    "value_per_cost",
    "wsjf",
]
