"""Fail when modules of Podlab's apps import each other in a circle (`make lint`).

Every strongly connected component of more than one module in the import graph of `cluster_engine`, `lessons`
and `teaching` (imports inside functions count too: they are circles all the same) is listed, unless it is in
ALLOWED below, and the exit status is 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp

REPOSITORY = Path(__file__).resolve().parents[1]

PACKAGES = ("cluster_engine", "lessons", "teaching")

# Circles known and being removed, each the exact set of modules of one component, with why. Empty since issue 20;
# keep it so.
ALLOWED: list[frozenset[str]] = []


def components(graph: grimp.ImportGraph, modules: set[str]) -> list[set[str]]:
    """Tarjan's strongly connected components of the graph restricted to `modules` (iterative)."""
    edges = {module: sorted(graph.find_modules_directly_imported_by(module) & modules) for module in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[set[str]] = []
    counter = 0
    for root in sorted(modules):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            recurse = False
            for position in range(child, len(edges[node])):
                target = edges[node][position]
                if target not in index:
                    work.append((node, position + 1))
                    work.append((target, 0))
                    recurse = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            if recurse:
                continue
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                found.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def main() -> int:
    sys.path.insert(0, str(REPOSITORY))  # the packages, wherever this script is run from
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    modules = {module for module in graph.modules if module.split(".")[0] in PACKAGES}
    circles = [component for component in components(graph, modules) if len(component) > 1]
    failing = [component for component in circles if frozenset(component) not in ALLOWED]
    for component in sorted(failing, key=sorted):
        print("import circle:", ", ".join(sorted(component)))
    stale = [allowed for allowed in ALLOWED if allowed not in {frozenset(c) for c in circles}]
    for allowed in stale:
        print("allowed circle no longer present (remove it from ALLOWED):", ", ".join(sorted(allowed)))
    return 1 if failing or stale else 0


if __name__ == "__main__":
    sys.exit(main())
