"""Streaming XES reader (standard library expat), refusing DOCTYPE and entity declarations."""

from __future__ import annotations

import contextlib
import gzip
import zlib
from pathlib import Path
from typing import Any
from xml.parsers import expat

import pandas as pd

from frictionkit.exceptions import DataError, FileAccessError, FrictionkitError, SchemaError

__all__ = ["read_xes_frame"]

_XES_CASE, _XES_ACTIVITY, _XES_TIME = "case:concept:name", "concept:name", "time:timestamp"
_XES_SIMPLE = frozenset({"string", "date", "int", "float", "boolean", "id"})
_CHUNK = 1 << 16


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _XesHandler:
    """Expat callbacks collecting one row per event (trace attributes prefixed ``case:``).

    Only attributes that are direct children of an ``<event>`` or a ``<trace>`` are kept;
    nested ones (meta-attributes, list items) are skipped. The first of a repeated key wins.
    """

    def __init__(self, parser: Any, name: str) -> None:
        self.parser = parser
        self.name = name
        self.rows: list[dict[str, Any]] = []
        self.stack: list[str] = []
        self.trace_depth = -1  # depth of the open <trace>, -1 when none
        self.event_depth = -1
        self.trace_no = 0
        self.event_no = 0
        self.trace_attrs: dict[str, Any] = {}
        self.trace_rows: list[dict[str, Any]] = []
        self.event: dict[str, Any] = {}

    def refuse_doctype(self, *_: Any) -> None:
        raise SchemaError(
            f"{self.name!r} declares a DOCTYPE or entities, which are refused for safety "
            f"(line {self.parser.CurrentLineNumber})",
            field="path",
            value="<!DOCTYPE/<!ENTITY",
            hint="Remove the DOCTYPE / ENTITY declarations (XES does not need them)",
        )

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        depth = len(self.stack)
        parent = self.stack[-1] if self.stack else ""
        self.stack.append(tag)
        if tag == "trace" and self.trace_depth < 0:
            self.trace_depth = depth
            self.trace_no += 1
            self.event_no = 0
            self.trace_attrs, self.trace_rows = {}, []
        elif tag == "event" and self.trace_depth >= 0 and self.event_depth < 0:
            self.event_depth = depth
            self.event_no += 1
            self.event = {}
        elif tag in _XES_SIMPLE and "key" in attrs:
            if parent == "event" and depth == self.event_depth + 1:
                self.event.setdefault(attrs["key"], self.value(tag, attrs))
            elif parent == "trace" and depth == self.trace_depth + 1:
                key = f"case:{attrs['key']}"
                self.trace_attrs.setdefault(key, self.value(tag, attrs))

    def end(self, _name: str) -> None:
        self.stack.pop()
        depth = len(self.stack)
        if depth == self.event_depth:
            self.event_depth = -1
            self.trace_rows.append(self.event)
        elif depth == self.trace_depth:
            self.trace_depth = -1
            for row in self.trace_rows:
                row.update(self.trace_attrs)
            self.rows.extend(self.trace_rows)

    def value(self, kind: str, attrs: dict[str, str]) -> Any:
        text = attrs.get("value")
        if text is None:
            return None
        try:
            if kind == "int":
                return int(text)
            if kind == "float":
                return float(text)
        except ValueError:
            self.bad_value(kind, attrs["key"], text)
        if kind == "boolean":
            return text.strip().lower() == "true"
        return text

    def bad_value(self, kind: str, key: str, text: str) -> None:
        line = self.parser.CurrentLineNumber
        where = f"event {self.event_no} of trace {self.trace_no}"
        if self.event_depth < 0:
            where = f"trace {self.trace_no}"
        shown = text if len(text) <= 40 else f"{text[:37]}..."
        expected = "a whole number (at most 4300 digits)" if kind == "int" else "a number"
        raise DataError(
            f"{self.name!r} line {line}: <{kind} key={key!r}> of {where} has value "
            f"{shown!r}, which is not {expected}",
            field=key,
            value=shown,
            failure_cases=pd.DataFrame(
                {
                    "line": [line],
                    "trace": [self.trace_no],
                    "event": [self.event_no if self.event_depth >= 0 else None],
                    "key": [key],
                    "type": [kind],
                    "value": [shown],
                }
            ),
            hint="Fix the value, or declare the attribute as <string> if it is not "
            "numeric (XES numbers use a dot for decimals: 1.5)",
        )


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
        parsed by :meth:`EventLog.from_frame`. Attributes nested in other attributes
        (meta-attributes, list items) are left out.

    Raises
    ------
    SchemaError
        The file is not well-formed XML, not valid gzip, holds no events, or declares a
        DOCTYPE or entities (refused in every encoding, before any entity is read).
    DataError
        An ``<int>`` or ``<float>`` attribute whose value is not of its type (the error
        names the attribute, the event, the trace and the line).

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
    p = Path(path)
    parser = expat.ParserCreate(namespace_separator="}")
    handler = _XesHandler(parser, p.name)
    parser.StartDoctypeDeclHandler = handler.refuse_doctype
    parser.EntityDeclHandler = handler.refuse_doctype
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    try:
        with contextlib.ExitStack() as stack:
            stream: Any = stack.enter_context(open(p, "rb"))
            if p.name.lower().endswith(".gz"):
                stream = stack.enter_context(gzip.GzipFile(fileobj=stream, mode="rb"))
            fed, size = 0, _CHUNK
            while chunk := stream.read(size):
                parser.Parse(chunk, False)
                fed += len(chunk)
                # Expat parses a token (a tag with a long attribute value) again from its
                # start each time more input arrives: fed in fixed chunks, one long value
                # costs time quadratic in its length. Reading at least as much again as
                # is still pending makes each token be parsed O(log n) times: linear.
                size = max(_CHUNK, fed - max(parser.CurrentByteIndex, 0))
            parser.Parse(b"", True)
    except FrictionkitError:
        raise
    except (PermissionError, IsADirectoryError, FileNotFoundError) as err:
        what = "is a folder, not a file" if p.is_dir() else f"cannot be read: {err.strerror}"
        raise FileAccessError(
            f"{p.name!r} {what}",
            field="path",
            value=str(p),
            hint="give the path of an .xes or .xes.gz file you can read",
        ) from None
    except expat.ExpatError as err:
        raise SchemaError(
            f"{p.name!r} is not well-formed XML: {expat.errors.messages[err.code]} "
            f"(line {err.lineno}, column {err.offset})",
            field="path",
            value=str(p),
            hint="Check that the file is a complete XES document",
        ) from None
    except (gzip.BadGzipFile, zlib.error, EOFError) as err:
        raise SchemaError(
            f"{p.name!r} is not a valid gzip file ({err})",
            field="path",
            value=str(p),
            hint="Compress it again, or read the uncompressed .xes file",
        ) from None
    except (ValueError, LookupError, UnicodeError) as err:  # e.g. an unsupported encoding
        raise SchemaError(
            f"{p.name!r} cannot be read as XML: {err}",
            field="path",
            value=str(p),
            hint="Save the file as UTF-8 XML",
        ) from None
    if not handler.rows:
        raise SchemaError(
            f"{p.name!r} holds no events",
            field="path",
            value=str(p),
            hint="An XES log has <trace> elements holding <event> elements",
        )
    df = pd.DataFrame(handler.rows)
    first = [c for c in (_XES_CASE, _XES_ACTIVITY, _XES_TIME) if c in df.columns]
    return df[first + [c for c in df.columns if c not in set(first)]]
