"""The command line: a thin layer over the public API.

``frictionkit demo`` runs the main job on the bundled example and writes its report;
``frictionkit analyse`` prints the routes, funnel and friction of an event log;
``frictionkit prioritise`` ranks a journey's improvements and plans them under a budget;
``frictionkit report`` writes the HTML report; ``frictionkit validate`` checks a journey
file and lists every problem with its line.

Exit codes: 0 success, 1 the analysis failed (an infeasible plan, a measure that could not
be computed, an unexpected error), 2 bad usage or bad input, 130 interrupted. Errors are
one readable message on standard error, without a traceback unless ``--debug`` is given;
they name the command line's flags (``--lenient``), not the Python arguments behind them
(``strict=False``): :func:`cli_words` translates, from the one table :data:`FLAGS`.
Warnings print as one line, ``warning: ...``. Options that take a list (``--success``,
``--failure``, ``--tables``, ``--capacity``) take several values, and repeating them adds
to the list (:func:`add_list_option`).

Why this module is long: it is the whole command line (its words, the commands, the
parser and the output formats), kept in one module that other commands extend in place.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shlex
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TextIO, cast

import numpy as np
import pandas as pd

from frictionkit._protocol import duration_text, plural
from frictionkit.events import FAILURE, LIFECYCLE, ON_NULL, WHEN_BOTH
from frictionkit.exceptions import (
    FrictionkitError,
    FrictionkitWarning,
    InfeasibleError,
    OptionalDependencyError,
    ValidationError,
    did_you_mean,
)
from frictionkit.privacy import DEFAULT_MIN_GROUP_SIZE

__all__ = ["build_parser", "main"]

_FORMATS = ("markdown", "csv", "json")
_ANALYSE_TABLES = ("routes", "funnel", "friction")
#: ``--session-end``: what a session without an outcome is (``EventLog.split(end=...)``).
_SESSION_ENDS = ("open", "failure")
_DEMO_SEED = 2027
_DEMO_JOURNEYS = 3000
# Excluded improvements explained exactly (one solve each), the most valuable first; the
# others get the reason that costs no solve (Plan.explain(exact_limit=...)).
_EXACT_REASONS = 3
# The XES standard column names, the defaults of read_events (also used by --engine duckdb).
_XES_COLUMNS = {
    "case_col": "case:concept:name",
    "touchpoint_col": "concept:name",
    "timestamp_col": "time:timestamp",
}


class _UsageError(FrictionkitError, ValueError):
    """Bad command-line usage found after parsing (exit code 2)."""


#: The exit codes, shown by ``frictionkit --help``.
EXIT_CODES = (
    "Exit codes: 0 success, 1 the analysis failed (an infeasible plan, a measure that could "
    "not be computed, an unexpected error), 2 bad usage or bad input (a flag, a file, a "
    "column or a value that is wrong), 130 interrupted."
)

# ---------------------------------------------------------------------------------------
# the command line's own words
# ---------------------------------------------------------------------------------------
#: Each Python argument named in a message, and the flag that sets it on the command line.
#: A command that adds a flag adds its row here, so its errors name the flag.
FLAGS: dict[str, str] = {
    "case_col": "--case-col",
    "touchpoint_col": "--touchpoint-col",
    "timestamp_col": "--timestamp-col",
    "outcome_col": "--outcome-col",
    "stage_col": "--stage-col",
    "success": "--success",
    "failure": "--failure",
    "when_both": "--when-both",
    "lifecycle_col": "--lifecycle-col",
    "lifecycle": "--lifecycle",
    "sep": "--sep",
    "encoding": "--encoding",
    "on_null": "--on-null",
    "format": "--events-format",
    "journey": "--journey",
    "engine": "--engine",
    "memory_limit": "--memory-limit",
    "min_group_size": "--min-group-size",
    "branch_threshold": "--branch-threshold",
    "gap_s": "--session-gap",
    "end": "--session-end",
    "min_support": "--min-support",
    "capacity": "--capacity",
    "budget": "--budget",
    "method": "--method",
    "value_per_success": "--value-per-success",
    "per": "--per",
    "journeys_per_period": "--journeys-per-period",
    "currency": "--currency",
}
#: Whole phrases translated before the table (a switch rather than a value).
PHRASES: dict[str, str] = {
    "strict=False": "--lenient",
    "strict=True": "no --lenient",
    "leave sep out": "leave --sep out",
}

_VALUE = r"""(?:'[^']*'|"[^"]*"|\[[^\]]*\]|\(\)|[^\s,;:)]+)"""


def _flag_value(text: str) -> str:
    """A Python value as typed after a flag: quotes kept only where the shell needs them."""
    if text.startswith("[") and text.endswith("]"):
        items = re.findall(r"'[^']*'|\"[^\"]*\"|[^,\s]+", text[1:-1])
        return " ".join(_flag_value(i) for i in items)
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        inner = text[1:-1]
        return inner if re.fullmatch(r"[\w.@%+/:-]+", inner) else text
    return text


def cli_words(text: str) -> str:
    """A library message in the command line's words: flags instead of Python arguments.

    ``name=value`` becomes ``--flag value`` (``name=`` alone ``--flag``), a bare argument
    name with an underscore becomes its flag, and :data:`PHRASES` come first.

    Examples
    --------
    >>> cli_words("Fix them, or pass on_null='drop' to leave them out")
    'Fix them, or pass --on-null drop to leave them out'
    >>> cli_words("pass strict=False to allow them; case_col='case' is not a column")
    'pass --lenient to allow them; --case-col case is not a column'
    >>> cli_words("List them in success= or failure=, e.g. success=['a b', 'c']")
    "List them in --success or --failure, e.g. --success 'a b' c"
    """
    for phrase, flag in PHRASES.items():
        text = text.replace(phrase, flag)
    names = "|".join(sorted(map(re.escape, FLAGS), key=len, reverse=True))

    def sub(m: re.Match[str]) -> str:
        flag = FLAGS[m.group(1)]
        value = m.group(2)
        return flag if not value else f"{flag} {_flag_value(value)}"

    text = re.sub(rf"(?<![\w.-])({names})=({_VALUE})?", sub, text)
    bare = "|".join(re.escape(n) for n in FLAGS if "_" in n)
    return re.sub(rf"(?<![\w.-])({bare})(?![\w=(])", lambda m: FLAGS[m.group(1)], text)


