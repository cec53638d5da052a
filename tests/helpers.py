"""Helpers shared by tests: the repository root and the real-data locator."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path | None:
    """The folder of real event logs beside the project (``../shared/data``), if present.

    ``FRICTIONKIT_SHARED_DATA`` overrides the location.
    """
    override = os.environ.get("FRICTIONKIT_SHARED_DATA")
    path = Path(override) if override else REPO_ROOT.parent / "shared" / "data"
    return path if path.is_dir() else None


def shared_data(name: str) -> Path:
    """Path of one real data file, or skip the test with the reason."""
    folder = shared_data_dir()
    if folder is None:
        pytest.skip(
            "real event logs not available: ../shared/data is absent beside this clone "
            "(set FRICTIONKIT_SHARED_DATA to point at it)"
        )
    path = folder / name
    if not path.exists():
        pytest.skip(f"real data file {name!r} not found in {folder}")
    return path


def assert_decisions_first(table: pd.DataFrame) -> None:
    """Assert the order of a failure_patterns table.

    Friction first, outcome markers last, every other verdict between; within each, by
    the attributable failures (NaN last), then by the crude excess.
    """
    order = {"friction": 0, "outcome marker": 2}
    rank = table["verdict"].map(lambda v: order.get(v, 1))
    assert rank.is_monotonic_increasing
    for _, part in table.groupby(rank):
        af = part["attributable_failures"]
        known = af.notna().to_numpy()
        assert not (known[1:] & ~known[:-1]).any()  # NaN only at the end
        assert af.dropna().is_monotonic_decreasing
        assert part.loc[af.isna(), "excess_failures"].is_monotonic_decreasing
