"""Run a Hypothesis fuzz target from ``tests/test_fuzz.py`` for a number of seconds."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root


def _target(
    strategy: st.SearchStrategy[Any], check: Callable[[Any], None], batch: int
) -> tuple[Callable[[], None], list[int]]:
    seen = [0]

    @settings(
        max_examples=batch,
        deadline=None,
        derandomize=False,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def one(value: Any) -> None:
        seen[0] += 1
        check(value)

    return one, seen


def run(name: str, targets: list[tuple[str, st.SearchStrategy[Any], Callable[[Any], None]]]) -> int:
    """Run each (label, strategy, check) in rounds until the time is up; 1 on a failure."""
    parser = argparse.ArgumentParser(description=f"fuzz the {name} for a while")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long (default 60)")
    parser.add_argument("--batch", type=int, default=500, help="examples per round")
    args = parser.parse_args()
    deadline = time.monotonic() + args.seconds
    total = rounds = 0
    while time.monotonic() < deadline:
        for label, strategy, check in targets:
            one, seen = _target(strategy, check, args.batch)
            try:
                one()
            except Exception as err:  # Hypothesis has printed the falsifying example
                print(f"FAILED {label}: {type(err).__name__}: {err}", file=sys.stderr)
                return 1
            total += seen[0]
            if time.monotonic() >= deadline:
                break
        rounds += 1
    print(f"{name}: {total:,} inputs in {rounds} round(s), {args.seconds:g} s, no failure")
    return 0
