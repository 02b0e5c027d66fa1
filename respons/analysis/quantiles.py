"""Sample quantiles and distinct counts exactly as numpy computes them, without what numpy
imports for them: `np.quantile` calls `np.unique`, which imports `numpy.ma` (about 10 ms of a
command's start-up) to ask whether its input is masked.

`quantile(x, q)` is `float(np.quantile(x, q))` (numpy's default method, 'linear', Hyndman and
Fan's 7th) bit for bit: the same order statistics, found by the same `partition` call, and
numpy's interpolation `_lerp`: a + (b - a) * t, or b - (b - a) * (1 - t) for t >= 0.5. Any NaN
in `x` gives NaN, as numpy does. tests/test_startup.py checks it against numpy.
"""

from __future__ import annotations

import math

import numpy as np


def quantile(x: np.ndarray, q: float) -> float:
    """The `q` quantile (0 <= q <= 1) of the 1-d array `x`, exactly `float(np.quantile(x,
    q))`; NaN for an empty `x` (numpy would raise)."""
    if not 0.0 <= q <= 1.0:
        raise ValueError("Quantiles must be in the range [0, 1]")
    n = x.size
    if n == 0:
        return math.nan
    virtual = (n - 1) * q  # a numpy q keeps its type in what follows, as in numpy
    prev = nxt = -1  # at or above the last index: the largest value, as numpy does
    if virtual < n - 1:
        prev = math.floor(virtual)
        nxt = prev + 1
    gamma = virtual - prev
    arr = np.partition(x.ravel(), np.array(sorted({0, -1, prev, nxt}), dtype=np.intp))
    if arr.dtype.kind == "f" and math.isnan(arr[-1]):  # NaN sorts last
        return float(arr[-1])
    a, b = arr[prev], arr[nxt]
    diff = b - a
    value = b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma
    return float(value)


def distinct_count(x: np.ndarray) -> int:
    """How many distinct values `x` holds: `np.unique(x).size` (for arrays without NaN)."""
    if x.size == 0:
        return 0
    s = np.sort(x.ravel())
    return 1 + int(np.count_nonzero(s[1:] != s[:-1]))
