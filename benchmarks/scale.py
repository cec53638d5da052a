"""Benchmark: the evidence step on logs larger than memory (DuckDB) and on three engines.

Issue 11, Performance. Three parts, each engine run in its own child process so that its
memory is measured alone:

1. A Parquet event log of ``--events`` events (default 100,000,000) is generated with
   ``frictionkit.datasets.simulate_journeys`` in chunks of ``--chunk-journeys`` journeys
   (chunk ``k`` is seeded ``seed + k``, its case ids are prefixed ``C{k:05d}-``, its
   timestamps floored to microseconds, and a global int64 ``row`` column numbers the events
   across chunks). Each chunk is appended to one file as its own row group with
   ``pyarrow.parquet.ParquetWriter``, so the whole log is never in memory. The file is
   cached in ``--data-dir`` (default ``/tmp/frictionkit-scale``, outside the repository)
   and reused when its size, seed and chunking match.
2. ``EventLog.scan(path, engine="duckdb", order_col="row", engine_options={"memory_limit":
   "3GB", "threads": 2, "temp_directory": ...})`` followed by routes, transitions, funnel,
   friction, failure_patterns and the Markov chain (removal and repair effects), in a child
   process. Wall time per step, peak RSS, peak address space and peak spill to
   ``temp_directory``; PASS when the child finished and its peak RSS is within 4 GB.
3. A ``--parity-events`` log (default 10,000,000; same generator) through the pandas,
   DuckDB and Spark engines (Spark: local[2], driver memory ``--spark-driver-memory``
   (3g), loopback only, UI off, ``spark.read.parquet``), each timed; routes, transitions,
   funnel and friction must be equal across engines (``assert_frame_equal``, rtol 1e-9).

Memory is measured two ways: the kernel's peak RSS of the child (``wait4`` rusage; for
Spark it is the larger of the Python driver and the JVM, not their sum), and the sum of RSS
over the child's process tree sampled every 0.1 s (catches Python + JVM together; may miss
spikes shorter than the sampling period). The table reports the larger of the two.
The 4 GB is a measured peak RSS held by DuckDB's ``memory_limit`` (3GB, beyond which it
spills to ``temp_directory``), not a hard cap: a hard cap of the address space
(``RLIMIT_AS``, ``--rlimit-gb 4``) breaks DuckDB, whose allocator reserves far more address
space than it touches. Under ``RLIMIT_AS`` = 4 GB the 100M run stopped in ``variants`` at
1.76 GB RSS with "Out of Memory Error: Failed to allocate block of 16777216 bytes (bad
allocation)"; uncapped, the same run peaked at 3.44 GB RSS and 10.26 GB of address space
(VmPeak). Likewise a JVM with a 3g heap does not start under 4 GB of address space ("Could
not allocate compressed class space"). So ``--rlimit-gb`` defaults to 0 (no cap).

Analysis options (the simulator's columns): ``stage_col="stage"``,
``outcome_col="outcome"`` (success / failure / open), ``strict=False``.

Run:  python benchmarks/scale.py                   (100M DuckDB + 10M on three engines)
      python benchmarks/scale.py --quick           (2M DuckDB + 1M on three engines)
      python benchmarks/scale.py --no-parity       (the 100M DuckDB run only)
      python benchmarks/scale.py --no-big --no-spark
Targets (issue 11): 100M events with engine="duckdb" on 2 cores within 4 GB of memory;
equal aggregates from pandas, DuckDB and Spark on 10M events (Spark timed for the record).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _common import load_average

GENERATOR_VERSION = "1"
OPTIONS: dict[str, Any] = {
    "case_col": "case_id",
    "touchpoint_col": "touchpoint",
    "timestamp_col": "timestamp",
    "order_col": "row",
    "stage_col": "stage",
    "outcome_col": "outcome",
    "strict": False,
}
PARITY = ("routes", "transitions", "funnel", "friction")
GB = 1024**3


# ---------------------------------------------------------------------------------------
# generation
# ---------------------------------------------------------------------------------------
def _schema() -> Any:
    import pyarrow as pa

    text = pa.string()
    return pa.schema(
        [
            ("case_id", text),
            ("touchpoint", text),
            ("timestamp", pa.timestamp("us", tz="UTC")),
            ("stage", text),
            ("channel", text),
            ("outcome", text),
            ("row", pa.int64()),
        ]
    )


def _chunk(k: int, n_journeys: int, seed: int, first_row: int, limit: int) -> pd.DataFrame:
    """Chunk ``k`` of the log: at most ``limit`` events, rows numbered from ``first_row``."""
    from frictionkit.datasets import simulate_journeys

    df = simulate_journeys(n_journeys, seed=seed + k)
    if len(df) > limit:
        df = df.iloc[:limit]
    df = df.assign(
        case_id=f"C{k:05d}-" + df["case_id"].astype(str),
        timestamp=df["timestamp"].dt.floor("us"),
        row=np.arange(first_row, first_row + len(df), dtype=np.int64),
    )
    out: pd.DataFrame = df[_schema().names]
    return out


def generate(path: Path, n_events: int, chunk_journeys: int, seed: int) -> dict[str, Any]:
    """Write (or reuse) the Parquet log; returns seconds, bytes, row groups and reuse."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    meta = {
        "frictionkit_scale": GENERATOR_VERSION,
        "events": str(n_events),
        "chunk_journeys": str(chunk_journeys),
        "seed": str(seed),
    }
    if path.exists():
        try:
            kv = pq.ParquetFile(path).schema_arrow.metadata or {}
            old = {k.decode(): v.decode() for k, v in kv.items()}
            if all(old.get(k) == v for k, v in meta.items()):
                return {"seconds": 0.0, "bytes": path.stat().st_size, "reused": True}
        except Exception:  # a broken or partial file: write it again
            pass
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_suffix(".partial")
    schema = _schema().with_metadata(meta)
    t0 = time.perf_counter()
    written, k = 0, 0
    with pq.ParquetWriter(part, schema, compression="zstd") as writer:
        while written < n_events:
            df = _chunk(k, chunk_journeys, seed, written, n_events - written)
            table = pa.Table.from_pandas(df, schema=schema, preserve_index=False)
            writer.write_table(table, row_group_size=len(df))
            written += len(df)
            k += 1
            if k % 10 == 0:
                print(
                    f"  ... {written:,} events ({time.perf_counter() - t0:.0f} s)",
                    flush=True,
                )
    part.replace(path)
    return {
        "seconds": time.perf_counter() - t0,
        "bytes": path.stat().st_size,
        "reused": False,
        "row_groups": k,
    }


