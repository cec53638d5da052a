"""Graph helpers of :class:`frictionkit.model.Journey`'s checks on ``requires``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.model._entities import Improvement


def _reach(start: str, imps: Mapping[str, Improvement]) -> set[str]:
    """Every improvement ``start`` needs, directly or through others."""
    out: set[str] = set()
    stack = list(imps[start].requires)
    while stack:
        cur = stack.pop()
        if cur not in out:
            out.add(cur)
            stack.extend(imps[cur].requires)
    return out


def _find_cycle(graph: Mapping[str, Sequence[str]]) -> list[str]:
    """Return one cycle as ``[a, b, ..., a]`` or ``[]`` (iterative DFS, input order)."""
    white, grey, black = 0, 1, 2
    color = dict.fromkeys(graph, white)
    for root in graph:
        if color[root] != white:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(graph[root]))]
        path = [root]
        color[root] = grey
        while stack:
            node, children = stack[-1]
            for child in children:
                if color.get(child, black) == grey:
                    return [*path[path.index(child) :], child]
                if color.get(child) == white:
                    color[child] = grey
                    path.append(child)
                    stack.append((child, iter(graph[child])))
                    break
            else:
                color[node] = black
                path.pop()
                stack.pop()
    return []
