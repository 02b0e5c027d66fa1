"""The simulator against queueing theory: Erlang C, Erlang A and Little's law."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from respons.analysis.erlang import erlang_a_metrics, erlang_c_metrics
from respons.analysis.intervals import confidence_interval
from respons.analysis.kpis import busy_seconds
from respons.config import ScenarioConfig
from respons.engine.randomness import Streams, replication_seed
from respons.engine.replication import pool_plans, simulate_replication
from respons.runs import replications as runner

CONFIGS = Path(__file__).resolve().parent.parent / "configs"
MMC = CONFIGS / "validation" / "mmc.yaml"
BASELINE = CONFIGS / "vaernes-2020.yaml"

# mmc.yaml: 25 arrivals/h, exponential handling with mean 240 s, 2 operators, target 120 s.
LAM_PER_H, AHT_S, AGENTS, TARGET_S = 25.0, 240.0, 2, 120.0


def load(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def in_ci(summary: dict, kpi: str, value: float) -> bool:
    s = summary[kpi]
    return s["ci_low"] <= value <= s["ci_high"]


def per_replication_ci(events: pd.DataFrame, fn) -> tuple[float, float, float]:
    values = np.array([fn(e) for _, e in events.groupby("replication", observed=True)])
    return confidence_interval(values)


# ------------------------------------------------------------------------- Erlang C


@pytest.fixture(scope="module")
def mmc_run() -> tuple[ScenarioConfig, runner.RunResult]:
    cfg = ScenarioConfig.model_validate(load(MMC))
    assert cfg.replications == 10
    return cfg, runner.run(cfg, keep_events=True)


def test_mmc_config_matches_erlang_inputs(mmc_run):
    cfg, _ = mmc_run
    (kind,) = cfg.event_kinds
    assert kind.rate.per_year == LAM_PER_H * 8760
    assert kind.talk.mean == AHT_S and kind.wrap_up.mean == 0
    (pool,) = cfg.pools
    assert [(s.start, s.end, s.staff) for s in pool.shifts] == [("00:00", "24:00", AGENTS)]
    assert cfg.target_s == TARGET_S


def test_mmc_service_level_and_mean_wait_match_erlang_c(mmc_run):
    _, res = mmc_run
    ref = erlang_c_metrics(LAM_PER_H, AHT_S, AGENTS, TARGET_S)
    assert ref.service_level == pytest.approx(0.3587, abs=1e-4)
    assert in_ci(res.summary, "alarms_answered_within_target_share", ref.service_level), (
        res.summary["alarms_answered_within_target_share"], ref.service_level)
    assert in_ci(res.summary, "answer_time_mean_s", ref.mean_wait_s), (
        res.summary["answer_time_mean_s"], ref.mean_wait_s)


def test_mmc_utilisation_matches_offered_load(mmc_run):
    _, res = mmc_run
    ref = erlang_c_metrics(LAM_PER_H, AHT_S, AGENTS, TARGET_S)
    assert ref.occupancy == pytest.approx(5 / 6)
    assert in_ci(res.summary, "operator_utilisation", ref.occupancy), (
        res.summary["operator_utilisation"])


def test_mmc_wait_probability_matches_erlang_c(mmc_run):
    cfg, res = mmc_run
    ref = erlang_c_metrics(LAM_PER_H, AHT_S, AGENTS, TARGET_S)
    horizon = cfg.period.days * 86400.0
    ev = res.events[res.events["arrival_s"] < horizon]
    _, lo, hi = per_replication_ci(ev, lambda e: float((e["wait_s"] > 0).mean()))
    assert lo <= ref.wait_probability <= hi, (lo, ref.wait_probability, hi)


def test_mmc_arrival_count_and_handling_time(mmc_run):
    cfg, res = mmc_run
    expected = LAM_PER_H * 24 * cfg.period.days
    assert in_ci(res.summary, "alarms_answered", expected)
    handling = (res.events["end_s"] - res.events["answer_s"]).to_numpy()
    # 540,000 exponential(240) draws: standard error of the mean 0.33 s.
    assert handling.mean() == pytest.approx(AHT_S, abs=1.5)


# ------------------------------------------------------------------------- Erlang A


def test_mm2_abandonment_matches_erlang_a():
    d = load(MMC)
    d["unanswered"] = {
        "alarm": {"policy": "abandon", "patience": {"kind": "exponential", "mean_s": 300}}
    }
    cfg = ScenarioConfig.model_validate(d)
    res = runner.run(cfg, keep_events=True)
    ref = erlang_a_metrics(LAM_PER_H, AHT_S, AGENTS, TARGET_S, 300.0)
    assert 0.15 < ref.abandon_probability < 0.25  # a real test: abandonment is substantial

    horizon = cfg.period.days * 86400.0
    ev = res.events[res.events["arrival_s"] < horizon]
    assert set(ev["outcome"].unique()) == {"resolved_by_operator", "abandoned"}
    assert ev.loc[ev["outcome"] == "abandoned", "answer_s"].isna().all()

    _, lo, hi = per_replication_ci(ev, lambda e: float((e["outcome"] == "abandoned").mean()))
    assert lo <= ref.abandon_probability <= hi, (lo, ref.abandon_probability, hi)

    assert in_ci(res.summary, "alarms_answered_within_target_share", ref.service_level), (
        res.summary["alarms_answered_within_target_share"], ref.service_level)

    def sl_answered(e: pd.DataFrame) -> float:
        w = e.loc[e["answer_s"].notna(), "wait_s"]
        return float((w <= TARGET_S).mean())

    _, lo, hi = per_replication_ci(ev, sl_answered)
    assert lo <= ref.answered_within_target_of_answered <= hi

    _, lo, hi = per_replication_ci(ev, lambda e: float((e["wait_s"].fillna(np.inf) > 0).mean()))
    assert lo <= ref.wait_probability <= hi, (lo, ref.wait_probability, hi)

    assert in_ci(res.summary, "operator_utilisation", ref.occupancy), (
        res.summary["operator_utilisation"], ref.occupancy)


# ------------------------------------------------------------------------- Little's law


def baseline_cfg(start: dt.date, weeks: int, **extra) -> ScenarioConfig:
    """The 2020 baseline over `weeks` weeks from `start` (members joining later dropped)."""
    d = load(BASELINE)
    end = start + dt.timedelta(weeks=weeks)
    d["period"] = {"start": start, "end": end}
    d["municipalities"] = [m for m in d["municipalities"] if m["joined"] < end]
    d["replications"] = 1
    d.update(extra)
    return ScenarioConfig.model_validate(d)


def step_integral(up: np.ndarray, down: np.ndarray, t0: float, t1: float) -> float:
    """Integral over [t0, t1) of #{i: up_i <= t < down_i}, by sweeping the step function."""
    times = np.concatenate([up, down])
    steps = np.concatenate([np.ones(up.size), -np.ones(down.size)])
    order = np.argsort(times, kind="stable")
    times, level = times[order], np.cumsum(steps[order])
    edges = np.clip(np.append(times, np.inf), t0, t1)
    return float((np.diff(edges) * level).sum())