# ---------------------------------------------------------------------------------------
# the child process: one engine, timed steps
# ---------------------------------------------------------------------------------------
def _vm_status(key: str) -> float:
    """``VmHWM`` (peak RSS) or ``VmPeak`` (peak address space) of this process, in GB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024 / GB
    return float("nan")


def _spark_session(driver_memory: str) -> Any:
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("frictionkit-scale")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.memory", driver_memory)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "8")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Scan with one engine and run the analyses; times in seconds."""
    from frictionkit.events import EventLog

    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    engine = spec["engine"]
    times: dict[str, float] = {}
    cpu: dict[str, float] = {}
    t = time.perf_counter()
    spark = None
    if engine == "spark":
        spark = _spark_session(spec["spark_driver_memory"])
        source: Any = spark.read.parquet(spec["path"])
        options: dict[str, Any] = {}
        times["spark session + read"] = time.perf_counter() - t
    elif engine == "duckdb":
        source = spec["path"]
        options = {
            "memory_limit": spec["memory_limit"],
            "threads": spec["threads"],
            "temp_directory": spec["temp_directory"],
        }
    else:
        source, options = spec["path"], {}
    t, c = time.perf_counter(), time.process_time()
    log = EventLog.scan(source, engine=engine, **OPTIONS, engine_options=options or None)
    times["scan"], cpu["scan"] = time.perf_counter() - t, time.process_time() - c
    results: dict[str, pd.DataFrame] = {}
    steps: list[tuple[str, Any]] = [
        ("routes", lambda: log.routes()),
        ("transitions", lambda: log.transitions()),
        ("funnel", lambda: log.funnel()),
        ("friction", lambda: log.friction()),
    ]
    if spec["all_steps"]:
        steps += [
            ("failure_patterns", lambda: log.failure_patterns()),
            ("markov (chain, removal, repair)", lambda: _markov(log)),
        ]
    for name, fn in steps:
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        times[name], cpu[name] = time.perf_counter() - t, time.process_time() - c
        if name in PARITY:
            results[name] = out
    usage = resource.getrusage(resource.RUSAGE_SELF)
    info = {
        "times": times,
        "cpu": cpu,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "vm_hwm_gb": _vm_status("VmHWM"),
        "vm_peak_gb": _vm_status("VmPeak"),
        "n_events": log.n_events,
        "n_journeys": log.n_journeys,
        "n_variants": len(log.weights),
        "outcomes": log.outcome_counts,
    }
    if spec.get("results"):
        with open(spec["results"], "wb") as fh:
            pickle.dump(results, fh)
    if spark is not None:
        spark.stop()
    return info


