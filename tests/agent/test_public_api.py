"""The agent's public surface is deliberate: this pins it, and the server, CLI and eval use only it."""

import ast
from pathlib import Path

import agent

ROOT = Path(__file__).resolve().parents[2]


def test_public_api_is_pinned() -> None:
    assert agent.__all__ == [
        "CheckInput",
        "Code",
        "Edit",
        "EditOptions",
        "InMemoryResultCache",
        "Mode",
        "PostEditor",
        "RedisResultCache",
        "ResultCache",
        "Segment",
        "SegmentResult",
        "Severity",
        "Status",
        "TraceStep",
        "TurnResult",
        "Usage",
        "Violation",
        "follow_up",
        "has_errors",
        "run_checks",
    ]
    assert all(getattr(agent, name) is not None for name in agent.__all__)


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_package_imports_a_private_name_of_another() -> None:
    """`from x._y import z` or `from x import _z` across top-level packages is a seam nobody promised."""
    crossings = []
    for path in ROOT.glob("*/**/*.py"):
        top = path.relative_to(ROOT).parts[0]
        if top in ("tests", "bench", ".venv", "build") or top.startswith("."):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
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