def add_list_option(group: Any, *flags: str, **kwargs: Any) -> None:
    """Add an option taking one or more values; repeating it adds to the list.

    ``--failure A B`` and ``--failure A --failure B`` both give ``["A", "B"]``.

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> add_list_option(p, "--failure", metavar="VALUE")
    >>> p.parse_args(["--failure", "A", "B", "--failure", "C"]).failure
    ['A', 'B', 'C']
    """
    group.add_argument(*flags, nargs="+", action="extend", **kwargs)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Print a warning as one plain line on standard error (no file, no line number)."""
    del category, filename, lineno, file, line
    text = " ".join(str(message).split())
    print(f"warning: {cli_words(text)}", file=sys.stderr)


# Characters that a terminal may act on rather than show: C0 controls but tab and line
# feed (ESC starts ANSI/OSC sequences that clear the screen or set the clipboard), DEL,
# C1 controls (U+009B is an 8-bit CSI), Unicode line separators and bidi controls.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def _visible(text: str) -> str:
    r"""``text`` with every control character written as an escape (``\x1b``, ``\u202e``).

    Examples
    --------
    >>> _visible("a\x1b]52;c;evil\x07b\n")
    'a\\x1b]52;c;evil\\x07b\n'
    """

    def esc(m: re.Match[str]) -> str:
        code = ord(m.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _CONTROLS.sub(esc, text)


class _Escaping(io.TextIOBase):
    """A text stream that writes control characters as visible escapes (see _visible).

    Everything the command line prints goes through it: names read from files can hold
    terminal escape sequences, which are shown, never run.
    """

    def __init__(self, raw: TextIO) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        self.raw.write(_visible(text))
        return len(text)

    def flush(self) -> None:
        self.raw.flush()

    def isatty(self) -> bool:
        return self.raw.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self.raw, "encoding", "utf-8"))


# ---------------------------------------------------------------------------------------
# loading and writing
# ---------------------------------------------------------------------------------------
def _load(path: str) -> Any:
    from frictionkit.io import load_journey, read_workbook

    p = Path(path)
    if p.is_dir() or p.suffix.lower() in {".xlsx", ".xlsm"}:
        return read_workbook(p)
    return load_journey(p)


def _money(x: float) -> str:
    return f"{x:,.0f}"


def _neutral(table: pd.DataFrame) -> pd.DataFrame:
    """A copy fit for export: no tuple columns, every text cell formula-safe."""
    from frictionkit.privacy import safe_cell

    out = table.copy()
    for col in list(out.columns):
        series = out[col]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        if pd.api.types.is_datetime64_any_dtype(series):
            out[col] = series.astype(str)
            continue
        out[col] = series.map(
            lambda v: safe_cell(", ".join(map(str, v)) if isinstance(v, tuple) else v)
        ).astype(object)
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


def _md_cell(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float):
        if abs(value) < 1e-12:
            value = 0.0
        text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    else:
        text = str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _markdown(table: pd.DataFrame, right: Sequence[bool] | None = None) -> str:
    """A Markdown table; ``right`` says which columns are right-aligned (default: numbers)."""
    cols = [str(c) for c in table.columns]
    numeric = (
        list(right)
        if right is not None
        else [pd.api.types.is_numeric_dtype(table[c]) for c in table.columns]
    )
    lines = [
        "| " + " | ".join(_md_cell(c) for c in cols) + " |",
        "|" + "|".join("---:" if n else "---" for n in numeric) + "|",
    ]
    for row in table.itertuples(index=False):
        lines.append("| " + " | ".join(_md_cell(v) for v in row) + " |")
    return "\n".join(lines)


def _emit(
    tables: Mapping[str, pd.DataFrame | _Readable],
    fmt: str,
    *,
    out_dir: str | None = None,
    stream: TextIO | None = None,
) -> None:
    """Write tables as Markdown, CSV or JSON, to ``stream`` or one file each in ``out_dir``.

    A table already made readable (:class:`_Readable`, Markdown only) is written as it is,
    with its notes under it; any other is written whole, its text cells formula-safe.
    """
    from frictionkit.privacy import write_csv

    stream = stream if stream is not None else sys.stdout
    clean = {n: _neutral(t) for n, t in tables.items() if not isinstance(t, _Readable)}
    texts = (
        {name: _markdown_text(clean.get(name, t)) for name, t in tables.items()}
        if fmt == "markdown"
        else {}
    )
    if out_dir is not None:
        folder = Path(out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        for name in tables:
            target = folder / f"{name}.{ {'markdown': 'md'}.get(fmt, fmt) }"
            if fmt == "csv":
                write_csv(clean[name], target)
            elif fmt == "json":
                target.write_text(_json(clean[name]) + "\n", encoding="utf-8")
            else:
                target.write_text(texts[name] + "\n", encoding="utf-8")
            print(f"wrote {target}", file=stream)
        return
    if fmt == "json":
        body = ",\n".join(f"  {json.dumps(name)}: {_json(t)}" for name, t in clean.items())
        print("{\n" + body + "\n}", file=stream)
        return
    for k, name in enumerate(tables):
        if k:
            print(file=stream)
        if fmt == "csv":
            if len(tables) > 1:
                print(f"# {name}", file=stream)
            clean[name].to_csv(stream, index=False, lineterminator="\n")
        else:
            print(f"## {name}\n", file=stream)
            print(texts[name], file=stream)


def _markdown_text(table: pd.DataFrame | _Readable) -> str:
    """A table (already formula-safe) in Markdown; a readable one with its notes under it."""
    if not isinstance(table, _Readable):
        return _markdown(table)
    text = _markdown(table.table, table.right)
    return "\n".join([text, "", *table.notes]) if table.notes else text


def _json(table: pd.DataFrame) -> str:
    text = table.to_json(orient="records", date_format="iso", force_ascii=False) or "[]"
    # Control characters inside strings as JSON escapes (lossless), never raw.
    return _CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# ---------------------------------------------------------------------------------------
# Markdown for people: the decision columns, figures in the units people read
# ---------------------------------------------------------------------------------------
#: A figure that does not apply (no comparison, an outcome step), as in the report.
_NA = "–"
#: A figure hidden because it rests on a small group.
_HIDDEN = "hidden"


class _Readable(NamedTuple):
    """A table as people read it: text cells, which columns are right-aligned, notes."""

    table: pd.DataFrame
    right: tuple[bool, ...]
    notes: tuple[str, ...] = ()


_Cell = Callable[[dict[str, Any]], str]


def _absent(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


def _yes(rec: Mapping[str, Any], col: str) -> bool:
    value = rec.get(col)
    return not _absent(value) and bool(value)


def _folded(rec: Mapping[str, Any]) -> bool:
    """A row standing for two groups or more (``suppressed_groups``), never by its label."""
    groups: Any = rec.get("suppressed_groups")
    return not _absent(groups) and float(groups) > 1


def _text(value: Any) -> str:
    from frictionkit.privacy import safe_cell

    return _NA if _absent(value) or value == "" else str(safe_cell(str(value)))


def _count_text(value: Any) -> str:
    return _NA if _absent(value) else f"{int(value):,}"


def _pct_text(value: Any) -> str:
    """A share in percent: one decimal, two significant figures below 1 %.

    Examples
    --------
    >>> _pct_text(0.5836), _pct_text(0.0004475), _pct_text(0.0), _pct_text(float("nan"))
    ('58.4%', '0.045%', '0.0%', '–')
    """
    if _absent(value):
        return _NA
    x = 100 * float(value)
    return f"{x:.2g}%" if 0.01 <= abs(x) < 1 else f"{x:.1f}%"


def _num1_text(value: Any) -> str:
    return _NA if _absent(value) else f"{float(value):,.1f}"


def _q_text(value: Any) -> str:
    if _absent(value):
        return _NA
    return "under 0.001" if float(value) < 0.001 else f"{float(value):.3f}"


def _estimate_text(value: Any, low: Any, high: Any, fmt: Callable[[Any], str]) -> str:
    """``"12.3 [8.1, 16.0]"``: an estimate and its 95 % interval in one cell.

    Examples
    --------
    >>> _estimate_text(0.5836, 0.5727, 0.5944, _pct_text)
    '58.4% [57.3, 59.4]'
    >>> _estimate_text(-3.726, -6.922, float("nan"), _num1_text)
    '-3.7'
    """
    if _absent(value):
        return _NA
    text = fmt(value)
    if _absent(low) or _absent(high):
        return text
    return f"{text} [{fmt(low).rstrip('%')}, {fmt(high).rstrip('%')}]"


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return cast("list[dict[str, Any]]", table.to_dict("records"))


def _count_cell(col: str) -> _Cell:
    return lambda rec: _count_text(rec[col])


def _readable(
    table: pd.DataFrame, columns: Sequence[tuple[str, _Cell, bool]], notes: Sequence[str]
) -> _Readable:
    """Cells of ``table`` by ``columns`` = [(header, cell of a row, right-aligned), ...]."""
    recs = _records(table)
    data = {header: [cell(r) for r in recs] for header, cell, _ in columns}
    frame = pd.DataFrame(data, columns=[h for h, _, _ in columns], dtype=object)
    every = [c for c in table.columns if c != "route"]  # the tuple: csv / json give its text
    shown = f"{plural(len(columns), 'column')} of {len(every)}"
    notes = [*notes, f"{shown}; --all-columns (or --format csv / json) gives every column."]
    return _Readable(frame, tuple(r for _, _, r in columns), tuple(notes))


def _folded_note(table: pd.DataFrame, what: str, rule: str, min_group_size: int) -> list[str]:
    """The line saying how many groups the folded row gathers (none without one)."""
    from frictionkit.privacy import SUPPRESSED_LABEL, folded_rows

    rows = table[folded_rows(table)]
    if not len(rows):
        return []
    groups = int(pd.to_numeric(rows["suppressed_groups"]).sum())
    return [
        f'"{SUPPRESSED_LABEL}" gathers {plural(groups, what)} {rule} fewer than '
        f"{min_group_size} journeys."
    ]


def _show_all_hint(notes: Sequence[str]) -> list[str]:
    """The notes, then how to show what they fold or hide (when they do)."""
    if not notes:
        return []
    return [*notes, "--min-group-size 1 shows them."]


def _routes_view(table: pd.DataFrame, min_group_size: int, names: Mapping[str, str]) -> _Readable:
    """The routes as people read them: counts, the success rate with its interval, share."""
    from frictionkit.routes import route_text

    def route(rec: dict[str, Any]) -> str:
        steps = rec.get("route")
        if names and isinstance(steps, tuple) and steps and not _folded(rec):
            return _text(route_text(names.get(str(t), str(t)) for t in steps))
        return _text(rec["route_text"])

    cols: list[tuple[str, _Cell, bool]] = [
        ("route", route, False),
        ("n_steps", lambda r: _NA if _folded(r) else _count_text(r["n_steps"]), True),
    ]
    counts = ["journeys", "successes", "failures", "open"]
    counts += [c for c in table.columns if c.startswith(("successes_", "failures_"))]
    cols += [(c, _count_cell(c), True) for c in counts]
    cols += [
        (
            "success_rate [95% CI]",
            lambda r: _estimate_text(
                r["success_rate"], r["success_rate_low"], r["success_rate_high"], _pct_text
            ),
            True,
        ),
        ("share", lambda r: _pct_text(r["share"]), True),
    ]
    notes = _folded_note(table, "route", "followed by", min_group_size)
    return _readable(table, cols, _show_all_hint(notes))


def _funnel_view(table: pd.DataFrame, min_group_size: int, stages: Mapping[str, str]) -> _Readable:
    """The funnel as people read it; a figure hidden for a small group says so."""

    def small(rec: dict[str, Any], col: str) -> bool:
        return _yes(rec, "suppressed") and _absent(rec.get(col))

    def reach_hidden(rec: dict[str, Any]) -> bool:
        return small(rec, "journeys")

    def step_conversion(rec: dict[str, Any]) -> str:
        main = rec.get("kind") != "branch"
        went_on = reach_hidden(rec) or (not _absent(rec["journeys"]) and rec["journeys"] > 0)
        if small(rec, "step_conversion") and main and went_on:
            return _HIDDEN
        return _pct_text(rec["step_conversion"])

    def reach(col: str, fmt: Callable[[Any], str]) -> _Cell:
        return lambda r: _HIDDEN if reach_hidden(r) and _absent(r.get(col)) else fmt(r[col])

    def drop_off_rate(rec: dict[str, Any]) -> str:
        return _HIDDEN if small(rec, "drop_off") else _pct_text(rec["drop_off_rate"])

    cols: list[tuple[str, _Cell, bool]] = []
    if "segment" in table.columns:
        cols.append(("segment", lambda r: _text(r["segment"]), False))
    cols += [
        ("stage", lambda r: _text(stages.get(str(r["stage"]), r["stage"])), False),
        ("kind", lambda r: _text(r["kind"]), False),
        ("journeys", reach("journeys", _count_text), True),
        ("step_conversion", step_conversion, True),
        (
            "drop_off",
            lambda r: _HIDDEN if small(r, "drop_off") else _count_text(r["drop_off"]),
            True,
        ),
        ("drop_off_rate", drop_off_rate, True),
    ]
    if (table["kind"] == "branch").any():

        def branch_share(rec: dict[str, Any]) -> str:
            if rec.get("kind") == "branch" and small(rec, "branch_share"):
                return _HIDDEN
            return _pct_text(rec["branch_share"])

        def went_instead(rec: dict[str, Any]) -> str:
            where = rec.get("went_instead")
            if _absent(where) or where == "":
                return _NA
            name = _text(stages.get(str(where), where))
            share = rec.get("went_instead_share")
            if where == "(end)":
                return name
            if small(rec, "went_instead_share"):
                return f"{name} ({_HIDDEN})"
            return f"{name} ({_pct_text(share)})"

        cols += [
            ("branch_share", branch_share, True),
            ("went_instead", went_instead, False),
        ]
    for c in table.columns:
        if c.startswith(("successes_", "failures_")):
            cols.append((c, reach(c, _count_text), True))
    cols.append(
        (
            "success_rate [95% CI]",
            lambda r: (
                _HIDDEN
                if reach_hidden(r) and _absent(r["success_rate"])
                else _estimate_text(
                    r["success_rate"], r["success_rate_low"], r["success_rate_high"], _pct_text
                )
            ),
            True,
        )
    )
    notes: list[str] = []
    recs = _records(table)
    n_hidden = sum(_yes(r, "suppressed") and not _folded(r) for r in recs)
    if n_hidden:
        notes.append(
            f"Hidden for privacy: figures of {plural(n_hidden, 'stage')}, which rest on a "
            f"group of fewer than {min_group_size} journeys."
        )
    notes += _folded_note(table, "segment", "of", min_group_size)
    return _readable(table, cols, _show_all_hint(notes))


def _friction_view(
    table: pd.DataFrame,
    min_group_size: int,
    names: Mapping[str, str],
    stages: Mapping[str, str],
) -> _Readable:
    """The decision columns of friction, then what a manager reads beside them.

    A verdict or figure hidden because it rests on a small group says so: the estimate
    and verdict where the comparison is small, the visitors' risk where the visitors'
    outcomes are, the comparison's risk where the journeys that skipped it are.
    """
    verdict_hidden = f"hidden: fewer than {min_group_size} journeys"

    def hidden(rec: dict[str, Any], sentinel: str) -> bool:
        # a figure is hidden when its group's count is (see hide_small_comparisons)
        return (
            _yes(rec, "suppressed")
            and not _folded(rec)
            and not _yes(rec, "outcome_step")
            and _absent(rec.get(sentinel))
        )

    def comparison(rec: dict[str, Any]) -> bool:
        return hidden(rec, "comparison_journeys")

    def rests_on(rec: dict[str, Any]) -> str:
        value = rec.get("verdict_rests_on")
        return value if isinstance(value, str) else ""

    def verdict(rec: dict[str, Any]) -> str:
        if comparison(rec):
            return verdict_hidden
        return _text(rec["verdict"]) + (" (see below)" if rests_on(rec) else "")

    def af(rec: dict[str, Any]) -> str:
        if comparison(rec):
            return _HIDDEN
        return _estimate_text(
            rec["attributable_failures"],
            rec["attributable_failures_low"],
            rec["attributable_failures_high"],
            _num1_text,
        )

    cols: list[tuple[str, _Cell, bool]] = [
        ("touchpoint", lambda r: _text(names.get(str(r["touchpoint"]), r["touchpoint"])), False)
    ]
    if "failure_kind" in table.columns:
        cols.append(("failure_kind", lambda r: _text(r["failure_kind"]), False))
    cols += [
        ("stage", lambda r: _text(stages.get(str(r["stage"]), r["stage"])), False),
        ("verdict", verdict, False),
        ("attributable_failures [95% CI]", af, True),
        ("af_q_value", lambda r: _HIDDEN if comparison(r) else _q_text(r["af_q_value"]), True),
        ("journeys", lambda r: _count_text(r["journeys"]), True),
        (
            "risk_visited",
            lambda r: _HIDDEN if hidden(r, "failures_visited") else _pct_text(r["risk_visited"]),
            True,
        ),
        (
            "risk_not_visited",
            lambda r: _HIDDEN if hidden(r, "reached_stage") else _pct_text(r["risk_not_visited"]),
            True,
        ),
        ("median_dwell", lambda r: duration_text(_float(r["median_dwell_s"])), True),
    ]
    recs = _records(table)
    n_verdicts = sum(comparison(r) for r in recs)
    n_figures = sum(_yes(r, "suppressed") and not _folded(r) and not comparison(r) for r in recs)
    parts = []
    if n_verdicts:
        parts.append(f"the verdict of {plural(n_verdicts, 'touchpoint')}")
    if n_figures:
        more = "more touchpoint" if n_verdicts else "touchpoint"
        parts.append(f"figures of {plural(n_figures, more)}")
    notes = []
    if parts:
        notes.append(
            f"Hidden for privacy: {' and '.join(parts)}, which rest on a group of fewer than "
            f"{min_group_size} journeys (its visitors, the journeys that skipped it, or its "
            "comparison)."
        )
    from frictionkit.friction._table import OUTCOME_MARKER_SHARE, count_as_steps

    for rec in recs:
        if rests_on(rec) and not comparison(rec):
            step = names.get(str(rec["touchpoint"]), rec["touchpoint"])
            markers = rests_on(rec).split(", ")
            flags = " ".join(f"--outcome-marker {shlex.quote(m)}" for m in markers)
            notes.append(
                f"{step} is friction only while "
                f"{count_as_steps(', '.join(markers), len(markers))}: at least "
                f"{OUTCOME_MARKER_SHARE:.0%} of the visitors of {', '.join(markers)} end in "
                "one outcome, so they may only record the outcome. "
                f"If {step} happens because the outcome was already decided (a reminder to "
                f"those who did not pay), declare them ({flags}) and it reads not comparable; "
                "if it causes failures (an error just before success), the verdict stands."
            )
    notes += _folded_note(table, "touchpoint", "visited by", min_group_size)
    return _readable(table, cols, _show_all_hint(notes))


def _float(value: Any) -> float:
    return float("nan") if _absent(value) else float(value)


def _analyse_views(
    tables: Mapping[str, pd.DataFrame],
    *,
    min_group_size: int,
    journey: Any = None,
    all_columns: bool = False,
) -> dict[str, pd.DataFrame | _Readable]:
    """The tables of analyse as people read them (Markdown)."""
    names = {tp.id: tp.label for tp in journey.touchpoints} if journey is not None else {}
    stages = {st.id: st.label for st in journey.stages} if journey is not None else {}
    out: dict[str, pd.DataFrame | _Readable] = {}
    for name, table in tables.items():
        view = _VIEWS[name](table, min_group_size, names, stages)
        if all_columns:
            raw = table.drop(columns=["route"], errors="ignore")
            out[name] = _Readable(_neutral(raw), _right(raw), view.notes[:-1])
        else:
            out[name] = view
    return out


def _right(table: pd.DataFrame) -> tuple[bool, ...]:
    return tuple(pd.api.types.is_numeric_dtype(table[c]) for c in table.columns)


_VIEWS: dict[str, Callable[..., _Readable]] = {
    "routes": lambda t, n, names, stages: _routes_view(t, n, names),
    "funnel": lambda t, n, names, stages: _funnel_view(t, n, stages),
    "friction": _friction_view,
    "friction_by_kind": _friction_view,
}


# ---------------------------------------------------------------------------------------
# shared options
# ---------------------------------------------------------------------------------------
def _event_options(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("event log columns (default: the XES standard names)")
    g.add_argument("--case-col", help="column of the case (customer journey) id")
    g.add_argument("--touchpoint-col", help="column of the touchpoint (activity)")
    g.add_argument("--timestamp-col", help="column of the event time")
    g.add_argument("--outcome-col", help="column whose values give the outcome")
    g.add_argument("--stage-col", help="column giving the stage of each event")
    add_list_option(
        g,
        "--success",
        metavar="VALUE",
        help="touchpoints that mean success (or values of --outcome-col); several values, "
        "or the flag repeated, add up",
    )
    add_list_option(
        g,
        "--failure",
        metavar="VALUE",
        help="touchpoints that mean failure (or values of --outcome-col); several values, "
        "or the flag repeated, add up",
    )
    for outcome in ("success", "failure"):
        add_list_option(
            g,
            f"--{outcome}-kind",
            dest=f"{outcome}_kinds",
            metavar="KIND=V1,V2",
            help=f"a kind of {outcome} and its touchpoints (or --outcome-col values), e.g. "
            + ("discharged=Discharge" if outcome == "success" else "declined=Decline,Reject")
            + "; repeat for each kind (the tables then report per kind, and analyse adds "
            "friction_by_kind)",
        )
    g.add_argument(
        "--when-both",
        choices=WHEN_BOTH,
        help="the outcome of a journey with both success and failure events: the first "
        "reached (default), the last, or the named one whenever present",
    )
    g.add_argument(
        "--lenient",
        action="store_true",
        help="unknown outcome values mean no outcome (an outcome value that matches nothing "
        "is a warning); touchpoints missing from the journey get the stage 'unmapped'; "
        "prioritise and report: an improvement without any impact is ranked with its impact "
        "blank and planned as worth 0 (default: all are errors)",
    )
    g.add_argument(
        "--on-null",
        choices=ON_NULL,
        help="rows missing a case id, touchpoint or timestamp: an error (raise, the "
        "default) or left out with a warning (drop)",
    )
    g.add_argument(
        "--lifecycle-col",
        metavar="COLUMN",
        help="column giving each event's lifecycle (schedule/start/complete); default: "
        "'lifecycle:transition' when the file has it",
    )
    g.add_argument(
        "--lifecycle",
        choices=LIFECYCLE,
        help="with a lifecycle column: keep the complete events (complete, the default), "
        "also measure service and waiting time (start_complete), use activity+lifecycle "
        "as the touchpoint (touchpoint), or keep every event (all)",
    )
    g.add_argument(
        "--sep",
        type=_sep,
        metavar="CHAR",
        help="CSV delimiter, e.g. ';', '|' or tab (default: detected from the file)",
    )
    g.add_argument(
        "--encoding", metavar="NAME", help="CSV text encoding, e.g. latin-1 (default: UTF-8)"
    )
    g.add_argument(
        "--events-format",
        choices=("csv", "parquet", "xes"),
        help="the event log's format when its suffix does not tell",
    )
    g.add_argument(
        "--engine",
        choices=("pandas", "duckdb"),
        default="pandas",
        help="where the evidence step runs: in memory (pandas), or out of core in DuckDB "
        "for logs larger than memory (.parquet or .csv; needs frictionkit[duckdb])",
    )
    g.add_argument(
        "--memory-limit",
        metavar="SIZE",
        help="with --engine duckdb: its memory limit, e.g. 2GB (beyond it, it spills to disk)",
    )
    # friction: repeat a flag for several names
    g.add_argument("--outcome-marker", dest="outcome_markers", action="append", metavar="NAME",
                   help="friction: a touchpoint that records the outcome, not a cause")  # fmt: skip
    g.add_argument("--adjust-for", dest="adjust_for", action="append", metavar="COL",
                   help="friction: a case-level column to adjust for (per case)")  # fmt: skip


def _sep(value: str) -> str:
    r"""A delimiter as typed: ``\t`` or ``tab`` mean a tab."""
    if value.lower() in {"\\t", "tab"}:
        return "\t"
    if len(value) != 1:
        raise argparse.ArgumentTypeError(f"must be one character (or tab), got {value!r}")
    return value


_LOG_OPTIONS = (
    "case_col",
    "touchpoint_col",
    "timestamp_col",
    "outcome_col",
    "stage_col",
    "when_both",
    "on_null",
    "lifecycle_col",
    "lifecycle",
)
_FILE_OPTIONS = {"sep": "sep", "encoding": "encoding", "events_format": "format"}


def _read_log(args: argparse.Namespace, path: str, journey: Any = None) -> Any:
    log = _read_events(args, path, journey)
    _check_outcomes(args, log)
    return _sessions(args, log)


def _sessions(args: argparse.Namespace, log: Any) -> Any:
    """The log split into sessions by ``--session-gap`` / ``--session-end`` (when given)."""
    gap_s = getattr(args, "session_gap", None)
    end = getattr(args, "session_end", None)
    if gap_s is None and end is None:
        return log
    return log.split(gap_s=gap_s, end=end or "open")


def _kinds_arg(items: Sequence[str] | None, outcome: str) -> dict[str, list[str]]:
    """``--failure-kind declined=Decline,Reject`` entries as a mapping of kind to values.

    Examples
    --------
    >>> _kinds_arg(["declined=Decline,Reject", "cancelled=Cancel"], "failure")
    {'declined': ['Decline', 'Reject'], 'cancelled': ['Cancel']}
    """
    out: dict[str, list[str]] = {}
    for item in items or ():
        name, eq, values = item.partition("=")
        listed = [v.strip() for v in values.split(",") if v.strip()]
        if not eq or not name.strip() or not listed:
            raise _UsageError(
                f"--{outcome}-kind must be KIND=VALUE[,VALUE...], got {item!r}",
                field=f"--{outcome}-kind",
                value=item,
                hint=f"e.g. --{outcome}-kind declined=Decline,Reject",
            )
        out.setdefault(name.strip(), []).extend(listed)
    return out


def _outcome_values(args: argparse.Namespace, outcome: str) -> list[str]:
    """The values given for an outcome, plain and of every kind."""
    values = list(getattr(args, outcome) or [])
    for vals in _kinds_arg(getattr(args, f"{outcome}_kinds", None), outcome).values():
        values.extend(vals)
    return values


def _check_outcomes(args: argparse.Namespace, log: Any) -> None:
    """An outcome value that matches nothing: an error, or with --lenient a warning."""
    problems: list[str] = []
    counts = log.outcome_counts
    for kind in ("success", "failure"):
        values = _outcome_values(args, kind)
        if not values:
            continue
        if args.outcome_col is None:
            missing = [v for v in values if v not in set(log.touchpoints)]
            if missing:
                problems.append(
                    f"--{kind} {' '.join(map(repr, missing))}: no such touchpoint in the log"
                    + did_you_mean(missing[0], log.touchpoints)
                )
        elif counts[kind] == 0:
            problems.append(
                f"--{kind} {' '.join(map(repr, values))}: no value of --outcome-col "
                f"{args.outcome_col!r} matches, so no journey is a {kind}"
            )
        else:
            kinds = _kinds_arg(getattr(args, f"{kind}_kinds", None), kind)
            for name, vals in kinds.items():
                if log.kind_counts.get(name, 0) == 0:
                    problems.append(
                        f"--{kind}-kind {name}={','.join(vals)}: no value of --outcome-col "
                        f"{args.outcome_col!r} matches, so no journey is {name!r}"
                    )
    for text in problems:
        if not args.lenient:
            raise _UsageError(
                text,
                field=f"--{text.split()[0][2:]}",
                hint="Check the spelling (values are compared exactly), or pass --lenient "
                "to go on without them",
            )
        print(f"warning: {text}; every such journey stays open", file=sys.stderr)


def _read_events(args: argparse.Namespace, path: str, journey: Any = None) -> Any:
    from frictionkit.events import read_events

    opts: dict[str, Any] = {}
    for name in _LOG_OPTIONS:
        value = getattr(args, name)
        if value is not None:
            opts[name] = value
    for name in ("success", "failure"):
        values = getattr(args, name)
        kinds = _kinds_arg(getattr(args, f"{name}_kinds", None), name)
        if kinds:
            if values:  # plain values beside named kinds: a kind named after the outcome
                kinds = {name: list(values), **kinds}
            opts[name] = kinds
        elif values:
            opts[name] = values[0] if len(values) == 1 else list(values)
    if journey is not None:
        opts["journey"] = journey
    if getattr(args, "adjust_for", None):
        opts["case_cols"] = list(dict.fromkeys(args.adjust_for))
    if args.lenient:
        opts["strict"] = False
    p = Path(path)
    if not p.is_file():
        raise _UsageError(f"no event log at {path!r}", field="EVENTS", value=path)
    file_opts = {
        keyword: getattr(args, name)
        for name, keyword in _FILE_OPTIONS.items()
        if getattr(args, name) is not None
    }
    if args.engine == "pandas":
        if args.memory_limit is not None:
            raise _UsageError("--memory-limit applies to --engine duckdb", field="--memory-limit")
        return read_events(p, **opts, **file_opts)
    if file_opts:
        flags = ", ".join(f"--{n.replace('_', '-')}" for n in _FILE_OPTIONS if getattr(args, n))
        raise _UsageError(
            f"{flags} apply to --engine pandas (DuckDB detects the CSV dialect itself)",
            field="--engine",
            value=args.engine,
        )
    from frictionkit.events import EventLog

    for name, default in _XES_COLUMNS.items():
        opts.setdefault(name, default)
    options = {} if args.memory_limit is None else {"memory_limit": args.memory_limit}
    return EventLog.scan(str(p), engine=args.engine, engine_options=options, **opts)


def _min_group_size(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _capacity(items: Sequence[str] | None) -> dict[str, float] | None:
    if not items:
        return None
    out: dict[str, float] = {}
    for item in items:
        owner, sep, days = item.partition("=")
        try:
            value = float(days)
        except ValueError:
            value = float("nan")
        if not sep or not owner or value != value or value < 0:
            raise _UsageError(
                f"--capacity expects OWNER=DAYS with days >= 0, got {item!r}",
                field="--capacity",
                value=item,
                hint="For example: --capacity it=60 sales=30",
            )
        out[owner] = value
    return out


# ---------------------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------------------
class _Progress:
    """A progress bar on standard error for long commands, only on a terminal.

    Quiet when standard error is not a terminal (pipes, CI, logs) or tqdm (the
    ``progress`` extra) is not installed.
    """

    def __init__(self, total: int, desc: str) -> None:
        self._bar: Any = None
        if sys.stderr.isatty():
            try:
                from tqdm import tqdm
            except ImportError:
                return
            raw = getattr(sys.stderr, "raw", sys.stderr)
            self._bar = tqdm(total=total, desc=desc, file=raw, leave=False)

    def step(self, what: str) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(what)
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _demo_log(journey: Any, n: int, seed: int) -> tuple[Any, pd.DataFrame]:
    """The demo's event log and simulated events, for the callers of this old helper.

    The scenario lives in :func:`frictionkit.datasets.demo_scenario` now (always on the
    bundled autoparts journey, which ``journey`` must be).
    """
    from frictionkit.datasets import demo_scenario

    demo = demo_scenario(journeys=n, seed=seed)
    if journey != demo.journey:
        raise _UsageError("the demo scenario runs on the bundled autoparts journey")
    return demo.log, demo.events


def _cmd_demo(args: argparse.Namespace) -> int:
    from frictionkit.datasets import autoparts_path, demo_scenario

    progress = _Progress(2, "frictionkit demo")
    demo = demo_scenario(
        journeys=args.journeys, seed=args.seed, budget=args.budget, start=args.start
    )
    progress.step("scenario")
    journey, log = demo.journey, demo.log
    # touchpoints and owners by their labels, as in the report (the ids stay the handles
    # of the improvements: the quick wins and the plan give their titles)
    places = {tp.id: tp.label for tp in journey.touchpoints}
    owners = {ow.id: ow.label for ow in journey.owners}
    print(f"Bundled example: {autoparts_path().name} (illustrative figures)")
    print(journey.summary())

    print(f"\n0. Evidence: a simulated event log (seed {demo.seed}) over the touchpoints:")
    print(f"  {log!r}")
    csat = demo.feedback.scores(by=("metric",), include_empty=False)
    for rec in csat.to_dict("records"):
        print(
            f"  survey: {str(rec['metric']).upper()} {rec['value']:.0%} satisfied "
            f"({rec['n']:,} simulated answers)"
        )
    fr = log.friction(outcome_markers=demo.outcome_markers)
    top = fr[fr["verdict"] == "friction"].head(3)  # only significant, comparable estimates
    for row in top.itertuples():
        print(
            f"  friction: {places.get(str(row.touchpoint), str(row.touchpoint)):<20} "
            f"{row.attributable_failures:7.1f} attributable "
            f"failures (95% CI {row.attributable_failures_low:.1f} to "
            f"{row.attributable_failures_high:.1f}), q {row.af_q_value:.2g}"
        )
    if not len(top):
        print("  friction: no touchpoint with a significant, comparable estimate")

    ranking = demo.ranking
    print("\n1. Ranking by value per cost (impact per year / cost):")
    table = ranking.to_frame()
    for row in table.itertuples():
        must = "  (must-do)" if row.mandatory else ""
        print(
            f"  {row.rank:>2}. {row.id:<24} {owners.get(str(row.owner), str(row.owner)):<17} "
            f"score {row.score:>8.2f}  "
            f"{row.quadrant}{must}"
        )
    wins = ranking.quick_wins()
    print("\n2. Quick wins (high impact, low effort), each with its owner:\n")
    shown = wins[["rank", "id", "owner", "title", "impact", "effort_days", "cost"]]
    print(_markdown(shown.assign(owner=[owners.get(o, o) for o in shown["owner"]])))

    plan = demo.plan
    print(f"\n3. Best plan within a budget of {_money(demo.budget)} and each owner's capacity:")
    print(f"  {plan!r}")
    for imp_id in plan.selected:
        imp = journey.improvement(imp_id)
        print(f"  + {imp_id:<24} {owners.get(imp.owner, imp.owner):<17} {imp.title}")
    for imp in journey.improvements:
        if imp.id not in plan.selected:
            print(f"  - {plan.why_not(imp.id, owner_labels=owners)}")

    waves = demo.roadmap
    print(f"\n4. Roadmap in {demo.period_days}-working-day waves from {demo.start}:")
    for rec in waves.to_dict("records"):
        start, end = (pd.Timestamp(rec[k]).date() for k in ("start", "end"))
        print(
            f"  wave {rec['wave']}-{rec['end_wave']}  {start} .. {end}  {rec['id']:<24} "
            f"{owners.get(rec['owner'], rec['owner'])}"
        )

    from frictionkit.report import report

    target = Path(args.out) / "report.html"
    try:
        page = report(
            journey,
            log,
            demo.feedback,
            ranking=ranking,
            plan=plan,
            roadmap=waves,
            title="Autoparts B2B supplier: demo report",
            figures=not args.no_figures,
            outcome_markers=demo.outcome_markers,
        )
    except OptionalDependencyError as err:
        progress.close()
        print(f"\n5. Report not written: {err}")
        return 0
    progress.step("report")
    progress.close()
    page.save(target)
    print(f"\n5. Report written to {target}")
    return 0


def _cmd_analyse(args: argparse.Namespace) -> int:
    journey = _load(args.journey) if args.journey else None
    log = _read_log(args, args.events, journey)
    wanted = args.tables or list(_ANALYSE_TABLES)
    tables: dict[str, pd.DataFrame] = {}
    code = 0
    for name in wanted:
        if name == "routes":
            routes = log.routes(min_group_size=args.min_group_size)
            # the folded row's length is unknown: blank, never the -1 of the table
            steps = routes["n_steps"].astype("Int64")
            tables["routes"] = routes.assign(n_steps=steps.mask(steps < 0))
        elif name == "funnel":
            tables["funnel"] = log.funnel(
                min_group_size=args.min_group_size, branch_threshold=args.branch_threshold
            )
        else:
            try:
                tables["friction"] = log.friction(
                    min_support=args.min_support, min_group_size=args.min_group_size,
                    outcome_markers=args.outcome_markers, adjust_for=args.adjust_for,
                )  # fmt: skip
            except ValidationError as err:
                print(f"error: friction not computed: {cli_words(str(err))}", file=sys.stderr)
                code = 1
                continue
            code = max(code, _friction_per_kind(args, log, tables))
    shown: dict[str, pd.DataFrame | _Readable]
    if args.format == "markdown":  # for people: the decision columns, readable units
        shown = _analyse_views(
            tables,
            min_group_size=args.min_group_size,
            journey=journey,
            all_columns=args.all_columns,
        )
    else:  # for machines: every column, as the library returns it (route as its text)
        shown = {n: t.drop(columns=["route"]) if n == "routes" else t for n, t in tables.items()}
    _emit(shown, args.format, out_dir=args.out)
    return code


def _friction_per_kind(args: argparse.Namespace, log: Any, tables: dict[str, pd.DataFrame]) -> int:
    """With several failure kinds, the friction of each kind (table ``friction_by_kind``)."""
    from frictionkit.friction import friction_by_kind

    if list(log.kind_outcome).count(FAILURE) < 2:
        return 0
    try:
        tables["friction_by_kind"] = friction_by_kind(
            log, min_support=args.min_support, min_group_size=args.min_group_size,
            outcome_markers=args.outcome_markers, adjust_for=args.adjust_for,
        )  # fmt: skip
    except ValidationError as err:
        print(f"error: friction per kind not computed: {cli_words(str(err))}", file=sys.stderr)
        return 1
    return 0


def _share(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {value!r}") from None
    if not 0.0 <= x <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a share between 0 and 1, got {value}")
    return x


def _funnel_options(parser: argparse.ArgumentParser) -> None:
    """``--branch-threshold`` and the session options of ``analyse`` and ``report``."""
    g = parser.add_argument_group("funnel and sessions")
    g.add_argument(
        "--branch-threshold",
        type=_share,
        default=0.5,
        metavar="SHARE",
        help="a stage passed by fewer than this share of the journeys going further is a "
        "branch (default 0.5; 0 makes every stage main)",
    )
    g.add_argument(
        "--session-gap",
        type=_non_negative,
        metavar="SECONDS",
        help="split each case into sessions at gaps longer than this many seconds, "
        "before analysing",
    )
    g.add_argument(
        "--session-end",
        choices=_SESSION_ENDS,
        help="what a session (or journey) ending without an outcome is: open (default) "
        "or failure (e.g. a clickstream session without a purchase)",
    )


def _value_options(parser: argparse.ArgumentParser) -> None:
    """The flags that value the evidence: money per success, per period, in a currency."""
    from frictionkit.model import PERIODS

    g = parser.add_argument_group(
        "value from the event log (impact = value at stake of what an improvement fixes)"
    )
    g.add_argument(
        "--value-per-success",
        type=_non_negative,
        metavar="MONEY",
        help="money one more successful journey brings (default: the mean journey value "
        "of the log's successful journeys, when it has a value column)",
    )
    g.add_argument(
        "--per",
        choices=list(PERIODS),
        help="the period value is counted per (default: the journey's period, else year)",
    )
    g.add_argument(
        "--journeys-per-period",
        type=_non_negative,
        metavar="N",
        help="journeys per period when the log is a sample (default: the log holds every "
        "journey from its first to its last event)",
    )
    g.add_argument(
        "--currency", metavar="CODE", help="currency shown with money (default: the journey's)"
    )


def _non_negative(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {value!r}") from None
    if not x >= 0 or x == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {value!r}")
    return x


def _inputs(args: argparse.Namespace) -> tuple[str, str | None]:
    """The journey file and the event log: ``JOURNEY``, or ``EVENTS JOURNEY``, or --events."""
    first, second = args.first, args.second
    if second is None:
        return first, args.events
    if args.events is not None:
        raise _UsageError(
            "the event log is given twice: as EVENTS and as --events",
            field="--events",
            value=args.events,
            hint="Give it once: 'EVENTS JOURNEY' or 'JOURNEY --events EVENTS'",
        )
    return second, first


def _rank(args: argparse.Namespace, journey: Any, log: Any) -> Any:
    """The ranking: evidence-based with an event log; missing impact per --lenient.

    An improvement without any impact (no declared figure, no measured value at stake for
    what it fixes, not mandatory) is an error naming it (exit 2), in ``prioritise`` and
    ``report`` alike, with or without ``--budget``; with ``--lenient`` it is a warning, the
    improvement is ranked with its impact blank and planned as worth 0.
    """
    from frictionkit.exceptions import MissingImpactWarning
    from frictionkit.scoring import prioritise

    value_flags = {
        name: getattr(args, name)
        for name in ("value_per_success", "per", "journeys_per_period")
        if getattr(args, name) is not None
    }
    if log is None and value_flags:
        flags = ", ".join(FLAGS[name] for name in value_flags)
        raise _UsageError(
            f"{flags} value an event log, and none is given",
            field=FLAGS[next(iter(value_flags))],
            hint="Give the event log: 'EVENTS JOURNEY' or --events FILE",
        )
    if log is not None and args.value_per_success is None and not _has_values(log):
        declared = all(i.impact is not None or i.mandatory for i in journey.improvements)
        if not declared or value_flags:
            raise _UsageError(
                "the event log gives no value to its successful journeys, so the value at "
                "stake cannot be counted in money",
                field="--value-per-success",
                hint="Give --value-per-success (the money one more successful journey brings)",
            )
        # every improvement declares its impact: rank on those, and say so (never silently)
        print(
            "note: ranked on the journey's declared impacts; give --value-per-success to "
            "value the pain points from the event log",
            file=sys.stderr,
        )
        log = None
    options: dict[str, Any] = {"method": args.method}
    if args.currency is not None:
        options["currency"] = args.currency
    if log is not None:
        options.update(evidence=log, **value_flags)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingImpactWarning)
        ranking = prioritise(journey, **options)
    t = ranking.table
    missing = t.loc[(t["impact_source"] == "missing") & ~t["mandatory"].astype(bool), "id"]
    if len(missing):
        ids = ", ".join(repr(str(i)) for i in missing)
        what = (
            f"{plural(len(missing), 'improvement')} without any impact (no declared impact "
            f"and no value at stake for the pain points {_it_fixes(len(missing))}): {ids}"
        )
        if not args.lenient:
            raise _UsageError(
                what,
                field="impact",
                value=list(map(str, missing)),
                hint=f"Give {'it' if len(missing) == 1 else 'them'} an impact or pain points "
                "the event log values, make it mandatory, or pass --lenient to rank them "
                "with no impact and plan them as worth 0",
            )
        print(f"warning: {what}; ranked with no impact, planned as worth 0", file=sys.stderr)
    return ranking


def _has_values(log: Any) -> bool:
    """Whether some journey of the log has a value (its value column)."""
    values = getattr(log, "journey_value", None)
    if values is None:
        return False
    return bool(np.isfinite(np.asarray(values, dtype=np.float64)).any())


def _it_fixes(n: int) -> str:
    return "it fixes" if n == 1 else "they fix"


def _plan(args: argparse.Namespace, ranking: Any) -> Any:
    """The plan of the ranking under --budget / --capacity, or None."""
    from frictionkit.portfolio import optimise_portfolio

    capacity = _capacity(args.capacity)
    if args.budget is None and capacity is None:
        return None
    return optimise_portfolio(
        ranking, budget=args.budget, capacity=capacity, objective=_objective(ranking)
    )


def _objective(ranking: Any) -> Any:
    """The ranking's own impact ("value"), or with a missing impact (--lenient) 0 for it."""
    t = ranking.table
    if not (t["impact_source"] == "missing").any():
        return "value"
    impact = t["impact"].where(t["impact_source"] != "missing", 0.0)
    return pd.Series(
        impact.to_numpy(dtype=float),
        index=t["id"].astype(str),
        name="impact (a missing impact counts as 0 with --lenient)",
    )


