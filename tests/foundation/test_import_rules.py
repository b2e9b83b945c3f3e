"""The floors of the house: data flows one way, and no module imports its way back in a circle.

Every import counts, at module level or inside a function (a lazy import hides a circle, it
does not remove it). The graph is read from the source with ``ast``, so nothing is executed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PURE = ("travel", "access", "planning", "orientation", "experience", "indicators")
# What each floor may not import (the layers above it).
FORBIDDEN = {
    **{p: ("store", "services", "api", "web", "cli") for p in PURE},
    "territory": ("offer", "store", "services", "api", "web", "cli"),
    "offer": ("store", "services", "api", "web", "cli"),
    "store": ("services", "api", "web", "cli"),
    "participation_store": ("services", "api", "web", "cli"),
    "services": ("api", "web", "cli"),
    "api": ("cli",),
    "cli": ("web",),
    "web": ("store", "services", "api", "cli"),
}


def _modules() -> dict[str, Path]:
    mods = {}
    for path in (SRC / "accesoins").rglob("*.py"):
        name = ".".join(path.relative_to(SRC).with_suffix("").parts)
        mods[name.removesuffix(".__init__")] = path
    return mods


def import_graph() -> dict[str, set[str]]:
    """Module → the accesoins modules it imports (every import statement, lazy ones included)."""
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(parts + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                candidates = [target, *(f"{target}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                candidates = [a.name for a in node.names]
            else:
                continue
            graph[name].update(c for c in candidates if c in mods and c != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle():
    assert cycles(import_graph()) == []


@pytest.mark.parametrize("floor", sorted(FORBIDDEN))
def test_each_floor_imports_only_below_it(floor):
    graph = import_graph()
    prefix = f"accesoins.{floor}"
    banned = tuple(f"accesoins.{b}" for b in FORBIDDEN[floor])
    wrong = sorted((m, t) for m, targets in graph.items() if m == prefix or m.startswith(prefix + ".")
                   for t in targets if t.startswith(banned))
    assert not wrong, wrong
