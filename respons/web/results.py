"""What the page computes: the replications of the baseline and the what-if, chunk by chunk
(the page caches each chunk by the config's key and moves its progress bar between chunks,
where Streamlit can also abandon a run the user has changed), then what it shows: the summary
(verdict, KPIs with their 95 % intervals, per municipality, costs), the paired differences
under common random numbers, the share of alarms within the limit by hour of day and the cost
per municipality. No Streamlit here."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from respons.analysis.breakdown import coded_labels
from respons.analysis.kpis import kpi_unit
from respons.analysis.load import check_size, describe, offered_load
from respons.analysis.municipal import MUNICIPAL_UNITS
from respons.config import ScenarioConfig
from respons.runs.outputs import summary
from respons.runs.replications import (
    RunResult,
    replication,
    summarise,
    summarise_municipalities,
)
from respons.studies.scenarios import paired

HEADLINE = ("alarms_answered_within_target_share", "answer_time_mean_s", "answer_time_p90_s",
            "alarms_answered", "backup_answered_share", "operator_utilisation",
            "legevakt_calls_within_target_share", "homecare_visits", "waiting_at_period_end")

Fetch = Callable[[ScenarioConfig, tuple[int, ...]], list["RepOutcome"]]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RepOutcome:
    """One replication as the page needs it: its KPI row, per-municipality rows, and the
    alarms arriving and answered within the limit per hour of day (24 each)."""

    replication: int
    row: dict[str, float]
    municipalities: list[dict[str, Any]]
    alarms_hour: np.ndarray
    within_hour: np.ndarray


def run_one(cfg: ScenarioConfig, r: int) -> RepOutcome:
    """Replication r of `cfg` (seeded from (seed, r) alone: the same whatever else runs)."""
    rep = replication(cfg, r, keep_events=False, breakdown=True)
    assert rep.tallies is not None
    alarm = coded_labels(cfg)["category"].index("alarm")
    return RepOutcome(r, rep.row, rep.municipalities,
                      rep.tallies["arrivals_hour"][alarm].astype(np.int64),
                      rep.tallies["within_hour"][alarm].astype(np.int64))


def run_chunk(cfg: ScenarioConfig, reps: tuple[int, ...], jobs: int = 1) -> list[RepOutcome]:
    """Replications `reps` of `cfg`, on `jobs` processes when there are several."""
    if jobs > 1 and len(reps) > 1:
        from joblib import Parallel, delayed

        return list(Parallel(n_jobs=jobs, backend="loky")(
            delayed(run_one)(cfg, r) for r in reps))
    return [run_one(cfg, r) for r in reps]


def chunks(n: int, size: int) -> list[tuple[int, ...]]:
    """Replications 0..n-1 in chunks of `size` from 0 (so 5 and 10 replications share their
    first chunks in the cache)."""
    size = max(1, size)
    return [tuple(range(i, min(i + size, n))) for i in range(0, n, size)]


def run_both(base: ScenarioConfig, what: ScenarioConfig, jobs: int = 1,
             fetch: Fetch | None = None,
             progress: Progress | None = None) -> tuple[list[RepOutcome], list[RepOutcome]]:
    """The replications of the baseline and of the what-if, one chunk at a time through
    `fetch` (default: run them), calling `progress(done, total)` after each chunk. A
    `progress` that raises stops the work there (Streamlit does so when the user changes a
    control): what is done stays in the cache, nothing more is computed."""
    get = fetch or (lambda cfg, reps: run_chunk(cfg, reps, jobs))
    work = [(cfg, c) for cfg in (base, what) for c in chunks(cfg.replications, jobs)]
    out: tuple[list[RepOutcome], list[RepOutcome]] = ([], [])
    for done, (cfg, chunk) in enumerate(work, start=1):
        out[0 if cfg is base else 1].extend(get(cfg, chunk))
        if progress is not None:
            progress(done, len(work))
    return out


@dataclass(frozen=True)
class Outcome:
    """A config's replications, summarised: `doc` is the run's summary.json document."""

    cfg: ScenarioConfig
    doc: dict[str, Any]
    table: pd.DataFrame
    alarms_hour: np.ndarray  # (replications, 24)
    within_hour: np.ndarray

    def share_by_hour(self) -> np.ndarray:
        """Share of the alarms arriving in each hour of day answered within the limit, over
        all replications (nan for an hour without alarms)."""
        alarms = self.alarms_hour.sum(axis=0).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(alarms > 0, self.within_hour.sum(axis=0) / alarms, np.nan)


def assemble(cfg: ScenarioConfig, reps: list[RepOutcome]) -> Outcome:
    """The summary of `cfg`'s replications (as `simulate` writes it in summary.json)."""
    reps = sorted(reps, key=lambda r: r.replication)
    table = pd.DataFrame([r.row for r in reps])
    munis = pd.DataFrame([m for r in reps for m in r.municipalities],
                         columns=["replication", "municipality", *MUNICIPAL_UNITS])
    names = [m.name for m in cfg.municipalities]
    result = RunResult([r.row for r in reps], summarise(table),
                       municipality_rows=[m for r in reps for m in r.municipalities],
                       by_municipality=summarise_municipalities(munis, names))
    return Outcome(cfg, summary(cfg, result), table,
                   np.stack([r.alarms_hour for r in reps]),
                   np.stack([r.within_hour for r in reps]))


@dataclass(frozen=True)
class Difference:
    """One headline KPI: the what-if's mean and 95 % CI, the baseline's mean, and the paired
    difference (what-if - baseline) with its 95 % CI."""

    kpi: str
    unit: str
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    base: float | None
    diff: float
    diff_low: float
    diff_high: float


def differences(base: Outcome, what: Outcome,
                kpis: tuple[str, ...] = HEADLINE) -> list[Difference]:
    """The headline KPIs, paired by replication (common random numbers)."""
    out = []
    for k in kpis:
        if k not in base.table or k not in what.table or k not in what.doc["kpis"]:
            continue
        p = paired(base.table[k].to_numpy(), what.table[k].to_numpy())
        w, b = what.doc["kpis"][k], base.doc["kpis"].get(k, {})
        out.append(Difference(k, kpi_unit(k) or "", w["mean"], w["ci_low"], w["ci_high"],
                              b.get("mean"), p.diff, p.lo, p.hi))
    return out


def cost_rows(base: Outcome, what: Outcome) -> list[tuple[str, float, float, float]]:
    """(municipality, what-if cost, baseline cost, difference) in NOK for every member with a
    cost in either; empty without costs in the config."""
    wc = (what.doc.get("costs") or {}).get("by_municipality") or {}
    bc = (base.doc.get("costs") or {}).get("by_municipality") or {}
    rows = []
    for name in dict.fromkeys([*bc, *wc]):
        w, b = float(wc.get(name) or 0.0), float(bc.get(name) or 0.0)
        if w or b:
            rows.append((name, w, b, w - b))
    return rows


def load_warning(cfg: ScenarioConfig) -> str | None:
    """Refuse a config too large to simulate (UserError); warn when the offered load reaches
    the staff on duty."""
    load = offered_load(cfg)
    check_size(load)
    return describe(load, cfg)


def real(x: Any) -> bool:
    """A finite number (not None, nan or a bool)."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
