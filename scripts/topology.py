"""The production layout on one machine, without containers: the processes deploy/compose.yaml runs.

Redis with AOF (its own, on its own port), the model server, N API processes behind nginx `least_conn`,
and M job workers. It runs in the foreground until Ctrl-C, then stops everything it started, by PID:

    .venv/bin/python scripts/topology.py                       # the embedded model, 2 APIs, 2 workers
    .venv/bin/python scripts/topology.py --api 3 --workers 4 --model-config vllm.yaml --port 8080

With `--model-config`, the model is that gateway YAML's (vLLM, a hosted API); without it, the embedded
llama.cpp server is started once for all processes (`postedit model serve`). tests/deploy/test_topology.py
drives the same class with the stub model, kills a worker and an API process, and counts the segments.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from server.settings import child_environment  # noqa: E402

POSTEDIT = [sys.executable, "-c", "from cli.app import main; main()"]

NGINX_CONF = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/nginx-body;
    proxy_temp_path {dir}/nginx-proxy;
    upstream api {{
        least_conn;
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 50m;
        location / {{
            proxy_pass http://api;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_read_timeout 300s;
            proxy_buffering off;
        }}
    }}
}}
"""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def nginx_config(workdir: Path, upstreams: list[str], port: int) -> Path:
    """An nginx.conf sending each request to the API process with the fewest in flight."""
    servers = "\n".join(
        f"        server {u.removeprefix('http://')} max_fails=1 fail_timeout=5s;" for u in upstreams
    )
    conf = workdir / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=workdir, servers=servers, port=port))
    return conf


def nginx_binary() -> str:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise SystemExit("nginx is missing: apt-get install nginx-light (scripts/install.sh does)")
    return nginx


def wait_until(url: str, seconds: float, what: str, proc: subprocess.Popen[bytes] | None = None) -> bool:
    """True once `url` answers below 500; False if `proc` exited first; an error after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer {url} within {seconds:.0f} s")


class Topology:
    """Start, inspect, kill and stop the processes of one local production layout."""

    def __init__(
        self,
        workdir: Path,
        *,
        api: int = 2,
        workers: int = 2,
        port: int | None = None,
        model_config: Path | None = None,
        api_keys: str = "",
        settings: Mapping[str, str] | None = None,
    ) -> None:
        self.workdir = workdir
        self.api, self.workers = api, workers
        self.port = port or free_port()
        self.model_config = model_config
        self.api_keys = api_keys
        self.settings = dict(settings or {})
        self.redis_port = free_port()
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def _spawn(self, name: str, command: list[str], env: Mapping[str, str] | None = None) -> None:
        log = (self.workdir / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )

    def _service_env(self) -> dict[str, str]:
        env = {
            "POSTEDIT_ENV": "production",
            "POSTEDIT_REDIS_URL": self.redis_url,
            "POSTEDIT_EMBEDDED_AUTOSTART": "false",  # one model server for all, started here
            "POSTEDIT_API_KEYS": self.api_keys,
            **self.settings,
        }
        if self.model_config is not None:
            env["POSTEDIT_MODEL_CONFIG_PATH"] = str(self.model_config)
        return child_environment(env)

    def start(self) -> str:
        """Start every process and return nginx's URL once a request through it is served."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        redis_server = shutil.which("redis-server") or "redis-server"
        self._spawn(
            "redis",
            [redis_server, "--port", str(self.redis_port), "--bind", "127.0.0.1", "--dir", str(self.workdir),
             "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
        )  # fmt: skip
        if self.model_config is None:
            self._spawn("model", [*POSTEDIT, "model", "serve"])
            wait_until("http://127.0.0.1:8765/v1/models", 300, "the embedded model server")
        env = self._service_env()
        upstreams = [self._start_api(f"api-{i}", env) for i in range(1, self.api + 1)]
        for i in range(1, self.workers + 1):
            self._spawn(f"worker-{i}", [*POSTEDIT, "worker", "--log-level", "WARNING"], env)
        conf = nginx_config(self.workdir, upstreams, self.port)
        self._spawn("nginx", [nginx_binary(), "-p", str(self.workdir), "-c", str(conf), "-g", "daemon off;"])
        wait_until(f"{self.url}/readyz", 15, "nginx")
        return self.url

    def _start_api(self, name: str, env: Mapping[str, str]) -> str:
        """An API process on a free port, tried again on another if a client's connection took it meanwhile."""
        for _attempt in range(3):
            upstream = f"http://127.0.0.1:{free_port()}"
            port = upstream.rsplit(":", 1)[1]
            self._spawn(name, [*POSTEDIT, "serve", "--port", port, "--log-level", "warning"], env)
            if wait_until(f"{upstream}/readyz", 90, name, self.processes[name]):
                return upstream
        raise RuntimeError(f"{name} could not bind a port (see {self.workdir / name}.log)")

    def kill(self, name: str) -> None:
        """SIGKILL one process (a crash, not a shutdown): what a power cut or the OOM killer does."""
        proc = self.processes[name]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM every process this topology started (by its PID), SIGKILL what outlives 15 s."""
        for proc in self.processes.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in self.processes.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)

    def __enter__(self) -> Topology:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--api", type=int, default=2, help="API processes behind nginx")
    parser.add_argument("--workers", type=int, default=2, help="job workers")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port on 127.0.0.1")
    parser.add_argument("--model-config", type=Path, help="gateway YAML (default: the embedded model)")
    parser.add_argument("--api-keys", default="dev-key:default", help="KEY:TENANT,...")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="postedit-topology-"))
    topology = Topology(
        workdir, api=args.api, workers=args.workers, port=args.port,
        model_config=args.model_config, api_keys=args.api_keys,
    )  # fmt: skip
    stop = False

    def on_signal(_signum: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_signal)
    with topology:
        pids = ", ".join(f"{name} {proc.pid}" for name, proc in topology.processes.items())
        print(f"serving at {topology.url} (logs in {workdir}; {pids}); Ctrl-C stops", flush=True)
        try:
            while not stop:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
