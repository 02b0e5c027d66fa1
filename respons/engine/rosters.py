"""Rosters to staff-on-duty step functions, with sickness absence per shift.

A roster is a weekly pattern of shifts (a shift with `dates` only on days within them); it is
laid out over the period (plus the drain time, and from the day before so that night shifts
crossing midnight into day 0 count). Each shift instance loses a binomial number of absent
people (no cover hired: an assumption).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from respons.config import WEEKDAYS, Period, Pool, Shift
from respons.engine.randomness import Streams

DAY = 86400.0


@dataclass(frozen=True)
class OnDuty:
    """Staff on duty as a step function: `counts[i]` holds from `times[i]` to `times[i+1]`."""

    times: np.ndarray
    counts: np.ndarray

    def at(self, t: float) -> int:
        """Staff on duty at time t."""
        i = int(np.searchsorted(self.times, t, side="right")) - 1
        return int(self.counts[i]) if i >= 0 else 0

    def staff_seconds(self, t0: float, t1: float) -> float:
        """Integral of staff on duty over [t0, t1)."""
        edges = np.clip(np.append(self.times, np.inf), t0, t1)
        return float((np.diff(edges) * self.counts).sum())

    def cumulative(self, t: np.ndarray) -> np.ndarray:
        """Staff-seconds on duty from time 0 to each t (vectorised)."""
        counts = self.counts.astype(float)
        cum = np.concatenate([[0.0], np.cumsum(np.diff(self.times) * counts[:-1])])
        i = np.clip(np.searchsorted(self.times, t, side="right") - 1, 0, None)
        return np.where(t < self.times[0], 0.0, cum[i] + counts[i] * (t - self.times[i]))

    def per_hour(self, hours: int) -> np.ndarray:
        """Mean staff on duty in each of the first `hours` hours."""
        return np.diff(self.cumulative(np.arange(hours + 1) * 3600.0)) / 3600.0


def absences(pool: Pool, days: int, streams: Streams | None) -> list[np.ndarray]:
    """Per shift, a (days + 1) x staff boolean matrix of who is absent on each day.

    Person k of shift j draws from its own stream, so adding a person to a shift leaves
    everyone else's absences unchanged (staffing comparisons stay paired).
    """
    out = []
    for j, shift in enumerate(pool.shifts):
        if streams is None or pool.sickness_absence == 0:
            out.append(np.zeros((days + 1, shift.staff), dtype=bool))
            continue
        cols = [
            streams.get(f"sickness/{pool.name}/{j}/{k}").random(days + 1) < pool.sickness_absence
            for k in range(shift.staff)
        ]
        out.append(np.stack(cols, axis=1))
    return out


def _instances(pool: Pool, start: dt.date, days: int,
               streams: Streams | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, end (s) and staff present of every shift over days -1 .. days-1, as arrays
    ordered by day, then shift."""
    absent = absences(pool, days, streams)
    day = np.arange(-1, days)
    weekday = (start.weekday() + day) % 7
    rows = []
    for j, shift in enumerate(pool.shifts):
        on = np.isin(weekday, [WEEKDAYS.index(w) for w in shift.days])
        if shift.dates:
            dated = np.zeros(day.size, dtype=bool)
            for p in shift.dates:
                dated |= (day >= (p.start - start).days) & (day < (p.end - start).days)
            on &= dated
        s, e = shift.span_s
        present = shift.staff - absent[j].sum(axis=1)
        rows.append((day[on], np.full(int(on.sum()), j), day[on] * DAY + s, day[on] * DAY + e,
                     present[on]))
    if not rows:
        empty = np.empty(0)
        return empty, empty, empty.astype(np.int64)
    d, j, s, e, n = (np.concatenate(c) for c in zip(*rows, strict=True))
    order = np.lexsort((j, d))
    return s[order], e[order], n[order].astype(np.int64)


def on_duty(pool: Pool, start: dt.date, days: int, streams: Streams | None) -> OnDuty:
    """The pool's on-duty step function from time 0 over `days` days."""
    s, e, n = _instances(pool, start, days, streams)
    keep = (e > 0.0) & (n != 0)
    s, e, n = np.maximum(s[keep], 0.0), e[keep], n[keep]
    # Staff joining at each shift start and leaving at each end, summed per instant.
    times, inverse = np.unique(np.concatenate([[0.0], s, e]), return_inverse=True)
    steps = np.zeros(times.size, dtype=np.int64)
    np.add.at(steps, inverse, np.concatenate([[0], n, -n]))
    counts = np.cumsum(steps)
    keep = np.ones(times.size, dtype=bool)
    keep[1:] = counts[1:] != counts[:-1]
    return OnDuty(times=times[keep], counts=counts[keep])


def changes(pool: Pool, start: dt.date, days: int,
            streams: Streams | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gross changes of the pool's staff from time 0: at `times[i]`, `outs[i]` people leave
    and `ins[i]` come on duty (not netted; for the shift-change rule `at_once`)."""
    s, e, n = _instances(pool, start, days, streams)
    keep = (e > 0.0) & (n != 0)
    s, e, n = np.maximum(s[keep], 0.0), e[keep], n[keep]
    times, inverse = np.unique(np.concatenate([s, e]), return_inverse=True)
    ins = np.zeros(times.size, dtype=np.int64)
    outs = np.zeros(times.size, dtype=np.int64)
    np.add.at(ins, inverse[:s.size], n)
    np.add.at(outs, inverse[s.size:], n)
    return times, ins, outs


def _share_of(shift: Shift, period: Period | None) -> float:
    """Share of the period's days on which a dated shift may run (1 when undated)."""
    if not shift.dates or period is None:
        return 1.0
    days = sum(max(0, (min(p.end, period.end) - max(p.start, period.start)).days)
               for p in shift.dates)
    return days / period.days


def weekly_hours(pool: Pool, period: Period | None = None) -> float:
    """Rostered person-hours per week (before sickness); a shift with `dates` counts by the
    share of `period` it covers (in full without a period)."""
    total = 0.0
    for shift in pool.shifts:
        s, e = shift.span_s
        total += (e - s) / 3600.0 * shift.staff * len(shift.days) * _share_of(shift, period)
    return total


def fte(pool: Pool, hours_per_week: float, period: Period | None = None) -> float:
    """FTE implied by the roster: weekly rostered hours / hours per FTE week (dated shifts by
    the share of `period` they cover)."""
    return weekly_hours(pool, period) / hours_per_week
