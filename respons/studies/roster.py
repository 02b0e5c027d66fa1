"""The cheapest weekly rota of real shifts that meets the answer goal, proven by simulation.

1. Erlang start (`roster_requirement`): per 30-minute slot of the week and people on duty,
   the expected alarms answered within the limit, summed over the period.
2. Cover (`roster_cover`): the cheapest rota of the catalogue's shifts whose expected share
   of alarms answered in time reaches the target, with at least `min_on_duty` on duty always.
3. Simulate it (`roster_verify`) on *search* draws (a seed derived from the config's) under
   common random numbers. Where the simulated misses of a slot differ from Erlang's (backup
   staff help, priorities, non-exponential times), that slot's Erlang misses are rescaled
   by the observed ratio at each level simulated (shrunk towards the overall ratio where a
   slot has few misses), so the requirement rises where misses concentrate and falls where
   backup covers; the target keeps a margin of two confidence half-widths, plus the model's
   error on the last rota.
   Solve and simulate again, until a rota whose lower 95 % bound reaches the goal on the
   search draws also does so on the config's own seed (independent draws: the
   *verification*), and the next solution would not be cheaper.

The verification uses the config's seed, so `simulate --config config.roster.yaml`
reproduces it; the rotas compared with the answer are simulated on the same draws.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from respons.config import Category, Goal, Pool, ScenarioConfig
from respons.errors import UserError
from respons.studies.roster_costs import (
    by_municipality,
    period_cost,
    pools_named,
    rota_fte,
    week_on_duty,
    weekly_cost,
)
from respons.studies.roster_cover import Cover, CoverInfeasible, solve_cover
from respons.studies.roster_requirement import (
    WithinTable,
    erlang_requirement,
    slot_loads,
    within_table,
)
from respons.studies.roster_shifts import ShiftCatalogue
from respons.studies.roster_verify import (
    RotaShift,
    Verdict,
    apply_overlay,
    layers,
    overlay,
    simulate_rota,
)

PUBLISHED_FTE = 5.7  # answer service 2020 incl. 1 FTE professional lead (seed-facts.md §2.2)
SHRINK = 10.0  # pseudo-count of expected misses pulling a slot's ratio to the overall one
MAX_ITERATIONS = 12
ERLANG_LABEL = "Erlang C per half hour"


@dataclass(frozen=True)
class Problem:
    """What to staff, against which goal, with which shifts."""

    cfg: ScenarioConfig  # with the goal set (target_s = within_s)
    pool: Pool
    catalogue: ShiftCatalogue
    share: float
    within_s: float
    min_on_duty: int = 1
    jobs: int = 1
    max_iterations: int = MAX_ITERATIONS

    @property
    def search_seed(self) -> int:
        """Draws for the search, independent of the config's seed (kept for verification)."""
        return int(np.random.SeedSequence([self.cfg.seed, 0x524F5354]).generate_state(1)[0])

    @property
    def windows(self) -> tuple[Window, ...]:
        """Date ranges overlapping the period when a pool serving alarms does not answer them."""
        p = self.cfg.period
        out: list[Window] = []
        for pool in self.cfg.pools:
            for s in pool.serves:
                if s.category != Category.alarm:
                    continue
                for u in s.unavailable:
                    a, b = max(u.start, p.start), min(u.end, p.end)
                    if a < b and (a, b) not in [(w.start, w.end) for w in out]:
                        out.append(Window(a, b, pool.name, u.start, u.end))
        return tuple(out)


@dataclass(frozen=True)
class Window:
    """Where a backup pool does not answer alarms: [start, end) inside the period, and the
    configured window [first, last)."""

    start: dt.date
    end: dt.date
    pool: str
    first: dt.date
    last: dt.date


@dataclass
class Rota:
    """A candidate rota, its config and costs, and its simulations."""

    label: str
    cfg: ScenarioConfig
    pools: list[str]
    shifts: list[RotaShift]
    cover: Cover | None = None
    search: Verdict | None = None
    verified: Verdict | None = None

    def pool_list(self) -> list[Pool]:
        return pools_named(self.cfg, self.pools)

    @property
    def on_duty(self) -> np.ndarray:
        return week_on_duty(self.pool_list())


