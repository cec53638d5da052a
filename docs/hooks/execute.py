"""mkdocs hook: run the python blocks of every page and show what they print and draw.

Every fenced ``python`` block of every page (and of the notebooks in ``docs/notebooks/``,
jupytext-style percent scripts) runs in order in one namespace per page, in a temporary
working directory, when the site is built. ``tests/test_docs.py`` runs the pages through
the same function (:func:`run_page`), so the test suite and the site run the same code.
Right under each block the hook inserts, in one ``<div class="fk-output">``:

- what the block printed, as text (tables kept as printed);
- a DataFrame passed alone to ``print``, or the value of a bare expression on the block's
  last line, as an HTML table (any object with ``_repr_html_`` shows its HTML display,
  as in a notebook; other values show their ``repr``);
- every matplotlib figure the block left open, as an inline PNG (then closed).

A block that fails stops the build. A block fenced ``python skip`` is shown and not run
(the page says why, next to it); a ``python spark`` block is not run at build time (it
needs Java and pyspark; the test suite runs it where they are present), and the page says
so under it. After rendering, each page's HTML is checked to hold one output ``div`` per
block that printed or drew: a page cannot silently lose its outputs.

A notebook ``docs/notebooks/NAME.py`` becomes the page ``notebooks/NAME.md``; the site also
gets ``notebooks/NAME.ipynb`` (with the outputs of the build) and the script itself, both
linked from the top of the page.
"""

from __future__ import annotations

import ast
import base64
import builtins
import contextlib
import html
import io
import json
import os
import re
import tempfile
import textwrap
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.S | re.M
)
OUTPUT_DIV = '<div class="fk-output">'
MAX_OUTPUT_LINES = 60
WRAP_AT = 96
SPARK_NOTE = (
    "*This block is not run when the site is built: Spark needs Java and pyspark. The test "
    "suite runs it where they are present.*"
)
NOTEBOOKS = "notebooks"


class BlockError(RuntimeError):
    """A python block of a page failed (the message names the page and the line)."""


@dataclass
class Block:
    """One fenced python block: where it is, whether it ran, what it showed."""

    line: int
    code: str
    kind: str  # "run", "skip" or "spark"
    outputs: list[tuple[str, str]] = field(default_factory=list)  # (mime, content)


@dataclass
class PageRun:
    """The record of one page: its blocks, and its markdown with the outputs inserted."""

    path: str
    blocks: list[Block]
    markdown: str

    @property
    def blocks_with_output(self) -> int:
        """How many blocks printed or drew something (each gets one output ``div``)."""
        return sum(1 for b in self.blocks if b.outputs)


def block_kind(info: str) -> str | None:
    """``"run"``, ``"skip"`` or ``"spark"`` for a python fence's info string; else None."""
    words = info.strip().split()
    if not words or words[0] not in {"python", "py"}:
        return None
    if "skip" in words[1:]:
        return "skip"
    return "spark" if "spark" in words[1:] else "run"


# --------------------------------------------------------------------------- capturing


class _Capture:
    """Collect a block's outputs in order: text, HTML tables and displays, figures."""

    def __init__(self) -> None:
        self.stdout = io.StringIO()
        self.outputs: list[tuple[str, str]] = []

    def flush_text(self) -> None:
        text = self.stdout.getvalue()
        if text.strip():
            self.outputs.append(("text/plain", text))
        self.stdout.seek(0)
        self.stdout.truncate()

    def display(self, obj: Any) -> None:
        """Show an object as a notebook would: its HTML display if it has one."""
        if obj is None or type(obj).__module__.startswith("matplotlib"):
            return  # figures are collected on their own; artists are no output
        self.flush_text()
        html_repr = getattr(obj, "_repr_html_", None)
        with _wide_cells():
            shown = html_repr() if callable(html_repr) else None
        if shown:
            self.outputs.append(("text/html", str(shown)))
        else:
            self.outputs.append(("text/plain", repr(obj) + "\n"))

    def make_print(self) -> Callable[..., None]:
        """``print`` for the page: a DataFrame printed alone shows as an HTML table."""

        def _print(*args: Any, **kwargs: Any) -> None:
            if len(args) == 1 and not kwargs and _is_frame(args[0]):
                self.display(args[0])
                return
            builtins.print(*args, **kwargs)

        return _print

    def figures(self) -> None:
        self.flush_text()
        self.outputs.extend(("image/png", uri) for uri in _figures())


@contextlib.contextmanager
def _wide_cells() -> Any:
    """Show long cells (route texts) whole in DataFrame tables, as far as 200 characters."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        yield
        return
    with pd.option_context("display.max_colwidth", 200):
        yield


def _is_frame(obj: Any) -> bool:
    return type(obj).__name__ == "DataFrame" and type(obj).__module__.startswith("pandas")


def _figures() -> list[str]:
    """Base64 PNGs of the open matplotlib figures (closing them); [] without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - matplotlib is a docs dependency
        return []
    out = []
    for num in plt.get_fignums():
        buf = io.BytesIO()
        plt.figure(num).savefig(buf, format="png", dpi=110, bbox_inches="tight")
        out.append(base64.b64encode(buf.getvalue()).decode("ascii"))
    plt.close("all")
    return out