def _unit(ranking: Any) -> str:
    """The unit of impact and value: 'EUR per year', 'money per year', 'EUR'..."""
    period = f" per {ranking.period}" if ranking.period else ""
    return f"{ranking.currency or 'money'}{period}"


def _money_in(x: float, ranking: Any) -> str:
    """Money as shown in the CLI's lines: thousands separators, currency and period."""
    if ranking.currency is None:
        return f"{x:,.0f}" + (f" per {ranking.period}" if ranking.period else "")
    return f"{x:,.0f} {_unit(ranking)}"


def _ranking_table(ranking: Any) -> pd.DataFrame:
    cols = ["rank", "id", "title", "owner", "quadrant", "score", "impact"]
    shown = ranking.to_frame()
    # a missing impact (scored 0) is shown blank, never as 0
    shown["impact"] = shown["impact"].where(shown["impact_source"] != "missing")
    if "impact_low" in shown.columns:
        cols += ["impact_low", "impact_high"]
    cols += ["impact_source", "effort_days", "cost", "non_dominated"]
    out: pd.DataFrame = shown[cols].sort_values("rank", kind="stable")
    return out.reset_index(drop=True)


def _chain_tables(ranking: Any, plan: Any) -> dict[str, pd.DataFrame]:
    """The ranking, quick wins and, with a plan, the plan, frontier and roadmap."""
    from frictionkit.portfolio import frontier
    from frictionkit.roadmap import roadmap

    tables: dict[str, pd.DataFrame] = {
        "ranking": _ranking_table(ranking),
        "quick_wins": ranking.quick_wins(),
    }
    if plan is not None:
        tables["plan"] = _with_interval(plan.to_frame(), ranking)
        tables["frontier"] = frontier(ranking, objective=_objective(ranking))
        tables["roadmap"] = _with_interval(roadmap(plan), ranking)
    return tables


