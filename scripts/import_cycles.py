#!/usr/bin/env python3
"""Fail on any import circle between modules, and on a package the layering contracts miss.

    scripts/import_cycles.py               every top-level package of the repository
    scripts/import_cycles.py --root DIR    the packages under DIR (how the tests try it)

An import circle is two or more modules that import each other, directly or through others.
Every import counts, wherever it is written: at the top of a module, inside a function (the
usual way a circle is hidden), or under `if TYPE_CHECKING:`. A module importing a module of
its own package is an edge like any other; a package's `__init__` is a module too.

It also checks that `.importlinter` lists every top-level package in `root_packages`, so a
new package (domain/, demo/, scenarios/) cannot escape the layering contracts by omission.

Built on grimp, the import graph import-linter uses (DESIGN §9). Exit 0: no circle; 1: circles
(each printed with its imports and their line numbers) or an unlisted package.
"""

from __future__ import annotations

import argparse
import configparser
import itertools
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import grimp

REPOSITORY = Path(__file__).resolve().parent.parent
# Not packages of the product: where tools and data live, and the tests (checked as code, but
# outside the layering contracts).
NOT_LAYERED = {"tests"}
SKIPPED_DIRECTORIES = {".venv", "node_modules", "staticfiles", "var", "static", "templates"}


def top_level_packages(root: Path) -> list[str]:
    return sorted(
        child.name
        for child in root.iterdir()
        if child.is_dir()
        and child.name not in SKIPPED_DIRECTORIES
        and not child.name.startswith(".")
        and (child / "__init__.py").is_file()
    )


def listed_packages(config: Path) -> set[str]:
    parser = configparser.ConfigParser()
    parser.read(config, encoding="utf-8")
    raw = parser.get("importlinter", "root_packages", fallback="")
    return {line.strip() for line in raw.splitlines() if line.strip()}


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the groups of modules that reach each other (size > 1,
    or one module importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterable[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            advanced = False
            for target in edges:
                if target not in graph:
                    continue
                if target not in index:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    advanced = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1 or node in graph[node]:
                    groups.append(sorted(group))
    return sorted(groups)


def _shortest_cycle(graph: grimp.ImportGraph, group: Sequence[str]) -> list[str]:
    members = set(group)
    best: list[str] | None = None
    for module in group:
        for target in sorted(graph.find_modules_directly_imported_by(module) & members):
            back = graph.find_shortest_chain(importer=target, imported=module) if target != module else (module,)
            if back is not None:
                cycle = [module, *back]
                if best is None or len(cycle) < len(best):
                    best = cycle
    return best or list(group)


def _describe(graph: grimp.ImportGraph, group: Sequence[str]) -> str:
    cycle = _shortest_cycle(graph, group)
    lines = [f"circle of {len(group)} modules: {', '.join(group)}", "  for example:"]
    for importer, imported in itertools.pairwise(cycle):
        details = graph.get_import_details(importer=importer, imported=imported)
        where = ", ".join(f"line {d['line_number']}: {d['line_contents'].strip()}" for d in details)
        lines.append(f"    {importer} -> {imported}  ({where})")
    return "\n".join(lines)


def check(root: Path, packages: Sequence[str], *, config: Path | None) -> list[str]:
    problems: list[str] = []
    if config is not None:
        listed = listed_packages(config)
        for package in packages:
            if package not in listed and package not in NOT_LAYERED:
                problems.append(
                    f"package {package!r} is not in root_packages of {config.name}: "
                    "add it there and give it its place in the layers contract (DESIGN §9)"
                )
    sys.path.insert(0, str(root))
    graph = grimp.build_graph(*packages, cache_dir=None)
    edges = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    problems.extend(_describe(graph, group) for group in strongly_connected(edges))
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=REPOSITORY, help="the directory holding the packages")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    packages = top_level_packages(root)
    config = root / ".importlinter"
    problems = check(root, packages, config=config if config.is_file() else None)
    if problems:
        print("\n\n".join(problems), file=sys.stderr)
        print(f"\nimport_cycles: {len(problems)} problem(s) in {', '.join(packages)}", file=sys.stderr)
        return 1
    print(f"import_cycles: no circle between the modules of {', '.join(packages)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
