"""Every fenced ``python`` block in docs/ and README.md runs, page by page, in order.

Blocks of one page share a namespace, like a reader following the page top to bottom.
A block fenced as ``python skip`` is shown but not run (use sparingly, with a reason
in the surrounding text). A block fenced as ``python spark`` runs when Spark can (Java and
pyspark present); otherwise the page's other blocks run and the test is then skipped with
the reason. Pages run in a temporary working directory.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT

FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=indent)```\s*$", re.S | re.M
)


def python_blocks(text: str, *, spark: bool = True) -> list[tuple[int, str]]:
    """Runnable blocks of a page (``spark=False``: leave the Spark blocks out)."""
    out = []
    for m in FENCE.finditer(text):
        info = m["info"].strip().split()
        if not info or info[0] not in {"python", "py"} or "skip" in info[1:]:
            continue
        if "spark" in info[1:] and not spark:
            continue
        indent = m["indent"]
        body = "\n".join(line[len(indent) :] for line in m["body"].splitlines())
        line_no = text.count("\n", 0, m.start()) + 2
        out.append((line_no, body))
    return out


def _pages() -> list[Path]:
    """Pages with at least one runnable python block (the others have nothing to run)."""
    pages = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md"))]
    return [p for p in pages if python_blocks(p.read_text(encoding="utf-8"))]


def test_docs_have_runnable_pages():
    assert len(_pages()) >= 3


@pytest.mark.parametrize("page", _pages(), ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_page_examples_run(page: Path, tmp_path, monkeypatch):
    from tests.spark_session import _skip_reason, spark_session

    text = page.read_text(encoding="utf-8")
    no_spark = _skip_reason()
    blocks = python_blocks(text, spark=no_spark is None)
    skipped = len(python_blocks(text)) - len(blocks)
    if no_spark is None and len(python_blocks(text, spark=False)) < len(blocks):
        spark_session()  # the local loopback session, which the page's getOrCreate() reuses
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    try:
        for line_no, code in blocks:
            compiled = compile(code, f"{page}:{line_no}", "exec")
            exec(compiled, namespace)
    finally:
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            plt.close("all")  # pages do not leak open figures into each other
    if skipped:
        pytest.skip(f"{skipped} Spark block(s) of this page not run: {no_spark}")


def test_fence_parser_finds_blocks():
    text = "a\n```python\nx = 1\n```\n\n```text\nno\n```\n```python skip\ny\n```\n"
    assert python_blocks(text) == [(3, "x = 1")]
    spark = "```python spark\ns = 1\n```\n"
    assert python_blocks(spark) == [(2, "s = 1")]
    assert python_blocks(spark, spark=False) == []
