"""`staff`: on a stationary M/M/c centre simulation confirms the Erlang C answer per block; the
Erlang column counts what the criterion counts (alarms, with other work queued behind them);
blocks, rosters and FTE arithmetic; no default goal; the command on a short baseline."""

from __future__ import annotations

import dataclasses

import pytest

from respons.analysis.erlang import erlang_c_metrics
from respons.cli import main
from respons.config import ScenarioConfig
from respons.engine.rosters import weekly_hours
from respons.errors import UserError
from respons.studies.roster_requirement import alarm_service_level, slot_loads
from respons.studies.staff import (
    Evaluator,
    block_loads,
    find_staffing,
    fte,
    parse_blocks,
    staffed_pool,
    with_roster,
)

BLOCKS = parse_blocks(["night=23-07", "day=07-15", "evening=15-23"])


def stationary(days: int = 21, replications: int = 4) -> ScenarioConfig:
    """M/M/c: 25 alarms/h around the clock, exponential 240 s handling, one pool, no backup."""
    return ScenarioConfig.model_validate({
        "scenario": "mmc-staff",
        "period": {"start": "2021-01-04", "end": f"2021-01-{4 + days:02d}"},
        "replications": replications,
        "seed": 7,
        "drain_days": 1,
        "profiles": {"flat": {"hourly": [1.0] * 24}},
        "municipalities": [{"name": "Test", "number": "0001", "population": 1000,
                            "joined": "2021-01-01"}],
        "event_kinds": [{"name": "call", "category": "alarm", "priority": 1,
                         "rate": {"basis": "per_municipality", "per_year": 25 * 8760},
                         "profile": "flat", "talk": {"kind": "exponential", "mean_s": 240}}],
        "pools": [{"name": "operators", "role": "operator", "serves": [{"category": "alarm"}],
                   "shifts": [{"start": "00:00", "end": "24:00", "staff": 1}]}],
    })


def test_stationary_centre_gets_the_erlang_c_answer() -> None:
    cfg = stationary()
    # Erlang C: 3 agents give 84.6 % within 120 s, 4 give 96.8 %: target 90 % needs 4.
    assert erlang_c_metrics(25, 240, 3, 120).service_level < 0.87
    assert erlang_c_metrics(25, 240, 4, 120).service_level > 0.95
    res = find_staffing(cfg, BLOCKS, target=0.90, within=120)
    assert [load.erlang for load in res.loads] == [4, 4, 4]
    assert [load.per_hour for load in res.loads] == pytest.approx([25.0] * 3)
    assert [load.aht_s for load in res.loads] == pytest.approx([240.0] * 3)
    assert res.staff == res.erlang == (4, 4, 4)
    best = res.evaluations[res.staff]
    assert all(lo >= 0.90 for lo in best.low)
    assert best.mean == pytest.approx([0.968] * 3, abs=0.015)
    # every block with one person fewer misses the target
    for i in range(3):
        trial = tuple(4 - (j == i) for j in range(3))
        assert not res.evaluations[trial].meets(0.90)[i]


def test_simulation_adds_staff_where_erlang_start_is_short(monkeypatch) -> None:
    import respons.studies.staff as staff_mod

    real = staff_mod.block_loads
    monkeypatch.setattr(staff_mod, "block_loads", lambda *a, **k: [
        dataclasses.replace(load, erlang=load.erlang - 1) for load in real(*a, **k)])
    res = find_staffing(stationary(days=14, replications=3), BLOCKS, 0.90, 120)
    assert res.erlang == (3, 3, 3) and res.staff == (4, 4, 4)


def two_classes() -> ScenarioConfig:
    """10 alarms/h (priority 1) and 15 technical alerts/h (priority 5) on one pool, both
    exponential 240 s: non-preemptive priority M/M/c with one service rate."""
    data = stationary().model_dump(mode="json")
    data["event_kinds"][0]["rate"]["per_year"] = 10 * 8760
    data["event_kinds"].append({**data["event_kinds"][0], "name": "fault",
                                "category": "technical", "priority": 5,
                                "rate": {"basis": "per_municipality", "per_year": 15 * 8760}})
    data["pools"][0]["serves"].append({"category": "technical"})
    return ScenarioConfig.model_validate(data)


