"""Every public import path that users may have written keeps working.

``tests/data/public_names.txt`` lists ``module:name`` for every name in the ``__all__`` of
every public module, as it stood before the code was reorganised into layers (and as
names were added since). Code may move, but each line must still import, unless it is
listed in ``RETIRED`` with the reason and the replacement (also in the changelog).
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

NAMES = Path(__file__).parent / "data" / "public_names.txt"
LINES = [line for line in NAMES.read_text(encoding="utf-8").splitlines() if line.strip()]

# module:name -> why it no longer imports, and what to use instead.
RETIRED: dict[str, str] = {
    "frictionkit.uncertainty:METHODS": "it meant the methods SMAA can sample, not "
    "scoring.METHODS (all methods); use uncertainty.SMAA_METHODS",
    **{
        f"frictionkit.markov:{name}": f"markov.{name} was the state's text {name!r}, "
        "while events.SUCCESS, FAILURE and OPEN are outcome codes (one name, one "
        f"meaning): use {name}_STATE, from frictionkit.markov or frictionkit.events"
        for name in ("START", "SUCCESS", "FAILURE", "OPEN")
    },
}


@pytest.mark.parametrize("line", LINES)
def test_public_name_still_imports(line: str) -> None:
    module, name = line.split(":")
    if line in RETIRED:
        pytest.skip(f"retired on purpose: {RETIRED[line]}")
    mod = importlib.import_module(module)
    assert hasattr(mod, name), f"{module}.{name} no longer imports; keep a re-export"


def test_retired_names_are_really_gone() -> None:
    """A retired line that still imports should be taken off the retired list."""
    for line in RETIRED:
        module, name = line.split(":")
        assert not hasattr(importlib.import_module(module), name), line
