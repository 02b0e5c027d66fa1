"""Draw every contact of one replication up front, as flat arrays sorted by arrival.

Each (kind, municipality) pair has its own arrival stream and its own attribute stream
(talk, wrap-up, outcome, forward time, patience), so a contact keeps its attributes whatever
the staffing does: the basis of paired comparisons (common random numbers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from respons.config import OUTCOMES, Category, ScenarioConfig
from respons.engine.arrivals import sample_times, stream_rates
from respons.engine.randomness import Streams

CATEGORIES: tuple[Category, ...] = tuple(Category)
WAITING, ANSWERED, LEFT = 0, 1, 2  # the state of a row in the core (int8 in its outcome)
CAT_CODE = {c: i for i, c in enumerate(CATEGORIES)}
FORWARDED = np.array([o != "resolved_by_operator" for o in OUTCOMES])


@dataclass(frozen=True)
class Contacts:
    """All contacts and tasks of a replication.

    Rows [0, own) arrive by their own rate (contacts, walk-ins, planned work), sorted by
    arrival; index i is the contact's id. Rows from `own` on are follow-up candidates: each
    arrives `delay` after its `parent`'s handling ends, if the parent is answered (its arrival
    is nan until then). Without follow-ups the optional arrays are None.
    """

    arrival: np.ndarray  # float64, s (nan for follow-up candidates)
    kind: np.ndarray  # int16 index into cfg.event_kinds
    municipality: np.ndarray  # int16 index into cfg.municipalities
    category: np.ndarray  # int8 index into CATEGORIES
    priority: np.ndarray  # int8
    service: np.ndarray  # float64 handling time: talk + wrap-up (+ forward extra), s
    outcome: np.ndarray  # int8 index into OUTCOMES, used if answered
    patience: np.ndarray  # float64, s; inf = waits for ever
    parent: np.ndarray | None = None  # int64 row of the parent, -1 for own arrivals
    delay: np.ndarray | None = None  # float64 s from the parent's end to arrival
    travel: np.ndarray | None = None  # float64 one-way travel, s (0 = none)
    deadline: np.ndarray | None = None  # float64 absolute deadline, s (nan = none)

    def __len__(self) -> int:
        return int(self.arrival.size)

    @property
    def own(self) -> int:
        """Number of rows arriving by their own rate (the rest are follow-up candidates)."""
        if self.parent is None:
            return len(self)
        return int(np.count_nonzero(self.parent < 0))


def _attributes(cfg: ScenarioConfig, k: int, munis: np.ndarray,
                rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Service time (talk, wrap-up, forwarding time), outcome, patience and travel of contacts
    of kind k from municipalities `munis` (travel drawn last, and only for kinds that travel,
    so other draws stay put)."""
    kind = cfg.event_kinds[k]
    n = munis.size
    talk = kind.talk.sample(rng, n)
    wrap = kind.wrap_up.sample(rng, n)
    probs = _outcome_cdf(kind.outcomes.as_tuple())
    outcome = np.minimum(np.searchsorted(probs, rng.random(n), side="right"), len(OUTCOMES) - 1)
    extra = kind.forward_extra.sample(rng, n)
    service = talk + wrap + np.where(FORWARDED[outcome], extra, 0.0)
    unanswered = cfg.unanswered.get(kind.category)
    if unanswered is not None and unanswered.patience is not None \
            and unanswered.policy != "keep_waiting":
        patience = unanswered.patience.sample(rng, n)
    else:
        patience = np.full(n, np.inf)
    travel = np.zeros(n)
    if kind.travel == "municipality":
        for m in np.unique(munis).tolist():
            at = munis == m
            travel[at] = cfg.municipalities[m].homecare.travel.sample(rng, int(at.sum()))
    elif kind.travel is not None:
        travel = kind.travel.sample(rng, n)
    return service, outcome, patience, travel


@lru_cache(maxsize=256)
def _outcome_cdf(probs: tuple[float, ...]) -> np.ndarray:
    """Cumulative outcome probabilities (shared: read-only)."""
    cdf = np.cumsum(probs)
    cdf.flags.writeable = False
    return cdf