def test_erlang_column_counts_what_the_criterion_counts() -> None:
    # The criterion is the share of *alarms* answered in time; technical alerts occupy the
    # operators but queue behind alarms. The old column put all 25 contacts/h into one FCFS
    # Erlang C (84.6 % with 3 people); the alarms' share is higher, and the Erlang column now
    # gives the share the simulation measures (inside its 95 % CI in every block).
    cfg = two_classes()
    pool = staffed_pool(cfg, None)
    fcfs = erlang_c_metrics(25, 240, 3, 120).service_level
    for n in (2, 3):
        erlang_n = float(alarm_service_level(slot_loads(cfg, pool), n, 120).mean())
        ev = Evaluator(cfg, "operators", BLOCKS, 120)((n, n, n))
        for lo, hi in zip(ev.low, ev.high, strict=True):
            assert lo <= erlang_n <= hi
            assert n != 3 or not lo <= fcfs <= hi
    loads = block_loads(cfg, pool, BLOCKS, 0.90, 120)
    assert [load.erlang for load in loads] == [3, 3, 3]  # FCFS Erlang C would say 4
    assert all(load.erlang_share >= 0.90 for load in loads)
    assert [load.per_hour for load in loads] == pytest.approx([10.0] * 3)


def test_blocks_must_partition_the_day() -> None:
    assert [b.hours for b in BLOCKS][0] == [23, 0, 1, 2, 3, 4, 5, 6]
    assert parse_blocks(["all=00-24"])[0].hours == list(range(24))
    assert parse_blocks(["late=12-00", "early=00-12"])[0].hours == list(range(12, 24))
    for bad in (["night=23-07", "day=07-15"], ["a=00-13", "b=12-24"], ["x=7to15"],
                ["a=00-12", "a=12-24"]):
        with pytest.raises(UserError):
            parse_blocks(bad)


def test_roster_and_fte() -> None:
    cfg = stationary()
    rostered = with_roster(cfg, "operators", BLOCKS, (1, 3, 2))
    pool = staffed_pool(rostered, None)
    assert [(s.start, s.end, s.staff) for s in pool.shifts] == [
        ("23:00", "07:00", 1), ("07:00", "15:00", 3), ("15:00", "23:00", 2)]
    assert weekly_hours(pool) == 6 * 8 * 7
    assert fte(168.0, 35.5, 0.15) == pytest.approx(168 / 35.5 / 0.85)
    loads = block_loads(cfg, pool, BLOCKS, 0.9, 120)
    assert len(loads) == 3


def test_staff_command_on_a_short_baseline(capsys) -> None:
    argv = ["staff", "--set", "period.end=2020-01-15", "--replications", "3",
            "--target", "0.95", "--within", "120", "--shrinkage", "0.15"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    for word in ("night", "day", "evening", "Erlang C", "5.7", "FTE", "shrinkage"):
        assert word in out
    assert main(["staff", "--blocks", "day=07-15", "--target", "0.9", "--within", "60"]) == 2
    assert main(["staff", "--replications", "1", "--target", "0.9", "--within", "60"]) == 2


def test_staff_has_no_default_goal(capsys, tmp_path) -> None:
    # a config without a goal (the shipped baselines state one: goal=null removes it)
    no_goal = ["staff", "--set", "period.end=2020-01-08", "--replications", "2",
               "--set", "goal=null"]
    assert main(no_goal) == 2
    err = capsys.readouterr().err
    assert "--target" in err and "--within" in err and "no default" in err
    assert main([*no_goal, "--target", "0.9"]) == 2
    assert "--within" in capsys.readouterr().err
    # the config's goal is used when the flags are left out
    argv = ["staff", "--set", "period.end=2020-01-08", "--replications", "2",
            "--set", "goal.share=0.9", "--set", "goal.within_s=120"]
    assert main(argv) == 0
    assert ">= 90 % of alarms answered within 120 s" in capsys.readouterr().out
