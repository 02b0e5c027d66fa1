"""Offered load against rostered capacity, before a run: overload is reported, never a hang.

Offered load (Erlang) is expected contacts x mean handling time / time, over the whole period
and per hour; capacity is the staff on duty. A load at or above capacity makes queues grow
without bound; the run still ends (at the period end plus `drain_days`), and contacts still
waiting then are reported as unanswered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from respons.config import OUTCOMES, ScenarioConfig
from respons.engine.arrivals import intensity
from respons.engine.rosters import on_duty
from respons.errors import UserError

HOUR = 3600.0
MAX_CONTACTS = 20_000_000  # per replication: about 2 GB of arrays; far above any real centre
_FORWARDED = [o != "resolved_by_operator" for o in OUTCOMES]


@dataclass(frozen=True)
class Load:
    """Expected contacts, offered Erlangs and staff on duty, overall and at the worst hour."""

    contacts: float
    offered_erlang: float
    staff_mean: float
    worst_hour: int
    worst_offered: float
    worst_staff: float

    @property
    def utilisation(self) -> float:
        return self.offered_erlang / self.staff_mean if self.staff_mean else float("inf")

    @property
    def overloaded(self) -> bool:
        return self.offered_erlang >= self.staff_mean


def offered_load(cfg: ScenarioConfig) -> Load:
    """Offered load per hour of the period against the total staff on duty (all pools)."""
    hours = cfg.period.days * 24
    work = np.zeros(hours)
    by_name = {m.name: m for m in cfg.municipalities}
    contacts = 0.0
    for kind in cfg.event_kinds:
        p_fwd = sum(p for p, f in zip(kind.outcomes.as_tuple(), _FORWARDED, strict=True) if f)
        mean_s = kind.talk.mean + kind.wrap_up.mean + p_fwd * kind.forward_extra.mean
        for name in cfg.kind_municipalities(kind):
            lam = intensity(cfg, kind, by_name[name])
            contacts += float(lam.sum())
            work += lam * mean_s / HOUR
    for b in cfg.bursts:
        kind = next(k for k in cfg.event_kinds if k.name == b.kind)
        t0 = b.start - dt.datetime.combine(cfg.period.start, dt.time())
        h = min(int(t0.total_seconds() // HOUR), hours - 1)
        work[h] += b.count * (kind.talk.mean + kind.wrap_up.mean) / HOUR
        contacts += b.count
    staff = np.zeros(hours)
    for pool in cfg.pools:
        steps = on_duty(pool, cfg.period.start, cfg.period.days + 1, None)
        staff += steps.per_hour(hours)
    ratio = np.where(staff > 0, work / np.maximum(staff, 1e-12), np.where(work > 0, np.inf, 0))
    worst = int(np.argmax(ratio))
    return Load(contacts, float(work.mean()), float(staff.mean()), worst, float(work[worst]),
                float(staff[worst]))


def check_size(load: Load) -> None:
    """Refuse a run whose contacts would not fit in memory, before drawing them."""
    if load.contacts > MAX_CONTACTS:
        raise UserError(f"the config gives about {load.contacts:,.0f} contacts per replication, "
                        f"more than the limit of {MAX_CONTACTS:,}; shorten `period` or lower "
                        "the rates in `event_kinds`.")


def describe(load: Load, cfg: ScenarioConfig) -> str | None:
    """A warning when the offered load reaches the staff on duty (overall or in some hour)."""
    if load.overloaded:
        return (f"warning: offered load {load.offered_erlang:.2f} Erlang is at or above the "
                f"{load.staff_mean:.2f} staff on duty on average (utilisation "
                f"{100 * load.utilisation:.0f} %): queues grow through the period; the run ends "
                f"{cfg.drain_days:g} days after it and reports what is still waiting.")
    if load.worst_staff == 0 and load.worst_offered > 0:
        return (f"warning: hour {load.worst_hour} of the period has contacts but nobody on "
                "duty: they wait until the next shift.")
    if load.worst_offered >= load.worst_staff:
        day, hour = divmod(load.worst_hour, 24)
        return (f"warning: in hour {hour:02d}:00 of day {day + 1} the offered load "
                f"{load.worst_offered:.2f} Erlang reaches the {load.worst_staff:.0f} staff on "
                "duty: expect long waits then.")
    return None
