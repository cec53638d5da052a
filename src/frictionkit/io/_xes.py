"""The XES reader: a compatibility module; the code lives in :mod:`frictionkit.events._xes`."""

from __future__ import annotations

from frictionkit.events._xes import _XES_ACTIVITY, _XES_CASE, _XES_TIME, read_xes_frame

__all__ = ["_XES_ACTIVITY", "_XES_CASE", "_XES_TIME", "read_xes_frame"]
