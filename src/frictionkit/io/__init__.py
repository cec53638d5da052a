"""Reading and writing: journey files (YAML/JSON), tables, workbooks and event logs.

Examples
--------
>>> import frictionkit as fk
>>> fk.io.journey_schema()["title"]
'frictionkit journey file'
"""

from __future__ import annotations

from frictionkit.events import read_events, read_xes_frame
from frictionkit.io.files import (
    SCHEMA_VERSION,
    journey_from_dict,
    journey_schema,
    journey_to_dict,
    load_journey,
    save_journey,
)
from frictionkit.io.workbook import read_workbook, write_workbook
from frictionkit.model import entity_columns, journey_from_frames, journey_to_frames

__all__ = [
    "SCHEMA_VERSION",
    "entity_columns",
    "journey_from_dict",
    "journey_from_frames",
    "journey_schema",
    "journey_to_dict",
    "journey_to_frames",
    "load_journey",
    "read_events",
    "read_workbook",
    "read_xes_frame",
    "save_journey",
    "write_workbook",
]
