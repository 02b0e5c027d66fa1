"""Issue 19: freed memory kept for the next replication (respons/engine/heap.py). Each check
runs in a fresh process: the setting is process-wide and once per process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GLIBC = sys.platform.startswith("linux") and os.confstr("CS_GNU_LIBC_VERSION") is not None

PROBE = """
import hashlib, json, sys
from respons.config.loading import load_config
from respons.engine import heap
from respons.engine.replication import simulate_replication
cfg = load_config(None, ["period.end=2020-02-01"])
seen, results = [], []
for r in range(int(sys.argv[1])):
    a = simulate_replication(cfg, 0).arrays
    seen.append(list(heap._state))
    results.append(hashlib.sha256(b"".join(x.tobytes() for x in (
        a.arrival_s, a.answer_s, a.end_s, a.answered_by, a.outcome))).hexdigest())
print(json.dumps({"seen": seen, "results": results}))
"""


def _probe(replications: int, **env: str) -> dict:
    """Run `replications` times replication 0 of a month of the 2020 baseline in a fresh
    process (with the user's malloc settings in `env` only)."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("MALLOC_") and k != "GLIBC_TUNABLES"}
    done = subprocess.run([sys.executable, "-c", PROBE, str(replications)], cwd=ROOT,
                          env={**clean, **env}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_one_replication_leaves_malloc_alone():
    out = _probe(1)
    assert out["seen"] == [[]]


@pytest.mark.skipif(not GLIBC, reason="glibc's malloc only")
def test_set_from_the_second_replication_on_and_results_unchanged():
    out = _probe(4)
    assert out["seen"] == [[], [True], [True], [True]]
    # the same replication every time: the same results whatever malloc keeps
    assert len(set(out["results"])) == 1


@pytest.mark.skipif(not GLIBC, reason="glibc's malloc only")
@pytest.mark.parametrize("env", [{"MALLOC_ARENA_MAX": "2"},
                                 {"GLIBC_TUNABLES": "glibc.malloc.tcache_count=0"}])
def test_a_user_who_tuned_malloc_keeps_their_settings(env):
    out = _probe(3, **env)
    assert out["seen"] == [[], [False], [False]]


def test_idempotent_in_this_process():
    from respons.engine import heap

    first = heap.keep_freed_memory()
    assert heap.keep_freed_memory() is first
    assert isinstance(first, bool)
