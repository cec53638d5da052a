"""The layer order of docs/concepts/architecture.md, checked on every import in ``src/``.

Every ``import`` counts, at the top of a module or inside a function (a lazy import is
still a dependency); only imports under ``if TYPE_CHECKING:`` are left out, as they never
run. A module imports from its own unit, from units placed before it in its layer, or
from lower layers. Evidence and prioritisation sit side by side and never import each
other. The few imports that point the other way are listed in ``ALLOWED`` with the reason;
each must be inside a function (lazy), and each entry must still be used.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "frictionkit"

# Layers, lowest first; in each layer its units, lowest first. A unit is a module or a
# package of ``frictionkit``; "" is the package root (``frictionkit/__init__.py``).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "foundation",
        (
            "exceptions",
            "_compat",
            "_atomic",
            "_resources",
            "_memory",
            "_threads",
            "_validate",
            "_protocol",
            "estimates",
            "privacy",
        ),
    ),
    ("map", ("model",)),
    (
        "evidence",
        ("events", "routes", "markov", "friction", "feedback", "omnichannel", "journey_map"),
    ),
    ("prioritisation", ("frameworks", "mcda", "weights", "scoring", "ranking")),
    ("decisions", ("uncertainty", "portfolio", "roadmap")),
    ("adapters", ("io", "datasets")),
    ("surfaces", ("plot", "report", "cli", "__main__", "")),
)
# Layers that sit side by side: neither may import the other.
SIDE_BY_SIDE = {frozenset({"evidence", "prioritisation"})}

# Upward imports that are allowed, all lazy (inside a function): (importer, imported,
# reason). Importer and imported are module names; the imported may be a package.
ALLOWED: tuple[tuple[str, str, str], ...] = (
    (
        "frictionkit.events._analyses",
        "frictionkit.routes",
        "EventLog.routes()/funnel()/transitions() delegate to the analysis",
    ),
    (
        "frictionkit.events._analyses",
        "frictionkit.friction",
        "EventLog.friction()/failure_patterns()/repair_effects() delegate to the analysis",
    ),
    (
        "frictionkit.events._analyses",
        "frictionkit.markov",
        "EventLog.markov() delegates to the analysis",
    ),
    ("frictionkit._protocol", "frictionkit.plot", "the .plot accessor of every result"),
)


def _unit_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


RANK: dict[str, tuple[int, int, str]] = {
    unit: (i, j, layer) for i, (layer, units) in enumerate(LAYERS) for j, unit in enumerate(units)
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                out.update(id(n) for n in ast.walk(inner))
    return out


def _imports() -> list[tuple[str, str, bool, int]]:
    """(importer, imported, lazy, line) for every frictionkit import in src/."""
    found = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_checking_nodes(tree)
        is_package = path.name == "__init__.py"

        def visit(
            node: ast.AST,
            lazy: bool,
            module: str = module,
            skip: set[int] = skip,
            is_package: bool = is_package,
        ) -> None:
            for child in ast.iter_child_nodes(node):
                inner_lazy = lazy or isinstance(
                    child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
                )
                if isinstance(child, ast.Import | ast.ImportFrom) and id(child) not in skip:
                    for target in _targets(child, module, is_package):
                        found.append((module, target, lazy, child.lineno))
                visit(child, inner_lazy)

        visit(tree, False)
    return found


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:
            pkg = module.split(".") if is_package else module.split(".")[:-1]
            pkg = pkg[: len(pkg) - (node.level - 1)]
            base = ".".join([*pkg, base] if base else pkg)
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
    return [n for n in names if n == "frictionkit" or n.startswith("frictionkit.")]


IMPORTS = _imports()


def _allowed(importer: str, imported: str) -> bool:
    return any(
        importer == a and (imported == b or imported.startswith(b + ".")) for a, b, _ in ALLOWED
    )


def test_every_module_has_a_layer() -> None:
    unplaced = sorted({m for m in MODULES if _unit_of(m) not in RANK})
    assert not unplaced, f"place these modules in LAYERS (and in architecture.md): {unplaced}"


def test_imports_follow_the_layers() -> None:
    wrong = []
    for importer, imported, lazy, line in IMPORTS:
        a, b = _unit_of(importer), _unit_of(imported)
        if a == b or a not in RANK or b not in RANK:
            continue
        (la, ua, layer_a), (lb, ub, layer_b) = RANK[a], RANK[b]
        upward = (lb, ub) > (la, ua) or frozenset({layer_a, layer_b}) in SIDE_BY_SIDE
        if upward and not (lazy and _allowed(importer, imported)):
            wrong.append(f"{importer} (line {line}) -> {imported}")
    assert not wrong, "imports against the layer order:\n" + "\n".join(sorted(set(wrong)))


def test_allow_list_is_used_and_lazy() -> None:
    for importer, imported, reason in ALLOWED:
        uses = [
            lazy
            for a, b, lazy, _ in IMPORTS
            if a == importer and (b == imported or b.startswith(imported + "."))
        ]
        assert uses, f"unused allow-list entry {importer} -> {imported} ({reason})"
        assert all(uses), f"{importer} -> {imported} must be imported inside a function"


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            strong(v)
    return out


@pytest.mark.parametrize("level", ["unit", "module"])
def test_no_import_cycles(level: str) -> None:
    """No cycle between units, nor between the files of a package (allowed edges aside)."""
    edges: dict[str, set[str]] = defaultdict(set)
    for importer, imported, lazy, _ in IMPORTS:
        if lazy and _allowed(importer, imported):
            continue
        a, b = (_unit_of(importer), _unit_of(imported)) if level == "unit" else (importer, imported)
        if level == "module" and (
            _unit_of(importer) != _unit_of(imported)
            or _is_package_face(importer)
            or _is_package_face(imported)
        ):
            continue  # between units the unit level decides; a package face hands names on
        if a != b:
            edges[a].add(b)
    assert _cycles(edges) == []


def _is_package_face(module: str) -> bool:
    return MODULES.get(module, Path()).name == "__init__.py"


def test_modules_stay_readable() -> None:
    """No module over 800 lines unless its first lines say why."""
    long = []
    for module, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > 800 and "Why this module is long:" not in text[:3000]:
            long.append(f"{module} ({text.count(chr(10))} lines)")
    assert not long, f"split these modules or say why they are long: {long}"
