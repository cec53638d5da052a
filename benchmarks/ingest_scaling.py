"""Benchmark: ``EventLog.scan(engine="pandas")`` (from_frame + compact) in linear time.

Issue 22. The first ``n`` rows of the Parquet log of ``benchmarks/scale.py`` (simulated
journeys with stage and outcome text columns; generated there, or here when missing) are
read into pandas once per size, then timed in a child process of their own, one size at
a time: ``from_frame`` (``stage_col="stage"``, ``outcome_col="outcome"``,
``strict=False``) and ``compact``, each as CPU (``time.process_time``, user + system)
and wall time, and the stage medians of
``_stages_from_column`` (``group_quantiles`` over the events' relative positions; least of
three runs) against the straightforward per-group sort (``np.lexsort`` of (group, value)),
which must give the same numbers bit for bit.

Targets: CPU per million events at the largest size within 1.3x of that at the smallest
(linear time); the stage medians at least 5x faster than the sort at 10M events.

Run:  python benchmarks/ingest_scaling.py                  (1M, 3M, 10M events)
      python benchmarks/ingest_scaling.py --sizes 1000000 3000000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from _common import load_average

OPTIONS: dict[str, Any] = {
    "case_col": "case_id",
    "touchpoint_col": "touchpoint",
    "timestamp_col": "timestamp",
    "stage_col": "stage",
    "outcome_col": "outcome",
    "strict": False,
}


def _cpu() -> float:
    return time.process_time()  # user + system, finer than os.times


def _best(fn: Any, repeat: int = 3) -> tuple[Any, tuple[float, float]]:
    """Result of ``fn`` and its least (CPU, wall) seconds over ``repeat`` runs."""
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        c, w = _cpu(), time.perf_counter()
        out = fn()
        best = min(best, (_cpu() - c, time.perf_counter() - w))
    return out, best


def _sorted_quantiles(groups: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """The straightforward version: one sort by (group, value), then the medians."""
    order = np.lexsort((values, groups))
    g, v = groups[order], values[order]
    counts = np.bincount(g, minlength=n)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    out = np.full(n, np.nan)
    has = counts > 0
    h = (counts[has] - 1) * 0.5
    lo = np.floor(h).astype(np.int64)
    hi = np.minimum(lo + 1, counts[has] - 1)
    vlo, vhi = v[starts[has] + lo], v[starts[has] + hi]
    out[has] = vlo + (h - lo) * (vhi - vlo)
    return out


def child(path: str, n: int) -> dict[str, Any]:
    """Read ``n`` rows, time from_frame, compact and the stage medians."""
    import pyarrow.parquet as pq

    from frictionkit._memory import reusing_memory
    from frictionkit.events import EventLog, group_quantiles
    from frictionkit.events._kernels import _relative_position

    table = pq.read_table(path)
    frame = table.slice(0, n).to_pandas()
    del table
    out: dict[str, Any] = {"n": len(frame)}
    c, w = _cpu(), time.perf_counter()
    log = EventLog.from_frame(frame, **OPTIONS)
    out["from_frame"] = (_cpu() - c, time.perf_counter() - w)
    c, w = _cpu(), time.perf_counter()
    small = log.compact()
    out["compact"] = (_cpu() - c, time.perf_counter() - w)
    out["variants"] = small.n_journeys
    groups = log.touchpoint_stage[log.event_touchpoint]
    rel = _relative_position(log.event_touchpoint, log.journey_offsets)
    n_st = len(log.stages)
    with reusing_memory(n):  # as inside from_frame
        fast, out["stage medians"] = _best(lambda: group_quantiles(groups, rel, n_st, [0.5]))
        slow, out["stage medians, sort"] = _best(lambda: _sorted_quantiles(groups, rel, n_st))
        fast = fast[:, 0]
    out["equal"] = fast.tobytes() == slow.tobytes()
    out["load"] = load_average()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 3_000_000, 10_000_000])
    ap.add_argument("--data-dir", default="/tmp/frictionkit-scale", help="Parquet cache")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]))))
        return 0
    from scale import generate

    biggest = max(args.sizes)
    events = max(biggest, 10_000_000)
    path = Path(args.data_dir) / f"events_{events}.parquet"
    generate(path, events, 200_000, 2024)
    print(f"cores {os.cpu_count()}, load average at start: {load_average()}; log {path}")
    rows: list[dict[str, Any]] = []
    for n in sorted(args.sizes):
        cmd = [sys.executable, __file__, "--child", str(path), str(n)]
        done = subprocess.run(cmd, check=True, capture_output=True, text=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    steps = ("from_frame", "compact", "stage medians", "stage medians, sort")
    print(f"\n{'step':<22}{'events':>12}{'CPU s':>8}{'wall s':>8}{'CPU s/M':>9}{'vs 1st':>8}")
    for step in steps:
        base = rows[0][step][0] / rows[0]["n"] * 1e6
        for r in rows:
            cpu, wall = r[step]
            per = cpu / r["n"] * 1e6
            print(f"{step:<22}{r['n']:>12,}{cpu:>8.2f}{wall:>8.2f}{per:>9.3f}{per / base:>7.2f}x")
    first, last = rows[0], rows[-1]
    ratio = [
        (last[s][0] / last["n"]) / (first[s][0] / first["n"])
        for s in ("from_frame", "compact", "stage medians")
    ]
    speed = last["stage medians, sort"][0] / max(last["stage medians"][0], 1e-9)
    print(
        f"\nCPU per event, {last['n']:,} vs {first['n']:,}: from_frame {ratio[0]:.2f}x, "
        f"compact {ratio[1]:.2f}x, stage medians {ratio[2]:.2f}x (target <= 1.3x): "
        + ("PASS" if max(ratio) <= 1.3 else "FAIL")
    )
    print(
        f"stage medians at {last['n']:,}: {speed:.1f}x faster than the sort (target >= 5x), "
        f"equal bit for bit: {all(r['equal'] for r in rows)}"
    )
    print("load average per size: " + "; ".join(f"{r['n']:,}: {r['load']}" for r in rows))
    print(f"load average at end: {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
