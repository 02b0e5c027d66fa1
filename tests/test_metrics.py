"""KPI functions on small hand-made event tables, and the replication summary statistics."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from respons.analysis.intervals import confidence_interval
from respons.analysis.kpis import (
    KPI_UNITS,
    Context,
    busy_seconds,
    kpi_unit,
    kpis,
    utilisation,
)
from respons.config import OUTCOMES
from respons.engine.replication import EVENT_COLUMNS
from respons.engine.rosters import OnDuty
from respons.runs import replications as runner

NAN = math.nan
POOLS = ["operators", "lead", "nurses"]
ROLES = {"operators": "operator", "lead": "lead", "nurses": "nurse"}
OUTCOME_CATS = [*OUTCOMES, "rerouted", "abandoned", "unanswered"]
H = 10_000.0  # horizon of the hand-made tables


def table(rows: list[dict]) -> pd.DataFrame:
    """An event table with the simulator's columns and dtypes from a few row dicts."""
    defaults = {
        "municipality": "A", "kind": "button", "category": "alarm", "priority": 1,
        "answer_s": NAN, "answered_by": None, "by_backup": False, "end_s": NAN,
        "outcome": "resolved_by_operator", "homecare_arrival_s": NAN,
    }
    rows = [{**defaults, **r} for r in rows]
    n = len(rows)
    col = lambda k: [r[k] for r in rows]  # noqa: E731
    arrival = np.array(col("arrival_s"), dtype=float)
    answer = np.array(col("answer_s"), dtype=float)
    outcome = col("outcome")
    return pd.DataFrame({
        "id": np.arange(n, dtype=np.int64),
        "replication": np.zeros(n, dtype=np.int32),
        "municipality": pd.Categorical(col("municipality"), categories=["A", "B"]),
        "kind": pd.Categorical(col("kind"), categories=["button", "battery", "call"]),
        "category": pd.Categorical(col("category"),
                                   categories=["alarm", "technical", "legevakt"]),
        "priority": np.array(col("priority"), dtype=np.int8),
        "arrival_s": arrival,
        "answer_s": answer,
        "answered_by": pd.Categorical(col("answered_by"), categories=POOLS),
        "by_backup": np.array(col("by_backup"), dtype=bool),
        "wait_s": answer - arrival,
        "end_s": np.array(col("end_s"), dtype=float),
        "outcome": pd.Categorical(outcome, categories=OUTCOME_CATS),
        "homecare_arrival_s": np.array(col("homecare_arrival_s"), dtype=float),
        "rerouted": np.array([o == "rerouted" for o in outcome], dtype=bool),
    }, columns=list(EVENT_COLUMNS))


def answered(arrival: float, wait: float, dur: float = 60.0, pool: str = "operators",
             **kw) -> dict:
    return {"arrival_s": arrival, "answer_s": arrival + wait, "end_s": arrival + wait + dur,
            "answered_by": pool, **kw}


def ctx(staff: dict[str, float] | None = None, target: float = 120.0) -> Context:
    return Context(target, H, staff or {p: H for p in POOLS}, ROLES)


# --------------------------------------------------------------------- within target


def test_table_helper_has_simulator_layout():
    ev = table([answered(0, 5), {"arrival_s": 10, "outcome": "unanswered"}])
    assert tuple(ev.columns) == EVENT_COLUMNS
    assert ev["wait_s"].isna().tolist() == [False, True]


def test_within_target_share_counts_unanswered_and_rerouted_as_misses():
    ev = table([
        answered(0, 0.0),
        answered(10, 120.0),  # exactly on target: a hit
        answered(20, 120.5),  # just over: a miss
        {"arrival_s": 30, "outcome": "unanswered"},
        {"arrival_s": 40, "outcome": "rerouted"},
        {"arrival_s": 50, "outcome": "abandoned"},
    ])
    assert kpis(ev, ctx(target=121.0))["alarms_answered_within_target_share"] == \
        pytest.approx(3 / 6)
    assert math.isnan(kpis(ev.iloc[:0], ctx())["alarms_answered_within_target_share"])
    k = kpis(ev, ctx())
    assert k["alarms_answered_within_target_share"] == pytest.approx(2 / 6)
    assert k["alarms_answered"] == 3
    assert k["alarms_rerouted"] == 1
    # Mean and quantiles of answer time are over answered alarms only.
    assert k["answer_time_mean_s"] == pytest.approx((0 + 120 + 120.5) / 3)
    assert k["answer_time_p90_s"] == pytest.approx(np.quantile([0, 120, 120.5], 0.9))
    assert k["answer_time_p99_s"] == pytest.approx(np.quantile([0, 120, 120.5], 0.99))


