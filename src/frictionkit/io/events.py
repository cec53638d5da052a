r"""Event-log files: a compatibility module; the code lives in :mod:`frictionkit.events`.

:func:`read_events` and :func:`read_xes_frame` are the ones of :mod:`frictionkit.events`
(the readers are in ``frictionkit/events/_readers.py`` and ``_xes.py``, the building of
the log's arrays in ``_ingest.py``). Import them from :mod:`frictionkit.events` or
:mod:`frictionkit.io`; this module keeps the old path working.

Examples
--------
>>> from frictionkit.io.events import read_events
>>> from frictionkit.events import read_events as same
>>> read_events is same
True
"""

from __future__ import annotations

from frictionkit.events import read_events, read_xes_frame

__all__ = ["read_events", "read_xes_frame"]
