"""Benchmark: event-log ingest and the evidence step on synthetic logs of two shapes.

Two shapes, built in memory with numpy (seeded):

- ``short``: about 8 events a journey over 20 touchpoints, random walk with an absorbing
  purchase / exit: few routes (:func:`synthetic_log`);
- ``long``: about 40 events a journey (20 to 60) over 26 touchpoints, a forward walk
  with wrapping, so nearly every journey takes a route of its own (:func:`long_log`).

Times ``EventLog.from_frame``, ``routes``, ``transitions``, ``friction`` and the Markov
chain with its removal effects -- the **evidence step** of issue 22, summed in the total --
plus ``funnel``, the repair effects, ``failure_patterns``, harm removal (crude and adjusted
for persona) and the friction table adjusted for persona (outside the total; target each
<= 0.3 s at 1M events), and a
hand-written numpy baseline of routes plus transitions (ingest included: the floor we
compare with). Prints a table with wall time and peak memory (Python allocations traced
by tracemalloc in a second pass, and the process peak RSS), then the ratios: against
the numpy floor, and against pm4py (``format_dataframe`` + ``get_variants`` +
``discover_performance_dfg`` on the same log, in a subprocess) where pm4py is installed
in this interpreter or in ``benchmarks/.venv-pm4py`` (skipped with a message otherwise;
pm4py is AGPL and never a dependency of frictionkit).

Run:  python benchmarks/evidence.py            (1M events, both shapes)
      python benchmarks/evidence.py --big      (also the long shape at 10M events)
      python benchmarks/evidence.py --10m      (also the short shape at 10M events)
      python benchmarks/evidence.py --shape long --profile
          cProfile of each step of the evidence step on one shape (1M events; with
          --big, 10M events; FRICTIONKIT_THREADS=1 keeps friction's estimate on the
          profiled thread)
      python benchmarks/evidence.py --profile-extra
          cProfile of funnel(by=persona), repair effects, failure_patterns, harm removal
          and the adjusted friction table (1M events)
      python benchmarks/evidence.py --compare-pm4py
          creates benchmarks/.venv-pm4py with pm4py when this interpreter has none, and
          checks the variant counts of the fines and helpdesk logs in ../shared/data
          against frictionkit's routes.
Targets (issue 22): the evidence step >= 10x pm4py on both shapes; 10M events <= 5 s and
<= 3 GB.
"""

from __future__ import annotations

import argparse
import importlib.util
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
from _common import load_average

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


