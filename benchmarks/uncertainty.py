"""Time SMAA-2 (frictionkit.uncertainty.smaa) and rank_risk at 1,000 alternatives x 10,000 draws.

Workloads: weights uniform on the simplex with a fixed matrix, scored by the weighted sum
and by TOPSIS; the same with sampled criteria values (``matrix_draws``, 1,000
alternatives); and ``rank_risk`` on 1,000 improvements (impact, effort and cost as
three-point, range and T-shirt estimates) x 10,000 draws with value per cost, CD3 and
TOPSIS (every estimate is sampled, scored, ranked and tallied per draw). Target of each
(issue 22): <= 1 s and <= 500 MB peak traced memory (the inputs, such as the matrix
draws themselves, made beforehand and not counted).
Timings are the median wall time of several runs of the public (validated) function and
the CPU time (time.process_time) of one more. The target is checked against the smaller
of the two: the CPU time of a single-threaded run (the machine is shared, so wall time
counts other work too), the wall time of a run on worker threads (whose CPU time adds up
every thread; ``rank_risk`` uses the available cores unless ``threads=`` or
``FRICTIONKIT_THREADS`` says otherwise, and the header prints how many). The peak is
measured with tracemalloc in a separate run. The machine's load average is printed
because other work on the machine slows every timing. Run:

    .venv/bin/python benchmarks/uncertainty.py [--repeat 3] [--compare [--budget-s 120]]

``--compare`` (opt-in) also runs the obvious alternative: a Python loop over the draws
that scores the 1,000 x 5 matrix with pymcdm and scikit-criteria (weighted sum with
min-max normalisation, TOPSIS with vector normalisation), ranks each draw (ties to the
alternative listed first) and tallies the rank acceptability. Those packages live in
their own virtual environment, ``benchmarks/.venv-mcda`` (created and filled from PyPI on
first use, git-ignored), and run in a subprocess (this file with ``--worker``); frictionkit
never imports them. The loop gets the same (draws x 5) weight matrix as ``smaa`` (saved to
a temporary .npy file). A loop whose 10,000 draws would take longer than ``--budget-s``
runs a measured prefix of the draws and its time is extrapolated linearly (marked ``*``
with the number of draws run). The rank acceptability of the loop is compared with that
of ``smaa`` on the same draws (max abs difference; 0 means identical rankings).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from _common import MCDA_VENV, ensure_mcda_venv

SEED = 1
DRAWS = 10_000
PILOT = 20


def median_seconds(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cpu_seconds(fn: Callable[[], Any]) -> float:
    """CPU time of one run (time.process_time): less sensitive to other work than wall."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def peak_mb(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def make_matrix() -> tuple[np.ndarray, list[bool]]:
    rng = np.random.default_rng(20240601)
    return rng.uniform(1.0, 100.0, size=(1_000, 5)), [True, False, True, False, True]


def worker(folder: str, budget_s: float) -> None:
    """Loop over the weight draws with pymcdm and scikit-criteria (inside .venv-mcda)."""
    import warnings

    warnings.filterwarnings("ignore")
    from pymcdm import methods as pm
    from pymcdm import normalizations as pn
    from skcriteria import mkdm
    from skcriteria.agg import simple as sk_simple
    from skcriteria.agg import topsis as sk_topsis
    from skcriteria.pipelines import mkpipe
    from skcriteria.preprocessing import invert_objectives, scalers

    data = np.load(Path(folder) / "problem.npz")
    x, benefit = data["x"], data["benefit"]
    weights = np.load(Path(folder) / "weights.npy")
    total, n = weights.shape[0], x.shape[0]
    types = np.where(benefit, 1, -1)
    objectives = [max if b else min for b in benefit]
    wsm = pm.WSM(normalization_function=pn.minmax_normalization)
    top = pm.TOPSIS(normalization_function=pn.vector_normalization)
    # scikit-criteria: cost criteria negated, then min-max scaled, as frictionkit's WSM.
    sk_wsm = mkpipe(
        invert_objectives.NegateMinimize(),
        scalers.MinMaxScaler(target="matrix"),
        sk_simple.WeightedSumModel(),
    )
    sk_top = mkpipe(scalers.VectorScaler(target="matrix"), sk_topsis.TOPSIS())
    scorers: dict[str, Callable[[np.ndarray], Any]] = {
        "pymcdm/weighted_sum": lambda w: wsm(x, w, types),
        "pymcdm/topsis": lambda w: top(x, w, types),
        "skcriteria/weighted_sum": lambda w: (
            sk_wsm.evaluate(mkdm(x, objectives, weights=w)).e_.score
        ),
        "skcriteria/topsis": lambda w: (
            sk_top.evaluate(mkdm(x, objectives, weights=w)).e_.similarity
        ),
    }
    report: dict[str, dict[str, float]] = {}
    tallies: dict[str, np.ndarray] = {}
    for key, score in scorers.items():
        counts = np.zeros((n, n), dtype=np.int64)

        run = _loop(score, weights, counts)

        pilot = min(PILOT, total)
        seconds = run(0, pilot)
        done = min(total, max(pilot, int(budget_s * pilot / seconds)))
        seconds += run(pilot, done)
        report[key] = {"draws": done, "seconds": seconds}
        tallies[key.replace("/", "__")] = counts
        print(f"  {key}: {done:,} draws in {seconds:.1f} s", flush=True)
    np.savez(Path(folder) / "out.npz", **tallies)
    (Path(folder) / "times.json").write_text(json.dumps(report))


