"""The package structure the design asks for: imports point downwards only, no cycles.

    newsfacts (cli, resources, demo site)  →  newsfacts.flows  →  newsfacts.extractors
                                                               →  newsfacts.warehouse

extractors/ and warehouse/ import neither flows/ nor the CLI, nor each other.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
PACKAGE_DIRS = tomllib.loads((PROJECT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
LAYERS = {"newsfacts": 3, "newsfacts.flows": 2, "newsfacts.extractors": 1, "newsfacts.warehouse": 1}


def modules() -> dict[str, Path]:
    """Dotted module name → file, for every module of the installed packages (fixtures aside)."""
    found = {}
    for package in LAYERS:
        root = PROJECT / PACKAGE_DIRS[package]
        pattern = "*.py" if package == "newsfacts" else "**/*.py"
        for path in root.glob(pattern):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join((package, *parts))] = path
    return found


def package_of(module: str) -> str:
    """The layer a module belongs to: the longest LAYERS name it starts with."""
    return max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len)


def imported(module: str, path: Path) -> set[str]:
    """Every newsfacts module this one imports, at module level or inside functions."""
    is_package = path.name == "__init__.py"
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names.add(target)
    return {name for name in names if name == "newsfacts" or name.startswith("newsfacts.")}


def package_edges() -> dict[tuple[str, str], list[str]]:
    """(importing package, imported package) → the modules that make the edge."""
    edges: dict[tuple[str, str], list[str]] = {}
    for module, path in modules().items():
        for target in imported(module, path):
            pair = (package_of(module), package_of(target))
            if pair[0] != pair[1]:
                edges.setdefault(pair, []).append(f"{module} imports {target}")
    return edges


def test_the_scan_sees_the_known_modules_and_edges():
    found = modules()
    assert {"newsfacts.cli", "newsfacts.flows.pipeline", "newsfacts.extractors.facts.extractor",
            "newsfacts.warehouse.load"} <= set(found)
    edges = package_edges()
    assert ("newsfacts", "newsfacts.flows") in edges          # the CLI runs the pipeline
    assert ("newsfacts.flows", "newsfacts.extractors") in edges
    assert ("newsfacts.flows", "newsfacts.warehouse") in edges


def test_no_package_imports_one_above_or_beside_it():
    upward = {pair: why for pair, why in package_edges().items() if LAYERS[pair[0]] <= LAYERS[pair[1]]}
    assert upward == {}


def test_the_package_graph_has_no_cycle():
    graph: dict[str, set[str]] = {}
    for source, target in package_edges():
        graph.setdefault(source, set()).add(target)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    assert [package for package in graph if reaches(package, package, set())] == []


def test_a_relative_import_resolves_inside_its_package():
    path = PROJECT / "extractors" / "facts" / "__init__.py"
    assert "newsfacts.extractors.facts.model" in imported("newsfacts.extractors.facts", path)
