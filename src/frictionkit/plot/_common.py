"""Shared pieces of the charts: lazy matplotlib, palettes, input checks, label helpers.

Nothing here imports matplotlib at module level; :func:`pyplot` does it on first use.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import numpy as np
import pandas as pd

from frictionkit._compat import require
from frictionkit.exceptions import (
    InputTypeError,
    MissingColumnError,
    ValidationError,
    did_you_mean,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "FAILURE_COLOR",
    "FULL_TEXT_GID",
    "OKABE_ITO",
    "OPEN_COLOR",
    "SUCCESS_COLOR",
    "axes",
    "check_labels",
    "check_top",
    "color_map",
    "contrast_ratio",
    "count_label",
    "full_text",
    "is_log",
    "label_of",
    "need_columns",
    "need_frame",
    "plain_labels",
    "plain_text",
    "pyplot",
    "readable_on",
    "shorten",
    "side_legend",
    "thousands",
    "thousands_formatter",
    "wrap",
    "wrong_type",
]

#: Okabe and Ito's colour-blind-safe palette, ordered for contrast on white (yellow last).
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#CC79A7",  # reddish purple
    "#000000",  # black
    "#F0E442",  # yellow
)
SUCCESS_COLOR = "#009E73"
FAILURE_COLOR = "#D55E00"
OPEN_COLOR = "#999999"
NEUTRAL_COLOR = "#BBBBBB"
TEXT_GREY = "#555555"


_P = ParamSpec("_P")
_R = TypeVar("_R")
# a dollar sign not escaped yet: matplotlib draws the text between two of them as math
_DOLLAR = re.compile(r"(?<!\\)\$")


def plain_text(text: str) -> str:
    r"""``text`` with its dollar signs escaped, so matplotlib draws them, not math.

    Examples
    --------
    >>> plain_text("$5 fee, $10 cap") == r"\$5 fee, \$10 cap"
    True
    >>> plain_text(plain_text("$5")) == plain_text("$5")
    True
    """
    return _DOLLAR.sub(r"\\$", text)


def _plain_axes(ax: Any) -> None:
    """Escape the dollar signs of every text of ``ax``, tick labels to come included."""
    from matplotlib.axis import Axis
    from matplotlib.text import Text
    from matplotlib.ticker import FixedFormatter, FuncFormatter

    for child in ax.get_children():
        # An axis gives its label and offset text; its tick labels are written from its
        # formatters when drawn (wrapped below), and asking for them would make the
        # ticks of an axis that is never drawn.
        texts = (child.label, child.offsetText) if isinstance(child, Axis) else child.findobj(Text)
        for artist in texts:
            text = artist.get_text()
            if "$" in text:
                artist.set_text(plain_text(text))
    for axis in (ax.xaxis, ax.yaxis):
        for major in (True, False):
            fmt = axis.get_major_formatter() if major else axis.get_minor_formatter()
            if isinstance(fmt, (FixedFormatter, FuncFormatter)):  # labels from the data
                plain = _plain_formatter(fmt)
                if major:
                    axis.set_major_formatter(plain)
                else:
                    axis.set_minor_formatter(plain)


def _plain_formatter(inner: Any) -> Any:
    """A tick formatter giving the labels of ``inner`` with their dollar signs escaped."""
    from matplotlib.ticker import FuncFormatter

    def label(x: float, pos: int | None = None) -> str:
        return plain_text(str(inner(x, pos)))

    plain = FuncFormatter(label)
    plain.set_locs = inner.set_locs  # type: ignore[method-assign]
    return plain


def plain_labels(draw: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorate a chart function: every label it draws shows ``$`` as text, not math.

    Names come from the data (a touchpoint ``$5 fee``); matplotlib would draw the text
    between two dollar signs as a formula. Every public chart goes through this one
    helper, which escapes the texts of the Axes it drew on (titles, labels, tick labels,
    legends, annotations; not the rest of a figure passed in with ``ax=``); the data
    twins keep the text as it is.
    """

    @functools.wraps(draw)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        result = draw(*args, **kwargs)
        if hasattr(result, "findobj") and hasattr(result, "xaxis"):
            _plain_axes(result)
        return result

    return wrapper


def pyplot() -> Any:
    """Import ``matplotlib.pyplot`` or raise :class:`OptionalDependencyError`."""
    return require("matplotlib.pyplot", extra="plot", feature="Plotting")


def axes(ax: Any, figsize: tuple[float, float]) -> Axes:
    """The Axes to draw on: ``ax`` when given (checked), else a new figure's."""
    plt = pyplot()
    if ax is None:
        _fig, new_ax = plt.subplots(figsize=figsize, layout="constrained")
        return new_ax  # type: ignore[no-any-return]
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        hint = "Pass ax=None for a new figure, or one from plt.subplots()"
        raise wrong_type(ax, "ax", "a matplotlib Axes", hint)
    return ax


def wrong_type(obj: Any, field: str, what: str, hint: str) -> InputTypeError:
    """The error for ``field`` holding ``obj`` where ``what`` was expected (raise it)."""
    return InputTypeError(
        f"{field} must be {what}, got {type(obj).__name__}",
        field=field,
        value=type(obj).__name__,
        hint=hint,
    )


