"""Worker processes that end with their parent.

Replications, sweep tasks and staffing evaluations run on local processes (joblib's loky
backend). When the parent is killed (kill -9, a closed terminal, an out-of-memory kill) loky's
workers would finish their current task and linger for up to a minute. Every function sent to
a worker is wrapped in `EndsWithParent`: on its first call in a worker process it starts a
daemon thread that checks twice a second whether the parent still lives (the process has not
been re-parented) and ends the worker at once when it does not.

The replications of a run all carry a copy of the same config; `SameConfig` lets a worker
keep the first copy it received of that config object and use it for the later tasks (of
this run and of later runs of the same object), so that what is computed once per config
object (`arrivals.stream_rates`, about 12 ms for the 2020 baseline) is computed once per
worker, not once per task.
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
_sent: tuple[Any, tuple[int, int]] | None = None  # (config, its token): the last one sent
_kept: tuple[tuple[int, int], Any] | None = None  # (token, config): this worker's last
_sent_lock = threading.Lock()


def token_of(cfg: Any) -> tuple[int, int]:
    """The token of a config object: the same while the same object is sent again (the
    last one is held here, so its identity cannot pass to another object), a new one for
    any other object (the creating process and a counter: never reused)."""
    global _sent
    with _sent_lock:
        if _sent is None or _sent[0] is not cfg:
            _sent = (cfg, (os.getpid(), next(_calls)))
        return _sent[1]


class SameConfig:
    """`fn(cfg, *args)` for a call whose tasks all carry the same config object (the
    replications of one run): a worker uses the copy of that object it received first
    (in this call or an earlier one with the same object) instead of each task's own, so
    what is computed once per config object is computed once per worker. Only the last
    config is kept. Not for calls whose tasks carry different configs (a sweep's points)."""

    def __init__(self, fn: Callable[..., Any], cfg: Any) -> None:
        self.fn = fn
        self.token = token_of(cfg)

    def __call__(self, cfg: Any, *args: Any) -> Any:
        global _kept
        kept = _kept
        if kept is not None and kept[0] == self.token:
            cfg = kept[1]
        else:
            _kept = (self.token, cfg)
        return self.fn(cfg, *args)
