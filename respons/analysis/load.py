"""Offered load against rostered capacity, before a run: overload is reported, never a hang.

Offered load (Erlang) is expected contacts x mean handling time / time, over the whole period
and per hour; capacity is the staff on duty. A load at or above capacity makes queues grow
without bound; the run still ends (at the period end plus `drain_days`), and contacts still
waiting then are reported as unanswered.

Tasks count too: follow-ups by their expected number (parent's rate x the share whose outcome
triggers them x probability, every parent assumed answered), placed in the parent's hour, with
travel there and back; tasks with their own rate like contacts. Task categories (call-backs,
walk-ins, IT work, visits) are also checked on their own, over the period, against the pools
serving them as primary (per municipality where those pools are scoped): a task pool may be
off duty for hours (IT at night) without harm, but not short over the whole period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from respons.config import INBOUND, OUTCOMES, BackupRule, EventKind, Municipality, ScenarioConfig
from respons.engine.arrivals import intensity
from respons.engine.rosters import on_duty
from respons.errors import UserError

HOUR = 3600.0
MAX_CONTACTS = 20_000_000  # per replication: about 2 GB of arrays; far above any real centre
_FORWARDED = [o != "resolved_by_operator" for o in OUTCOMES]


@dataclass(frozen=True)
class TaskLoad:
    """Offered load of one task category (in one municipality, for scoped pools) against the
    mean staff on duty of the pools serving it as primary."""

    category: str
    municipality: str | None
    offered_erlang: float
    staff_mean: float
    pools: tuple[str, ...]

    @property
    def overloaded(self) -> bool:
        return self.offered_erlang >= self.staff_mean and self.offered_erlang > 0


@dataclass(frozen=True)
class Load:
    """Expected contacts, offered Erlangs and staff on duty, overall and at the worst hour."""

    contacts: float
    offered_erlang: float
    staff_mean: float
    worst_hour: int
    worst_offered: float
    worst_staff: float
    tasks: tuple[TaskLoad, ...] = ()

    @property
    def utilisation(self) -> float:
        return self.offered_erlang / self.staff_mean if self.staff_mean else float("inf")

    @property
    def overloaded(self) -> bool:
        return self.offered_erlang >= self.staff_mean


def mean_handling_s(kind: EventKind, municipality: Municipality) -> float:
    """Mean handling time of a kind: talk, wrap-up, forwarding extra, travel there and back."""
    p_fwd = sum(p for p, f in zip(kind.outcomes.as_tuple(), _FORWARDED, strict=True) if f)
    mean_s = kind.talk.mean + kind.wrap_up.mean + p_fwd * kind.forward_extra.mean
    if kind.travel == "municipality":
        mean_s += 2.0 * municipality.homecare.travel.mean
    elif kind.travel is not None:
        mean_s += 2.0 * kind.travel.mean
    return mean_s


def offered_load(cfg: ScenarioConfig) -> Load:
    """Offered load per hour of the period against the total staff on duty (all pools)."""
    hours = cfg.period.days * 24
    work = np.zeros(hours)
    by_name = {m.name: m for m in cfg.municipalities}
    kinds = {k.name: k for k in cfg.event_kinds}
    tasks: dict[tuple[str, str], np.ndarray] = {}  # (task category, municipality): Erlang/h
    contacts = 0.0
    cache: dict = {}

    def follow(kind: EventKind, muni: Municipality, lam: np.ndarray) -> float:
        """Add the follow-up work of `lam` expected `kind` contacts; their expected count."""
        count = 0.0
        for f in kind.follow_ups:
            share = f.probability * (1.0 if f.when == "answered"
                                     else getattr(kind.outcomes, f.when))
            for name, q in f.kinds.items():
                child, expect = kinds[name], lam * share * q
                add(child, muni, expect)
                count += float(expect.sum()) + follow(child, muni, expect)
        return count

    def add(kind: EventKind, muni: Municipality, lam: np.ndarray) -> None:
        w = lam * mean_handling_s(kind, muni) / HOUR
        if kind.category not in INBOUND:
            key = (kind.category.value, muni.name)
            tasks[key] = tasks.get(key, 0.0) + w
        work[:] += w

    for kind in cfg.event_kinds:
        if kind.rate is None:
            continue
        for name in cfg.kind_municipalities(kind):
            lam = intensity(cfg, kind, by_name[name], cache)
            contacts += float(lam.sum())
            add(kind, by_name[name], lam)
            if kind.follow_ups:
                contacts += follow(kind, by_name[name], lam)
    for b in cfg.bursts:
        kind = kinds[b.kind]
        t0 = b.start - dt.datetime.combine(cfg.period.start, dt.time())
        h = min(int(t0.total_seconds() // HOUR), hours - 1)
        work[h] += b.count * (kind.talk.mean + kind.wrap_up.mean) / HOUR
        contacts += b.count
        if kind.follow_ups:
            names = cfg.burst_municipalities(b)
            pop = sum(by_name[n].population for n in names)
            for n in names:
                lam = np.zeros(hours)
                lam[h] = b.count * (by_name[n].population / pop if pop else 1 / len(names))
                contacts += follow(kind, by_name[n], lam)
    staff = np.zeros(hours)
    per_pool = {}
    for pool in cfg.pools:
        steps = on_duty(pool, cfg.period.start, cfg.period.days + 1, None)
        per_pool[pool.name] = steps.per_hour(hours)
        staff += per_pool[pool.name]
    ratio = np.where(staff > 0, work / np.maximum(staff, 1e-12), np.where(work > 0, np.inf, 0))
    worst = int(np.argmax(ratio))
    return Load(contacts, float(work.mean()), float(staff.mean()), worst, float(work[worst]),
                float(staff[worst]), _task_loads(cfg, tasks, per_pool))


def _task_loads(cfg: ScenarioConfig, tasks: dict[tuple[str, str], np.ndarray],
                per_pool: dict[str, np.ndarray]) -> tuple[TaskLoad, ...]:
    """Each task category's load (per municipality where its primary pools are scoped)."""
    out = []
    for cat in sorted({c for c, _ in tasks}):
        scoped = any(s.category.value == cat and s.municipalities is not None
                     for p in cfg.pools for s in p.serves)
        groups = sorted({m for c, m in tasks if c == cat}) if scoped else [None]
        for muni in groups:
            offered = sum(float(w.mean()) for (c, m), w in tasks.items()
                          if c == cat and (muni is None or m == muni))
            pools = tuple(p.name for p in cfg.pools for s in p.serves
                          if s.category.value == cat and s.rule == BackupRule.primary
                          and (muni is None or s.municipalities is None
                               or muni in s.municipalities))
            out.append(TaskLoad(cat, muni, offered,
                                float(sum(per_pool[p].mean() for p in pools)), pools))
    return tuple(out)


def check_size(load: Load) -> None:
    """Refuse a run whose contacts would not fit in memory, before drawing them."""
    if load.contacts > MAX_CONTACTS:
        raise UserError(f"the config gives about {load.contacts:,.0f} contacts per replication, "
                        f"more than the limit of {MAX_CONTACTS:,}; shorten `period` or lower "
                        "the rates in `event_kinds`.")


def describe(load: Load, cfg: ScenarioConfig) -> str | None:
    """Warnings when the offered load reaches the staff on duty (overall or in some hour, or
    for a task category over the period), one per line; None when all is well."""
    lines = [w for w in (_describe_total(load, cfg), *map(_describe_task, load.tasks)) if w]
    return "\n".join(lines) if lines else None


def _describe_task(t: TaskLoad) -> str | None:
    if not t.overloaded:
        return None
    where = f" in {t.municipality}" if t.municipality else ""
    pools = ", ".join(t.pools) or "no pool"
    return (f"warning: {t.category} work{where} offers {t.offered_erlang:.2f} Erlang on "
            f"average, at or above the {t.staff_mean:.2f} staff on duty of {pools}: its "
            "backlog grows through the period.")


def _describe_total(load: Load, cfg: ScenarioConfig) -> str | None:
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
