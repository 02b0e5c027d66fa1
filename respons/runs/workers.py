"""Worker processes that end with their parent.

Replications, sweep tasks and staffing evaluations run on local processes (joblib's loky
backend). When the parent is killed (kill -9, a closed terminal, an out-of-memory kill) loky's
workers would finish their current task and linger for up to a minute. Every function sent to
a worker is wrapped in `EndsWithParent`: on its first call in a worker process it starts a
daemon thread that checks twice a second whether the parent still lives (the process has not
been re-parented) and ends the worker at once when it does not.

The tasks of one call all carry a copy of the same config; `SameConfig` lets a worker keep
the first copy it received and use it for the call's later tasks, so that what is computed
once per config object (`arrivals.stream_rates`, about 12 ms for the 2020 baseline) is
computed once per worker, not once per task.
"""

from __future__ import annotations

import itertools
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


_calls = itertools.count()
_kept: tuple[tuple[int, int], Any] | None = None  # (token, object): this worker's last


class SameConfig:
    """`fn(cfg, *args)` for a call whose tasks all carry the same config (the replications of
    one run): a worker uses the copy it first received in the call instead of each task's
    own (a call is told by a token made when this is built: the creating process and a
    counter, never reused). Only the last call's config is kept. Not for calls whose tasks
    carry different configs (a sweep's points)."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.token = (os.getpid(), next(_calls))

    def __call__(self, cfg: Any, *args: Any) -> Any:
        global _kept
        kept = _kept
        if kept is not None and kept[0] == self.token:
            cfg = kept[1]
        else:
            _kept = (self.token, cfg)
        return self.fn(cfg, *args)
