"""The core's clock: SimPy's environment as the clock and the queue of timed events, with lean
entries, and the steppers of rosters.

SimPy orders its queue by (time, priority, insertion number) and keeps the clock in `_now`;
the core uses exactly that (`simpy.Environment`'s `_queue`, `_eid` and `_now`, as
`Environment.schedule` and `step` do), with an entry that is a callback instead of an event
object: `(time, priority, number, fn, arg)`, and `fn(arg)` is called when it is due
(`run_due`). No event object is made per entry and the callbacks take their argument
directly: about half the cost of a SimPy event (issue 19). The core never calls
`Environment.step` (it cannot run these entries); `at` schedules at an absolute time (a delay
from `now` would be rounded: `now + (t - now)` need not equal `t`), `call` after a delay, as
`Environment.schedule` computes it. Tested against the SimPy version in use
(tests/test_speed.py).
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any, Protocol

import numpy as np
import simpy
from simpy.events import NORMAL, URGENT

from respons.engine.rosters import OnDuty


def call(env: simpy.Environment, delay: float, fn: Callable[[Any], None], arg: Any = None) -> None:
    """Call `fn(arg)` `delay` s from now (at the float `Environment.schedule` would give)."""
    heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), fn, arg))


def at(env: simpy.Environment, t: float, fn: Callable[[Any], None], arg: Any = None) -> None:
    """Call `fn(arg)` at the absolute time `t` (exactly that float)."""
    heappush(env._queue, (t, NORMAL, next(env._eid), fn, arg))


def urgent(env: simpy.Environment, fn: Callable[[Any], None], arg: Any) -> None:
    """Call `fn(arg)` now, before any regular entry due now (as a process start would)."""
    heappush(env._queue, (env._now, URGENT, next(env._eid), fn, arg))


def run_due(env: simpy.Environment, until: float) -> None:
    """Run the entries due before `until` (exclusive), in SimPy's order, moving the clock."""
    queue = env._queue
    while queue and queue[0][0] < until:
        env._now, _, _, fn, arg = heappop(queue)
        fn(arg)


class Staffed(Protocol):
    env: simpy.Environment

    def roster_change(self, p: int, delta: int) -> None: ...

    def shift_change(self, p: int, ins: int, outs: int) -> None: ...


class Roster:
    """Steps pool p's on-duty count through its step function, one event per change."""

    def __init__(self, centre: Staffed, p: int, on_duty: OnDuty):
        self.centre, self.p = centre, p
        self.steps = list(zip(on_duty.times.tolist(), on_duty.counts.tolist(), strict=True))
        self.prev = 0
        urgent(centre.env, self._step, 0)

    def _step(self, k: int) -> None:
        env = self.centre.env
        while k < len(self.steps):
            t, n = self.steps[k]
            if t > env._now:
                call(env, t - env._now, self._step, k)
                return
            self.centre.roster_change(self.p, int(n) - self.prev)
            self.prev = int(n)
            k += 1


class Changes:
    """Steps pool p through its gross shift changes (rule at_once), one event per instant."""

    def __init__(self, centre: Staffed, p: int, changes: tuple[np.ndarray, ...]):
        self.centre, self.p = centre, p
        times, ins, outs = changes
        self.steps = list(zip(times.tolist(), ins.tolist(), outs.tolist(), strict=True))
        urgent(centre.env, self._step, 0)

    def _step(self, k: int) -> None:
        env = self.centre.env
        while k < len(self.steps):
            t, ins, outs = self.steps[k]
            if t > env._now:
                call(env, t - env._now, self._step, k)
                return
            self.centre.shift_change(self.p, int(ins), int(outs))
            k += 1


def arrival_clock(listed: list[float], arrival: np.ndarray,
                  until: float) -> tuple[list[float], int]:
    """The time each arrival is taken at, and how many come before `until` (up to the first
    at or after it); `listed` is `arrival` as a list (of all rows: only the first
    `arrival.size` are read), returned as it is when no time differs.

    The time is the float SimPy gave arrival i when each arrival was an event scheduled by
    the one before: `t + (arrival[i] - t)`, t the time before. That is arrival[i] itself once
    t equals the arrival before and arrival[i] is at most twice it (the difference is then
    exact): only the first arrivals of a run can differ, in the last bit. Kept: results stay
    identical."""
    late = np.flatnonzero(arrival[1:] > 2.0 * arrival[:-1])  # where exactness is not sure
    last = int(late[-1]) + 1 if late.size else 0
    times = listed
    t = 0.0
    for i in range(arrival.size):
        a = listed[i]
        t += a - t
        if t >= until:
            return times, i
        if i >= last and t == a:  # from here on every arrival is taken at its own time
            return times, max(i + 1, int(np.searchsorted(arrival, until, side="left")))
        if t != a:
            if times is listed:
                times = listed[:arrival.size]
            times[i] = t
    return times, arrival.size