def color_map(names: Iterable[str]) -> dict[str, str]:
    """Colour per name, in sorted name order, cycling through :data:`OKABE_ITO`."""
    ordered = sorted(set(names))
    return {n: OKABE_ITO[i % len(OKABE_ITO)] for i, n in enumerate(ordered)}


def need_frame(obj: Any, field: str, what: str, hint: str) -> pd.DataFrame:
    """Check that ``obj`` is a DataFrame."""
    if not isinstance(obj, pd.DataFrame):
        raise wrong_type(obj, field, f"{what} (a pandas DataFrame)", hint)
    return obj


def need_columns(frame: pd.DataFrame, columns: Sequence[str], field: str, hint: str) -> None:
    """Raise :class:`MissingColumnError` naming the first missing column."""
    have = [str(c) for c in frame.columns]
    for col in columns:
        if col not in frame.columns:
            raise MissingColumnError(
                f"{field} has no column {col!r} (it needs {list(columns)})"
                + did_you_mean(col, have),
                field=field,
                value=col,
                hint=hint,
            )


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters with an ellipsis."""
    return text if len(text) <= width else text[: max(width - 1, 1)].rstrip() + "…"


def wrap(text: str, width: int, lines: int = 2) -> str:
    """``text`` wrapped to at most ``lines`` lines of ``width`` characters."""
    import textwrap

    parts = textwrap.wrap(text, width) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = shorten(parts[-1] + " …", width)
    return "\n".join(parts)


#: Prefix of the gid of a text drawn shortened: the rest is the full text, UTF-8 in hex.
#: The report turns it into the SVG ``<title>`` of the text (shown on hover).
FULL_TEXT_GID = "fk-full-text-"


def full_text(artist: Any, drawn: str, full: str) -> None:
    """Keep the ``full`` text of an ``artist`` drawn as ``drawn`` (cut or wrapped) in its gid.

    Nothing is set when the two read alike (line breaks aside). The gid is
    :data:`FULL_TEXT_GID` followed by the full text in hexadecimal (an SVG id holds no
    spaces); the report shows it as the text's tooltip.
    """
    if " ".join(drawn.split()) != " ".join(full.split()):
        artist.set_gid(FULL_TEXT_GID + full.encode("utf-8").hex())


def check_labels(labels: Any, field: str = "labels") -> dict[str, str]:
    """``labels`` (a mapping of id to display name, or None) as a dict of text to text."""
    if labels is None:
        return {}
    from collections.abc import Mapping

    if not isinstance(labels, Mapping):
        raise wrong_type(
            labels,
            field,
            "a mapping of id to label",
            "Pass e.g. {tp.id: tp.label for tp in journey.touchpoints}",
        )
    return {str(k): str(v) for k, v in labels.items()}


def label_of(labels: dict[str, str], name: Any) -> str:
    """The label of ``name``, or the name itself when ``labels`` has none."""
    text = str(name)
    return labels.get(text, text)


def thousands_formatter() -> Any:
    """A tick formatter writing numbers with thousands separators."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: f"{v:,.0f}")


def is_log(obj: Any) -> bool:
    """Whether ``obj`` is an :class:`~frictionkit.events.EventLog`."""
    from frictionkit.events import EventLog

    return isinstance(obj, EventLog)


def check_top(top: Any, field: str = "top") -> int | None:
    """``top`` as a whole number >= 1, or None."""
    if top is None:
        return None
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise ValidationError(
            f"{field} must be a whole number >= 1 or None, got {top!r}", field=field, value=top
        )
    return int(top)


def count_label(n: float) -> str:
    """A count with thousands separators."""
    return f"{round(n):,}"


def thousands(x: float) -> str:
    """A number with thousands separators (no decimals past 1,000)."""
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def side_legend(
    ax: Axes, handles: Sequence[Any], title: str, *, lower: bool = False, **extra: Any
) -> Any:
    """A frameless key just right of the Axes, top-aligned (bottom-aligned if ``lower``).

    ``extra`` goes to ``ax.legend`` unchanged.
    """
    return ax.legend(
        handles=handles,
        title=title,
        loc="lower left" if lower else "upper left",
        bbox_to_anchor=(1.01, 0.0 if lower else 1.0),
        frameon=False,
        fontsize=9,
        **extra,
    )


def _luminance(color: Any) -> float:
    """WCAG 2 relative luminance of a matplotlib colour (0 black, 1 white)."""
    from matplotlib.colors import to_rgb

    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(color)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(a: Any, b: Any) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    la, lb = _luminance(a), _luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


#: Text colours used when the preferred one is too faint on a fill.
DARK_TEXT, LIGHT_TEXT = "#000000", "#FFFFFF"


def readable_on(fill: Any, preferred: str) -> str:
    """``preferred`` if it has WCAG contrast >= 4.5 on ``fill``, else black or white.

    Of black and white, the one with more contrast on ``fill`` is chosen (at least 4.58
    on any opaque fill).
    """
    if contrast_ratio(preferred, fill) >= 4.5:
        return preferred
    dark, light = contrast_ratio(DARK_TEXT, fill), contrast_ratio(LIGHT_TEXT, fill)
    return DARK_TEXT if dark >= light else LIGHT_TEXT
