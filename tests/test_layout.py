"""Rules of the code's layout that a reviewer would otherwise check by hand (README, "Layout")."""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_FUNCTION_LINES = 60


def _sources() -> Iterator[tuple[Path, ast.Module]]:
    """Every Python file of the project outside tests/ (packages, bench, scripts)."""
    for path in sorted(ROOT.glob("*/**/*.py")):
        top = path.relative_to(ROOT).parts[0]
        if top in ("tests", "build") or top.startswith("."):
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_package_imports_a_private_name_of_another() -> None:
    """`from x._y import z` or `from x import _z` across top-level packages is a seam nobody promised."""
    crossings = []
    for path, tree in _sources():
        top = path.relative_to(ROOT).parts[0]
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not node.module or node.level:
                continue
            other = node.module.split(".")[0]
            if other == top:
                continue
            private = any(_private(part) for part in node.module.split(".")) or any(
                _private(a.name) for a in node.names
            )
            if private:
                crossings.append(f"{path.relative_to(ROOT)}: from {node.module} import ...")
    assert crossings == []


def test_no_function_is_longer_than_a_screen() -> None:
    long = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path, tree in _sources()
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and (node.end_lineno or node.lineno) - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


def test_only_the_settings_module_touches_the_environment() -> None:
    """`os.environ`, `os.getenv` and `os.putenv` belong to server/settings.py: one place says what is configurable."""
    touching = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, tree in _sources()
        if path.relative_to(ROOT).as_posix() != "server/settings.py"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in ("environ", "getenv", "putenv", "unsetenv")
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    ]
    assert touching == []
