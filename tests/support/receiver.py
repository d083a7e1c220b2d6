"""An HTTP endpoint on 127.0.0.1 that records what is POSTed to it: the integrator's end of job callbacks.

`Receiver(statuses=[500, 500])` answers 500 twice, then 200; `gate` holds every answer until it is set (a
slow receiver). Use it as a context manager: the server runs in a thread and is shut down by its handle.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from tests.support.ports import free_port

__all__ = ["Delivery", "Receiver"]


@dataclass(frozen=True)
class Delivery:
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes
    answered: int
    at: float  # time.monotonic() on arrival


class Receiver:
    def __init__(self, statuses: Iterable[int] = (), gate: threading.Event | None = None) -> None:
        self.statuses = deque(statuses)
        self.gate = gate
        self.deliveries: list[Delivery] = []
        self.arrived = threading.Event()  # set when a request arrives (before a gated answer)
        self._changed = threading.Condition()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks/postedit"
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                at = time.monotonic()
                receiver.arrived.set()
                if receiver.gate is not None:
                    receiver.gate.wait(timeout=60)
                with receiver._changed:
                    status = receiver.statuses.popleft() if receiver.statuses else 200
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    receiver.deliveries.append(Delivery(self.path, headers, body, status, at))
                    receiver._changed.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # keep the test output clean
                pass

        return Handler

    def wait_for(self, count: int, timeout: float = 60) -> list[Delivery]:
        """The first `count` deliveries, waiting for them to arrive."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.deliveries) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{len(self.deliveries)} of {count} callbacks arrived in {timeout} s"
                    )
                self._changed.wait(left)
            return list(self.deliveries[:count])

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.gate is not None:
            self.gate.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
