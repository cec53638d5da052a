"""Every fenced ``python`` block in docs/ and README.md runs, page by page, in order.

The pages run through the docs build's own hook (``docs/hooks/execute.py``,
``run_page``), so the test suite and the site run the same blocks the same way. Blocks of
one page share a namespace, like a reader following the page top to bottom. A block fenced
as ``python skip`` is shown but not run (the page says why, next to it). A block fenced as
``python spark`` runs when Spark can (Java and pyspark present); otherwise the page's other
blocks run and the test is then skipped with the reason. Pages run in a temporary working
directory. The notebooks of ``docs/notebooks/`` (percent scripts) run as pages too.

Each page is also rendered to HTML with the site's Markdown extensions, and must show one
output per block that printed or drew: a page cannot silently lose its outputs.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from tests.helpers import REPO_ROOT

pytest.importorskip("mkdocs", reason="the docs extra is not installed (pip install -e '.[docs]')")


@cache
def hook() -> ModuleType:
    """The docs build's hook, ``docs/hooks/execute.py``, as a module."""
    spec = importlib.util.spec_from_file_location(
        "docs_execute_hook", REPO_ROOT / "docs" / "hooks" / "execute.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def python_blocks(text: str, *, spark: bool = True) -> list[tuple[int, str]]:
    """Runnable blocks of a page (``spark=False``: leave the Spark blocks out)."""
    out = []
    for m in hook().FENCE.finditer(text):
        kind = hook().block_kind(m["info"])
        if kind is None or kind == "skip" or (kind == "spark" and not spark):
            continue
        indent = m["indent"]
        body = "\n".join(line[len(indent) :] for line in m["body"].splitlines())
        line_no = text.count("\n", 0, m.start()) + 2
        out.append((line_no, body))
    return out


def page_text(page: Path) -> str:
    """A page's markdown (a notebook script gives the markdown of its page)."""
    text = page.read_text(encoding="utf-8")
    return hook().notebook_markdown(text, page.stem) if page.suffix == ".py" else text


def _pages() -> list[Path]:
    """Pages with at least one runnable python block (the others have nothing to run)."""
    docs = REPO_ROOT / "docs"
    pages = [
        REPO_ROOT / "README.md",
        *sorted(docs.rglob("*.md")),
        *sorted((docs / "notebooks").glob("*.py")),
    ]
    return [p for p in pages if python_blocks(page_text(p))]


@cache
def markdown_renderer():
    """Markdown with the site's extensions (from mkdocs.yml)."""
    import markdown
    from mkdocs.config import load_config

    config = load_config(str(REPO_ROOT / "mkdocs.yml"))
    return markdown.Markdown(
        extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"]
    )


def to_html(text: str) -> str:
    renderer = markdown_renderer()
    renderer.reset()
    return renderer.convert(text)


def test_docs_have_runnable_pages():
    assert len(_pages()) >= 3


@pytest.mark.parametrize("page", _pages(), ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_page_examples_run(page: Path):
    from tests.spark_session import _skip_reason, spark_session

    text = page_text(page)
    no_spark = _skip_reason()
    skipped = len(python_blocks(text)) - len(python_blocks(text, spark=False))
    try:
        run = hook().run_page(
            text,
            str(page.relative_to(REPO_ROOT)),
            run_spark=no_spark is None,
            before_spark=spark_session,  # the loopback session the page's getOrCreate() reuses
        )
    finally:
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            plt.close("all")  # pages do not leak open figures into each other
    # Every block that printed or drew shows it, right under the block, on the page.
    shown = hook().count_outputs(to_html(run.markdown))
    assert shown == run.blocks_with_output, (
        f"{run.blocks_with_output} block(s) printed or drew; the page shows {shown}"
    )
    if skipped and no_spark is not None:
        pytest.skip(f"{skipped} Spark block(s) of this page not run: {no_spark}")


@pytest.mark.parametrize("page", _pages(), ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_skipped_blocks_say_why(page: Path):
    """A ``python skip`` block has its reason ("not run ...") just before it."""
    text = page_text(page)
    for m in hook().FENCE.finditer(text):
        if hook().block_kind(m["info"]) == "skip":
            before = text[max(0, m.start() - 400) : m.start()].lower()
            assert "not run" in before, f"line {text.count(chr(10), 0, m.start()) + 1}"


def test_fence_parser_finds_blocks():
    text = "a\n```python\nx = 1\n```\n\n```text\nno\n```\n```python skip\ny\n```\n"
    assert python_blocks(text) == [(3, "x = 1")]
    spark = "```python spark\ns = 1\n```\n"
    assert python_blocks(spark) == [(2, "s = 1")]
    assert python_blocks(spark, spark=False) == []


PAGE = """# A page

```python
import pandas as pd
import matplotlib.pyplot as plt

print("hello <world>")
```

Silent:

```python
frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
```

```python
print(frame)
frame
```

```python
fig, ax = plt.subplots()
ax.plot([1, 2], [3, 4])
ax.set_title("drawn")
```

```python skip
raise RuntimeError("not run")
```

```python spark
raise RuntimeError("not run at build time")
```
"""


def test_run_page_shows_text_tables_and_figures():
    run = hook().run_page(PAGE, "page.md")
    assert [b.kind for b in run.blocks] == ["run", "run", "run", "run", "skip", "spark"]
    assert [[mime for mime, _ in b.outputs] for b in run.blocks] == [
        ["text/plain"],
        [],
        ["text/html", "text/html"],  # a DataFrame printed alone, and the last expression
        ["image/png"],  # the Text of set_title is not an output; the figure is
        [],
        [],
    ]
    assert run.blocks_with_output == 3
    html = to_html(run.markdown)
    assert hook().count_outputs(html) == 3
    assert "hello &lt;world&gt;" in html
    assert html.count('class="dataframe"') == 2
    assert 'alt="Figure 1 of the block above"' in html
    assert "not run when the site is built" in html  # the Spark block says so


def test_lost_outputs_are_counted():
    run = hook().run_page(PAGE, "page.md")
    stripped = run.markdown.replace(hook().OUTPUT_DIV, "<div>")
    assert hook().count_outputs(to_html(stripped)) < run.blocks_with_output


def test_failing_block_names_page_and_line():
    page = "x\n\n```python\nprint(1)\n```\n\n```python\n1 / 0\n```\n"
    with pytest.raises(hook().BlockError, match=r"docs/p\.md: the python block at line 8"):
        hook().run_page(page, "p.md")


def test_blank_lines_of_printed_text_stay_in_one_output():
    run = hook().run_page("```python\nprint('a\\n\\nb')\n```\n", "p.md")
    html = to_html(run.markdown)
    assert hook().count_outputs(html) == 1
    assert re.search(r"a\s*(&#10;|\n)\s*(&#10;|\n)\s*b", html)


SCRIPT = '''"""A notebook (this docstring is not a cell)."""

# %% [markdown]
# # Title
#
# Some *prose*.

# %%
x = 2
print(x * 21)

# %% [markdown]
# More prose.

# %%
x
'''


def test_percent_script_cells_page_and_notebook():
    cells = hook().percent_cells(SCRIPT)
    assert cells == [
        ("markdown", "# Title\n\nSome *prose*."),
        ("code", "x = 2\nprint(x * 21)"),
        ("markdown", "More prose."),
        ("code", "x"),
    ]
    page = hook().notebook_markdown(SCRIPT, "book")
    assert page.startswith("# Title\n\nSome *prose*.\n\nDownload: [book.ipynb](book.ipynb)")
    run = hook().run_page(page, "notebooks/book.md")
    book = json.loads(hook().notebook_json(SCRIPT, run))
    assert book["nbformat"] == 4
    assert [c["cell_type"] for c in book["cells"]] == ["markdown", "code", "markdown", "code"]
    assert book["cells"][1]["outputs"][0]["text"] == ["42\n"]
    assert book["cells"][3]["outputs"][0]["text"] == ["2\n"]
    assert "Download" not in json.dumps(book)  # the links are the page's, not the notebook's
