"""Follow-ups, tasks, scoped pools, dated shifts and the shift-change rule through the config:
event-table rows, their KPIs, common random numbers, unchanged results when a feature is
present but has no effect, and validation messages that name the field."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from respons.analysis.kpis import Context, it_kpis, kpis
from respons.config import ScenarioConfig
from respons.config.distributions import Triangular, Uniform
from respons.config.loading import load_config
from respons.engine import contacts as contacts_mod
from respons.engine.arrivals import yearly_rate
from respons.engine.randomness import Streams, replication_seed
from respons.engine.replication import EVENT_COLUMNS, simulate_replication
from respons.engine.rosters import changes, on_duty
from respons.runs import replications as runner

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "configs" / "vaernes-2020.yaml"
DAY = 86400.0


def tiny(**extra) -> dict:
    """One municipality, technical alerts forwarded to IT 50 % of the time, a work order
    (remote 10 min or site visit 30 min + 20 min travel each way) for the IT pool (87 %
    busy in its hours)."""
    d = {
        "scenario": "tiny-it",
        "period": {"start": "2021-01-04", "end": "2021-01-18"},
        "replications": 1, "seed": 11, "drain_days": 3,
        "profiles": {"flat": {"hourly": [1] * 24}},
        "municipalities": [{"name": "A", "number": "0001", "population": 1000,
                            "population_80plus": 100, "joined": "2020-01-01"}],
        "event_kinds": [
            {"name": "alert", "category": "technical", "priority": 5,
             "rate": {"basis": "per_municipality", "per_year": 8760},
             "profile": "flat", "talk": {"kind": "deterministic", "value": 120},
             "outcomes": {"resolved_by_operator": 0.5, "it_technical": 0.5},
             "follow_ups": [{"when": "it_technical", "delay": {"kind": "deterministic",
                                                               "value": 60},
                             "kind": {"remote": 0.75, "site": 0.25}}]},
            {"name": "remote", "category": "it_work", "priority": 3, "deadline_s": 7200,
             "talk": {"kind": "deterministic", "value": 600}},
            {"name": "site", "category": "it_work", "priority": 4, "deadline_s": 86400,
             "talk": {"kind": "deterministic", "value": 1800},
             "travel": {"kind": "deterministic", "value": 1200}},
        ],
        "pools": [
            {"name": "operators", "role": "operator", "serves": [{"category": "technical"}],
             "shifts": [{"start": "00:00", "end": "24:00", "staff": 1}]},
            {"name": "it", "role": "it", "serves": [{"category": "it_work"}],
             "shifts": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00",
                         "end": "16:00", "staff": 1}]},
        ],
    }
    d.update(extra)
    return d


def validate(d: dict) -> ScenarioConfig:
    return ScenarioConfig.model_validate(d)


# ------------------------------------------------------------------- work-order rows


def test_work_orders_are_rows_with_their_parent_and_deadline():
    cfg = validate(tiny())
    res = simulate_replication(cfg, 0)
    ev = res.events
    assert tuple(ev.columns) == EVENT_COLUMNS
    orders = ev[ev["parent_id"] >= 0]
    alerts = ev[ev["parent_id"] < 0]
    assert (alerts["category"] == "technical").all()
    assert (orders["category"] == "it_work").all() and len(orders) > 20
    assert set(orders["kind"]) == {"remote", "site"}
    parent = ev.set_index("id").loc[orders["parent_id"]]
    # every order follows an answered alert forwarded to IT, 60 s after its handling ended
    assert (parent["outcome"] == "it_technical").all()
    np.testing.assert_allclose(orders["arrival_s"].to_numpy(), parent["end_s"].to_numpy() + 60)
    np.testing.assert_allclose(orders["deadline_s"].to_numpy(), parent["arrival_s"].to_numpy()
                               + np.where(orders["kind"] == "remote", 7200, 86400))
    assert (orders["answered_by"] == "it").all()
    # IT works weekdays 08-16 only
    start = pd.to_datetime("2021-01-04") + pd.to_timedelta(orders["answer_s"], unit="s")
    assert (start.dt.day_of_week < 5).all() and start.dt.hour.between(8, 15).all()
    # handling: remote 600 s; site 1200 there + 1800 + 1200 back (may cross 16:00: finished)
    busy = (orders["end_s"] - orders["answer_s"]).to_numpy()
    np.testing.assert_allclose(busy, np.where(orders["kind"] == "remote", 600, 4200))
    # ids: contacts first in arrival order, then follow-ups in arrival order
    assert ev["id"].tolist() == list(range(len(ev)))
    assert (np.diff(orders["arrival_s"].to_numpy()) >= 0).all()
    assert orders["id"].min() == len(alerts)


def test_it_kpis_follow_their_definition():
    cfg = validate(tiny())
    res = simulate_replication(cfg, 0)
    k = runner.replication_kpis(res, cfg.target_s)
    ev = res.events
    h = cfg.period.days * DAY
    orders = ev[(ev["parent_id"] >= 0) & (ev["arrival_s"] < h)]
    arrival = ev.set_index("id")["arrival_s"]
    fix = orders["end_s"].to_numpy() - arrival.loc[orders["parent_id"]].to_numpy()
    assert k["it_work_orders"] == len(orders)
    assert k["it_time_to_fix_mean_s"] == pytest.approx(np.nanmean(fix))
    assert k["it_time_to_fix_p90_s"] == pytest.approx(np.nanquantile(fix, 0.9))
    assert k["it_fixed_within_deadline_share"] == pytest.approx(
        np.mean(orders["end_s"] <= orders["deadline_s"]))
    assert k["it_backlog_at_period_end"] == np.count_nonzero(~(orders["end_s"] < h))
    # the technical KPIs count the alerts only, not the orders
    assert k["technical_alerts"] == np.count_nonzero(
        (ev["category"] == "technical") & (ev["arrival_s"] < h))
    # utilisation counts all the work of each pool, within the period
    busy = (orders["end_s"].clip(upper=h) - orders["answer_s"]).clip(lower=0).sum()
    assert k["utilisation_it"] == pytest.approx(busy / res.staff_seconds["it"])
    # the same from the event table read back
    ctx = Context(cfg.target_s, res.horizon_s, res.staff_seconds, res.roles)
    from_table = kpis(ev, ctx)
    for name, value in k.items():
        assert from_table[name] == pytest.approx(value, nan_ok=True), name


def test_it_kpis_per_priority_split_the_orders():
    res = simulate_replication(validate(tiny()), 0)
    h = res.horizon_s
    total = it_kpis(res.arrays.rows(res.arrays.arrival_s < h), h)["it_work_orders"]
    parts = [it_kpis(res.arrays.rows(res.arrays.arrival_s < h), h, p)["it_work_orders"]
             for p in (3, 4)]
    assert sum(parts) == total and min(parts) > 0


def test_follow_ups_use_their_own_streams_common_random_numbers():
    """Staffing never moves whether, which or how long a follow-up is."""
    base = validate(tiny())
    d = tiny()
    d["pools"][1]["shifts"][0]["staff"] = 3
    d["pools"][0]["shifts"][0]["staff"] = 2
    more = validate(d)
    streams = lambda: Streams(replication_seed(base.seed, 0))  # noqa: E731
    a, b = contacts_mod.draw(base, streams()), contacts_mod.draw(more, streams())
    for field in ("arrival", "kind", "service", "parent", "delay", "travel", "deadline"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)
    # adding a follow-up to another kind moves none of the existing draws
    d2 = tiny()
    d2["event_kinds"][0]["follow_ups"].append({"when": "resolved_by_operator", "kind": "remote",
                                               "probability": 0.1})
    c = contacts_mod.draw(validate(d2), streams())
    n = len(a)
    np.testing.assert_array_equal(c.kind[:n], a.kind)
    np.testing.assert_array_equal(c.service[:n], a.service)


def test_more_it_staff_never_increases_time_to_fix_beyond_noise():
    """Metamorphic, under common random numbers: a second IT technician on the 2020 baseline
    (eight weeks) does not lengthen the time to fix beyond 2 paired standard errors, and
    shortens it on average."""
    d = yaml.safe_load(BASELINE.read_text("utf-8"))
    d["period"] = {"start": dt.date(2020, 9, 7), "end": dt.date(2020, 11, 2)}
    d["replications"] = 4
    more = copy.deepcopy(d)
    (it,) = [p for p in more["pools"] if p["name"] == "it_technical"]
    it["shifts"][0]["staff"] = 2
    a = runner.run(validate(d), keep_events=False).replications["it_time_to_fix_mean_s"]
    b = runner.run(validate(more), keep_events=False).replications["it_time_to_fix_mean_s"]
    diff = (b - a).to_numpy()
    se = diff.std(ddof=1) / np.sqrt(diff.size)
    assert diff.mean() <= 2 * se, (a.tolist(), b.tolist())
    assert diff.mean() < 0


# -------------------------------------------- present but without effect: same results


def _short_baseline() -> dict:
    d = yaml.safe_load(BASELINE.read_text("utf-8"))
    d["period"] = {"start": dt.date(2020, 11, 2), "end": dt.date(2020, 11, 30)}
    d["replications"] = 1
    return d


def _same(d1: dict, d2: dict) -> None:
    r1 = simulate_replication(validate(d1), 0)
    r2 = simulate_replication(validate(d2), 0)
    pd.testing.assert_frame_equal(r1.events, r2.events)
    k1 = runner.replication_kpis(r1, 120.0)
    k2 = runner.replication_kpis(r2, 120.0)
    assert list(k1) == list(k2)
    np.testing.assert_array_equal(list(k1.values()), list(k2.values()))


def test_follow_up_that_never_triggers_changes_nothing():
    base = _short_baseline()
    d = copy.deepcopy(base)
    button = next(k for k in d["event_kinds"] if k["name"] == "button")
    smoke = next(k for k in d["event_kinds"] if k["name"] == "smoke")
    # smoke alarms are never forwarded to IT: this follow-up takes the follow-up code path
    # (candidates, table rows by arrival) but never creates a row
    assert "it_technical" not in smoke["outcomes"]
    smoke["follow_ups"] = [{"when": "it_technical", "kind": "button"}]
    assert button["rate"]
    _same(base, d)


def test_scoped_service_covering_every_municipality_changes_nothing():
    base = _short_baseline()
    d = copy.deepcopy(base)
    names = [m["name"] for m in d["municipalities"]]
    ops = next(p for p in d["pools"] if p["name"] == "operators")
    ops["serves"][0]["municipalities"] = names  # one queue per municipality (lanes)
    _same(base, d)


def test_dated_shift_covering_the_run_changes_nothing():
    base = _short_baseline()
    d = copy.deepcopy(base)
    for shift in next(p for p in d["pools"] if p["name"] == "operators")["shifts"]:
        shift["dates"] = [{"start": "2020-01-01", "end": "2021-06-01"}]
    _same(base, d)


# ------------------------------------------------------------- dated shifts, at once


def test_dated_shift_is_on_duty_only_within_its_dates():
    d = tiny()
    d["pools"].append({"name": "backup", "role": "operator",
                       "serves": [{"category": "technical", "rule": "all_busy"}],
                       "shifts": [{"start": "00:00", "end": "24:00", "staff": 1,
                                   "dates": [{"start": "2021-01-06", "end": "2021-01-08"}]}]})
    cfg = validate(d)
    pool = cfg.pools[2]
    steps = on_duty(pool, cfg.period.start, cfg.period.days, None)
    assert steps.times.tolist() == [0.0, 2 * DAY, 4 * DAY]
    assert steps.counts.tolist() == [0, 1, 0]
    ev = simulate_replication(cfg, 0).events
    by_backup = ev[ev["answered_by"] == "backup"]
    assert len(by_backup) > 0
    assert by_backup["answer_s"].between(2 * DAY, 4 * DAY, inclusive="left").all()


def test_dated_shifts_may_share_hours_on_different_dates():
    d = tiny()
    d["pools"][0]["shifts"] = [
        {"start": "00:00", "end": "24:00", "staff": 1,
         "dates": [{"start": "2021-01-04", "end": "2021-01-11"}]},
        {"start": "00:00", "end": "24:00", "staff": 2,
         "dates": [{"start": "2021-01-11", "end": "2021-01-25"}]},
    ]
    cfg = validate(d)
    steps = on_duty(cfg.pools[0], cfg.period.start, cfg.period.days, None)
    assert steps.times.tolist() == [0.0, 7 * DAY, 14 * DAY]  # laid out over the 14 days
    assert steps.counts.tolist() == [1, 2, 0]
    d["pools"][0]["shifts"][1]["dates"] = [{"start": "2021-01-10", "end": "2021-01-25"}]
    with pytest.raises(ValueError, match="shifts.1: overlaps shifts.0"):
        validate(d)


def test_gross_shift_changes_for_the_at_once_rule():
    d = tiny()
    d["pools"][0]["shifts"] = [{"start": "07:00", "end": "15:00", "staff": 2},
                               {"start": "15:00", "end": "07:00", "staff": 1}]
    d["pools"][0]["shift_change"] = "at_once"
    cfg = validate(d)
    times, ins, outs = changes(cfg.pools[0], cfg.period.start, 2, None)
    assert times.tolist()[:4] == [0.0, 7 * 3600, 15 * 3600, 31 * 3600]
    assert ins.tolist()[:4] == [1, 2, 1, 2] and outs.tolist()[:4] == [0, 1, 2, 1]
    res = simulate_replication(cfg, 0)
    assert len(res.events) > 0 and res.staff_seconds["operators"] > 0


# ------------------------------------------------------------------ inputs and rates


def test_rates_per_user_and_per_device():
    d = tiny()
    d["municipalities"][0].update(alarm_users=250, devices_per_user=1.6)
    d["event_kinds"].append({"name": "swap", "category": "it_work", "priority": 7,
                             "rate": {"basis": "per_device", "per_year": 0.5},
                             "profile": "flat", "talk": {"kind": "deterministic", "value": 60}})
    cfg = validate(d)
    assert yearly_rate(cfg.event_kinds[-1], cfg.municipalities[0]) == pytest.approx(200.0)
    d["event_kinds"][-1]["rate"]["basis"] = "per_user"
    cfg = validate(d)
    assert yearly_rate(cfg.event_kinds[-1], cfg.municipalities[0]) == pytest.approx(125.0)


def test_triangular_and_uniform_sample_in_range_with_their_mean():
    rng = np.random.default_rng(3)
    tri = Triangular(low_s=300, mode_s=420, high_s=600)
    uni = Uniform(low_s=600, high_s=1200)
    x, y = tri.sample(rng, 200_000), uni.sample(rng, 200_000)
    assert tri.mean == 440 and uni.mean == 900
    assert x.min() >= 300 and x.max() <= 600 and y.min() >= 600 and y.max() <= 1200
    assert x.mean() == pytest.approx(440, rel=0.003) and y.mean() == pytest.approx(900, rel=0.003)


@pytest.mark.parametrize(("change", "field"), [
    (lambda d: d["event_kinds"][0]["follow_ups"][0].update(kind="nosuch"),
     "`event_kinds.0.follow_ups.0.kind`: unknown event kind 'nosuch'"),
    (lambda d: d["event_kinds"][0]["follow_ups"][0].update(kind={"remote": 0.5, "site": 0.4}),
     "`event_kinds.0.follow_ups.0.kind`: "),
    (lambda d: d["event_kinds"][2].update(follow_ups=[{"kind": "site"}]),
     "`event_kinds.2.follow_ups`: a cycle of follow-ups (site -> site)"),
    (lambda d: d["event_kinds"][0].update(follow_ups=[]),
     "`event_kinds.1.rate`: missing; a kind without a rate must be the follow-up"),
    (lambda d: d["pools"][1]["serves"][0].update(municipalities=["Nowhere"]),
     "`pools.1.serves.0.municipalities.0`: unknown municipality 'Nowhere'"),
    (lambda d: d["pools"][1]["serves"][0].update(interruptible=True),
     "`pools.1.serves.0.interruptible`: no category of this pool interrupts it"),
    (lambda d: d["event_kinds"][1].update(talk={"kind": "triangular", "low_s": 5, "mode_s": 9,
                                                "high_s": 7}),
     "`event_kinds.1.talk.triangular`: "),
    (lambda d: d["event_kinds"][1].update(talk={"kind": "uniform", "low_s": 9, "high_s": 9}),
     "`event_kinds.1.talk.uniform`: "),
    (lambda d: d["event_kinds"][0].update(rate={"basis": "per_user", "per_year": 1}),
     "`event_kinds.0.rate.basis`: per_user needs alarm_users for municipality 'A'"),
    (lambda d: d["event_kinds"][0].update(profile=None),
     "`event_kinds.0.profile`: missing; a kind with a `rate` needs an arrival profile"),
])
def test_invalid_inputs_name_the_field(tmp_path: Path, change, field):
    d = tiny()
    change(d)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    from respons.errors import UserError
    with pytest.raises(UserError, match="bad.yaml") as err:
        load_config(path)
    assert field in str(err.value).replace("\n", " ")


def test_visits_from_a_municipality_without_a_team_are_refused():
    d = tiny()
    d["municipalities"].append({"name": "B", "number": "0002", "population": 500,
                                "joined": "2020-01-01"})
    d["pools"][1]["serves"][0]["municipalities"] = ["A"]
    with pytest.raises(ValueError, match="no pool serves 'it_work' from municipality 'B'"):
        validate(d)


# --------------------------------------------------------------- home-care teams


def visits_config(**extra) -> dict:
    """Alarms from A and B; those forwarded to home care become visits by the municipality's
    own team (travel 600 s there and back, 1200 s on site, dispatch 300 s)."""
    d = tiny()
    d["municipalities"] = [
        {"name": m, "number": n, "population": 1000, "joined": "2020-01-01",
         "homecare": {"travel": {"kind": "deterministic", "value": t}}}
        for m, n, t in (("A", "0001", 600), ("B", "0002", 900))]
    d["event_kinds"] = [
        {"name": "button", "category": "alarm", "priority": 1, "profile": "flat",
         "rate": {"basis": "per_municipality", "per_year": 8760},
         "talk": {"kind": "deterministic", "value": 100},
         "outcomes": {"resolved_by_operator": 0.5, "homecare": 0.5},
         "follow_ups": [{"when": "homecare", "kind": "visit",
                         "delay": {"kind": "deterministic", "value": 300}}]},
        {"name": "visit", "category": "visit", "priority": 1, "travel": "municipality",
         "talk": {"kind": "deterministic", "value": 1200}},
    ]
    d["pools"] = [
        {"name": "operators", "role": "operator", "serves": [{"category": "alarm"}],
         "shifts": [{"start": "00:00", "end": "24:00", "staff": 1}]},
        *({"name": f"team_{m}", "role": "homecare",
           "serves": [{"category": "visit", "municipalities": [m]}],
           "shifts": [{"start": "00:00", "end": "24:00", "staff": 1}]} for m in ("A", "B")),
    ]
    d.update(extra)
    return d


def test_visits_by_the_municipalitys_team_give_the_help_arrival():
    cfg = validate(visits_config())
    res = simulate_replication(cfg, 0)
    ev = res.events.set_index("id")
    visits = ev[ev["category"] == "visit"]
    assert len(visits) > 50
    travel = np.where(visits["municipality"] == "A", 600.0, 900.0)
    # the team: its own municipality only; busy travel + on site + travel back
    assert (visits["answered_by"].astype(str) == "team_" + visits["municipality"].astype(str)
            ).all()
    np.testing.assert_allclose(visits["end_s"] - visits["answer_s"], 2 * travel + 1200)
    np.testing.assert_allclose(visits["homecare_arrival_s"], visits["answer_s"] + travel)
    parents = ev.loc[visits["parent_id"]]
    assert (parents["outcome"] == "homecare").all()
    np.testing.assert_allclose(visits["arrival_s"], parents["end_s"].to_numpy() + 300)
    np.testing.assert_allclose(parents["homecare_arrival_s"], visits["homecare_arrival_s"])
    k = runner.replication_kpis(res, cfg.target_s)
    h = cfg.period.days * DAY
    fwd = parents[parents["arrival_s"] < h]
    assert k["homecare_visits"] == len(fwd)
    assert k["help_arrival_time_mean_s"] == pytest.approx(
        (fwd["homecare_arrival_s"] - fwd["arrival_s"]).mean())
    assert k["help_arrival_within_target_share"] == pytest.approx(
        np.mean(fwd["homecare_arrival_s"] - fwd["end_s"] <= 1800))
    assert 0 < k["help_arrival_within_target_share"] < 1
    assert k["utilisation_team_A"] > 0 and k["utilisation_team_B"] > 0


def test_visit_tables_for_the_report():
    from respons.analysis.tasks import it_by_priority, visits_by_hour
    cfg = validate(visits_config(replications=2))
    ev = runner.run(cfg, keep_events=True).events
    h = cfg.period.days * DAY
    table = visits_by_hour(ev, h)
    started = ev[(ev["category"] == "visit") & (ev["arrival_s"] < h) & ev["answer_s"].notna()]
    assert table.shape == (2, 24) and table.to_numpy().sum() == pytest.approx(len(started) / 2)
    it = it_by_priority(runner.run(validate(tiny(replications=2)), keep_events=True).events, h)
    assert sorted(set(it["priority"])) == [3, 4]
    assert (it["ci_low"] <= it["mean"]).all() or it["mean"].isna().any()


def test_offered_load_warns_for_an_overloaded_task_pool():
    from respons.analysis.load import describe, offered_load
    d = tiny()
    d["event_kinds"][1]["talk"] = {"kind": "deterministic", "value": 8 * 3600}
    cfg = validate(d)
    load = offered_load(cfg)
    (task,) = load.tasks
    assert task.category == "it_work" and task.pools == ("it",)
    # 8760 alerts a year x 0.5 forwarded: 0.375 h/h remote work orders of 8 h + 0.125 site
    assert task.offered_erlang == pytest.approx(0.5 * (0.75 * 8 + 0.25 * (1800 + 2400) / 3600))
    assert task.staff_mean == pytest.approx(40 / 168)
    assert "it_work work offers" in describe(load, cfg)
    assert offered_load(validate(tiny())).tasks[0].overloaded is False
