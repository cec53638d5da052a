"""Time ``import frictionkit`` against ``import pandas`` (target: pandas + 0.15 s).

Each import runs in a fresh interpreter (``python -c``), several times; the best run
counts, as the import of a cold process is what a user waits for and the best run is the
one least disturbed by other work on the machine (the load average is printed). Besides
``import frictionkit`` the table shows what first use costs: the core names a first
script uses, and every name of ``frictionkit.__all__`` (which loads the modules behind
them); and which heavy optional modules a bare ``import frictionkit`` pulls in (should
be none: they load on first use). Run:

    .venv/bin/python benchmarks/import_time.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from _common import load_average

SRC = Path(__file__).resolve().parents[1] / "src"
TARGET_S = 0.15
# the heavy modules are listed once, with the test that pins what an import loads
sys.path.insert(0, str(SRC.parent))
from tests.test_lazy_imports import HEAVY  # noqa: E402

TIMED = """
import time
t = time.perf_counter()
{stmt}
print(time.perf_counter() - t)
"""

STATEMENTS = {
    "import pandas": "import pandas",
    "import frictionkit": "import frictionkit",
    "import frictionkit + core names": (
        "import frictionkit as fk\nfk.Journey, fk.EventLog, fk.read_events, fk.prioritise"
    ),
    "import frictionkit + touch __all__": (
        "import frictionkit\nfor _n in frictionkit.__all__: getattr(frictionkit, _n)"
    ),
}


def best_seconds(stmt: str, repeat: int) -> float:
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    code = TIMED.format(stmt=stmt)
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        runs.append(float(out.stdout.strip().splitlines()[-1]))
    return min(runs)


def heavy_modules() -> list[str]:
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    code = "import sys; before = set(sys.modules); import pandas; base = set(sys.modules)\n"
    code += "import frictionkit; print(' '.join(sorted(set(sys.modules) - base)))"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    loaded = out.stdout.split()
    return sorted({h for m in loaded for h in HEAVY if m == h or m.startswith(h + ".")})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}; load average {load_average()}; best of {args.repeat}")
    times = {label: best_seconds(stmt, args.repeat) for label, stmt in STATEMENTS.items()}
    pandas_s = times["import pandas"]
    print(f"{'statement':<38}{'best s':>8}{'minus pandas':>14}{'target':>10}")
    for label, seconds in times.items():
        extra = seconds - pandas_s
        target = f"<= {TARGET_S:.2f}" if label == "import frictionkit" else ""
        extra_text = "" if label == "import pandas" else f"{extra:+.3f}"
        print(f"{label:<38}{seconds:>8.3f}{extra_text:>14}{target:>10}")
    heavy = heavy_modules()
    print("heavy modules pulled in by import frictionkit (beyond pandas):", heavy or "none")
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
