"""Fuzz the key cells of event tables and the scores of surveys for a given time.

Usage: ``python fuzz/key_cells.py --seconds 60``. Exit code 1 and the falsifying example on
the first exception that is not a FrictionkitError, on two distinct keys merged into one
(``True`` and ``1``), on two routes printed alike, or on a true/false or fractional NPS
answer read as a score.
"""

from __future__ import annotations

import sys

from _run import run
from hypothesis import strategies as st
from tests.test_fuzz import _SCORE_CELLS, _key_tables, check_key_table, check_survey

if __name__ == "__main__":
    sys.exit(
        run(
            "key cells and survey scores",
            [
                ("event table keys", _key_tables(), lambda t: check_key_table(*t)),
                (
                    "survey scores",
                    st.tuples(
                        st.lists(_SCORE_CELLS, min_size=1, max_size=6),
                        st.sampled_from(["nps", "csat"]),
                    ),
                    lambda t: check_survey(*t),
                ),
            ],
        )
    )
