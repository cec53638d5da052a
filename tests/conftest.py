"""Shared test configuration: Hypothesis profiles and the real-data helper."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from tests.helpers import shared_data

# `ci`: deterministic and bounded so `make test` stays fast and reproducible.
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture
def shared_data_path():  # type: ignore[no-untyped-def]
    """Fixture form of :func:`tests.helpers.shared_data`: call it with a file name."""
    return shared_data
