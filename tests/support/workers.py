"""`postedit worker` as a separate process for tests: started with a live server's settings, stopped by PID."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.server.conftest import LiveServer

ROOT = Path(__file__).resolve().parents[2]
WORKER = "from cli.serve import worker; worker(log_level='WARNING')"


@contextmanager
def worker_process(settings_env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen([sys.executable, "-c", WORKER], env={**os.environ, **settings_env}, cwd=ROOT)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def env_for(live: LiveServer) -> dict[str, str]:
    """The environment that gives a worker the live server's settings (one settings object reads it)."""
    s = live.settings
    env = {
        "POSTEDIT_REDIS_URL": s.redis_url or "",
        "POSTEDIT_REDIS_PREFIX": s.redis_prefix,
        "POSTEDIT_MODEL_CONFIG_PATH": str(s.model_config_path),
        "POSTEDIT_API_KEYS": s.api_keys,
        "POSTEDIT_JOB_LEASE_SECONDS": str(s.job_lease_seconds),
        "POSTEDIT_CONCURRENCY": str(s.concurrency),
        "POSTEDIT_EMBEDDED_AUTOSTART": "false",
        "POSTEDIT_WEBHOOK_ATTEMPTS": str(s.webhook_attempts),
        "POSTEDIT_WEBHOOK_BACKOFF_SECONDS": str(s.webhook_backoff_seconds),
        "POSTEDIT_WEBHOOK_TIMEOUT_SECONDS": str(s.webhook_timeout_seconds),
        "POSTEDIT_WORKER_MAX_JOBS": str(s.worker_max_jobs),
        "POSTEDIT_WEBHOOK_SECRET": s.webhook_secret.get_secret_value(),
    }
    return env
