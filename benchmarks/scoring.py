"""Time frictionkit.scoring.prioritise for every built-in method and print a table.

Workload: a DataFrame of 10,000 improvements with 6 numeric criteria (impact, effort_days,
cost, confidence, reach, risk_reduction), ranked through the public, validated
``prioritise`` (input checks, impact resolution, scores, ranks, quadrants, non-dominated
flags and the breakdown columns included). Target: <= 50 ms per method. Run:

    .venv/bin/python benchmarks/scoring.py [--n 10000] [--repeat 5] [--compare]

``--compare`` (opt-in) also times the frictionkit.mcda kernels against scikit-criteria and
pymcdm on the same n x 6 matrix. Those packages live in their own virtual environment,
``benchmarks/.venv-mcda`` (created and filled from PyPI on first use, git-ignored), and run
in a subprocess (this file with ``--worker``); frictionkit never imports them. Printed: median
times, ratios (other / frictionkit) and the max abs difference of the results where the
conventions match (target <= 1e-9).
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _common import ensure_mcda_venv, load_average

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


TOLERANCE = 1e-9
COMPARED = ("weighted_sum", "topsis", "vikor", "promethee_ii")


def worker(folder: str, repeat: int) -> None:
    """Run scikit-criteria and pymcdm on the saved matrix (inside the .venv-mcda venv)."""
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
    x, w, benefit = data["x"], data["w"], data["benefit"]
    types = np.where(benefit, 1, -1)
    dm = mkdm(x, [max if b else min for b in benefit], weights=w)
    out: dict[str, Any] = {}
    timings: dict[str, float] = {}

    def run(key: str, fn: Callable[[], Any]) -> None:
        result = fn()
        timings[key] = median_seconds(fn, repeat)
        out[key] = np.asarray(result, dtype=float)

    run(
        "pymcdm/weighted_sum",
        lambda: pm.WSM(normalization_function=pn.minmax_normalization)(x, w, types),
    )
    run(
        "pymcdm/topsis",
        lambda: pm.TOPSIS(normalization_function=pn.vector_normalization)(x, w, types),
    )
    run("pymcdm/vikor", lambda: pm.VIKOR(v=0.5)(x, w, types))
    run("pymcdm/promethee_ii", lambda: pm.PROMETHEE_II("usual")(x, w, types))
    # scikit-criteria: cost criteria negated, then min-max scaled: (max - x) / (max - min),
    # the same convention as frictionkit's default "minmax" normalisation.
    wsm = mkpipe(
        invert_objectives.NegateMinimize(),
        scalers.MinMaxScaler(target="matrix"),
        sk_simple.WeightedSumModel(),
    )
    run("skcriteria/weighted_sum", lambda: wsm.evaluate(dm).e_.score)
    top = mkpipe(scalers.VectorScaler(target="matrix"), sk_topsis.TOPSIS())
    run("skcriteria/topsis", lambda: top.evaluate(dm).e_.similarity)
    np.savez(Path(folder) / "out.npz", **{k.replace("/", "__"): v for k, v in out.items()})
    (Path(folder) / "times.json").write_text(json.dumps(timings))


def compare(n: int, repeat: int) -> None:
    from frictionkit import mcda

    df = make_table(n)
    x = df[list(CRITERIA)].to_numpy(dtype=float)
    benefit = np.array([kind == "benefit" for kind in CRITERIA.values()])
    w = np.array([0.3, 0.2, 0.2, 0.1, 0.1, 0.1])
    ours: dict[str, Callable[[], Any]] = {
        "weighted_sum": lambda: mcda.weighted_sum(x, w, benefit),
        "topsis": lambda: mcda.topsis(x, w, benefit),
        "vikor": lambda: mcda.vikor(x, w, benefit, v=0.5).Q,
        "promethee_ii": lambda: mcda.promethee_ii(x, w, benefit, "usual"),
    }
    our_out = {k: np.asarray(f(), dtype=float) for k, f in ours.items()}
    our_t = {k: median_seconds(f, repeat) for k, f in ours.items()}
    python = ensure_mcda_venv()
    with tempfile.TemporaryDirectory() as folder:
        np.savez(Path(folder) / "problem.npz", x=x, w=w, benefit=benefit)
        cmd = [str(python), __file__, "--worker", folder, "--repeat", str(repeat)]
        subprocess.run(cmd, check=True, env={**os.environ, "PYTHONPATH": ""})
        other = dict(np.load(Path(folder) / "out.npz"))
        other_t = json.loads((Path(folder) / "times.json").read_text())
    print(f"\nkernels on {n:,} x {x.shape[1]}, repeat {repeat} (median); loadavg {load_average()}")
    print(f"{'method':<14}{'package':<12}{'fk ms':>9}{'other ms':>10}{'ratio':>8}  max|diff|")
    for method in COMPARED:
        for pkg in ("pymcdm", "skcriteria"):
            key = f"{pkg}/{method}"
            if key not in other_t:
                continue
            diff = float(np.max(np.abs(other[key.replace("/", "__")] - our_out[method])))
            flag = "ok" if diff <= TOLERANCE else "DIFF"
            fk_ms, o_ms = our_t[method] * 1e3, other_t[key] * 1e3
            print(
                f"{method:<14}{pkg:<12}{fk_ms:>9.2f}{o_ms:>10.2f}{o_ms / fk_ms:>8.1f}"
                f"  {diff:.1e} {flag}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--compare", action="store_true", help="also run the comparison")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.repeat)
        return
    from frictionkit.scoring import MCDA_METHODS, METHODS, prioritise

    df = make_table(args.n)
    print(f"prioritise on {args.n:,} improvements x {len(CRITERIA)} criteria")
    print(f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")
    print(f"cpus {os.cpu_count()}, repeat {args.repeat} (median), load average {load_average()}\n")
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
    print(f"load average after: {load_average()}")
    if args.compare:
        compare(args.n, args.repeat)


if __name__ == "__main__":
    main()
