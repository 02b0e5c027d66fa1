"""Simulate the calibration years and compare with the published figures, fitted and predicted.

Every row carries its `role`: *fitted* (an input was tuned to it, so inside its band it shows
only that the fit is current) or *predicted* (no input was tuned to it). A figure outside its
band, of either role, makes `validate` exit 1.

`lower` and `upper` bound the model's value (fitted: the simulated mean; predicted: the
expected value) and are the numbers the `band` text stands for (±3 %: published × (1 ± 0.03);
±2 pp: published ± 0.02, within 0-1 for a share; exact: the published figure; a range: its two
ends). `inside` is `lower <= model <= upper` (to 1e-9): the mean, never its CI.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from respons.config import ScenarioConfig
from respons.config.assumptions import config_problems, current
from respons.runs.replications import RunResult, run
from respons.studies.predictions import predictions
from respons.studies.targets import Target, for_year

YEARS = (2019, 2020)
COLUMNS = ("year", "figure", "kpi", "role", "published", "simulated_mean", "ci_low", "ci_high",
           "band", "lower", "upper", "inside", "unit", "reason")


@dataclass(frozen=True)
class YearResult:
    year: int
    cfg: ScenarioConfig
    result: RunResult


def simulate_year(cfg: ScenarioConfig, jobs: int = 1,
                  progress: Callable[[int, int], None] | None = None) -> RunResult:
    """The replications of one year's config (on `jobs` processes: same result as serial)."""
    return run(cfg, keep_events=False, progress=progress, jobs=jobs)


def _unit(t: Target) -> str:
    return "share" if t.band_kind == "absolute" else "count"


def compare(year: int, result: RunResult) -> list[dict]:
    """One row per fitted figure of `year`: published, simulated mean and CI, inside band."""
    rows = []
    for t in for_year(year):
        k = result.summary[t.kpi]
        lo, hi = t.bounds()
        rows.append({
            "year": year, "figure": t.figure, "kpi": t.kpi, "role": t.role,
            "published": t.published, "simulated_mean": k["mean"], "ci_low": k["ci_low"],
            "ci_high": k["ci_high"], "band": t.band_text(), "lower": lo, "upper": hi,
            "inside": k["mean"] is not None and t.inside(k["mean"]), "unit": _unit(t),
            "reason": t.reason,
        })
    return rows


def table(results: list[YearResult]) -> pd.DataFrame:
    """Fitted figures (simulated) then predictions (from the configs), by year."""
    rows = [r for y in results for r in compare(y.year, y.result)]
    rows += predictions({y.year: y.cfg for y in results})
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    share = df["unit"] == "share"
    df.loc[share, ["lower", "upper"]] = df.loc[share, ["lower", "upper"]].clip(0.0, 1.0)
    return df


def exit_code(df: pd.DataFrame) -> int:
    """0 when every figure, fitted or predicted, is inside its band; else 1."""
    return 0 if bool(df["inside"].astype(bool).all()) else 1


def verdict(df: pd.DataFrame) -> list[str]:
    """What the table says, one line per role, naming the misses."""
    lines = []
    for role, what in (("fitted", "a miss means the fit is stale: run `respons calibrate`"),
                       ("predicted", "a miss is a finding about the model, reported as is")):
        sub = df[df["role"] == role]
        if sub.empty:
            continue
        ok = int(sub["inside"].astype(bool).sum())
        line = f"{role}: {ok} of {len(sub)} inside their band"
        if ok < len(sub):
            line += f"; {len(sub) - ok} outside, marked **no** in the table ({what})"
        lines.append(line)
    return lines


def markdown(df: pd.DataFrame) -> str:
    """The comparison as a Markdown table, then the reason behind each band."""
    lines = ["| year | figure | role | published | model | 95 % CI | band | inside |",
             "|---|---|---|---:|---:|---|---|---|"]
    reasons: list[str] = []
    for r in df.itertuples(index=False):
        if r.reason and r.reason not in reasons:
            reasons.append(r.reason)
        note = f" [{reasons.index(r.reason) + 1}]" if r.reason else ""
        ci = ("expected value" if r.role == "predicted" else
              f"{_fmt(r.unit, r.ci_low)} – {_fmt(r.unit, r.ci_high)}")
        lines.append(
            f"| {r.year} | {r.figure}{note} | {r.role} | {_fmt(r.unit, r.published)} | "
            f"{_fmt(r.unit, r.simulated_mean)} | {ci} | {r.band} | "
            f"{'yes' if r.inside else '**no**'} |")
    lines.append("")
    lines += [f"[{i}] {text}." for i, text in enumerate(reasons, start=1)]
    return "\n".join(lines) + "\n"


def _fmt(unit: str, x: float | None) -> str:
    if x is None or x != x:
        return "–"
    if unit == "share":
        return f"{100 * x:.1f} %"
    return f"{x:,.0f}"


# ---- fitted inputs next to their plausible ranges ----

FITTED_COLUMNS = ("scenario", "input", "path", "fitted_value", "low", "high", "inside", "why")


def fitted_ranges(cfg: ScenarioConfig) -> list[dict]:
    """The config's fitted inputs with the plausible range the sources allow (none: no range
    exists) and whether the fitted value lies inside it."""
    data = cfg.model_dump(exclude={"assumptions"})
    rows = []
    for a in cfg.assumptions:
        if not a.fitted:
            continue
        value = current(data, a)
        lo, hi = a.range if a.range is not None else (None, None)
        inside = None if lo is None else bool(lo <= value <= hi)
        rows.append({"scenario": cfg.scenario, "input": a.name, "path": a.path,
                     "fitted_value": value, "low": lo, "high": hi, "inside": inside,
                     "why": a.why})
    return rows


def fitted_markdown(rows: list[dict]) -> str:
    """Fitted inputs and their ranges as a Markdown table."""
    lines = ["| config | input | fitted value | plausible range | inside | source of the range |",
             "|---|---|---:|---|---|---|"]
    for r in rows:
        rng = "none exists" if r["low"] is None else f"{_val(r['low'])} – {_val(r['high'])}"
        inside = "–" if r["inside"] is None else ("yes" if r["inside"] else "**no**")
        lines.append(f"| {r['scenario']} | `{r['path']}` | {_val(r['fitted_value'])} | {rng} | "
                     f"{inside} | {' '.join(str(r['why']).split())} |")
    return "\n".join(lines) + "\n"


def _val(v: object) -> str:
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and math.isfinite(v):
        return f"{v:.4g}"
    return str(v)


def range_problems(cfgs: dict[int, ScenarioConfig]) -> list[str]:
    """Assumed inputs outside their documented range, or ranges naming no value."""
    return [f"vaernes-{y}: {p}" for y, c in cfgs.items() for p in config_problems(c)]
