"""Fuzz the XES reader for a given time.

Usage: ``python fuzz/xes.py --seconds 60``. Exit code 1 and the falsifying example on the
first exception that is not a FrictionkitError (or the one known, tracked bug).
"""

from __future__ import annotations

import sys

from _run import run
from hypothesis import strategies as st
from tests.test_fuzz import _xes_bytes, check_xes_bytes

if __name__ == "__main__":
    sys.exit(
        run(
            "XES reader",
            [
                ("XES-like documents", _xes_bytes(), check_xes_bytes),
                ("random bytes", st.binary(max_size=300), check_xes_bytes),
            ],
        )
    )
