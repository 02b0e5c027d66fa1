"""Non-homogeneous Poisson arrivals per municipality x event kind.

The intensity is piecewise constant per hour: yearly rate x hour-of-day x weekday weight x
ramp-up (linear from the join date; not for the legevakt's own calls and tasks, which do not
depend on when a member joined the response centre). Per hour the count is Poisson and the
times uniform, which is exact for a piecewise-constant intensity and fully vectorised.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np

from respons.config import EventKind, Municipality, Profile, RateBasis, ScenarioConfig
from respons.config.scenario import TASK_HOME, Category

HOUR = 3600.0
DAY = 86400.0


def hourly_weights(profile: Profile, start: dt.date, hours: int) -> np.ndarray:
    """Relative intensity of each hour of the period (mean 1 over a whole week)."""
    hourly = np.asarray(profile.hourly, dtype=float)
    hourly = hourly / hourly.mean()
    weekday = np.asarray(profile.weekday, dtype=float)
    weekday = weekday / weekday.mean()
    h = np.arange(hours)
    dow = (start.weekday() + h // 24) % 7
    return hourly[h % 24] * weekday[dow]


def ramp(municipality: Municipality, start: dt.date, hours: int) -> np.ndarray:
    """Share of full volume in each hour: 0 before joining, linear over the ramp-up, then 1."""
    t_mid = (np.arange(hours) + 0.5) * HOUR
    t_join = (municipality.joined - start).days * DAY
    if municipality.ramp_up_days <= 0:
        return (t_mid >= t_join).astype(float)
    return np.clip((t_mid - t_join) / (municipality.ramp_up_days * DAY), 0.0, 1.0)


def yearly_rate(kind: EventKind, municipality: Municipality) -> float:
    """Mean arrivals per year at full volume for this municipality (0 for a kind that arrives
    only as a follow-up)."""
    if kind.rate is None:
        return 0.0
    basis = kind.rate.basis
    if basis == RateBasis.per_1000_inhabitants:
        return kind.rate.per_year * municipality.population / 1000.0
    if basis == RateBasis.per_80plus:
        return kind.rate.per_year * float(municipality.population_80plus or 0)
    if basis == RateBasis.per_user:
        return kind.rate.per_year * float(municipality.alarm_users or 0)
    if basis == RateBasis.per_device:
        return kind.rate.per_year * float(municipality.alarm_users or 0) \
            * municipality.devices_per_user
    return kind.rate.per_year


def intensity(
    cfg: ScenarioConfig, kind: EventKind, municipality: Municipality,
    cache: dict | None = None,
) -> np.ndarray:
    """Expected arrivals in each hour of the period (zeros for a follow-up-only kind).
    `cache` (a dict kept by the caller) keeps the profile weights and ramps between calls."""
    hours = cfg.period.days * 24
    if kind.rate is None or kind.profile is None:
        return np.zeros(hours)
    per_hour = yearly_rate(kind, municipality) / (365.0 * 24.0)
    start = cfg.period.start
    if cache is None:
        cache = {}
    weights = cache.get(("profile", kind.profile))
    if weights is None:
        weights = cache[("profile", kind.profile)] = hourly_weights(
            cfg.profiles[kind.profile], start, hours)
    if TASK_HOME.get(kind.category, kind.category) == Category.legevakt:
        # the legevakt's own calls and tasks: `joined` dates the centre's services, not the
        # member's legevakt (e.g. all of 2019 although Respons went live in August)
        return per_hour * weights
    share = cache.get(("ramp", municipality.name))
    if share is None:
        share = cache[("ramp", municipality.name)] = ramp(municipality, start, hours)
    return per_hour * weights * share


def expected_count(cfg: ScenarioConfig, kind: EventKind, municipality: Municipality) -> float:
    """Expected arrivals over the whole period (for reports and calibration)."""
    return float(intensity(cfg, kind, municipality).sum())


def sample_times(lam: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Sorted arrival times (s) of a Poisson process with `lam[h]` expected arrivals in hour h."""
    hours = np.flatnonzero(lam)  # a zero rate draws nothing from the stream: skip it
    counts = rng.poisson(lam[hours])
    n = int(counts.sum())
    base = _hour_starts(lam.size)[hours].repeat(counts)
    return np.sort(base + rng.random(n) * HOUR)


@lru_cache(maxsize=8)
def _hour_starts(hours: int) -> np.ndarray:
    """The start (s) of each hour of a period of `hours` hours (shared: read-only)."""
    starts = np.arange(hours, dtype=float) * HOUR
    starts.flags.writeable = False
    return starts
