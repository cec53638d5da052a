"""Helpers shared by the benchmark scripts (standard library only).

The scripts run as ``python benchmarks/<name>.py``, so this module is importable from
them as ``_common``; it is not part of the frictionkit package.
"""

from __future__ import annotations

import os
import subprocess
import venv
from pathlib import Path

# The comparison packages live in their own virtual environment (git-ignored), never in
# frictionkit's.
MCDA_VENV = Path(__file__).resolve().parent / ".venv-mcda"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, or "n/a" where the platform has none."""
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "n/a"


def ensure_mcda_venv() -> Path:
    """Create benchmarks/.venv-mcda with scikit-criteria and pymcdm if missing."""
    python = MCDA_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {MCDA_VENV} (scikit-criteria, pymcdm from PyPI)...", flush=True)
        venv.create(MCDA_VENV, with_pip=True)
        pip = [str(python), "-m", "pip", "install", "-q", "scikit-criteria", "pymcdm"]
        subprocess.run(pip, check=True)
    return python
