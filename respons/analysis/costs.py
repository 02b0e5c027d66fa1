"""Staffing cost of a roster and its split between municipalities by the published keys.

A service (answer service, IT-technical) costs the rostered hours of its pools over the period
times the hourly cost; `flat_share` of it is split equally between members and the rest by
population, both pro rata by the days each municipality was a member in the period
(seed-facts.md §2.12: the 2020 accounts charge newcomers for part of the year).
"""

from __future__ import annotations

import datetime as dt

from respons.config import ScenarioConfig
from respons.engine.rosters import on_duty

DAY = 86400.0


def member_fraction(joined: dt.date, start: dt.date, end: dt.date) -> float:
    """Share of the period [start, end) during which a municipality that joined on `joined`
    was a member."""
    first = max(joined, start)
    return max(0.0, (end - first).days / (end - start).days)


def rostered_hours(cfg: ScenarioConfig, pool_name: str) -> float:
    """Rostered person-hours of a pool within the period (absence is paid: no sickness)."""
    pool = next(p for p in cfg.pools if p.name == pool_name)
    steps = on_duty(pool, cfg.period.start, cfg.period.days + 1, None)
    return steps.staff_seconds(0.0, cfg.period.days * DAY) / 3600.0


def allocate(cfg: ScenarioConfig) -> dict[str, object] | None:
    """{"total_nok", "by_service": {name: NOK}, "by_municipality": {name: NOK}} or None when
    the config has no costs. The municipality amounts sum to the total."""
    if cfg.costs is None:
        return None
    by_muni = {m.name: 0.0 for m in cfg.municipalities}
    by_service: dict[str, float] = {}
    for service in cfg.costs.services:
        cost = service.hourly_cost_nok * sum(rostered_hours(cfg, p) for p in service.pools)
        by_service[service.name] = cost
        members = [(m.name, member_fraction(m.joined, cfg.period.start, cfg.period.end),
                    m.population) for m in cfg.municipalities if service.category in m.services]
        members = [(n, f, pop) for n, f, pop in members if f > 0]
        if not members:
            continue
        months = sum(f for _, f, _ in members)
        people = sum(f * pop for _, f, pop in members)
        for name, f, pop in members:
            flat = service.flat_share * cost * f / months
            by_pop = (1 - service.flat_share) * cost * f * pop / people if people else 0.0
            by_muni[name] += flat + by_pop
    total = sum(by_service.values())
    return {"total_nok": total, "by_service": by_service, "by_municipality": by_muni}
