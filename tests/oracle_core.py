"""Test oracle: the SimPy core as it was before issue 19 (respons/engine/core.py at commit
dcf62d1), with one event per arrival, per end of work and per patience timer. The faster core
must give exactly its results (tests/test_speed.py); kept unchanged apart from this note.

The SimPy core: contacts arrive, wait in priority queues and are answered by staff pools.

Staff are counted, not modelled as SimPy resources: each pool has `free = on duty - busy`,
which a roster change moves up or down (a call in progress at the end of a shift is finished:
`free` may go negative until it ends). Dispatch rules:

* a contact goes to the first pool, in config order, that serves its category as `primary`
  or `all_busy` (backup only when every primary is busy) and has someone free;
* otherwise it queues in its category, by priority then first come first served;
* an `after_wait` backup pool may take it once it has waited `after_s` seconds;
* a freed person takes the best eligible waiting contact over the categories the pool serves
  (lowest priority number, then earliest arrival);
* a contact whose patience runs out leaves the queue (rerouted or abandoned);
* a service scoped to `municipalities` sees only their contacts: such a category queues per
  municipality (one lane each), and an unscoped pool looks at all its lanes;
* follow-ups (IT work orders, visits, call-backs) are rows drawn in advance that arrive
  `delay` after their parent's handling ends, if the parent was answered, and then queue like
  any contact;
* pre-emptive resume: a contact of a category the pool serves with `interrupts` interrupts the
  pool's least urgent (then most recently started) interruptible task that is less urgent than
  itself, when nobody is free; the task goes back to the front of its queue and later resumes
  with its remaining time (the time actually served is kept as pieces, for utilisation);
* shift change: by default arrivals and departures at one instant are netted (`free` may go
  negative while leavers finish calls); with `at_once` the newcomers start at once, and each
  busy leaver leaves when the call in hand ends.

Everything is driven by plain SimPy events with one callback each (`Call`): no process per
contact, no Timeout or partial per event. Arrivals are a chain (each arrival schedules the
next), so the event queue stays small. Per-contact data are plain lists, converted from the
arrays once, and results go to preallocated lists turned into arrays once at the end. Contacts
without follow-ups, travel or interruptions on pools without interruptible work or `at_once`
take the plain path, unchanged from a model without those features.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace

import numpy as np
import simpy
from simpy.events import NORMAL, URGENT

from respons.engine.contacts import CATEGORIES, Contacts
from respons.engine.plans import Outcome, PoolPlan, ServicePlan
from respons.engine.rosters import OnDuty

WAITING, ANSWERED, LEFT = 0, 1, 2
_EPS = 1e-9
_INF = float("inf")
_NAN = float("nan")


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
        self.n = contacts.own
        self.arrival = contacts.arrival.tolist()
        self.service = contacts.service.tolist()
        self.patience = contacts.patience.tolist()
        self.state = [WAITING] * n
        self.answer = [_NAN] * n
        self.end = [_NAN] * n
        self.by = [-1] * n
        self.backup = [False] * n
        self.free = [0] * len(pools)
        self.speed = [pool.speed_factor for pool in pools]
        lane, lanes = _lanes(contacts, pools)  # lane = category unless a service is scoped
        self.lane = lane.tolist()
        nlane = len(lanes)
        # queues[lane]: (priority, waiting contacts oldest first) for each priority the lane
        # has, most urgent first; contact i waits in deque qid[i] of `deques`.
        key = lane.astype(np.int64) * 1024 + contacts.priority.astype(np.int64)
        levels = np.unique(key)  # (lane, priority) pairs present, sorted
        self.deques: list[deque[int]] = [deque() for _ in range(levels.size)]
        self.queues: list[list[tuple[int, deque[int]]]] = [[] for _ in range(nlane)]
        for k, dq in zip(levels.tolist(), self.deques, strict=True):
            self.queues[k // 1024].append((k % 1024, dq))
        self.qid = np.searchsorted(levels, key).tolist()
        # Pools that may take a contact on arrival, primaries first: (pool, backup?, closed).
        self.immediate: list[list[tuple[int, bool, tuple]]] = [[] for _ in range(nlane)]
        # Backups that may take it after a wait: (pool, delay, wake-up callback).
        self.delayed: list[list[tuple[int, float, object]]] = [[] for _ in range(nlane)]
        # Pools whose work a contact of the lane interrupts on arrival.
        self.interrupting: list[list[int]] = [[] for _ in range(nlane)]
        # What a pool looks at when someone is free: (lane, queues, delay, backup?, closed);
        # iscan: the same for the services that interrupt.
        self.scan: list[list[tuple[int, list[tuple[int, deque[int]]], float, bool, tuple]]] = []
        self.iscan: list[list[tuple[int, list[tuple[int, deque[int]]], float, bool, tuple]]] = []
        self.ilanes: list[set[int]] = []  # lanes whose work by the pool is interruptible
        for p, pool in enumerate(pools):
            scan, iscan, ilanes = [], [], set()
            for s in pool.services:
                for ln in _served(s, lanes):
                    if s.delay_s == 0:
                        self.immediate[ln].append((p, not s.primary, s.unavailable))
                        if s.interrupts:
                            self.interrupting[ln].append(p)
                    else:
                        wake = self._on_wake_interrupt if s.interrupts else self._on_wake
                        self.delayed[ln].append((p, s.delay_s, wake))
                    entry = (ln, self.queues[ln], s.delay_s, not s.primary, s.unavailable)
                    scan.append(entry)
                    if s.interrupts:
                        iscan.append(entry)
                    if s.interruptible:
                        ilanes.add(ln)
            self.scan.append(scan)
            self.iscan.append(iscan)
            self.ilanes.append(ilanes)
        self.cats = [sorted({e[0] for e in scan}) for scan in self.scan]
        self.nq = [0] * nlane  # entries in each lane's deques (left ones included)
        # Bound once: the callbacks of the events scheduled per contact.
        self.on_arrival, self.on_done = self._on_arrival, self._on_done
        self.on_wake, self.on_give_up = self._on_wake, self._on_give_up
        for lst in self.immediate:
            lst.sort(key=lambda e: (e[1], e[0]))
        self._init_extras(contacts, pools)

    def _init_extras(self, contacts: Contacts, pools: list[PoolPlan]) -> None:
        """State of the special path: follow-ups, travel, interruptions, at-once rosters.
        Without any of them `_start` is the plain start and none of this is used."""
        n = len(contacts)
        self.at_once = [pool.changes is not None for pool in pools]
        self.xp = [a or bool(il) for a, il in zip(self.at_once, self.ilanes, strict=True)]
        self.cut: set[int] = set()  # rows interrupted at least once
        self.pieces: list[tuple[int, int, float, float]] = []
        self.special = contacts.parent is not None or any(self.xp)
        if not self.special:
            self._start = self._start_plain  # the hot path, without a check per start
            return
        self.priority = contacts.priority.tolist()
        # xc[i]: row i takes the special path (it has follow-ups or travel, or was
        # interrupted); xp[p]: every start on pool p does (interruptible work or at_once).
        self.xc = [False] * n
        self.children: dict[int, list[int]] = {}
        if contacts.parent is not None:
            self.travel = contacts.travel.tolist()
            self.delay = contacts.delay.tolist()
            rows = np.flatnonzero(contacts.parent >= 0)
            for k, parent in zip(rows.tolist(), contacts.parent[rows].tolist(), strict=True):
                self.children.setdefault(parent, []).append(k)
            for i in set(self.children) | set(np.flatnonzero(contacts.travel > 0).tolist()):
                self.xc[i] = True
        else:
            self.travel = [0.0] * n
            self.delay = [0.0] * n
        self.running: list[list[int]] = [[] for _ in pools]  # interruptible work in service
        self.version: dict[int, int] = {}  # bumped when interrupted: stale done events
        self.piece_start: dict[int, float] = {}
        self.rest: dict[int, float] = {}  # remaining time of interrupted work
        self.paused_at: dict[int, float] = {}
        self.interrupted: dict[int, float] = {}
        self.resumed: set[int] = set()  # interrupted rows in service again
        self.epoch = [0] * len(pools)  # at_once: shift changes so far
        self.epoch_of: dict[int, int] = {}
        self.inservice = [0] * len(pools)
        self.leaving = [0] * len(pools)  # at_once: calls in service whose server then leaves
        self.on_done_x, self.on_task = self._on_done_x, self._on_task

    # -- events -------------------------------------------------------------------------
    def roster_change(self, p: int, delta: int) -> None:
        """Pool p gains (or loses) `delta` people on duty."""
        self.free[p] += delta
        if delta > 0:
            self._fill(p, self.env.now)

    def shift_change(self, p: int, ins: int, outs: int) -> None:
        """Rule at_once: `outs` people leave (idle ones at once, busy ones when their call
        ends) and `ins` come on duty and start at once."""
        idle = min(outs, max(self.free[p], 0))
        self.free[p] -= idle
        rest = outs - idle
        if rest > 0:
            self.leaving[p] += min(rest, self.inservice[p] - self.leaving[p])
            self.epoch[p] += 1  # calls in service now belong to the old shift
        self.free[p] += ins
        if ins > 0:
            self._fill(p, self.env.now)

    def _on_arrival(self, ev: simpy.Event) -> None:
        """Contact i arrives: answer at once if allowed, otherwise queue and set timers."""
        i = ev._value
        env = self.env
        now = env.now
        lane = self.lane[i]
        free = self.free
        for p, backup, closed in self.immediate[lane]:
            if free[p] > 0 and (not closed or _open(closed, now)):
                self._start(i, p, backup, now)
                break
        else:
            self.deques[self.qid[i]].append(i)
            self.nq[lane] += 1
            for p, delay, wake in self.delayed[lane]:
                Call(env, delay, wake, p)
            patience = self.patience[i]
            if patience != _INF:
                Call(env, patience, self.on_give_up, i)
            if self.interrupting[lane]:
                for p in self.interrupting[lane]:
                    self._interrupt(p, now)
        i += 1
        if i < self.n:  # the next arrival: one pending at a time
            Call(env, self.arrival[i] - now, self.on_arrival, i)

    def _on_task(self, ev: simpy.Event) -> None:
        """Follow-up k arrives (as `_on_arrival`, without the chain of arrivals)."""
        k = ev._value
        env = self.env
        now = env.now
        self.arrival[k] = now
        lane = self.lane[k]
        for p, backup, closed in self.immediate[lane]:
            if self.free[p] > 0 and (not closed or _open(closed, now)):
                self._start(k, p, backup, now)
                return
        self.deques[self.qid[k]].append(k)
        self.nq[lane] += 1
        for p, delay, wake in self.delayed[lane]:
            Call(env, delay, wake, p)
        if self.patience[k] != _INF:
            Call(env, self.patience[k], self.on_give_up, k)
        for p in self.interrupting[lane]:
            self._interrupt(p, now)

    def _on_wake(self, ev: simpy.Event) -> None:
        self._fill(ev._value, self.env.now)

    def _on_wake_interrupt(self, ev: simpy.Event) -> None:
        p, now = ev._value, self.env.now
        self._fill(p, now)
        self._interrupt(p, now)

    def _on_give_up(self, ev: simpy.Event) -> None:
        i = ev._value
        if self.state[i] == WAITING and i not in self.cut:
            self.state[i] = LEFT

    def _on_done(self, ev: simpy.Event) -> None:
        p = ev._value
        self.free[p] += 1
        nq = self.nq
        for c in self.cats[p]:
            if nq[c]:
                self._fill(p, self.env.now)
                return

    def _on_done_x(self, ev: simpy.Event) -> None:
        """The end of work started on the special path: stale if interrupted since; frees
        the person (unless a leaver), and sends the follow-ups on their way."""
        i, v = ev._value
        env = self.env
        p = self.by[i]
        if v >= 0:
            if v != self.version[i]:
                return  # interrupted meanwhile: this end no longer holds
            self.running[p].remove(i)
        if i in self.cut:  # the last piece of interrupted work
            self.pieces.append((i, p, self.piece_start[i], env.now))
            self.resumed.discard(i)
        if self.at_once[p]:
            self.inservice[p] -= 1
        if self.at_once[p] and self.epoch_of[i] < self.epoch[p] and self.leaving[p] > 0:
            self.leaving[p] -= 1  # a leaver's call: the person goes home
        else:
            self.free[p] += 1
        for k in self.children.get(i, ()):
            Call(env, self.delay[k], self.on_task, k)
        nq = self.nq
        for c in self.cats[p]:
            if nq[c]:
                self._fill(p, env.now)
                return

    # -- dispatch -----------------------------------------------------------------------
    def _start(self, i: int, p: int, backup: bool, now: float) -> None:
        if self.xc[i] or self.xp[p]:
            self._start_x(i, p, backup, now)
        else:
            self._start_plain(i, p, backup, now)

    def _start_plain(self, i: int, p: int, backup: bool, now: float) -> None:
        self.state[i] = ANSWERED
        self.answer[i] = now
        self.by[i] = p
        self.backup[i] = backup
        self.free[p] -= 1
        duration = self.service[i] * self.speed[p]
        self.end[i] = now + duration
        Call(self.env, duration, self.on_done, p)

    def _start_x(self, i: int, p: int, backup: bool, now: float) -> None:
        """Start (or resume) row i on pool p: travel, interruptible work, at-once rosters."""
        if i in self.rest:  # resuming interrupted work
            duration = self.rest.pop(i)
            self.interrupted[i] = self.interrupted.get(i, 0.0) + now - self.paused_at.pop(i)
            self.piece_start[i] = now
            self.resumed.add(i)
        else:
            self.answer[i] = now
            self.backup[i] = backup
            duration = self.service[i] * self.speed[p] + 2.0 * self.travel[i]
        self.state[i] = ANSWERED
        self.by[i] = p
        self.free[p] -= 1
        self.end[i] = now + duration
        if self.at_once[p]:
            self.epoch_of[i] = self.epoch[p]
            self.inservice[p] += 1
        if self.lane[i] in self.ilanes[p]:
            v = self.version.get(i, 0) + 1
            self.version[i] = v
            self.running[p].append(i)
            self.piece_start[i] = now
            Call(self.env, duration, self.on_done_x, (i, v))
        else:
            Call(self.env, duration, self.on_done_x, (i, -1))

    def _interrupt(self, p: int, now: float) -> None:
        """While nobody in pool p is free, let the best waiting contact of an interrupting
        category take over the least urgent interruptible task less urgent than itself."""
        running = self.running[p]
        while running and self.free[p] == 0:
            best = self._pick(self.iscan[p], now)
            if best is None:
                return
            i, dq, backup, lane = best
            victim = self._victim(p, self.priority[i])
            if victim is None:
                return
            dq.popleft()
            self.nq[lane] -= 1
            self._pause(victim, p, now)
            self.free[p] += 1
            self._start(i, p, backup, now)
            vlane = self.lane[victim]  # someone free elsewhere may take the task up
            for q, _, closed in self.immediate[vlane]:
                if self.free[q] > 0 and (not closed or _open(closed, now)):
                    self._fill(q, now)

    def _victim(self, p: int, priority: int) -> int | None:
        """Pool p's interruptible task to stop for a contact of `priority`: the least urgent,
        then the most recently started; only of staff who stay (rule at_once)."""
        best, best_prio = None, priority
        at_once, epoch = self.at_once[p], self.epoch[p]
        for v in reversed(self.running[p]):
            if self.priority[v] > best_prio and (not at_once or self.epoch_of[v] == epoch):
                best, best_prio = v, self.priority[v]
        return best

    def _pause(self, v: int, p: int, now: float) -> None:
        """Interrupt row v on pool p: back to the front of its queue with its remaining time."""
        self.version[v] += 1
        self.running[p].remove(v)
        self.pieces.append((v, p, self.piece_start[v], now))
        self.resumed.discard(v)
        self.cut.add(v)
        self.xc[v] = True
        self.rest[v] = self.end[v] - now
        self.paused_at[v] = now
        self.end[v] = _NAN
        self.state[v] = WAITING
        self.deques[self.qid[v]].appendleft(v)
        self.nq[self.lane[v]] += 1
        if self.at_once[p]:
            self.inservice[p] -= 1

    def _fill(self, p: int, now: float) -> None:
        """While pool p has someone free, give them the best eligible waiting contact."""
        scan = self.scan[p]
        while self.free[p] > 0:
            best = self._pick(scan, now)
            if best is None:
                return
            i, dq, backup, lane = best
            dq.popleft()
            self.nq[lane] -= 1
            self._start(i, p, backup, now)

    def _pick(self, scan: list, now: float) -> tuple[int, deque[int], bool, int] | None:
        best = None
        best_prio, best_arrival = 0, 0.0
        state, arrival, nq = self.state, self.arrival, self.nq
        for lane, queues, delay, backup, closed in scan:
            if not nq[lane] or (closed and not _open(closed, now)):
                continue
            for prio, dq in queues:
                while dq and state[dq[0]] != WAITING:
                    dq.popleft()
                    nq[lane] -= 1
                if not dq:
                    continue
                i = dq[0]
                t = arrival[i]
                if delay and t + delay > now + _EPS:
                    continue  # the oldest of this priority has not waited long enough
                if best is None or prio < best_prio or (prio == best_prio and t < best_arrival):
                    best, best_prio, best_arrival = (i, dq, backup, lane), prio, t
                break
        return best

    def outcome(self) -> Outcome:
        plain = Outcome(
            answer=np.array(self.answer, dtype=float),
            end=np.array(self.end, dtype=float),
            pool=np.array(self.by, dtype=np.int16),
            backup=np.array(self.backup, dtype=bool),
            state=np.array(self.state, dtype=np.int8),
        )
        if not self.special:
            return plain
        pieces = list(self.pieces)  # and the last pieces of those still in service:
        pieces += [(i, self.by[i], self.piece_start[i], self.end[i]) for i in sorted(self.resumed)]
        interrupted = np.zeros(len(self.state))
        for i, t in self.interrupted.items():
            interrupted[i] = t
        return replace(plain, arrival=np.array(self.arrival, dtype=float),
                       interrupted=interrupted,
                       pieces=np.array(pieces, dtype=float).reshape(-1, 4))

    def close(self) -> None:
        """Drop the per-contact lists and the link to the environment, whose queue still
        holds events calling back into the centre: memory is freed now, not by the GC."""
        self.__dict__.clear()


def _lanes(contacts: Contacts, pools: list[PoolPlan]) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Each row's lane and the lanes as (category, municipality or -1). A category is one lane
    (its code) unless some service of it is scoped to municipalities; then it has a lane per
    municipality that has rows of it."""
    ncat = len(CATEGORIES)
    lanes = [(c, -1) for c in range(ncat)]
    lane = contacts.category.astype(np.int64)
    scoped = sorted({s.category for pool in pools for s in pool.services
                     if s.municipalities is not None})
    for c in scoped:
        rows = contacts.category == c
        for m in np.unique(contacts.municipality[rows]).tolist():
            lane[rows & (contacts.municipality == m)] = len(lanes)
            lanes.append((c, int(m)))
    return lane, lanes


