"""The core's special path: follow-ups, travel, pre-emptive resume and the at-once shift change.

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

Contacts without follow-ups, travel or interruptions, in categories a pool's work is not
interrupted in and on pools without `at_once`, take the plain path (`core.Centre`), unchanged
from a model without these features; a run without any of them never calls this code. Work
started here ends by an event when it may be interrupted, when its pool changes shifts at
once, when it resumes interrupted work or when a follow-up is due the instant it ends;
otherwise its end is known at the start and counted lazily, as plain work's.
"""

from __future__ import annotations

from collections.abc import Sequence
from heapq import heappop, heappush

import numpy as np

from respons.engine.clock import NORMAL, call
from respons.engine.contacts import ANSWERED, WAITING, Contacts


class Extras:
    """Mixed into `core.Centre`: the state and events of the special path."""

    # The special path's state (slots: a class with this many attributes would otherwise
    # keep them in a plain dict, and every `self.x` would be a dict lookup).
    __slots__ = ("at_end", "at_once", "children", "cut", "epoch", "epoch_of", "inservice",
                 "interrupted", "leaving", "on_done_x", "on_task", "paused_at", "piece_start",
                 "pieces", "priority", "rest", "resumed", "running", "special", "travel",
                 "version", "xc", "xl")

    def _init_extras(self, contacts: Contacts, pools: list) -> None:
        """State of the special path. Without any of its features only `special` (False),
        `xl`, `cut`, `pieces` and `at_once` are set: every start is the plain one."""
        n = len(contacts)
        self.at_once = [pool.changes is not None for pool in pools]
        nlane = len(self.immediate)
        # xl[p][lane]: every start of the lane on pool p takes the special path (its work is
        # interruptible there, or the pool changes shifts at once); other lanes of such a pool
        # start plainly.
        self.xl = [[a or ln in il for ln in range(nlane)]
                   for a, il in zip(self.at_once, self.ilanes, strict=True)]
        self.cut: set[int] = set()  # rows interrupted at least once
        self.pieces: list[tuple[int, int, float, float]] = []
        self.special = contacts.parent is not None or any(map(any, self.xl))
        if not self.special:
            return
        self.priority = contacts.priority  # read rarely: arrays, not lists
        # children[i]: the follow-ups of row i with their delays, in row order; travel[i]:
        # one-way travel of the rows that travel (only those rows: most have neither).
        self.children: dict[int, Sequence[tuple[int, float]]] = {}
        self.travel: dict[int, float] = {}
        # Parents with a follow-up due the instant they end: their end is an event, so that
        # the follow-up arrives after everything else due then (as when it is created).
        self.at_end: set[int] = set()
        # xc[i]: row i takes the special path (it has follow-ups or travel, or was
        # interrupted).
        xc = np.zeros(n, dtype=bool)
        if contacts.parent is not None:
            self._follow_ups(contacts)
            xc[contacts.parent[contacts.parent >= 0]] = True
            moving = np.flatnonzero(contacts.travel > 0)
            self.travel = dict(zip(moving.tolist(), contacts.travel[moving].tolist(),
                                   strict=True))
            xc[moving] = True
        self.xc = xc.tolist()
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

    def _follow_ups(self, contacts: Contacts) -> None:
        """`children` and `at_end` from the follow-up rows (built in C where a parent has
        one follow-up, as most have)."""
        rows = np.flatnonzero(contacts.parent >= 0)
        parents, delays = contacts.parent[rows], contacts.delay[rows]
        listed = parents.tolist()
        pairs = zip(rows.tolist(), delays.tolist(), strict=True)
        # {parent: ((row, delay),)}: zip(pairs) makes the 1-tuples without a Python loop
        self.children = dict(zip(listed, zip(pairs, strict=True), strict=True))
        if len(self.children) < len(listed):  # parents with several: theirs in row order
            values, counts = np.unique(parents, return_counts=True)
            several = np.isin(parents, values[counts > 1])
            pieces: dict[int, list[tuple[int, float]]] = {}
            for k, parent, delay in zip(rows[several].tolist(), parents[several].tolist(),
                                        delays[several].tolist(), strict=True):
                pieces.setdefault(parent, []).append((k, delay))
            self.children.update(pieces)
        self.at_end = set(parents[~(delays > 0)].tolist())  # not > 0: nan included

    # -- events -------------------------------------------------------------------------
    def shift_change(self, p: int, ins: int, outs: int) -> None:
        """Rule at_once: `outs` people leave (idle ones at once, busy ones when their call
        ends) and `ins` come on duty and start at once."""
        idle = min(outs, max(self._free(p, self.env._now), 0))
        self.free[p] -= idle
        rest = outs - idle
        if rest > 0:
            self.leaving[p] += min(rest, self.inservice[p] - self.leaving[p])
            self.epoch[p] += 1  # calls in service now belong to the old shift
        self.free[p] += ins
        if ins > 0:
            self._fill(p, self.env._now)

    def _on_task(self, k: int) -> None:
        """Follow-up k arrives: answered at once if allowed, otherwise it waits."""
        now = self.env._now
        self.arrival[k] = now
        free, lazy, lane = self.free, self.lazy, self.lane[k]
        for p, backup, closed in self.immediate[lane]:
            h = lazy[p]
            while h and h[0] <= now:  # _free, inlined
                heappop(h)
                free[p] += 1
            if free[p] > 0 and (not closed or is_open(closed, now)):
                if self.xc[k] or self.xl[p][lane]:  # _start, inlined
                    self._start_x(k, p, backup, now)
                else:
                    self._start_plain(k, p, backup, now)
                return
        self._wait(k, now)

    def _on_wake_interrupt(self, arg: tuple[int, int]) -> None:
        """As `_on_wake`, for a backup whose contact may interrupt the pool's work: if the
        contact no longer waits, nothing became eligible for p now (see `_on_wake`)."""
        (p, i), now = arg, self.env._now
        if self.state[i] != WAITING:
            return
        self._fill(p, now)
        self._interrupt(p, now)
        if self.state[i] == WAITING and not self.hot[p]:
            self._heat(p, now)

    def _on_done_x(self, arg: tuple[int, int]) -> None:
        """The end of work started on the special path: stale if interrupted since; frees
        the person (unless a leaver), and sends the follow-ups on their way."""
        i, v = arg
        env = self.env
        p = self.by[i]
        if v >= 0:
            if v != self.version[i]:
                return  # interrupted meanwhile: this end no longer holds
            self.running[p].remove(i)
        if i in self.cut:  # the last piece of interrupted work
            self.pieces.append((i, p, self.piece_start[i], env._now))
            self.resumed.discard(i)
        if self.at_once[p]:
            self.inservice[p] -= 1
        if self.at_once[p] and self.epoch_of[i] < self.epoch[p] and self.leaving[p] > 0:
            self.leaving[p] -= 1  # a leaver's call: the person goes home
        else:
            self.free[p] += 1
        for k, delay in self.children.get(i, ()):
            call(env, delay, self.on_task, k)
        nq = self.nq
        for c in self.cats[p]:
            if nq[c]:
                self._fill(p, env._now)
                return
        self.hot[p] = False

    # -- dispatch -----------------------------------------------------------------------
    def _start_x(self, i: int, p: int, backup: bool, now: float) -> None:
        """Start (or resume) row i on pool p: travel, interruptible work, at-once rosters."""
        if i in self.rest:  # resuming interrupted work
            duration = self.rest.pop(i)
            self.interrupted[i] = self.interrupted.get(i, 0.0) + now - self.paused_at.pop(i)
            self.piece_start[i] = now
            self.resumed.add(i)
        else:
            self.answer[i] = now
            if backup:
                self.backup.add(i)
            duration = self.service[i] * self.speed[p] + 2.0 * self.travel.get(i, 0.0)
            if not self.xl[p][self.lane[i]] and i not in self.at_end:
                # Its end is known now (not interruptible, not at_once): counted lazily, as
                # plain work's, and the follow-ups are scheduled now, each at the float it
                # would get when created at the end (`end + delay`).
                self.state[i] = ANSWERED
                self.by[i] = p
                self.free[p] -= 1
                self.end[i] = e = now + duration
                heappush(self.lazy[p], e)
                env = self.env
                queue, eid = env._queue, env._eid
                armed = self.armed[p]
                if self.hot[p] and (not armed or e < armed[0]):
                    heappush(queue, (e, NORMAL, next(eid), self.on_end, p))  # clock.at
                    heappush(armed, e)
                on_task = self.on_task
                for k, delay in self.children.get(i, ()):
                    heappush(queue, (e + delay, NORMAL, next(eid), on_task, k))
                return
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
            call(self.env, duration, self.on_done_x, (i, v))
        else:
            call(self.env, duration, self.on_done_x, (i, -1))

    def _interrupt(self, p: int, now: float) -> None:
        """While nobody in pool p is free, let the best waiting contact of an interrupting
        category take over the least urgent interruptible task less urgent than itself."""
        running = self.running[p]
        while running and self._free(p, now) == 0:
            best = self._pick(self.iscan[p], now)
            if best is None:
                return
            i, dq, backup, lane = best
            victim = self._victim(p, int(self.priority[i]))
            if victim is None:
                return
            dq.popleft()
            self.nq[lane] -= 1
            self._pause(victim, p, now)
            self.free[p] += 1
            self._start(i, p, backup, now)
            vlane = self.lane[victim]  # someone free elsewhere may take the task up
            for q, _, closed in self.immediate[vlane]:
                if self._free(q, now) > 0 and (not closed or is_open(closed, now)):
                    self._fill(q, now)

    def _victim(self, p: int, priority: int) -> int | None:
        """Pool p's interruptible task to stop for a contact of `priority`: the least urgent,
        then the most recently started; only of staff who stay (rule at_once)."""
        best, best_prio = None, priority
        at_once, epoch = self.at_once[p], self.epoch[p]
        for v in reversed(self.running[p]):
            prio = int(self.priority[v])
            if prio > best_prio and (not at_once or self.epoch_of[v] == epoch):
                best, best_prio = v, prio
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
        del self.end[v]
        self.state[v] = WAITING
        lane = self.lane[v]
        self.deques[self.qid[v]].appendleft(v)
        self.nq[lane] += 1
        for q in self.all_watchers[lane]:
            if not self.hot[q]:
                self._heat(q, now)
        if self.at_once[p]:
            self.inservice[p] -= 1


def is_open(windows: tuple[tuple[float, float], ...], now: float) -> bool:
    """True unless `now` falls in one of the closed windows."""
    for t0, t1 in windows:  # noqa: SIM110 - a plain loop is faster than all() here
        if t0 <= now < t1:
            return False
    return True
