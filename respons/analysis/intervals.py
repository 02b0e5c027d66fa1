"""Confidence intervals over replications: the one Student-t interval of the project."""

from __future__ import annotations

import warnings

import numpy as np


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and Student-t bounds over axis 0 (replications), ignoring nan; the bounds are nan
    where fewer than two values remain. Works on a vector or column-wise on a matrix."""
    from scipy.special import stdtrit  # the Student-t quantile; lighter than scipy.stats

    m = np.asarray(values, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        n = np.sum(~np.isnan(m), axis=0)
        mean = np.nanmean(m, axis=0)
        sd = np.nanstd(m, axis=0, ddof=1)
    half = np.where(n > 1, stdtrit(np.maximum(n - 1, 1), 0.5 + level / 2)
                    * sd / np.sqrt(np.maximum(n, 1)), np.nan)
    return mean, mean - half, mean + half


def confidence_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t interval of a vector of replication values, as floats (nan bounds
    with fewer than two values, all nan with none)."""
    mean, lo, hi = mean_ci(np.asarray(values, dtype=float).ravel(), level)
    return float(mean), float(lo), float(hi)

