"""A rota as config pools, and its simulation: the goal KPI with its confidence interval, the
alarms and misses per 30-minute slot of the week and inside backup-unavailable windows.

Shifts of one pool may not overlap, so a rota with staggered shifts is laid out as layers:
the staffed pool keeps its name and the first layer, further layers are pools of the same
role and rules named `<pool>-2`, `<pool>-3`, ... (the core tries every primary pool before any
backup, so layers behave as one pool). The rota config is the base config plus an overlay
(`set` the pool's shifts, `append` the layers, add the layers to the pool's cost service): the
same overlay is written as `config.roster.yaml`, so `simulate --config` runs what was verified.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from respons.analysis.intervals import confidence_interval
from respons.config import Category, Pool, ScenarioConfig
from respons.config.loading import apply_overlay as overlay_data
from respons.config.loading import validate
from respons.engine.replication import simulate_replication
from respons.runs.replications import replication_kpis
from respons.studies.roster_shifts import SLOT_MIN, SLOTS_PER_DAY, SLOTS_PER_WEEK, ShiftOption

GOAL_KPI = "alarms_answered_within_target_share"
WEEK_MIN = 7 * 24 * 60
DAY = 86400.0


@dataclass(frozen=True)
class RotaShift:
    """People on one shift of one weekday (a row of roster.csv)."""

    pool: str
    day: str
    start: str
    end: str
    people: int
    start_min: int  # from Monday 00:00
    length_min: int


def layers(chosen: list[tuple[ShiftOption, int]], pool: str, taken: set[str]) -> list[RotaShift]:
    """Lay the chosen shifts out in as few non-overlapping layers as a greedy pass finds; the
    first layer keeps the pool's name."""
    items = sorted(chosen, key=lambda c: (c[0].weekday * 1440 + c[0].start_min,
                                          c[0].length_min))
    spans: list[list[tuple[int, int]]] = []
    out = []
    names = [pool]
    for opt, n in items:
        s = opt.weekday * 1440 + opt.start_min
        e = s + opt.length_min
        free = [i for i, used in enumerate(spans)
                if not any(_overlap(s, e, a, b) for a, b in used)]
        if free:
            i = free[0]
        else:
            spans.append([])
            i = len(spans) - 1
            if i >= len(names):
                names.append(_layer_name(pool, i + 1, taken | set(names)))
        spans[i].append((s, e))
        out.append(RotaShift(names[i], opt.day, opt.start, opt.end, n, s, opt.length_min))
    return out


def _overlap(s: int, e: int, a: int, b: int) -> bool:
    return any(s < b + d and a + d < e for d in (-WEEK_MIN, 0, WEEK_MIN))


def _layer_name(pool: str, i: int, taken: set[str]) -> str:
    name = f"{pool}-{i}"
    while name in taken:
        name += "x"
    return name


def pool_shifts(rota: list[RotaShift], pool: str) -> list[dict[str, Any]]:
    """The config `shifts` of one layer: equal shifts on several weekdays in one entry."""
    groups: dict[tuple[str, str, int], list[str]] = {}
    for r in sorted((r for r in rota if r.pool == pool), key=lambda r: r.start_min):
        groups.setdefault((r.start, r.end, r.people), []).append(r.day)
    return [{"days": days, "start": s, "end": e, "staff": n} for (s, e, n), days in groups.items()]


def overlay(cfg: ScenarioConfig, pool: Pool, rota: list[RotaShift]) -> dict[str, Any]:
    """The overlay turning `cfg` into the rota config (without `base`)."""
    names = list(dict.fromkeys(r.pool for r in rota)) or [pool.name]
    if pool.name not in names:
        names.insert(0, pool.name)
    template = pool.model_dump(mode="json")
    sets: dict[str, Any] = {f"pools.{pool.name}.shifts": pool_shifts(rota, pool.name)}
    extra = [{**copy.deepcopy(template), "name": n, "shifts": pool_shifts(rota, n)}
             for n in names[1:]]
    if cfg.costs is not None and len(names) > 1:
        for s in cfg.costs.services:
            if pool.name in s.pools:
                sets[f"costs.services.{s.name}.pools"] = [*s.pools, *names[1:]]
    out: dict[str, Any] = {"set": sets}
    if extra:
        out["append"] = {"pools": extra}
    return out


