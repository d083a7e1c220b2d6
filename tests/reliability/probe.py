"""Time `GET /healthz` every 10 ms until stdin closes (or 300 s pass); print the latencies in ms as JSON.

Run as `python -m tests.reliability.probe URL` by `load.py`: in a process of its own, so the client that
sends the load does not slow the probe down and the figure is the server's alone.
"""

from __future__ import annotations

import json
import sys
import threading
import time

import httpx


def main(base_url: str) -> None:
    closed = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), closed.set()), daemon=True).start()
    latencies: list[float | None] = []  # None: no 200
    deadline = time.monotonic() + 300
    with httpx.Client(base_url=base_url, timeout=5) as client:
        while not closed.is_set() and time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                ok = client.get("/healthz").status_code == 200
            except httpx.TransportError:
                ok = False
            latencies.append((time.perf_counter() - start) * 1000 if ok else None)
            time.sleep(0.01)
    print(json.dumps(latencies))


if __name__ == "__main__":
    main(sys.argv[1])
