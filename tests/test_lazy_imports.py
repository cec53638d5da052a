"""``import frictionkit`` stays light: heavy dependencies load on first use (issue 22).

Each check runs a fresh interpreter, as ``sys.modules`` of the test session already holds
everything. What ``import pandas`` itself loads (pyarrow, with some pandas builds) is
not frictionkit's to avoid, so it is subtracted.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import frictionkit
from tests.helpers import REPO_ROOT

# The child interpreter imports the same frictionkit as this session.
_SRC = str(Path(frictionkit.__file__).resolve().parents[1])
_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([_SRC, os.environ.get("PYTHONPATH", "")])}

HEAVY = (
    "scipy",
    "matplotlib",
    "jinja2",
    "duckdb",
    "pyspark",
    "pyarrow",
    "polars",
    "statsmodels",
    "sklearn",
    "tqdm",
    "frictionkit.datasets.simulate",
)


def _loaded_by(statement: str) -> set[str]:
    code = (
        "import sys; import pandas; base = set(sys.modules)\n"
        f"{statement}\n"
        "print(' '.join(sorted(set(sys.modules) - base)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
        env=_ENV,
    )
    return set(out.stdout.split())


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules for h in HEAVY if m == h or m.startswith(h + "."))


def test_import_frictionkit_pulls_in_no_heavy_module() -> None:
    loaded = _loaded_by("import frictionkit")
    assert _heavy(loaded) == []
    # Only the version, the options and the error tree load with the package.
    assert {m for m in loaded if m.startswith("frictionkit.")} <= {
        "frictionkit._compat",
        "frictionkit._resources",
        "frictionkit.exceptions",
    }


@pytest.mark.parametrize(
    "statement",
    [
        "import frictionkit as fk; fk.Journey; fk.EventLog; fk.read_events",
        "import frictionkit as fk; fk.datasets.load_autoparts()",
        "import frictionkit as fk; fk.prioritise; fk.rank_risk; fk.smaa",
    ],
)
def test_first_use_loads_only_what_it_needs(statement: str) -> None:
    assert _heavy(_loaded_by(statement)) == []


def test_first_use_of_a_lazy_name_loads_it() -> None:
    loaded = _loaded_by("import frictionkit as fk; fk.datasets.simulate_journeys")
    assert "frictionkit.datasets.simulate" in loaded


def test_unknown_names_raise_attribute_error() -> None:
    fk = frictionkit
    with pytest.raises(AttributeError, match="no_such_name"):
        fk.no_such_name  # noqa: B018
    with pytest.raises(AttributeError, match="no_such_name"):
        fk.datasets.no_such_name  # noqa: B018
    assert set(fk.__all__) <= set(dir(fk))
    assert {"simulate_journeys", "load_autoparts"} <= set(dir(fk.datasets))