def apply_overlay(base: dict[str, Any], ov: dict[str, Any], source: str) -> ScenarioConfig:
    """The overlay applied in memory exactly as `base:` files are resolved, validated."""
    return validate(overlay_data(base, ov, source), source)


@dataclass(frozen=True)
class Tally:
    """One replication: the goal KPI and alarms / alarms answered in time per slot of the
    week, and inside each window."""

    kpi: float
    alarms: np.ndarray
    hits: np.ndarray
    window_alarms: np.ndarray
    window_hits: np.ndarray


def tally(cfg: ScenarioConfig, replication: int,
          windows: tuple[tuple[dt.date, dt.date], ...]) -> Tally:
    """Simulate one replication and count what the search needs."""
    res = simulate_replication(cfg, replication)
    kpi = replication_kpis(res, cfg.target_s)[GOAL_KPI]
    a = res.arrays
    horizon = cfg.period.days * DAY
    alarm = (a.category == a.code("category", Category.alarm.value)) & (a.arrival_s < horizon)
    t = a.arrival_s[alarm]
    hit = (a.wait_s[alarm] <= cfg.target_s)  # nan (never answered) is a miss
    day = (t // DAY).astype(np.int64)
    slot = ((cfg.period.start.weekday() + day) % 7) * SLOTS_PER_DAY \
        + ((t % DAY) // (SLOT_MIN * 60)).astype(np.int64)
    w_alarms, w_hits = [], []
    for start, end in windows:
        t0, t1 = ((d - cfg.period.start).days * DAY for d in (start, end))
        inside = (t >= t0) & (t < t1)
        w_alarms.append(int(inside.sum()))
        w_hits.append(int((inside & hit).sum()))
    return Tally(kpi, np.bincount(slot, minlength=SLOTS_PER_WEEK),
                 np.bincount(slot, weights=hit, minlength=SLOTS_PER_WEEK),
                 np.asarray(w_alarms, dtype=float), np.asarray(w_hits, dtype=float))


@dataclass(frozen=True)
class Verdict:
    """A rota simulated over all replications: the goal KPI (mean, CI), per-slot means and
    per-window totals."""

    kpi: np.ndarray
    alarms: np.ndarray  # mean per replication, per slot of the week
    hits: np.ndarray
    window_alarms: np.ndarray  # summed over replications
    window_hits: np.ndarray

    @property
    def ci(self) -> tuple[float, float, float]:
        """Mean and 95 % CI of the share, the bounds kept inside [0, 1]."""
        mean, lo, hi = confidence_interval(self.kpi)
        return mean, min(max(lo, 0.0), 1.0), min(max(hi, 0.0), 1.0)

    @property
    def half_width(self) -> float:
        mean, lo, _ = confidence_interval(self.kpi)
        return mean - lo if np.isfinite(lo) else 0.0

    def met(self, share: float) -> bool:
        """The goal holds: the lower 95 % bound of the share in time reaches it."""
        _, lo, _ = self.ci
        return bool(np.isfinite(lo) and lo >= share - 1e-12)

    @property
    def misses(self) -> np.ndarray:
        return self.alarms - self.hits


def simulate_rota(cfg: ScenarioConfig, windows: tuple[tuple[dt.date, dt.date], ...],
                  jobs: int = 1) -> Verdict:
    """All `cfg.replications` replications (serially or on `jobs` processes; the same
    numbers either way: replication r is seeded from (seed, r))."""
    reps = range(cfg.replications)
    if jobs > 1 and cfg.replications > 1:
        from joblib import Parallel, delayed

        rows = Parallel(n_jobs=min(jobs, cfg.replications), backend="loky")(
            delayed(tally)(cfg, r, windows) for r in reps)
    else:
        rows = [tally(cfg, r, windows) for r in reps]
    return Verdict(np.array([r.kpi for r in rows]),
                   np.mean([r.alarms for r in rows], axis=0),
                   np.mean([r.hits for r in rows], axis=0),
                   np.sum([r.window_alarms for r in rows], axis=0),
                   np.sum([r.window_hits for r in rows], axis=0))