def _with_interval(table: pd.DataFrame, ranking: Any) -> pd.DataFrame:
    """``table`` with the ranking's ``value_low`` / ``value_high`` after ``value``, if any."""
    if "impact_low" not in ranking.table.columns:
        return table
    by_id = ranking.table.set_index(ranking.table["id"].astype(str))
    out = table.copy()
    at = list(out.columns).index("value") + 1
    for k, (name, col) in enumerate((("value_low", "impact_low"), ("value_high", "impact_high"))):
        out.insert(at + k, name, out["id"].astype(str).map(by_id[col]).to_numpy(dtype=float))
    return out


def _cmd_prioritise(args: argparse.Namespace) -> int:
    journey_path, events = _inputs(args)
    journey = _load(journey_path)
    log = _read_log(args, events, journey) if events else None
    ranking = _rank(args, journey, log)
    plan = _plan(args, ranking)
    tables = _chain_tables(ranking, plan)
    if args.format == "markdown":
        source = "measured on the event log" if log is not None else "as declared"
        wins = len(tables["quick_wins"])
        cost = f", cost in {ranking.currency}" if ranking.currency else ""
        interval = " (its 95 % interval in brackets)" if log is not None else ""
        print(
            f"Ranking by {ranking.label}; quick wins: {wins}. Impact and value in "
            f"{_unit(ranking)}{cost}; impact {source}{interval}.\n"
        )
    owners = {ow.id: ow.label for ow in journey.owners}
    _emit(_prioritise_views(tables, owners) if args.format == "markdown" else tables, args.format)
    if plan is not None and args.format == "markdown":
        print(f"\n{plan!r}")
        print(
            f"Value of the plan: {_money_in(plan.value, ranking)}; cost "
            f"{plan.cost:,.0f}{' ' + ranking.currency if ranking.currency else ''}."
        )
        # owners by label, as in the tables
        reasons = plan.explain(exact_limit=_EXACT_REASONS, owner_labels=owners)
        for reason in reasons.loc[~reasons["selected"], "reason"]:
            print(f"- {reason}")
    return 0


