"""The command line: a thin layer over the public API.

``frictionkit demo`` runs the main job on the bundled example; ``frictionkit validate
FILE`` checks a journey file or workbook and prints its summary.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from frictionkit.exceptions import FrictionkitError

__all__ = ["main"]


def _load(path: str) -> object:
    from frictionkit.io import load_journey, read_workbook

    p = Path(path)
    if p.is_dir() or p.suffix.lower() in {".xlsx", ".xlsm"}:
        return read_workbook(p)
    return load_journey(p)


def _money(x: float) -> str:
    return f"{x:,.0f}"


def _cmd_demo(args: argparse.Namespace) -> int:

    from frictionkit.datasets import autoparts_path, load_autoparts
    from frictionkit.portfolio import optimise_portfolio
    from frictionkit.roadmap import roadmap
    from frictionkit.scoring import prioritise

    journey = load_autoparts()
    print(f"Bundled example: {autoparts_path().name} (illustrative figures)")
    print(journey.summary())

    ranking = prioritise(journey, method="value_per_cost")
    print("\n1. Ranking by value per cost (impact per year / cost):")
    table = ranking.to_frame()
    for row in table.itertuples():
        print(
            f"  {row.rank:>2}. {row.id:<24} {row.owner:<17} score {row.score:>8.2f}  {row.quadrant}"
        )
    wins = ranking.quick_wins()
    print("\n2. Easy & smart (high impact, low effort), each with its owner:")
    for row in wins.itertuples():
        print(f"  - {row.id} ({row.owner}): {row.title}")

    budget = args.budget
    plan = optimise_portfolio(journey, budget=budget)
    print(f"\n3. Best plan within a budget of {_money(budget)} and each owner's capacity:")
    print(f"  {plan!r}")
    for imp_id in plan.selected:
        imp = journey.improvement(imp_id)
        print(f"  + {imp_id:<24} owner {imp.owner}")
    for imp in journey.improvements:
        if imp.id not in plan.selected:
            print(f"  - {plan.why_not(imp.id)}")

    waves = roadmap(plan, period_days=20, start=args.start)
    print(f"\n4. Roadmap in 20-working-day waves from {args.start}:")
    for row in waves.itertuples():
        start, end = (str(d)[:10] for d in (row.start, row.end))  # dates as YYYY-MM-DD
        print(f"  wave {row.wave}-{row.end_wave}  {start} .. {end}  {row.id:<24} {row.owner}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    journey = _load(args.path)
    print(journey.summary())  # type: ignore[attr-defined]
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="frictionkit",
        description="Turn a customer journey into a ranked, budgeted list of fixes.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = sub.add_parser("demo", help="run the main job on the bundled autoparts example")
    demo.add_argument(
        "--budget", type=float, default=150_000.0, help="budget for the plan (EUR, default 150,000)"
    )
    demo.add_argument("--start", default="2027-01-04", help="first day of the roadmap")
    demo.set_defaults(func=_cmd_demo)
    val = sub.add_parser("validate", help="check a journey file or workbook, print a summary")
    val.add_argument("path", help="a .yaml/.yml/.json journey file, a CSV folder or .xlsx")
    val.set_defaults(func=_cmd_validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 invalid input, 2 usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except FrictionkitError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return code
