"""The shape of the package, held by a scan of its source: no import cycles, no private names across modules, no
module or class grown past its size without a line in docs/architecture.md saying why.

Every import counts, those inside functions and under `if TYPE_CHECKING:` too: an import moved there still ties the
two modules together, it only hides the cycle from the interpreter.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src"
PACKAGE = "coachcli"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
MODULE_LINES = 450
CLASS_LINES = 250


@dataclass(frozen=True)
class Import:
    importer: str
    target: str  # the module imported from
    names: tuple[str, ...]  # the names taken from it (empty for `import x`)
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted((SOURCE / PACKAGE).rglob("*.py"))}


def is_package(name: str, known: dict[str, Path]) -> bool:
    return name in known and known[name].name == "__init__.py"


def resolve_relative(importer: str, level: int, module: str | None, known: dict[str, Path]) -> str:
    base = importer.split(".")
    if not is_package(importer, known):
        base = base[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join(base + ([module] if module else []))


def imports(known: dict[str, Path]) -> Iterator[Import]:
    for importer, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == PACKAGE:
                        yield Import(importer, alias.name, (), node.lineno)
            elif isinstance(node, ast.ImportFrom):
                target = resolve_relative(importer, node.level, node.module, known) if node.level else node.module or ""
                if target.split(".")[0] != PACKAGE:
                    continue
                names = tuple(alias.name for alias in node.names)
                # `from package import submodule` depends on the submodule, not on the package's __init__.
                submodules = [name for name in names if f"{target}.{name}" in known]
                for name in submodules:
                    yield Import(importer, f"{target}.{name}", (), node.lineno)
                rest = tuple(name for name in names if name not in submodules)
                if rest:
                    yield Import(importer, target, rest, node.lineno)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), and modules that import themselves."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def dependency_graph(known: dict[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in known}
    for found in imports(known):
        if found.target in known and found.target != found.importer:
            graph[found.importer].add(found.target)
    return graph


def private_imports(known: dict[str, Path]) -> list[str]:
    return [
        f"{found.importer} (line {found.line}) imports {name} from {found.target}"
        for found in imports(known)
        for name in found.names
        if name.startswith("_") and not name.startswith("__") and found.target != found.importer
    ]


def test_the_scan_finds_a_cycle_and_a_private_import_when_there_is_one(tmp_path: Path) -> None:
    """The checks below can fail: a cycle hidden inside a function is caught, and so is a private name."""
    first, second = tmp_path / "first.py", tmp_path / "second.py"
    first.write_text("from coachcli.second import _helper\n")
    second.write_text("def later() -> None:\n    from coachcli import first\n")
    known = {"coachcli.first": first, "coachcli.second": second}
    assert cycles(dependency_graph(known)) == [["coachcli.first", "coachcli.second"]]
    assert private_imports(known) == ["coachcli.first (line 1) imports _helper from coachcli.second"]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles() -> None:
    assert cycles(dependency_graph(modules())) == []


def test_no_private_name_is_imported_from_another_module() -> None:
    assert private_imports(modules()) == []


def explained() -> str:
    """The part of docs/architecture.md that says why a module or class is long."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    match = re.search(r"^## Long on purpose\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, "docs/architecture.md has no '## Long on purpose' section"
    return match.group(1)


def long_things(known: dict[str, Path]) -> Iterator[tuple[str, int, int]]:
    """(name, lines, limit) of every module and class over its limit."""
    for path in known.values():
        text = path.read_text(encoding="utf-8")
        count = len(text.splitlines())
        if count > MODULE_LINES:
            yield f"`{path.relative_to(SOURCE / PACKAGE).as_posix()}`", count, MODULE_LINES
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                length = node.end_lineno - node.lineno + 1
                if length > CLASS_LINES:
                    yield f"`{node.name}`", length, CLASS_LINES


@pytest.mark.parametrize("limit", [MODULE_LINES, CLASS_LINES])
def test_every_long_module_and_class_is_explained_in_the_architecture_page(limit: int) -> None:
    reasons = explained()
    unexplained = [
        f"{name}: {lines} lines (limit {over})"
        for name, lines, over in long_things(modules())
        if over == limit and name not in reasons
    ]
    assert unexplained == []
