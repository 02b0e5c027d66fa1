"""Worker processes that end with their parent.

Replications, sweep tasks and staffing evaluations run on local processes (joblib's loky
backend). When the parent is killed (kill -9, a closed terminal, an out-of-memory kill) loky's
workers would finish their current task and linger for up to a minute. Every function sent to
a worker is wrapped in `EndsWithParent`: on its first call in a worker process it starts a
daemon thread that checks twice a second whether the parent still lives (the process has not
been re-parented) and ends the worker at once when it does not.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

#: Seconds between two checks of the parent.
PERIOD_S = 0.5
_watching: int | None = None  # the pid whose watchdog runs in this process
_lock = threading.Lock()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PERIOD_S)
    os._exit(70)  # the parent is gone: nobody will read our result


def watch_parent(parent: int) -> None:
    """Start the watchdog of `parent` in this (worker) process, once. `parent` is the pid of
    the process that started the worker, known before it started: checking `os.getppid()`
    here instead would miss a parent that died before the worker's first task."""
    global _watching
    with _lock:
        if _watching == os.getpid():
            return
        _watching = os.getpid()
        threading.Thread(target=_watch, args=(parent,), daemon=True,
                         name="respons-parent-watch").start()


class EndsWithParent:
    """`fn`, run in a worker process that ends when the process that created it ends.
    Called in the creating process itself (a serial run), it is just `fn`."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.creator = os.getpid()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if os.getpid() != self.creator:
            watch_parent(self.creator)
        return self.fn(*args, **kwargs)
