"""Suite-wide fixtures: the scripted OpenAI-compatible stub model (real HTTP) and shared paths."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.support.fixtures"]

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The public evaluation data beside the checkout (`../shared/data`); CI clones put it there too."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"{SHARED_DATA} is missing: the tests read the public data sets from ../shared/data")
    return SHARED_DATA
