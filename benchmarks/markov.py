"""Benchmark: absorbing Markov chain on ~1M simulated events over ~50 touchpoints.

Times building the chain (from directly-follows counts made with a pandas groupby, and
from journey routes), the success probability, all removal effects and all repair
effects, without and with a bootstrap of 200 journey resamples. Prints one table with
the wall time of each step and the load average (``os.getloadavg``) when it ran.

Run: ``.venv/bin/python benchmarks/markov.py [--events 1000000] [--touchpoints 50]``
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import frictionkit as fk
from frictionkit.datasets.simulate import simulate_journeys
from frictionkit.markov import FAILURE, START, SUCCESS, MarkovModel


def make_journey(n_touchpoints: int) -> fk.Journey:
    stages = [fk.Stage(id=f"s{i}") for i in range(5)]
    tps = [
        fk.Touchpoint(id=f"tp{i:02d}", stage=f"s{i * 5 // n_touchpoints}", channel="web")
        for i in range(n_touchpoints)
    ]
    return fk.Journey(stages=stages, touchpoints=tps)


def transitions(df: pd.DataFrame) -> pd.DataFrame:
    """Directly-follows counts with START and outcome states, by pandas groupby."""
    decided = df[df["outcome"] != "open"]
    case = decided["case_id"]
    nxt = decided.groupby("case_id", sort=False)["touchpoint"].shift(-1)
    first = ~case.duplicated()
    last = nxt.isna()
    end = decided["outcome"].map({"success": SUCCESS, "failure": FAILURE})
    frm = pd.concat([pd.Series(START, index=decided.index[first]), decided["touchpoint"]])
    to = pd.concat([decided.loc[first, "touchpoint"], nxt.where(~last, end)])
    pairs = pd.DataFrame({"from": frm.to_numpy(), "to": to.to_numpy()})
    return pairs.groupby(["from", "to"], sort=False).size().rename("journeys").reset_index()


def timed(rows: list[dict[str, Any]], step: str, fn: Callable[[], Any]) -> Any:
    t0 = time.perf_counter()
    out = fn()
    rows.append(
        {
            "step": step,
            "seconds": round(time.perf_counter() - t0, 3),
            "load_1min": round(os.getloadavg()[0], 2),
        }
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--touchpoints", type=int, default=50)
    parser.add_argument("--bootstrap", type=int, default=200)
    args = parser.parse_args()

    journey = make_journey(args.touchpoints)
    mean_len = 25  # about 25 events a journey with drop_rate=0.03 on this map
    n_journeys = max(1, args.events // mean_len)
    rows: list[dict[str, Any]] = []
    df = timed(
        rows,
        "simulate events",
        lambda: simulate_journeys(
            n_journeys,
            seed=1,
            journey=journey,
            error_touchpoint="tp30",
            loop=("tp20", "tp21"),
            drop_rate=0.03,
        ),
    )
    table = timed(rows, "transition counts (pandas groupby)", lambda: transitions(df))
    model = timed(rows, "MarkovModel.from_transitions", lambda: MarkovModel.from_transitions(table))
    p = timed(rows, "success_probability", lambda: model.success_probability)
    timed(rows, "removal_effects (all)", model.removal_effects)
    timed(rows, "repair_effects (all, no bootstrap)", model.repair_effects)

    def routes() -> tuple[list[tuple[str, ...]], pd.Series]:
        g = df.groupby("case_id", sort=False)
        return g["touchpoint"].agg(tuple).tolist(), g["outcome"].first()

    paths, outcomes = timed(rows, "journey routes (pandas groupby)", routes)
    pm = timed(rows, "MarkovModel.from_paths", lambda: MarkovModel.from_paths(paths, outcomes))
    timed(
        rows,
        f"repair_effects (all, bootstrap={args.bootstrap})",
        lambda: pm.repair_effects(bootstrap=args.bootstrap, seed=1),
    )
    timed(
        rows,
        f"repair_effect (one, bootstrap={args.bootstrap})",
        lambda: pm.repair_effect("tp30", reduce_failure_by=0.5, bootstrap=args.bootstrap, seed=1),
    )
    assert np.array_equal(pm.counts, model.counts), "paths and counts disagree"

    print(
        f"# {len(df):,} events, {n_journeys:,} journeys, {len(model.touchpoints)} touchpoints, "
        f"success probability {p:.4f}; {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}, {os.cpu_count()} CPUs"
    )
    out = pd.DataFrame(rows)
    markov_only = out[out["step"].str.contains("Markov|probability|effects")]["seconds"].sum()
    print(out.to_string(index=False))
    print(f"# Markov steps total (chain + effects, incl. bootstrap): {markov_only:.3f} s")


if __name__ == "__main__":
    main()
