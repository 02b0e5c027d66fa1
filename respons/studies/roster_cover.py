"""The cheapest weekly cover by an integer programme (scipy.optimize.milp, HiGHS).

Variables: x_j, whole people on shift option j (a catalogue pattern's start and length on one
weekday), and z_kl in [0, 1], "slot k has at least floor_k + l on duty" (binary where the
slot's gains are not concave in l, see below). Minimise the weekly cost
sum_j cost_j x_j subject to

* cover: sum_{j covering k} x_j - sum_l z_kl >= floor_k for each 30-minute slot k;
* z_k,l+1 <= z_kl (levels are reached in order, in slots whose gains are not concave);
* goal (optional): sum_kl gain_kl z_kl >= needed, where gain_kl is how many more alarms are
  expected to be answered in time at level floor_k + l than at the level below;
* part-time: hours on part-time patterns <= max share x all hours (when the catalogue says);
* x_j <= the pattern's max_people.

Without the goal row this is plain set covering of a per-slot requirement (`floor`). With it,
the programme chooses *where* extra staff buys most of the goal per krone, instead of asking
every slot to meet the goal on its own.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix, hstack, vstack

from respons.studies.roster_shifts import SLOTS_PER_WEEK, ShiftCatalogue, ShiftOption

# Among equally cheap rotas: fewer, longer shifts, and each pattern's earlier start times (the
# same times every day). NOK per person-shift; far below any real cost difference (the
# catalogue's slot costs differ by whole kroner).
TIE_BREAK_NOK = 0.001
TIE_BREAK_START_NOK = 0.0001
# Stop within 0.1 % of the best possible weekly cost (proving the last cents optimal can take
# minutes), or after NODE_LIMIT branch-and-bound nodes (deterministic, unlike a time limit:
# the same input gives the same rota on any machine); the gap reached is reported.
MIP_GAP = 1e-3
NODE_LIMIT = 200
TIME_LIMIT_S = 600.0  # a safety net only


class CoverInfeasible(Exception):
    """No rota of the catalogue meets the constraints."""


@dataclass(frozen=True)
class Cover:
    """A rota: people per shift option, on duty per slot, the level each slot was credited
    with (the requirement) and the weekly cost."""

    options: tuple[ShiftOption, ...]
    people: np.ndarray
    on_duty: np.ndarray
    required: np.ndarray
    weekly_cost: float
    gap: float  # proven relative distance to the cheapest possible (<= MIP_GAP unless stopped)

    @property
    def weekly_hours(self) -> float:
        return float(sum(o.hours * n for o, n in zip(self.options, self.people, strict=True)))

    def key(self) -> tuple[int, ...]:
        return tuple(int(n) for n in self.people)

    def chosen(self) -> list[tuple[ShiftOption, int]]:
        return [(o, int(n)) for o, n in zip(self.options, self.people, strict=True) if n > 0]


def coverage_matrix(options: list[ShiftOption]) -> csr_matrix:
    """slots x options: 1 where the option's shift covers the slot."""
    rows = np.concatenate([o.slots for o in options])
    cols = np.concatenate([np.full(o.slots.size, j) for j, o in enumerate(options)])
    return coo_matrix((np.ones(rows.size), (rows, cols)),
                      shape=(SLOTS_PER_WEEK, len(options))).tocsr()


def option_costs(catalogue: ShiftCatalogue, options: list[ShiftOption]) -> np.ndarray:
    """Weekly cost of one person on each option, NOK."""
    return np.array([catalogue.slot_cost[o.slots].sum() for o in options])


def tie_break(options: list[ShiftOption]) -> np.ndarray:
    """The tiny extra objective of each option (see TIE_BREAK_NOK)."""
    starts: dict[str, list[int]] = {}
    for o in options:
        starts.setdefault(o.pattern, []).append(o.start_min)
    rank = {p: {m: i for i, m in enumerate(sorted(set(v)))} for p, v in starts.items()}
    return np.array([TIE_BREAK_NOK + TIE_BREAK_START_NOK * rank[o.pattern][o.start_min]
                     for o in options])


