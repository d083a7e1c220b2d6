"""The live server of `tests/server/conftest.py` (real HTTP, the stub model, Redis db 15), reused here."""

from tests.server.conftest import api, client, model_config, model_stub

__all__ = ["api", "client", "model_config", "model_stub"]
