"""Freed memory kept for the next replication (glibc's malloc, Linux only).

A replication allocates and frees the same memory as the one before it: the contacts' arrays,
the core's per-contact lists, the KPIs' masks. By default glibc gives freed memory back to
the system as soon as a few MiB are free at the top of its heap (the threshold follows the
largest block freed so far), so the next replication takes a page fault for every page it
touches again: about 3,400 per replication of the 2020 baseline (14 MiB), 2-7 % of its CPU
time, and more at larger volumes (issue 19, docs/performance.md).

`keep_freed_memory` raises glibc's two thresholds once per process (`mallopt`): blocks up to
`MMAP_BYTES` come from the heap, and up to `TRIM_BYTES` of free memory stay with the process
for reuse. It is process-wide, so `simulate_replication` calls it only from the second
replication a process runs (a process that runs one has nothing to reuse). Nothing changes
where the C library is not glibc, or where the user has tuned malloc through the environment
(any `MALLOC_*` variable or `GLIBC_TUNABLES`).
"""

from __future__ import annotations

import os
import sys

#: Blocks smaller than this come from the heap rather than from fresh pages of their own
#: (32 MiB: the largest value glibc's own dynamic threshold takes on 64-bit systems).
MMAP_BYTES = 32 << 20
#: Free memory kept at the top of the heap before it goes back to the system (256 MiB: the
#: working set of a replication of a centre 16 times the 2020 baseline).
TRIM_BYTES = 256 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h
_state: list[bool] = []  # [whether it took effect], once tried
_replications = [0]  # replications this process has begun (counted up to 2)


def before_replication() -> None:
    """Count a replication; from the process's second one on, keep freed memory."""
    if _replications[0] < 2:
        _replications[0] += 1
        if _replications[0] == 2:
            keep_freed_memory()


def keep_freed_memory() -> bool:
    """Raise glibc's trim and mmap thresholds, once per process; True if they were set."""
    if _state:
        return _state[0]
    _state.append(_set())
    return _state[0]


def _set() -> bool:
    if not sys.platform.startswith("linux") or "GLIBC_TUNABLES" in os.environ or any(
            name.startswith("MALLOC_") for name in os.environ):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018 - present in glibc only (not musl)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    # mmap threshold first: setting either turns glibc's dynamic adjustment off
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_BYTES)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_BYTES))