def _markov(log: Any) -> Any:
    model = log.markov()
    return model.removal_effects(), model.repair_effects(reduce_failure_by=0.5)


# ---------------------------------------------------------------------------------------
# the parent: start a child, watch its memory
# ---------------------------------------------------------------------------------------
def _tree_rss_bytes(root: int) -> int:
    """Sum of RSS over ``root`` and its descendants (from /proc)."""
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            parent[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * page
        except (OSError, ValueError, IndexError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        for child, ppid in parent.items():
            if ppid == p and child not in tree:
                tree.add(child)
                frontier.append(child)
    return sum(rss.get(p, 0) for p in tree)


def _folder_bytes(folder: Path) -> int:
    """Bytes of the files under ``folder`` (0 when it does not exist)."""
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total


def run_child(spec: dict[str, Any], rlimit_bytes: int | None) -> dict[str, Any]:
    """Run ``worker(spec)`` in a child process; add wall time and peak memory."""
    out = Path(spec["info"])
    out.unlink(missing_ok=True)

    def cap() -> None:
        if rlimit_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (rlimit_bytes, rlimit_bytes))

    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)],
        preexec_fn=cap,
    )
    peak = [0, 0]
    done = threading.Event()
    spill = Path(spec["temp_directory"])

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_bytes(proc.pid))
            peak[1] = max(peak[1], _folder_bytes(spill))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    info: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
    info.update(
        returncode=proc.returncode,
        wall_s=wall,
        kernel_peak_gb=usage.ru_maxrss * 1024 / GB,
        sampled_tree_peak_gb=peak[0] / GB,
        spill_peak_gb=peak[1] / GB,
    )
    info["peak_gb"] = max(info["kernel_peak_gb"], info["sampled_tree_peak_gb"])
    return info


def _spec(
    args: argparse.Namespace, engine: str, path: Path, tag: str, **extra: Any
) -> dict[str, Any]:
    data = Path(args.data_dir)
    return {
        "engine": engine,
        "path": str(path),
        "memory_limit": args.memory_limit,
        "threads": args.threads,
        "temp_directory": str(data / "duckdb_tmp"),
        "spark_driver_memory": args.spark_driver_memory,
        "info": str(data / f"info_{tag}.json"),
        "all_steps": False,
        **extra,
    }


def _describe(info: dict[str, Any]) -> str:
    if info.get("returncode"):
        return f"FAILED (exit code {info['returncode']})"
    return (
        f"{info['n_events']:,} events, {info['n_journeys']:,} journeys, "
        f"{info['n_variants']:,} variants; outcomes {info['outcomes']}"
    )


