"""The journey model: stages, touchpoints, personas, owners, pain points, improvements.

All classes are frozen, keyword-only and validated at construction. Change one with
:func:`attrs.evolve`, which validates again. A :class:`Journey` checks that every
reference resolves (a pain point's touchpoint, an improvement's fixes, owner, requires
and excludes), that ids are unique, that ``requires`` has no cycle and that no
improvement both needs and excludes another.

The package holds the entities (``_entities.py``), the :class:`Journey` and its checks
(``_journey.py``) and the conversion to and from one table per entity kind
(``_frames.py``). It imports nothing above it: files are read and written by
:mod:`frictionkit.io`.

Examples
--------
>>> import frictionkit as fk
>>> j = fk.Journey(
...     stages=fk.STANDARD_STAGES,
...     touchpoints=[fk.Touchpoint(id="website", stage="discovery", channel="web")],
... )
>>> j.touchpoint("website").stage
'discovery'
"""

from __future__ import annotations

from frictionkit.model._entities import (
    ENTITIES,
    STANDARD_STAGES,
    Improvement,
    Owner,
    PainPoint,
    Persona,
    Stage,
    Touchpoint,
)
from frictionkit.model._frames import entity_columns as entity_columns
from frictionkit.model._frames import journey_to_frames as journey_to_frames
from frictionkit.model._graph import _find_cycle as _find_cycle
from frictionkit.model._journey import PERIODS, Journey
from frictionkit.model._journey import journey_from_frames as journey_from_frames
from frictionkit.model._journey import require_journey as require_journey

# The frame conversion (documented with frictionkit.io, which re-exports it) and the
# package helpers require_journey and _find_cycle are importable from here too.

__all__ = [
    "ENTITIES",
    "PERIODS",
    "STANDARD_STAGES",
    "Improvement",
    "Journey",
    "Owner",
    "PainPoint",
    "Persona",
    "Stage",
    "Touchpoint",
]
