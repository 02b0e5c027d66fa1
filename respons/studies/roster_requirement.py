"""Staff required per 30-minute slot of the week, from Erlang C on the config's expected load.

The goal counts *alarms* answered within a limit, so the Erlang figure counts the same thing:
per 30-minute slot of the period, the share of that slot's alarms answered within the limit
when `n` people of the pool are on duty, with the pool's other work (e.g. technical alerts)
occupying the same people but queued behind the alarms (it has a lower priority). For
non-preemptive priority M/M/n with one service rate the top class waits

    P(W > t) = C(n, A) exp(-(n / tau - lambda_alarm) t)

with A the pool's whole offered load, tau its mean handling time and C Erlang's delay
probability (the probability that all are busy does not depend on the order of the queue).
Per slot of the week the expected alarms answered in time are summed over every occurrence
of that slot in the period (each week has its own load: members join, volumes ramp up), which
is how the goal's share is counted. Backup pools (lead, nurses) are not in the formula: the
simulation corrects for them (`roster.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from respons.config import OUTCOMES, BackupRule, Category, EventKind, Pool, ScenarioConfig
from respons.engine.arrivals import intensity
from respons.studies.roster_shifts import SLOT_MIN, SLOTS_PER_DAY, SLOTS_PER_WEEK

SLOT_S = SLOT_MIN * 60.0
MAX_LEVEL = 60  # most people on duty in one slot that the tables go up to


@dataclass(frozen=True)
class SlotLoads:
    """Expected load per 30-minute slot of the period: alarms, the pool's other contacts and
    the handling seconds of each, and the slot of the week each period slot falls in."""

    alarms: np.ndarray
    other: np.ndarray
    alarm_work_s: np.ndarray
    other_work_s: np.ndarray
    week_slot: np.ndarray

    @property
    def offered(self) -> np.ndarray:
        """Offered load (Erlang) of the pool in each slot."""
        return (self.alarm_work_s + self.other_work_s) / SLOT_S

    def subset(self, sel: np.ndarray) -> SlotLoads:
        """The period slots where `sel` holds."""
        return SlotLoads(self.alarms[sel], self.other[sel], self.alarm_work_s[sel],
                         self.other_work_s[sel], self.week_slot[sel])


def mean_handling_s(kind: EventKind) -> float:
    """Expected handling time of one contact of a kind (talk, wrap-up, forwarding), s."""
    forwarded = sum(p for o, p in zip(OUTCOMES, kind.outcomes.as_tuple(), strict=True)
                    if o != "resolved_by_operator")
    return kind.talk.mean + kind.wrap_up.mean + forwarded * kind.forward_extra.mean


def slot_loads(cfg: ScenarioConfig, pool: Pool) -> SlotLoads:
    """The expected alarms and other primary work of `pool` per 30-minute slot of the period
    (hourly intensity split evenly over the hour's two slots; storms are left out)."""
    primary = {s.category for s in pool.serves if s.rule == BackupRule.primary}
    hours = cfg.period.days * 24
    lam = {True: np.zeros(hours), False: np.zeros(hours)}
    work = {True: np.zeros(hours), False: np.zeros(hours)}
    munis = {m.name: m for m in cfg.municipalities}
    for k in cfg.event_kinds:
        if k.category not in primary:
            continue
        is_alarm = k.category == Category.alarm
        per = mean_handling_s(k) * pool.speed_factor
        for m in cfg.kind_municipalities(k):
            x = intensity(cfg, k, munis[m])
            lam[is_alarm] += x
            work[is_alarm] += x * per
    halves = 60 // SLOT_MIN

    def per_slot(v: np.ndarray) -> np.ndarray:
        return np.repeat(v / halves, halves)

    n = hours * halves
    day = np.arange(n) // SLOTS_PER_DAY
    weekday = (cfg.period.start.weekday() + day) % 7
    week_slot = weekday * SLOTS_PER_DAY + np.arange(n) % SLOTS_PER_DAY
    return SlotLoads(per_slot(lam[True]), per_slot(lam[False]), per_slot(work[True]),
                     per_slot(work[False]), week_slot)


def erlang_c_vec(n: int, a: np.ndarray) -> np.ndarray:
    """Erlang C delay probability for `n` servers and loads `a` (1 where a >= n)."""
    b = np.ones_like(a)
    for k in range(1, n + 1):
        ab = a * b
        b = ab / (k + ab)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = n * b / (n - a * (1 - b))
    return np.where(a < n, np.clip(c, 0.0, 1.0), 1.0) if n > 0 else np.ones_like(a)


def alarm_service_level(loads: SlotLoads, n: int, within_s: float) -> np.ndarray:
    """Per period slot: the share of alarms answered within `within_s` with `n` on duty."""
    work = loads.alarm_work_s + loads.other_work_s
    count = loads.alarms + loads.other
    if n <= 0:
        return np.where(loads.alarms > 0, 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = np.where(count > 0, work / count, 1.0)
        rate = n / tau - loads.alarms / SLOT_S  # alarm queue clearing rate, per second
    wait = erlang_c_vec(n, work / SLOT_S) * np.exp(-np.clip(rate, 0.0, None) * within_s)
    return np.where(rate > 0, 1.0 - wait, 0.0)


@dataclass(frozen=True)
class WithinTable:
    """Expected alarms per slot of the week (summed over the period) and, for n = 0..levels-1
    on duty, the expected alarms answered in time (Erlang): `within[k, n]`."""

    alarms: np.ndarray
    within: np.ndarray

    @property
    def levels(self) -> int:
        return self.within.shape[1]

    def misses(self) -> np.ndarray:
        """Expected alarms not answered in time, per slot of the week and level."""
        return self.alarms[:, None] - self.within

    def service_level(self) -> np.ndarray:
        """Share answered in time per slot of the week and level (1 where no alarms)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.alarms[:, None] > 0, self.within / self.alarms[:, None], 1.0)


def within_table(loads: SlotLoads, within_s: float, floor: int = 0) -> WithinTable:
    """The Erlang table up to the level where every slot answers practically all alarms in
    time (misses below 1e-6 of its alarms), at least `floor` + 2 levels."""
    alarms = np.bincount(loads.week_slot, weights=loads.alarms, minlength=SLOTS_PER_WEEK)
    cols = []
    for n in range(MAX_LEVEL + 1):
        sl = alarm_service_level(loads, n, within_s)
        cols.append(np.bincount(loads.week_slot, weights=loads.alarms * sl,
                                minlength=SLOTS_PER_WEEK))
        if n >= floor + 2 and np.all(alarms - cols[-1] <= 1e-6 * np.maximum(alarms, 1e-9)):
            break
    within = np.minimum(np.maximum.accumulate(np.stack(cols, axis=1), axis=1), alarms[:, None])
    return WithinTable(alarms, within)


def erlang_requirement(table: WithinTable, share: float, floor: int) -> np.ndarray:
    """Per slot of the week the fewest on duty (at least `floor`) whose Erlang share of the
    slot's alarms answered in time reaches `share`: the classic per-interval requirement."""
    ok = table.service_level() >= share - 1e-12
    ok[:, -1] = True
    need = np.argmax(ok, axis=1)
    return np.maximum(need, floor).astype(np.int64)
