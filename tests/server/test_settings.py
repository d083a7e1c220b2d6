"""Settings read mounted secret files, as compose and Kubernetes provide them, and say which file is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from server.settings import Settings


def test_the_webhook_secret_comes_from_a_mounted_file(tmp_path: Path) -> None:
    secret = tmp_path / "webhook_secret"
    secret.write_text("s3cret-from-a-file\n")
    settings = Settings(webhook_secret_file=secret)
    assert settings.webhook_secret.get_secret_value() == "s3cret-from-a-file"


def test_a_missing_secret_file_names_the_setting_and_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(ValidationError, match=r"POSTEDIT_WEBHOOK_SECRET_FILE: cannot read .*nowhere"):
        Settings(webhook_secret_file=missing)
