"""CPU-heavy work on uploads, off the API's process.

A thread is not enough for pure-Python parsing: while it holds the GIL, every await of the event loop waits
its turn (a 30 MB XLIFF file held /healthz for 0.8 s from a thread). One spawned process parses instead;
it is started on first use, and a second large upload waits for the first rather than taking both cores.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

__all__ = ["LARGE_INPUT_BYTES", "parse_off_loop", "run_in_process"]

T = TypeVar("T")
LARGE_INPUT_BYTES = 1_000_000  # below this a thread does: parsing takes milliseconds, a spawn a second
_pool: ProcessPoolExecutor | None = None


def _exit_with(parent: int) -> None:
    """In the parsing process: exit once the API process is gone, however it ended (a killed server would
    otherwise leave its parser waiting for work forever)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def _executor() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:  # spawn, not fork: the API process has threads (uvicorn, Redis, to_thread)
        context = multiprocessing.get_context("spawn")
        _pool = ProcessPoolExecutor(1, mp_context=context, initializer=_exit_with, initargs=(os.getpid(),))
    return _pool


async def run_in_process(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` in the parsing process; `fn`, its arguments, result and exceptions must pickle."""
    return await asyncio.get_running_loop().run_in_executor(_executor(), fn, *args)


async def parse_off_loop(fn: Callable[[str, bytes], T], kind: str, data: bytes) -> T:
    """`fn(kind, data)` in a thread for a small input, in the parsing process for a large one."""
    if len(data) < LARGE_INPUT_BYTES:
        return await asyncio.to_thread(fn, kind, data)
    return await run_in_process(fn, kind, data)
