"""Root test configuration: doctests in src/ run in a temporary directory."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _doctests_in_tmp_path(request: pytest.FixtureRequest, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Docstring examples may write files; keep them out of the working tree."""
    if isinstance(request.node, pytest.DoctestItem):
        monkeypatch.chdir(tmp_path)