def draw(cfg: ScenarioConfig, streams: Streams) -> Contacts:
    """Generate the replication's contacts (and follow-up candidates) from the config and its
    named streams."""
    muni_index = {m.name: i for i, m in enumerate(cfg.municipalities)}
    # One part per stream: kind/municipality or burst/name, with its times and attributes.
    names: list[str] = []
    kinds: list[int] = []
    times: list[np.ndarray] = []
    munis: list[np.ndarray] = []
    attrs: list[tuple[np.ndarray, ...]] = []
    for k, name, lam, starts in stream_rates(cfg):
        kind = cfg.event_kinds[k]
        m = muni_index[name]
        t = sample_times(lam, streams.get(f"arrivals/{kind.name}/{name}"), starts)
        if t.size:
            rng = streams.get(f"attributes/{kind.name}/{name}")
            mm = np.full(t.size, m)
            names.append(f"{kind.name}/{name}")
            kinds.append(k)
            times.append(t)
            munis.append(mm)
            attrs.append(_attributes(cfg, k, mm, rng))
    kind_index = {kind.name: k for k, kind in enumerate(cfg.event_kinds)}
    for burst in cfg.bursts:
        rng = streams.get(f"burst/{burst.name}")
        bnames = cfg.burst_municipalities(burst)
        weights = np.array([cfg.municipalities[muni_index[n]].population for n in bnames], float)
        p = weights / weights.sum() if weights.sum() > 0 else None
        t0 = (burst.start - dt.datetime.combine(cfg.period.start, dt.time())).total_seconds()
        t = np.sort(t0 + rng.random(burst.count) * burst.duration_s)
        mm = np.array([muni_index[n] for n in bnames])[rng.choice(len(bnames), burst.count, p=p)]
        names.append(f"burst/{burst.name}")
        kinds.append(kind_index[burst.kind])
        times.append(t)
        munis.append(mm)
        attrs.append(_attributes(cfg, kind_index[burst.kind], mm, rng))
    if not times:
        empty = np.empty(0)
        return Contacts(empty, empty.astype(np.int16), empty.astype(np.int16),
                        empty.astype(np.int8), empty.astype(np.int8), empty,
                        empty.astype(np.int8), empty)
    sizes = [t.size for t in times]
    every = np.concatenate(times)
    # Stable sort on time, ties broken by (kind, municipality) order: deterministic.
    order = np.argsort(every, kind="stable")
    part = np.repeat(np.arange(len(times), dtype=np.intp), sizes)[order]
    kind_ = np.asarray(kinds, dtype=np.int16)[part]  # each part is one kind
    service, outcome, patience, travel = (np.concatenate(c)[order]
                                          for c in zip(*attrs, strict=True))
    own = Contacts(
        arrival=every[order],
        kind=kind_,
        municipality=np.concatenate(munis)[order].astype(np.int16),
        category=_kind_codes(cfg, "category")[kind_],
        priority=_kind_codes(cfg, "priority")[kind_],
        service=service,
        outcome=outcome.astype(np.int8),
        patience=patience,
    )
    tasks = any(k.travel is not None or k.deadline_s is not None or k.follow_ups
                for k in cfg.event_kinds)
    if not tasks:
        return own
    row = np.empty(order.size, dtype=np.intp)  # row of each drawn contact
    row[order] = np.arange(order.size)
    bounds = np.cumsum([0, *sizes]).tolist()
    # The rows of a part are in arrival order: its times are sorted and the sort is stable.
    groups = [(names[g], kinds[g], row[bounds[g]:bounds[g + 1]])
              for g in range(len(times)) if cfg.event_kinds[kinds[g]].follow_ups]
    return follow_ups(cfg, streams, own, travel, groups)