def solve_cover(catalogue: ShiftCatalogue, floor: np.ndarray, gains: np.ndarray | None = None,
                needed: float = 0.0, options: list[ShiftOption] | None = None,
                gap: float = MIP_GAP, most: bool = False) -> Cover:
    """The cheapest rota (within `gap`) with at least `floor[k]` on duty in each slot and, when
    `gains` (slots x levels above the floor, increments) is given, at least `needed` expected
    gain. With `most`, the rota with the largest gain the catalogue allows instead (the
    cheapest such, as a tie-break)."""
    options = catalogue.options() if options is None else options
    cover = coverage_matrix(options)
    cost = option_costs(catalogue, options)
    hours = np.array([o.hours for o in options])
    n_x = len(options)
    floor = np.asarray(floor, dtype=float)
    if gains is None or (needed <= 0 and not most):
        gains = np.zeros((SLOTS_PER_WEEK, 0))
    n_lv = gains.shape[1]
    n_z = SLOTS_PER_WEEK * n_lv
    z_slot = np.repeat(np.arange(SLOTS_PER_WEEK), n_lv)
    # cover rows: A x - sum_l z_kl >= floor_k
    minus_z = coo_matrix((-np.ones(n_z), (z_slot, np.arange(n_z))), shape=(SLOTS_PER_WEEK, n_z))
    rows = [_hstack(cover, minus_z)]
    lo, hi = [floor], [np.full(SLOTS_PER_WEEK, np.inf)]
    # Where a slot's gains never rise again with the level (concave), z may be continuous: for
    # whole people on duty the best fractional credit equals the credit of the first levels.
    # Where they do (e.g. an unstable queue at the first levels), z is binary up to the last
    # rise and the levels are taken in order.
    rise = np.diff(gains, axis=1) > 1e-9 * max(float(np.abs(gains).max(initial=0.0)), 1.0)
    binary = np.zeros((SLOTS_PER_WEEK, n_lv), dtype=bool)
    for k in np.flatnonzero(rise.any(axis=1)):
        binary[k, : np.flatnonzero(rise[k]).max() + 2] = True
    ordered = np.repeat(rise.any(axis=1), max(n_lv - 1, 0))
    if n_lv > 1 and ordered.any():  # z_k,l+1 - z_kl <= 0 in the slots that need it
        idx = np.arange(n_z).reshape(SLOTS_PER_WEEK, n_lv)[:, 1:].ravel()[ordered]
        m = idx.size
        order = coo_matrix((np.r_[np.ones(m), -np.ones(m)],
                            (np.r_[np.arange(m), np.arange(m)], np.r_[idx, idx - 1])),
                           shape=(m, n_z))
        rows.append(_hstack(csr_matrix((m, n_x)), order))
        lo.append(np.full(m, -np.inf))
        hi.append(np.zeros(m))
    if n_z and not most:
        rows.append(_hstack(csr_matrix((1, n_x)), csr_matrix(gains.reshape(1, -1))))
        lo.append(np.array([needed]))
        hi.append(np.array([np.inf]))
    share = catalogue.max_part_time_share
    if share is not None and any(o.part_time for o in options):
        part = np.array([o.part_time for o in options], dtype=float)
        rows.append(_hstack(csr_matrix(((part - share) * hours)[None, :]), csr_matrix((1, n_z))))
        lo.append(np.array([-np.inf]))
        hi.append(np.array([0.0]))
    upper = np.array([np.inf if o.max_people is None else o.max_people for o in options])
    objective = np.r_[cost + tie_break(options), np.zeros(n_z)]
    if most:  # gain first; cost only among rotas of (practically) equal gain
        objective = np.r_[1e-9 * objective[:n_x], -gains.ravel()]
    with _quiet():
        res = milp(
            c=objective,
            integrality=np.r_[np.ones(n_x), binary.ravel().astype(float)],
            bounds=Bounds(np.zeros(n_x + n_z), np.r_[upper, np.ones(n_z)]),
            constraints=LinearConstraint(vstack(rows).tocsr(), np.concatenate(lo),
                                         np.concatenate(hi)),
            options={"time_limit": TIME_LIMIT_S, "node_limit": NODE_LIMIT, "mip_rel_gap": gap},
        )
    if res.x is None:
        raise CoverInfeasible(res.message)
    x = np.round(res.x[:n_x]).astype(np.int64)
    z = res.x[n_x:].reshape(SLOTS_PER_WEEK, n_lv)
    on = np.asarray(cover @ x).astype(np.int64)
    required = (floor + np.ceil(z.sum(axis=1) - 1e-6)).astype(np.int64)
    reached = getattr(res, "mip_gap", None)
    return Cover(tuple(options), x, on, required, float(cost @ x),
                 float(reached) if reached is not None and np.isfinite(reached) else 0.0)


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence what HiGHS itself prints to the process's stdout (debug lines of its MIP
    solver); our own output stays on sys.stdout/sys.stderr."""
    sys.stdout.flush()
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


def _hstack(a: Any, b: Any) -> csr_matrix:
    """Two sparse blocks side by side."""
    return hstack([a, b]).tocsr()
