"""Replications of a scenario and their summary: mean and 95 % confidence interval per KPI,
overall and per municipality (computed once here; every output only formats them)."""

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
from respons.analysis.municipal import MUNICIPAL_UNITS, municipality_kpis
from respons.config import ScenarioConfig
from respons.engine.replication import ReplicationResult, events_table, simulate_replication

if TYPE_CHECKING:
    import pandas as pd

    from respons.analysis.breakdown import Breakdown

Summary = dict[str, dict[str, float | str | None]]
MUNICIPALITY_COLUMNS = ("replication", "municipality", *MUNICIPAL_UNITS)


@dataclass(frozen=True)
class RunResult:
    """Per-replication KPIs (`rows`, one dict per replication) and their summary,
    per-municipality KPIs (`municipality_rows`, one per replication and municipality) and
    their summary, if kept every replication's arrays (`parts`), and the figures' tallies.

    `replications`, `municipalities` and `events` are the same as DataFrames, built on first
    use: a run that only writes its tables never imports pandas."""

    rows: list[dict[str, Any]]
    summary: Summary
    parts: list[ReplicationResult] | None = field(default=None, repr=False, compare=False)
    municipality_rows: list[dict[str, Any]] | None = field(default=None, repr=False)
    by_municipality: dict[str, Summary] | None = None
    breakdown: Breakdown | None = None

    @cached_property
    def replications(self) -> pd.DataFrame:
        """One row per replication, one column per KPI."""
        import pandas as pd

        return pd.DataFrame(self.rows)

    @cached_property
    def municipalities(self) -> pd.DataFrame | None:
        """One row per replication and municipality (None if not computed)."""
        import pandas as pd

        if self.municipality_rows is None:
            return None
        return pd.DataFrame(self.municipality_rows, columns=list(MUNICIPALITY_COLUMNS))

    @cached_property
    def events(self) -> pd.DataFrame | None:
        """The event table of all replications (None when events were not kept)."""
        return None if self.parts is None else events_table(self.parts)


def replication_kpis(res: ReplicationResult, target_s: float) -> dict[str, float]:
    """KPIs of one replication's result."""
    ctx = Context(target_s, res.horizon_s, res.staff_seconds, res.roles, res.help_target_s)
    return kpis(res.arrays, ctx)


def summarise(table: pd.DataFrame | Mapping[str, Sequence[Any]],
              units: Mapping[str, str] | None = None) -> Summary:
    """{KPI: {mean, ci_low, ci_high, unit}} over the rows of a replications table (a DataFrame
    or its columns by name): the KPIs of KPI_UNITS, then `utilisation_<pool>` per pool (or
    those of `units`).

    The interval respects the KPI's range (respons.analysis.intervals); KPIs missing from the
    table are left out, so a table from another version still summarises.
    """
    out: Summary = {}
    names = list(units) if units is not None else kpi_names(table.keys())
    for name in names:
        if name not in table:
            continue
        unit = units[name] if units is not None else kpi_unit(name)
        mean, lo, hi = confidence_interval(np.asarray(table[name], dtype=float), unit=unit)
        out[name] = {"mean": _num(mean), "ci_low": _num(lo), "ci_high": _num(hi), "unit": unit}
    return out


def summarise_municipalities(table: pd.DataFrame | list[dict[str, Any]],
                             names: list[str]) -> dict[str, Summary]:
    """{municipality: {KPI: {mean, ci_low, ci_high, unit}}} from the per-municipality rows (a
    DataFrame or the rows)."""
    if not isinstance(table, list):
        return {name: summarise(table[table["municipality"] == name], MUNICIPAL_UNITS)
                for name in names}
    return {name: summarise({k: [r[k] for r in table if r["municipality"] == name]
                             for k in MUNICIPAL_UNITS}, MUNICIPAL_UNITS) for name in names}


def _num(x: float) -> float | None:
    return None if math.isnan(x) else x


@dataclass(frozen=True)
class Replication:
    """What one replication hands back: its KPI row, per-municipality rows, and if asked the
    arrays of its event table (cheaper to send from a worker than a DataFrame) and tallies."""

    row: dict[str, float]
    municipalities: list[dict[str, Any]]
    arrays: ReplicationResult | None
    tallies: dict[str, np.ndarray] | None


def replication(cfg: ScenarioConfig, r: int, keep_events: bool,
                breakdown: bool = False) -> Replication:
    """Replication r of `cfg`: the unit of work."""
    res = simulate_replication(cfg, r)
    row = {"replication": r, **replication_kpis(res, cfg.target_s)}
    munis = [{"replication": r, "municipality": name, **values} for name, values in
             municipality_kpis(res.arrays, cfg.target_s, res.horizon_s).items()]
    tallies = None
    if breakdown:  # the figures' tallies: imported only for a report
        from respons.analysis.breakdown import layout_of, tally

        tallies = tally(res.arrays, res.priority, layout_of(cfg))
    return Replication(row, munis, res if keep_events else None, tallies)


def columns(rows: list[dict[str, Any]],
            names: Sequence[str] | None = None) -> dict[str, list[Any]]:
    """The rows as columns: `names`, or the rows' keys in order of appearance (as
    pandas.DataFrame(rows) has them)."""
    if names is None:
        seen: dict[str, None] = {}
        for row in rows:
            seen.update(dict.fromkeys(row))
        names = list(seen)
    return {k: [row.get(k, math.nan) for row in rows] for k in names}


def table_csv(rows: list[dict[str, Any]], names: Sequence[str] | None = None) -> str:
    """A table of rows as CSV text, exactly as `pandas.DataFrame(rows, columns=names)
    .to_csv(index=False)` writes it (ints as ints, floats by their shortest repr, nan empty,
    text as is), without importing pandas (tests/test_speed.py compares the two)."""
    cols = columns(rows, names)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(cols))
    writer.writerows(zip(*(_column_text(v) for v in cols.values()), strict=True))
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
    breakdown: bool = False,
) -> RunResult:
    """Run all `cfg.replications` replications, in order, serially or on `jobs` processes
    (joblib's loky backend; -1 = one per core); `breakdown` also keeps the figures' tallies.
    loky keeps its worker processes for the next call in the same process (a sweep, the
    benchmarks), so they start once.

    Replication r is seeded from (seed, r) alone, so the result does not depend on `jobs`.
    """
    n = cfg.replications
    if jobs != 1 and n > 1:
        from joblib import Parallel, delayed

        from respons.runs.workers import EndsWithParent, SameConfig

        par = Parallel(n_jobs=min(jobs, n) if jobs > 0 else jobs, backend="loky",
                       return_as="generator")
        task = EndsWithParent(SameConfig(replication, cfg))
        results = par(delayed(task)(cfg, r, keep_events, breakdown) for r in range(n))
    else:
        results = (replication(cfg, r, keep_events, breakdown) for r in range(n))
    rows: list[dict[str, Any]] = []
    munis: list[dict[str, Any]] = []
    parts: list[ReplicationResult] = []
    tallies: list[dict[str, np.ndarray]] = []
    for done, rep in enumerate(results, start=1):
        rows.append(rep.row)
        munis.extend(rep.municipalities)
        if rep.arrays is not None:
            parts.append(rep.arrays)
        if rep.tallies is not None:
            tallies.append(rep.tallies)
        if progress is not None:
            progress(done, n)
    names = [m.name for m in cfg.municipalities]
    tallied = None
    if tallies:
        from respons.analysis.breakdown import combine

        tallied = combine(cfg, tallies)
    return RunResult(rows, summarise(columns(rows)), parts if keep_events else None, munis,
                     summarise_municipalities(munis, names), tallied)
