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
      python benchmarks/evidence.py --compare-pm4py
          also times pm4py (format_dataframe, get_variants, discover_performance_dfg) on
          the same simulated log, in a subprocess of a separate virtual environment
          (benchmarks/.venv-pm4py, created on first use with pip; pm4py is AGPL and never
          a dependency of frictionkit), and checks the variant counts of the fines and
          helpdesk logs in ../shared/data against frictionkit's routes.
Target (issue 3): the whole evidence step <= 1 s at 1M events, <= 10 s at 10M on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
PM4PY_VENV = HERE / ".venv-pm4py"
DATA = HERE.parent.parent / "shared" / "data"
REAL_LOGS = {
    "fines": ("road_traffic_fines_10k.csv.gz", "case_id", "activity", "timestamp"),
    "helpdesk": ("helpdesk.csv.gz", "case_id", "activity", "timestamp"),
}


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


def _numpy_codes(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, int]:
    # hand-written numpy ingest: factorise ids and touchpoints, one lexsort (case, time)
    case, _ = pd.factorize(df["case"].to_numpy(dtype=object))
    tp, names = pd.factorize(df["touchpoint"].to_numpy(dtype=object))
    order = np.lexsort((df["time"].to_numpy().view(np.int64), case))
    return case[order], tp[order].astype(np.uint8), len(names)


def numpy_routes(df: pd.DataFrame) -> Counter[bytes]:
    # the floor for routes: sorted codes, each journey's codes as bytes, one Counter
    case, tp, _ = _numpy_codes(df)
    cut = np.flatnonzero(case[1:] != case[:-1]) + 1
    data = tp.tobytes()
    bounds = np.r_[0, cut, len(tp)].tolist()
    return Counter(data[a:b] for a, b in pairwise(bounds))


def numpy_transitions(df: pd.DataFrame) -> np.ndarray:
    # the floor for transitions: one bincount of directly-follows pairs
    case, tp, k = _numpy_codes(df)
    same = case[1:] == case[:-1]
    pair = tp[:-1][same].astype(np.int64) * k + tp[1:][same]
    return np.bincount(pair, minlength=k * k)


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


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (Linux), so the input frame's build is not counted."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(n_events: int, baseline: bool) -> list[tuple[str, int, float, float]]:
    from frictionkit.events import EventLog

    df = synthetic_log(n_events)
    base_rss = peak_rss_mib() if reset_peak_rss() else float("nan")
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
    steps += [
        ("baseline routes (numpy floor, incl. ingest)", lambda: numpy_routes(df)),
        ("baseline transitions (numpy floor, incl. ingest)", lambda: numpy_transitions(df)),
    ]
    if baseline:
        steps += [
            ("baseline routes (pandas groupby tuple)", lambda: baseline_routes(df)),
            ("baseline transitions (pandas)", lambda: baseline_transitions(df)),
        ]
    for name, fn in steps:
        wall, _, _ = timed(fn, trace=False)
        if name == "failure_patterns(max_len=3)":  # pipeline done: its peak, before tracing
            rows.append(
                (
                    "process peak RSS over the input (MiB)",
                    len(df),
                    float("nan"),
                    peak_rss_mib() - base_rss,
                )
            )
        rows.append((name, len(df), wall, float("nan")))
    for i, (name, n_ev, wall, _) in enumerate(rows):
        if wall == wall and not name.startswith("baseline"):  # traced second pass
            fn = dict(steps)[name]
            _, peak, _ = timed(fn, trace=True)
            rows[i] = (name, n_ev, wall, peak)
    return rows


# ---------------------------------------------------------------------------------------
# pm4py, in its own virtual environment (opt-in)
# ---------------------------------------------------------------------------------------
PM4PY_SCRIPT = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import pandas as pd
import pm4py
from evidence import synthetic_log
out = {"pm4py": pm4py.__version__, "pandas": pd.__version__}
for n in json.loads(sys.argv[2]):
    df = synthetic_log(n)
    t = time.perf_counter()
    f = pm4py.format_dataframe(df, case_id="case", activity_key="touchpoint",
                               timestamp_key="time")
    t1 = time.perf_counter()
    variants = pm4py.get_variants(f)
    t2 = time.perf_counter()
    dfg = pm4py.discover_performance_dfg(f)
    t3 = time.perf_counter()
    out[str(n)] = {"format_dataframe": t1 - t, "get_variants": t2 - t1,
                   "discover_performance_dfg": t3 - t2, "variants": len(variants),
                   "dfg_edges": len(dfg[0])}