def _prioritise_views(
    tables: Mapping[str, pd.DataFrame], owners: Mapping[str, str]
) -> dict[str, pd.DataFrame | _Readable]:
    """The tables of prioritise as people read them (Markdown).

    Owners by their labels (as the demo and the report show them), and an evidence-based
    impact or value with its 95 % interval in one cell (``"91,357 [0, 205,806]"``); a
    missing impact stays blank. CSV and JSON keep every column as it is.
    """

    def money(value: Any) -> str:
        return "" if _absent(value) else f"{float(value):,.0f}"

    out: dict[str, pd.DataFrame | _Readable] = {}
    for name, table in tables.items():
        t = table.copy()
        if "owner" in t.columns:
            t["owner"] = [o if _absent(o) else owners.get(str(o), o) for o in t["owner"]]
        t = _neutral(t)
        right = dict(zip(t.columns, _right(t), strict=True))
        for col in ("impact", "value"):
            low, high = f"{col}_low", f"{col}_high"
            if low not in t.columns or high not in t.columns:
                continue
            merged = f"{col} [95% CI]"
            cells = [
                "" if _absent(v) else _estimate_text(v, lo, hi, money)
                for v, lo, hi in zip(t[col], t[low], t[high], strict=True)
            ]
            at = list(t.columns).index(col)
            t = t.drop(columns=[col, low, high])
            t.insert(at, merged, pd.Series(cells, index=t.index, dtype=object))
            right[merged] = True
        notes: tuple[str, ...] = ()
        if (
            name == "roadmap"
            and len(t)
            and not pd.api.types.is_datetime64_any_dtype(table["start"])
        ):
            notes = ("start and end: working days from the first day of wave 1 (day 0).",)
        out[name] = _Readable(t, tuple(right[c] for c in t.columns), notes)
    return out