def _loop(
    score: Callable[[np.ndarray], Any], weights: np.ndarray, counts: np.ndarray
) -> Callable[[int, int], float]:
    """Score, rank (ties to the one listed first) and tally draws ``lo:hi``; return seconds."""
    cols = np.arange(counts.shape[0])

    def run(lo: int, hi: int) -> float:
        start = time.perf_counter()
        for d in range(lo, hi):
            order = np.argsort(-np.asarray(score(weights[d]), dtype=float), kind="stable")
            counts[order, cols] += 1  # counts[i, r]: draws with i at rank r + 1
        return time.perf_counter() - start

    return run


def compare(repeat: int, budget_s: float) -> None:
    from frictionkit.uncertainty import sample_weights, smaa

    x, benefit = make_matrix()
    weights = sample_weights(x.shape[1], DRAWS, seed=SEED).to_numpy()
    ours = {
        method: median_seconds(
            lambda m=method: smaa(x, benefit, method=m, draws=DRAWS, seed=SEED), repeat
        )
        for method in ("weighted_sum", "topsis")
    }
    python = ensure_mcda_venv()
    load_before = os.getloadavg()
    print(f"\nloop over draws in {MCDA_VENV.name} (budget {budget_s:.0f} s per loop):", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        np.savez(Path(folder) / "problem.npz", x=x, benefit=np.asarray(benefit))
        np.save(Path(folder) / "weights.npy", weights)
        cmd = [str(python), __file__, "--worker", folder, "--budget-s", str(budget_s)]
        subprocess.run(cmd, check=True, env={**os.environ, "PYTHONPATH": ""})
        tallies = dict(np.load(Path(folder) / "out.npz"))
        report = json.loads((Path(folder) / "times.json").read_text())
    load_after = os.getloadavg()
    print(
        f"\nsmaa vs a loop, 1,000 x 5 x {DRAWS:,} draws; smaa median of {repeat}; "
        f"loadavg before {load_before[0]:.2f}, after {load_after[0]:.2f}"
    )
    header = (
        f"{'method':<13}{'loop with':<12}{'draws run':>10}{'loop s':>9}"
        f"{'loop s 10k':>12}{'smaa s':>8}{'ratio':>8}  max|diff| acceptability"
    )
    print(header)
    print("-" * len(header))
    extrapolated = False
    for key, info in report.items():
        pkg, method = key.split("/")
        done, seconds = int(info["draws"]), float(info["seconds"])
        # smaa on the same first `done` draws (its weights are the first rows of `weights`)
        assert np.array_equal(
            sample_weights(x.shape[1], done, seed=SEED).to_numpy(), weights[:done]
        )
        acc = smaa(x, benefit, method=method, draws=done, seed=SEED).rank_acceptability
        diff = float(np.max(np.abs(tallies[key.replace("/", "__")] / done - acc.to_numpy())))
        full = seconds * DRAWS / done
        mark = "" if done == DRAWS else "*"
        extrapolated |= done < DRAWS
        print(
            f"{method:<13}{pkg:<12}{done:>10,}{seconds:>9.1f}{full:>11.1f}{mark:1}"
            f"{ours[method]:>8.3f}{full / ours[method]:>8.0f}  {diff:.1e}"
        )
    if extrapolated:
        print(
            "* extrapolated linearly from the draws run (time x 10,000 / draws run); "
            "max|diff| is on those draws"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare", action="store_true", help="also run the loop comparison")
    parser.add_argument("--compare-only", action="store_true", help="only the comparison")
    parser.add_argument("--budget-s", type=float, default=120.0, help="per loop, then extrapolate")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.budget_s)
        return
    if not args.compare_only:
        run_main(args.repeat)
    if args.compare or args.compare_only:
        compare(args.repeat, args.budget_s)


def run_main(repeat: int) -> None:
    from frictionkit._threads import thread_count
    from frictionkit.estimates import Estimate
    from frictionkit.model import Improvement
    from frictionkit.uncertainty import rank_risk, sample_estimates, smaa

    x, benefit = make_matrix()
    rng = np.random.default_rng(20240601)
    rng.uniform(1.0, 100.0, size=(1_000, 5))  # the matrix above; keeps the later draws
    cells = [
        [Estimate.three_point(0.8 * v, v, 1.5 * v) for v in row]
        for row in rng.uniform(1.0, 100.0, size=(1_000, 5))
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
            "1,000 x 5 x 10,000",
            1.0,
            lambda: smaa(None, benefit, matrix_draws=xd, seed=1),
        ),
        (
            "smaa topsis, matrix draws",
            "1,000 x 5 x 10,000",
            1.0,
            lambda: smaa(None, benefit, method="topsis", matrix_draws=xd, seed=1),
        ),
        (
            "  the same, confidence=False",
            "1,000 x 5 x 10,000",
            1.0,
            lambda: smaa(None, benefit, method="topsis", matrix_draws=xd, seed=1, confidence=False),
        ),
        (
            "smaa topsis, matrix draws, threads=1",
            "1,000 x 5 x 10,000",
            1.0,
            lambda: smaa(None, benefit, method="topsis", matrix_draws=xd, seed=1, threads=1),
        ),
        (
            "rank_risk value_per_cost",
            "1,000 x 10,000",
            1.0,
            lambda: rank_risk(improvements, draws=10_000, seed=1),
        ),
        (
            "rank_risk cd3",
            "1,000 x 10,000",
            1.0,
            lambda: rank_risk(improvements, "cd3", draws=10_000, seed=1),
        ),
        (
            "rank_risk topsis",
            "1,000 x 10,000",
            1.0,
            lambda: rank_risk(improvements, "topsis", draws=10_000, seed=1),
        ),
        (
            "rank_risk topsis, threads=1",
            "1,000 x 10,000",
            None,
            lambda: rank_risk(improvements, "topsis", draws=10_000, seed=1, threads=1),
        ),
    ]

    load = os.getloadavg()
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs")
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    # On a machine with more runnable work than cores, BLAS threads that spin while they
    # wait for each other slow the matrix products down many times: say how it ran.
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '(unset)')}")
    print(f"worker threads (threads=None): {thread_count(None)}")
    header = (
        f"{'workload':34} {'size':20} {'wall s':>8} {'cpu s':>7} {'target':>7} {'peak MB':>8}"
        f" {'target':>7}  ok"
    )
    print(header)
    print("-" * len(header))
    for name, size, target, fn in cases:
        seconds = median_seconds(fn, repeat)
        cpu = cpu_seconds(fn)
        peak = peak_mb(fn)
        shown = "" if target is None else f"{target:.1f}"
        # single-threaded, CPU time is the steadier figure; on worker threads the CPU time
        # adds up every thread, so wall time is the one to hold against the target
        met = target is not None and min(seconds, cpu) <= target and peak <= 500
        ok = "" if target is None else ("yes" if met else "NO")
        print(
            f"{name:34} {size:20} {seconds:8.3f} {cpu:7.3f} {shown:>7} {peak:8.1f} {500:7d}  {ok}"
        )
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
