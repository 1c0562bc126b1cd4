"""The shape of the package: imports point one way, private modules stay home.

The rules come from ``docs/architecture.md``: no import cycle under ``leadmodel.domain`` (between
modules, and between its capability packages), ``TYPE_CHECKING`` and function-level imports
included; a private module (a ``_name`` segment) is imported only from inside the package that
holds it; the domain imports nothing from the layers above it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
ABOVE_DOMAIN = ("serde", "storage", "services", "analytics", "io", "cli", "testing", "registry")


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in (SRC / "leadmodel").rglob("*.py")}


def _is_package(name: str) -> bool:
    return _modules()[name].name == "__init__.py"


def _resolve(importer: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer if _is_package(importer) else importer.rpartition(".")[0]
    for _ in range(node.level - 1):
        base = base.rpartition(".")[0]
    return f"{base}.{node.module}" if node.module else base


def imports_of(name: str) -> Iterator[str]:
    """Every leadmodel module ``name`` imports: top level, under TYPE_CHECKING, in functions."""
    tree = ast.parse(_modules()[name].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(name, node)
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in _modules() else base for a in node.names
            ]
        else:
            continue
        yield from (t for t in targets if t in _modules())


def graph(prefix: str) -> dict[str, set[str]]:
    """The import graph between modules whose names start with ``prefix``."""
    inside = [m for m in _modules() if m == prefix or m.startswith(prefix + ".")]
    return {m: {t for t in imports_of(m) if t in inside and t != m} for m in inside}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def _capability(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:3])


def test_no_import_cycle_between_domain_modules() -> None:
    assert cycles(graph("leadmodel.domain")) == []


def test_no_import_cycle_between_domain_packages() -> None:
    packages: dict[str, set[str]] = {}
    for module, targets in graph("leadmodel.domain").items():
        here = _capability(module)
        packages.setdefault(here, set()).update(
            _capability(t) for t in targets if _capability(t) != here
        )
    assert cycles(packages) == []


def test_no_import_cycle_anywhere_in_the_package() -> None:
    assert cycles(graph("leadmodel")) == []


def _private_home(target: str) -> str | None:
    """The package a private module belongs to, or None for a public module."""
    parts = target.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:i])
    return None


def test_private_modules_are_imported_only_from_their_own_package() -> None:
    strays = [
        f"{module} imports {target}"
        for module in _modules()
        for target in imports_of(module)
        if (home := _private_home(target)) is not None
        and not (module == home or module.startswith(home + "."))
    ]
    assert strays == []


def test_the_domain_imports_nothing_from_the_layers_above() -> None:
    upward = [
        f"{module} imports {target}"
        for module, targets in graph("leadmodel").items()
        if module.startswith("leadmodel.domain")
        for target in targets
        if target.split(".")[1] in ABOVE_DOMAIN
    ]
    assert upward == []


def test_the_walk_sees_type_checking_and_function_imports() -> None:
    """A guard on the guard: the walk must see the kinds of import that hide cycles."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from leadmodel.errors import Problem\n"
        "def f():\n    from leadmodel import serde\n"
    )
    tree = ast.parse(source)
    names = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
    assert names == ["typing", "leadmodel.errors", "leadmodel"]
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


@pytest.mark.parametrize("package", sorted(p for p in _modules() if _is_package(p)))
def test_every_package_says_what_it_holds(package: str) -> None:
    assert ast.get_docstring(ast.parse(_modules()[package].read_text(encoding="utf-8")))
