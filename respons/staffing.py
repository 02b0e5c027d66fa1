"""Rosters to staff-on-duty step functions, with sickness absence per shift.

A roster is a weekly pattern of shifts; it is laid out over the period (plus the drain time,
and from the day before so that night shifts crossing midnight into day 0 count). Each
shift instance loses a binomial number of absent people (no cover hired: an assumption).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from respons.config import WEEKDAYS, Pool
from respons.randomness import Streams

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


def shift_instances(
    pool: Pool, start: dt.date, days: int, streams: Streams | None
) -> list[tuple[float, float, int]]:
    """Every (start_s, end_s, staff present) shift of `pool` over days -1 .. days-1."""
    absent = absences(pool, days, streams)
    out: list[tuple[float, float, int]] = []
    for d in range(-1, days):
        wd = WEEKDAYS[(start.weekday() + d) % 7]
        for j, shift in enumerate(pool.shifts):
            if wd not in shift.days:
                continue
            s, e = shift.span_s
            n = shift.staff - int(absent[j][d + 1].sum())
            out.append((d * DAY + s, d * DAY + e, n))
    return out


def on_duty(pool: Pool, start: dt.date, days: int, streams: Streams | None) -> OnDuty:
    """The pool's on-duty step function from time 0 over `days` days."""
    inst = shift_instances(pool, start, days, streams)
    pts: dict[float, int] = {0.0: 0}
    for s, e, n in inst:
        s = max(s, 0.0)
        if e <= 0.0 or n == 0:
            continue
        pts[s] = pts.get(s, 0) + n
        pts[e] = pts.get(e, 0) - n
    times = np.array(sorted(pts), dtype=float)
    counts = np.cumsum([pts[t] for t in times]).astype(np.int64)
    keep = np.ones(times.size, dtype=bool)
    keep[1:] = counts[1:] != counts[:-1]
    return OnDuty(times=times[keep], counts=counts[keep])


def weekly_hours(pool: Pool) -> float:
    """Rostered person-hours per week (before sickness)."""
    total = 0.0
    for shift in pool.shifts:
        s, e = shift.span_s
        total += (e - s) / 3600.0 * shift.staff * len(shift.days)
    return total


def fte(pool: Pool, hours_per_week: float) -> float:
    """FTE implied by the roster: weekly rostered hours / hours per FTE week."""
    return weekly_hours(pool) / hours_per_week
