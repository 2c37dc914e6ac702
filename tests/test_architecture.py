"""The package structure the design asks for: imports point downwards only, no cycles.

    newsfacts (cli, resources, demo site)  →  newsfacts.flows  →  newsfacts.extractors
                                                               →  newsfacts.warehouse

extractors/ and warehouse/ import neither flows/ nor the CLI, nor each other.
"""

from __future__ import annotations

import ast
import re
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


# --- docs/ARCHITECTURE.md matches the tree ---------------------------------------------------------

DOC = (PROJECT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
PACKAGE_FOLDERS = ("newsfacts", "flows", "extractors", "warehouse")


def documented_tree() -> set[str]:
    """Paths of the files and folders the tree block of ARCHITECTURE.md lists."""
    block = DOC.split("## The tree", 1)[1].split("```", 2)[1]
    paths, folders = set(), []          # folders: (indent, "name/") of the enclosing lines
    for line in block.splitlines():
        stripped = line.lstrip(" ")
        name = stripped.split(" ", 1)[0]
        if not name.endswith((".py", ".toml", "/")):
            continue                      # a description continued, or a glob
        indent = len(line) - len(stripped)
        while folders and folders[-1][0] >= indent:
            folders.pop()
        path = "".join(folder for _indent, folder in folders) + name
        paths.add(path)
        if name.endswith("/"):
            folders.append((indent, name))
    return paths


def test_every_path_the_architecture_names_exists():
    paths = documented_tree()
    assert {"flows/pipeline.py", "extractors/facts/version.py", "warehouse/schema/tests/"} <= paths
    assert sorted(path for path in paths if not (PROJECT / path).exists()) == []


def test_every_module_is_in_the_architecture():
    modules_on_disk = {
        path.relative_to(PROJECT).as_posix()
        for folder in PACKAGE_FOLDERS for path in (PROJECT / folder).rglob("*.py")
        if path.name != "__init__.py" and "models" not in path.relative_to(PROJECT).parts
    }
    assert sorted(modules_on_disk - documented_tree()) == []


def test_every_dotted_module_the_architecture_names_exists():
    named = set(re.findall(r"`((?:newsfacts\.)?(?:flows|extractors|warehouse)(?:\.\w+)+)", DOC))
    assert "flows.http" in named
    missing = []
    for dotted in named:
        parts = dotted.removeprefix("newsfacts.").split(".")
        where = PROJECT / parts[0]
        for index, part in enumerate(parts[1:], start=1):
            if (where / f"{part}.py").is_file():
                break                     # a module; what follows names something inside it
            if (where / part).is_dir():
                where = where / part
                continue
            if index == 1:
                missing.append(dotted)    # not even the module exists
            break
    assert sorted(missing) == []


def test_the_drawn_import_graph_is_the_real_one():
    drawn = DOC.split("## The import graph", 1)[1].split("```", 2)[1]
    for source, target in package_edges():
        assert source in drawn and target in drawn
    assert ("newsfacts.extractors", "newsfacts.warehouse") not in package_edges()