@dataclass(frozen=True)
class Iteration:
    number: int
    weekly_cost: float
    gap: float  # the programme's proven distance to the cheapest cover (relative)
    fte: float
    expected: float  # share in time the corrected Erlang model predicted
    search: tuple[float, float, float]
    met_search: bool
    verified: tuple[float, float, float] | None
    met: bool
    note: str = ""


@dataclass
class Design:
    """The answer and how it was found."""

    problem: Problem
    answer: Rota
    table: WithinTable
    iterations: list[Iteration] = field(default_factory=list)


def goal_config(cfg: ScenarioConfig, share: float, within_s: float) -> ScenarioConfig:
    """`cfg` with the goal set and the within-target KPIs at its limit."""
    goal = Goal(share=share, within_s=within_s,
                categories=cfg.goal.categories if cfg.goal else {})
    data = cfg.model_dump(mode="json")
    data.update(goal=goal.model_dump(mode="json"), target_s=within_s)
    return ScenarioConfig.model_validate(data)


def rota_from_cover(problem: Problem, cover: Cover, label: str) -> Rota:
    cfg = problem.cfg
    taken = {p.name for p in cfg.pools}
    shifts = layers(cover.chosen(), problem.pool.name, taken - {problem.pool.name})
    ov = overlay(cfg, problem.pool, shifts)
    rota_cfg = apply_overlay(cfg.model_dump(mode="json"), ov, f"the rota '{label}'")
    names = list(dict.fromkeys([problem.pool.name, *(s.pool for s in shifts)]))
    return Rota(label, rota_cfg, names, shifts, cover)


def rota_from_shifts(problem: Problem, label: str, shifts: list[dict]) -> Rota:
    """A rota given as the pool's config shifts (e.g. one seat round the clock)."""
    data = problem.cfg.model_dump(mode="json")
    ov = {"set": {f"pools.{problem.pool.name}.shifts": shifts}}
    return Rota(label, apply_overlay(data, ov, f"the rota '{label}'"), [problem.pool.name], [])


def simulate(problem: Problem, rota: Rota, search: bool) -> Verdict:
    """The rota on the search draws or the verification draws (cached on the rota)."""
    if search and rota.search is None:
        cfg = rota.cfg.model_copy(update={"seed": problem.search_seed})
        rota.search = simulate_rota(cfg, _dates(problem), problem.jobs)
    if not search and rota.verified is None:
        rota.verified = simulate_rota(rota.cfg, _dates(problem), problem.jobs)
    return rota.search if search else rota.verified  # type: ignore[return-value]


def _dates(problem: Problem) -> tuple[tuple[dt.date, dt.date], ...]:
    return tuple((w.start, w.end) for w in problem.windows)


class Calibration:
    """Erlang's expected misses per slot and level, rescaled by what the simulation saw.

    Each simulated rota gives, per slot, the ratio of simulated to Erlang misses at the level
    it had there (shrunk towards the rota's overall ratio where a slot has few misses). A
    slot's curve uses, at each level, the ratio seen at the nearest level it was simulated
    at, so what was learnt about one staffing level is kept when the search moves on.
    """

    def __init__(self, table: WithinTable) -> None:
        self.table = table
        self.erlang = table.misses()
        self.ratio: dict[tuple[int, int], float] = {}

    def observe(self, on_duty: np.ndarray, verdict: Verdict) -> None:
        """Record the ratio simulated / Erlang misses of each slot at its level."""
        level = np.clip(np.round(on_duty).astype(int), 0, self.table.levels - 1)
        expected = self.erlang[np.arange(level.size), level]
        seen = verdict.misses
        overall = (seen.sum() + SHRINK) / (expected.sum() + SHRINK)
        for k, n in enumerate(level):
            self.ratio[(k, int(n))] = (seen[k] + SHRINK * overall) / (expected[k] + SHRINK)

    def within(self) -> np.ndarray:
        """Expected alarms answered in time per slot and level, after the corrections."""
        slots, levels = self.erlang.shape
        ratio = np.ones((slots, levels))
        known: dict[int, list[int]] = {}
        for k, n in self.ratio:
            known.setdefault(k, []).append(n)
        for k, seen in known.items():
            for n in range(levels):
                near = min(seen, key=lambda m, n=n: (abs(m - n), m))
                ratio[k, n] = self.ratio[(k, near)]
        out = np.clip(self.table.alarms[:, None] - ratio * self.erlang, 0.0,
                      self.table.alarms[:, None])
        return np.maximum.accumulate(out, axis=1)


