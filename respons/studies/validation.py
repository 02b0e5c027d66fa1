"""Simulate the calibration years and compare with the published figures."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from respons.config import ScenarioConfig
from respons.runs.replications import RunResult, run
from respons.studies.targets import Target, for_year

YEARS = (2019, 2020)
COLUMNS = ("year", "figure", "kpi", "published", "simulated_mean", "ci_low", "ci_high", "band",
           "lower", "upper", "inside")


@dataclass(frozen=True)
class YearResult:
    year: int
    cfg: ScenarioConfig
    result: RunResult


def simulate_year(cfg: ScenarioConfig) -> RunResult:
    return run(cfg, keep_events=False)


def compare(year: int, result: RunResult) -> list[dict]:
    """One row per published figure of `year`: published, simulated mean and CI, inside band."""
    rows = []
    for t in for_year(year):
        k = result.summary[t.kpi]
        lo, hi = t.bounds()
        rows.append({
            "year": year, "figure": t.figure, "kpi": t.kpi, "published": t.published,
            "simulated_mean": k["mean"], "ci_low": k["ci_low"], "ci_high": k["ci_high"],
            "band": t.band_text(), "lower": lo, "upper": hi,
            "inside": k["mean"] is not None and t.inside(k["mean"]),
        })
    return rows


def table(results: list[YearResult]) -> pd.DataFrame:
    rows = [r for y in results for r in compare(y.year, y.result)]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def markdown(df: pd.DataFrame) -> str:
    """The comparison as a Markdown table, numbers formatted as people read them."""
    lines = ["| year | figure | published | simulated mean | 95 % CI | band | inside |",
             "|---|---|---:|---:|---|---|---|"]
    for r in df.itertuples(index=False):
        t = _target(r.kpi, r.year)
        lines.append(
            f"| {r.year} | {r.figure} | {_fmt(t, r.published)} | {_fmt(t, r.simulated_mean)} | "
            f"{_fmt(t, r.ci_low)} – {_fmt(t, r.ci_high)} | {r.band} | "
            f"{'yes' if r.inside else '**no**'} |")
    return "\n".join(lines) + "\n"


def _target(kpi: str, year: int) -> Target:
    return next(t for t in for_year(year) if t.kpi == kpi)


def _fmt(t: Target, x: float | None) -> str:
    if x is None or x != x:
        return "–"
    if t.band_kind == "absolute":
        return f"{100 * x:.1f} %"
    return f"{x:,.0f}"
