"""The import graph of ``theory``, ``empirical`` and ``reports``: no cycle, and layers.

The graph is built from the source, without importing anything. Its nodes are the
project's modules (a package is its ``__init__``). Module A has an edge to module B when
an ``import`` or ``from ... import`` statement anywhere in A names B, at module level or
inside a function (a function-level import is a dependency as much as a module-level one:
deferring it hides a cycle, it does not remove it), ``if TYPE_CHECKING:`` blocks included.

* ``import a.b.c`` and ``from a.b.c import name`` name ``a.b.c``; ``from a.b import c``
  names the submodule ``a.b.c`` when there is one. Relative imports are resolved against
  the importing module's package.
* Importing ``a.b.c`` also runs the packages ``a`` and ``a.b``: edges to them are added,
  except to A's own enclosing packages, which are already being imported when A runs (a
  package that imports its submodules, which import their siblings, is no cycle). A's
  explicit import of its own package (``from a.b import name``) is an edge like any other.

The test fails naming each cycle, as a chain of ``module:line -> module``. Layers:
``theory`` imports nothing of ``empirical`` or ``reports``, and ``empirical`` nothing of
``reports``.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("theory", "empirical", "reports")


def project_modules() -> dict[str, tuple[Path, bool]]:
    """Module name -> (source file, whether it is a package's ``__init__``)."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            modules[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return modules


def enclosing(name: str) -> set[str]:
    """The packages enclosing the module ``name``: a.b.c -> {a, a.b}."""
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def named_modules(node: ast.AST, package: str, modules: dict) -> list[str]:
    """The project modules an import statement names (other names are ignored)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            source = ".".join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        names = [
            f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
            for alias in node.names
        ]
    else:
        return []
    found = []
    for name in names:
        while name and name not in modules:  # ``import a.b.func``-like names: their module
            name = name.rpartition(".")[0]
        if name:
            found.append(name)
    return found


def import_graph() -> dict[str, dict[str, int]]:
    """Module -> {imported module: line of the first statement importing it}."""
    modules = project_modules()
    graph: dict[str, dict[str, int]] = {}
    for name, (path, is_package) in modules.items():
        package = name if is_package else name.rpartition(".")[0]
        edges: dict[str, int] = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            for target in named_modules(node, package, modules):
                implied = enclosing(target) - enclosing(name) - {name}
                for module in ({target} - {name}) | implied:
                    edges[module] = min(edges.get(module, node.lineno), node.lineno)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """One cycle through each strongly connected component of more than one module (or a
    module importing itself), as a closed list of modules; Tarjan's algorithm."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                component.add(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph[v]:
                components.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_cycle_in(graph, component) for component in components]


def _cycle_in(graph: dict[str, dict[str, int]], component: set[str]) -> list[str]:
    """A shortest cycle through the component's first module (breadth-first search)."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph[v]):
            if w == start:
                return [*paths[v], start]
            if w in component and w not in paths:
                paths[w] = [*paths[v], w]
                queue.append(w)
    raise AssertionError(f"no cycle through {start}")


def describe(graph: dict[str, dict[str, int]], cycle: list[str]) -> str:
    """'a:12 -> b:3 -> a': each module with the line of its import of the next."""
    steps = [f"{v}:{graph[v][w]}" for v, w in itertools.pairwise(cycle)]
    return " -> ".join([*steps, cycle[-1]])


GRAPH = import_graph()


def test_the_graph_sees_every_kind_of_import():
    """Module-level, function-level, ``from pkg import submodule``, relative and implied
    package edges are all in the graph."""
    assert "reports.suite.model" in GRAPH["reports.lecture"]  # module level
    assert "reports.suite.engine" in GRAPH["reports.cli"]  # inside a function
    assert "reports.lecture.sgd" in GRAPH["reports.lecture"]  # from pkg import submodule
    assert "empirical.verification" in GRAPH["reports.suite.engine"]  # implied package
    assert "reports.suite" not in GRAPH["reports.suite.engine"]  # its own package
    modules = project_modules()
    relative = ast.parse("from .common import Part").body[0]
    assert named_modules(relative, "reports.lecture", modules) == ["reports.lecture.common"]
    parent = ast.parse("from .. import suite").body[0]
    assert named_modules(parent, "reports.lecture", modules) == ["reports.suite"]


def test_a_cycle_is_found_and_named():
    graph = {"a": {"b": 3}, "b": {"c": 7}, "c": {"a": 1}, "d": {"a": 2}}
    (cycle,) = cycles(graph)
    assert describe(graph, cycle) == "a:3 -> b:7 -> c:1 -> a"
    assert cycles({"a": {"b": 1}, "b": {}}) == []


def test_no_import_cycle_anywhere_in_the_project():
    found = [describe(GRAPH, cycle) for cycle in cycles(GRAPH)]
    assert not found, "import cycles:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [("theory", ("empirical", "reports")), ("empirical", ("reports",))],
)
def test_a_lower_layer_imports_nothing_of_a_higher_one(layer, forbidden):
    wrong = [
        f"{module}:{line} -> {target}"
        for module, edges in GRAPH.items()
        if module.split(".")[0] == layer
        for target, line in edges.items()
        if target.split(".")[0] in forbidden
    ]
    assert not wrong, f"{layer} imports from {', '.join(forbidden)}:\n" + "\n".join(wrong)
