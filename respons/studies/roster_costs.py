"""What a rota costs and how many FTE it is: the catalogue's cost of every half hour on duty
(pay, supplements, employer costs) over the period, and its split between municipalities by
the published keys (`analysis.costs.allocate`, seed-facts.md §2.12)."""

from __future__ import annotations

import numpy as np

from respons.analysis.costs import allocate
from respons.config import Pool, ScenarioConfig
from respons.engine.rosters import on_duty, weekly_hours
from respons.studies.roster_requirement import SLOT_S
from respons.studies.roster_shifts import SLOTS_PER_DAY, SLOTS_PER_WEEK, ShiftCatalogue

WEEK_S = 7 * 86400.0


def pools_named(cfg: ScenarioConfig, names: list[str]) -> list[Pool]:
    return [p for p in cfg.pools if p.name in names]


def week_on_duty(pools: list[Pool]) -> np.ndarray:
    """Mean people on duty in each 30-minute slot of the week (rostered, before sickness)."""
    out = np.zeros(SLOTS_PER_WEEK)
    edges = np.arange(SLOTS_PER_WEEK + 1) * SLOT_S
    for pool in pools:
        for shift in pool.shifts:
            for s, e in shift.week_intervals():
                for d in (-WEEK_S, 0.0):  # a Sunday night shift runs into Monday
                    lo = np.clip(edges[:-1], s + d, e + d)
                    hi = np.clip(edges[1:], s + d, e + d)
                    out += shift.staff * (hi - lo) / SLOT_S
    return out


def period_on_duty(cfg: ScenarioConfig, pools: list[Pool]) -> np.ndarray:
    """Mean people on duty in each 30-minute slot of the period (as `allocate` counts hours)."""
    n = cfg.period.days * SLOTS_PER_DAY
    edges = np.arange(n + 1) * SLOT_S
    out = np.zeros(n)
    for pool in pools:
        steps = on_duty(pool, cfg.period.start, cfg.period.days + 1, None)
        out += np.diff(steps.cumulative(edges)) / SLOT_S
    return out


def period_slots(cfg: ScenarioConfig) -> np.ndarray:
    """The slot of the week of each 30-minute slot of the period."""
    n = cfg.period.days * SLOTS_PER_DAY
    day = np.arange(n) // SLOTS_PER_DAY
    return ((cfg.period.start.weekday() + day) % 7) * SLOTS_PER_DAY + np.arange(n) % SLOTS_PER_DAY


def period_cost(cfg: ScenarioConfig, pools: list[Pool], catalogue: ShiftCatalogue) -> float:
    """Cost of the pools' rostered hours over the period at the catalogue's rates, NOK."""
    return float(period_on_duty(cfg, pools) @ catalogue.slot_cost[period_slots(cfg)])


def weekly_cost(pools: list[Pool], catalogue: ShiftCatalogue) -> float:
    """Cost of one week of the pools' rota at the catalogue's rates, NOK."""
    return float(week_on_duty(pools) @ catalogue.slot_cost)


def rota_fte(cfg: ScenarioConfig, pools: list[Pool]) -> float:
    """Rostered FTE: weekly hours / the config's FTE week (no leave or sickness added)."""
    return sum(weekly_hours(p) for p in pools) / cfg.fte_hours_per_week


def by_municipality(cfg: ScenarioConfig, pools: list[Pool], cost: float,
                    service_of: str) -> dict[str, float] | None:
    """`cost` split between municipalities by the keys of the cost service paying for pool
    `service_of` (flat share equally, the rest by population, pro rata by days of membership);
    None when the config has no such service."""
    if cfg.costs is None:
        return None
    service = next((s for s in cfg.costs.services if service_of in s.pools), None)
    hours = float(period_on_duty(cfg, pools).sum() * SLOT_S / 3600.0)
    if service is None or hours <= 0:
        return None
    rate = service.model_copy(update={"pools": [p.name for p in pools],
                                      "hourly_cost_nok": cost / hours})
    costs = cfg.costs.model_copy(update={"services": [rate]})
    split = allocate(cfg.model_copy(update={"costs": costs}))
    return None if split is None else dict(split["by_municipality"])
