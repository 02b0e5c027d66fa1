"""One replication end to end: draw contacts, lay out rosters, run the core, add home care,
and return the per-contact results as arrays (what the KPIs read) with what the KPIs need
besides them; the tidy event table is built from the arrays, once, when asked for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from respons.config import OUTCOMES, BackupRule, Category, ScenarioConfig
from respons.engine import contacts as contacts_mod
from respons.engine import core as model
from respons.engine import heap
from respons.engine.contacts import CAT_CODE, CATEGORIES
from respons.engine.events import EventArrays, origins
from respons.engine.homecare import help_arrival
from respons.engine.randomness import Streams, replication_seed
from respons.engine.rosters import changes, on_duty

if TYPE_CHECKING:
    import pandas as pd

DAY = 86400.0
EVENT_COLUMNS = (
    "id", "replication", "municipality", "kind", "category", "priority", "arrival_s",
    "answer_s", "answered_by", "by_backup", "wait_s", "end_s", "outcome",
    "homecare_arrival_s", "rerouted", "parent_id", "left_s", "deadline_s", "interrupted_s",
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
    left_s: np.ndarray | None = None  # float64: when an abandoning/rerouted contact left
    help_target_s: float = 1800.0

    @cached_property
    def events(self) -> pd.DataFrame:
        """The event table: one row per contact, labelled columns categorical."""
        return events_table([self])


def events_table(parts: list[ReplicationResult]) -> pd.DataFrame:
    """The event table of several replications, one after the other (the same as the
    concatenation of their tables, built once from the arrays)."""
    import pandas as pd

    def cat(get) -> np.ndarray:
        return np.concatenate([get(p) for p in parts]) if len(parts) != 1 else get(parts[0])

    def labelled(get, labels: tuple[str, ...]) -> pd.Categorical:
        return pd.Categorical.from_codes(cat(get), categories=list(labels))

    first = parts[0].arrays
    return pd.DataFrame({
        "id": cat(lambda p: np.arange(len(p.arrays), dtype=np.int64)),
        "replication": cat(lambda p: np.full(len(p.arrays), p.replication, dtype=np.int32)),
        "municipality": labelled(lambda p: p.arrays.municipality, first.municipalities),
        "kind": labelled(lambda p: p.kind, parts[0].kinds),
        "category": labelled(lambda p: p.arrays.category, first.categories),
        "priority": cat(lambda p: p.priority),
        "arrival_s": cat(lambda p: p.arrays.arrival_s),
        "answer_s": cat(lambda p: p.arrays.answer_s),
        "answered_by": labelled(lambda p: p.arrays.answered_by, first.pools),
        "by_backup": cat(lambda p: p.arrays.by_backup),
        "wait_s": cat(lambda p: p.arrays.wait_s),
        "end_s": cat(lambda p: p.arrays.end_s),
        "outcome": labelled(lambda p: p.arrays.outcome, first.outcomes),
        "homecare_arrival_s": cat(lambda p: p.arrays.homecare_arrival_s),
        "rerouted": cat(lambda p: p.arrays.rerouted),
        "parent_id": cat(lambda p: p.arrays.parent_id),
        "left_s": cat(lambda p: p.left_s if p.left_s is not None
                      else np.full(len(p.arrays), np.nan)),
        "deadline_s": cat(lambda p: p.arrays.deadline_s),
        "interrupted_s": cat(lambda p: p.arrays.interrupted_s),
    }, columns=list(EVENT_COLUMNS))


def _seconds(cfg: ScenarioConfig, day: dt.date) -> float:
    return (day - cfg.period.start).days * DAY


def pool_plans(cfg: ScenarioConfig, streams: Streams | None) -> list[model.PoolPlan]:
    """Translate the configured pools into the core's plans (rosters laid out, sickness drawn)."""
    days = cfg.period.days + int(np.ceil(cfg.drain_days)) + 1
    muni = {m.name: i for i, m in enumerate(cfg.municipalities)}
    plans = []
    for pool in cfg.pools:
        services = tuple(
            model.ServicePlan(
                category=CAT_CODE[s.category],
                delay_s=s.delay_s,
                primary=s.rule == BackupRule.primary,
                unavailable=tuple((_seconds(cfg, u.start), _seconds(cfg, u.end))
                                  for u in s.unavailable),
                municipalities=None if s.municipalities is None
                else tuple(muni[m] for m in s.municipalities),
                interruptible=s.interruptible,
                interrupts=s.interrupts,
            )
            for s in pool.serves
        )
        gross = (changes(pool, cfg.period.start, days, streams)
                 if pool.shift_change == "at_once" else None)
        plans.append(model.PoolPlan(pool.name, on_duty(pool, cfg.period.start, days, streams),
                                    services, pool.speed_factor, gross))
    return plans


def simulate_replication(cfg: ScenarioConfig, replication: int) -> ReplicationResult:
    """Run replication `replication` (0-based) of `cfg` with its own independent streams."""
    heap.before_replication()
    streams = Streams(replication_seed(cfg.seed, replication))
    cs = contacts_mod.draw(cfg, streams)
    plans = pool_plans(cfg, streams)
    horizon = cfg.period.days * DAY
    out = model.run(cs, plans, horizon + cfg.drain_days * DAY)
    homecare = _homecare(cfg, cs, out, streams)
    rows = _rows(cs, out)
    arrays = _arrays(cfg, cs, out, plans, homecare, rows)
    staff_seconds = {p.name: p.on_duty.staff_seconds(0.0, horizon) for p in plans}
    roles = {p.name: p.role.value for p in cfg.pools}
    left = np.where(out.state == model.LEFT, cs.arrival + cs.patience, np.nan)
    take = (lambda x: x) if rows is None else (lambda x: x[rows])  # noqa: E731
    return ReplicationResult(replication, arrays, take(cs.kind), take(cs.priority),
                             tuple(k.name for k in cfg.event_kinds), horizon, staff_seconds,
                             roles, take(left), cfg.help_target_s)


