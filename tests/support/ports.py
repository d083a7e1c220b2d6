"""A TCP port on 127.0.0.1 that nothing listens on, for test servers (and for "nothing answers here")."""

from __future__ import annotations

import socket

__all__ = ["free_port"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
