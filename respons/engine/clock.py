"""The SimPy side of the core: lean events with one callback, and the steppers of rosters.

SimPy's `Environment` keeps the clock and the queue of timed events. Two things here reach
into it, as SimPy's own `Environment.schedule` and `step` do: `At` schedules at an absolute
time (a delay from `now` would be rounded: `now + (t - now)` need not equal `t`), and the
core's loop sets `env._now` to each arrival it takes from its own sorted list
(`Centre.run`). Both are tested against the SimPy version in use (tests/test_speed.py).
"""

from __future__ import annotations

from heapq import heappush
from typing import Protocol

import numpy as np
import simpy
from simpy.events import NORMAL, URGENT

from respons.engine.rosters import OnDuty


class Call(simpy.Event):
    """An event already triggered with value `arg` that calls `fn(event)` after `delay` s.

    The lean form of `env.timeout(delay, arg).callbacks.append(fn)`: one object per event
    and no `partial`. Callbacks read the argument as `ev._value`, as SimPy's own do.
    """

    def __init__(self, env: simpy.Environment, delay: float, fn, arg=None) -> None:
        self.env = env
        self.callbacks = [fn]
        self._value = arg
        self._ok = True
        heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), self))


class At(simpy.Event):
    """As `Call`, at the absolute time `t` (exactly that float)."""

    def __init__(self, env: simpy.Environment, t: float, fn, arg=None) -> None:
        self.env = env
        self.callbacks = [fn]
        self._value = arg
        self._ok = True
        heappush(env._queue, (t, NORMAL, next(env._eid), self))


def urgent(env: simpy.Environment, fn, arg) -> None:
    """Call `fn` at time 0 before any regular event (as a process start would)."""
    ev = simpy.Event(env)
    ev.callbacks.append(fn)
    ev._ok, ev._value = True, arg
    env.schedule(ev, URGENT)


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

    def _step(self, ev: simpy.Event) -> None:
        k = ev._value
        env = self.centre.env
        while k < len(self.steps):
            t, n = self.steps[k]
            if t > env.now:
                Call(env, t - env.now, self._step, k)
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

    def _step(self, ev: simpy.Event) -> None:
        k = ev._value
        env = self.centre.env
        while k < len(self.steps):
            t, ins, outs = self.steps[k]
            if t > env.now:
                Call(env, t - env.now, self._step, k)
                return
            self.centre.shift_change(self.p, int(ins), int(outs))
            k += 1
