"""Time the HTML report with all its figures (targets: <= 1.5 s demo, <= 3 s fines log).

Workloads: the demo scenario (``frictionkit.datasets.demo_scenario()``: journey, log,
survey, ranking, plan and roadmap, the report ``make demo`` writes), and the real fines
log (``/work/shared/data/road_traffic_fines_10k.csv.gz`` or ``$FRICTIONKIT_DATA``;
de Leoni & Mannhardt, Road Traffic Fine Management Process, 4TU.ResearchData,
doi:10.4121/uuid:270fd440-1057-4fb9-89a9-b699b47990f5) read with success ``Payment`` and
failure ``Send for Credit Collection``. Each report is built with figures and without,
the inputs prepared beforehand; the time is the median of several runs after a warm-up
(the first run also pays for importing matplotlib and Jinja2, shown apart), with the CPU
seconds of the process beside it (on a shared machine the wall clock also counts the
waiting for a core). The per figure column divides the difference by the number of
figures drawn; "met" compares the wall clock and, on a busy machine where it is
unreliable, the CPU seconds with the target. A second table gives each chart's CPU
seconds (drawn, laid out and written as SVG) in the last run. Run:

    .venv/bin/python benchmarks/report.py [--repeat 3] [--profile demo|fines]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from _common import load_average

import frictionkit as fk

DATA = Path(
    os.environ.get("FRICTIONKIT_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
FINES = "road_traffic_fines_10k.csv.gz"
TARGET_S = {"demo": 1.5, "fines": 3.0}


def demo_inputs() -> tuple[tuple[Any, ...], dict[str, Any]]:
    demo = fk.datasets.demo_scenario()
    args = (demo.journey, demo.log, demo.feedback)
    kw = {"ranking": demo.ranking, "plan": demo.plan, "roadmap": demo.roadmap}
    return args, kw


def fines_inputs() -> tuple[tuple[Any, ...], dict[str, Any]] | None:
    path = DATA / FINES
    if not path.exists():
        return None
    log = fk.read_events(
        path,
        case_col="case_id",
        touchpoint_col="activity",
        timestamp_col="timestamp",
        success="Payment",
        failure="Send for Credit Collection",
        when_both="failure",
    )
    # No journey map comes with the log: one built from the stages the log infers.
    journey = fk.Journey(
        name="Road traffic fines",
        stages=[fk.Stage(id=s) for s in log.stages],
        touchpoints=[
            fk.Touchpoint(id=t, stage=log.stages[s], channel="post")
            for t, s in zip(log.touchpoints, log.touchpoint_stage, strict=True)
        ],
    )
    return (journey, log), {}


def median_seconds(fn: Any, repeat: int) -> tuple[float, float]:
    """Median wall-clock and median CPU seconds of this process (``time.process_time``)."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


@contextlib.contextmanager
def timed_charts() -> Iterator[dict[str, float]]:
    """CPU seconds of each chart the report draws (the last call of each name wins)."""
    from frictionkit.report import _format

    per_chart: dict[str, float] = {}
    draw = _format._Figures.draw

    def timed(self: Any, name: str, *args: Any, **kw: Any) -> Any:
        start = time.process_time()
        try:
            return draw(self, name, *args, **kw)
        finally:
            per_chart[name] = time.process_time() - start

    _format._Figures.draw = timed  # type: ignore[method-assign]
    try:
        yield per_chart
    finally:
        _format._Figures.draw = draw  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", choices=sorted(TARGET_S), default=None)
    args = parser.parse_args()
    print(f"load average {load_average()}; median of {args.repeat} runs")
    workloads = {"demo": demo_inputs(), "fines": fines_inputs()}
    if args.profile:
        inputs = workloads[args.profile]
        assert inputs is not None, f"{FINES} not found under {DATA}"
        a, kw = inputs
        fk.report.report(*a, **kw)
        prof = cProfile.Profile()
        prof.enable()
        fk.report.report(*a, **kw)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
        return
    header = (
        f"{'workload':<8}{'first s':>9}{'figures s':>11}{'(cpu)':>7}{'target s':>10}"
        f"{'met':>5}{'(cpu)':>6}{'tables s':>10}{'(cpu)':>7}{'n fig':>7}{'s/figure':>10}"
    )
    print(header)
    charts: dict[str, dict[str, float]] = {}
    for name, inputs in workloads.items():
        if inputs is None:
            print(f"{name:<8} skipped: {FINES} not found under {DATA}")
            continue
        a, kw = inputs
        start = time.perf_counter()
        page = fk.report.report(*a, **kw)
        first = time.perf_counter() - start
        with timed_charts() as per_chart:
            with_s, with_cpu = median_seconds(
                lambda a=a, kw=kw: fk.report.report(*a, **kw), args.repeat
            )
        charts[name] = per_chart
        without_s, without_cpu = median_seconds(
            lambda a=a, kw=kw: fk.report.report(*a, figures=False, **kw), args.repeat
        )
        n = len(page.figures)
        per = (with_s - without_s) / n if n else float("nan")
        target = TARGET_S[name]
        met = "yes" if with_s <= target else "no"
        met_cpu = "yes" if with_cpu <= target else "no"
        print(
            f"{name:<8}{first:>9.2f}{with_s:>11.2f}{with_cpu:>7.2f}{target:>10.1f}"
            f"{met:>5}{met_cpu:>6}{without_s:>10.2f}{without_cpu:>7.2f}{n:>7}{per:>10.3f}"
        )
    print(f"\nCPU seconds per chart, last run (load average {load_average()})")
    names = list(charts)
    print(f"{'chart':<16}" + "".join(f"{n:>9}" for n in names))
    for chart in dict.fromkeys(c for per_chart in charts.values() for c in per_chart):
        cells = "".join(
            f"{charts[n][chart]:>9.3f}" if chart in charts[n] else f"{'-':>9}" for n in names
        )
        print(f"{chart:<16}{cells}")
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
