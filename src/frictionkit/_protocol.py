"""The protocol every result class shares: ``repr``, ``_repr_html_``, ``to_frame``, ``.plot``.

A result class inherits :class:`Result` and writes only what is its own:

- ``to_frame()`` (required): the result as a new DataFrame;
- ``_repr_body()`` (required): the key facts for the one-line ``repr``, already known
  (sizes, ids, settings; never the table, never a recomputation). The ``repr`` is
  ``ClassName(<body>)``: the object's name or title first when it has one, then its sizes
  and settings, comma-separated ("12 journeys", ``method='rice'``); :func:`one_line` keeps
  it on one line and at most :data:`REPR_MAX` characters;
- ``_charts`` (optional): the charts of the class, ``{chart name: function}`` where the
  function is a chart of :mod:`frictionkit.plot` that takes the object first; the first
  is the default (``x.plot()``). The ``plot`` property builds the accessor from it and
  exists only when the class declares charts;
- ``_repr_facts()`` / ``_repr_frame()`` (optional): extra ``(name, value)`` rows for the
  notebook header, and the table whose head the notebook shows (default ``to_frame()``;
  override when ``to_frame()`` would be costly or too wide).

``_repr_html_`` is :func:`result_html` for every class: a header with the class name and
the repr's facts, then the head of the table, every value escaped with :func:`html.escape`.

Examples
--------
>>> import frictionkit as fk
>>> ranking = fk.prioritise(fk.datasets.load_autoparts())
>>> isinstance(ranking, Result), len(repr(ranking)) <= REPR_MAX
(True, True)
>>> ranking._repr_html_().startswith('<div class="frictionkit-result"><p><strong>Ranking')
True
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.plot import PlotAccessor

__all__ = [
    "HTML_ROWS",
    "REPR_MAX",
    "Result",
    "duration_text",
    "html_table",
    "money_text",
    "one_line",
    "plural",
    "result_html",
]

#: Longest ``repr`` (characters); a longer one is cut with an ellipsis.
REPR_MAX = 199
#: Rows of the table shown by ``_repr_html_``.
HTML_ROWS = 20


class Result:
    """Mixin giving a result class the shared protocol (see the module notes).

    It has no state (``__slots__ = ()``), so it fits ``attrs`` frozen slotted classes
    (declare them with ``repr=False`` so that attrs keeps this ``__repr__``).
    """

    __slots__ = ()

    #: Chart name -> function of :mod:`frictionkit.plot` taking the object first.
    _charts: ClassVar[Mapping[str, str]] = {}
    #: Rows of the table shown in a notebook.
    _html_rows: ClassVar[int] = HTML_ROWS

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        missing = [m for m in ("to_frame", "_repr_body") if getattr(cls, m) is getattr(Result, m)]
        if missing:
            raise TypeError(f"result class {cls.__name__} must define {', '.join(missing)}")

    def to_frame(self) -> pd.DataFrame:
        """The result as a new DataFrame (every result class defines it)."""
        raise NotImplementedError  # pragma: no cover - __init_subclass__ requires it

    def _repr_body(self) -> str:
        raise NotImplementedError  # pragma: no cover - __init_subclass__ requires it

    def _repr_facts(self) -> Sequence[tuple[str, str]]:
        return ()

    def _repr_frame(self) -> pd.DataFrame | None:
        return self.to_frame()

    def __repr__(self) -> str:
        return one_line(type(self).__name__, self._repr_body())

    def _repr_html_(self) -> str:
        return result_html(self)

    @property
    def plot(self) -> PlotAccessor:
        """Charts of this result (needs the ``plot`` extra); ``x.plot()`` draws the first.

        Only classes that declare charts have it.
        """
        if not type(self)._charts:
            raise AttributeError(f"{type(self).__name__!r} object has no charts (no 'plot')")
        from frictionkit.plot import accessor

        return accessor(self)


def one_line(name: str, body: str) -> str:
    """``name(body)`` on one line, cut to :data:`REPR_MAX` characters.

    Examples
    --------
    >>> one_line("Plan", "optimal, 7 of 12 improvements")
    'Plan(optimal, 7 of 12 improvements)'
    >>> len(one_line("Journey", "x" * 500))
    199
    """
    text = f"{name}({' '.join(body.splitlines())})"
    if len(text) > REPR_MAX:
        text = text[: REPR_MAX - 2] + "…)"
    return text


# ---------------------------------------------------------------------------------------
# human text: the one formatter of each kind, for reprs, reports, charts and the CLI
# ---------------------------------------------------------------------------------------
_DURATION_UNITS = (("day", 86_400.0), ("hour", 3_600.0), ("minute", 60.0), ("second", 1.0))


def plural(n: float, noun: str, nouns: str | None = None) -> str:
    """``n`` and its noun in the right form: ``"1 improvement"``, ``"2 improvements"``.

    Whole numbers get thousands separators; ``nouns`` is the plural when it is not
    ``noun + "s"``.

    Examples
    --------
    >>> plural(1, "improvement"), plural(2, "improvement"), plural(0, "quick win")
    ('1 improvement', '2 improvements', '0 quick wins')
    >>> plural(12_000, "journey"), plural(2, "entry", "entries")
    ('12,000 journeys', '2 entries')
    """
    count = f"{n:,}" if isinstance(n, int) or float(n).is_integer() else f"{n:,.3g}"
    count = count.removesuffix(".0")
    word = noun if n == 1 else (nouns if nouns is not None else noun + "s")
    return f"{count} {word}"


def and_list(parts: Sequence[str]) -> str:
    """Items as a sentence lists them: ``"a"``, ``"a and b"``, ``"a, b and c"``.

    For names that may hold commas themselves (titles): "and" before the last one keeps
    the list readable.

    Examples
    --------
    >>> and_list([]), and_list(["a"]), and_list(["a", "b"]), and_list(["a", "b", "c"])
    ('', 'a', 'a and b', 'a, b and c')
    """
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def duration_text(seconds: float) -> str:
    """A duration as people say it: ``"2.4 days"``, ``"5 hours"``, ``"40 seconds"``.

    The largest unit in which it is at least 1, to two significant figures below 10
    and whole above; a missing duration is ``"–"``.

    Examples
    --------
    >>> duration_text(35_164_800)
    '407 days'
    >>> duration_text(207_360), duration_text(3_600), duration_text(90), duration_text(0.5)
    ('2.4 days', '1 hour', '1.5 minutes', '0.5 seconds')
    """
    x = float(seconds)
    if math.isnan(x):
        return "–"
    sign = "-" if x < 0 else ""
    x = abs(x)
    for unit, size in _DURATION_UNITS:
        if x >= size or unit == "second":
            v = x / size
            text = f"{v:,.0f}" if v >= 9.95 else f"{v:.2g}"
            one = text == "1"
            return f"{sign}{text} {unit}{'' if one else 's'}"
    raise AssertionError("unreachable")  # pragma: no cover


def number_text(x: float) -> str:
    """An amount in a sentence: whole units from 100 up, else three significant digits.

    Examples
    --------
    >>> number_text(89895.4), number_text(17199.7), number_text(12.25), number_text(0.7346)
    ('89,895', '17,200', '12.2', '0.735')
    """
    x = float(x)
    if math.isnan(x):
        return "–"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.3g}"


def money_text(
    amount: float, currency: str | None = None, period: str | None = None, *, digits: int = 0
) -> str:
    """Money as shown to people: thousands separators, then the currency and the period.

    Examples
    --------
    >>> money_text(47155.2, "EUR", "year")
    '47,155 EUR per year'
    >>> money_text(1500, None, "month"), money_text(8000, "EUR"), money_text(float("nan"))
    ('1,500 per month', '8,000 EUR', '–')
    """
    x = float(amount)
    if math.isnan(x):
        return "–"
    text = f"{x:,.{digits}f}"
    if currency:
        text += f" {currency}"
    if period:
        text += f" per {period}"
    return text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.4g}"
    try:
        if value is pd.NA or value is pd.NaT:
            return ""
    except TypeError:  # pragma: no cover
        pass
    return str(value)


def html_table(frame: pd.DataFrame, *, index: bool | None = None) -> str:
    """``frame`` as a plain HTML table, every header and cell escaped.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to show (all of them: cut it before).
    index : bool, optional
        Show the index; by default only when it is not a plain unnamed ``RangeIndex``.

    Returns
    -------
    str

    Examples
    --------
    >>> html_table(pd.DataFrame({"id": ["<b>"], "score": [0.5]}))
    '<table><thead><tr><th>id</th><th>score</th></tr></thead><tbody><tr><td>&lt;b&gt;</td><td>0.5</td></tr></tbody></table>'
    """
    if index is None:
        index = not (isinstance(frame.index, pd.RangeIndex) and frame.index.name is None)
    esc = html.escape
    head = [esc("" if frame.index.name is None else str(frame.index.name))] if index else []
    head += [esc(str(c)) for c in frame.columns]
    rows = []
    for key, rec in zip(frame.index, frame.itertuples(index=False, name=None), strict=True):
        cells = [f"<th>{esc(_cell(key))}</th>"] if index else []
        cells += [f"<td>{esc(_cell(v))}</td>" for v in rec]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        "<table><thead><tr>"
        + "".join(f"<th>{h}</th>" for h in head)
        + f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def result_html(obj: Result) -> str:
    """The notebook view of a result: header, facts, head of its table; all escaped.

    Parameters
    ----------
    obj : Result
        Any result object.

    Returns
    -------
    str
        ``<div class="frictionkit-result">`` with the class name and the repr's facts, the
        ``_repr_facts()`` rows, then the first ``_html_rows`` rows of ``_repr_frame()``
        and how many more there are.
    """
    esc = html.escape
    parts = [
        f'<div class="frictionkit-result"><p><strong>{esc(type(obj).__name__)}</strong> '
        f"{esc(repr(obj)[len(type(obj).__name__) :])}</p>"
    ]
    facts = obj._repr_facts()
    if facts:
        body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in facts)
        parts.append(f"<table>{body}</table>")
    frame = obj._repr_frame()
    if frame is not None:
        n = type(obj)._html_rows
        parts.append(html_table(frame.head(n)))
        more = len(frame) - n
        if more > 0:
            parts.append(f"<p>{more:,} more rows; see to_frame()</p>")
    parts.append("</div>")
    return "".join(parts)
