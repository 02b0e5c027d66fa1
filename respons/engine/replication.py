"""One replication end to end: draw contacts, lay out rosters, run the core, add home care,
and return the per-contact results as arrays (what the KPIs read) with what the KPIs need
besides them; the tidy event table is built from the arrays, once, when asked for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from respons.config import OUTCOMES, BackupRule, Category, ScenarioConfig
from respons.engine import contacts as contacts_mod
from respons.engine import core as model
from respons.engine.contacts import CAT_CODE, CATEGORIES
from respons.engine.events import EventArrays
from respons.engine.homecare import help_arrival
from respons.engine.randomness import Streams, replication_seed
from respons.engine.rosters import on_duty

DAY = 86400.0
EVENT_COLUMNS = (
    "id", "replication", "municipality", "kind", "category", "priority", "arrival_s",
    "answer_s", "answered_by", "by_backup", "wait_s", "end_s", "outcome",
    "homecare_arrival_s", "rerouted",
)
OUTCOME_LABELS = (*OUTCOMES, "rerouted", "abandoned", "unanswered")
_REROUTED, _ABANDONED, _UNANSWERED = (OUTCOME_LABELS.index(o)
                                      for o in ("rerouted", "abandoned", "unanswered"))


@dataclass(frozen=True)
class ReplicationResult:
    """One replication: per-contact results as arrays and the staffing facts metrics need.

    `events` is the tidy event table (columns EVENT_COLUMNS), built on first use.
    """

    replication: int
    arrays: EventArrays
    kind: np.ndarray  # int16 codes into `kinds`
    priority: np.ndarray  # int8
    kinds: tuple[str, ...]
    horizon_s: float
    staff_seconds: dict[str, float]
    roles: dict[str, str]

    @cached_property
    def events(self) -> pd.DataFrame:
        """The event table: one row per contact, labelled columns categorical."""
        a = self.arrays
        n = len(a)

        def labelled(codes: np.ndarray, labels: tuple[str, ...]) -> pd.Categorical:
            return pd.Categorical.from_codes(codes, categories=list(labels))

        return pd.DataFrame({
            "id": np.arange(n, dtype=np.int64),
            "replication": np.full(n, self.replication, dtype=np.int32),
            "municipality": labelled(a.municipality, a.municipalities),
            "kind": labelled(self.kind, self.kinds),
            "category": labelled(a.category, a.categories),
            "priority": self.priority,
            "arrival_s": a.arrival_s,
            "answer_s": a.answer_s,
            "answered_by": labelled(a.answered_by, a.pools),
            "by_backup": a.by_backup,
            "wait_s": a.wait_s,
            "end_s": a.end_s,
            "outcome": labelled(a.outcome, a.outcomes),
            "homecare_arrival_s": a.homecare_arrival_s,
            "rerouted": a.rerouted,
        }, columns=list(EVENT_COLUMNS))


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
    arrays = _arrays(cfg, cs, out, plans, homecare)
    staff_seconds = {p.name: p.on_duty.staff_seconds(0.0, horizon) for p in plans}
    roles = {p.name: p.role.value for p in cfg.pools}
    return ReplicationResult(replication, arrays, cs.kind, cs.priority,
                             tuple(k.name for k in cfg.event_kinds), horizon, staff_seconds,
                             roles)


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


def _arrays(cfg: ScenarioConfig, cs: contacts_mod.Contacts, out: model.Outcome,
            plans: list[model.PoolPlan], homecare: np.ndarray) -> EventArrays:
    """The per-contact results, with the final outcome of each contact coded."""
    left = np.full(len(CATEGORIES), _UNANSWERED)
    for c, cat in enumerate(CATEGORIES):
        rule = cfg.unanswered.get(cat)
        if rule is not None and rule.policy != "keep_waiting":
            left[c] = _REROUTED if rule.policy == "reroute" else _ABANDONED
    answered = out.state == model.ANSWERED
    outcome = np.where(answered, cs.outcome,
                       np.where(out.state == model.LEFT, left[cs.category], _UNANSWERED))
    return EventArrays(
        arrival_s=cs.arrival,
        answer_s=out.answer,
        end_s=out.end,
        wait_s=np.where(answered, out.answer - cs.arrival, np.nan),
        homecare_arrival_s=homecare,
        by_backup=out.backup,
        rerouted=outcome == _REROUTED,
        category=cs.category,
        outcome=outcome.astype(np.int8),
        answered_by=out.pool,
        municipality=cs.municipality,
        categories=tuple(c.value for c in CATEGORIES),
        outcomes=OUTCOME_LABELS,
        pools=tuple(p.name for p in plans),
        municipalities=tuple(m.name for m in cfg.municipalities),
    )
