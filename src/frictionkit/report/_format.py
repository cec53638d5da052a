"""Formatting of cells and tables, and figures as inline SVG, for the report."""

from __future__ import annotations

import codecs
import functools
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
        self._metrics: dict[Any, Any] = {}  # text measures, shared by the figures
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
            svg = _svg(fig, self._metrics)
        except Exception as err:  # a figure must never stop the report; say so in it
            self.problems.append(f"{name}: {type(err).__name__}: {err}")
            return None
        self.drawn.append(name)
        from markupsafe import Markup

        return {"kind": "figure", "key": name, "svg": Markup(svg), "caption": caption}


def _svg(fig: Figure, metrics: dict[Any, Any] | None = None) -> str:
    """Inline SVG of a matplotlib figure: no XML prolog, comments or metadata; scalable.

    ``metrics`` holds the text measures of the figures drawn before (the report's figures
    share it, :func:`_svg_canvas`); without it, matplotlib's own SVG canvas draws the
    figure. The SVG is the same either way.
    """
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "frictionkit", "svg.fonttype": "none"}):
        if metrics is None:
            FigureCanvasSVG(fig)
        else:
            _svg_canvas(fig, metrics)
        engine = fig.get_layout_engine()
        if engine is not None:
            # savefig would measure every text four times (a layout pass and the draw,
            # each laying out again with a fresh renderer): two thirds of a figure's
            # time. Lay out once, measured by the SVG renderer, then only draw.
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
    text = _full_text_titles(text)
    if re.search(r"<script|\son\w+\s*=|(?:href|src)\s*=\s*[\"']?\s*(?:https?:|//)", text, re.I):
        raise ValidationError("the figure holds active content or an external link; left out")
    return text.strip()


def _full_text_titles(svg: str) -> str:
    """Each text drawn shortened gets its full text as an SVG ``<title>`` (its tooltip).

    The charts keep the full text of a shortened label in its gid
    (``frictionkit.plot._common.full_text``: a prefix, then the text in hex); the gid is
    replaced by the ``<title>``, escaped.
    """
    import html

    from frictionkit.plot._common import FULL_TEXT_GID

    def title(match: re.Match[str]) -> str:
        try:
            full = bytes.fromhex(match.group(1)).decode("utf-8")
        except ValueError:  # pragma: no cover - only the charts write these gids
            return "<g>"
        return f"<g><title>{html.escape(full, quote=False)}</title>"

    return re.sub(rf'<g id="{re.escape(FULL_TEXT_GID)}([0-9a-f]*)">', title, svg)


def _svg_canvas(fig: Figure, metrics: dict[Any, Any]) -> Any:
    """Attach to ``fig`` an SVG canvas whose renderers measure each text once.

    Laying out a figure and drawing it each measure every text (its width, height and
    descent, from the font: about 15 microseconds a character) with a new renderer. An
    SVG renderer's measure depends only on the text, its font properties and whether it
    is math (SVG is drawn at 72 dpi), so the renderers of this canvas keep the measures
    in ``metrics``, shared by the layout and the drawing and by the figures of one
    report. The SVG is the same, byte for byte.
    """
    canvas = _svg_canvas_class()(fig)
    canvas.metrics = metrics
    return canvas


def _font_height_metrics(prop: Any, dpi: float) -> tuple[Any, Any, Any]:
    """A font's ascent, descent and line gap, read as matplotlib 3.11's Text does.

    From the OS/2 table, else hhea, scaled to the size and ``dpi``; ``None`` each when
    the font has neither (matplotlib then measures a text instead).
    """
    from matplotlib.font_manager import fontManager, get_font

    font: Any = get_font(fontManager._find_fonts_by_props(prop))
    for table_name, gap_key, ascent_key, descent_key in (
        ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
        ("hhea", "lineGap", "ascent", "descent"),
    ):
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        fontsize = prop.get_size_in_points()
        units_per_em = font.get_sfnt_table("head")["unitsPerEm"]
        scale = 1 / units_per_em * fontsize * dpi / 72
        return table[ascent_key] * scale, -table[descent_key] * scale, table[gap_key] * scale
    return None, None, None


@functools.cache
def _svg_canvas_class() -> type:
    """The canvas of :func:`_svg_canvas` (defined on first use: matplotlib is optional)."""
    from matplotlib import cbook
    from matplotlib.backends.backend_mixed import MixedModeRenderer
    from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG

    class _Renderer(RendererSVG):
        drawn: Any = None  # the figure drawn, set by the canvas

        def __init__(self, *args: Any, metrics: dict[Any, Any], **kw: Any) -> None:
            super().__init__(*args, **kw)  # type: ignore[no-untyped-call]
            self._metrics = metrics

        def get_text_width_height_descent(
            self, s: str, prop: Any, ismath: Any
        ) -> tuple[float, float, float]:
            # a copy: FontProperties is mutable and hashed by its current state
            key = (s, prop.copy(), ismath, self.points_to_pixels(72))
            found = self._metrics.get(key)
            if found is None:
                found = super().get_text_width_height_descent(  # type: ignore[no-untyped-call]
                    s, prop, ismath
                )
                self._metrics[key] = found
            return found  # type: ignore[no-any-return]

        def _get_font_height_metrics(self, prop: Any) -> tuple[Any, Any, Any]:
            # matplotlib 3.11 asks the renderer for a font's ascent, descent and line gap
            # before reading them from the font's tables itself, for every text laid out
            # (Text._get_layout); here they are read the same way, once per font
            if self.drawn is None:
                return None, None, None
            dpi = self.drawn.dpi
            key = ("height", prop.copy(), dpi)
            found = self._metrics.get(key)
            if found is None:
                found = self._metrics[key] = _font_height_metrics(prop, dpi)
            return found

    class _Canvas(FigureCanvasSVG):
        metrics: dict[Any, Any]

        def print_svg(
            self,
            filename: Any,
            *,
            bbox_inches_restore: Any = None,
            metadata: Any = None,
            **_ignored: Any,  # dpi, facecolor, ...: print_figure applies them
        ) -> None:
            # FigureCanvasSVG.print_svg, with the renderer above
            with cbook.open_file_cm(filename, "w", encoding="utf-8") as opened:
                fh: Any = opened
                if not cbook.file_requires_unicode(fh):
                    fh = codecs.getwriter("utf-8")(fh)
                dpi = self.figure.dpi
                self.figure.dpi = 72
                width, height = self.figure.get_size_inches()
                svg = _Renderer(
                    width * 72,
                    height * 72,
                    fh,
                    image_dpi=dpi,
                    metadata=metadata,
                    metrics=self.metrics,
                )
                svg.drawn = self.figure
                renderer = MixedModeRenderer(  # type: ignore[no-untyped-call]
                    self.figure,
                    width,
                    height,
                    dpi,
                    svg,
                    bbox_inches_restore=bbox_inches_restore,
                )
                self.figure.draw(renderer)  # type: ignore[arg-type]
                renderer.finalize()

    return _Canvas


# ---------------------------------------------------------------------------------------


def _af_interval(low: Any, high: Any) -> str:
    """An interval of attributable failures (its ends may be negative: "-12 to 40")."""
    if _missing(low) or _missing(high):
        return _DASH
    return f"{float(low):,.0f} to {float(high):,.0f}"


def _af_intervals(table: pd.DataFrame, column: str = "attributable_failures") -> list[str]:
    """:func:`_af_interval` of every row, from ``{column}_low`` and ``{column}_high``."""
    return [
        _af_interval(lo, hi)
        for lo, hi in zip(table[f"{column}_low"], table[f"{column}_high"], strict=True)
    ]