def _read_feedback(args: argparse.Namespace, journey: Any) -> Any:
    from frictionkit.feedback import Feedback

    p = Path(args.feedback)
    if not p.is_file():
        raise _UsageError(f"no feedback file at {args.feedback!r}", field="--feedback")
    frame = _read_feedback_csv(p)
    links: dict[str, Any] = {}
    for opt, default in (("touchpoint", "touchpoint"), ("case", "case_id"), ("stage", "stage")):
        given = getattr(args, f"feedback_{opt}_col")
        if given is not None:
            links[f"{opt}_col"] = given
        elif default in frame.columns:
            links[f"{opt}_col"] = default
    return Feedback.from_frame(
        frame,
        metric_col=args.metric_col,
        score_col=args.score_col,
        journey=journey,
        **links,
    )


def _read_feedback_csv(p: Path) -> pd.DataFrame:
    """A survey CSV read as text, exactly as typed: a case id ``NA`` stays ``NA``."""
    from frictionkit.exceptions import SchemaError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame: pd.DataFrame = pd.read_csv(
                p, dtype=str, encoding="utf-8-sig", keep_default_na=False, na_filter=False,
                index_col=False,
            )  # fmt: skip
            return frame
    except pd.errors.EmptyDataError:
        what, hint = "is empty", "It needs a header row and one row per answer"
    except UnicodeDecodeError as err:
        what = f"is not UTF-8 text: {err.reason} at byte {err.start}"
        hint = "Save it as 'CSV UTF-8' (Excel) or re-encode it to UTF-8"
    except pd.errors.ParserWarning:
        what = "has a row with more cells than the header"
        hint = "Remove the extra cells (often a trailing comma) or add the column names"
    except (pd.errors.ParserError, ValueError) as err:
        what = f"cannot be read as CSV: {str(err).strip()}"
        hint = "Check quotes and separators (a comma between cells)"
    raise SchemaError(
        f"the feedback file {p.name} {what}", field="--feedback", value=str(p), hint=hint
    )


