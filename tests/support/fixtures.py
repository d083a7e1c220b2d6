"""Shared pytest fixtures, loaded by `tests/conftest.py`: `pytest_plugins = ["tests.support.fixtures"]`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.stub_llm import StubLLM

__all__ = ["stub_llm"]


@pytest.fixture
def stub_llm() -> Iterator[StubLLM]:
    """A fresh scripted OpenAI-compatible server on 127.0.0.1 for one test."""
    with StubLLM() as stub:
        yield stub
