"""Charts of every result, drawn with matplotlib (the ``plot`` extra).

Every chart is ``fn(result, ..., ax=None) -> matplotlib.axes.Axes``: it draws on ``ax``
when given, otherwise on a new figure, and returns the Axes. Every chart has a data
twin, ``fn_data(result, ...) -> DataFrame``, returning exactly the values drawn (the twins
need no matplotlib). Colours come from Okabe and Ito's colour-blind-safe palette.

matplotlib is imported when a chart is drawn, never when this module is imported; without
it, drawing raises :class:`~frictionkit.OptionalDependencyError` with the install line
(``pip install 'frictionkit[plot]'``).

==============================  ======================================  ==================
chart                           draws                                   from
==============================  ======================================  ==================
:func:`impact_effort`           impact-effort matrix, quadrants         ``Ranking``
:func:`journey_map`             stages, touchpoint cards, emotion curve ``Journey`` (+ log,
                                                                        feedback)
:func:`route_flow`              routes flowing into their outcomes      ``EventLog``
:func:`funnel`                  journeys reaching each stage            ``EventLog``
:func:`friction`                risk ratios with 95 % intervals         ``EventLog``
:func:`repair_effects`          Markov repair gains with intervals      ``EventLog``
:func:`rank_risk`               P(top k), split by rank                 ``SMAAResult``
:func:`rank_acceptability`      rank acceptability heat map             ``SMAAResult``
:func:`frontier`                exact and greedy value per budget       ``frontier()``
:func:`roadmap`                 Gantt chart by owner                    ``roadmap()``
==============================  ======================================  ==================

Examples
--------
>>> import frictionkit as fk
>>> from frictionkit.plot import impact_effort_data
>>> impact_effort_data(fk.prioritise(fk.datasets.load_autoparts()))["quadrant"].iloc[1]
'quick win'
"""

from __future__ import annotations

from frictionkit.plot._accessor import PlotAccessor, accessor
from frictionkit.plot._common import OKABE_ITO
from frictionkit.plot._decisions import (
    impact_effort,
    impact_effort_data,
    rank_acceptability,
    rank_acceptability_data,
    rank_risk,
    rank_risk_data,
)
from frictionkit.plot._evidence import (
    friction,
    friction_data,
    funnel,
    funnel_data,
    repair_effects,
    repair_effects_data,
)
from frictionkit.plot._journey import journey_map, journey_map_data
from frictionkit.plot._planning import frontier, frontier_data, roadmap, roadmap_data
from frictionkit.plot._routes import OTHER_ROUTES, route_flow, route_flow_data

__all__ = [
    "OKABE_ITO",
    "OTHER_ROUTES",
    "PlotAccessor",
    "accessor",
    "friction",
    "friction_data",
    "frontier",
    "frontier_data",
    "funnel",
    "funnel_data",
    "impact_effort",
    "impact_effort_data",
    "journey_map",
    "journey_map_data",
    "rank_acceptability",
    "rank_acceptability_data",
    "rank_risk",
    "rank_risk_data",
    "repair_effects",
    "repair_effects_data",
    "roadmap",
    "roadmap_data",
    "route_flow",
    "route_flow_data",
]