@pytest.fixture(scope="module")
def baseline_8w():
    # 8 weeks around the end of the nurses' Covid window (15 June) and the June joiners.
    cfg = baseline_cfg(dt.date(2020, 5, 18), 8)
    return cfg, simulate_replication(cfg, 0)


def test_littles_law_queue(baseline_8w):
    cfg, res = baseline_8w
    ev = res.events
    T = res.horizon_s
    # Contacts that keep waiting until answered (the legevakt's abandon times are not stored).
    ev = ev[ev["category"].isin(["alarm", "technical"])]
    assert ev["answer_s"].notna().all()
    assert (ev["answer_s"] >= ev["arrival_s"]).all()
    in_period = ev[ev["arrival_s"] < T]
    assert len(in_period) > 5000

    area = step_integral(ev["arrival_s"].to_numpy(), ev["answer_s"].to_numpy(), 0.0, T)
    queue_mean = area / T
    lam = len(in_period) / T
    wait_mean = in_period["wait_s"].mean()
    assert wait_mean > 10  # a queue really forms (one operator seat)
    assert queue_mean == pytest.approx(lam * wait_mean, rel=0.01)

    # Over the whole sample path (to the last answer) the identity is exact.
    t_end = float(ev["answer_s"].max())
    area_all = step_integral(ev["arrival_s"].to_numpy(), ev["answer_s"].to_numpy(), 0.0, t_end)
    assert area_all == pytest.approx(ev["wait_s"].sum(), rel=1e-9)


def test_littles_law_service_and_busy_time(baseline_8w):
    cfg, res = baseline_8w
    ev = res.events
    T = res.horizon_s
    # Work served in one go counts from answer to end; interrupted work (walk-ins the phone
    # interrupted) by the pieces actually served.
    a = res.arrays
    assert a.cut is not None and a.pieces is not None and a.cut.any()
    whole = ~np.isnan(a.answer_s) & ~a.cut
    area = step_integral(np.concatenate([a.answer_s[whole], a.pieces[:, 2]]),
                         np.concatenate([a.end_s[whole], a.pieces[:, 3]]), 0.0, T)
    busy = sum(busy_seconds(a, p.name, T) for p in cfg.pools)
    assert area == pytest.approx(busy, rel=1e-9)

    # Number in service = throughput x mean time served (edge effects only).
    answered = ev[ev["answer_s"].notna()]
    started = answered[answered["answer_s"] < T]
    lam = len(started) / T
    served = started["end_s"] - started["answer_s"] - started["interrupted_s"].fillna(0.0)
    assert area / T == pytest.approx(lam * float(served.mean()), rel=0.01)

    # Operator utilisation KPI = operators' busy time / their on-duty time.
    kpi = runner.replication_kpis(res, cfg.target_s)
    ops = [p.name for p in cfg.pools if p.role == "operator"]
    expected = sum(busy_seconds(ev, p, T) for p in ops) / sum(res.staff_seconds[p] for p in ops)
    assert kpi["operator_utilisation"] == pytest.approx(expected, rel=1e-12)
    assert 0 < kpi["operator_utilisation"] < 1


def test_calls_start_only_with_staff_free(baseline_8w):
    """At every answer, the pool's calls in progress never exceed the staff on duty."""
    cfg, res = baseline_8w
    a = res.arrays
    plans = pool_plans(cfg, Streams(replication_seed(cfg.seed, 0)))
    for code, plan in enumerate(plans):
        # work served in one go, and each piece of interrupted work (walk-ins)
        whole = (a.answered_by == a.code("answered_by", plan.name)) & ~a.cut
        mine = a.pieces[a.pieces[:, 1] == code]
        assert whole.any(), plan.name
        t = np.concatenate([a.answer_s[whole], mine[:, 2]])
        starts = np.sort(t)
        ends = np.sort(np.concatenate([a.end_s[whole], mine[:, 3]]))
        in_service = np.searchsorted(starts, t, side="right") - np.searchsorted(
            ends, t, side="right")
        staff = np.array([plan.on_duty.at(x) for x in t])
        assert (in_service <= staff).all(), plan.name
        assert (staff >= 1).all(), plan.name
    assert res.staff_seconds == {
        p.name: p.on_duty.staff_seconds(0.0, res.horizon_s) for p in plans
    }