def big_run(args: argparse.Namespace, table: list[tuple[str, int, float, float, str]]) -> None:
    path = Path(args.data_dir) / f"events_{args.events}.parquet"
    gen = generate(path, args.events, args.chunk_journeys, args.seed)
    _print_generation(path, args.events, gen)
    table.append(_generation_row(args.events, gen))
    cap = int(args.rlimit_gb * GB) if args.rlimit_gb > 0 else None
    cap_txt = f"RLIMIT_AS {args.rlimit_gb:g} GB" if cap else "no RLIMIT_AS"
    print(
        f"\nDuckDB on {args.events:,} events (memory_limit={args.memory_limit}, "
        f"threads={args.threads}, {cap_txt}), "
        f"load average {load_average()}",
        flush=True,
    )
    info = run_child(_spec(args, "duckdb", path, "big", all_steps=True), cap)
    print(_describe(info))
    print(f"{'step':<36}{'wall s':>10}")
    for name, sec in info.get("times", {}).items():
        print(f"{name:<36}{sec:>10.2f}")
    print(f"{'child process, start to exit':<36}{info['wall_s']:>10.2f}")
    print(
        f"peak RSS: kernel {info['kernel_peak_gb']:.2f} GB, sampled tree "
        f"{info['sampled_tree_peak_gb']:.2f} GB; peak address space (VmPeak) "
        f"{info.get('vm_peak_gb', float('nan')):.2f} GB; peak spill to temp_directory "
        f"{info['spill_peak_gb']:.2f} GB"
    )
    ok = info["returncode"] == 0 and info["peak_gb"] <= args.target_gb
    verdict = "PASS" if ok else "FAIL"
    print(
        f"{verdict}: target within {args.target_gb:g} GB peak RSS ({cap_txt}), "
        f"{args.events:,} events"
    )
    table.append(
        (
            "duckdb (scan + 6 analyses)",
            args.events,
            info["wall_s"],
            info["peak_gb"],
            f"{verdict} <= {args.target_gb:g} GB, {cap_txt}, memory_limit {args.memory_limit}",
        )
    )


def parity_run(args: argparse.Namespace, table: list[tuple[str, int, float, float, str]]) -> None:
    path = Path(args.data_dir) / f"events_{args.parity_events}.parquet"
    gen = generate(path, args.parity_events, args.chunk_journeys, args.seed)
    _print_generation(path, args.parity_events, gen)
    table.append(_generation_row(args.parity_events, gen))
    engines = ["pandas", "duckdb"] + ([] if args.no_spark else ["spark"])
    results: dict[str, dict[str, pd.DataFrame]] = {}
    infos: dict[str, dict[str, Any]] = {}
    for engine in engines:
        pkl = Path(args.data_dir) / f"parity_{engine}.pkl"
        pkl.unlink(missing_ok=True)
        print(
            f"\n{engine} on {args.parity_events:,} events, load average {load_average()}",
            flush=True,
        )
        info = run_child(_spec(args, engine, path, f"parity_{engine}", results=str(pkl)), None)
        infos[engine] = info
        print(_describe(info))
        print(f"  {'step':<30}{'wall s':>10}{'CPU s':>10}")
        for name, sec in info.get("times", {}).items():
            print(f"  {name:<30}{sec:>10.2f}{info.get('cpu', {}).get(name, float('nan')):>10.2f}")
        if pkl.exists():
            with open(pkl, "rb") as fh:
                results[engine] = pickle.load(fh)
        note = "scan {:.1f} s wall, {:.1f} s CPU; analyses {:.1f} s wall".format(
            info.get("times", {}).get("scan", float("nan")),
            info.get("cpu", {}).get("scan", float("nan")),
            sum(v for k, v in info.get("times", {}).items() if k != "scan"),
        )
        if info["returncode"]:
            note = f"FAILED (exit code {info['returncode']})"
        table.append((engine, args.parity_events, info["wall_s"], info["peak_gb"], note))
    if all(not infos.get(e, {}).get("returncode", 1) for e in ("pandas", "duckdb")):
        table.append(_duckdb_vs_memory(infos["pandas"], infos["duckdb"], args.parity_events))
    equal = len(results) == len(engines) and len(engines) > 1
    base = engines[0]
    for engine in engines[1:]:
        for name in PARITY:
            if engine not in results or base not in results:
                equal = False
                continue
            try:
                pd.testing.assert_frame_equal(
                    results[base][name],
                    results[engine][name],
                    check_exact=False,
                    rtol=1e-9,
                    obj=f"{name} ({base} vs {engine})",
                )
            except AssertionError as err:
                equal = False
                print(f"  differs: {str(err).strip().splitlines()[0]}")
    print(
        f"equal aggregates ({', '.join(PARITY)}; {' = '.join(engines)}): {'yes' if equal else 'no'}"
    )


