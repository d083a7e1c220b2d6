"""The HTTP service for CAT tools: FastAPI app, XLIFF, jobs on Redis, auth, DeepL-compatible subset."""

from server.main import create_app
from server.settings import Settings

__all__ = ["Settings", "create_app"]
