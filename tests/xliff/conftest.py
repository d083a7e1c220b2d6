"""XLIFF sample files (1.2 and 2.1) with nested inline tags, notes, locked and translate="no" units."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(params=["sample12.xlf", "sample20.xlf"])
def sample(request: pytest.FixtureRequest) -> bytes:
    return (DATA / request.param).read_bytes()
