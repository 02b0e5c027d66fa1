"""Named, independent random streams from (seed, replication, stream name).

Replications are children of one root `SeedSequence(seed)` made with `spawn`; each named
stream is a further child keyed by a stable hash of its name. Adding a municipality or
changing the roster therefore moves no other stream (common random numbers), and no global
RNG is ever touched.
"""

from __future__ import annotations

import zlib

import numpy as np


def replication_seed(seed: int, replication: int) -> np.random.SeedSequence:
    """The SeedSequence `spawn` would give replication `replication` (0-based), directly."""
    return np.random.SeedSequence(seed, spawn_key=(replication,))


def stream_key(name: str) -> int:
    """A stable 32-bit key for a stream name (CRC-32, identical across processes)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """Factory of named generators for one replication."""

    def __init__(self, replication_seq: np.random.SeedSequence) -> None:
        self._seq = replication_seq

    def get(self, name: str) -> np.random.Generator:
        """A fresh generator for `name`; the same name always gives the same numbers."""
        child = np.random.SeedSequence(
            self._seq.entropy, spawn_key=(*self._seq.spawn_key, stream_key(name))
        )
        return np.random.Generator(np.random.PCG64(child))
