"""Confidence intervals over replications, computed once here and only formatted elsewhere.

Every KPI is estimated by the mean of its replication values (the replication/deletion
method): replications are independent and identically distributed, so their spread is the
honest measure of uncertainty, whatever happens inside a replication. The interval is the
Student-t interval of that mean, cut to the KPI's possible range (shares 0..1, counts and
times >= 0):

* cutting never changes the coverage: the true value lies in the range, so the cut interval
  contains it exactly when the t interval does; it only drops values that cannot occur;
* a share's value in one replication is the average of thousands of contacts, so it is close
  to normal and the t interval fits; it also estimates what the KPI means (the expected value
  of the replication's share), which a logit-scale interval (centred on the mean logit) does
  not, and a delta-method logit interval explodes with two or three replications (a share of
  99.9 % then gets an interval down to 0.2 %);
* a Wilson interval on the alarms pooled over all replications would be wrong: the alarms of
  one replication share its queue, roster and storms, so they are not independent trials and
  that interval is several times too narrow; a bootstrap over ten replications under-covers.

With fewer than `MIN_REPLICATIONS` replications the t quantile is large and the normal
approximation doubtful: callers warn (`few_replications_warning`).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

LEVEL = 0.95
MIN_REPLICATIONS = 5
# The possible range of a KPI by its unit.
RANGES: dict[str, tuple[float, float]] = {
    "share": (0.0, 1.0), "count": (0.0, math.inf), "s": (0.0, math.inf),
    "h": (0.0, math.inf), "hours": (0.0, math.inf), "nok": (0.0, math.inf),
}
METHOD = ("mean over replications with the Student-t 95 % confidence interval, cut to the "
          "possible range (shares 0..1, counts and times >= 0)")


def mean_ci(values: np.ndarray, level: float = LEVEL,
            unit: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and Student-t bounds over axis 0 (replications), ignoring nan; the bounds are nan
    where fewer than two values remain. Works on a vector or column-wise on a matrix.

    `unit` ('share', 'count', 's', ...) cuts the bounds to the unit's possible range; None
    (or a unit without a range, e.g. a paired difference) leaves them as they are.
    """
    from scipy.special import stdtrit  # the Student-t quantile; lighter than scipy.stats

    m = np.asarray(values, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        n = np.sum(~np.isnan(m), axis=0)
        mean = np.nanmean(m, axis=0)
        sd = np.nanstd(m, axis=0, ddof=1)
    half = np.where(n > 1, stdtrit(np.maximum(n - 1, 1), 0.5 + level / 2)
                    * sd / np.sqrt(np.maximum(n, 1)), np.nan)
    lo, hi = mean - half, mean + half
    bounds = RANGES.get(unit or "")
    if bounds is not None:
        lo, hi = np.clip(lo, *bounds), np.clip(hi, *bounds)
    return mean, lo, hi


def confidence_interval(values: np.ndarray, level: float = LEVEL,
                        unit: str | None = None) -> tuple[float, float, float]:
    """Mean and interval of a vector of replication values, as floats (nan bounds with fewer
    than two values, all nan with none); `unit` as in `mean_ci`."""
    mean, lo, hi = mean_ci(np.asarray(values, dtype=float).ravel(), level, unit)
    return float(mean), float(lo), float(hi)


def was_cut(mean: float | None, lo: float | None, hi: float | None, unit: str) -> bool:
    """True when a bound of an interval sits on its unit's range limit while the mean does
    not: the t interval reached past what is possible and was cut there."""
    bounds = RANGES.get(unit)
    if bounds is None or mean is None or lo is None or hi is None:
        return False
    return (lo == bounds[0] and mean != lo) or (hi == bounds[1] and mean != hi)


def few_replications_warning(replications: int) -> str | None:
    """A one-line warning when there are too few replications for a trustworthy interval."""
    if replications >= MIN_REPLICATIONS:
        return None
    if replications < 2:
        return ("a single replication has no confidence interval; run at least "
                f"{MIN_REPLICATIONS} replications")
    return (f"only {replications} replications: the 95 % intervals are wide and rest on a "
            f"normal approximation that few replications do not support; run at least "
            f"{MIN_REPLICATIONS}")