def cover_for(problem: Problem, within: np.ndarray, alarms: float, target: float) -> Cover:
    """The cheapest cover whose expected share of the period's `alarms` answered in time (by
    `within`, slots x people on duty) reaches `target`."""
    slots, top = within.shape[0], within.shape[1] - 1
    floor = np.full(slots, problem.min_on_duty, dtype=np.int64)
    k = np.arange(slots)
    levels = max(top - problem.min_on_duty, 0)
    gains = np.zeros((slots, levels))
    for lv in range(levels):
        hi, lo = np.minimum(floor + lv + 1, top), np.minimum(floor + lv, top)
        gains[:, lv] = within[k, hi] - within[k, lo]
    needed = target * alarms - float(within[k, np.minimum(floor, top)].sum())
    return solve_cover(problem.catalogue, floor, gains, needed)


def design(problem: Problem, report: Callable[[Iteration], None] | None = None) -> Design:
    """Search for the cheapest verified rota (see the module docstring)."""
    cfg, share = problem.cfg, problem.share
    table = within_table(slot_loads(cfg, problem.pool), problem.within_s, problem.min_on_duty)
    if table.alarms.sum() <= 0:
        raise UserError(f"the period {cfg.period.start} to {cfg.period.end} has no alarms for "
                        f"pool '{problem.pool.name}' to answer: nothing to roster.")
    calib = Calibration(table)
    seen: dict[tuple[int, ...], Rota] = {}
    best: Rota | None = None
    margin, bias, bump = 0.0, 0.0, 0.0
    iterations: list[Iteration] = []
    most: Rota | None = None  # the most the catalogue allows, tried once when nothing reaches
    for number in range(1, problem.max_iterations + 1):
        target = min(share + margin + bias + bump, 1.0)
        within = calib.within()
        try:
            cover = cover_for(problem, within, float(table.alarms.sum()), target)
        except CoverInfeasible:
            if best is not None:
                break
            if most is not None:
                raise UserError(_impossible(problem, most)) from None
            cover = most_cover(problem, within)
        if best is not None and cover.weekly_cost >= best.cover.weekly_cost - 1e-6:
            break  # nothing cheaper left to try
        key = cover.key()
        if key in seen and cover.gap < 0:  # the most the catalogue allows was refuted already
            raise UserError(_impossible(problem, seen[key]))
        if key in seen:  # the corrected model proposes a rota already refuted: ask for more
            bump += max(seen[key].search.half_width, 0.002)
            continue
        rota = rota_from_cover(problem, cover, f"iteration {number}")
        seen[key] = rota
        found = simulate(problem, rota, search=True)
        met_search = found.met(share)
        if most is None and cover.gap < 0:  # the most the catalogue allows
            most = rota
            if not met_search:
                raise UserError(_impossible(problem, most))
        verified = simulate(problem, rota, search=False) if met_search else None
        met = verified is not None and verified.met(share)
        expected = _expected(within, cover.on_duty) / float(table.alarms.sum())
        it = Iteration(number, cover.weekly_cost, cover.gap, rota_fte(cfg, rota.pool_list()),
                       expected, found.ci, met_search,
                       verified.ci if verified is not None else None, met)
        iterations.append(it)
        if report is not None:
            report(it)
        if met and (best is None or cover.weekly_cost < best.cover.weekly_cost):
            best = rota
        # the model's error on the latest rota (optimistic where the programme moved staff)
        bias = max(expected - found.ci[0], 0.0)
        if met_search and not met:
            bump += found.half_width
        calib.observe(cover.on_duty, found)
        margin = 2.0 * found.half_width
    if best is None:
        raise RosterFailed(f"no rota met the goal ({100 * share:g} % of alarms within "
                           f"{problem.within_s:g} s, lower 95 % bound) on both the search and "
                           f"the verification draws within {problem.max_iterations} "
                           "iterations; try more --replications or a longer period.")
    best.label = "answer"
    return Design(problem, best, table, iterations)


