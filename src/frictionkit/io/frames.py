"""A journey as one table per entity kind: a compatibility module.

The code lives in :mod:`frictionkit.model` (``model/_frames.py`` and ``model/_journey.py``);
import :func:`journey_to_frames`, :func:`journey_from_frames` and :func:`entity_columns`
from :mod:`frictionkit.io` or :mod:`frictionkit.model`. This module keeps the old path.

Examples
--------
>>> from frictionkit.io.frames import journey_to_frames
>>> from frictionkit.model import journey_to_frames as same
>>> journey_to_frames is same
True
"""

from __future__ import annotations

from frictionkit.model._frames import (
    LIST_FIELDS,
    QUANTITY_FIELDS,
    entity_columns,
    journey_to_frames,
)
from frictionkit.model._journey import journey_from_frames

__all__ = [
    "LIST_FIELDS",
    "QUANTITY_FIELDS",
    "entity_columns",
    "journey_from_frames",
    "journey_to_frames",
]
