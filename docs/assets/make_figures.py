"""Regenerate the figures of the README: ``python docs/assets/make_figures.py``.

Writes ``impact-effort.png`` (the impact-effort matrix of the bundled spare-parts journey)
next to this script. Needs the ``plot`` extra (matplotlib).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

import frictionkit as fk
from frictionkit import plot

HERE = Path(__file__).resolve().parent


def main() -> None:
    """Draw every README figure into this folder."""
    ranking = fk.prioritise(fk.datasets.load_autoparts())
    ax = plot.impact_effort(ranking)
    path = HERE / "impact-effort.png"
    ax.figure.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(ax.figure)
    print(f"wrote {path.relative_to(HERE.parents[1])}")


if __name__ == "__main__":
    main()
