"""One replication end to end: draw contacts, lay out rosters, run the core, add home care,
and return the tidy event table with what the KPIs need besides it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from respons import contacts as contacts_mod
from respons import model
from respons.config import OUTCOMES, BackupRule, Category, ScenarioConfig
from respons.contacts import CAT_CODE, CATEGORIES
from respons.homecare import help_arrival
from respons.randomness import Streams, replication_seed
from respons.staffing import on_duty

DAY = 86400.0
EVENT_COLUMNS = (
    "id", "replication", "municipality", "kind", "category", "priority", "arrival_s",
    "answer_s", "answered_by", "by_backup", "wait_s", "end_s", "outcome",
    "homecare_arrival_s", "rerouted",
)


@dataclass(frozen=True)
class ReplicationResult:
    """The event table of one replication and the staffing facts metrics need."""

    replication: int
    events: pd.DataFrame
    horizon_s: float
    staff_seconds: dict[str, float]
    roles: dict[str, str]


def _seconds(cfg: ScenarioConfig, day: dt.date) -> float:
    return (day - cfg.period.start).days * DAY


def pool_plans(cfg: ScenarioConfig, streams: Streams | None) -> list[model.PoolPlan]:
    """Translate the configured pools into the core's plans (rosters laid out, sickness drawn)."""
    days = cfg.period.days + int(np.ceil(cfg.drain_days)) + 1
    plans = []
    for pool in cfg.pools:
        services = tuple(
            model.ServicePlan(
                category=CAT_CODE[s.category],
                delay_s=s.delay_s,
                primary=s.rule == BackupRule.primary,
                unavailable=tuple((_seconds(cfg, u.start), _seconds(cfg, u.end))
                                  for u in s.unavailable),
            )
            for s in pool.serves
        )
        plans.append(model.PoolPlan(pool.name, on_duty(pool, cfg.period.start, days, streams),
                                    services, pool.speed_factor))
    return plans


def simulate_replication(cfg: ScenarioConfig, replication: int) -> ReplicationResult:
    """Run replication `replication` (0-based) of `cfg` with its own independent streams."""
    streams = Streams(replication_seed(cfg.seed, replication))
    cs = contacts_mod.draw(cfg, streams)
    plans = pool_plans(cfg, streams)
    horizon = cfg.period.days * DAY
    out = model.run(cs, plans, horizon + cfg.drain_days * DAY)
    homecare = _homecare(cfg, cs, out, streams)
    events = _event_table(cfg, replication, cs, out, plans, homecare)
    staff_seconds = {p.name: p.on_duty.staff_seconds(0.0, horizon) for p in plans}
    roles = {p.name: p.role.value for p in cfg.pools}
    return ReplicationResult(replication, events, horizon, staff_seconds, roles)


def _homecare(cfg: ScenarioConfig, cs: contacts_mod.Contacts, out: model.Outcome,
              streams: Streams) -> np.ndarray:
    arrival = np.full(len(cs), np.nan)
    visit = (out.state == model.ANSWERED) & (cs.outcome == OUTCOMES.index("homecare")) & (
        cs.category == CAT_CODE[Category.alarm])
    for m, muni in enumerate(cfg.municipalities):
        idx = np.flatnonzero(visit & (cs.municipality == m))
        if idx.size:
            arrival[idx] = help_arrival(out.end[idx], muni.homecare,
                                        streams.get(f"homecare/{muni.name}"))
    return arrival


def _event_table(cfg: ScenarioConfig, replication: int, cs: contacts_mod.Contacts,
                 out: model.Outcome, plans: list[model.PoolPlan],
                 homecare: np.ndarray) -> pd.DataFrame:
    n = len(cs)
    left_label = np.array(["unanswered"] * len(CATEGORIES), dtype=object)
    for c, cat in enumerate(CATEGORIES):
        rule = cfg.unanswered.get(cat)
        if rule is not None and rule.policy != "keep_waiting":
            left_label[c] = "rerouted" if rule.policy == "reroute" else "abandoned"
    outcome = np.where(
        out.state == model.ANSWERED,
        np.asarray(OUTCOMES, dtype=object)[cs.outcome],
        np.where(out.state == model.LEFT, left_label[cs.category], "unanswered"),
    )
    kinds = [k.name for k in cfg.event_kinds]
    munis = [m.name for m in cfg.municipalities]
    cats = [c.value for c in CATEGORIES]
    return pd.DataFrame({
        "id": np.arange(n, dtype=np.int64),
        "replication": np.full(n, replication, dtype=np.int32),
        "municipality": pd.Categorical.from_codes(cs.municipality, categories=munis),
        "kind": pd.Categorical.from_codes(cs.kind, categories=kinds),
        "category": pd.Categorical.from_codes(cs.category, categories=cats),
        "priority": cs.priority,
        "arrival_s": cs.arrival,
        "answer_s": out.answer,
        "answered_by": pd.Categorical.from_codes(out.pool, categories=[p.name for p in plans]),
        "by_backup": out.backup,
        "wait_s": np.where(out.state == model.ANSWERED, out.answer - cs.arrival, np.nan),
        "end_s": out.end,
        "outcome": pd.Categorical(outcome, categories=[*OUTCOMES, "rerouted", "abandoned",
                                                       "unanswered"]),
        "homecare_arrival_s": homecare,
        "rerouted": outcome == "rerouted",
    }, columns=list(EVENT_COLUMNS))
