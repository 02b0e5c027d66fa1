"""How wide the headline KPIs are when the unpublished inputs move over their plausible ranges.

Two stages over the config's ranged inputs (`assumptions:`, fitted ones held at their value):
1. Morris screening (SALib) over all of them: mu* (mean absolute elementary effect) and sigma
   per KPI, the inputs ranked on the headline answer-time KPI;
2. over the inputs that matter (mu* at least `keep` x the largest, on the headline KPI or the
   mean wait), a Latin hypercube (`method="morris"`) or a Sobol/Saltelli sample
   (`method="sobol"`, which adds first-order and total Sobol indices), giving the 5-95 % range
   of each headline KPI over the assumptions.
Every sample point runs the same replications with the config's seed (common random numbers),
so differences between points are the inputs', not the random streams'. Points run in order or
on `jobs` processes with identical results.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from respons.analysis.intervals import confidence_interval
from respons.analysis.kpis import KPI_UNITS
from respons.config import Assumption, ScenarioConfig
from respons.config.assumptions import config_problems
from respons.errors import UserError
from respons.runs.replications import run
from respons.studies.uncertainty_inputs import (
    configured,
    problem,
    sampled_inputs,
    values_of,
    variant,
)

RANKED_ON = "alarms_answered_within_target_share"
SCREEN_ON = (RANKED_ON, "answer_time_mean_s")
HEADLINE = ("alarms_answered_within_target_share", "answer_time_mean_s", "answer_time_p90_s",
            "legevakt_calls_within_target_share", "operator_utilisation",
            "backup_answered_share", "help_arrival_time_mean_s")
LEVELS = 4
Method = Literal["morris", "sobol"]
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Plan:
    """How the study samples: trajectories (Morris), stage-2 samples, replications per point."""

    method: Method = "morris"
    trajectories: int = 10
    samples: int = 64
    replications: int = 4
    keep: float = 0.1
    jobs: int = 1


@dataclass
class Study:
    """Everything the study produced (tables for the output directory)."""

    inputs: pd.DataFrame
    morris: pd.DataFrame
    ranges: pd.DataFrame
    screening: pd.DataFrame
    samples: pd.DataFrame
    baseline: pd.DataFrame
    selected: list[str] = field(default_factory=list)


def check(cfg: ScenarioConfig) -> list[Assumption]:
    """The sampled inputs, or a UserError when the ranges do not fit the config."""
    bad = config_problems(cfg)
    if bad:
        raise UserError(f"config {cfg.scenario}: its `assumptions` do not fit the config: "
                        + "; ".join(bad) + ".")
    inputs = sampled_inputs(cfg)
    if len(inputs) < 2:
        raise UserError(f"config {cfg.scenario}: the uncertainty study needs at least 2 ranged "
                        f"inputs that are not fitted (`assumptions:`), found {len(inputs)}.")
    return inputs


def _point(cfg: ScenarioConfig, values: dict[str, Any], replications: int) -> dict[str, float]:
    """KPI means of one sample point (same seed for every point: common random numbers)."""
    res = run(variant(cfg, values, {"replications": replications}), keep_events=False)
    return {k: float(res.replications[k].mean()) for k in KPI_UNITS}


def evaluate(cfg: ScenarioConfig, points: list[dict[str, Any]], plan: Plan, stage: str,
             progress: Progress | None = None) -> pd.DataFrame:
    """KPI means at every point, in order (on `plan.jobs` processes when > 1)."""
    if plan.jobs != 1 and len(points) > 1:
        from joblib import Parallel, delayed

        par = Parallel(n_jobs=plan.jobs, backend="loky", return_as="generator")
        results = par(delayed(_point)(cfg, p, plan.replications) for p in points)
    else:
        results = (_point(cfg, p, plan.replications) for p in points)
    rows = []
    for i, r in enumerate(results, start=1):
        rows.append(r)
        if progress is not None:
            progress(stage, i, len(points))
    return pd.DataFrame(rows, columns=list(KPI_UNITS))


def _sample_table(inputs: list[Assumption], x: np.ndarray) -> tuple[list[dict], pd.DataFrame]:
    points = [values_of(inputs, row) for row in x]
    return points, pd.DataFrame(points, columns=[a.name for a in inputs])


def screen(cfg: ScenarioConfig, inputs: list[Assumption], plan: Plan,
           progress: Progress | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Morris design and its KPI means; then mu*, sigma per input and KPI (long table)."""
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    prob = problem(inputs)
    x = morris_sample.sample(prob, N=plan.trajectories, num_levels=LEVELS, seed=cfg.seed)
    points, design = _sample_table(inputs, x)
    y = evaluate(cfg, points, plan, "screening", progress)
    rows = []
    for kpi in HEADLINE:
        col = y[kpi].to_numpy(dtype=float)
        if not np.isfinite(col).all():
            continue
        res = morris_analyze.analyze(prob, x, col, num_levels=LEVELS, seed=cfg.seed)
        for i, a in enumerate(inputs):
            rows.append({"input": a.name, "kpi": kpi, "mu": float(res["mu"][i]),
                         "mu_star": float(res["mu_star"][i]), "sigma": float(res["sigma"][i]),
                         "mu_star_conf": float(res["mu_star_conf"][i])})
    long = pd.DataFrame(rows, columns=["input", "kpi", "mu", "mu_star", "sigma", "mu_star_conf"])
    return long, pd.concat([design, y.add_prefix("kpi:")], axis=1)


