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
* a contact whose patience runs out leaves the queue (rerouted or abandoned);
* a service scoped to `municipalities` sees only their contacts: such a category queues per
  municipality (one lane each), and an unscoped pool looks at all its lanes;
* follow-ups, pre-emptive resume and the at-once shift change: see `extras.py`.

How the time is spent (issue 19): SimPy's environment holds the clock and the queue of timed
entries (roster steps, after-wait wake-ups, follow-ups, the interruptible and at-once work's
ends, and the ends of other work that something waits for), each a lean entry with one
callback in SimPy's order (`clock.at`, `clock.call`), run by the core itself.
Four things need no entry:

* arrivals, drawn in advance and sorted, are merged into SimPy's queue by `Centre.run`: an
  arrival is taken when no event is due before it (an event due at the same instant goes
  first) and answered inline when someone is free;
* the end of plain work is counted lazily: its time goes into a small heap per pool and is
  retired (someone freed) whenever the pool's free count is read. While a contact the pool
  may take waits, the pool is "hot": its next end has an event (`_arm`), which arms the one
  after while anything still waits; an end that finds nothing waiting cools the pool down.
  After-wait backups become hot at the contact's wake-up, if it still waits;
* work whose end is known when it starts (not interruptible, not at-once) ends the same
  lazy way, and its follow-ups are scheduled when it starts, at `end + delay`;
* patience: a waiting contact has left if arrival + patience has passed when a pool looks
  at it, and those still queued are marked at the end of the run.

Every time is the float the event-per-step core computed (tests/test_speed.py compares the
two on random scenarios); only the order of events due at exactly the same instant can
differ, which with continuous distributions has probability zero.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from heapq import heapify, heappop, heappush

import numpy as np
import simpy

from respons.engine.clock import NORMAL, Changes, Roster, arrival_clock, at, call, run_due
from respons.engine.contacts import ANSWERED, LEFT, WAITING, Contacts
from respons.engine.extras import Extras, is_open
from respons.engine.plans import Outcome, PoolPlan, ServicePlan, lanes_of, served

__all__ = ["ANSWERED", "LEFT", "WAITING", "Centre", "Outcome", "PoolPlan", "ServicePlan", "run"]
_EPS = 1e-9
_NAN = float("nan")


