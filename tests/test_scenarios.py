"""Scenario configs: every file validates and is listed; the paired comparison works; the
generated growth files are reproducible; storms and the resolution rate act as they should."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from respons.cli import main
from respons.config import Category
from respons.config.loading import load_config
from respons.studies.calibrate import expected_resolved_share, expected_total
from respons.studies.scenarios import (
    ACCOUNTS_2020_KNOK,
    compare,
    cost_check,
    implied_months,
    kpi_paired,
    list_scenarios,
    scenario_files,
    storm_windows,
)

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "configs" / "scenarios"
BASELINE = ROOT / "configs" / "vaernes-2020.yaml"
FILES = sorted(SCENARIOS.glob("*.yaml"))
# A week around the storm (Tuesday 10 November 2020, 09:00), all members live.
STORM_WEEK = ["period.start=2020-11-09", "period.end=2020-11-12", "replications=4"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_scenario_file_validates_with_description_and_sources(path: Path) -> None:
    cfg = load_config(path)
    text = path.read_text("utf-8")
    assert cfg.description and "\n" not in cfg.description
    assert text.startswith("#")
    assert "seed-facts.md" in text or "external-facts.md" in text or "GENERATED" in text
    assert cfg.seed == load_config(BASELINE).seed  # paired with the baseline


def test_scenarios_lists_every_file_with_its_description(capsys) -> None:
    assert main(["scenarios", "--dir", str(SCENARIOS)]) == 0
    out = capsys.readouterr().out
    for entry in list_scenarios(SCENARIOS):
        assert entry.error is None
        assert f"{entry.path.stem}" in out and entry.description in out
    assert len(out.strip().splitlines()) == len(FILES)


def test_broken_scenario_is_listed_with_its_error_and_exit_2(tmp_path: Path, capsys) -> None:
    (tmp_path / "good.yaml").write_text(f"base: {BASELINE}\nscenario: good\n"
                                        "description: fine\n")
    (tmp_path / "bad.yaml").write_text(f"base: {BASELINE}\nscenario: bad\n"
                                       "set: {pools.nobody.staff: 1}\n")
    assert main(["scenarios", "--dir", str(tmp_path)]) == 2
    out = capsys.readouterr().out
    assert "good" in out and "fine" in out
    assert "bad" in out and "ERROR" in out and "nobody" in out


def test_compare_short_run_gives_paired_table(tmp_path: Path, capsys) -> None:
    out_file = tmp_path / "cmp.md"  # the older --out FILE.md form still works
    rc = main(["scenarios", "--compare", "--dir", str(SCENARIOS), "--baseline", str(BASELINE),
               "--replications", "2", "--period-start", "2020-11-02", "--period-end",
               "2020-11-16", "--only", "no-legevakt-backup", "resolution-55", "storm-outage",
               "--out", str(out_file)])
    assert rc == 0
    text = out_file.read_text("utf-8")
    assert text.strip() == capsys.readouterr().out.strip()
    for name in ("no-legevakt-backup", "resolution-55", "storm-outage"):
        assert f"| {name} | baseline |" in text
    assert "pp ±" in text  # paired differences with their CI
    assert "Home-care visits avoided per municipality, `resolution-55`" in text
    assert "Storm `power-outage`" in text
    assert "accounts 2020" not in text  # only for the whole calendar year 2020
    # never overwritten: the same file again is refused before anything runs
    assert main(["scenarios", "--compare", "--only", "resolution-55", "--out",
                 str(out_file)]) == 2
    assert "exists" in capsys.readouterr().err


def test_compare_out_dir_writes_markdown_csv_json_and_excel(tmp_path: Path, capsys) -> None:
    out = tmp_path / "cmp"
    assert main(["scenarios", "--compare", "--replications", "2", "--period-start",
                 "2020-11-02", "--period-end", "2020-11-09", "--only", "resolution-55",
                 "--out", str(out)]) == 0  # from any directory: the shipped files are data
    assert sorted(p.name for p in out.iterdir()) == [
        "comparison.csv", "comparison.json", "comparison.md", "comparison.xlsx"]
    assert (out / "comparison.md").read_text("utf-8").strip() == \
        capsys.readouterr().out.strip()
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["scenario"]) == {"resolution-55"} and set(table["reference"]) == {
        "baseline"}
    row = table.set_index("kpi").loc["alarms_resolved_by_operator_share"]
    assert row["diff"] > 0.05 and row["diff_ci_low"] <= row["diff"] <= row["diff_ci_high"]
    doc = json.loads((out / "comparison.json").read_text("utf-8"))
    assert doc["scenarios"][0]["reference"] == "baseline"
    assert doc["scenarios"][0]["goal"]["verdict"] in ("met", "not met", "not proven")
    assert main(["scenarios", "--compare", "--only", "resolution-55", "--out", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err


def test_growth_is_paired_with_its_own_base_not_the_2020_baseline() -> None:
    """The growth files build on all-members-2020 (all members live, the units relieving each
    other all year). In April 2020 the baseline is another centre (the Covid separation: no
    nurse backup, an extra operator seat instead, five members not yet live), so a difference
    to it would mix that in; against its own base growth is worse."""
    period = ["period.start=2020-04-01", "period.end=2020-04-15", "replications=6"]
    cmp = compare(BASELINE, [SCENARIOS / "growth-2025.yaml"], period)
    growth = cmp.scenarios[0]
    ref = cmp.reference_of(growth)
    assert growth.reference == ref.name == "all-members-2020 (base)"
    assert ref.cfg.scenario == "all-members-2020"
    key = "alarms_answered_within_target_share"
    own = kpi_paired(cmp, growth, key)
    wrong = growth.kpis[key].to_numpy() - cmp.baseline.kpis[key].to_numpy()
    paired = growth.kpis[key].to_numpy() - ref.kpis[key].to_numpy()
    assert not np.allclose(wrong, paired)  # what the old pairing reported is another figure
    assert own.diff < 0  # more alarms, same roster: fewer within target
    wait = kpi_paired(cmp, growth, "answer_time_mean_s")
    assert wait.lo > 0  # and longer waits, with the whole 95 % CI
    assert own.diff == pytest.approx(
        (growth.kpis[key].to_numpy() - ref.kpis[key].to_numpy()).mean())
    # when the base is itself compared, the growth file is paired with that run
    both = compare(BASELINE, [SCENARIOS / "all-members-2020.yaml",
                              SCENARIOS / "growth-2025.yaml"], period)
    assert both.reference_of(both.scenarios[1]) is both.scenarios[0]
    assert both.reference_of(both.scenarios[0]) is both.baseline


def test_compare_options_need_compare() -> None:
    assert main(["scenarios", "--replications", "2"]) == 2
    assert main(["scenarios", "--compare", "--dir", str(SCENARIOS), "--only",
                 "no-such-scenario"]) == 2


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_growth_scenarios", ROOT / "scripts" / "make_growth_scenarios.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_growth_scenarios"] = module
    spec.loader.exec_module(module)
    return module


def test_growth_files_are_the_generators_output(tmp_path: Path) -> None:
    gen = _generator()
    assert gen.main(["--out", str(tmp_path)]) == 0
    for year in gen.YEARS:
        name = f"growth-{year}.yaml"
        assert (tmp_path / name).read_text("utf-8") == (SCENARIOS / name).read_text("utf-8")
    # the sourced anchors: Stjørdal 80+ x2 by 2040, Levanger the KS table over SSB 2020
    assert gen.stjordal_index(2040) == pytest.approx(2.0)
    assert gen.levanger_index(2048) == pytest.approx(2385 / 912)
    assert gen.levanger_index(2033) == pytest.approx(1669 / 912)
    base = load_config(SCENARIOS / "all-members-2020.yaml")
    g40 = load_config(SCENARIOS / "growth-2040.yaml")
    ratio = expected_total(g40, Category.alarm) / expected_total(base, Category.alarm)
    assert 2.0 < ratio < 2.21
    volumes = [expected_total(load_config(SCENARIOS / f"growth-{y}.yaml"), Category.alarm)
               for y in gen.YEARS]
    assert volumes == sorted(volumes)


def test_resolution_55_hits_its_target_share() -> None:
    cfg = load_config(SCENARIOS / "resolution-55.yaml")
    assert expected_resolved_share(cfg, Category.alarm) == pytest.approx(0.55, abs=5e-4)


def test_storm_hurts_alarms_less_with_the_priority_rule() -> None:
    names = ("storm-outage", "storm-outage-no-priority", "storm-outage-separated",
             "storm-outage-separated-no-priority")
    cmp = compare(BASELINE, [SCENARIOS / f"{n}.yaml" for n in names], STORM_WEEK)
    hour = next(w.key for w in cmp.windows if w.hours == 1)
    base = cmp.baseline.storms[hour]["mean_wait_s"].to_numpy()
    prio, fcfs, sep_prio, sep_fcfs = (r.storms[hour]["mean_wait_s"].to_numpy()
                                      for r in cmp.scenarios)
    assert prio.mean() > base.mean() + 10  # the storm raises alarm waits (paired, CRN)
    assert fcfs.mean() > prio.mean()  # the priority rule protects alarms
    assert sep_fcfs.mean() > sep_prio.mean() + 600  # without nurses: behind the backlog
    cleared = cmp.scenarios[0].storms[hour]["cleared_h"].to_numpy()
    assert np.all(cleared > 1)  # hundreds of alerts take hours to work off


def test_resolution_55_gives_fewer_homecare_visits_in_every_replication() -> None:
    cmp = compare(BASELINE, [SCENARIOS / "resolution-55.yaml"],
                  ["period.start=2020-11-01", "period.end=2020-11-15", "replications=3"])
    base = cmp.baseline.kpis["homecare_visits"].to_numpy()
    res = cmp.scenarios[0].kpis["homecare_visits"].to_numpy()
    assert np.all(res < base)
    assert cmp.scenarios[0].visits.sum(axis=1).to_numpy() == pytest.approx(res)


def test_storm_windows_are_shared_by_scenarios_with_the_same_storm() -> None:
    cfgs = [load_config(SCENARIOS / f"{n}.yaml") for n in
            ("storm-outage", "storm-outage-no-priority")]
    windows = storm_windows(cfgs)
    assert len(windows) == 2  # one storm, two window lengths
    start = dt.datetime(2020, 11, 10, 9) - dt.datetime(2020, 1, 1)
    assert windows[0].start_s == start.total_seconds()


def test_cost_check_covers_every_member_of_the_accounts() -> None:
    check = cost_check(load_config(BASELINE))
    assert check is not None
    assert set(check.municipality) == set(ACCOUNTS_2020_KNOK["answer_service"])
    assert check.accounts_knok.sum() == 6435  # seed-facts.md §2.12 Table C total
    assert check.model_knok.sum() == pytest.approx(6435, rel=0.01)


def test_accounts_imply_full_years_for_old_members_and_fewer_months_for_newcomers() -> None:
    cfg = load_config(BASELINE)
    months = implied_months(cfg, "answer_service")
    for name in ("Stjørdal", "Selbu", "Meråker", "Frosta", "Tydal"):
        assert months[name] == pytest.approx(12, abs=0.2)  # the key fits the old members
    assert "Nærøysund" not in months  # no answer service in 2020
    check = cost_check(cfg).set_index("municipality")
    for name in ("Melhus", "Levanger", "Verdal", "Skaun", "Midtre Gauldal"):
        assert 0 < months[name] < check.loc[name, "model_months"]
    assert implied_months(cfg, "it_technical")["Nærøysund"] == pytest.approx(12, abs=0.2)


def test_scenario_files_sorted_by_name() -> None:
    stems = [p.stem for p in scenario_files(SCENARIOS)]
    assert stems == sorted(stems)


def test_time_differences_are_shown_in_a_readable_unit() -> None:
    from respons.report.comparison import fmt_diff
    from respons.studies.scenarios import Paired

    def paired(diff: float, half: float) -> Paired:
        return Paired(mean=0.0, diff=diff, lo=diff - half, hi=diff + half)

    assert fmt_diff(paired(20741.0, 2045.7), "s") == "+5.8 h ± 0.6"
    assert fmt_diff(paired(-300.0, 30.0), "s") == "-5.0 min ± 0.5"
    assert fmt_diff(paired(12.34, 1.0), "s") == "+12.3 s ± 1.0"
