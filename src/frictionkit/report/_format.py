"""Formatting of cells and tables, and figures as inline SVG, for the report."""

from __future__ import annotations

import importlib
import inspect
import io
import math
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pandas as pd

from frictionkit.exceptions import ValidationError
from frictionkit.markov import REDUCE_FAILURE_BY
from frictionkit.privacy import DEFAULT_MIN_GROUP_SIZE

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


_DASH = "–"
_TOP_ROUTES = 10
_TOP_SPLIT = 5
_TOP_FRICTION = 10
_ROUTE_FLOW_TOP = 8
_REDUCE_FAILURE_BY = REDUCE_FAILURE_BY  # the one default, frictionkit.markov
_ROADMAP_PERIOD_DAYS = 20
_FIG_SIZE = (8.0, 4.5)


# ---------------------------------------------------------------------------------------
# small value objects handed to the template
# ---------------------------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class _Table:
    key: str
    caption: str
    columns: tuple[str, ...]
    numeric: tuple[bool, ...]
    nowrap: tuple[bool, ...]
    rows: tuple[tuple[str, ...], ...]
    row_classes: tuple[str, ...]
    note: str | None = None


# column kinds: how a cell is formatted, and whether it is right-aligned
_NUMERIC_KINDS = {"int", "pct", "pp", "money", "num", "num1", "p", "ratio"}
_NOWRAP_KINDS = {"tag", "bool"}


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, (float, np.floating)) and math.isnan(float(value))


def _num(x: float) -> str:
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if x == 0:
        return "0"
    return f"{x:.3g}"


def _is_folded(rec: dict[Any, Any]) -> bool:
    """Whether a row stands for two groups or more (``suppressed_groups``).

    Never read from its label: a touchpoint may itself be named like the folded row.
    """
    groups = rec.get("suppressed_groups")
    return groups is not None and not _missing(groups) and float(groups) > 1


def _cell(value: Any, kind: str) -> str:
    if _missing(value):
        return _DASH
    if kind == "int":
        return f"{int(value):,}"
    if kind == "pct":
        return f"{100 * float(value):.1f}\u00a0%"
    if kind == "pp":
        return f"{100 * float(value):+.1f}\u00a0pts"
    if kind == "num1":
        return f"{float(value):,.1f}"
    if kind == "money":
        return f"{float(value):,.0f}"
    if kind == "num":
        return _num(float(value))
    if kind == "ratio":
        return f"{float(value):.2f}"
    if kind == "p":
        v = float(value)
        return "< 0.001" if v < 0.001 else f"{v:.3f}"
    if kind == "bool":
        return "yes" if bool(value) else "no"
    return str(value)


def _interval(low: Any, high: Any, kind: str) -> str:
    if _missing(low) or _missing(high):
        return _DASH
    if kind == "pct":
        return f"{100 * float(low):.1f}–{100 * float(high):.1f}\u00a0%"
    return f"{_cell(low, kind)}–{_cell(high, kind)}"


def _table(
    frame: pd.DataFrame,
    spec: Sequence[tuple[str, str, str]],
    *,
    key: str,
    caption: str,
    note: str | None = None,
    row_class: Callable[[dict[Any, Any]], str] | None = None,
) -> _Table:
    """Format ``frame`` by ``spec`` = [(column, header, kind), ...]."""
    rows = []
    classes = []
    for rec in frame.to_dict("records"):
        rows.append(tuple(_cell(rec[col], kind) for col, _, kind in spec))
        cls = row_class(rec) if row_class is not None else ""
        if _is_folded(rec):
            cls = "folded"
        classes.append(cls)
    return _Table(
        key=key,
        caption=caption,
        columns=tuple(h for _, h, _ in spec),
        numeric=tuple(kind in _NUMERIC_KINDS for _, _, kind in spec),
        nowrap=tuple(kind in _NOWRAP_KINDS for _, _, kind in spec),
        rows=tuple(rows),
        row_classes=tuple(classes),
        note=note,
    )


def _p(text: str) -> dict[str, Any]:
    return {"kind": "p", "text": text}


