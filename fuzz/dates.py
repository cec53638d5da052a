"""Fuzz the reading of text timestamps for a given time.

Usage: ``python fuzz/dates.py --seconds 60``. Exit code 1 and the falsifying example on the
first exception that is not a FrictionkitError, or on a column read in another format than
the one it is written in.
"""

from __future__ import annotations

import sys

from _run import run
from tests.test_fuzz import _date_columns, check_date_column

if __name__ == "__main__":
    sys.exit(
        run(
            "text timestamps",
            [("one-format columns", _date_columns(), lambda c: check_date_column(*c))],
        )
    )
