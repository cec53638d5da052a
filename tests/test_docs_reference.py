"""The reference (docs/reference/*.md) renders every public name.

``frictionkit.__all__`` and the ``__all__`` of every public module (no underscore in its
path) are compared with what the ``::: path`` lines of the reference render. What a line
renders follows mkdocstrings' rules: the object itself and, for a module, the members of
its ``__all__`` (or of its ``members: [...]`` option) that have a docstring, or all of
them under ``show_if_no_docstring: true`` (constants have no docstring of their own).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from functools import cache
from typing import Any

import pytest

import frictionkit
from tests.helpers import REPO_ROOT

DIRECTIVE = re.compile(r"^::: *(?P<path>[\w.]+)[ \t]*\n(?P<options>(?:[ \t]+.*\n?)*)", re.M)


def _resolve(path: str) -> Any:
    """The object a ``::: path`` line names (a module, or an attribute of one)."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(path)


def _has_doc(obj: Any) -> bool:
    return bool(getattr(obj, "__doc__", None)) and (
        inspect.isclass(obj) or inspect.isroutine(obj) or inspect.ismodule(obj)
    )


@cache
def rendered() -> tuple[frozenset[int], frozenset[str]]:
    """What the reference renders: ids of objects, and ``module.NAME`` of constants."""
    objects: set[int] = set()
    constants: set[str] = set()
    for page in sorted((REPO_ROOT / "docs" / "reference").glob("*.md")):
        for m in DIRECTIVE.finditer(page.read_text(encoding="utf-8")):
            obj = _resolve(m["path"])
            objects.add(id(obj))
            constants.add(m["path"])
            if not inspect.ismodule(obj):
                continue
            show_all = "show_if_no_docstring: true" in m["options"]
            listed = re.search(r"members: *\[(.*)\]", m["options"])
            if listed:  # only these, shown even without a docstring of their own
                show_all = True
            members = (
                [n.strip() for n in listed[1].split(",")] if listed else getattr(obj, "__all__", [])
            )
            for member in members:
                value = getattr(obj, member)
                if _has_doc(value):
                    objects.add(id(value))
                elif show_all:
                    constants.add(f"{obj.__name__}.{member}")
    return frozenset(objects), frozenset(constants)


def public_modules() -> list[str]:
    names = ["frictionkit"]
    for info in pkgutil.walk_packages(frictionkit.__path__, "frictionkit."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        names.append(info.name)
    return [n for n in names if hasattr(importlib.import_module(n), "__all__")]


def _covered(module: str, name: str) -> bool:
    value = getattr(importlib.import_module(module), name)
    objects, constants = rendered()
    if _has_doc(value):
        return id(value) in objects
    # A constant: rendered under this name by some module's page.
    return any(path.endswith("." + name) and _resolve(path) is value for path in constants)


@pytest.mark.parametrize("module", public_modules())
def test_reference_renders_every_public_name(module: str):
    # A private name exported by mistake is not the reference's to show.
    names = [
        n
        for n in importlib.import_module(module).__all__
        if not n.startswith("_") or n.startswith("__")
    ]
    missing = [n for n in names if not _covered(module, n)]
    assert not missing, f"{module}.__all__ names missing from docs/reference: {missing}"


def test_reference_lines_resolve():
    objects, _ = rendered()
    assert id(frictionkit.EventLog) in objects
    with pytest.raises(ImportError):
        _resolve("no_such_module.x")