def select(morris: pd.DataFrame, inputs: list[Assumption], keep: float) -> list[str]:
    """Inputs whose mu* reaches `keep` x the largest on one of the screening KPIs (at least
    two, the largest first)."""
    chosen: set[str] = set()
    order: list[str] = []
    for kpi in SCREEN_ON:
        sub = morris[morris["kpi"] == kpi].sort_values("mu_star", ascending=False)
        if sub.empty or not sub["mu_star"].max() > 0:
            continue
        top = float(sub["mu_star"].max())
        for r in sub.itertuples(index=False):
            if r.mu_star >= keep * top and r.input not in chosen:
                chosen.add(r.input)
                order.append(r.input)
    ranked = morris[morris["kpi"] == RANKED_ON].sort_values("mu_star", ascending=False)
    for name in [*ranked["input"], *[a.name for a in inputs]]:
        if len(order) >= 2:
            break
        if name not in chosen:
            chosen.add(name)
            order.append(name)
    return order


def second_stage(cfg: ScenarioConfig, inputs: list[Assumption], plan: Plan,
                 progress: Progress | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stage-2 design over the selected inputs and its KPI means; Sobol indices of the
    headline KPI (long table, empty for the Latin hypercube)."""
    prob = problem(inputs)
    if plan.method == "sobol":
        from SALib.sample import sobol as sobol_sample

        x = sobol_sample.sample(prob, plan.samples, calc_second_order=False, seed=cfg.seed)
    else:
        from SALib.sample import latin

        x = latin.sample(prob, plan.samples, seed=cfg.seed)
    points, design = _sample_table(inputs, x)
    stage = "sobol" if plan.method == "sobol" else "latin hypercube"
    y = evaluate(cfg, points, plan, stage, progress)
    indices = []
    if plan.method == "sobol":
        from SALib.analyze import sobol as sobol_analyze

        for kpi in HEADLINE:
            col = y[kpi].to_numpy(dtype=float)
            if not np.isfinite(col).all() or np.ptp(col) == 0:
                continue
            res = sobol_analyze.analyze(prob, col, calc_second_order=False, seed=cfg.seed)
            for i, a in enumerate(inputs):
                indices.append({"input": a.name, "kpi": kpi, "s1": float(res["S1"][i]),
                                "st": float(res["ST"][i])})
    table = pd.concat([design, y.add_prefix("kpi:")], axis=1)
    return table, pd.DataFrame(indices, columns=["input", "kpi", "s1", "st"])


def ranges(baseline: pd.DataFrame, samples: pd.DataFrame, replications: int) -> pd.DataFrame:
    """Per headline KPI: the configured inputs' mean and replication CI, and the 5-95 % range
    (with the median, minimum and maximum) over the assumption samples."""
    rows = []
    for kpi in HEADLINE:
        mean, lo, hi = confidence_interval(baseline[kpi].to_numpy(dtype=float))
        col = samples[f"kpi:{kpi}"].to_numpy(dtype=float)
        col = col[np.isfinite(col)]
        q = np.percentile(col, [5, 50, 95]) if col.size else [np.nan] * 3
        rows.append({"kpi": kpi, "unit": KPI_UNITS[kpi], "baseline_mean": mean,
                     "ci_low": lo, "ci_high": hi, "p05": q[0], "p50": q[1], "p95": q[2],
                     "min": col.min() if col.size else np.nan,
                     "max": col.max() if col.size else np.nan, "samples": int(col.size),
                     "replications_per_sample": replications})
    return pd.DataFrame(rows)


def inputs_table(cfg: ScenarioConfig, morris: pd.DataFrame, selected: list[str],
                 indices: pd.DataFrame) -> pd.DataFrame:
    """One row per ranged input: range, configured value, mu* and sigma on the headline KPI
    (fitted inputs: held, no mu*), whether stage 2 sampled it, and its Sobol indices."""
    ranked = morris[morris["kpi"] == RANKED_ON].set_index("input")
    sob = indices[indices["kpi"] == RANKED_ON].set_index("input") if not indices.empty \
        else pd.DataFrame(columns=["s1", "st"])
    rows = []
    for a in cfg.assumptions:
        lo, hi = a.range if a.range is not None else (None, None)
        r = ranked.loc[a.name] if a.name in ranked.index else None
        rows.append({
            "input": a.name, "low": lo, "high": hi, "configured": configured(cfg, a),
            "mu_star": None if r is None else r["mu_star"],
            "sigma": None if r is None else r["sigma"],
            "mu_star_conf": None if r is None else r["mu_star_conf"],
            "kpi": RANKED_ON, "sampled": "stage 2" if a.name in selected else (
                "screening" if a.sampled else "held (fitted)" if a.fitted else "held"),
            "s1": sob.at[a.name, "s1"] if a.name in sob.index else None,
            "st": sob.at[a.name, "st"] if a.name in sob.index else None,
            "path": a.path, "log": a.log, "why": " ".join(a.why.split()),
        })
    out = pd.DataFrame(rows)
    order = out["mu_star"].astype(float).fillna(-1.0)
    return out.iloc[np.argsort(-order.to_numpy(), kind="stable")].reset_index(drop=True)


def study(cfg: ScenarioConfig, plan: Plan, progress: Progress | None = None) -> Study:
    """Screen, select, sample, summarise."""
    inputs = check(cfg)
    base = run(cfg, keep_events=False, jobs=plan.jobs).replications
    morris, screening = screen(cfg, inputs, plan, progress)
    selected = select(morris, inputs, plan.keep)
    chosen = [a for a in inputs if a.name in selected]
    samples, indices = second_stage(cfg, chosen, plan, progress)
    return Study(inputs_table(cfg, morris, selected, indices), morris,
                 ranges(base, samples, plan.replications), screening, samples, base, selected)
