"""URLs and e-mail addresses are copied, never changed."""

from __future__ import annotations

import pytest

from agent.checks import (
    CheckInput,
    Violation,
    links,
)


def codes(found: list[Violation]) -> list[str]:
    return sorted(v.code for v in found)


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("See https://example.com/a?b=1.", "Siehe https://example.com/a?b=1.", []),
        ("See https://example.com/a.", "Siehe https://example.de/a.", ["url-changed", "url-changed"]),
        ("See www.example.com.", "Siehe die Website.", ["url-changed"]),
        ("Write to help@acme.com.", "Schreiben Sie an help@acme.com.", []),
        ("Write to help@acme.com.", "Schreiben Sie an hilfe@acme.com.", ["email-changed", "email-changed"]),
    ],
)
def test_links(source: str, target: str, expected: list[str]) -> None:
    inp = CheckInput(source, target, "en", "de")
    assert codes(links.url_changed(inp) + links.email_changed(inp)) == expected
