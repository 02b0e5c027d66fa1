"""Replications of a scenario and their summary: mean and 95 % confidence interval per KPI."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from respons.analysis.intervals import confidence_interval
from respons.analysis.kpis import Context, kpi_names, kpi_unit, kpis
from respons.config import ScenarioConfig
from respons.engine.replication import ReplicationResult, events_table, simulate_replication

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class RunResult:
    """Per-replication KPIs (`rows`, one dict per replication), their summary, and (if kept)
    every replication's arrays. `replications` and `events` are the same as DataFrames,
    built on first use (so a run that only writes its tables never imports pandas)."""

    rows: list[dict[str, float]]
    summary: dict[str, dict[str, float | str | None]]
    parts: list[ReplicationResult] | None = field(default=None, repr=False)

    @cached_property
    def replications(self) -> pd.DataFrame:
        """One row per replication, one column per KPI."""
        import pandas as pd

        return pd.DataFrame(self.rows)

    @cached_property
    def events(self) -> pd.DataFrame | None:
        """The event table of all replications (None when events were not kept)."""
        return None if self.parts is None else events_table(self.parts)


def replication_kpis(res: ReplicationResult, target_s: float) -> dict[str, float]:
    """KPIs of one replication's result."""
    ctx = Context(target_s, res.horizon_s, res.staff_seconds, res.roles, res.help_target_s)
    return kpis(res.arrays, ctx)


def summarise(table: pd.DataFrame | Mapping[str, Sequence[float]]
              ) -> dict[str, dict[str, float | str | None]]:
    """{KPI: {mean, ci_low, ci_high, unit}} over the rows of a replications table (a DataFrame
    or columns by name; the KPIs of KPI_UNITS, then `utilisation_<pool>` per pool)."""
    out: dict[str, dict[str, float | str | None]] = {}
    for name in kpi_names(table.keys()):
        mean, lo, hi = confidence_interval(np.asarray(table[name], dtype=float))
        out[name] = {"mean": _num(mean), "ci_low": _num(lo), "ci_high": _num(hi),
                     "unit": kpi_unit(name)}
    return out


def _num(x: float) -> float | None:
    return None if math.isnan(x) else x


def replication(cfg: ScenarioConfig, r: int,
                keep_events: bool) -> tuple[dict[str, float], ReplicationResult | None]:
    """KPI row (and, if asked, the arrays of the event table) of replication r: the unit of
    work. A worker process returns arrays, not a DataFrame: cheaper to send."""
    res = simulate_replication(cfg, r)
    row = {"replication": r, **replication_kpis(res, cfg.target_s)}
    return row, (res if keep_events else None)


def columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The rows as columns, in the order of their keys (as pandas.DataFrame(rows) has them)."""
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    return {k: [row.get(k, math.nan) for row in rows] for k in names}


def replications_csv(rows: list[dict[str, Any]]) -> str:
    """The replications table as CSV text, exactly as `pandas.DataFrame(rows).to_csv(
    index=False)` writes it (ints as ints, floats by their shortest repr, nan empty), without
    importing pandas (tests/test_speed.py compares the two)."""
    cols = columns(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(cols))
    cells = [_column_text(v) for v in cols.values()]
    writer.writerows(zip(*cells, strict=True))
    return out.getvalue()


def _column_text(values: list[Any]) -> list[str]:
    """A column's cells as pandas writes them for the dtype it would infer."""
    if all(isinstance(v, bool | np.bool_) for v in values) \
            or all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in values):
        return [str(v) for v in values]
    if all(isinstance(v, int | float | np.integer | np.floating) for v in values):
        return ["" if math.isnan(v) else repr(float(v)) for v in values]
    return ["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
            for v in values]


def run(
    cfg: ScenarioConfig,
    keep_events: bool = True,
    progress: Callable[[int, int], None] | None = None,
    jobs: int = 1,
) -> RunResult:
    """Run all `cfg.replications` replications, in order, serially or on `jobs` processes
    (joblib's loky backend; -1 = one per core). The worker processes are started once and
    kept by loky for the next call in the same process (a sweep, the benchmarks).

    Replication r is seeded from (seed, r) alone, so the result does not depend on `jobs`.
    """
    n = cfg.replications
    if jobs != 1 and n > 1:
        from joblib import Parallel, delayed

        par = Parallel(n_jobs=min(jobs, n) if jobs > 0 else jobs, backend="loky",
                       return_as="generator")
        results = par(delayed(replication)(cfg, r, keep_events) for r in range(n))
    else:
        results = (replication(cfg, r, keep_events) for r in range(n))
    rows: list[dict[str, float]] = []
    parts: list[ReplicationResult] = []
    for done, (row, res) in enumerate(results, start=1):
        rows.append(row)
        if res is not None:
            parts.append(res)
        if progress is not None:
            progress(done, n)
    return RunResult(rows, summarise(columns(rows)), parts if keep_events else None)
