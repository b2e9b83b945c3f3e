"""A cheap stand-in for a heavy computation, importable by the worker process (module-level)."""

from __future__ import annotations

import os
import time


def slow_echo(store, x: int, delay: float = 0.0) -> dict:
    time.sleep(delay)
    return {"x": x, "pid": os.getpid(), "store": store is not None}
