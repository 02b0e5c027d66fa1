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


def sample_times(lam: np.ndarray, rng: np.random.Generator,
                 starts: np.ndarray | None = None) -> np.ndarray:
    """Sorted arrival times (s) of a Poisson process with `lam[h]` expected arrivals in hour h
    (or, with `starts`, in the hour starting at `starts[h]` s: the hours with a rate only)."""
    if starts is None:
        hours = np.flatnonzero(lam)  # a zero rate draws nothing from the stream: skip it
        lam, starts = lam[hours], _hour_starts(lam.size)[hours]
    counts = rng.poisson(lam)
    n = int(counts.sum())
    return np.sort(starts.repeat(counts) + rng.random(n) * HOUR)


def stream_rates(cfg: ScenarioConfig) -> list[tuple[int, str, np.ndarray, np.ndarray]]:
    """(event kind, municipality name, expected arrivals in each hour that has any, the
    start of each of those hours in s) of each arrival stream of the config, in the order
    `contacts.draw` draws them (hours without a rate draw nothing from the stream, so they
    are left out). The same for every replication: kept for the config last asked about (a
    frozen config is the same object for all its replications in a process), read-only;
    one reference read and written at once, so threads simulating other configs never see
    a mixed pair."""
    global _LAST_RATES
    last = _LAST_RATES
    if last is not None and last[0] is cfg:
        return last[1]
    cache: dict = {}
    rates = []
    by_name = {m.name: m for m in cfg.municipalities}
    for k, kind in enumerate(cfg.event_kinds):
        if kind.rate is None:
            continue
        for name in cfg.kind_municipalities(kind):
            lam = intensity(cfg, kind, by_name[name], cache)
            hours = np.flatnonzero(lam)
            lam, starts = lam[hours], _hour_starts(lam.size)[hours]
            lam.flags.writeable = starts.flags.writeable = False
            rates.append((k, name, lam, starts))
    _LAST_RATES = (cfg, rates)
    return rates


_LAST_RATES: tuple[ScenarioConfig, list[tuple[int, str, np.ndarray, np.ndarray]]] | None = None


@lru_cache(maxsize=8)
def _hour_starts(hours: int) -> np.ndarray:
    """The start (s) of each hour of a period of `hours` hours (shared: read-only)."""
    starts = np.arange(hours, dtype=float) * HOUR
    starts.flags.writeable = False
    return starts
