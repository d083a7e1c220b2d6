"""`postedit serve` refuses what cannot work before it starts anything."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from server.cli import build_app
from server.settings import get_settings


def test_several_workers_without_redis_are_refused_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POSTEDIT_REDIS_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    result = CliRunner().invoke(build_app(), ["serve", "--workers", "2"])
    get_settings.cache_clear()
    assert result.exit_code == 2
    assert "--workers 2 needs REDIS_URL" in result.output