class Centre(Extras):
    """Queues and staff counters of the response centre, wired to a SimPy environment."""

    # Slots (see `Extras`): the dispatch reads these on every contact.
    __slots__ = ("all_watchers", "answer", "armed", "arrival", "backup", "by", "cats",
                 "delayed", "deques", "end", "env", "free", "hot", "ilanes", "immediate",
                 "interrupting", "iscan", "lane", "lazy", "n", "nq", "on_end", "patience",
                 "pools", "qid", "queues", "rows", "scan", "service", "speed", "state", "until",
                 "watchers")

    def __init__(self, env: simpy.Environment, contacts: Contacts, pools: list[PoolPlan]):
        self.env = env
        self.pools = pools
        n = len(contacts)
        self.n = contacts.own
        self.arrival = contacts.arrival.tolist()
        self.service = contacts.service.tolist()
        # A waiting contact gives up at arrival + patience (the float SimPy computed for a
        # timer set on arrival). Read only for contacts at the head of a queue: a view that
        # gives a float when read, not a list of a float per contact made up front.
        self.patience = memoryview(np.ascontiguousarray(contacts.patience, dtype=float))
        self.rows = contacts
        self.state = [WAITING] * n
        self.answer = [_NAN] * n
        self.end: dict[int, float] = {}  # ends of work started on the special path
        self.by = [-1] * n
        self.backup: set[int] = set()  # rows taken by a backup pool (few)
        self.free = [0] * len(pools)
        self.lazy: list[list[float]] = [[] for _ in pools]  # ends of plain work, a heap
        self.hot = [False] * len(pools)  # something may wait for the pool
        self.armed: list[list[float]] = [[] for _ in pools]  # times of its pending end events
        self.speed = [pool.speed_factor for pool in pools]
        lane, lanes = lanes_of(contacts, pools)  # lane = category unless a service is scoped
        self.lane = lane.tolist()
        nlane = len(lanes)
        self._queues(contacts, lane, nlane)
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
                for ln in served(s, lanes):
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
        # Pools that take a waiting contact of the lane without a wait: made hot when one
        # starts waiting (after-wait backups become hot at its wake-up, if it still waits).
        self.watchers = [[p for p in range(len(pools))
                          if any(e[0] == ln and not e[2] for e in self.scan[p])]
                         for ln in range(nlane)]
        self.all_watchers = [[p for p in range(len(pools)) if ln in self.cats[p]]
                             for ln in range(nlane)]
        self.nq = [0] * nlane  # entries in each lane's deques (left ones included)
        # Bound once: the callbacks of the events scheduled per contact.
        self.on_end = self._on_end
        for lst in self.immediate:
            lst.sort(key=lambda e: (e[1], e[0]))
        self._init_extras(contacts, pools)

    def _queues(self, contacts: Contacts, lane: np.ndarray, nlane: int) -> None:
        """queues[lane]: (priority, waiting contacts oldest first) for each priority the lane
        has, most urgent first; contact i waits in deque qid[i] of `deques`."""
        nprio = int(contacts.priority.max()) + 1 if len(contacts) else 1
        key = lane.astype(np.int64) * nprio + contacts.priority.astype(np.int64)
        present = np.zeros(nlane * nprio, dtype=bool)  # a mask, not np.unique: no sort
        present[key] = True
        levels = np.flatnonzero(present)  # (lane, priority) pairs present, in order
        self.deques: list[deque[int]] = [deque() for _ in range(levels.size)]
        self.queues: list[list[tuple[int, deque[int]]]] = [[] for _ in range(nlane)]
        for k, dq in zip(levels.tolist(), self.deques, strict=True):
            self.queues[k // nprio].append((k % nprio, dq))
        where = np.zeros(nlane * nprio, dtype=np.int64)
        where[levels] = np.arange(levels.size)
        self.qid = where[key].tolist()

    # -- the loop -----------------------------------------------------------------------
    def run(self, until: float) -> None:
        """Process the arrivals and SimPy's events in time order, up to `until` (exclusive):
        before each arrival, every event due up to its time."""
        env = self.env
        queue, eid = env._queue, env._eid
        lane_of, free, hot, service = self.lane, self.free, self.hot, self.service
        state, answer, by, backup_add = self.state, self.answer, self.by, self.backup.add
        plain = not self.special
        xc = None if plain else self.xc
        armed, on_end = self.armed, self.on_end
        # Per lane, the pools that may take an arrival at once: (pool, backup?, closed
        # windows, its heap of ends, whether the lane's work on it takes the special path,
        # its speed factor).
        entries = [[(p, bk, closed, self.lazy[p], not plain and self.xl[p][ln], self.speed[p])
                    for p, bk, closed in pools] for ln, pools in enumerate(self.immediate)]
        times, count = arrival_clock(self.arrival, self.rows.arrival[:self.n], until)
        heappush(queue, _LAST)  # so the queue is never empty: its head is always a time
        due = queue[0][0]  # when the next entry is due (kept up to date below)
        for i in range(count):
            t = times[i]
            if due <= t:
                while queue[0][0] <= t:  # clock.run_due, inlined
                    env._now, _, _, fn, arg = heappop(queue)
                    fn(arg)
                due = queue[0][0]
            for p, bk, closed, h, sx, sp in entries[lane_of[i]]:
                while h and h[0] <= t:  # ends since the pool was last looked at
                    heappop(h)
                    free[p] += 1
                if free[p] > 0 and (not closed or is_open(closed, t)):
                    if plain or not (sx or xc[i]):  # _start_plain, inlined
                        state[i] = ANSWERED
                        answer[i] = t
                        by[i] = p
                        if bk:
                            backup_add(i)
                        free[p] -= 1
                        duration = service[i] * sp
                        e = t + duration  # end[i]: computed by `outcome`
                        heappush(h, e)
                        if hot[p] and (not armed[p] or e < armed[p][0]):
                            # the pool's next end (clock.at, inlined): someone waits
                            heappush(queue, (e, NORMAL, next(eid), on_end, p))
                            heappush(armed[p], e)
                            if e < due:
                                due = e
                    else:
                        env._now = t  # (read by the callbacks; the inline start needs none)
                        self._start_x(i, p, bk, t)
                        due = queue[0][0]
                    break
            else:
                env._now = t
                self._wait(i, t)
                due = queue[0][0]
        queue.remove(_LAST)
        heapify(queue)  # the same entries come out in the same order
        run_due(env, until)
        self.until = until

    def _wait(self, i: int, now: float) -> None:
        """Contact i found nobody: queue it, heat the pools that may take it, set timers."""
        lane = self.lane[i]
        self.deques[self.qid[i]].append(i)
        self.nq[lane] += 1
        hot, env = self.hot, self.env
        for p in self.watchers[lane]:
            if not hot[p]:  # _heat, inlined (the arrival has just retired p's ends due)
                hot[p] = True
                h, armed = self.lazy[p], self.armed[p]
                if h and (not armed or h[0] < armed[0]):
                    if h[0] <= now:
                        self._arm(p, now)
                    else:
                        at(env, h[0], self.on_end, p)
                        heappush(armed, h[0])
        if self.delayed[lane]:
            queue, eid, t = env._queue, env._eid, env._now
            for p, delay, wake in self.delayed[lane]:  # clock.call, inlined
                heappush(queue, (t + delay, NORMAL, next(eid), wake, (p, i)))
        for p in self.interrupting[lane]:
            self._interrupt(p, now)

    def _heat(self, p: int, now: float) -> None:
        """A contact pool p may take is waiting: the next end of its work gets an event."""
        self.hot[p] = True
        self._arm(p, now)

    def _arm(self, p: int, now: float) -> None:
        """Make sure an event is due at or before pool p's next end."""
        h, armed = self.lazy[p], self.armed[p]
        while h and h[0] <= now:
            heappop(h)
            self.free[p] += 1
        if h and (not armed or h[0] < armed[0]):
            at(self.env, h[0], self.on_end, p)
            heappush(armed, h[0])

    def _free(self, p: int, now: float) -> int:
        """Pool p's free staff at `now` (ends counted lazily retired first)."""
        h = self.lazy[p]
        while h and h[0] <= now:
            heappop(h)
            self.free[p] += 1
        return self.free[p]

    # -- events -------------------------------------------------------------------------
    def roster_change(self, p: int, delta: int) -> None:
        """Pool p gains (or loses) `delta` people on duty."""
        self.free[p] += delta
        if delta > 0:
            self._fill(p, self.env._now)

    def _on_wake(self, arg: tuple[int, int]) -> None:
        """Contact i has waited long enough for the after-wait backup p. If it no longer
        waits, nothing else can be waiting for p with someone of p free (whoever became
        eligible or free was served then): no need to look."""
        p, i = arg
        if self.state[i] == WAITING:
            self._fill(p, self.env._now)
            if self.state[i] == WAITING and not self.hot[p]:
                self._heat(p, self.env._now)  # from now on p's ends may take it

    def _on_window(self, p: int) -> None:
        self._fill(p, self.env._now)

    def _on_end(self, p: int) -> None:
        """Pool p's next end, while something waited for it: someone is free (the ends due
        are retired by `_fill`) and takes the best waiting contact; if something still
        waits, the end after is armed, otherwise the pool cools down."""
        heappop(self.armed[p])
        nq, now = self.nq, self.env._now
        for c in self.cats[p]:
            if nq[c]:
                self._fill(p, now)
                for c2 in self.cats[p]:
                    if nq[c2]:
                        self._arm(p, now)
                        return
                break
        self.hot[p] = False  # nothing waits for the pool: its next ends need no event

    # -- dispatch -----------------------------------------------------------------------
    def _start(self, i: int, p: int, backup: bool, now: float) -> None:
        if self.xc[i] or self.xl[p][self.lane[i]]:
            self._start_x(i, p, backup, now)
        else:
            self._start_plain(i, p, backup, now)

    def _start_plain(self, i: int, p: int, backup: bool, now: float) -> None:
        self.state[i] = ANSWERED
        self.answer[i] = now
        self.by[i] = p
        if backup:
            self.backup.add(i)
        self.free[p] -= 1
        duration = self.service[i] * self.speed[p]
        e = now + duration  # end[i]: computed by `outcome`
        heappush(self.lazy[p], e)
        if self.hot[p]:
            armed = self.armed[p]
            if not armed or e < armed[0]:
                env = self.env  # clock.at, inlined
                heappush(env._queue, (e, NORMAL, next(env._eid), self.on_end, p))
                heappush(armed, e)

    def _fill(self, p: int, now: float) -> None:
        """While pool p has someone free, give them the best eligible waiting contact."""
        scan, free, h = self.scan[p], self.free, self.lazy[p]
        while h and h[0] <= now:  # the ends due (work started below ends later)
            heappop(h)
            free[p] += 1
        if free[p] <= 0:
            return
        nq, pick = self.nq, self._pick
        if self.special:
            xc, xl = self.xc, self.xl[p]
        while free[p] > 0:
            best = pick(scan, now)
            if best is None:
                return
            i, dq, backup, lane = best
            dq.popleft()
            nq[lane] -= 1
            if self.special and (xc[i] or xl[lane]):  # _start, inlined
                self._start_x(i, p, backup, now)
            else:
                self._start_plain(i, p, backup, now)

    def _pick(self, scan: list, now: float) -> tuple[int, deque[int], bool, int] | None:
        best = None
        best_prio, best_arrival = 0, 0.0
        state, arrival, nq, patience = self.state, self.arrival, self.nq, self.patience
        for lane, queues, delay, backup, closed in scan:
            if not nq[lane] or (closed and not is_open(closed, now)):
                continue
            for prio, dq in queues:
                while dq:
                    i = dq[0]
                    if state[i] == WAITING:
                        if arrival[i] + patience[i] >= now or i in self.cut:
                            break
                        state[i] = LEFT  # its patience ran out while it waited
                    dq.popleft()
                    nq[lane] -= 1
                else:
                    continue
                t = arrival[i]
                if delay and t + delay > now + _EPS:
                    continue  # the oldest of this priority has not waited long enough
                if best is None or prio < best_prio or (prio == best_prio and t < best_arrival):
                    best, best_prio, best_arrival = (i, dq, backup, lane), prio, t
                break
        return best

    def outcome(self) -> Outcome:
        n = len(self.state)
        state = np.fromiter(self.state, np.int8, n)
        # Those still waiting whose patience ran out before the end of the run have left.
        arrival = self.rows.arrival
        if self.special:  # the follow-ups' arrivals were set as they came (own rows as drawn)
            arrival = arrival.copy()
            arrival[self.n:] = self.arrival[self.n:]
        gone = (state == WAITING) & (arrival + self.rows.patience < self.until)
        if self.cut:
            gone[list(self.cut)] = False  # interrupted work never gives up
        state[gone] = LEFT
        answer = np.fromiter(self.answer, float, n)
        end = np.full(n, np.nan)
        if self.end:
            end[np.fromiter(self.end, np.int64, len(self.end))] = np.fromiter(
                self.end.values(), float, len(self.end))
        pool = np.fromiter(self.by, np.int16, n)
        # Work started on the plain path keeps no end (never read while running, and a float
        # per contact kept to the end of the run): it is its start + service x speed, the
        # same floats as computed then. Interrupted work waiting to resume has no end.
        started = np.isnan(end) & ~np.isnan(answer)
        if self.special and self.rest:
            started[list(self.rest)] = False
        speed = np.array(self.speed, dtype=float)  # pool -1 (never answered) is not used
        end = np.where(started, answer + self.rows.service * speed[pool], end)
        backup = np.zeros(n, dtype=bool)
        backup[list(self.backup)] = True
        plain = Outcome(
            answer=answer,
            end=end,
            pool=pool,
            backup=backup,
            state=state,
        )
        if not self.special:
            return plain
        pieces = list(self.pieces)  # and the last pieces of those still in service:
        pieces += [(i, self.by[i], self.piece_start[i], self.end[i]) for i in sorted(self.resumed)]
        interrupted = np.zeros(n)
        for i, t in self.interrupted.items():
            interrupted[i] = t
        return replace(plain, arrival=arrival, interrupted=interrupted,
                       pieces=np.array(pieces, dtype=float).reshape(-1, 4))

    def close(self) -> None:
        """Drop the per-contact lists and the link to the environment, whose queue still
        holds events calling back into the centre: memory is freed now, not by the GC."""
        for name in (*Centre.__slots__, *Extras.__slots__):
            if hasattr(self, name):
                delattr(self, name)


#: The queue's last entry while arrivals are merged in: due never, never run.
_LAST = (float("inf"), NORMAL, -1, None, None)


def _after_ties(arg: tuple[Centre, int]) -> None:
    """Wake pool p after everything else already due at this instant (so a primary freed at
    the same moment keeps precedence over a backup whose window just closed)."""
    centre, p = arg
    call(centre.env, 0, centre._on_window, p)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while the core runs: it makes and drops some
    hundred thousand tuples and lists, none of them in a cycle (the centre's link to its
    environment is cut by `Centre.close`), and the collector would otherwise walk the
    per-contact lists again and again (about 6 % of a replication of the 2020 baseline). A
    collector already off (the caller's choice) stays off."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def run(contacts: Contacts, pools: list[PoolPlan], until_s: float) -> Outcome:
    """Simulate the centre until `until_s`; contacts still queued then stay WAITING."""
    with _gc_paused():
        return _run(contacts, pools, until_s)


def _run(contacts: Contacts, pools: list[PoolPlan], until_s: float) -> Outcome:
    env = simpy.Environment()
    centre = Centre(env, contacts, pools)
    for p, pool in enumerate(pools):
        if pool.changes is None:
            Roster(centre, p, pool.on_duty)
        else:
            Changes(centre, p, pool.changes)
        for t1 in sorted({t1 for s in pool.services for _, t1 in s.unavailable}):
            if 0 < t1 < until_s:  # a window closing frees the pool for contacts waiting
                call(env, t1, _after_ties, (centre, p))
    centre.run(until_s)
    out = centre.outcome()
    centre.close()
    return out