def _rows(cs: contacts_mod.Contacts, out: model.Outcome) -> np.ndarray | None:
    """The rows of the event table: the contacts, then the follow-ups that were created, by
    arrival (None when there are no follow-up candidates: all rows, as they are)."""
    if cs.parent is None:
        return None
    own = cs.own
    created = own + np.flatnonzero(~np.isnan(out.arrival[own:]))
    created = created[np.argsort(out.arrival[created], kind="stable")]
    return np.concatenate([np.arange(own), created])


def _homecare(cfg: ScenarioConfig, cs: contacts_mod.Contacts, out: model.Outcome,
              streams: Streams) -> np.ndarray:
    """Help arrival: after the post-hoc home-care model for forwarded alarms whose kind has no
    visit follow-up; from the visit (its start + travel) for those that have one."""
    arrival = np.full(len(cs), np.nan)
    visit = (out.state == model.ANSWERED) & (cs.outcome == OUTCOMES.index("homecare")) & (
        cs.category == CAT_CODE[Category.alarm])
    pooled = [k for k, kind in enumerate(cfg.event_kinds) if _visits(cfg, kind)]
    if cs.parent is not None:
        visit &= cs.parent < 0
        if pooled:
            visit &= ~np.isin(cs.kind, pooled)
            _visit_help(cs, out, arrival)
    for m, muni in enumerate(cfg.municipalities):
        idx = np.flatnonzero(visit & (cs.municipality == m))
        if idx.size:
            arrival[idx] = help_arrival(out.end[idx], muni.homecare,
                                        streams.get(f"homecare/{muni.name}"))
    return arrival


def _visits(cfg: ScenarioConfig, kind) -> bool:
    """Whether the kind has a follow-up of category visit (a home-care team's visit)."""
    by_name = {k.name: k for k in cfg.event_kinds}
    return any(by_name[n].category == Category.visit for f in kind.follow_ups for n in f.kinds)


def _visit_help(cs: contacts_mod.Contacts, out: model.Outcome, arrival: np.ndarray) -> None:
    """Help arrives at a visit's start + travel; the parent gets its earliest visit's."""
    v = np.flatnonzero((cs.category == CAT_CODE[Category.visit]) & ~np.isnan(out.answer))
    help_at = out.answer[v] + cs.travel[v]
    arrival[v] = help_at
    parents = cs.parent[v]
    keep = parents >= 0
    order = np.argsort(-help_at[keep], kind="stable")  # latest first: the earliest wins
    arrival[parents[keep][order]] = help_at[keep][order]


def _arrays(cfg: ScenarioConfig, cs: contacts_mod.Contacts, out: model.Outcome,
            plans: list[model.PoolPlan], homecare: np.ndarray,
            rows: np.ndarray | None = None) -> EventArrays:
    """The per-row results (table order `rows`), with the final outcome of each coded."""
    left = np.full(len(CATEGORIES), _UNANSWERED)
    for c, cat in enumerate(CATEGORIES):
        rule = cfg.unanswered.get(cat)
        if rule is not None and rule.policy != "keep_waiting":
            left[c] = _REROUTED if rule.policy == "reroute" else _ABANDONED
    answered = out.state == model.ANSWERED
    outcome = np.where(answered, cs.outcome,
                       np.where(out.state == model.LEFT, left[cs.category], _UNANSWERED))
    arrival = cs.arrival if rows is None else out.arrival
    n_all = len(cs)
    take = (lambda x: x) if rows is None else (lambda x: x[rows])  # noqa: E731
    n = n_all if rows is None else rows.size
    id_of = np.arange(n_all) if rows is None else np.full(n_all, -1, dtype=np.int64)
    if rows is not None:
        id_of[rows] = np.arange(n)
    parent_id = np.full(n, -1, dtype=np.int64)
    if cs.parent is not None:
        par = take(cs.parent)
        parent_id[par >= 0] = id_of[par[par >= 0]]
    ever = ~np.isnan(out.answer)
    interrupted = np.where(ever, 0.0 if out.interrupted is None else out.interrupted, np.nan)
    pieces = np.empty((0, 4)) if out.pieces is None else out.pieces.copy()
    if pieces.size:
        pieces[:, 0] = id_of[pieces[:, 0].astype(np.int64)]
    cut = np.zeros(n, dtype=bool)
    cut[pieces[:, 0].astype(np.int64)] = True
    a_arrival = take(arrival)
    deadline = np.full(n, np.nan) if cs.deadline is None else take(cs.deadline)
    return EventArrays(
        arrival_s=a_arrival,
        answer_s=take(out.answer),
        end_s=take(out.end),
        wait_s=take(np.where(answered, out.answer - arrival, np.nan)),
        homecare_arrival_s=take(homecare),
        by_backup=take(out.backup),
        rerouted=take(outcome == _REROUTED),
        category=take(cs.category),
        outcome=take(outcome.astype(np.int8)),
        answered_by=take(out.pool),
        municipality=take(cs.municipality),
        categories=tuple(c.value for c in CATEGORIES),
        outcomes=OUTCOME_LABELS,
        pools=tuple(p.name for p in plans),
        municipalities=tuple(m.name for m in cfg.municipalities),
        parent_id=parent_id,
        priority=take(cs.priority),
        deadline_s=deadline,
        origin_s=origins(parent_id, None, a_arrival),  # ids are the row numbers
        interrupted_s=take(interrupted),
        cut=cut,
        pieces=pieces,
    )
