"""mkdocs hook: run the python blocks of opted-in pages and show what they print and draw.

A page opts in with front matter ``execute: true``. Its fenced ``python`` blocks run in
order in one namespace, in a temporary working directory (as ``tests/test_docs.py`` runs
them), when the site is built. After each block the hook inserts

- what the block printed, as a ``text`` block titled "Output" (long lines of prose
  wrapped; tables kept as printed);
- every matplotlib figure the block left open, as an inline PNG (then closed).

So outputs and figures on these pages are computed at build time, never pasted, and a
block that fails stops the build. Blocks fenced ``python skip`` are shown and not run.
"""

from __future__ import annotations

import base64
import contextlib
import io
import os
import re
import tempfile
import textwrap
import traceback
import warnings
from typing import Any

from mkdocs.exceptions import PluginError

FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.S | re.M
)
MAX_OUTPUT_LINES = 60
WRAP_AT = 96


def _runnable(info: str) -> bool:
    words = info.strip().split()
    return bool(words) and words[0] in {"python", "py"} and "skip" not in words[1:]


def _figures() -> list[str]:
    """PNG data URIs of the open matplotlib figures (closing them); [] without matplotlib."""
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
        out.append("data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii"))
    plt.close("all")
    return out


def _wrap_prose(line: str) -> list[str]:
    """Wrap a long line of prose (messages, explanations); leave tables as they are."""
    if len(line) <= WRAP_AT or "  " in line.strip():
        return [line]
    return textwrap.wrap(line, WRAP_AT, subsequent_indent="  ", break_on_hyphens=False)


def _output_block(indent: str, text: str) -> str:
    lines = [part for line in text.rstrip("\n").splitlines() for part in _wrap_prose(line)]
    if len(lines) > MAX_OUTPUT_LINES:
        cut = len(lines) - MAX_OUTPUT_LINES
        lines = [*lines[:MAX_OUTPUT_LINES], f"... ({cut} more lines)"]
    body = "\n".join(indent + line for line in lines)
    return f'\n\n{indent}```text title="Output"\n{body}\n{indent}```'


def _execute(markdown: str, page_path: str) -> str:
    namespace: dict[str, Any] = {"__name__": "docs_" + re.sub(r"\W", "_", page_path)}
    pieces: list[str] = []
    last = 0
    old_cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="frictionkit-docs-") as tmp:
        os.chdir(tmp)
        try:
            for m in FENCE.finditer(markdown):
                pieces.append(markdown[last : m.end()])
                last = m.end()
                if not _runnable(m["info"]):
                    continue
                indent = m["indent"]
                code = textwrap.dedent(
                    "\n".join(line[len(indent) :] for line in m["body"].splitlines())
                )
                line_no = markdown.count("\n", 0, m.start()) + 2
                stdout = io.StringIO()
                try:
                    with contextlib.redirect_stdout(stdout), warnings.catch_warnings():
                        # As in the test suite (pyproject: filterwarnings = error).
                        warnings.simplefilter("error")
                        warnings.filterwarnings(
                            "ignore", category=DeprecationWarning, module="dateutil.*|pyparsing.*"
                        )
                        exec(compile(code, f"{page_path}:{line_no}", "exec"), namespace)
                except Exception as err:
                    detail = traceback.format_exc(limit=-3)
                    raise PluginError(
                        f"docs/{page_path}: the python block at line {line_no} failed: "
                        f"{err!r}\n{detail}"
                    ) from err
                if stdout.getvalue().strip():
                    pieces.append(_output_block(indent, stdout.getvalue()))
                for k, uri in enumerate(_figures(), start=1):
                    pieces.append(f"\n\n{indent}![Figure {k} of the block above]({uri})")
        finally:
            os.chdir(old_cwd)
            _figures()
    pieces.append(markdown[last:])
    return "".join(pieces)


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    """Run the page's python blocks when its front matter says ``execute: true``."""
    if not page.meta.get("execute"):
        return markdown
    return _execute(markdown, page.file.src_path)
