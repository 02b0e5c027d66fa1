"""Fit the free inputs of the 2019 and 2020 configs to the published figures.

Method (docs/calibration.md):
* volumes and resolved shares are linear in the rates and outcome probabilities, so they are
  solved exactly on the model's expected values (no simulation noise): one scale factor on
  the alarm rates (2020) or the go-live date (2019, same per-capita rates as 2020), one scale
  on the technical rates, and one additive shift on the per-kind resolved probabilities;
* the legevakt share answered within 120 s is an output of the pooled queue, so the one
  unpublished input behind it, the mean legevakt talk time, is found by Brent's method on
  simulated means over a fixed set of replications (common random numbers: the curve is
  then a smooth, monotone function of the input).
Outputs are never set: `validate` checks them by simulation afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize

from respons.config import OUTCOMES, Category, ScenarioConfig
from respons.engine.arrivals import expected_count
from respons.runs.replications import run
from respons.studies.targets import Target, for_year

LEGEVAKT_KIND = "legevakt_call"
# Simulated fits use their own seed, so `validate` (the configs' seeds) checks out of sample.
FIT_SEED = 314_159


@dataclass
class Fit:
    """What was fitted for one year: parameter -> value, with a line on how."""

    year: int
    values: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _target(year: int, kpi: str) -> Target:
    return next(t for t in for_year(year) if t.kpi == kpi)


def expected_total(cfg: ScenarioConfig, category: Category) -> float:
    """Expected arrivals of a category over the period."""
    by_name = {m.name: m for m in cfg.municipalities}
    return sum(expected_count(cfg, k, by_name[m]) for k in cfg.event_kinds
               if k.category == category for m in cfg.kind_municipalities(k))


def expected_resolved_share(cfg: ScenarioConfig, category: Category) -> float:
    """Expected share resolved by the operator, weighting each kind by its volume."""
    by_name = {m.name: m for m in cfg.municipalities}
    num = den = 0.0
    for k in cfg.event_kinds:
        if k.category != category:
            continue
        n = sum(expected_count(cfg, k, by_name[m]) for m in cfg.kind_municipalities(k))
        num += n * k.outcomes.resolved_by_operator
        den += n
    return num / den


def shifted_outcomes(outcomes: dict[str, float], delta: float) -> dict[str, float]:
    """Resolved probability + delta; the other outcomes keep their proportions. Rounded to
    4 decimals, summing to exactly 1."""
    p = {k: float(outcomes.get(k, 0.0)) for k in OUTCOMES}
    new_r = min(max(p["resolved_by_operator"] + delta, 0.0), 1.0)
    rest = 1.0 - p["resolved_by_operator"]
    out = {"resolved_by_operator": round(new_r, 4)}
    for k in OUTCOMES[1:]:
        if p[k] > 0:
            out[k] = round(p[k] / rest * (1.0 - new_r), 4) if rest > 0 else 0.0
    largest = max((k for k in out if k != "resolved_by_operator"), key=lambda k: out[k],
                  default=None)
    if largest is not None:
        out[largest] = round(1.0 - sum(v for k, v in out.items() if k != largest), 4)
    return {k: v for k, v in out.items() if v > 0 or k == "resolved_by_operator"}


def _kinds(data: dict, category: Category) -> list[dict]:
    return [k for k in data["event_kinds"] if k["category"] == category.value]


def fit_rate_scale(data: dict, category: Category, target: float,
                   validate: Callable[[dict], ScenarioConfig]) -> float:
    """Scale every rate of `category` so the expected volume equals `target`."""
    factor = target / expected_total(validate(data), category)
    for k in _kinds(data, category):
        k["rate"]["per_year"] = float(f"{k['rate']['per_year'] * factor:.4g}")
    return factor


def fit_resolved_share(data: dict, category: Category, target: float,
                       validate: Callable[[dict], ScenarioConfig]) -> float:
    """Shift every kind's resolved probability by one delta so the expected share is `target`."""
    base = {k["name"]: dict(k["outcomes"]) for k in _kinds(data, category)}

    def share(delta: float) -> float:
        for k in _kinds(data, category):
            k["outcomes"] = shifted_outcomes(base[k["name"]], delta)
        return expected_resolved_share(validate(data), category) - target

    delta = optimize.brentq(share, -1.0, 1.0, xtol=1e-6)
    share(delta)
    return delta


def fit_go_live(data: dict, members: list[str], target: float,
                validate: Callable[[dict], ScenarioConfig]) -> dt.date:
    """The common go-live day of `members` that gives `target` expected alarms."""
    start = validate(data).period.start
    days = validate(data).period.days

    def alarms(day: int) -> float:
        for m in data["municipalities"]:
            if m["name"] in members:
                m["joined"] = start + dt.timedelta(days=day)
        return expected_total(validate(data), Category.alarm)

    lo, hi = 0, days - 1  # alarms(day) decreases with the day
    if not alarms(hi) <= target <= alarms(lo):
        raise ValueError(f"no go-live date in the period gives {target} expected alarms")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if alarms(mid) >= target else (lo, mid)
    best = min((lo, hi), key=lambda d: abs(alarms(d) - target))
    alarms(best)
    return start + dt.timedelta(days=best)