def long_log(n_events: int, seed: int = 0) -> pd.DataFrame:
    """About ``n_events`` events in journeys of 20 to 60 events, nearly each its own route."""
    rng = np.random.default_rng(seed)
    n_tp = 26
    n_j = max(1, n_events // 40)
    lengths = rng.integers(20, 61, size=n_j)
    n = int(lengths.sum())
    first = np.cumsum(lengths) - lengths
    journey = np.repeat(np.arange(n_j), lengths)
    pos = np.arange(n) - np.repeat(first, lengths)
    # a forward walk over the 24 pages (steps of 1 to 4, wrapping): never an immediate
    # repeat, and 4**40 ways to go, so routes are nearly all distinct
    step = rng.integers(1, 5, size=n)
    step[first] = rng.integers(0, n_tp - 2, size=n_j)
    walk = np.cumsum(step)
    tp = (walk - np.repeat(walk[first] - step[first], lengths)) % (n_tp - 2)
    last = first + lengths - 1
    end = rng.random(n_j)
    tp[last] = np.where(end < 0.35, n_tp - 2, np.where(end < 0.7, n_tp - 1, tp[last]))
    names = np.array([f"tp_{i:02d}" for i in range(n_tp - 2)] + ["purchase", "exit"], dtype=object)
    t0 = np.datetime64("2024-01-01T00:00:00", "ns").astype(np.int64)
    ts = t0 + journey * 600_000_000_000 + pos * 30_000_000_000
    ts = ts + rng.integers(0, 29_000_000_000, size=n)
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


SHAPES: dict[str, Callable[[int], pd.DataFrame]] = {"short": synthetic_log, "long": long_log}


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


def numpy_floor(df: pd.DataFrame) -> tuple[Counter[bytes], np.ndarray]:
    # routes plus transitions by hand, sharing one ingest (factorise, lexsort)
    case, tp, k = _numpy_codes(df)
    cut = np.flatnonzero(case[1:] != case[:-1]) + 1
    data = tp.tobytes()
    bounds = np.r_[0, cut, len(tp)].tolist()
    routes = Counter(data[a:b] for a, b in pairwise(bounds))
    same = case[1:] == case[:-1]
    pair = tp[:-1][same].astype(np.int64) * k + tp[1:][same]
    return routes, np.bincount(pair, minlength=k * k)


#: CPU seconds of the last untraced :func:`timed` call (the machine is shared: wall times
#: are noisy, CPU times compare runs made at different loads).
LAST_CPU: list[float] = [float("nan")]


def timed(fn: Callable[[], Any], trace: bool) -> tuple[float, float, Any]:
    if trace:
        tracemalloc.start()
        out = fn()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return float("nan"), peak / 2**20, out
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    LAST_CPU[0] = time.process_time() - c
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


#: The steps summed in the evidence step of issue 22.
EVIDENCE_STEP = (
    "from_frame",
    "routes",
    "transitions",
    "friction",
    "markov (chain, removal effects)",
)
#: The steps pm4py's format + variants + performance DFG stand for.
PM4PY_EQUIVALENT = ("from_frame", "routes", "transitions")
FLOOR = "numpy floor: routes + transitions (incl. ingest)"


def event_log(df: pd.DataFrame) -> Any:
    """The benchmark's event log of a simulated frame (one call for every step timed)."""
    from frictionkit.events import EventLog

    return EventLog.from_frame(
        df, case_col="case", touchpoint_col="touchpoint", timestamp_col="time",
        success="purchase", failure="exit", case_cols=["persona"],
    )  # fmt: skip


def warm_up() -> float:
    """Run every step once on a small log, so no step below pays for a first import."""

    start = time.perf_counter()
    for shape in SHAPES.values():
        log = event_log(shape(20_000))
        log.routes(), log.transitions(), log.friction(), log.funnel(by="persona")
        log.markov().repair_effects(reduce_failure_by=0.5), log.failure_patterns(max_len=3)
        log.repair_effects(kind="harm_removal", adjust_for=["persona"])
        log.friction(adjust_for=["persona"])
    return time.perf_counter() - start


def run(
    shape: str, n_events: int, baseline: bool, trace: bool
) -> tuple[list[tuple[str, int, float, float]], dict[str, Any]]:
    """Time each step; ``facts["cpu"]`` holds the CPU seconds of each step by name."""

    df = SHAPES[shape](n_events)
    base_rss = peak_rss_mib() if reset_peak_rss() else float("nan")
    rows: list[tuple[str, int, float, float]] = []
    state: dict[str, Any] = {}
    cpu: dict[str, float] = {}

    def build() -> Any:
        state["log"] = event_log(df)
        return state["log"]

    def markov_step() -> Any:
        state["markov"] = state["log"].markov()
        return state["markov"].removal_effects()

    steps: list[tuple[str, Callable[[], Any]]] = [
        ("from_frame", build),
        ("routes", lambda: state.setdefault("routes", state["log"].routes())),
        ("transitions", lambda: state["log"].transitions()),
        ("friction", lambda: state["log"].friction()),
        ("markov (chain, removal effects)", markov_step),
        ("repair effects", lambda: state["markov"].repair_effects(reduce_failure_by=0.5)),
        ("funnel", lambda: state["log"].funnel()),
        ("funnel(by=persona)", lambda: state["log"].funnel(by="persona")),
        ("failure_patterns(max_len=3)", lambda: state["log"].failure_patterns(max_len=3)),
        *extra_steps(state),
        (FLOOR, lambda: numpy_floor(df)),
    ]
    if baseline:
        steps += [
            ("baseline routes (pandas groupby tuple)", lambda: baseline_routes(df)),
            ("baseline transitions (pandas)", lambda: baseline_transitions(df)),
        ]
    for name, fn in steps:
        wall, _, _ = timed(fn, trace=False)
        if name == "funnel":  # evidence step and repair done: its peak, before tracing
            rows.append(
                (
                    "process peak RSS over the input (MiB)",
                    len(df),
                    float("nan"),
                    peak_rss_mib() - base_rss,
                )
            )
        rows.append((name, len(df), wall, float("nan")))
        cpu[name] = LAST_CPU[0]
    facts = {
        "journeys": state["log"].n_journeys,
        "routes": len(state["routes"]),
        "events": len(df),
        "cpu": cpu,
    }
    if trace:
        state.pop("routes")
        for i, (name, n_ev, wall, _) in enumerate(rows):
            if wall == wall and name != FLOOR and not name.startswith("baseline"):
                fn = dict(steps)[name]
                _, peak, _ = timed(fn, trace=True)
                rows[i] = (name, n_ev, wall, peak)
    return rows, facts


#: Sibling analyses timed outside the evidence step (target: each <= 0.3 s at 1M events).
EXTRA_TARGET_S = 0.3


def extra_steps(state: dict[str, Any]) -> list[tuple[str, Callable[[], Any]]]:
    """Harm removal and the adjusted friction table (outside the evidence-step total)."""
    return [
        (
            "harm removal (repair_effects, chain included)",
            lambda: state["log"].repair_effects(kind="harm_removal"),
        ),
        (
            "harm removal adjust_for=persona",
            lambda: state["log"].repair_effects(kind="harm_removal", adjust_for=["persona"]),
        ),
        ("friction(adjust_for=persona)", lambda: state["log"].friction(adjust_for=["persona"])),
    ]


def profile_extra(shape: str, n_events: int) -> None:
    """cProfile of the analyses outside the evidence step (top functions by own time)."""
    import cProfile
    import pstats

    df = SHAPES[shape](n_events)
    state: dict[str, Any] = {"log": event_log(df)}
    parts: list[tuple[str, Callable[[], Any]]] = [
        ("funnel(by=persona)", lambda: state["log"].funnel(by="persona")),
        ("repair effects", lambda: state["log"].markov().repair_effects(reduce_failure_by=0.5)),
        ("failure_patterns(max_len=3)", lambda: state["log"].failure_patterns(max_len=3)),
        *extra_steps(state),
    ]
    for name, fn in parts:
        prof = cProfile.Profile()
        cpu = time.process_time()
        prof.enable()
        fn()
        prof.disable()
        cpu = time.process_time() - cpu
        print(f"\n=== {name} ({shape}, {n_events:,} events): {cpu:.3f} s CPU under the "
              f"profiler, load average {load_average()} ===")  # fmt: skip
        pstats.Stats(prof).sort_stats("tottime").print_stats(12)


def profile(shape: str, n_events: int) -> None:
    """cProfile of each step of the evidence step (top functions by cumulative time)."""
    import cProfile
    import pstats

    df = SHAPES[shape](n_events)
    state: dict[str, Any] = {}

    def build() -> None:
        state["log"] = event_log(df)

    parts: list[tuple[str, Callable[[], Any]]] = [
        ("from_frame", build),
        ("routes", lambda: state["log"].routes()),
        ("transitions", lambda: state["log"].transitions()),
        ("friction", lambda: state["log"].friction()),
        ("markov (chain, removal effects)", lambda: state["log"].markov().removal_effects()),
    ]
    for name, fn in parts:
        prof = cProfile.Profile()
        prof.enable()
        fn()
        prof.disable()
        print(f"\n=== {name} ({shape}, {n_events:,} events) ===")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(12)


# ---------------------------------------------------------------------------------------
# pm4py, in a subprocess (this interpreter when it has pm4py, else its own venv)
# ---------------------------------------------------------------------------------------
PM4PY_SCRIPT = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import pandas as pd
import pm4py
from evidence import SHAPES
out = {"pm4py": pm4py.__version__, "pandas": pd.__version__}
for shape, n in json.loads(sys.argv[2]):
    df = SHAPES[shape](n)
    t = time.perf_counter()
    f = pm4py.format_dataframe(df, case_id="case", activity_key="touchpoint",
                               timestamp_key="time")
    t1 = time.perf_counter()
    variants = pm4py.get_variants(f)
    t2 = time.perf_counter()
    dfg = pm4py.discover_performance_dfg(f)
    t3 = time.perf_counter()
    out[f"{shape} {n}"] = {"format_dataframe": t1 - t, "get_variants": t2 - t1,
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


def pm4py_python(create: bool) -> Path | None:
    """An interpreter with pm4py: this one, else benchmarks/.venv-pm4py (made if ``create``)."""
    if importlib.util.find_spec("pm4py") is not None:
        return Path(sys.executable)
    py = PM4PY_VENV / "bin" / "python"
    if not py.exists() and create:
        print(f"creating {PM4PY_VENV} with pm4py (first use) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(PM4PY_VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "pm4py"], check=True)
    return py if py.exists() else None


def run_pm4py(py: Path, runs: list[tuple[str, int]], real_logs: bool) -> dict[str, Any]:
    logs = (
        {
            name: (str(DATA / file), case, act, ts)
            for name, (file, case, act, ts) in REAL_LOGS.items()
            if (DATA / file).exists()
        }
        if real_logs
        else {}
    )
    res = subprocess.run(
        [str(py), "-c", PM4PY_SCRIPT, str(HERE), json.dumps(runs), json.dumps(logs)],
        check=True,
        capture_output=True,
        text=True,
    )
    got: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])
    got["_logs"] = logs
    return got


def check_real_logs(got: dict[str, Any]) -> None:
    from frictionkit.events import read_events

    for name, (file, case, act, ts) in got["_logs"].items():
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
    ap.add_argument("--big", action="store_true", help="also the long shape at 10M events")
    ap.add_argument("--10m", dest="ten", action="store_true", help="also the short shape at 10M")
    ap.add_argument("--shape", choices=sorted(SHAPES), help="only this shape")
    ap.add_argument("--no-baseline", action="store_true", help="skip the pandas baseline")
    ap.add_argument("--no-trace", action="store_true", help="skip the tracemalloc pass")
    ap.add_argument("--no-pm4py", action="store_true", help="skip the pm4py comparison")
    ap.add_argument(
        "--compare-pm4py",
        action="store_true",
        help="create benchmarks/.venv-pm4py when needed; check the real logs' variants",
    )
    ap.add_argument(
        "--profile", action="store_true", help="cProfile each step (1M events; 10M with --big)"
    )
    ap.add_argument(
        "--profile-extra",
        action="store_true",
        help="cProfile funnel, repair effects, failure_patterns, harm removal, adjusted friction",
    )
    args = ap.parse_args(argv)
    # the short shape repeats pages on purpose (loops, clipped walks): the warning that
    # lifecycle events may be left in is right for it and says nothing about speed
    import warnings

    from frictionkit.exceptions import RepeatedTouchpointWarning

    warnings.simplefilter("ignore", RepeatedTouchpointWarning)
    shapes = [args.shape] if args.shape else list(SHAPES)
    if args.profile_extra:
        warm_up()
        for shape in shapes:
            profile_extra(shape, 1_000_000)
        return 0
    if args.profile:
        warm_up()
        for shape in shapes:
            profile(shape, 10_000_000 if args.big else 1_000_000)
        return 0
    runs = [(shape, 1_000_000) for shape in shapes]
    if args.ten and "short" in shapes:
        runs.append(("short", 10_000_000))
    if args.big and "long" in shapes:
        runs.append(("long", 10_000_000))
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, pandas {pd.__version__}")
    print(f"cores {os.cpu_count()}, load average before: {load_average()}")
    print(f"first imports and a warm-up on small logs: {warm_up():.2f} s (not counted)")
    print(f"{'step':<50}{'events':>12}{'wall s':>10}{'peak MiB':>10}{'cpu s':>9}")
    results: dict[tuple[str, int], tuple[dict[str, float], dict[str, Any]]] = {}
    for shape, n in runs:
        # tracing 10M events would double a long run: process peak RSS only there
        rows, facts = run(shape, n, baseline=not args.no_baseline and n <= 1_000_000,
                          trace=not args.no_trace and n <= 1_000_000)  # fmt: skip
        print(
            f"-- {shape}: {facts['events']:,} events, {facts['journeys']:,} journeys, "
            f"{facts['routes']:,} routes (load average {load_average()})"
        )
        for name, n_ev, wall, peak in rows:
            c = facts["cpu"].get(name, float("nan"))
            print(f"{name:<50}{n_ev:>12,}{wall:>10.3f}{peak:>10.0f}{c:>9.3f}")
        walls = {name: wall for name, _, wall, _ in rows}
        total = sum(walls[name] for name in EVIDENCE_STEP)
        total_cpu = sum(facts["cpu"][name] for name in EVIDENCE_STEP)
        print(
            f"{'evidence step (the first five rows)':<50}{n:>12,}{total:>10.3f}"
            f"{'':>10}{total_cpu:>9.3f}"
        )
        slow = [
            name for name, _, wall, _ in rows
            if name not in EVIDENCE_STEP and name != FLOOR and not name.startswith(("baseline",
            "process")) and wall > EXTRA_TARGET_S * n / 1_000_000
        ]  # fmt: skip
        print(
            f"rows after the evidence step: target <= {EXTRA_TARGET_S} s per 1M events; "
            f"over it: {', '.join(slow) or 'none'}"
        )
        results[(shape, n)] = (walls, facts)
    print(f"process peak RSS {peak_rss_mib():.0f} MiB (input frames included)")
    got: dict[str, Any] | None = None
    if not args.no_pm4py:
        py = pm4py_python(create=args.compare_pm4py)
        if py is None:
            print(
                "\npm4py skipped: not installed in this interpreter nor in "
                f"{PM4PY_VENV} (pass --compare-pm4py to create that venv)"
            )
        else:
            got = run_pm4py(py, runs, real_logs=args.compare_pm4py)
    # one table: each figure next to its comparison
    print(f"\nratios (load average {load_average()}); theirs / ours, > 1: frictionkit faster")
    print(
        f"{'shape':<6}{'events':>12}{'routes':>9}{'evidence s':>11}{'cpu s':>7}"
        f"{'ingest+r+t s':>13}{'floor s':>9}{'r+t/floor':>10}{'pm4py s':>9}"
        f"{'pm4py/evid':>11}{'pm4py/i+r+t':>12}  target"
    )
    for (shape, n), (walls, facts) in results.items():
        evid = sum(walls[name] for name in EVIDENCE_STEP)
        equiv = sum(walls[name] for name in PM4PY_EQUIVALENT)
        floor = walls[FLOOR]
        theirs = float("nan")
        if got is not None:
            r = got[f"{shape} {n}"]
            theirs = r["format_dataframe"] + r["get_variants"] + r["discover_performance_dfg"]
        evid_cpu = sum(facts["cpu"][name] for name in EVIDENCE_STEP)
        if n >= 10_000_000:
            target = f"evidence <= 5 s: {'met' if evid <= 5 else 'NOT met'}"
        elif theirs == theirs:
            target = f"pm4py/evid >= 10x: {'met' if theirs >= 10 * evid else 'NOT met'}"
        else:
            target = "pm4py/evid >= 10x (pm4py not run)"
        print(
            f"{shape:<6}{n:>12,}{facts['routes']:>9,}{evid:>11.2f}{evid_cpu:>7.2f}"
            f"{equiv:>13.2f}{floor:>9.2f}{equiv / floor:>9.1f}x{theirs:>9.2f}"
            f"{theirs / evid:>10.1f}x{theirs / equiv:>11.1f}x  {target}"
        )
    print(
        "evidence: from_frame + routes + transitions + friction + markov removal effects; "
        "i+r+t: from_frame + routes + transitions (the steps pm4py's format_dataframe + "
        "get_variants + discover_performance_dfg stand for); floor: numpy routes + "
        "transitions with their own ingest; r+t/floor: i+r+t over the floor"
    )
    if got is not None:
        print(f"pm4py {got['pm4py']} (pandas {got['pandas']}), same simulated logs")
        check_real_logs(got)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
