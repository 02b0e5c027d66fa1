"""Answer first: the verdict on the goal, honest intervals, the same numbers in terminal, JSON,
report and workbook, Norwegian labels and numbers, and one set of conventions (--out DIR,
--json, --lang) across commands; calibrate writes only where it is told."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from respons.analysis.goal import judge, verdict
from respons.analysis.intervals import RANGES, confidence_interval, mean_ci
from respons.cli import main
from respons.cli.validate import PACKAGE_DATA
from respons.config.loading import load_config
from respons.report.formatting import NBSP
from respons.report.i18n import kpi_label, language
from respons.report.tables import verdict_lines

ROOT = Path(__file__).resolve().parents[1]


# -- intervals ------------------------------------------------------------------------------
@pytest.mark.parametrize(("values", "unit"), [
    ([0.5, 0.9], "share"),            # 81.7 % [42.7, 120.7] before: now cut at 100 %
    ([19.0, 34.0], "s"),              # a time: never below 0
    ([0, 0, 1, 0], "count"),          # a count: never below 0
    ([0.999, 1.0, 1.0], "share"),
    ([1.0, 1.0, 1.0], "share"),
])
def test_intervals_stay_in_the_possible_range_and_hold_the_mean(values, unit) -> None:
    mean, lo, hi = confidence_interval(np.array(values, dtype=float), unit=unit)
    a, b = RANGES[unit]
    assert a <= lo <= mean <= hi <= b
    plain = confidence_interval(np.array(values, dtype=float))
    assert (lo, hi) == (max(plain[1], a), min(plain[2], b))  # the t interval, cut


def test_cutting_keeps_the_coverage_of_the_t_interval() -> None:
    """Replication shares near 100 % (as in a short run): the cut interval covers the true
    mean exactly as often as the t interval does, and is never outside 0..1."""
    rng = np.random.default_rng(7)
    true = 0.995
    shares = rng.binomial(400, true, size=(4000, 5)) / 400  # 4,000 runs of 5 replications
    mean, lo, hi = mean_ci(shares.T, unit="share")
    plain_mean, plain_lo, plain_hi = mean_ci(shares.T)
    covered = (lo <= true) & (true <= hi)
    assert (covered == ((plain_lo <= true) & (true <= plain_hi))).all()
    assert 0.90 < covered.mean() < 0.99
    assert (lo >= 0).all() and (hi <= 1).all() and (plain_hi > 1).any()


def test_verdict_rule() -> None:
    assert verdict(0.97, 0.96, 0.98, 0.95) == "met"
    assert verdict(0.95, 0.95, 0.96, 0.95) == "met"  # the lower bound at the goal
    assert verdict(0.93, 0.92, 0.94, 0.95) == "not met"
    assert verdict(0.95, 0.94, 0.96, 0.95) == "not proven"
    assert verdict(0.99, None, None, 0.95) == "not proven"  # one replication: no interval
    assert verdict(None, None, None, 0.95) == "not measured"
    cfg = load_config(None)
    judged = judge(cfg.goal, {"alarms_answered_within_target_share":
                              {"mean": 0.97, "ci_low": 0.96, "ci_high": 0.98},
                              "legevakt_calls_within_target_share":
                              {"mean": 0.79, "ci_low": 0.78, "ci_high": 0.795}})
    assert [(j.category.value, j.verdict) for j in judged] == [("alarm", "met"),
                                                               ("legevakt", "not met")]


# -- simulate: the same numbers everywhere ---------------------------------------------------
@pytest.fixture(scope="module")
def nb_run(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("nb") / "run"
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["simulate", "--set", "period.end=2020-01-15", "--replications", "5",
                     "--no-events", "--no-report", "--lang", "nb", "--by-municipality",
                     "--out", str(out)]) == 0
    return out, buf.getvalue()


def test_terminal_json_and_workbook_show_the_same_numbers(nb_run) -> None:
    out, printed = nb_run
    summary = json.loads((out / "summary.json").read_text())
    lines = printed.splitlines()
    assert lines[:2] == verdict_lines(summary, "nb")  # the verdict first, in Norwegian
    assert lines[0].startswith("Målet er ") and "av alarmene innen 120 s, mål 95" in lines[0]
    assert lines[2].startswith("Kostnad for perioden: kr")
    k = summary["kpis"]["alarms_answered"]
    row = next(r for r in lines if r.startswith("Alarmer besvart "))
    number = f"{k['mean']:,.0f}".replace(",", NBSP)
    assert number in row and f"{k['ci_low']:,.0f}".replace(",", NBSP) in row
    assert "Per kommune" in printed and "Stjørdal" in printed
    wb = load_workbook(out / "summary.xlsx")
    assert wb.sheetnames == ["Konklusjon", "Nøkkeltall", "Kommuner", "Kostnader"]  # nb
    kpis = {r[1].value: r for r in wb["Nøkkeltall"].iter_rows(min_row=3) if r[1].value}
    cells = kpis["alarms_answered_within_target_share"]
    share = summary["kpis"]["alarms_answered_within_target_share"]
    assert [cells[2].value, cells[3].value, cells[4].value] == [
        share["mean"], share["ci_low"], share["ci_high"]]
    assert cells[2].number_format == "0.0%"  # Excel formats in the reader's own locale
    munis = {r[0].value: r for r in wb["Kommuner"].iter_rows(min_row=3) if r[0].value}
    assert munis["Stjørdal"][-1].value == pytest.approx(
        summary["costs"]["by_municipality"]["Stjørdal"])


def test_summary_json_by_municipality_has_intervals_and_cost(nb_run) -> None:
    out, _ = nb_run
    summary = json.loads((out / "summary.json").read_text())
    by = summary["by_municipality"]
    assert set(by) == {m.name for m in load_config(None).municipalities}
    st = by["Stjørdal"]
    assert set(st) == {"alarms", "alarms_within_target_share", "homecare_visits",
                       "technical_alerts", "cost_nok"}
    assert st["alarms"]["ci_low"] <= st["alarms"]["mean"] <= st["alarms"]["ci_high"]
    rows = pd.read_csv(out / "municipalities.csv")
    st_rows = rows[rows["municipality"] == "Stjørdal"]
    assert len(st_rows) == 5 and st_rows["alarms"].mean() == pytest.approx(st["alarms"]["mean"])
    total = pd.read_csv(out / "replications.csv")["homecare_visits"]
    visits = rows.groupby("replication")["homecare_visits"].sum().to_numpy()
    np.testing.assert_allclose(visits, total)  # the municipalities add up to the whole
    assert summary["intervals"]["warning"] is None  # 5 replications: enough


def test_json_flag_prints_the_summary(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    assert main(["simulate", "--set", "period.end=2020-01-08", "--replications", "2",
                 "--no-events", "--no-report", "--json", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["run_directory"] == str(out) and doc["goal"]["verdict"] in (
        "met", "not met", "not proven")
    assert doc["kpis"] == json.loads((out / "summary.json").read_text())["kpis"]
    assert "only 2 replications" in captured.err  # the warning under 5 replications


def test_goal_flags_and_no_goal(tmp_path: Path, capsys) -> None:
    out = tmp_path / "a"
    assert main(["simulate", "--set", "period.end=2020-01-08", "--replications", "2",
                 "--no-events", "--no-report", "--goal", "0.5", "--within", "60",
                 "--out", str(out)]) == 0
    goal = json.loads((out / "summary.json").read_text())["goal"]
    assert goal["share"] == 0.5 and goal["within_s"] == 60
    assert "goal 50 %" in capsys.readouterr().out.splitlines()[0]
    out = tmp_path / "b"
    assert main(["simulate", "--set", "period.end=2020-01-08", "--replications", "2",
                 "--set", "goal=null", "--no-events", "--no-report", "--out", str(out)]) == 0
    assert json.loads((out / "summary.json").read_text())["goal"] is None
    assert capsys.readouterr().out.startswith("No goal")


def test_staff_takes_the_config_goal_and_asks_for_one_when_there_is_none(capsys) -> None:
    assert main(["staff", "--set", "goal=null", "--set", "period.end=2020-01-08",
                 "--replications", "2"]) == 2
    assert "--target" in capsys.readouterr().err


# -- language ---------------------------------------------------------------------------------
def test_language_from_flag_config_or_environment() -> None:
    assert language("nb", "en", {"LANG": "en_GB.UTF-8"}) == "nb"
    assert language(None, "nb", {"LANG": "en_GB.UTF-8"}) == "nb"
    assert language(None, None, {"LANG": "nb_NO.UTF-8"}) == "nb"
    assert language(None, None, {"LANG": "nn_NO"}) == "nb"
    assert language(None, None, {"LANG": "C.UTF-8"}) == "en"
    assert language(None, None, {}) == "en"
    assert kpi_label("utilisation_nurses") == ("Utilisation of the legevakt nurses "
                                               "(busy / staffed time)")
    assert kpi_label("utilisation_dispatch") == "Utilisation of dispatch (busy / staffed time)"
    assert kpi_label("utilisation_lead", "nb") == "Belegg for fagleder (opptatt / bemannet tid)"
    assert kpi_label("some_new_kpi") == "some_new_kpi"  # unknown KPIs keep their name


# -- calibrate writes only where it is told ---------------------------------------------------
def test_calibrate_needs_configs_and_refuses_the_builtin_copy(tmp_path: Path, capsys,
                                                              monkeypatch) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in PACKAGE_DATA.glob("*.yaml")}
    monkeypatch.chdir(ROOT)
    assert main(["calibrate"]) == 2
    assert "--configs DIR" in capsys.readouterr().err
    assert main(["calibrate", "--configs", "configs"]) == 2  # configs/ links to the package
    assert "--update-builtin" in capsys.readouterr().err
    assert main(["calibrate", "--configs", str(PACKAGE_DATA)]) == 2
    assert main(["calibrate", "--configs", str(tmp_path), "--update-builtin"]) == 2
    monkeypatch.chdir(tmp_path)  # from any directory: nothing is written relative to it
    assert main(["calibrate", "--configs", str(ROOT / "configs")]) == 2
    assert {p.name: p.stat().st_mtime_ns for p in PACKAGE_DATA.glob("*.yaml")} == before
    assert not any(tmp_path.iterdir())


def test_shipped_configs_are_found_from_any_directory(tmp_path: Path, capsys,
                                                      monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert not (tmp_path / "configs").exists()
    assert main(["scenarios", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert {e["name"] for e in entries} >= {"growth-2025", "all-members-2020"}
    assert all(e["error"] is None for e in entries)
    assert os.listdir(tmp_path) == []


def test_norwegian_verdict_interval_and_command_line_errors(capsys) -> None:
    """'[96,9–100,0]', not '[96,9, 100,0]' (the comma is the decimal mark); a bad --set is
    named as coming from the command line; an unknown flag points at the command's help."""
    from respons.report.tables import verdict_lines

    summary = {"goal": {"share": 0.95, "within_s": 120, "kpi": "x", "mean": 0.984,
                        "ci_low": 0.969, "ci_high": 1.0, "verdict": "met", "categories": {}}}
    assert "[96,9–100,0]" in verdict_lines(summary, "nb")[0]
    assert "[96.9, 100.0]" in verdict_lines(summary, "en")[0]
    assert main(["simulate", "--set", "nonexist.x=1"]) == 2
    err = capsys.readouterr().err
    assert "with `nonexist.x=1` from the command line" in err and "`nonexist`" in err
    assert main(["report", "somewhere", "--no-report"]) == 2
    assert "(see `respons report --help`)" in capsys.readouterr().err