def fit_legevakt_talk(data: dict, target: float, replications: int,
                      validate: Callable[[dict], ScenarioConfig],
                      bounds: tuple[float, float] = (60.0, 600.0)) -> float:
    """Mean legevakt talk time (cv kept) giving `target` answered within the target time."""
    kind = next(k for k in data["event_kinds"] if k["name"] == LEGEVAKT_KIND)
    talk = kind["talk"]
    cv = float(talk["sd_s"]) / float(talk["mean_s"]) if "sd_s" in talk else None

    def set_mean(mean: float) -> None:
        talk["mean_s"] = round(mean, 1)
        if cv is not None:
            talk["sd_s"] = round(mean * cv, 1)

    def gap(mean: float) -> float:
        set_mean(mean)
        cfg = validate({**data, "replications": replications, "seed": FIT_SEED})
        res = run(cfg, keep_events=False)
        return float(res.replications["legevakt_calls_within_target_share"].mean()) - target

    lo, hi = bounds
    if gap(lo) < 0:
        raise ValueError("even the shortest legevakt talk time misses the legevakt target")
    if gap(hi) > 0:
        set_mean(hi)
        return hi
    mean = optimize.brentq(gap, lo, hi, xtol=0.5)
    set_mean(mean)
    return float(talk["mean_s"])


def sync_relief(data: dict, go_live: dt.date) -> None:
    """Operators relieve no other service before the answer service goes live: a window of
    unavailability that starts with the period (e.g. the operators' legevakt relief in 2019)
    ends on the fitted go-live day."""
    start = dt.date.fromisoformat(str(data["period"]["start"]))
    for pool in data["pools"]:
        if pool.get("role") != "operator":
            continue
        for svc in pool.get("serves", []):
            for window in svc.get("unavailable", []):
                if dt.date.fromisoformat(str(window["start"])) == start:
                    window["end"] = go_live


def _fit_technical_and_shares(data: dict, fit: Fit,
                              validate: Callable[[dict], ScenarioConfig]) -> None:
    """Technical volume, then the alarm and technical resolved shares, of `fit.year`."""
    fit.values["technical_rate_scale"] = fit_rate_scale(
        data, Category.technical, _target(fit.year, "technical_alerts").published, validate)
    for category, key, kpi in (
        (Category.alarm, "alarm_resolved_shift", "alarms_resolved_by_operator_share"),
        (Category.technical, "technical_resolved_shift", "technical_resolved_by_operator_share"),
    ):
        fit.values[key] = fit_resolved_share(data, category, _target(fit.year, kpi).published,
                                             validate)


def calibrate_2020(data: dict, replications: int,
                   validate: Callable[[dict], ScenarioConfig]) -> Fit:
    """Fit the 2020 config in place."""
    fit = Fit(2020)
    fit.values["alarm_rate_scale"] = fit_rate_scale(
        data, Category.alarm, _target(2020, "alarms_answered").published, validate)
    _fit_technical_and_shares(data, fit, validate)
    fit.values["legevakt_talk_mean_s"] = fit_legevakt_talk(
        data, _target(2020, "legevakt_calls_within_target_share").published, replications,
        validate)
    fit.notes.append(
        "alarm and technical rates scaled and resolved probabilities shifted to the published "
        "volumes and shares (exact, on expected values); legevakt talk-time mean by Brent's "
        f"method on simulated means over {replications} replications (common random numbers, "
        f"fitting seed {FIT_SEED}, not the validation seed)")
    return fit


def calibrate_2019(data: dict, data_2020: dict,
                   validate: Callable[[dict], ScenarioConfig]) -> Fit:
    """Fit the 2019 config in place, taking per-capita alarm rates and legevakt talk from 2020."""
    fit = Fit(2019)
    rates = {k["name"]: k["rate"]["per_year"] for k in _kinds(data_2020, Category.alarm)}
    for k in _kinds(data, Category.alarm):
        k["rate"]["per_year"] = rates[k["name"]]
    src = next(k for k in data_2020["event_kinds"] if k["name"] == LEGEVAKT_KIND)
    dst = next(k for k in data["event_kinds"] if k["name"] == LEGEVAKT_KIND)
    dst["talk"]["mean_s"], dst["talk"]["sd_s"] = src["talk"]["mean_s"], src["talk"]["sd_s"]
    members = [m["name"] for m in data["municipalities"]]
    go_live = fit_go_live(data, members, _target(2019, "alarms_answered").published, validate)
    fit.values["go_live"] = go_live.isoformat()
    sync_relief(data, go_live)
    _fit_technical_and_shares(data, fit, validate)
    fit.notes.append(
        "go-live date of all members (per-capita alarm rates of 2020) bisected to the published "
        "alarm volume (the operators relieve the legevakt from that day); technical rates "
        "scaled and resolved probabilities shifted to the published figures (exact, on "
        "expected values); legevakt talk time from 2020")
    return fit


def note(fit: Fit, today: dt.date) -> str:
    """The calibration_note written into the config."""
    vals = ", ".join(f"{k}={_fmt(v)}" for k, v in fit.values.items())
    return (f"Fitted by `respons calibrate` on {today.isoformat()}: {'; '.join(fit.notes)}. "
            f"Values: {vals}.")


def _fmt(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float | np.floating) else str(v)
