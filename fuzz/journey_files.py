"""Fuzz the journey-file reader (YAML and JSON) for a given time.

Usage: ``python fuzz/journey_files.py --seconds 60``. Exit code 1 and the falsifying
example on the first exception that is not a FrictionkitError.
"""

from __future__ import annotations

import sys

from _run import run
from hypothesis import strategies as st
from tests.test_fuzz import _documents, _dump, _yaml_text, check_journey_text

_suffix = st.sampled_from([".yaml", ".json"])


def _text(args: tuple[str, str]) -> None:
    check_journey_text(*args)


def _structure(args: tuple[object, str]) -> None:
    document, suffix = args
    check_journey_text(_dump(document, suffix), suffix)


if __name__ == "__main__":
    sys.exit(
        run(
            "journey-file reader",
            [
                ("random text", st.tuples(_yaml_text, _suffix), _text),
                ("random structures", st.tuples(_documents, _suffix), _structure),
            ],
        )
    )
