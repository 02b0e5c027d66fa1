"""What the core is given and gives back: the plan of each pool and its services, the
per-row outcome, and the lanes (queues) the services' scopes make of the contacts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from respons.engine.contacts import CATEGORIES, Contacts
from respons.engine.rosters import OnDuty


@dataclass(frozen=True)
class ServicePlan:
    """A category a pool answers: `delay_s` of waiting first (0 = at once), when it may not,
    for which municipalities (None = all) and whether its work is interrupted or interrupts."""

    category: int
    delay_s: float
    primary: bool
    unavailable: tuple[tuple[float, float], ...] = ()
    municipalities: tuple[int, ...] | None = None
    interruptible: bool = False
    interrupts: bool = False


@dataclass(frozen=True)
class PoolPlan:
    """What the core needs of a pool: its on-duty steps, services and speed; `changes`
    (times, ins, outs) are the gross shift changes for the rule `at_once` (None = netted)."""

    name: str
    on_duty: OnDuty
    services: tuple[ServicePlan, ...]
    speed_factor: float = 1.0
    changes: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None


@dataclass(frozen=True)
class Outcome:
    """Per-row results of one run of the core (index = row of the contacts)."""

    answer: np.ndarray  # float64, s of the first start; nan if never answered
    end: np.ndarray  # float64, s; nan if never answered
    pool: np.ndarray  # int16 pool index (the last to serve it), -1 if never answered
    backup: np.ndarray  # bool: answered by a pool serving the category as backup
    state: np.ndarray  # int8: WAITING (still queued at the end), ANSWERED, LEFT
    arrival: np.ndarray | None = None  # float64, s; follow-ups: nan if never created
    interrupted: np.ndarray | None = None  # float64, s spent interrupted after the first start
    pieces: np.ndarray | None = None  # (k, 4): row, pool, start, end of interrupted work



def lanes_of(contacts: Contacts, pools: list[PoolPlan]) -> tuple[np.ndarray, list[tuple[int, int]]]:
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


def served(s: ServicePlan, lanes: list[tuple[int, int]]) -> list[int]:
    """The lanes a service covers: its category's (those of its municipalities if scoped)."""
    if not any(c == s.category and m >= 0 for c, m in lanes):
        return [s.category]
    return [k for k, (c, m) in enumerate(lanes) if c == s.category and m >= 0
            and (s.municipalities is None or m in s.municipalities)]
