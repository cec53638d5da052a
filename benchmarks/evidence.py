"""Benchmark: event-log ingest and the descriptive analyses on a synthetic log.

Builds a log in memory with numpy (about 8 events a journey over 20 touchpoints, random
walk with an absorbing purchase / exit), then times ``EventLog.from_frame``, ``routes``,
``transitions``, ``funnel``, ``friction`` and the Markov chain (``markov`` with removal and
repair effects, no bootstrap) -- the pipeline of issue 3, summed in the total -- plus
``failure_patterns`` (outside the total), and a hand-written numpy/pandas baseline for routes and
transitions (the floor we compare with). Prints a table with wall time and peak memory
(Python allocations traced by tracemalloc in a second pass, and the process peak RSS).

Run:  python benchmarks/evidence.py            (1M events)
      python benchmarks/evidence.py --10m      (also 10M events)
Target (issue 3): the whole evidence step <= 1 s at 1M events, <= 10 s at 10M on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from frictionkit.events import EventLog


def synthetic_log(n_events: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_tp = 20
    n_j = n_events // 8
    lengths = rng.geometric(1 / 8, size=n_j)
    lengths = np.maximum(1, lengths)
    lengths = lengths[: np.searchsorted(np.cumsum(lengths), n_events) + 1]
    n = int(lengths.sum())
    n_j = len(lengths)
    journey = np.repeat(np.arange(n_j), lengths)
    start = np.repeat(np.cumsum(lengths) - lengths, lengths)
    pos = np.arange(n) - start
    # touchpoints drift forward along the journey, with noise (loops and skips)
    tp = np.clip((pos * 2 + rng.integers(-2, 3, size=n)), 0, n_tp - 3)
    last = np.cumsum(lengths) - 1
    end = rng.random(n_j)
    tp[last] = np.where(end < 0.3, n_tp - 2, np.where(end < 0.6, n_tp - 1, tp[last]))
    names = np.array([f"tp_{i:02d}" for i in range(n_tp - 2)] + ["purchase", "exit"], dtype=object)
    t0 = np.datetime64("2024-01-01T00:00:00", "ns").astype(np.int64)
    gaps = rng.exponential(120.0, size=n) * 1e9
    ts = t0 + journey * 3_600_000_000_000 + np.cumsum(gaps).astype(np.int64) // n_j
    ts = ts + (pos * 1_000_000_000)
    case = np.char.add("c", journey.astype(str))
    persona = np.array(["new", "loyal", "pro"], dtype=object)[journey % 3]
    return pd.DataFrame(
        {
            "case": case.astype(object),
            "touchpoint": names[tp],
            "time": pd.to_datetime(ts),
            "persona": persona,
        }
    )


def baseline_routes(df: pd.DataFrame) -> pd.Series:
    # hand-written: sort, join touchpoint names per case, value_counts
    s = df.sort_values(["case", "time"], kind="stable")
    return s.groupby("case", sort=False)["touchpoint"].agg(tuple).value_counts()


def baseline_transitions(df: pd.DataFrame) -> pd.Series:
    s = df.sort_values(["case", "time"], kind="stable")
    case = s["case"].to_numpy()
    tp = s["touchpoint"].to_numpy()
    same = case[1:] == case[:-1]
    pairs = pd.DataFrame({"a": tp[:-1][same], "b": tp[1:][same]})
    return pairs.value_counts()


def timed(fn: Callable[[], Any], trace: bool) -> tuple[float, float, Any]:
    if trace:
        tracemalloc.start()
        out = fn()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return float("nan"), peak / 2**20, out
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, float("nan"), out


def run(n_events: int, baseline: bool) -> list[tuple[str, int, float, float]]:
    df = synthetic_log(n_events)
    rows: list[tuple[str, int, float, float]] = []
    steps: list[tuple[str, Callable[[], Any]]] = []
    state: dict[str, Any] = {}

    def build() -> EventLog:
        state["log"] = EventLog.from_frame(
            df,
            case_col="case",
            touchpoint_col="touchpoint",
            timestamp_col="time",
            success="purchase",
            failure="exit",
            case_cols=["persona"],
        )
        return state["log"]

    def markov_step() -> Any:
        model = state["log"].markov()
        return model.removal_effects(), model.repair_effects(reduce_failure_by=0.5)

    steps = [
        ("from_frame", build),
        ("routes", lambda: state["log"].routes()),
        ("transitions", lambda: state["log"].transitions()),
        ("funnel", lambda: state["log"].funnel()),
        ("funnel(by=persona)", lambda: state["log"].funnel(by="persona")),
        ("friction", lambda: state["log"].friction()),
        ("markov (chain, removal, repair)", markov_step),
        ("failure_patterns(max_len=3)", lambda: state["log"].failure_patterns(max_len=3)),
    ]
    if baseline:
        steps += [
            ("baseline routes (pandas groupby tuple)", lambda: baseline_routes(df)),
            ("baseline transitions (pandas)", lambda: baseline_transitions(df)),
        ]
    for name, fn in steps:
        wall, _, _ = timed(fn, trace=False)
        _, peak, _ = timed(fn, trace=True)
        rows.append((name, len(df), wall, peak))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--10m", dest="ten", action="store_true", help="also run 10M events")
    ap.add_argument("--no-baseline", action="store_true", help="skip the pandas baseline")
    args = ap.parse_args(argv)
    sizes = [1_000_000] + ([10_000_000] if args.ten else [])
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, pandas {pd.__version__}")
    print(f"cores {os.cpu_count()}, load average before: {os.getloadavg()}")
    print(f"{'step':<42}{'events':>12}{'wall s':>10}{'peak MiB':>10}")
    for n in sizes:
        rows = run(n, baseline=not args.no_baseline)
        total = 0.0
        for name, n_ev, wall, peak in rows:
            print(f"{name:<42}{n_ev:>12,}{wall:>10.3f}{peak:>10.0f}")
            if not name.startswith("baseline") and "by=" not in name and "patterns" not in name:
                total += wall
        print(f"{'total (pipeline, issue 3)':<42}{n:>12,}{total:>10.3f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS {rss:.0f} MiB; load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