def _cmd_report(args: argparse.Namespace) -> int:
    from frictionkit.portfolio import frontier
    from frictionkit.report import report
    from frictionkit.roadmap import roadmap

    journey_path, events = _inputs(args)
    journey = _load(journey_path)
    log = _read_log(args, events, journey) if events else None
    feedback = _read_feedback(args, journey) if args.feedback else None
    ranking = _rank(args, journey, log) if journey.improvements else None
    if ranking is None and (args.budget is not None or args.capacity):
        raise _UsageError(
            "--budget and --capacity plan improvements, and the journey has none",
            field="--budget",
        )
    plan = _plan(args, ranking) if ranking is not None else None
    waves = roadmap(plan) if plan is not None else None
    page = report(
        journey,
        log,
        feedback,
        ranking=ranking,
        plan=plan,
        roadmap=waves,
        title=args.title,
        min_group_size=args.min_group_size,
        figures=not args.no_figures,
        outcome_markers=args.outcome_markers,
        adjust_for=args.adjust_for,
        branch_threshold=args.branch_threshold,
    )
    target = page.save(args.output)
    print(f"Report written to {target}")
    if ranking is not None:
        top = ranking.table.iloc[0]
        print(
            f"Ranking by {ranking.label}: first {top['id']} "
            f"(impact {_money_in(float(top['impact']), ranking)})"
        )
    if plan is not None and ranking is not None:
        curve = frontier(ranking, objective=_objective(ranking))
        print(
            f"Plan: {plural(len(plan.selected), 'improvement')}, value "
            f"{_money_in(plan.value, ranking)}, cost {plan.cost:,.0f}"
            f"{' ' + ranking.currency if ranking.currency else ''}; "
            f"{plural(len(curve), 'point')} on the frontier; "
            f"{plural(len(waves), 'roadmap row') if waves is not None else ''}"
        )
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    path = Path(args.path)
    try:
        journey = _load(args.path)
    except FrictionkitError as err:
        if args.debug:
            raise
        problems = [err, *err.problems]
        for problem in problems:
            where = problem.line  # journey files: the line of each problem, when known
            text = problem.message
            prefix = f"{path.name}: "
            if text.startswith(prefix):
                text = text[len(prefix) :]
            if problem.hint:
                text = (
                    f"{text}. {problem.hint}"
                    if not text.endswith(".")
                    else f"{text} {problem.hint}"
                )
            place = f"{path.name}:{where}" if where else path.name
            print(f"error: {place}: {text}", file=sys.stderr)
        if len(problems) > 1:
            print(f"{path.name}: {len(problems)} problems", file=sys.stderr)
        return 2
    print(journey.summary())
    return 0