def _split_last_expression(code: str, filename: str) -> tuple[Any, Any]:
    """Compile a block as (statements, last expression or None), as a notebook cell runs."""
    tree = ast.parse(code, filename)
    last = tree.body[-1] if tree.body else None
    if isinstance(last, ast.Expr) and not (
        isinstance(last.value, ast.Call)
        and isinstance(last.value.func, ast.Name)
        and last.value.func.id == "print"
    ):
        tree.body.pop()
        expr = compile(ast.Expression(last.value), filename, "eval")
    else:
        expr = None
    return compile(tree, filename, "exec"), expr


def run_block(code: str, namespace: dict[str, Any], filename: str) -> list[tuple[str, str]]:
    """Run one block in ``namespace``; return its outputs (raise on failure)."""
    capture = _Capture()
    namespace["print"] = capture.make_print()
    statements, expr = _split_last_expression(code, filename)
    with (
        contextlib.redirect_stdout(capture.stdout),
        contextlib.redirect_stderr(capture.stdout),  # argparse's messages, as a reader sees
        warnings.catch_warnings(),
    ):
        # As in the test suite (pyproject: filterwarnings = error).
        warnings.simplefilter("error")
        warnings.filterwarnings(
            "ignore", category=DeprecationWarning, module="dateutil.*|pyparsing.*"
        )
        exec(statements, namespace)
        if expr is not None:
            capture.display(eval(expr, namespace))
    capture.figures()
    return capture.outputs


# --------------------------------------------------------------------------- rendering


def _wrap_prose(line: str) -> list[str]:
    """Wrap a long line of prose (messages, explanations); leave tables as they are."""
    if len(line) <= WRAP_AT or "  " in line.strip():
        return [line]
    return textwrap.wrap(line, WRAP_AT, subsequent_indent="  ", break_on_hyphens=False)


def _text_html(text: str) -> str:
    lines = [part for line in text.rstrip("\n").splitlines() for part in _wrap_prose(line)]
    if len(lines) > MAX_OUTPUT_LINES:
        cut = len(lines) - MAX_OUTPUT_LINES
        lines = [*lines[:MAX_OUTPUT_LINES], f"... ({cut} more lines)"]
    # Blank lines would end the raw HTML block in Markdown: keep them as entities.
    body = "&#10;".join(html.escape(line) for line in lines)
    return f'<pre class="fk-text"><code>{body}</code></pre>'


def render_outputs(outputs: list[tuple[str, str]], indent: str = "") -> str:
    """The HTML shown under a block: one ``fk-output`` div holding every output."""
    parts = [OUTPUT_DIV]
    figures = 0
    for mime, content in outputs:
        if mime == "text/plain":
            parts.append(_text_html(content))
        elif mime == "text/html":
            # One line per tag run, no blank line: Markdown keeps it as one raw block.
            flat = "\n".join(line for line in content.splitlines() if line.strip())
            parts.append(f'<div class="fk-html">\n{flat}\n</div>')
        else:
            figures += 1
            parts.append(
                f'<img alt="Figure {figures} of the block above" '
                f'src="data:{mime};base64,{content}">'
            )
    parts.append("</div>")
    return "\n\n" + "\n".join(indent + p if p else p for p in "\n".join(parts).split("\n"))


def run_page(
    markdown: str,
    path: str,
    *,
    run_spark: bool = False,
    before_spark: Callable[[], None] | None = None,
) -> PageRun:
    """Run the python blocks of one page in order; return them with the rendered markdown.

    Runs in a temporary working directory. ``run_spark`` runs the ``python spark`` blocks
    too (the test suite, where Spark can run); ``before_spark`` is called once before the
    first of them.
    """
    namespace: dict[str, Any] = {"__name__": "docs_" + re.sub(r"\W", "_", path)}
    pieces: list[str] = []
    blocks: list[Block] = []
    last = 0
    spark_started = False
    old_cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="frictionkit-docs-") as tmp:
        os.chdir(tmp)
        try:
            for m in FENCE.finditer(markdown):
                kind = block_kind(m["info"])
                pieces.append(markdown[last : m.end()])
                last = m.end()
                if kind is None:
                    continue
                indent = m["indent"]
                code = textwrap.dedent(
                    "\n".join(line[len(indent) :] for line in m["body"].splitlines())
                )
                line_no = markdown.count("\n", 0, m.start()) + 2
                block = Block(line=line_no, code=code, kind=kind)
                blocks.append(block)
                if kind == "skip":
                    continue
                if kind == "spark" and not run_spark:
                    pieces.append(f"\n\n{indent}{SPARK_NOTE}")
                    continue
                if kind == "spark" and not spark_started and before_spark is not None:
                    before_spark()
                    spark_started = True
                try:
                    block.outputs = run_block(code, namespace, f"{path}:{line_no}")
                except Exception as err:
                    detail = traceback.format_exc(limit=-3)
                    raise BlockError(
                        f"docs/{path}: the python block at line {line_no} failed: {err!r}\n{detail}"
                    ) from err
                if block.outputs:
                    pieces.append(render_outputs(block.outputs, indent))
        finally:
            os.chdir(old_cwd)
            _figures()  # close whatever a failing block left open
    pieces.append(markdown[last:])
    return PageRun(path=path, blocks=blocks, markdown="".join(pieces))


