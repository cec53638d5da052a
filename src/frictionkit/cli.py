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


def _cmd_demo(args: argparse.Namespace) -> int:
    from frictionkit.datasets import autoparts_path, load_autoparts

    journey = load_autoparts()
    print(f"Bundled example: {autoparts_path().name}")
    print(journey.summary())
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
