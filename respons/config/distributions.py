"""Time distributions (seconds) as a pydantic discriminated union, each able to draw a batch.

Parameters are given as the mean (and spread) of the variable itself, since that is what an
operations user knows ("talk time averages 3 minutes"), not the underlying distribution's
parameters.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, model_validator

from respons.config.base import _Model

#: The longest time any distribution may give on average: a year. A handling, travel, on-site
#: or patience time beyond it has no meaning here, and the bound keeps sums finite.
MAX_SECONDS = 366 * 86400.0
#: Largest spread relative to the mean (coefficient of variation) of lognormal and gamma
#: times; beyond it nearly every draw is ~0 and the mean is carried by rare huge draws.
MAX_CV = 10.0


class _Dist(_Model):

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    @property
    def mean(self) -> float:  # pragma: no cover
        raise NotImplementedError


class Deterministic(_Dist):
    """Always the same value."""

    kind: Literal["deterministic"] = "deterministic"
    value: float = Field(ge=0, le=MAX_SECONDS, description="The value, seconds.")

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, float(self.value))

    @property
    def mean(self) -> float:
        return float(self.value)


class Exponential(_Dist):
    """Exponential with the given mean."""

    kind: Literal["exponential"] = "exponential"
    mean_s: float = Field(gt=0, le=MAX_SECONDS, description="Mean, seconds.")

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean_s, n)

    @property
    def mean(self) -> float:
        return float(self.mean_s)


class Lognormal(_Dist):
    """Lognormal given by the mean and standard deviation of the variable (not of its log)."""

    kind: Literal["lognormal"] = "lognormal"
    mean_s: float = Field(gt=0, le=MAX_SECONDS, description="Mean of the variable, seconds.")
    sd_s: float = Field(gt=0, le=MAX_CV * MAX_SECONDS,
                        description="Standard deviation of the variable, seconds.")

    @model_validator(mode="after")
    def _spread(self) -> Lognormal:
        if self.sd_s > MAX_CV * self.mean_s:
            raise ValueError(f"sd_s: at most {MAX_CV:g} x mean_s, got {self.sd_s:g} for a mean "
                             f"of {self.mean_s:g}")
        return self

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        sigma2 = math.log1p((self.sd_s / self.mean_s) ** 2)
        mu = math.log(self.mean_s) - sigma2 / 2
        return rng.lognormal(mu, math.sqrt(sigma2), n)

    @property
    def mean(self) -> float:
        return float(self.mean_s)


class Gamma(_Dist):
    """Gamma given by its mean and coefficient of variation (cv = 1 is exponential)."""

    kind: Literal["gamma"] = "gamma"
    mean_s: float = Field(gt=0, le=MAX_SECONDS, description="Mean, seconds.")
    cv: float = Field(gt=0, le=MAX_CV, description="Coefficient of variation (sd / mean), "
                      "dimensionless.")

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        shape = 1.0 / self.cv**2
        return rng.gamma(shape, self.mean_s / shape, n)

    @property
    def mean(self) -> float:
        return float(self.mean_s)


class Empirical(_Dist):
    """Resample observed values, optionally weighted."""

    kind: Literal["empirical"] = "empirical"
    values_s: list[float] = Field(min_length=1, description="Observed values, seconds (>= 0).")
    weights: list[float] | None = Field(
        default=None, description="Relative weights, one per value (default equal)."
    )

    @model_validator(mode="after")
    def _check(self) -> Empirical:
        if any(not 0 <= v <= MAX_SECONDS for v in self.values_s):
            raise ValueError(f"values_s: every value must be between 0 and {MAX_SECONDS:g} s")
        if self.weights is not None:
            if len(self.weights) != len(self.values_s):
                raise ValueError("weights must have one entry per value in values_s")
            if any(not math.isfinite(w) or w < 0 for w in self.weights) or max(self.weights) <= 0:
                raise ValueError("weights must be finite, >= 0 and not all zero")
        return self

    def _p(self) -> np.ndarray | None:
        if self.weights is None:
            return None
        w = np.asarray(self.weights, dtype=float)
        w = w / w.max()  # first to at most 1: the sum cannot overflow, however large they are
        return w / w.sum()

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.choice(np.asarray(self.values_s, dtype=float), size=n, p=self._p())

    @property
    def mean(self) -> float:
        p = self._p()
        v = np.asarray(self.values_s, dtype=float)
        return float(v.mean() if p is None else (v * p).sum())


class Triangular(_Dist):
    """Triangular between `low_s` and `high_s` with its peak at `mode_s` (a planner's
    "at least, usually, at most")."""

    kind: Literal["triangular"] = "triangular"
    low_s: float = Field(ge=0, description="Smallest value, seconds.")
    mode_s: float = Field(ge=0, description="Most likely value, seconds.")
    high_s: float = Field(ge=0, description="Largest value, seconds.")

    @model_validator(mode="after")
    def _order(self) -> Triangular:
        if not all(math.isfinite(v) for v in (self.low_s, self.mode_s, self.high_s)):
            raise ValueError("low_s, mode_s and high_s must be finite")
        if not self.low_s <= self.mode_s <= self.high_s or self.low_s == self.high_s:
            raise ValueError(f"need low_s <= mode_s <= high_s and low_s < high_s, got "
                             f"{self.low_s:g}, {self.mode_s:g}, {self.high_s:g}")
        return self

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.triangular(self.low_s, self.mode_s, self.high_s, n)

    @property
    def mean(self) -> float:
        return (self.low_s + self.mode_s + self.high_s) / 3.0


class Uniform(_Dist):
    """Uniform between `low_s` and `high_s`."""

    kind: Literal["uniform"] = "uniform"
    low_s: float = Field(ge=0, description="Smallest value, seconds.")
    high_s: float = Field(ge=0, description="Largest value, seconds.")

    @model_validator(mode="after")
    def _order(self) -> Uniform:
        if not (math.isfinite(self.low_s) and math.isfinite(self.high_s)):
            raise ValueError("low_s and high_s must be finite")
        if not self.low_s < self.high_s:
            raise ValueError(f"need low_s < high_s, got {self.low_s:g} and {self.high_s:g} "
                             "(use a deterministic distribution for one value)")
        return self

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low_s, self.high_s, n)

    @property
    def mean(self) -> float:
        return (self.low_s + self.high_s) / 2.0


AnyDistribution = Deterministic | Exponential | Lognormal | Gamma | Empirical | Triangular | Uniform
Distribution = Annotated[AnyDistribution, Field(discriminator="kind")]


def scaled(dist: AnyDistribution, factor: float):
    """The same distribution with every value multiplied by `factor` (shape kept)."""
    if isinstance(dist, Deterministic):
        return dist.model_copy(update={"value": dist.value * factor})
    if isinstance(dist, Triangular):
        return dist.model_copy(update={"low_s": dist.low_s * factor,
                                       "mode_s": dist.mode_s * factor,
                                       "high_s": dist.high_s * factor})
    if isinstance(dist, Uniform):
        return dist.model_copy(update={"low_s": dist.low_s * factor,
                                       "high_s": dist.high_s * factor})
    if isinstance(dist, Lognormal):
        return dist.model_copy(update={"mean_s": dist.mean_s * factor, "sd_s": dist.sd_s * factor})
    if isinstance(dist, Exponential | Gamma):
        return dist.model_copy(update={"mean_s": dist.mean_s * factor})
    return dist.model_copy(update={"values_s": [v * factor for v in dist.values_s]})
