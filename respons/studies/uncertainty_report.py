"""The uncertainty study's tables as Markdown (terminal and docs/calibration.md)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd


def _v(x: Any, unit: str) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x) if x is not None else "–"
    if not math.isfinite(v):
        return "–"
    if unit == "share":
        return f"{100 * v:.1f} %"
    if unit == "s":
        return _seconds(v)
    return f"{v:,.4g}"


def _seconds(x: float) -> str:
    """As simulate prints times (respons/report/formatting.py `fmt_seconds`, which this layer
    may not import): '7.9 s', '26:50 min', '26.9 h'."""
    if abs(x) < 59.95:
        return f"{x:.1f} s"
    if abs(x) >= 3599.5:
        return f"{x / 3600:.1f} h"
    minutes, seconds = divmod(int(round(abs(x))), 60)
    return f"{'-' if x < 0 else ''}{minutes}:{seconds:02d} min"


def markdown_ranges(ranges: pd.DataFrame) -> str:
    """Headline KPIs: configured inputs (mean, 95 % CI) and the 5-95 % range over the
    assumptions."""
    lines = ["| KPI | configured inputs | 95 % CI (replications) | 5 – 95 % over the "
             "assumptions | median |", "|---|---:|---|---|---:|"]
    for r in ranges.itertuples(index=False):
        u = str(r.unit)
        lines.append(f"| `{r.kpi}` | {_v(r.baseline_mean, u)} | {_v(r.ci_low, u)} – "
                     f"{_v(r.ci_high, u)} | {_v(r.p05, u)} – {_v(r.p95, u)} | "
                     f"{_v(r.p50, u)} |")
    return "\n".join(lines) + "\n"


def markdown_inputs(inputs: pd.DataFrame, unit: str = "share") -> str:
    """Ranged inputs by Morris mu* on the headline KPI (effects in percentage points)."""
    kpi = str(inputs["kpi"].iloc[0]) if len(inputs) else ""
    lines = [f"Ranked on `{kpi}` (μ*, σ in percentage points over the input's range):", "",
             "| input | low | high | configured | μ* | σ | sampled |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for r in inputs.itertuples(index=False):
        eff = [_pp(r.mu_star, unit), _pp(r.sigma, unit)]
        lines.append(f"| {r.input} | {_v(r.low, '')} | {_v(r.high, '')} | "
                     f"{_v(r.configured, '')} | {eff[0]} | {eff[1]} | {r.sampled} |")
    return "\n".join(lines) + "\n"


def _pp(x: Any, unit: str) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "–"
    if not math.isfinite(v):
        return "–"
    return f"{100 * v:.2f}" if unit == "share" else f"{v:.3g}"


def ranges_entries(cfg: Any, ranges: pd.DataFrame, study: str) -> list[dict[str, Any]]:
    """The `assumption_ranges:` entries of the config for the headline KPIs found (finite
    5-95 % ranges only), each with the fingerprint of `cfg` (respons.config.fingerprint)."""
    from respons.config.fingerprint import fingerprint

    own = fingerprint(cfg)
    out = []
    for r in ranges.itertuples(index=False):
        lo, hi, mid = (float(x) for x in (r.p05, r.p95, r.p50))
        if math.isfinite(lo) and math.isfinite(hi):
            out.append({"kpi": str(r.kpi), "low": round(lo, 6), "high": round(hi, 6),
                        "median": round(mid, 6) if math.isfinite(mid) else None,
                        "config_sha256": own, "study": study})
    return out


def ranges_yaml(entries: list[dict[str, Any]]) -> str:
    """`assumption_ranges:` as a YAML block to paste into the config the study ran on."""
    import yaml

    head = ("# Paste into the config the study ran on: simulate, its report and summary.json\n"
            "# then show these ranges beside the headline while the config's inputs are\n"
            "# unchanged (the fingerprint config_sha256 must match).\n")
    return head + yaml.safe_dump({"assumption_ranges": entries}, sort_keys=False,
                                 allow_unicode=True, width=100)