def _served(s: ServicePlan, lanes: list[tuple[int, int]]) -> list[int]:
    """The lanes a service covers: its category's (those of its municipalities if scoped)."""
    if not any(c == s.category and m >= 0 for c, m in lanes):
        return [s.category]
    return [k for k, (c, m) in enumerate(lanes) if c == s.category and m >= 0
            and (s.municipalities is None or m in s.municipalities)]


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


class _Changes:
    """Steps pool p through its gross shift changes (rule at_once), one event per instant."""

    def __init__(self, centre: Centre, p: int, changes: tuple[np.ndarray, ...]):
        self.centre, self.p = centre, p
        times, ins, outs = changes
        self.steps = list(zip(times.tolist(), ins.tolist(), outs.tolist(), strict=True))
        _urgent(centre.env, self._step, 0)

    def _step(self, ev: Call) -> None:
        k = ev._value
        env = self.centre.env
        while k < len(self.steps):
            t, ins, outs = self.steps[k]
            if t > env.now:
                Call(env, t - env.now, self._step, k)
                return
            self.centre.shift_change(self.p, int(ins), int(outs))
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
        if pool.changes is None:
            _Roster(centre, p, pool.on_duty)
        else:
            _Changes(centre, p, pool.changes)
        for t1 in sorted({t1 for s in pool.services for _, t1 in s.unavailable}):
            if 0 < t1 < until_s:  # a window closing frees the pool for contacts waiting
                Call(env, t1, _after_ties, (centre, p))
    if centre.n:
        _urgent(env, _first_arrival, centre)
    env.run(until=until_s)
    out = centre.outcome()
    centre.close()
    return out


def _first_arrival(ev: Call) -> None:
    centre = ev._value
    Call(centre.env, centre.arrival[0] - centre.env.now, centre._on_arrival, 0)
