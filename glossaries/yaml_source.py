"""YAML resources with line numbers: load safely, then point validation errors at the offending line.

PyYAML's composed node tree keeps a mark (line) for every value; pydantic reports a `loc` path. Walking
the path down the node tree turns "entries.3.status: bad value" into "file.yaml:14: ...".
"""

from __future__ import annotations

from typing import Any, NoReturn

import yaml
from pydantic import ValidationError

from glossaries.model import ResourceError

__all__ = ["MAX_DEPTH", "line_of", "load_yaml", "raise_validation_error"]

MAX_DEPTH = 64  # a glossary or style guide nests 4-5 levels; PyYAML's composer recurses once per level


def load_yaml(data: bytes, filename: str) -> tuple[Any, yaml.Node | None]:
    """The document's value and its node tree. Aliases are refused: a YAML bomb expands through them."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ResourceError(filename, f"not UTF-8 text ({exc.reason})", line) from None
    try:
        depth = 0
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                raise ResourceError(filename, "YAML aliases (*name) are not allowed", _line(event.start_mark))
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise ResourceError(
                        filename, f"nested more than {MAX_DEPTH} levels deep", _line(event.start_mark)
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is None:
            return None, None
        loader = yaml.SafeLoader(text)
        try:
            value = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise ResourceError(filename, f"invalid YAML: {reason}", _line(mark)) from None
    except yaml.YAMLError as exc:
        raise ResourceError(filename, f"invalid YAML: {exc}") from None
    return value, node


def _line(mark: Any) -> int | None:
    return int(mark.line) + 1 if mark is not None else None


def line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """Line of the deepest node on the path `loc`; steps that are not in the tree (union tags) are skipped."""
    if node is None:
        return None
    for step in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(step):
                    node = value
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            node = node.value[step]
    return _line(node.start_mark)


def raise_validation_error(
    exc: ValidationError, filename: str, node: yaml.Node | None, skip: int = 0
) -> NoReturn:
    """Re-raise pydantic's first error as a ResourceError naming the field and its line.

    `skip` drops leading `loc` steps the file does not have (a wrapper the reader added).
    """
    errors = exc.errors()
    # A misspelt key also makes the real one "missing": report the misspelling, which explains both.
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = tuple(err["loc"])[skip:]
    path = ".".join(str(s) for s in loc if _is_field(s))
    message = err["msg"].removeprefix("Value error, ")
    reason = f"{path}: {message}" if path else message
    raise ResourceError(filename, reason, line_of(node, loc)) from None


def _is_field(step: int | str) -> bool:
    """Pydantic puts union branch names (`str`, `list[str]`, `function-after[...]`) in `loc`; hide them."""
    return isinstance(step, int) or (not any(c in step for c in "[]-") and step not in {"str", "int", "bool"})
