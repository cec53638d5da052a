"""Time frictionkit.scoring.prioritise for every built-in method and print a table.

Workload: a DataFrame of 10,000 improvements with 6 numeric criteria (impact, effort_days,
cost, confidence, reach, risk_reduction), ranked through the public, validated
``prioritise`` (input checks, impact resolution, scores, ranks, quadrants, non-dominated
flags and the breakdown columns included). Target: <= 50 ms per method. Run:

    .venv/bin/python benchmarks/scoring.py [--n 10000] [--repeat 5]
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
import pandas as pd

from frictionkit.scoring import MCDA_METHODS, METHODS, prioritise

TARGET_MS = 50.0
CRITERIA = {
    "impact": "benefit",
    "effort_days": "cost",
    "cost": "cost",
    "confidence": "benefit",
    "reach": "benefit",
    "risk_reduction": "benefit",
}


def median_seconds(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def make_table(n: int, seed: int = 20240601) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "id": [f"imp{k:05d}" for k in range(n)],
            "title": [f"Improvement {k}" for k in range(n)],
            "owner": rng.choice(["it", "sales", "marketing", "logistics", "service"], n),
            "impact": rng.lognormal(11, 1, n).round(0),
            "effort_days": rng.gamma(2.0, 8.0, n).round(1) + 0.5,
            "cost": rng.lognormal(9, 1, n).round(0) + 100,
            "confidence": rng.choice([0.5, 0.8, 1.0], n),
            "reach": rng.uniform(0.01, 1.0, n),
            "risk_reduction": rng.integers(1, 21, n).astype(float),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    df = make_table(args.n)
    print(f"prioritise on {args.n:,} improvements x {len(CRITERIA)} criteria")
    print(f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")
    print(f"cpus {os.cpu_count()}, repeat {args.repeat} (median)\n")
    print(f"{'method':<18}{'ms':>10}{'target':>10}  ok")
    slow = 0
    for method in METHODS:
        kw: dict[str, Any] = {"reach_col": "reach", "risk_reduction_col": "risk_reduction"}
        if method in MCDA_METHODS:
            kw = {"criteria": CRITERIA}
        seconds = median_seconds(lambda m=method, k=kw: prioritise(df, m, **k), args.repeat)
        ms = seconds * 1000
        ok = ms <= TARGET_MS
        slow += not ok
        print(f"{method:<18}{ms:>10.1f}{TARGET_MS:>10.0f}  {'yes' if ok else 'NO'}")
    print(f"\n{len(METHODS) - slow} of {len(METHODS)} methods within {TARGET_MS:.0f} ms")


if __name__ == "__main__":
    main()