def test_within_target_per_category():
    ev = table([
        answered(0, 10),  # alarm hit
        answered(1, 500),  # alarm miss
        answered(2, 10, category="legevakt", kind="call", pool="nurses"),
        {"arrival_s": 3, "category": "legevakt", "kind": "call", "outcome": "abandoned"},
        {"arrival_s": 4, "category": "legevakt", "kind": "call", "outcome": "abandoned"},
        answered(5, 900, category="technical", kind="battery"),  # ignored by both shares
    ])
    k = kpis(ev, ctx())
    assert k["alarms_answered_within_target_share"] == pytest.approx(1 / 2)
    assert k["legevakt_calls_within_target_share"] == pytest.approx(1 / 3)
    assert k["legevakt_calls"] == 3
    assert k["technical_alerts"] == 1
    assert k["alarms_rerouted"] == 0  # abandoned legevakt calls are not rerouted alarms


# ---------------------------------------------------------------------- resolved share


def test_resolved_share_only_over_answered():
    ev = table([
        answered(0, 1, outcome="resolved_by_operator"),
        answered(1, 1, outcome="homecare", homecare_arrival_s=2000.0),
        answered(2, 1, outcome="emergency"),
        answered(3, 1, outcome="resolved_by_operator"),
        {"arrival_s": 4, "outcome": "rerouted"},
        {"arrival_s": 5, "outcome": "unanswered"},
        answered(6, 1, category="technical", kind="battery"),
        answered(7, 1, category="technical", kind="battery", outcome="it_technical"),
        answered(8, 1, category="technical", kind="battery", outcome="it_technical"),
        {"arrival_s": 9, "category": "technical", "kind": "battery", "outcome": "unanswered"},
    ])
    k = kpis(ev, ctx())
    assert k["alarms_answered"] == 4
    assert k["alarms_resolved_by_operator_share"] == pytest.approx(2 / 4)
    assert k["technical_alerts"] == 4
    assert k["technical_resolved_by_operator_share"] == pytest.approx(1 / 3)
    assert k["homecare_visits"] == 1
    assert k["help_arrival_time_mean_s"] == pytest.approx(2000.0 - 1.0)


def test_help_arrival_mean_over_homecare_visits_only():
    ev = table([
        answered(100, 10, outcome="homecare", homecare_arrival_s=1300.0),
        answered(200, 10, outcome="homecare", homecare_arrival_s=2200.0),
        answered(300, 10, outcome="resolved_by_operator"),
    ])
    k = kpis(ev, ctx())
    assert k["homecare_visits"] == 2
    assert k["help_arrival_time_mean_s"] == pytest.approx((1200 + 2000) / 2)


# ------------------------------------------------------------------------- utilisation


def test_busy_seconds_clipped_to_horizon():
    ev = table([
        answered(0, 0, dur=100),  # 100 s
        answered(H - 50, 0, dur=200),  # 50 s inside the horizon
        answered(H - 10, 20, dur=30),  # answered after the horizon: 0 s
        answered(5, 0, dur=70, pool="lead"),
    ])
    assert busy_seconds(ev, "operators", H) == pytest.approx(150.0)
    assert busy_seconds(ev, "lead", H) == pytest.approx(70.0)
    assert busy_seconds(ev, "nurses", H) == 0.0


def test_utilisation_is_busy_over_on_duty_per_role():
    ev = table([
        answered(0, 0, dur=1000),
        answered(H - 500, 0, dur=2000),  # 500 s inside
        answered(0, 0, dur=300, pool="lead"),
        answered(0, 0, dur=400, pool="nurses", category="legevakt", kind="call"),
    ])
    staff = {"operators": 3000.0, "lead": 600.0, "nurses": 8000.0}
    c = ctx(staff)
    assert utilisation(ev, c, "operator") == pytest.approx(1500 / 3000)
    assert utilisation(ev, c, "lead") == pytest.approx(300 / 600)
    assert utilisation(ev, c, "nurse") == pytest.approx(400 / 8000)
    assert math.isnan(utilisation(ev, c, "it"))  # no pool with that role
    assert kpis(ev, c)["operator_utilisation"] == pytest.approx(0.5)


