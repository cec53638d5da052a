"""Streaming XES reader (standard library only), refusing DOCTYPE and entity declarations."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd

from frictionkit.exceptions import ValidationError

__all__ = ["read_xes_frame"]

_XES_CASE, _XES_ACTIVITY, _XES_TIME = "case:concept:name", "concept:name", "time:timestamp"


class _GuardedReader(io.RawIOBase):
    """A byte stream that refuses DOCTYPE and ENTITY declarations while it is read."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._tail = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        window = (self._tail + data).upper()
        if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
            raise ValidationError(
                "the XES file declares a DOCTYPE or entities, which are refused for safety",
                field="path",
                value="<!DOCTYPE/<!ENTITY",
                hint="Remove the DOCTYPE / ENTITY declarations (XES does not need them)",
            )
        self._tail = data[-16:]
        n = len(data)
        buffer[:n] = data
        return n


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_XES_SIMPLE = {"string", "date", "int", "float", "boolean", "id"}


def _xes_value(kind: str, text: str | None) -> Any:
    if text is None:
        return None
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    if kind == "boolean":
        return text.strip().lower() == "true"
    return text


def read_xes_frame(path: str | Path) -> pd.DataFrame:
    """Read an XES file (optionally gzipped) into one row per event.

    Parameters
    ----------
    path : str or Path
        The ``.xes`` or ``.xes.gz`` file.

    Returns
    -------
    pandas.DataFrame
        Event attributes as columns (``concept:name``, ``time:timestamp`` …) and trace
        attributes prefixed ``case:`` (``case:concept:name``). Dates stay text; they are
        parsed by :meth:`EventLog.from_frame`.

    Examples
    --------
    >>> import tempfile, os
    >>> xes = ('<log><trace><string key="concept:name" value="c1"/>'
    ...        '<event><string key="concept:name" value="visit"/>'
    ...        '<date key="time:timestamp" value="2024-01-01T10:00:00+00:00"/></event>'
    ...        '</trace></log>')
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "log.xes")
    ...     with open(p, "w") as fh:
    ...         _ = fh.write(xes)
    ...     read_xes_frame(p).columns.tolist()
    ['case:concept:name', 'concept:name', 'time:timestamp']
    """
    import xml.etree.ElementTree as ET

    p = Path(path)

    def opener() -> BinaryIO:
        if p.name.lower().endswith(".gz"):
            return gzip.open(p, "rb")  # type: ignore[return-value]
        return open(p, "rb")

    rows: list[dict[str, Any]] = []
    with opener() as raw:
        stream = io.BufferedReader(_GuardedReader(raw))
        trace_attrs: dict[str, Any] = {}
        trace_rows: list[dict[str, Any]] = []
        depth_event = 0
        depth_trace = 0
        event: dict[str, Any] = {}
        try:
            events_iter: Iterator[tuple[str, Any]] = ET.iterparse(stream, events=("start", "end"))
            for kind, elem in events_iter:
                tag = _local(elem.tag)
                if kind == "start":
                    if tag == "trace":
                        depth_trace += 1
                        trace_attrs, trace_rows = {}, []
                    elif tag == "event":
                        depth_event += 1
                        event = {}
                    continue
                if tag in _XES_SIMPLE and elem.get("key") is not None:
                    parent_is_event = depth_event > 0
                    key = str(elem.get("key"))
                    value = _xes_value(tag, elem.get("value"))
                    if parent_is_event:
                        event.setdefault(key, value)
                    elif depth_trace > 0:
                        trace_attrs.setdefault(f"case:{key}", value)
                elif tag == "event":
                    depth_event -= 1
                    trace_rows.append(event)
                    elem.clear()
                elif tag == "trace":
                    depth_trace -= 1
                    for r in trace_rows:
                        r.update(trace_attrs)
                    rows.extend(trace_rows)
                    elem.clear()
        except ET.ParseError as err:
            raise ValidationError(
                f"{p.name!r} is not well-formed XML: {err}",
                field="path",
                value=str(p),
                hint="Check that the file is a complete XES document",
            ) from None
    if not rows:
        raise ValidationError(
            f"{p.name!r} holds no events",
            field="path",
            value=str(p),
            hint="An XES log has <trace> elements holding <event> elements",
        )
    df = pd.DataFrame(rows)
    first = [c for c in (_XES_CASE, _XES_ACTIVITY, _XES_TIME) if c in df.columns]
    return df[first + [c for c in df.columns if c not in set(first)]]
