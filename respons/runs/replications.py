"""Replications of a scenario and their summary: mean and 95 % confidence interval per KPI."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from respons.analysis.intervals import confidence_interval
from respons.analysis.kpis import KPI_UNITS, Context, kpis
from respons.config import ScenarioConfig
from respons.engine.replication import ReplicationResult, simulate_replication


@dataclass(frozen=True)
class RunResult:
    """Per-replication KPIs, their summary, and (optionally) all events."""

    replications: pd.DataFrame
    summary: dict[str, dict[str, float | str | None]]
    events: pd.DataFrame | None


def replication_kpis(res: ReplicationResult, target_s: float) -> dict[str, float]:
    """KPIs of one replication's result."""
    ctx = Context(target_s, res.horizon_s, res.staff_seconds, res.roles)
    return kpis(res.arrays, ctx)


def summarise(table: pd.DataFrame) -> dict[str, dict[str, float | str | None]]:
    """{KPI: {mean, ci_low, ci_high, unit}} over the rows of a replications table."""
    out: dict[str, dict[str, float | str | None]] = {}
    for name, unit in KPI_UNITS.items():
        mean, lo, hi = confidence_interval(table[name].to_numpy(dtype=float))
        out[name] = {"mean": _num(mean), "ci_low": _num(lo), "ci_high": _num(hi), "unit": unit}
    return out


def _num(x: float) -> float | None:
    return None if math.isnan(x) else x


def replication(cfg: ScenarioConfig, r: int,
                keep_events: bool) -> tuple[dict[str, float], pd.DataFrame | None]:
    """KPI row (and, if asked, the event table) of replication r: the unit of work."""
    res = simulate_replication(cfg, r)
    row = {"replication": r, **replication_kpis(res, cfg.target_s)}
    return row, (res.events if keep_events else None)


def run(
    cfg: ScenarioConfig,
    keep_events: bool = True,
    progress: Callable[[int, int], None] | None = None,
    jobs: int = 1,
) -> RunResult:
    """Run all `cfg.replications` replications, in order, serially or on `jobs` processes
    (joblib's loky backend; -1 = one per core).

    Replication r is seeded from (seed, r) alone, so the result does not depend on `jobs`.
    """
    n = cfg.replications
    if jobs != 1 and n > 1:
        from joblib import Parallel, delayed

        from respons.runs.workers import EndsWithParent

        par = Parallel(n_jobs=min(jobs, n) if jobs > 0 else jobs, backend="loky",
                       return_as="generator")
        task = EndsWithParent(replication)
        results = par(delayed(task)(cfg, r, keep_events) for r in range(n))
    else:
        results = (replication(cfg, r, keep_events) for r in range(n))
    rows, frames = [], []
    for done, (row, events) in enumerate(results, start=1):
        rows.append(row)
        if events is not None:
            frames.append(events)
        if progress is not None:
            progress(done, n)
    table = pd.DataFrame(rows)
    events = pd.concat(frames, ignore_index=True) if keep_events else None
    return RunResult(table, summarise(table), events)