def test_utilisation_sums_pools_of_a_role():
    roles = {"operators": "operator", "lead": "operator", "nurses": "nurse"}
    ev = table([answered(0, 0, dur=100), answered(0, 0, dur=300, pool="lead")])
    c = Context(120.0, H, {"operators": 1000.0, "lead": 1000.0, "nurses": 1.0}, roles)
    assert utilisation(ev, c, "operator") == pytest.approx(400 / 2000)


def test_staff_seconds_clipped_to_horizon():
    on = OnDuty(times=np.array([0.0, 100.0, 300.0, 1000.0]), counts=np.array([1, 3, 2, 0]))
    assert on.staff_seconds(0.0, 2000.0) == pytest.approx(100 + 600 + 1400)
    assert on.staff_seconds(0.0, 500.0) == pytest.approx(100 + 600 + 400)
    assert on.staff_seconds(150.0, 350.0) == pytest.approx(3 * 150 + 2 * 50)
    assert on.at(0) == 1 and on.at(99.9) == 1 and on.at(100) == 3 and on.at(5000) == 0
    assert on.at(-1) == 0


# ------------------------------------------------------------------------- backup share


def test_backup_share_over_answered_alarms():
    ev = table([
        answered(0, 10),
        answered(1, 70, pool="nurses", by_backup=True),
        answered(2, 5, pool="lead", by_backup=True),
        answered(3, 5),
        {"arrival_s": 4, "outcome": "unanswered"},
        # Technical alerts answered by backup do not count in the alarm backup share.
        answered(5, 5, pool="lead", by_backup=True, category="technical", kind="battery"),
    ])
    assert kpis(ev, ctx())["backup_answered_share"] == pytest.approx(2 / 4)


# ------------------------------------------------------------------------------ horizon


def test_contacts_arriving_after_horizon_excluded():
    inside = [answered(0, 10), answered(H - 1, 500)]
    after = [
        answered(H, 0),  # arriving exactly at the horizon: outside [0, H)
        answered(H + 10, 0, dur=100),
        answered(H + 20, 0, category="technical", kind="battery"),
        answered(H + 30, 0, category="legevakt", kind="call", pool="nurses"),
        {"arrival_s": H + 40, "outcome": "rerouted"},
    ]
    k_in = kpis(table(inside), ctx())
    k_all = kpis(table(inside + after), ctx())
    pd.testing.assert_series_equal(pd.Series(k_all), pd.Series(k_in), check_exact=True)
    assert k_all["alarms_answered"] == 2
    assert k_all["alarms_answered_within_target_share"] == pytest.approx(1 / 2)
    assert k_all["technical_alerts"] == 0 and k_all["legevakt_calls"] == 0


def test_kpis_of_empty_table():
    k = kpis(table([]), ctx())
    assert set(k) == set(KPI_UNITS) | {f"utilisation_{p}" for p in POOLS}
    for name in ("alarms_answered", "technical_alerts", "homecare_visits", "alarms_rerouted",
                 "legevakt_calls"):
        assert k[name] == 0.0, name
    for name in ("alarms_resolved_by_operator_share", "alarms_answered_within_target_share",
                 "answer_time_mean_s", "answer_time_p90_s", "backup_answered_share",
                 "legevakt_calls_within_target_share", "help_arrival_time_mean_s",
                 "technical_resolved_by_operator_share"):
        assert math.isnan(k[name]), name
    assert k["operator_utilisation"] == 0.0


def test_kpis_keys_match_units():
    ev = table([answered(0, 1)])
    assert list(kpis(ev, ctx())) == [*KPI_UNITS, *(f"utilisation_{p}" for p in POOLS)]
    assert all(v in {"count", "share", "s"} for v in KPI_UNITS.values())
    assert all(kpi_unit(k) in {"count", "share", "s"} for k in kpis(ev, ctx()))


# ------------------------------------------------------------------ confidence interval


