"""`roster`: the shift catalogue, the integer programme against brute force, Erlang per half
hour against Erlang C, rotas as config pools, costs, and the command end to end (files, the
overlay reproduced by `simulate`, bad input, --min-on-duty)."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from respons.analysis.erlang import erlang_c_metrics
from respons.cli import main
from respons.config import ScenarioConfig
from respons.config.loading import load_config
from respons.errors import UserError
from respons.studies.roster_costs import (
    by_municipality,
    period_cost,
    pools_named,
    week_on_duty,
    weekly_cost,
)
from respons.studies.roster_cover import MIP_GAP, option_costs, solve_cover
from respons.studies.roster_requirement import (
    erlang_requirement,
    slot_loads,
    within_table,
)
from respons.studies.roster_shifts import (
    SLOTS_PER_WEEK,
    ShiftCatalogue,
    builtin_catalogues,
    load_catalogue,
)
from respons.studies.roster_verify import apply_overlay, layers, overlay

SMALL = {
    "name": "test-small",
    "pay": {"hourly_nok": 300, "employer_cost_share": 0.3,
            "supplements": [{"name": "night", "start": "22:00", "end": "06:00",
                             "nok_per_hour": 60}]},
    "patterns": [
        {"name": "day", "starts": ["07:00"], "hours": [8]},
        {"name": "evening", "starts": ["15:00"], "hours": [8]},
        {"name": "night", "starts": ["23:00"], "hours": [8]},
        {"name": "peak", "starts": ["09:00", "13:00"], "hours": [4], "part_time": True},
    ],
    "max_part_time_share": 0.2,
}


def write_catalogue(tmp_path: Path, data: dict, name: str = "shifts.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


# -- the catalogue ------------------------------------------------------------------------------
def test_builtin_catalogues_and_their_costs() -> None:
    assert {"ks-flex", "three-8h"} <= set(builtin_catalogues())
    cat, source = load_catalogue(None)
    assert cat.name == "ks-flex" and "built-in" in source
    pay = cat.pay.hourly_nok
    loaded = 1 + cat.pay.employer_cost_share
    cost = cat.slot_cost.reshape(7, 48)
    assert cost[0, 20] == pytest.approx(pay * loaded / 2)  # Monday 10:00, no supplement
    assert cost[0, 36] == pytest.approx((pay + 56) * loaded / 2)  # Monday 18:00, evening
    assert cost[1, 2] == pytest.approx((pay + max(70, 0.25 * pay)) * loaded / 2)  # Tue 01:00
    weekend_night = pay + max(70, 0.25 * pay) + max(70, 0.22 * pay)
    assert cost[6, 46] == pytest.approx(weekend_night * loaded / 2)  # Sunday 23:00
    three, _ = load_catalogue("three-8h")
    assert [(o.day, o.start, o.end) for o in three.options()[:3]] == [
        ("mon", "07:00", "15:00"), ("tue", "07:00", "15:00"), ("wed", "07:00", "15:00")]
    night = next(o for o in three.options() if o.pattern == "night" and o.day == "sun")
    assert list(night.slots) == [*range(334, 336), *range(0, 14)]  # Sunday 23:00 into Monday


@pytest.mark.parametrize("name", builtin_catalogues())
def test_every_shipped_catalogue_covers_the_week(name: str) -> None:
    cat, _ = load_catalogue(name)
    assert cat.source and cat.description
    cover = solve_cover(cat, np.ones(SLOTS_PER_WEEK, dtype=np.int64))
    assert np.all(cover.on_duty >= 1)


@pytest.mark.parametrize(("change", "field"), [
    ({"patterns": [{"name": "x", "starts": ["07:15"], "hours": [8]}]}, "patterns.0.starts"),
    ({"patterns": [{"name": "x", "starts": ["07:00"], "hours": [7.25]}]}, "patterns.0.hours"),
    ({"patterns": [{"name": "x", "starts": ["07:00"], "hours": [8], "colour": 1}]},
     "patterns.0.colour"),
    ({"patterns": []}, "patterns"),
    ({"pay": {"hourly_nok": -5, "employer_cost_share": 0.3}}, "pay.hourly_nok"),
    ({"max_part_time_share": 1.5}, "max_part_time_share"),
])
def test_a_broken_catalogue_names_the_field(tmp_path: Path, change: dict, field: str) -> None:
    path = write_catalogue(tmp_path, {**SMALL, **change})
    with pytest.raises(UserError) as err:
        load_catalogue(path)
    assert str(path) in str(err.value) and field in str(err.value)


def test_a_catalogue_that_is_not_yaml_or_missing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("patterns: [\n", encoding="utf-8")
    for spec in (bad, tmp_path / "nowhere.yaml", "no-such-catalogue"):
        with pytest.raises(UserError) as err:
            load_catalogue(spec)
        assert str(spec) in str(err.value)
    with pytest.raises(UserError, match="shift catalogue .* is not valid YAML"):
        load_catalogue(bad)


# -- the integer programme against brute force --------------------------------------------------
def _small_instance(rng: np.random.Generator) -> tuple[ShiftCatalogue, np.ndarray, np.ndarray]:
    """A Monday-only catalogue of 5 options (at most 3 people each) and a random requirement
    over Monday 06:00-18:00, random pay and supplements."""
    cat = ShiftCatalogue.model_validate({
        "name": "brute",
        "pay": {"hourly_nok": int(rng.integers(200, 400)), "employer_cost_share": 0.25,
                "supplements": [{"name": "late", "start": "14:00", "end": "18:00",
                                 "nok_per_hour": int(rng.integers(10, 90))}]},
        "patterns": [
            {"name": "a", "starts": ["06:00", "08:00"], "hours": [4, 8], "days": ["mon"],
             "max_people": 3},
            {"name": "b", "starts": ["12:00"], "hours": [6], "days": ["mon"], "max_people": 3,
             "part_time": True},
        ],
        "max_part_time_share": float(rng.choice([0.2, 0.35, 1.0])),
    })
    floor = np.zeros(SLOTS_PER_WEEK, dtype=np.int64)
    floor[12:36] = rng.integers(0, 3, 24)
    within = np.zeros((SLOTS_PER_WEEK, 6))
    within[12:36] = np.sort(rng.uniform(0, 20, (24, 6)), axis=1)  # nondecreasing, any shape
    return cat, floor, within


def _brute_force(cat: ShiftCatalogue, floor: np.ndarray, within: np.ndarray | None,
                 target: float) -> float:
    options = cat.options()
    cost = option_costs(cat, options)
    hours = np.array([o.hours for o in options])
    part = np.array([o.part_time for o in options])
    best = np.inf
    for x in itertools.product(range(4), repeat=len(options)):
        x = np.array(x)
        on = np.zeros(SLOTS_PER_WEEK, dtype=np.int64)
        for o, n in zip(options, x, strict=True):
            on[o.slots] += n
        if np.any(on < floor):
            continue
        if cat.max_part_time_share is not None and \
                hours[part] @ x[part] > cat.max_part_time_share * (hours @ x) + 1e-9:
            continue
        if within is not None:
            credit = within[np.arange(SLOTS_PER_WEEK), np.minimum(on, within.shape[1] - 1)]
            if credit.sum() < target - 1e-9:
                continue
        best = min(best, float(cost @ x))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_the_programme_finds_the_brute_force_optimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    cat, floor, within = _small_instance(rng)
    # plain covering of a per-slot requirement
    assert solve_cover(cat, floor, gap=0.0).weekly_cost == pytest.approx(
        _brute_force(cat, floor, None, 0.0), abs=1e-6)
    # with the goal row: the expected credit over the slots must reach a target
    top = within.shape[1] - 1
    k = np.arange(SLOTS_PER_WEEK)
    gains = np.stack([within[k, np.minimum(floor + lv + 1, top)]
                      - within[k, np.minimum(floor + lv, top)] for lv in range(top)], axis=1)
    base = within[k, floor].sum()
    reachable = within[:, -1].sum()
    target = base + rng.uniform(0.3, 0.9) * (reachable - base)
    best = _brute_force(cat, floor, within, target)
    found = solve_cover(cat, floor, gains, target - base, gap=0.0)
    assert found.weekly_cost == pytest.approx(best, abs=1e-6)
    # roster's own setting stops within 0.1 % of the optimum and says how close it got
    default = solve_cover(cat, floor, gains, target - base)
    assert best <= default.weekly_cost <= best * (1 + MIP_GAP) + 1e-6
    assert 0 <= default.gap <= MIP_GAP
    assert within[k, np.minimum(found.on_duty, top)].sum() >= target - 1e-6
    assert np.all(found.on_duty >= floor)


# -- Erlang per half hour -----------------------------------------------------------------------
def stationary(per_hour: float = 25, days: int = 14) -> ScenarioConfig:
    return ScenarioConfig.model_validate({
        "scenario": "mmc-roster",
        "period": {"start": "2021-01-04", "end": f"2021-01-{4 + days:02d}"},
        "replications": 3, "seed": 7, "drain_days": 1,
        "profiles": {"flat": {"hourly": [1.0] * 24}},
        "municipalities": [{"name": "Test", "number": "0001", "population": 1000,
                            "joined": "2021-01-01"}],
        "event_kinds": [{"name": "call", "category": "alarm", "priority": 1,
                         "rate": {"basis": "per_municipality", "per_year": per_hour * 8760},
                         "profile": "flat", "talk": {"kind": "exponential", "mean_s": 240}}],
        "pools": [{"name": "operators", "role": "operator", "serves": [{"category": "alarm"}],
                   "shifts": [{"start": "00:00", "end": "24:00", "staff": 1}]}],
    })


def test_erlang_per_half_hour_is_erlang_c_on_a_stationary_centre() -> None:
    cfg = stationary()
    table = within_table(slot_loads(cfg, cfg.pools[0]), 120)
    assert table.alarms.sum() == pytest.approx(25 * 24 * 14)
    for n in (3, 4, 5):
        sl = erlang_c_metrics(25, 240, n, 120).service_level
        assert table.service_level()[:, n] == pytest.approx(np.full(SLOTS_PER_WEEK, sl))
    assert np.all(erlang_requirement(table, 0.90, 1) == 4)
    assert np.all(erlang_requirement(table, 0.90, 6) == 6)


# -- rotas as config pools, costs -------------------------------------------------------------
def test_staggered_shifts_become_layers_of_valid_pools() -> None:
    cfg = load_config(None, ["period.end=2020-01-15"])
    pool = cfg.pools[0]
    cat = ShiftCatalogue.model_validate(SMALL)
    floor = np.ones(SLOTS_PER_WEEK, dtype=np.int64)
    floor[np.r_[20:34, 68:82]] = 3  # Monday and Tuesday 10:00-17:00: three on duty
    cover = solve_cover(cat, floor)
    shifts = layers(cover.chosen(), pool.name, {p.name for p in cfg.pools} - {pool.name})
    ov = overlay(cfg, pool, shifts)
    rota = apply_overlay(cfg.model_dump(mode="json"), ov, "test")
    names = list(dict.fromkeys(s.pool for s in shifts))
    assert len(names) >= 2 and names[0] == "operators"  # staggered: needs a second layer
    pools = pools_named(rota, names)
    assert np.allclose(week_on_duty(pools), cover.on_duty)
    assert weekly_cost(pools, cat) == pytest.approx(cover.weekly_cost)
    service = next(s for s in rota.costs.services if s.name == "answer_service")
    assert set(names) <= set(service.pools)


def test_period_cost_and_its_split_by_the_published_keys() -> None:
    cfg = load_config(None, ["period.start=2020-11-02", "period.end=2020-11-30"])  # 4 weeks
    cat, _ = load_catalogue(None)
    pools = pools_named(cfg, ["operators"])
    week = weekly_cost(pools, cat)
    assert week == pytest.approx(cat.slot_cost.sum())  # one seat round the clock
    cost = period_cost(cfg, pools, cat)
    assert cost == pytest.approx(4 * week)
    split = by_municipality(cfg, pools, cost, "operators")
    assert sum(split.values()) == pytest.approx(cost)
    assert split["Nærøysund"] == 0  # pays no answer service (technical only)
    assert split["Stjørdal"] > split["Tydal"] > 0


# -- the command --------------------------------------------------------------------------------
# Two weeks of the Covid-19 separation without the town-hall seat's extra staffing (its
# dates cut to the first day): one operator seat, the lead and no legevakt relief.
COVID_WEEKS = ["--set", "period.start=2020-04-06", "--set", "period.end=2020-04-20",
               "--set", "pools.backup_seat.shifts.0.dates.0.end=2020-03-13",
               "--set", "pools.backup_seat.shifts.1.dates.0.end=2020-03-13",
               "--replications", "3"]


def test_roster_command_end_to_end(tmp_path: Path, capsys) -> None:
    cat = write_catalogue(tmp_path, SMALL)
    out = tmp_path / "roster"
    argv = ["roster", *COVID_WEEKS, "--goal", "0.97", "--within", "120", "--shifts", str(cat),
            "--out", str(out)]
    t0 = time.perf_counter()
    assert main(argv) == 0
    elapsed = time.perf_counter() - t0
    io = capsys.readouterr()
    assert "iteration 1:" in io.err and "Erlang C per half hour" in io.out
    assert "whole period lies in 2020-03-12 to 2020-06-15" in io.err
    files = {p.name for p in out.iterdir()}
    assert {"roster.csv", "roster.xlsx", "config.roster.yaml", "config.resolved.yaml",
            "summary.json", "report.html", "intervals.csv"} <= files
    s = json.loads((out / "summary.json").read_text("utf-8"))
    for key in ("fte", "cost_nok", "cost_by_municipality", "goal", "goal_kpi", "met"):
        assert key in s
    assert s["met"] is True and s["goal"] == {"share": 0.97, "within_s": 120.0}
    assert s["goal_kpi"]["ci_low"] >= 0.97
    assert sum(s["cost_by_municipality"].values()) == pytest.approx(s["cost_nok"], abs=11)
    names = [r["name"] for r in s["comparison"]]
    assert names[0] == "current rota (config)" and names[-1] == "answer"
    assert any("5.7 FTE" in n for n in names) and "Erlang C per half hour" in names
    current = s["comparison"][0]
    assert current["met"] is False  # one seat without nurse backup misses 97 %
    header = (out / "roster.csv").read_text("utf-8").splitlines()[0]
    assert header == "pool,day,start,end,people"
    import openpyxl

    wb = openpyxl.load_workbook(out / "roster.xlsx")
    assert {"roster", "comparison", "half-hours", "summary"} <= set(wb.sheetnames)
    html = (out / "report.html").read_text("utf-8")
    assert "Required and rostered staff" in html and "by hour of arrival" in html
    assert html.count("data:image/png;base64,") == 2 and "2020-04-06" in html
    # the overlay reproduces the verified figures
    sim = tmp_path / "sim"
    assert main(["simulate", "--config", str(out / "config.roster.yaml"), "--out", str(sim),
                 "--no-events", "--no-report"]) == 0
    kpi = json.loads((sim / "summary.json").read_text("utf-8"))["kpis"][
        "alarms_answered_within_target_share"]
    assert kpi["mean"] == pytest.approx(s["goal_kpi"]["mean"], abs=1e-12)
    assert kpi["ci_low"] == pytest.approx(s["goal_kpi"]["ci_low"], abs=1e-12)
    # same input, same bytes
    again = tmp_path / "again"
    assert main([*argv[:-1], str(again)]) == 0
    for name in ("roster.csv", "summary.json", "config.roster.yaml", "roster.xlsx",
                 "intervals.csv"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name
    assert elapsed < 120


def test_min_on_duty_reports_its_extra_cost(tmp_path: Path, capsys) -> None:
    out = tmp_path / "two"
    argv = ["roster", "--set", "period.start=2020-11-02", "--set", "period.end=2020-11-16",
            "--replications", "3", "--set", "goal.share=0.9", "--set", "goal.within_s=120",
            "--shifts", "three-8h",
            "--min-on-duty", "2", "--out", str(out)]
    assert main(argv) == 0
    s = json.loads((out / "summary.json").read_text("utf-8"))
    extra = s["min_on_duty_extra"]
    assert extra["without"] == 1 and extra["cost_nok"] > 0 and extra["fte"] > 0
    assert s["min_on_duty"] == 2
    rostered = [float(line.split(",")[3]) for line in
                (out / "intervals.csv").read_text("utf-8").splitlines()[1:]]
    assert min(rostered) >= 2
    names = [r["name"] for r in s["comparison"]]
    assert "answer with at least 1 on duty" in names
    assert "costs NOK" in capsys.readouterr().out


def test_roster_bad_input_exits_2_and_writes_nothing(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    base = ["roster", *COVID_WEEKS, "--set", "goal=null", "--out", str(out)]
    assert main(base) == 2  # no goal (the shipped baseline states one: goal=null removes it)
    assert "no default" in capsys.readouterr().err
    broken = write_catalogue(tmp_path, {**SMALL, "patterns": [{"name": "x", "hours": [8]}]})
    assert main([*base, "--goal", "0.9", "--within", "120", "--shifts", str(broken)]) == 2
    assert "patterns.0.starts" in capsys.readouterr().err
    # at most one person on any shift and the goal needs two somewhere: impossible
    capped = {**SMALL, "patterns": [{**p, "max_people": 1} for p in SMALL["patterns"]
                                    if p["name"] != "peak"]}
    limited = write_catalogue(tmp_path, capped, "capped.yaml")
    assert main([*base, "--goal", "0.995", "--within", "30", "--shifts", str(limited)]) == 2
    err = capsys.readouterr().err
    assert "no rota of shift catalogue" in err and "at most 1" in err
    assert main([*base, "--goal", "0.9", "--within", "120", "--replications", "1"]) == 2
    assert main([*base, "--goal", "1.5", "--within", "120"]) == 2
    assert not out.exists() and not list(tmp_path.glob(".*partial"))
    out.mkdir()
    (out / "x").write_text("taken")
    assert main([*base, "--goal", "0.9", "--within", "120"]) == 2
    assert "not empty" in capsys.readouterr().err


def test_schema_prints_the_catalogue_model(capsys) -> None:
    assert main(["schema", "--shifts"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert {"pay", "patterns", "max_part_time_share"} <= set(schema["properties"])
    assert main(["schema"]) == 0
    assert "municipalities" in json.loads(capsys.readouterr().out)["properties"]


@pytest.mark.slow
def test_the_2020_baseline_in_under_five_minutes_and_on_another_seed(tmp_path: Path) -> None:
    out = tmp_path / "baseline"
    t0 = time.perf_counter()
    assert main(["roster", "--goal", "0.95", "--within", "120", "--jobs", "2",
                 "--out", str(out)]) == 0
    elapsed = time.perf_counter() - t0
    assert elapsed < 300, f"roster took {elapsed:.0f} s"
    s = json.loads((out / "summary.json").read_text("utf-8"))
    assert s["met"] and s["period"]["days"] == 366
    sim = tmp_path / "other-seed"
    assert main(["simulate", "--config", str(out / "config.roster.yaml"), "--seed", "7",
                 "--replications", str(s["replications"]), "--out", str(sim), "--no-events",
                 "--no-report"]) == 0
    kpi = json.loads((sim / "summary.json").read_text("utf-8"))["kpis"][
        "alarms_answered_within_target_share"]
    assert kpi["ci_low"] >= 0.95
