"""Replications of a scenario and their summary: mean and 95 % confidence interval per KPI,
overall and per municipality (computed once here; every output only formats them)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from respons.analysis.breakdown import Breakdown, combine, layout_of, tally
from respons.analysis.intervals import confidence_interval
from respons.analysis.kpis import Context, kpi_names, kpi_unit, kpis
from respons.analysis.municipal import MUNICIPAL_UNITS, municipality_kpis
from respons.config import ScenarioConfig
from respons.engine.replication import ReplicationResult, simulate_replication

Summary = dict[str, dict[str, float | str | None]]


@dataclass(frozen=True)
class RunResult:
    """Per-replication KPIs and their summary, per-municipality KPIs (one row per replication
    and municipality) and their summary, optionally all events and the figures' tallies."""

    replications: pd.DataFrame
    summary: Summary
    events: pd.DataFrame | None
    municipalities: pd.DataFrame | None = None
    by_municipality: dict[str, Summary] | None = None
    breakdown: Breakdown | None = None


def replication_kpis(res: ReplicationResult, target_s: float) -> dict[str, float]:
    """KPIs of one replication's result."""
    ctx = Context(target_s, res.horizon_s, res.staff_seconds, res.roles, res.help_target_s)
    return kpis(res.arrays, ctx)


def summarise(table: pd.DataFrame, units: Mapping[str, str] | None = None) -> Summary:
    """{KPI: {mean, ci_low, ci_high, unit}} over the rows of a replications table: the KPIs
    of KPI_UNITS, then `utilisation_<pool>` per pool (or those of `units`).

    The interval respects the KPI's range (respons.analysis.intervals); KPIs missing from the
    table are left out, so a table from another version still summarises.
    """
    out: Summary = {}
    names = list(units) if units is not None else kpi_names(table.columns)
    for name in names:
        if name not in table.columns:
            continue
        unit = units[name] if units is not None else kpi_unit(name)
        mean, lo, hi = confidence_interval(table[name].to_numpy(dtype=float), unit=unit)
        out[name] = {"mean": _num(mean), "ci_low": _num(lo), "ci_high": _num(hi), "unit": unit}
    return out


def summarise_municipalities(table: pd.DataFrame, names: list[str]) -> dict[str, Summary]:
    """{municipality: {KPI: {mean, ci_low, ci_high, unit}}} from the per-municipality rows."""
    return {name: summarise(table[table["municipality"] == name], MUNICIPAL_UNITS)
            for name in names}


def _num(x: float) -> float | None:
    return None if math.isnan(x) else x


@dataclass(frozen=True)
class Replication:
    """What one replication hands back: its KPI row, per-municipality rows, and if asked its
    event table and tallies."""

    row: dict[str, float]
    municipalities: list[dict[str, Any]]
    events: pd.DataFrame | None
    tallies: dict[str, np.ndarray] | None


def replication(cfg: ScenarioConfig, r: int, keep_events: bool,
                breakdown: bool = False) -> Replication:
    """Replication r of `cfg`: the unit of work."""
    res = simulate_replication(cfg, r)
    row = {"replication": r, **replication_kpis(res, cfg.target_s)}
    munis = [{"replication": r, "municipality": name, **values} for name, values in
             municipality_kpis(res.arrays, cfg.target_s, res.horizon_s).items()]
    tallies = tally(res.arrays, res.priority, layout_of(cfg)) if breakdown else None
    return Replication(row, munis, res.events if keep_events else None, tallies)


def run(
    cfg: ScenarioConfig,
    keep_events: bool = True,
    progress: Callable[[int, int], None] | None = None,
    jobs: int = 1,
    breakdown: bool = False,
) -> RunResult:
    """Run all `cfg.replications` replications, in order, serially or on `jobs` processes
    (joblib's loky backend; -1 = one per core); `breakdown` also keeps the figures' tallies.

    Replication r is seeded from (seed, r) alone, so the result does not depend on `jobs`.
    """
    n = cfg.replications
    if jobs != 1 and n > 1:
        from joblib import Parallel, delayed

        from respons.runs.workers import EndsWithParent

        par = Parallel(n_jobs=min(jobs, n) if jobs > 0 else jobs, backend="loky",
                       return_as="generator")
        task = EndsWithParent(replication)
        results = par(delayed(task)(cfg, r, keep_events, breakdown) for r in range(n))
    else:
        results = (replication(cfg, r, keep_events, breakdown) for r in range(n))
    rows, munis, frames, tallies = [], [], [], []
    for done, rep in enumerate(results, start=1):
        rows.append(rep.row)
        munis.extend(rep.municipalities)
        if rep.events is not None:
            frames.append(rep.events)
        if rep.tallies is not None:
            tallies.append(rep.tallies)
        if progress is not None:
            progress(done, n)
    table = pd.DataFrame(rows)
    events = pd.concat(frames, ignore_index=True) if keep_events else None
    muni_table = pd.DataFrame(munis, columns=["replication", "municipality",
                                              *MUNICIPAL_UNITS])
    names = [m.name for m in cfg.municipalities]
    tallied = combine(cfg, tallies) if tallies else None
    return RunResult(table, summarise(table), events, muni_table,
                     summarise_municipalities(muni_table, names), tallied)