def _kind_codes(cfg: ScenarioConfig, what: str) -> np.ndarray:
    """Per event kind: its category code or its priority (int8)."""
    if what == "category":
        return np.array([CAT_CODE[k.category] for k in cfg.event_kinds], dtype=np.int8)
    return np.array([k.priority for k in cfg.event_kinds], dtype=np.int8)


def follow_ups(cfg: ScenarioConfig, streams: Streams, own: Contacts, travel: np.ndarray,
               groups: list[tuple[str, int, np.ndarray]]) -> Contacts:
    """Add the follow-up candidates of `own` (and of those, level by level) as rows after it.

    Each group of rows (one stream name, one kind) draws, per follow-up j of its kind and from
    the stream `followups/<group>/<j>`, whether each row triggers it, which kind follows, its
    delay and the follow-up's attributes: the same whatever the staffing does.
    """
    kinds = cfg.event_kinds
    kind_index = {k.name: i for i, k in enumerate(kinds)}
    cols: dict[str, list[np.ndarray]] = {c: [] for c in (
        "kind", "municipality", "category", "priority", "service", "outcome", "patience",
        "travel", "parent", "delay", "origin")}
    n = len(own)
    made = 0  # follow-up rows so far
    origin = own.arrival
    outcome, municipality = own.outcome, own.municipality

    def column(name: str, base: np.ndarray) -> np.ndarray:
        return np.concatenate([base, *cols[name]]) if cols[name] else base

    while groups:
        fresh = []
        for gname, k, rows in groups:
            for j, f in enumerate(kinds[k].follow_ups):
                rng = streams.get(f"followups/{gname}/{j}")
                whether, which = rng.random(rows.size), rng.random(rows.size)
                sel = whether < f.probability
                if f.when != "answered":
                    sel &= outcome[rows] == OUTCOMES.index(f.when)
                parents, which = rows[sel], which[sel]
                delay = f.delay.sample(rng, parents.size)
                alternatives = f.kinds
                choice = np.minimum(np.searchsorted(np.cumsum(list(alternatives.values())),
                                                    which, side="right"),
                                    len(alternatives) - 1)
                for a, name in enumerate(alternatives):
                    pick = choice == a
                    if not pick.any():
                        continue
                    ck, par = kind_index[name], parents[pick]
                    mm = municipality[par]
                    sv, oc, pt, tr = _attributes(cfg, ck, mm, rng)
                    first = n + made
                    made += par.size
                    for key, val in (("kind", np.full(par.size, ck)), ("municipality", mm),
                                     ("category", np.full(par.size, CAT_CODE[kinds[ck].category])),
                                     ("priority", np.full(par.size, kinds[ck].priority)),
                                     ("service", sv), ("outcome", oc),
                                     ("patience", pt), ("travel", tr), ("parent", par),
                                     ("delay", delay[pick]), ("origin", origin[par])):
                        cols[key].append(np.asarray(val))
                    fresh.append((f"{gname}/{j}/{name}", ck, np.arange(first, first + par.size)))
        groups = fresh  # the next level reads its parents' outcome, municipality and origin
        outcome = column("outcome", own.outcome)
        municipality = column("municipality", own.municipality)
        origin = column("origin", own.arrival)
    m = made
    kind_ = column("kind", own.kind).astype(np.int16)
    deadline_s = np.array([np.nan if k.deadline_s is None else k.deadline_s for k in kinds])
    return Contacts(
        arrival=np.concatenate([own.arrival, np.full(m, np.nan)]),
        kind=kind_,
        municipality=column("municipality", own.municipality).astype(np.int16),
        category=column("category", own.category).astype(np.int8),
        priority=column("priority", own.priority).astype(np.int8),
        service=column("service", own.service),
        outcome=column("outcome", own.outcome).astype(np.int8),
        patience=column("patience", own.patience),
        parent=np.concatenate([np.full(n, -1, dtype=np.int64),
                               *(c.astype(np.int64) for c in cols["parent"])]),
        delay=column("delay", np.zeros(n)),
        travel=column("travel", travel),
        deadline=column("origin", own.arrival) + deadline_s[kind_],
    )
