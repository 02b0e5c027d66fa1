"""Fewest operators per hour-of-day block meeting a service-level target with 95 % confidence:
the quick fixed-block mode (the same blocks every day); `roster` finds rotas of real shifts.

Start from Erlang C per block, computed on what the criterion counts: the share of the block's
alarms (every hour of the block over the whole period) answered within `within` s, with the
pool's other work queued behind the alarms (`roster_requirement.alarm_service_level`). Then
correct by simulation: while a block's 95 % CI lower bound of that share is below the target,
add one person to the worst block; then remove one where the slack allows, as long as every
block still meets it. The other pools (lead, nurses, IT) stay as configured, so their backup
help counts. All rosters are simulated with the same replications (common random numbers)
and cached. The target is the caller's (flags or the config's goal): there is no default.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from respons.analysis.intervals import confidence_interval
from respons.config import ScenarioConfig, Shift
from respons.engine.replication import simulate_replication
from respons.errors import UserError
from respons.studies.roster_goal import staffed_pool
from respons.studies.roster_requirement import (
    MAX_LEVEL,
    SLOT_S,
    alarm_service_level,
    slot_loads,
)
from respons.studies.roster_shifts import SLOT_MIN

if TYPE_CHECKING:
    from respons.config import Pool

__all__ = ["Block", "BlockLoad", "block_loads", "find_staffing", "fte", "parse_blocks",
           "staffed_pool", "with_roster"]

PUBLISHED_FTE = 5.7  # answer service 2020 incl. 1 FTE professional lead (seed-facts.md §2.2)
DEFAULT_BLOCKS = ("night=23-07", "day=07-15", "evening=15-23")
_BLOCK = re.compile(r"^([A-Za-z][\w-]*)=(\d{1,2})-(\d{1,2})$")
Roster = tuple[int, ...]


@dataclass(frozen=True)
class Block:
    """Hours of the day [start, end) (end <= start wraps past midnight), 0..24."""

    name: str
    start: int
    end: int

    @property
    def hours(self) -> list[int]:
        """The hours of the day in the block, in order."""
        n = (self.end - self.start) % 24 or 24
        return [(self.start + i) % 24 for i in range(n)]

    def shift(self, staff: int) -> Shift:
        """A daily shift covering this block."""
        return Shift(start=f"{self.start:02d}:00", end=f"{self.end:02d}:00", staff=staff)

    def __str__(self) -> str:
        return f"{self.start:02d}-{self.end:02d}"


def parse_blocks(specs: list[str] | tuple[str, ...]) -> list[Block]:
    """Blocks from 'name=HH-HH'; together they must cover each hour of the day exactly once."""
    blocks = []
    for s in specs:
        m = _BLOCK.match(s)
        if not m or int(m.group(2)) > 23 or int(m.group(3)) > 24:
            raise UserError(f"--blocks '{s}' must look like name=HH-HH (e.g. night=23-07).")
        blocks.append(Block(m.group(1), int(m.group(2)), int(m.group(3))))
    hours = sorted(h for b in blocks for h in b.hours)
    if hours != list(range(24)):
        raise UserError(f"--blocks {' '.join(specs)} must cover every hour of the day exactly "
                        "once.")
    if len({b.name for b in blocks}) != len(blocks):
        raise UserError("--blocks: names must be unique.")
    return blocks


@dataclass(frozen=True)
class BlockLoad:
    """A block's alarms per hour (mean over its hours in the period), the pool's mean handling
    time there, and the Erlang C staff with the share of its alarms answered in time."""

    block: Block
    per_hour: float
    aht_s: float
    erlang: int
    erlang_share: float


def block_loads(cfg: ScenarioConfig, pool: Pool, blocks: list[Block], target: float,
                within: float) -> list[BlockLoad]:
    """Erlang C staff per block: the fewest on duty for which the expected share of the
    block's alarms answered within `within` s, over every hour of the block in the period,
    reaches `target` (the simulation's criterion, on the same load)."""
    loads = slot_loads(cfg, pool)
    hour = (np.arange(loads.alarms.size) * SLOT_MIN // 60) % 24
    out = []
    for b in blocks:
        sel = np.isin(hour, b.hours)
        alarms = loads.alarms[sel]
        count = alarms.sum() + loads.other[sel].sum()
        work = loads.alarm_work_s[sel].sum() + loads.other_work_s[sel].sum()
        per_hour = float(alarms.sum() / (sel.sum() * SLOT_S / 3600.0)) if sel.any() else 0.0
        aht = float(work / count) if count > 0 else 0.0
        if alarms.sum() <= 0:
            out.append(BlockLoad(b, per_hour, aht, 1, 1.0))
            continue
        for n in range(1, MAX_LEVEL + 1):
            share = float(alarms @ alarm_service_level(loads.subset(sel), n, within)
                          / alarms.sum())
            if share >= target:
                break
        out.append(BlockLoad(b, per_hour, aht, n, share))
    return out


def with_roster(cfg: ScenarioConfig, pool: str, blocks: list[Block],
                staff: Roster) -> ScenarioConfig:
    """`cfg` with `pool` rostered `staff[i]` people every day in block i."""
    data = cfg.model_dump()
    for p in data["pools"]:
        if p["name"] == pool:
            p["shifts"] = [b.shift(n).model_dump() for b, n in zip(blocks, staff, strict=True)
                           if n > 0]
    return ScenarioConfig.model_validate(data)


def block_service_levels(cfg: ScenarioConfig, blocks: list[Block], within: float,
                         replication: int) -> list[float]:
    """Per block: share of alarms arriving in its hours (in the period) answered in time."""
    ev = simulate_replication(cfg, replication).events
    ev = ev[(ev["category"] == "alarm") & (ev["arrival_s"] < cfg.period.days * 86400.0)]
    hod = (ev["arrival_s"].to_numpy() // 3600).astype(np.int64) % 24
    ok = (ev["wait_s"] <= within).to_numpy()
    out = []
    for b in blocks:
        sel = np.isin(hod, b.hours)
        out.append(float(ok[sel].mean()) if sel.any() else math.nan)
    return out


@dataclass(frozen=True)
class Evaluation:
    """Simulated per-block service level of one roster: mean and 95 % CI bounds."""

    staff: Roster
    mean: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]

    def meets(self, target: float) -> list[bool]:
        """Per block: CI lower bound >= target (a block without alarms meets it)."""
        return [math.isnan(m) or lo >= target for m, lo in zip(self.mean, self.low, strict=True)]


@dataclass
class StaffingResult:
    """The simulated roster, the Erlang C-only roster and every evaluation made."""

    pool: str
    blocks: list[Block]
    loads: list[BlockLoad]
    staff: Roster
    evaluations: dict[Roster, Evaluation] = field(default_factory=dict)

    @property
    def erlang(self) -> Roster:
        """The Erlang C-only roster."""
        return tuple(load.erlang for load in self.loads)

    def weekly_hours(self, staff: Roster) -> float:
        """Rostered person-hours per week of a block roster."""
        return sum(n * len(b.hours) * 7 for b, n in zip(self.blocks, staff, strict=True))


def fte(weekly_hours: float, hours_per_week: float, shrinkage: float) -> float:
    """FTE of a roster: weekly hours / hours per FTE, grossed up for holidays and sickness."""
    return weekly_hours / hours_per_week / (1.0 - shrinkage)


class Evaluator:
    """Simulates rosters (all replications, optionally in `jobs` processes) and caches them."""

    def __init__(self, cfg: ScenarioConfig, pool: str, blocks: list[Block], within: float,
                 jobs: int = 1, report: Callable[[Evaluation], None] | None = None) -> None:
        self.cfg, self.pool, self.blocks, self.within = cfg, pool, blocks, within
        self.jobs, self.report = jobs, report
        self.cache: dict[Roster, Evaluation] = {}

    def __call__(self, staff: Roster) -> Evaluation:
        """The (cached) evaluation of a roster."""
        if staff not in self.cache:
            cfg = with_roster(self.cfg, self.pool, self.blocks, staff)
            args = [(cfg, self.blocks, self.within, r) for r in range(cfg.replications)]
            if self.jobs > 1:
                from joblib import Parallel, delayed

                from respons.runs.workers import EndsWithParent

                task = EndsWithParent(block_service_levels)
                rows = Parallel(n_jobs=self.jobs, backend="loky")(
                    delayed(task)(*a) for a in args)
            else:
                rows = [block_service_levels(*a) for a in args]
            sl = np.asarray(rows, dtype=float)
            cis = [_clipped(confidence_interval(sl[:, i])) for i in range(len(self.blocks))]
            ev = Evaluation(staff, *(tuple(c[j] for c in cis) for j in range(3)))
            self.cache[staff] = ev
            if self.report is not None:
                self.report(ev)
        return self.cache[staff]


def find_staffing(cfg: ScenarioConfig, blocks: list[Block], target: float, within: float,
                  pool: str | None = None, max_staff: int = 20, jobs: int = 1,
                  report: Callable[[Evaluation], None] | None = None) -> StaffingResult:
    """Erlang C start, then greedy simulation: add to the worst block, remove where slack."""
    if cfg.replications < 2:
        raise UserError("staff needs at least 2 replications for a confidence interval.")
    p = staffed_pool(cfg, pool)
    loads = block_loads(cfg, p, blocks, target, within)
    evaluate = Evaluator(cfg, p.name, blocks, within, jobs, report)
    staff = [max(1, min(load.erlang, max_staff)) for load in loads]
    while not all((ev := evaluate(tuple(staff))).meets(target)):
        failing = [i for i, ok in enumerate(ev.meets(target)) if not ok]
        worst = min(failing, key=lambda i: (_or(ev.low[i], ev.mean[i]), i))
        if staff[worst] >= max_staff:
            raise UserError(f"block {blocks[worst].name}: the target is not met even with "
                            f"{max_staff} staff (--max-staff).")
        staff[worst] += 1
    improved = True
    while improved:
        improved = False
        ev = evaluate(tuple(staff))
        order = sorted(range(len(blocks)), key=lambda i: (-_or(ev.low[i], ev.mean[i]), i))
        for i in order:
            if staff[i] <= 1:
                continue
            trial = tuple(n - (j == i) for j, n in enumerate(staff))
            if all(evaluate(trial).meets(target)):
                staff, improved = list(trial), True
                break
    return StaffingResult(p.name, blocks, loads, tuple(staff), dict(evaluate.cache))


def _clipped(ci: tuple[float, float, float]) -> tuple[float, float, float]:
    """A share's interval kept inside [0, 1] (nan stays nan)."""
    mean, lo, hi = ci
    return mean, *(x if math.isnan(x) else min(max(x, 0.0), 1.0) for x in (lo, hi))


def _or(x: float, fallback: float) -> float:
    if not math.isnan(x):
        return x
    return -1.0 if math.isnan(fallback) else fallback
