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

Everything is driven by raw SimPy timeouts with callbacks: no process per contact.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import partial

import numpy as np
import simpy

from respons.contacts import CATEGORIES, Contacts
from respons.staffing import OnDuty

WAITING, ANSWERED, LEFT = 0, 1, 2
_EPS = 1e-9


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


class Centre:
    """Queues and staff counters of the response centre, wired to a SimPy environment."""

    def __init__(self, env: simpy.Environment, contacts: Contacts, pools: list[PoolPlan]):
        self.env = env
        self.c = contacts
        self.pools = pools
        n = len(contacts)
        self.arrival = contacts.arrival.tolist()
        self.service = contacts.service.tolist()
        self.priority = contacts.priority.tolist()
        self.state = [WAITING] * n
        self.answer = [np.nan] * n
        self.end = [np.nan] * n
        self.by = [-1] * n
        self.backup = [False] * n
        self.free = [0] * len(pools)
        prios = sorted(set(self.priority)) or [0]
        ncat = len(CATEGORIES)
        self.queues: list[list[tuple[int, deque[int]]]] = [
            [(p, deque()) for p in prios] for _ in range(ncat)
        ]
        # Pools that may take a contact on arrival, primaries first; and delayed backups.
        self.immediate: list[list[tuple[int, ServicePlan]]] = [[] for _ in range(ncat)]
        self.delayed: list[list[tuple[int, ServicePlan]]] = [[] for _ in range(ncat)]
        for p, pool in enumerate(pools):
            for s in pool.services:
                (self.immediate if s.delay_s == 0 else self.delayed)[s.category].append((p, s))
        for lst in self.immediate:
            lst.sort(key=lambda ps: (not ps[1].primary, ps[0]))

    # -- events -------------------------------------------------------------------------
    def arrive(self, i: int) -> None:
        """Contact i arrives: answer at once if allowed, otherwise queue and set timers."""
        cat = int(self.c.category[i])
        now = self.env.now
        for p, s in self.immediate[cat]:
            if self.free[p] > 0 and _available(s, now):
                self._start(i, p, not s.primary)
                return
        for prio, dq in self.queues[cat]:
            if prio == self.priority[i]:
                dq.append(i)
                break
        for p, s in self.delayed[cat]:
            self.env.timeout(s.delay_s).callbacks.append(partial(self._wake, p))
        patience = float(self.c.patience[i])
        if patience != np.inf:
            self.env.timeout(patience).callbacks.append(partial(self._give_up, i))

    def roster_change(self, p: int, delta: int) -> None:
        """Pool p gains (or loses) `delta` people on duty."""
        self.free[p] += delta
        if delta > 0:
            self._fill(p)

    def _wake(self, p: int, _ev: simpy.Event | None = None) -> None:
        self._fill(p)

    def _give_up(self, i: int, _ev: simpy.Event | None = None) -> None:
        if self.state[i] == WAITING:
            self.state[i] = LEFT

    def _done(self, p: int, _ev: simpy.Event | None = None) -> None:
        self.free[p] += 1
        self._fill(p)

    # -- dispatch -----------------------------------------------------------------------
    def _start(self, i: int, p: int, backup: bool) -> None:
        now = self.env.now
        self.state[i] = ANSWERED
        self.answer[i] = now
        self.by[i] = p
        self.backup[i] = backup
        self.free[p] -= 1
        duration = self.service[i] * self.pools[p].speed_factor
        self.end[i] = now + duration
        self.env.timeout(duration).callbacks.append(partial(self._done, p))

    def _fill(self, p: int) -> None:
        """While pool p has someone free, give them the best eligible waiting contact."""
        while self.free[p] > 0:
            best = self._pick(p)
            if best is None:
                return
            i, dq, backup = best
            dq.popleft()
            self._start(i, p, backup)

    def _pick(self, p: int) -> tuple[int, deque[int], bool] | None:
        now = self.env.now
        best: tuple[int, float, int, deque[int], bool] | None = None
        state, arrival = self.state, self.arrival
        for s in self.pools[p].services:
            if not _available(s, now):
                continue
            for prio, dq in self.queues[s.category]:
                while dq and state[dq[0]] != WAITING:
                    dq.popleft()
                if not dq:
                    continue
                i = dq[0]
                if s.delay_s and arrival[i] + s.delay_s > now + _EPS:
                    continue  # the oldest of this priority has not waited long enough
                if best is None or (prio, arrival[i]) < (best[0], best[1]):
                    best = (prio, arrival[i], i, dq, not s.primary)
                break
        return None if best is None else (best[2], best[3], best[4])

    def outcome(self) -> Outcome:
        return Outcome(
            answer=np.asarray(self.answer, dtype=float),
            end=np.asarray(self.end, dtype=float),
            pool=np.asarray(self.by, dtype=np.int16),
            backup=np.asarray(self.backup, dtype=bool),
            state=np.asarray(self.state, dtype=np.int8),
        )


def _available(s: ServicePlan, now: float) -> bool:
    return not any(t0 <= now < t1 for t0, t1 in s.unavailable)


def _after_ties(env: simpy.Environment, centre: Centre, p: int, _ev: simpy.Event) -> None:
    """Wake pool p after everything else already due at this instant (so a primary freed at
    the same moment keeps precedence over a backup whose window just closed)."""
    env.timeout(0).callbacks.append(partial(centre._wake, p))


def _arrivals(env: simpy.Environment, centre: Centre, times: list[float]):
    for i, t in enumerate(times):
        yield env.timeout(t - env.now)
        centre.arrive(i)


def _roster(env: simpy.Environment, centre: Centre, p: int, on_duty: OnDuty):
    prev = 0
    for t, n in zip(on_duty.times.tolist(), on_duty.counts.tolist(), strict=True):
        if t > env.now:
            yield env.timeout(t - env.now)
        centre.roster_change(p, int(n) - prev)
        prev = int(n)


def run(contacts: Contacts, pools: list[PoolPlan], until_s: float) -> Outcome:
    """Simulate the centre until `until_s`; contacts still queued then stay WAITING."""
    env = simpy.Environment()
    centre = Centre(env, contacts, pools)
    for p, pool in enumerate(pools):
        env.process(_roster(env, centre, p, pool.on_duty))
        for t1 in sorted({t1 for s in pool.services for _, t1 in s.unavailable}):
            if 0 < t1 < until_s:  # a window closing frees the pool for contacts waiting
                env.timeout(t1).callbacks.append(partial(_after_ties, env, centre, p))
    env.process(_arrivals(env, centre, centre.arrival))
    env.run(until=until_s)
    return centre.outcome()
