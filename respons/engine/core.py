"""The SimPy core: contacts arrive, wait in priority queues and are answered by staff pools.

Staff are counted, not modelled as SimPy resources: each pool has `free = on duty - busy`,
which a roster change moves up or down (a call in progress at the end of a shift is finished:
`free` may go negative until it ends). Dispatch rules:

* a contact goes to the first pool, in config order, that serves its category as `primary`
  or `all_busy` (backup only when every primary is busy) and has someone free;
* otherwise it queues in its category, by priority then first come first served;
* an `after_wait` backup pool may take it once it has waited `after_s` seconds;
* a freed person takes the best eligible waiting contact over the categories the pool serves
  (lowest priority number, then earliest arrival);
* a contact whose patience runs out leaves the queue (rerouted or abandoned).

Everything is driven by plain SimPy events with one callback each (`Call`): no process per
contact, no Timeout or partial per event. Arrivals are a chain (each arrival schedules the
next), so the event queue stays small. Per-contact data are plain lists, converted from the
arrays once, and results go to preallocated lists turned into arrays once at the end.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import simpy
from simpy.events import NORMAL, URGENT

from respons.engine.contacts import CATEGORIES, Contacts
from respons.engine.rosters import OnDuty

WAITING, ANSWERED, LEFT = 0, 1, 2
_EPS = 1e-9
_INF = float("inf")
_NAN = float("nan")


@dataclass(frozen=True)
class ServicePlan:
    """A category a pool answers: `delay_s` of waiting first (0 = at once) and when it may not."""

    category: int
    delay_s: float
    primary: bool
    unavailable: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class PoolPlan:
    """What the core needs of a pool: its on-duty steps, services and speed."""

    name: str
    on_duty: OnDuty
    services: tuple[ServicePlan, ...]
    speed_factor: float = 1.0


@dataclass(frozen=True)
class Outcome:
    """Per-contact results of one run of the core (index = contact id)."""

    answer: np.ndarray  # float64, s; nan if never answered
    end: np.ndarray  # float64, s; nan if never answered
    pool: np.ndarray  # int16 pool index, -1 if never answered
    backup: np.ndarray  # bool: answered by a pool serving the category as backup
    state: np.ndarray  # int8: WAITING (still queued at the end), ANSWERED, LEFT


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
        env.schedule(self, NORMAL, delay)


def _urgent(env: simpy.Environment, fn, arg) -> None:
    """Call `fn` at time 0 before any regular event (as a process start would)."""
    ev = simpy.Event(env)
    ev.callbacks.append(fn)
    ev._ok, ev._value = True, arg
    env.schedule(ev, URGENT)


def _open(windows: tuple[tuple[float, float], ...], now: float) -> bool:
    """True unless `now` falls in one of the closed windows."""
    for t0, t1 in windows:  # noqa: SIM110 - a plain loop is faster than all() here
        if t0 <= now < t1:
            return False
    return True


class Centre:
    """Queues and staff counters of the response centre, wired to a SimPy environment."""

    def __init__(self, env: simpy.Environment, contacts: Contacts, pools: list[PoolPlan]):
        self.env = env
        self.pools = pools
        n = len(contacts)
        self.arrival = contacts.arrival.tolist()
        self.service = contacts.service.tolist()
        self.category = contacts.category.tolist()
        self.patience = contacts.patience.tolist()
        self.state = [WAITING] * n
        self.answer = [_NAN] * n
        self.end = [_NAN] * n
        self.by = [-1] * n
        self.backup = [False] * n
        self.free = [0] * len(pools)
        self.speed = [pool.speed_factor for pool in pools]
        ncat = len(CATEGORIES)
        # queues[cat]: (priority, waiting contacts oldest first) for each priority the
        # category has, most urgent first; contact i waits in deque qid[i] of `deques`.
        key = contacts.category.astype(np.int64) * 1024 + contacts.priority.astype(np.int64)
        levels = np.unique(key)  # (category, priority) pairs present, sorted
        self.deques: list[deque[int]] = [deque() for _ in range(levels.size)]
        self.queues: list[list[tuple[int, deque[int]]]] = [[] for _ in range(ncat)]
        for k, dq in zip(levels.tolist(), self.deques, strict=True):
            self.queues[k // 1024].append((k % 1024, dq))
        self.qid = np.searchsorted(levels, key).tolist()
        # Pools that may take a contact on arrival, primaries first: (pool, backup?, closed).
        self.immediate: list[list[tuple[int, bool, tuple]]] = [[] for _ in range(ncat)]
        # Backups that may take it after a wait: (pool, delay).
        self.delayed: list[list[tuple[int, float]]] = [[] for _ in range(ncat)]
        # What a pool looks at when someone is free: (queues, delay, backup?, closed).
        self.scan: list[list[tuple[list[tuple[int, deque[int]]], float, bool, tuple]]] = []
        for p, pool in enumerate(pools):
            for s in pool.services:
                if s.delay_s == 0:
                    self.immediate[s.category].append((p, not s.primary, s.unavailable))
                else:
                    self.delayed[s.category].append((p, s.delay_s))
            self.scan.append([(s.category, self.queues[s.category], s.delay_s,
                               not s.primary, s.unavailable) for s in pool.services])
        self.cats = [sorted({s.category for s in pool.services}) for pool in pools]
        self.nq = [0] * ncat  # entries in each category's deques (left ones included)
        self.n = n
        # Bound once: the callbacks of the events scheduled per contact.
        self.on_arrival, self.on_done = self._on_arrival, self._on_done
        self.on_wake, self.on_give_up = self._on_wake, self._on_give_up
        for lst in self.immediate:
            lst.sort(key=lambda e: (e[1], e[0]))

    # -- events -------------------------------------------------------------------------
    def roster_change(self, p: int, delta: int) -> None:
        """Pool p gains (or loses) `delta` people on duty."""
        self.free[p] += delta
        if delta > 0:
            self._fill(p, self.env.now)

    def _on_arrival(self, ev: simpy.Event) -> None:
        """Contact i arrives: answer at once if allowed, otherwise queue and set timers."""
        i = ev._value
        env = self.env
        now = env.now
        cat = self.category[i]
        free = self.free
        for p, backup, closed in self.immediate[cat]:
            if free[p] > 0 and (not closed or _open(closed, now)):
                self._start(i, p, backup, now)
                break
        else:
            self.deques[self.qid[i]].append(i)
            self.nq[cat] += 1
            for p, delay in self.delayed[cat]:
                Call(env, delay, self.on_wake, p)
            patience = self.patience[i]
            if patience != _INF:
                Call(env, patience, self.on_give_up, i)
        i += 1
        if i < self.n:  # the next arrival: one pending at a time
            Call(env, self.arrival[i] - now, self.on_arrival, i)

    def _on_wake(self, ev: simpy.Event) -> None:
        self._fill(ev._value, self.env.now)

    def _on_give_up(self, ev: simpy.Event) -> None:
        i = ev._value
        if self.state[i] == WAITING:
            self.state[i] = LEFT

    def _on_done(self, ev: simpy.Event) -> None:
        p = ev._value
        self.free[p] += 1
        nq = self.nq
        for c in self.cats[p]:
            if nq[c]:
                self._fill(p, self.env.now)
                return

    # -- dispatch -----------------------------------------------------------------------
    def _start(self, i: int, p: int, backup: bool, now: float) -> None:
        self.state[i] = ANSWERED
        self.answer[i] = now
        self.by[i] = p
        self.backup[i] = backup
        self.free[p] -= 1
        duration = self.service[i] * self.speed[p]
        self.end[i] = now + duration
        Call(self.env, duration, self.on_done, p)

    def _fill(self, p: int, now: float) -> None:
        """While pool p has someone free, give them the best eligible waiting contact."""
        while self.free[p] > 0:
            best = self._pick(p, now)
            if best is None:
                return
            i, dq, backup, cat = best
            dq.popleft()
            self.nq[cat] -= 1
            self._start(i, p, backup, now)

    def _pick(self, p: int, now: float) -> tuple[int, deque[int], bool, int] | None:
        best = None
        best_prio, best_arrival = 0, 0.0
        state, arrival, nq = self.state, self.arrival, self.nq
        for cat, queues, delay, backup, closed in self.scan[p]:
            if not nq[cat] or (closed and not _open(closed, now)):
                continue
            for prio, dq in queues:
                while dq and state[dq[0]] != WAITING:
                    dq.popleft()
                    nq[cat] -= 1
                if not dq:
                    continue
                i = dq[0]
                t = arrival[i]
                if delay and t + delay > now + _EPS:
                    continue  # the oldest of this priority has not waited long enough
                if best is None or prio < best_prio or (prio == best_prio and t < best_arrival):
                    best, best_prio, best_arrival = (i, dq, backup, cat), prio, t
                break
        return best

    def outcome(self) -> Outcome:
        return Outcome(
            answer=np.array(self.answer, dtype=float),
            end=np.array(self.end, dtype=float),
            pool=np.array(self.by, dtype=np.int16),
            backup=np.array(self.backup, dtype=bool),
            state=np.array(self.state, dtype=np.int8),
        )


    def close(self) -> None:
        """Drop the per-contact lists and the link to the environment, whose queue still
        holds events calling back into the centre: memory is freed now, not by the GC."""
        self.__dict__.clear()


class _Roster:
    """Steps pool p's on-duty count through its step function, one event per change."""

    def __init__(self, centre: Centre, p: int, on_duty: OnDuty):
        self.centre, self.p = centre, p
        self.steps = list(zip(on_duty.times.tolist(), on_duty.counts.tolist(), strict=True))
        self.prev = 0
        _urgent(centre.env, self._step, 0)

    def _step(self, ev: Call) -> None:
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


def _after_ties(ev: Call) -> None:
    """Wake pool p after everything else already due at this instant (so a primary freed at
    the same moment keeps precedence over a backup whose window just closed)."""
    centre, p = ev._value
    Call(centre.env, 0, centre._on_wake, p)


def run(contacts: Contacts, pools: list[PoolPlan], until_s: float) -> Outcome:
    """Simulate the centre until `until_s`; contacts still queued then stay WAITING."""
    env = simpy.Environment()
    centre = Centre(env, contacts, pools)
    for p, pool in enumerate(pools):
        _Roster(centre, p, pool.on_duty)
        for t1 in sorted({t1 for s in pool.services for _, t1 in s.unavailable}):
            if 0 < t1 < until_s:  # a window closing frees the pool for contacts waiting
                Call(env, t1, _after_ties, (centre, p))
    if centre.arrival:
        _urgent(env, _first_arrival, centre)
    env.run(until=until_s)
    out = centre.outcome()
    centre.close()
    return out


def _first_arrival(ev: Call) -> None:
    centre = ev._value
    Call(centre.env, centre.arrival[0] - centre.env.now, centre._on_arrival, 0)
