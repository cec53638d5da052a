"""Time SMAA-2 (frictionkit.uncertainty.smaa) and rank_risk at 1,000 alternatives x 10,000 draws.

Workloads: weights uniform on the simplex with a fixed matrix, scored by the weighted sum
and by TOPSIS (target <= 1 s and <= 500 MB peak traced memory each), plus, for
information, the same with sampled criteria values (``matrix_draws``, 200 alternatives),
and ``rank_risk`` on 1,000 improvements (impact, effort and cost as three-point, range
and T-shirt estimates) x 10,000 draws with value per cost, CD3 and TOPSIS (no target
in the issue; every estimate is sampled, scored, ranked and tallied per draw).
Timings are the median of several runs of the public (validated) function; the peak is
measured with tracemalloc in a separate run. The machine's load average is printed
because other work on the machine slows every timing. Run:

    .venv/bin/python benchmarks/uncertainty.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

from frictionkit.estimates import Estimate
from frictionkit.model import Improvement
from frictionkit.uncertainty import rank_risk, sample_estimates, smaa


def median_seconds(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_mb(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    rng = np.random.default_rng(20240601)
    x = rng.uniform(1.0, 100.0, size=(1_000, 5))
    benefit = [True, False, True, False, True]
    cells = [
        [Estimate.three_point(0.8 * v, v, 1.5 * v) for v in row]
        for row in rng.uniform(1.0, 100.0, size=(200, 5))
    ]
    xd = sample_estimates(cells, 10_000, seed=1)

    sizes = ["XS", "S", "M", "L", "XL"]
    improvements = [
        Improvement(
            id=f"imp{k}",
            title=f"improvement {k}",
            owner="team",
            impact=Estimate.three_point(0.5 * v, v, 2.0 * v),
            effort_days=Estimate.tshirt(sizes[k % 5]),
            cost=Estimate.range(0.8 * c, 1.3 * c),
            confidence=0.5 + 0.5 * (k % 2),
        )
        for k, (v, c) in enumerate(
            zip(rng.uniform(1e4, 2e5, 1_000), rng.uniform(1e3, 5e4, 1_000), strict=True)
        )
    ]

    cases: list[tuple[str, str, float | None, Callable[[], Any]]] = [
        (
            "smaa weighted_sum",
            "1,000 x 5 x 10,000",
            1.0,
            lambda: smaa(x, benefit, draws=10_000, seed=1),
        ),
        (
            "smaa topsis",
            "1,000 x 5 x 10,000",
            1.0,
            lambda: smaa(x, benefit, method="topsis", draws=10_000, seed=1),
        ),
        (
            "smaa weighted_sum, matrix draws",
            "200 x 5 x 10,000",
            None,
            lambda: smaa(None, benefit, matrix_draws=xd, seed=1),
        ),
        (
            "smaa topsis, matrix draws",
            "200 x 5 x 10,000",
            None,
            lambda: smaa(None, benefit, method="topsis", matrix_draws=xd, seed=1),
        ),
        (
            "rank_risk value_per_cost",
            "1,000 x 10,000",
            None,
            lambda: rank_risk(improvements, draws=10_000, seed=1),
        ),
        (
            "rank_risk cd3",
            "1,000 x 10,000",
            None,
            lambda: rank_risk(improvements, "cd3", draws=10_000, seed=1),
        ),
        (
            "rank_risk topsis",
            "1,000 x 10,000",
            None,
            lambda: rank_risk(improvements, "topsis", draws=10_000, seed=1),
        ),
    ]

    load = os.getloadavg()
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs")
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    header = f"{'workload':34} {'size':20} {'seconds':>8} {'target':>7} {'peak MB':>8}  ok"
    print(header)
    print("-" * len(header))
    for name, size, target, fn in cases:
        seconds = median_seconds(fn, args.repeat)
        peak = peak_mb(fn)
        shown = "" if target is None else f"{target:.1f}"
        ok = "" if target is None else ("yes" if seconds <= target and peak <= 500 else "NO")
        print(f"{name:34} {size:20} {seconds:8.3f} {shown:>7} {peak:8.1f}  {ok}")
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