def _expected(within: np.ndarray, on_duty: np.ndarray) -> float:
    level = np.clip(on_duty, 0, within.shape[1] - 1)
    return float(within[np.arange(level.size), level].sum())


class RosterFailed(Exception):
    """The search ended without a verified rota (exit code 1: a failed computation)."""


def most_cover(problem: Problem, within: np.ndarray) -> Cover:
    """The rota with the most alarms answered in time (by `within`) that the catalogue's limits
    allow; marked by a negative gap. A catalogue that cannot even cover the floor is bad input."""
    slots, top = within.shape[0], within.shape[1] - 1
    floor = np.full(slots, problem.min_on_duty, dtype=np.int64)
    k = np.arange(slots)
    gains = np.stack([within[k, np.minimum(floor + lv + 1, top)]
                      - within[k, np.minimum(floor + lv, top)]
                      for lv in range(max(top - problem.min_on_duty, 1))], axis=1)
    try:
        cover = solve_cover(problem.catalogue, floor, gains, most=True)
    except CoverInfeasible:
        raise UserError(
            f"shift catalogue '{problem.catalogue.name}' cannot have at least "
            f"{problem.min_on_duty} on duty in every half hour of the week (its start times, "
            "lengths, days or max_people leave gaps); add shifts or lower --min-on-duty."
        ) from None
    return dataclasses.replace(cover, gap=-1.0)


def _impossible(problem: Problem, most: Rota) -> str:
    cat = problem.catalogue
    limits = [f"{p.name} at most {p.max_people}" for p in cat.patterns if p.max_people]
    extra = f" (limits: {', '.join(limits)} per shift)" if limits else ""
    if cat.max_part_time_share is not None:
        extra += f" (part-time share at most {cat.max_part_time_share:g})"
    mean, lo, hi = most.search.ci
    return (f"no rota of shift catalogue '{cat.name}'{extra} meets the goal of "
            f"{100 * problem.share:g} % of alarms within {problem.within_s:g} s: even the most "
            f"it allows ({rota_fte(problem.cfg, most.pool_list()):.2f} FTE) answers "
            f"{100 * mean:.2f} % [{100 * lo:.2f}, {100 * hi:.2f}] in time (simulated, lower "
            "95 % bound below the goal); lower --goal, raise --within, or allow more people "
            "per shift in the catalogue.")


def erlang_rota(problem: Problem, table: WithinTable) -> Rota | None:
    """Pure Erlang C: every slot meets the goal on its own (Erlang, no backups, no
    simulation), covered at least cost; None when that needs more than the catalogue allows."""
    need = erlang_requirement(table, problem.share, problem.min_on_duty)
    try:
        cover = solve_cover(problem.catalogue, need)
    except CoverInfeasible:
        return None
    return rota_from_cover(problem, cover, ERLANG_LABEL)


def comparison(design: Design) -> list[Rota]:
    """The config's current rota, the published 5.7 FTE (one seat round the clock plus the
    lead), the pure Erlang C rota and the answer, simulated on the verification draws."""
    problem = design.problem
    erlang = erlang_rota(problem, design.table)
    rows = [
        Rota("current rota (config)", problem.cfg, [problem.pool.name], []),
        # the operators' part of the published FTE: the lead is a pool outside the rota
        rota_from_shifts(problem, f"published {PUBLISHED_FTE} FTE less the lead: one seat 24/7",
                         [{"start": "00:00", "end": "24:00", "staff": 1}]),
        *([erlang] if erlang is not None else []),
        design.answer,
    ]
    for r in rows:
        simulate(problem, r, search=False)
    return rows


@dataclass(frozen=True)
class Costing:
    weekly_cost: float
    cost: float
    fte: float
    weekly_hours: float
    by_municipality: dict[str, float] | None


def costing(problem: Problem, rota: Rota) -> Costing:
    pools = rota.pool_list()
    cost = period_cost(rota.cfg, pools, problem.catalogue)
    fte = rota_fte(rota.cfg, pools)
    return Costing(weekly_cost(pools, problem.catalogue), cost, fte,
                   fte * rota.cfg.fte_hours_per_week,
                   by_municipality(rota.cfg, pools, cost, problem.pool.name))
