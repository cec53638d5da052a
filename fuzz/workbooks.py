"""Fuzz the workbook reader and writer for a given time.

Usage: ``python fuzz/workbooks.py --seconds 60``. Exit code 1 and the falsifying example on
the first exception that is not a FrictionkitError, or on a workbook that reads back
different from what was written (text with control characters, carriage returns,
formula-like or OOXML-escape-like cells; CSV folder and .xlsx).
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from _run import run
from hypothesis import strategies as st

import frictionkit as fk

_WORKDIR = Path(tempfile.mkdtemp(prefix="frictionkit-fuzz-workbooks-"))
_BASE = fk.datasets.load_autoparts()

_pieces = st.sampled_from(
    ["\r\n", "\r", "\n", "\t", "\x00", "\x07", "\x1b[2J", "_x000D_", "_x005F_", "_x", "=", "+",
     "-", "@", "'", ",", '"', "é", "\u202e", " ", "NA", "null", "1e400", "<b>"]
)  # fmt: skip
_text = st.lists(st.one_of(_pieces, st.text(max_size=4)), min_size=1, max_size=8).map("".join)


def check_round_trip(case: tuple[str, str, str]) -> None:
    """Write a journey whose texts are fuzzed, read it back: equal, or a FrictionkitError."""
    name, title, suffix = case
    try:
        journey = _BASE.replace("touchpoints", _BASE.touchpoints[0].id, name=name)
        journey = journey.replace("improvements", _BASE.improvements[0].id, title=title)
    except fk.FrictionkitError:
        return  # the model refuses the text: nothing to write
    target = _WORKDIR / f"w{suffix}"
    shutil.rmtree(target, ignore_errors=True)
    try:
        fk.write_workbook(journey, target)
    except fk.FrictionkitError:
        return
    back = fk.read_workbook(target)
    if back != journey:
        raise AssertionError(
            f"{suffix or 'CSV folder'} round trip changed the journey: "
            f"{back.touchpoints[0].name!r} / {back.improvements[0].title!r}"
        )


def check_table_bytes(case: tuple[str, bytes]) -> None:
    """Random bytes as one table of a CSV workbook, or as an .xlsx: only FrictionkitError."""
    table, data = case
    folder = _WORKDIR / "tables"
    shutil.rmtree(folder, ignore_errors=True)
    fk.write_workbook(_BASE, folder)
    (folder / f"{table}.csv").write_bytes(data)
    with contextlib.suppress(fk.FrictionkitError):
        fk.read_workbook(folder)
    xlsx = _WORKDIR / "random.xlsx"
    xlsx.write_bytes(data)
    with contextlib.suppress(fk.FrictionkitError):
        fk.read_workbook(xlsx)


def _targets() -> list[tuple[str, st.SearchStrategy[Any], Any]]:
    return [
        (
            "fuzzed texts, written and read back",
            st.tuples(_text, _text, st.sampled_from(["", ".xlsx"])),
            check_round_trip,
        ),
        (
            "random bytes as a table",
            st.tuples(
                st.sampled_from(["journey", "stages", "touchpoints", "improvements"]),
                st.binary(max_size=300),
            ),
            check_table_bytes,
        ),
    ]


if __name__ == "__main__":
    sys.exit(run("workbook reader and writer", _targets()))