@pytest.mark.parametrize("values", [
    [1.0, 2.0],
    [0.3, 0.31, 0.29, 0.35, 0.28, 0.33, 0.30, 0.32, 0.27, 0.34],
    list(np.random.default_rng(5).normal(100, 15, 37)),
])
@pytest.mark.parametrize("level", [0.90, 0.95, 0.99])
def test_confidence_interval_matches_scipy_t(values, level):
    v = np.asarray(values)
    mean, lo, hi = confidence_interval(v, level)
    ref_lo, ref_hi = stats.t.interval(level, v.size - 1, loc=v.mean(), scale=stats.sem(v))
    assert mean == pytest.approx(v.mean(), rel=1e-12)
    assert lo == pytest.approx(ref_lo, rel=1e-12)
    assert hi == pytest.approx(ref_hi, rel=1e-12)


def test_confidence_interval_ignores_nan():
    v = np.array([1.0, np.nan, 3.0, 2.0])
    clean = np.array([1.0, 3.0, 2.0])
    assert confidence_interval(v) == confidence_interval(clean)


def test_confidence_interval_degenerate():
    mean, lo, hi = confidence_interval(np.array([4.2]))
    assert mean == 4.2 and math.isnan(lo) and math.isnan(hi)
    mean, lo, hi = confidence_interval(np.array([4.2, np.nan]))
    assert mean == 4.2 and math.isnan(lo) and math.isnan(hi)
    assert all(math.isnan(x) for x in confidence_interval(np.array([np.nan, np.nan])))
    assert all(math.isnan(x) for x in confidence_interval(np.array([])))
    assert confidence_interval(np.array([2.0, 2.0, 2.0])) == (2.0, 2.0, 2.0)


def test_summarise_one_replication_has_no_interval():
    row = {"replication": 0, **{k: 1.0 for k in KPI_UNITS}}
    row["help_arrival_time_mean_s"] = NAN
    s = runner.summarise(pd.DataFrame([row]))
    assert set(s) == set(KPI_UNITS)
    assert s["alarms_answered"] == {"mean": 1.0, "ci_low": None, "ci_high": None,
                                    "unit": "count"}
    assert s["help_arrival_time_mean_s"] == {"mean": None, "ci_low": None, "ci_high": None,
                                             "unit": "s"}


def test_summarise_many_replications():
    vals = [0.5, 0.7, 0.6, 0.65]
    rows = [{"replication": r, **{k: v for k in KPI_UNITS}} for r, v in enumerate(vals)]
    rows[1]["answer_time_mean_s"] = NAN  # one replication without answered alarms
    s = runner.summarise(pd.DataFrame(rows))
    m, lo, hi = confidence_interval(np.array(vals))
    assert s["operator_utilisation"] == {"mean": m, "ci_low": lo, "ci_high": hi,
                                         "unit": "share"}
    m2, lo2, hi2 = confidence_interval(np.array([0.5, 0.6, 0.65]))
    assert s["answer_time_mean_s"]["mean"] == pytest.approx(m2)
    assert s["answer_time_mean_s"]["ci_low"] == pytest.approx(lo2)
    assert s["answer_time_mean_s"]["ci_high"] == pytest.approx(hi2)


def test_run_with_one_replication_summary_has_no_interval():
    from pathlib import Path

    import yaml

    from respons.config import ScenarioConfig

    path = Path(__file__).resolve().parent.parent / "configs" / "validation" / "mmc.yaml"
    with open(path, encoding="utf-8") as f:
        d = yaml.safe_load(f)
    d["period"] = {"start": "2021-01-04", "end": "2021-01-11"}
    d["replications"] = 1
    res = runner.run(ScenarioConfig.model_validate(d), keep_events=False)
    assert res.events is None
    assert len(res.replications) == 1
    row = res.replications.iloc[0]
    for name, s in res.summary.items():
        assert s["ci_low"] is None and s["ci_high"] is None, name
        if math.isnan(row[name]):
            assert s["mean"] is None, name  # e.g. no legevakt calls in this scenario
        else:
            assert s["mean"] == row[name], name
    assert res.summary["legevakt_calls_within_target_share"]["mean"] is None
    assert res.summary["alarms_answered"]["mean"] > 3000