for name, (file, case, act, ts) in json.loads(sys.argv[3]).items():
    df = pd.read_csv(file, dtype={case: str, act: str}, keep_default_na=False)
    df[ts] = pd.to_datetime(df[ts], utc=True, format="ISO8601")
    f = pm4py.format_dataframe(df, case_id=case, activity_key=act, timestamp_key=ts)
    v = pm4py.get_variants(f)
    top = sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    out[name] = {"variants": len(v), "cases": int(f["case:concept:name"].nunique()),
                 "top5": [[list(k), int(c)] for k, c in top]}
print(json.dumps(out))
"""


def pm4py_python() -> Path:
    py = PM4PY_VENV / "bin" / "python"
    if not py.exists():
        print(f"creating {PM4PY_VENV} with pm4py (first use) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(PM4PY_VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "pm4py"], check=True)
    return py


def compare_pm4py(sizes: list[int], ours: dict[int, float]) -> None:
    from frictionkit.events import read_events

    logs = {
        name: (str(DATA / file), case, act, ts)
        for name, (file, case, act, ts) in REAL_LOGS.items()
        if (DATA / file).exists()
    }
    res = subprocess.run(
        [str(pm4py_python()), "-c", PM4PY_SCRIPT, str(HERE), json.dumps(sizes), json.dumps(logs)],
        check=True,
        capture_output=True,
        text=True,
    )
    got = json.loads(res.stdout.strip().splitlines()[-1])
    print(
        f"\npm4py {got['pm4py']} (pandas {got['pandas']}), same simulated log, "
        f"load average {os.getloadavg()}"
    )
    print(
        f"{'events':>12}{'format_df':>11}{'variants':>10}{'perf_dfg':>10}{'pm4py s':>9}"
        f"{'ours s':>8}{'ratio':>7}{'n variants':>12}"
    )
    for n in sizes:
        r = got[str(n)]
        total = r["format_dataframe"] + r["get_variants"] + r["discover_performance_dfg"]
        print(
            f"{n:>12,}{r['format_dataframe']:>11.2f}{r['get_variants']:>10.2f}"
            f"{r['discover_performance_dfg']:>10.2f}{total:>9.2f}{ours[n]:>8.2f}"
            f"{total / ours[n]:>6.1f}x{r['variants']:>12,}"
        )
    print("ours = from_frame + routes + transitions (the equivalent steps)")
    for name in logs:
        file, case, act, ts = logs[name]
        routes = read_events(file, case_col=case, touchpoint_col=act, timestamp_col=ts).routes()
        theirs = got[name]
        top = [(tuple(k), c) for k, c in theirs["top5"]]
        mine = list(zip(routes["route"].head(5), routes["journeys"].head(5), strict=True))
        print(
            f"{name}: pm4py {theirs['variants']} variants over {theirs['cases']} cases, "
            f"frictionkit {len(routes)} routes; top-5 counts agree: {top == mine} "
            f"({[c for _, c in top]})"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--10m", dest="ten", action="store_true", help="also run 10M events")
    ap.add_argument("--no-baseline", action="store_true", help="skip the pandas baseline")
    ap.add_argument("--compare-pm4py", action="store_true", help="also time pm4py in its own venv")
    args = ap.parse_args(argv)
    ours: dict[int, float] = {}
    sizes = [1_000_000] + ([10_000_000] if args.ten else [])
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, pandas {pd.__version__}")
    print(f"cores {os.cpu_count()}, load average before: {os.getloadavg()}")
    print(f"{'step':<50}{'events':>12}{'wall s':>10}{'peak MiB':>10}")
    for n in sizes:
        rows = run(n, baseline=not args.no_baseline)
        total = 0.0
        for name, n_ev, wall, peak in rows:
            print(f"{name:<50}{n_ev:>12,}{wall:>10.3f}{peak:>10.0f}")
            if (
                wall == wall
                and not name.startswith("baseline")
                and "by=" not in name
                and "patterns" not in name
            ):
                total += wall
        ours[n] = sum(
            w for name, _, w, _ in rows if name in {"from_frame", "routes", "transitions"}
        )
        print(f"{'total (pipeline, issue 3)':<50}{n:>12,}{total:>10.3f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"process peak RSS {rss:.0f} MiB (input frames included); "
        f"load average after: {os.getloadavg()}"
    )
    if args.compare_pm4py:
        compare_pm4py(sizes, ours)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
