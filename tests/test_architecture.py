"""The rooms of the package keep to the README's Architecture section: data flows
one way, no module reads another's private names, and none grows into a hall."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "namelink"
# A room is "about 400 lines" at most; chars.py's commented tables are the exception.
MAX_LINES = 420
TABLES_EXCEPTED = {"namelink.chars"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(node: ast.ImportFrom, module: str) -> str:
    """The absolute name of what an ``from ... import`` names (relative imports too)."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if MODULES[module].name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def type_checking_block(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def top_level_imports(module: str) -> set[str]:
    """The namelink modules that ``module`` imports when it is imported (not
    inside functions, not for type checking)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in tree.body:
        if type_checking_block(node):
            continue
        for inner in ast.walk(node) if isinstance(node, (ast.If, ast.Try)) else (node,):
            if isinstance(inner, ast.Import):
                found |= {alias.name for alias in inner.names if alias.name in MODULES}
            elif isinstance(inner, ast.ImportFrom):
                source = imported(inner, module)
                for alias in inner.names:
                    child = f"{source}.{alias.name}"
                    if child in MODULES:
                        found.add(child)
                    elif source in MODULES:
                        found.add(source)
    found.discard(module)
    return found


def test_no_module_imports_a_private_name_of_another() -> None:
    offenders = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and imported(node, module).startswith("namelink"):
                offenders += [
                    f"{module} imports {imported(node, module)}.{alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_") and not alias.name.startswith("__")
                ]
    assert offenders == []


def test_the_modules_import_each_other_without_a_cycle() -> None:
    graph = {module: top_level_imports(module) for module in MODULES}
    # A package's __init__ re-exports its submodules; a submodule importing a
    # sibling through the package is no cycle of rooms.
    for module, targets in graph.items():
        graph[module] = {t for t in targets if not module.startswith(t + ".")}
    state: dict[str, str] = {}
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_running_text_reads_through_the_lookup_protocol_not_the_gazetteer() -> None:
    source = MODULES["namelink.text"].read_text(encoding="utf-8")
    assert "namelink.gazetteer" not in source


@pytest.mark.parametrize("module", sorted(set(MODULES) - TABLES_EXCEPTED))
def test_no_module_is_much_over_four_hundred_lines(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines: split it by job"
