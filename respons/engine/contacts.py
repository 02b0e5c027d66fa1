"""Draw every contact of one replication up front, as flat arrays sorted by arrival.

Each (kind, municipality) pair has its own arrival stream and its own attribute stream
(talk, wrap-up, outcome, forward time, patience), so a contact keeps its attributes whatever
the staffing does: the basis of paired comparisons (common random numbers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from respons.config import OUTCOMES, Category, ScenarioConfig
from respons.engine.arrivals import intensity, sample_times
from respons.engine.randomness import Streams

CATEGORIES: tuple[Category, ...] = tuple(Category)
CAT_CODE = {c: i for i, c in enumerate(CATEGORIES)}
FORWARDED = np.array([o != "resolved_by_operator" for o in OUTCOMES])


@dataclass(frozen=True)
class Contacts:
    """All contacts of a replication; index i is the contact's id (arrival order)."""

    arrival: np.ndarray  # float64, s
    kind: np.ndarray  # int16 index into cfg.event_kinds
    municipality: np.ndarray  # int16 index into cfg.municipalities
    category: np.ndarray  # int8 index into CATEGORIES
    priority: np.ndarray  # int8
    service: np.ndarray  # float64 operator time: talk + wrap-up (+ forward extra), s
    outcome: np.ndarray  # int8 index into OUTCOMES, used if answered
    patience: np.ndarray  # float64, s; inf = waits for ever

    def __len__(self) -> int:
        return int(self.arrival.size)


def _attributes(cfg: ScenarioConfig, k: int, t: np.ndarray, munis: np.ndarray,
                rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Talk, wrap-up, outcome, forwarding time and patience for contacts of kind k at times t."""
    kind = cfg.event_kinds[k]
    n = t.size
    talk = kind.talk.sample(rng, n)
    wrap = kind.wrap_up.sample(rng, n)
    probs = np.cumsum(kind.outcomes.as_tuple())
    outcome = np.minimum(np.searchsorted(probs, rng.random(n), side="right"), len(OUTCOMES) - 1)
    extra = kind.forward_extra.sample(rng, n)
    service = talk + wrap + np.where(FORWARDED[outcome], extra, 0.0)
    unanswered = cfg.unanswered.get(kind.category)
    if unanswered is not None and unanswered.patience is not None \
            and unanswered.policy != "keep_waiting":
        patience = unanswered.patience.sample(rng, n)
    else:
        patience = np.full(n, np.inf)
    return (t, np.full(n, k), munis, np.full(n, CAT_CODE[kind.category]),
            np.full(n, kind.priority), service, outcome, patience)


def draw(cfg: ScenarioConfig, streams: Streams) -> Contacts:
    """Generate the replication's contacts from the config and its named streams."""
    muni_index = {m.name: i for i, m in enumerate(cfg.municipalities)}
    parts: list[tuple[np.ndarray, ...]] = []
    for k, kind in enumerate(cfg.event_kinds):
        for name in cfg.kind_municipalities(kind):
            m = muni_index[name]
            lam = intensity(cfg, kind, cfg.municipalities[m])
            t = sample_times(lam, streams.get(f"arrivals/{kind.name}/{name}"))
            if t.size:
                rng = streams.get(f"attributes/{kind.name}/{name}")
                parts.append(_attributes(cfg, k, t, np.full(t.size, m), rng))
    kind_index = {kind.name: k for k, kind in enumerate(cfg.event_kinds)}
    for burst in cfg.bursts:
        rng = streams.get(f"burst/{burst.name}")
        names = cfg.burst_municipalities(burst)
        weights = np.array([cfg.municipalities[muni_index[n]].population for n in names], float)
        p = weights / weights.sum() if weights.sum() > 0 else None
        t0 = (burst.start - dt.datetime.combine(cfg.period.start, dt.time())).total_seconds()
        t = np.sort(t0 + rng.random(burst.count) * burst.duration_s)
        munis = np.array([muni_index[n] for n in names])[rng.choice(len(names), burst.count, p=p)]
        parts.append(_attributes(cfg, kind_index[burst.kind], t, munis, rng))
    if not parts:
        empty = np.empty(0)
        return Contacts(empty, empty.astype(np.int16), empty.astype(np.int16),
                        empty.astype(np.int8), empty.astype(np.int8), empty,
                        empty.astype(np.int8), empty)
    cols = [np.concatenate(c) for c in zip(*parts, strict=True)]
    # Stable sort on time, ties broken by (kind, municipality) order: deterministic.
    order = np.argsort(cols[0], kind="stable")
    arrival, kind_, muni, cat, prio, service, outcome, patience = (c[order] for c in cols)
    return Contacts(
        arrival=arrival,
        kind=kind_.astype(np.int16),
        municipality=muni.astype(np.int16),
        category=cat.astype(np.int8),
        priority=prio.astype(np.int8),
        service=service,
        outcome=outcome.astype(np.int8),
        patience=patience,
    )