# ---------------------------------------------------------------------------------------
# the parser
# ---------------------------------------------------------------------------------------
def _positionals(parser: argparse.ArgumentParser) -> None:
    """``JOURNEY`` alone, or ``EVENTS JOURNEY`` (the event log first, as in analyse)."""
    parser.add_argument(
        "first",
        metavar="[EVENTS] JOURNEY",
        help="the journey file (YAML/JSON, CSV folder or .xlsx), after the event log when "
        "one is given (the same as --events EVENTS)",
    )
    parser.add_argument("second", nargs="?", help=argparse.SUPPRESS)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests).

    Examples
    --------
    >>> build_parser().parse_args(["validate", "journey.yaml"]).path
    'journey.yaml'
    """
    from frictionkit.scoring import METHODS

    parser = argparse.ArgumentParser(
        prog="frictionkit",
        description="Turn a customer journey into a ranked, budgeted list of fixes.",
        epilog=EXIT_CODES,
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="run the main job on the bundled autoparts example and write its report",
        description="Evidence (a simulated event log), ranking, plan, roadmap and report "
        "for the bundled autoparts journey.",
    )
    demo.add_argument(
        "--budget", type=float, default=150_000.0, help="budget for the plan (EUR, default 150,000)"
    )
    demo.add_argument("--start", default="2027-01-04", help="first day of the roadmap")
    demo.add_argument(
        "--out",
        default="frictionkit-demo",
        help="folder of the report (default ./frictionkit-demo)",
    )
    demo.add_argument(
        "--journeys", type=_min_group_size, default=_DEMO_JOURNEYS, help="simulated journeys"
    )
    demo.add_argument("--seed", type=int, default=_DEMO_SEED, help="seed of the simulation")
    demo.add_argument("--no-figures", action="store_true", help="tables only in the report")
    demo.set_defaults(func=_cmd_demo)

    analyse = sub.add_parser(
        "analyse",
        aliases=["analyze"],
        help="routes, funnel and friction tables of an event log",
        description="Routes, funnel and friction of an event log (CSV, Parquet or XES). "
        "Routes and touchpoints of fewer than --min-group-size journeys are folded into "
        "one 'other (suppressed)' row, and figures resting on fewer are hidden (Markdown "
        "marks them 'hidden' and says how many, under each table). Markdown shows the "
        "decision columns (friction: touchpoint, stage, verdict, attributable failures "
        "with their 95%% interval, q-value, journeys, risk of visitors and of the others, "
        "median dwell); --all-columns or --format csv / json give every column.",
    )
    analyse.add_argument("events", metavar="EVENTS", help="event log file (.csv, .parquet, .xes)")
    _event_options(analyse)
    analyse.add_argument("--journey", metavar="FILE", help="journey map giving stages")
    analyse.add_argument(
        "--format",
        choices=_FORMATS,
        default="markdown",
        help="output format: markdown (default, for people: the decision columns, rates in "
        "%%, waits in days or hours, hidden figures marked) or csv / json (every column, "
        "raw figures, for machines)",
    )
    analyse.add_argument(
        "--all-columns",
        action="store_true",
        help="markdown: print every column with raw figures, as csv and json have them",
    )
    add_list_option(
        analyse, "--tables", choices=_ANALYSE_TABLES, help="which tables (default: all)"
    )
    analyse.add_argument(
        "--min-group-size",
        type=_min_group_size,
        default=DEFAULT_MIN_GROUP_SIZE,
        help=f"fold groups of fewer journeys (default {DEFAULT_MIN_GROUP_SIZE}; 1 shows all)",
    )
    analyse.add_argument(
        "--min-support", type=_min_group_size, default=30, help="friction: journeys per side"
    )
    analyse.add_argument("--out", metavar="DIR", help="write one file per table into DIR")
    _funnel_options(analyse)
    analyse.set_defaults(func=_cmd_analyse)

    prio = sub.add_parser(
        "prioritise",
        aliases=["prioritize"],
        help="rank a journey's improvements; with a budget or capacity, plan them",
    )
    _positionals(prio)
    prio.add_argument("--events", metavar="FILE", help="event log (CSV, Parquet, XES)")
    _event_options(prio)
    _value_options(prio)
    prio.add_argument("--method", default="value_per_cost", choices=list(METHODS))
    prio.add_argument("--budget", type=float, help="budget for the plan")
    add_list_option(
        prio, "--capacity", metavar="OWNER=DAYS", help="person-days per owner, e.g. it=60"
    )
    prio.add_argument("--format", choices=_FORMATS, default="markdown", help="output format")
    prio.set_defaults(func=_cmd_prioritise)

    rep = sub.add_parser("report", help="write the HTML report of a journey")
    _positionals(rep)
    rep.add_argument("-o", "--output", default="report.html", help="the HTML file to write")
    rep.add_argument("--events", metavar="FILE", help="event log (CSV, Parquet, XES)")
    _event_options(rep)
    _value_options(rep)
    rep.add_argument("--feedback", metavar="FILE", help="survey answers (CSV)")
    rep.add_argument("--metric-col", default="metric", help="feedback: metric column")
    rep.add_argument("--score-col", default="score", help="feedback: score column")
    rep.add_argument("--feedback-touchpoint-col", help="feedback: touchpoint column")
    rep.add_argument("--feedback-case-col", help="feedback: case id column")
    rep.add_argument("--feedback-stage-col", help="feedback: stage column")
    rep.add_argument("--method", default="value_per_cost", choices=list(METHODS))
    rep.add_argument("--budget", type=float, help="budget for the plan")
    add_list_option(rep, "--capacity", metavar="OWNER=DAYS", help="person-days per owner")
    rep.add_argument("--title", help="page title")
    rep.add_argument(
        "--min-group-size",
        type=_min_group_size,
        default=DEFAULT_MIN_GROUP_SIZE,
        help=f"fold groups of fewer journeys (default {DEFAULT_MIN_GROUP_SIZE})",
    )
    rep.add_argument("--no-figures", action="store_true", help="tables only")
    _funnel_options(rep)
    rep.set_defaults(func=_cmd_report)

    val = sub.add_parser(
        "validate", help="check a journey file or workbook: every problem, with its line"
    )
    val.add_argument("path", help="a .yaml/.yml/.json journey file, a CSV folder or .xlsx")
    val.set_defaults(func=_cmd_validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit code.

    0 success, 1 the analysis failed, 2 bad usage or bad input, 130 interrupted
    (:data:`EXIT_CODES`).

    Examples
    --------
    >>> main(["validate", "no-such-file.yaml"])
    2
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse: --help (0) or a usage error (2)
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 2)
    out, err_stream = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Escaping(out), _Escaping(err_stream)
    try:
        return _run(args)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = out, err_stream


def _input_error(err: BaseException) -> bool:
    """An engine's or file library's error about the input (DuckDB, Arrow/Parquet, Spark)."""
    from frictionkit.events._engine import _engine_error

    return _engine_error(err) is not None


def _run(args: argparse.Namespace) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("default", FrictionkitWarning)
        warnings.simplefilter("default", UserWarning)
        warnings.showwarning = _show_warning
        return _run_command(args)


def _run_command(args: argparse.Namespace) -> int:
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except InfeasibleError as err:
        if args.debug:
            raise
        print(f"error: {cli_words(str(err))}", file=sys.stderr)
        return 1
    except FrictionkitError as err:
        if args.debug:
            raise
        print(f"error: {cli_words(str(err))}", file=sys.stderr)
        return 2
    except OSError as err:
        if args.debug:
            raise
        where = f" {err.filename}" if err.filename else ""
        print(f"error: cannot use{where}: {err.strerror or err}", file=sys.stderr)
        return 2
    except Exception as err:
        if args.debug:
            raise
        if _input_error(err):
            text = str(err).strip().splitlines()[0] if str(err).strip() else ""
            print(f"error: cannot read the input ({type(err).__name__}): {text}", file=sys.stderr)
            return 2
        print(
            f"error: the analysis failed: {type(err).__name__}: {err} (run with --debug for "
            "the traceback)",
            file=sys.stderr,
        )
        return 1
    return code