def _note(text: str) -> dict[str, Any]:
    return {"kind": "note", "text": text}


def _h3(text: str) -> dict[str, Any]:
    return {"kind": "h3", "text": text}


def _tbl(table: _Table) -> dict[str, Any]:
    return {"kind": "table", "table": table}


# ---------------------------------------------------------------------------------------
# figures: drawn by frictionkit.plot when it is there, embedded as inline SVG
# ---------------------------------------------------------------------------------------
_SVG_START = re.compile(r"<svg\b", re.I)
_SVG_CLEAN = (
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"<metadata>.*?</metadata>", re.S),
)
_SVG_SIZE = re.compile(
    r'(<svg\b[^>]*?)\s(?:width|height)="[^"]*"([^>]*?)\s(?:width|height)="[^"]*"'
)


class _Figures:
    """Draws figures with :mod:`frictionkit.plot` if importable; records what happened."""

    def __init__(self, enabled: bool, min_group_size: int = DEFAULT_MIN_GROUP_SIZE) -> None:
        self.enabled = enabled
        self.min_group_size = min_group_size
        self.drawn: list[str] = []
        self.problems: list[str] = []
        self._plot: Any = None
        self.available = False
        if enabled:
            try:
                importlib.import_module("matplotlib")
                self._plot = importlib.import_module("frictionkit.plot")
            except ImportError:
                self._plot = None
            self.available = self._plot is not None

    def folds(self, name: str) -> bool:
        """Whether the plot function folds small groups itself (``min_group_size``)."""
        func = getattr(self._plot, name, None) if self.available else None
        if func is None:
            return False
        try:
            return "min_group_size" in inspect.signature(func).parameters
        except (TypeError, ValueError):  # pragma: no cover - builtins only
            return False

    def draw(
        self, name: str, caption: str, *args: Any, size: tuple[float, float] = _FIG_SIZE, **kw: Any
    ) -> dict[str, Any] | None:
        if not self.available or not hasattr(self._plot, name):
            return None
        from matplotlib.figure import Figure

        func = getattr(self._plot, name)
        if self.folds(name):  # the figure folds small groups like the tables
            kw.setdefault("min_group_size", self.min_group_size)
        fig = Figure(figsize=size, layout="constrained")
        ax = fig.add_subplot()
        try:
            func(*args, ax=ax, **kw)
            svg = _svg(fig)
        except Exception as err:  # a figure must never stop the report; say so in it
            self.problems.append(f"{name}: {type(err).__name__}: {err}")
            return None
        self.drawn.append(name)
        from markupsafe import Markup

        return {"kind": "figure", "key": name, "svg": Markup(svg), "caption": caption}


def _svg(fig: Figure) -> str:
    """Inline SVG of a matplotlib figure: no XML prolog, comments or metadata; scalable."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "frictionkit", "svg.fonttype": "none"}):
        engine = fig.get_layout_engine()
        if engine is not None:
            # savefig would measure every text four times (a layout pass and the draw,
            # each laying out again with a fresh renderer): two thirds of a figure's
            # time. Lay out once, measured by the SVG renderer, then only draw.
            FigureCanvasSVG(fig)
            dpi = fig.dpi
            engine.execute(fig)
            fig.dpi = dpi
            fig.set_layout_engine(None)
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    match = _SVG_START.search(text)
    text = text[match.start() :] if match else text
    for pattern in _SVG_CLEAN:
        text = pattern.sub("", text)
    text = _SVG_SIZE.sub(r"\1\2", text, count=1)
    if re.search(r"<script|\son\w+\s*=|(?:href|src)\s*=\s*[\"']?\s*(?:https?:|//)", text, re.I):
        raise ValidationError("the figure holds active content or an external link; left out")
    return text.strip()


# ---------------------------------------------------------------------------------------


def _af_interval(low: Any, high: Any) -> str:
    """An interval of attributable failures (its ends may be negative: "-12 to 40")."""
    if _missing(low) or _missing(high):
        return _DASH
    return f"{float(low):,.0f} to {float(high):,.0f}"
