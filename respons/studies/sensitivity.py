"""One-at-a-time sensitivity of the headline KPIs, paired under common random numbers (same
seed and streams for every variant): five assumed inputs ±25 % (the original table), or every
ranged input of the config (`assumptions:`) at the low and the high end of its range. The
joint spread over all ranges is `respons uncertainty` (respons/studies/uncertainty.py)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from respons.config import Category, ScenarioConfig
from respons.config.distributions import scaled
from respons.runs.replications import run
from respons.studies.uncertainty_inputs import sampled_inputs, variant

KPIS = ("alarms_answered_within_target_share", "alarms_resolved_by_operator_share",
        "legevakt_calls_within_target_share", "answer_time_mean_s")


def _kinds(cfg: ScenarioConfig, field: str, f: float, categories: set[Category]) -> dict:
    kinds = [k.model_copy(update={field: scaled(getattr(k, field), f)})
             if k.category in categories else k for k in cfg.event_kinds]
    return {"event_kinds": kinds}


def _peak(cfg: ScenarioConfig, f: float) -> dict:
    """Stretch each profile's hour-of-day deviations from its mean by f (peaks up, dips down)."""
    profiles = {}
    for name, p in cfg.profiles.items():
        m = sum(p.hourly) / 24
        profiles[name] = p.model_copy(update={"hourly": [max(0.0, m + (w - m) * f)
                                                         for w in p.hourly]})
    return {"profiles": profiles}


def _backup(cfg: ScenarioConfig, f: float) -> dict:
    """Scale every after_wait backup delay by f."""
    pools = []
    for p in cfg.pools:
        serves = [s.model_copy(update={"after_s": s.after_s * f}) for s in p.serves]
        pools.append(p.model_copy(update={"serves": serves}))
    return {"pools": pools}


ALARMS = {Category.alarm, Category.technical}
PARAMETERS: dict[str, Callable[[ScenarioConfig, float], dict]] = {
    "talk time (alarms, technical)": lambda c, f: _kinds(c, "talk", f, ALARMS),
    "after-call work (alarms, technical)": lambda c, f: _kinds(c, "wrap_up", f, ALARMS),
    "legevakt talk time": lambda c, f: _kinds(c, "talk", f, {Category.legevakt}),
    "profile peak (hour-of-day amplitude)": _peak,
    "backup rule (nurse after_wait delay)": _backup,
}


def sensitivity(cfg: ScenarioConfig, change: float = 0.25) -> pd.DataFrame:
    """Rows: parameter, variant (-change, base, +change); columns: the KPI means."""
    rows = [{"parameter": "baseline", "factor": 1.0, **_means(cfg)}]
    for name, make in PARAMETERS.items():
        for f in (1 - change, 1 + change):
            variant = ScenarioConfig.model_validate(
                {**cfg.model_dump(), **{k: _dump(v) for k, v in make(cfg, f).items()}})
            rows.append({"parameter": name, "factor": f, **_means(variant)})
    return pd.DataFrame(rows)


def range_sensitivity(cfg: ScenarioConfig) -> pd.DataFrame:
    """Rows: baseline, then each ranged input at its low and high end (others as configured);
    columns: parameter, setting (the value), the KPI means."""
    rows = [{"parameter": "baseline", "setting": "as configured", **_means(cfg)}]
    for a in sampled_inputs(cfg):
        assert a.range is not None
        for value in a.range:
            rows.append({"parameter": a.name, "setting": str(value),
                         **_means(variant(cfg, {a.name: value}))})
    return pd.DataFrame(rows)


def _dump(v: object) -> object:
    if isinstance(v, list):
        return [x.model_dump() for x in v]
    if isinstance(v, dict):
        return {k: x.model_dump() for k, x in v.items()}
    return v


def _means(cfg: ScenarioConfig) -> dict[str, float]:
    res = run(cfg, keep_events=False)
    return {k: res.summary[k]["mean"] for k in KPIS}


def markdown(df: pd.DataFrame) -> str:
    """Shares in percent, the mean wait in seconds, each with the change from baseline."""
    base = df.iloc[0]
    lines = ["| parameter | change | within 120 s (alarms) | resolved by operator | "
             "legevakt within 120 s | mean wait (alarms) |", "|---|---:|---:|---:|---:|---:|"]
    if "setting" in df.columns:
        lines[0] = lines[0].replace("| change |", "| value |")
    for r in df.itertuples(index=False):
        if "setting" in df.columns:
            change = str(r.setting)
        else:
            change = "–" if r.parameter == "baseline" else f"{100 * (r.factor - 1):+.0f} %"
        cells = []
        for k in KPIS:
            v, b = getattr(r, k), base[k]
            if k.endswith("_s"):
                cells.append(f"{v:.1f} s" + ("" if r.parameter == "baseline"
                                              else f" ({v - b:+.1f})"))
            else:
                cells.append(f"{100 * v:.1f} %" + ("" if r.parameter == "baseline"
                                                   else f" ({100 * (v - b):+.1f} pp)"))
        lines.append(f"| {r.parameter} | {change} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
