"""Time the MCDA kernels of frictionkit.mcda and print a table.

Workloads: every public kernel on 10,000 alternatives x 6 criteria (target <= 50 ms) and
TOPSIS on 1,000,000 x 5 (target <= 0.5 s). Timings are the median of several runs of the
public (validated) function, so they include input checks. Run:

    .venv/bin/python benchmarks/scoring_kernels.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from frictionkit import mcda


def median_seconds(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    rng = np.random.default_rng(20240601)
    x = rng.uniform(1.0, 100.0, size=(10_000, 6))
    w = np.array([0.3, 0.2, 0.15, 0.15, 0.1, 0.1])
    benefit = [True, True, False, True, False, True]
    big = rng.uniform(1.0, 100.0, size=(1_000_000, 5))
    big_w = np.full(5, 0.2)
    big_b = [True, False, True, False, True]

    cases: list[tuple[str, str, float, Callable[[], Any]]] = [
        ("weighted_sum (minmax)", "10,000 x 6", 0.050, lambda: mcda.weighted_sum(x, w, benefit)),
        (
            "weighted_sum (vector)",
            "10,000 x 6",
            0.050,
            lambda: mcda.weighted_sum(x, w, benefit, "vector"),
        ),
        ("weighted_product", "10,000 x 6", 0.050, lambda: mcda.weighted_product(x, w, benefit)),
        ("topsis", "10,000 x 6", 0.050, lambda: mcda.topsis(x, w, benefit)),
        ("vikor", "10,000 x 6", 0.050, lambda: mcda.vikor(x, w, benefit)),
        ("promethee_ii (usual)", "10,000 x 6", 0.050, lambda: mcda.promethee_ii(x, w, benefit)),
        (
            "promethee_ii (linear)",
            "10,000 x 6",
            0.050,
            lambda: mcda.promethee_ii(x, w, benefit, "linear", p=20.0, q=2.0),
        ),
        ("rank", "10,000", 0.050, lambda: mcda.rank(mcda.topsis(x, w, benefit))),
        ("topsis", "1,000,000 x 5", 0.500, lambda: mcda.topsis(big, big_w, big_b)),
    ]

    load = os.getloadavg()
    print(f"frictionkit MCDA kernels | python {platform.python_version()} | numpy {np.__version__}")
    print(f"cpus {os.cpu_count()} | load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"median of {args.repeat} runs (after one warm-up)\n")
    header = f"{'kernel':<24}{'size':>15}{'median ms':>12}{'target ms':>12}  status"
    print(header)
    print("-" * len(header))
    for name, size, target, fn in cases:
        secs = median_seconds(fn, args.repeat)
        status = "ok" if secs <= target else "SLOW"
        print(f"{name:<24}{size:>15}{secs * 1e3:>12.1f}{target * 1e3:>12.0f}  {status}")
    load = os.getloadavg()
    print(f"\nload average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