def count_outputs(page_html: str) -> int:
    """How many output ``div``s a rendered page shows."""
    return page_html.count(OUTPUT_DIV)


# --------------------------------------------------------------------------- notebooks


def percent_cells(script: str) -> list[tuple[str, str]]:
    """Cells of a jupytext-style percent script: ``[("markdown"|"code", source), ...]``."""
    cells: list[tuple[str, str]] = []
    kind, lines = None, []  # text before the first marker (a module docstring) is left out
    for line in [*script.splitlines(), "# %%"]:
        if line.startswith("# %%"):
            if kind is not None and "\n".join(lines).strip():
                cells.append((kind, "\n".join(lines).strip("\n")))
            kind = "markdown" if "[markdown]" in line else "code"
            lines = []
        elif kind == "markdown":
            lines.append(line[2:] if line.startswith("# ") else line.lstrip("#"))
        elif kind is not None:
            lines.append(line)
    return cells


def notebook_markdown(script: str, stem: str) -> str:
    """The page of a percent-script notebook: its cells as prose and python blocks.

    The first markdown cell (the title) is followed by the links to download it.
    """
    parts = []
    for kind, source in percent_cells(script):
        parts.append(source if kind == "markdown" else f"```python\n{source}\n```")
        if len(parts) == 1:
            parts.append(
                f"Download: [{stem}.ipynb]({stem}.ipynb) (with the outputs shown here) "
                f"or the script [{stem}.py]({stem}.py) (a jupytext percent script)."
            )
    return "\n\n".join(parts) + "\n"


def notebook_json(script: str, run: PageRun | None = None) -> str:
    """An nbformat-4 notebook of a percent script, with the outputs of ``run`` if given."""
    code_blocks = iter(run.blocks if run is not None else [])
    cells = []
    for kind, source in percent_cells(script):
        cell: dict[str, Any] = {
            "cell_type": kind,
            "metadata": {},
            "source": source.splitlines(keepends=True),
        }
        if kind == "code":
            block = next(code_blocks, None)
            outputs = []
            for mime, content in block.outputs if block is not None else []:
                if mime == "text/plain":
                    outputs.append(
                        {
                            "output_type": "stream",
                            "name": "stdout",
                            "text": content.splitlines(keepends=True),
                        }
                    )
                else:
                    outputs.append(
                        {"output_type": "display_data", "metadata": {}, "data": {mime: content}}
                    )
            cell.update(execution_count=None, outputs=outputs)
        cells.append(cell)
    book = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(book, indent=1, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- mkdocs events

_RUNS: dict[str, PageRun] = {}
_SCRIPTS: dict[str, str] = {}


def on_files(files: Any, config: Any, **kwargs: Any) -> Any:
    """Add a page for each notebook script of ``docs/notebooks/``."""
    from mkdocs.structure.files import File

    _RUNS.clear()
    _SCRIPTS.clear()
    for script in sorted(Path(config["docs_dir"], NOTEBOOKS).glob("*.py")):
        uri = f"{NOTEBOOKS}/{script.stem}.md"
        text = script.read_text(encoding="utf-8")
        _SCRIPTS[uri] = text
        files.append(File.generated(config, uri, content=notebook_markdown(text, script.stem)))
        # Known to mkdocs so the page's link resolves; written with outputs after the build.
        files.append(File.generated(config, uri[:-3] + ".ipynb", content=notebook_json(text)))
    return files


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    """Run the page's python blocks and insert their outputs."""
    from mkdocs.exceptions import PluginError

    try:
        run = run_page(markdown, page.file.src_uri)
    except BlockError as err:
        raise PluginError(str(err)) from err
    _RUNS[page.file.src_uri] = run
    return run.markdown


def on_page_content(html_text: str, page: Any, **kwargs: Any) -> str:
    """Fail the build when a page shows fewer (or more) outputs than its blocks produced."""
    from mkdocs.exceptions import PluginError

    run = _RUNS.get(page.file.src_uri)
    if run is not None and count_outputs(html_text) != run.blocks_with_output:
        raise PluginError(
            f"docs/{run.path}: {run.blocks_with_output} block(s) printed or drew, but the "
            f"page shows {count_outputs(html_text)} output(s)"
        )
    return html_text


def on_post_build(config: Any, **kwargs: Any) -> None:
    """Write each notebook (with the outputs of the build) beside its page."""
    for uri, script in _SCRIPTS.items():
        target = Path(config["site_dir"], uri).with_suffix(".ipynb")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(notebook_json(script, _RUNS.get(uri)), encoding="utf-8")