def _duckdb_vs_memory(
    mem: dict[str, Any], duck: dict[str, Any], n: int
) -> tuple[str, int, float, float, str]:
    """The row comparing DuckDB's scan and analyses with the in-memory (pandas) engine.

    Target (issue 22): DuckDB no slower than in memory, measured in the same run: the
    ratio of the scan plus the analyses (wall, each in its own child process) <= 1.
    """
    t_mem, t_duck = sum(mem["times"].values()), sum(duck["times"].values())
    ratio = t_duck / t_mem
    scan_cpu = duck.get("cpu", {}).get("scan", float("nan")) / mem.get("cpu", {}).get(
        "scan", float("nan")
    )
    verdict = "met" if ratio <= 1.0 else "NOT met"
    note = (
        f"scan + analyses {t_duck:.2f} s / {t_mem:.2f} s in memory = {ratio:.2f} "
        f"(target <= 1: {verdict}); CPU {duck.get('cpu_s', float('nan')):.1f} s / "
        f"{mem.get('cpu_s', float('nan')):.1f} s (scan CPU ratio {scan_cpu:.2f}); "
        f"load {load_average()}"
    )
    return ("duckdb / in memory (pandas)", n, float("nan"), float("nan"), note)


def _print_generation(path: Path, n: int, gen: dict[str, Any]) -> None:
    how = "reused (cached)" if gen["reused"] else f"generated in {gen['seconds']:.1f} s"
    print(f"\n{path}: {n:,} events, {gen['bytes'] / GB:.2f} GB on disk, {how}", flush=True)


def _generation_row(n: int, gen: dict[str, Any]) -> tuple[str, int, float, float, str]:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GB
    note = "cached file" if gen["reused"] else f"{gen['bytes'] / GB:.2f} GB Parquet (zstd)"
    return ("generate (simulator -> Parquet)", n, gen["seconds"], rss, note)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--events", type=int, default=100_000_000, help="events of the DuckDB run")
    ap.add_argument("--parity-events", type=int, default=10_000_000, help="events, 3 engines")
    ap.add_argument("--quick", action="store_true", help="2M DuckDB run and 1M parity run")
    ap.add_argument("--no-big", action="store_true", help="skip the DuckDB run")
    ap.add_argument("--no-parity", action="store_true", help="skip the three-engine run")
    ap.add_argument("--no-spark", action="store_true", help="leave Spark out of the parity run")
    ap.add_argument("--data-dir", default="/tmp/frictionkit-scale", help="Parquet cache")
    ap.add_argument("--chunk-journeys", type=int, default=200_000, help="journeys a chunk")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--memory-limit", default="3GB", help="DuckDB memory_limit")
    ap.add_argument("--threads", type=int, default=2, help="DuckDB threads")
    ap.add_argument(
        "--rlimit-gb", type=float, default=0.0, help="RLIMIT_AS of the DuckDB run (0: none)"
    )
    ap.add_argument("--target-gb", type=float, default=4.0, help="peak RSS target (GB)")
    ap.add_argument("--spark-driver-memory", default="3g")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        spec = json.loads(args.worker)
        info = worker(spec)
        Path(spec["info"]).write_text(json.dumps(info))
        return 0
    if args.quick:
        args.events, args.parity_events = 2_000_000, 1_000_000
    import duckdb
    import pyarrow

    from frictionkit import __version__

    print(
        f"frictionkit {__version__}, python {sys.version.split()[0]}, pandas {pd.__version__}, "
        f"duckdb {duckdb.__version__}, pyarrow {pyarrow.__version__}"
        + ("" if args.no_spark else f", pyspark {_pyspark_version()}")
    )
    load_start = load_average()
    print(f"cores {os.cpu_count()}, load average at start: {load_start}")
    table: list[tuple[str, int, float, float, str]] = []
    if not args.no_big:
        big_run(args, table)
    if not args.no_parity:
        parity_run(args, table)
    print(f"\n{'engine':<32}{'events':>13}{'wall s':>9}{'peak RSS GB':>13}  note")
    for engine, n, wall, peak, note in table:
        print(f"{engine:<32}{n:>13,}{wall:>9.1f}{peak:>13.2f}  {note}")
    print(
        "wall s: child process start to exit (imports, session start, scan, analyses); "
        "generate: parent process"
    )
    print(f"load average at start: {load_start}; at end: {load_average()}")
    return 0


def _pyspark_version() -> str:
    try:
        import pyspark

        return str(pyspark.__version__)
    except ImportError:
        return "not installed"


if __name__ == "__main__":
    raise SystemExit(main())
