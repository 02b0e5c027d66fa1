"""`respons uncertainty`: Morris screening then a Latin hypercube or Sobol sample over the
ranged assumptions, under common random numbers; fast runs on two weeks, the year behind
`slow`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from respons.analysis.kpis import KPI_UNITS
from respons.cli import main
from respons.config.loading import load_builtin
from respons.runs.replications import run
from respons.studies.uncertainty import HEADLINE, RANKED_ON, _point, select

TINY = ["--set", "period.start=2020-09-01", "--set", "period.end=2020-09-08",
        "--set", "replications=2", "--trajectories", "2", "--samples", "6",
        "--replications", "1"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("unc") / "tiny"
    assert main(["uncertainty", *TINY, "--out", str(out)]) == 0
    return out


def test_outputs_of_a_study(tiny: Path) -> None:
    names = {p.name for p in tiny.iterdir()}
    assert {"inputs.csv", "ranges.csv", "morris.csv", "samples.csv", "screening.csv",
            "config.resolved.yaml", "metadata.json", "report.html", "figures"} <= names
    assert {p.name for p in (tiny / "figures").iterdir()} >= {"morris.png", "morris.svg",
                                                              "range.png", "range.svg"}
    cfg = load_builtin("vaernes-2020")
    inputs = pd.read_csv(tiny / "inputs.csv")
    assert list(inputs.columns[:7]) == ["input", "low", "high", "configured", "mu_star",
                                        "sigma", "mu_star_conf"]
    assert "kpi" in inputs.columns and set(inputs["kpi"]) == {RANKED_ON}
    assert sorted(inputs["input"]) == sorted(a.name for a in cfg.assumptions)
    sampled = inputs[inputs["sampled"] != "held (fitted)"]
    assert sampled["mu_star"].notna().all() and (sampled["mu_star"] >= 0).all()
    assert inputs.loc[inputs["sampled"] == "held (fitted)", "mu_star"].isna().all()
    assert (inputs["sampled"] == "stage 2").sum() >= 2
    meta = json.loads((tiny / "metadata.json").read_text())
    assert meta["status"] == "complete" and meta["plan"]["screening_points"] == 2 * (
        len([a for a in cfg.assumptions if a.sampled]) + 1)
    assert meta["plan"]["stage2_points"] == 6 and len(pd.read_csv(tiny / "samples.csv")) == 6
    html = (tiny / "report.html").read_text()
    assert 'id="ranges-table"' in html and 'id="inputs-table"' in html and "backup_delay" in html


def test_ranges_are_ordered_and_possible(tiny: Path) -> None:
    ranges = pd.read_csv(tiny / "ranges.csv")
    assert list(ranges["kpi"]) == list(HEADLINE)
    for r in ranges.itertuples(index=False):
        assert r.min <= r.p05 <= r.p50 <= r.p95 <= r.max
        assert r.ci_low <= r.baseline_mean <= r.ci_high
        if r.unit == "share":
            assert r.min >= 0 and r.max <= 1
        assert r.samples == 6 and r.replications_per_sample == 1


def test_common_random_numbers_leave_unrelated_inputs_without_effect(tiny: Path) -> None:
    """Home-care travel cannot change when an alarm is answered; with the same random streams
    at every point its elementary effects on the answer-time KPIs are exactly zero, while
    longer alarm talk times lengthen the wait."""
    morris = pd.read_csv(tiny / "morris.csv").set_index(["input", "kpi"])
    for kpi in (RANKED_ON, "answer_time_mean_s"):
        assert morris.loc[("homecare_travel", kpi), "mu_star"] == 0.0
        assert morris.loc[("homecare_dispatch", kpi), "mu_star"] == 0.0
    assert morris.loc[("homecare_travel", "help_arrival_time_mean_s"), "mu"] > 0
    assert morris.loc[("alarm_talk", "answer_time_mean_s"), "mu"] > 0


def test_a_point_with_the_configured_inputs_is_the_baseline() -> None:
    cfg = load_builtin("vaernes-2020", ["period.start=2020-09-01", "period.end=2020-09-08"])
    point = _point(cfg, {}, 2)
    base = run(cfg.model_copy(update={"replications": 2}), keep_events=False).replications
    for k in KPI_UNITS:
        assert point[k] == pytest.approx(float(base[k].mean()), nan_ok=True)


def test_jobs_give_identical_tables(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "jobs"
    assert main(["uncertainty", *TINY, "--jobs", "2", "--out", str(out)]) == 0
    for name in ("inputs.csv", "ranges.csv", "morris.csv", "samples.csv", "screening.csv"):
        assert (out / name).read_bytes() == (tiny / name).read_bytes(), name


def test_sobol_adds_indices(tmp_path: Path) -> None:
    out = tmp_path / "sobol"
    args = [a if a != "6" else "4" for a in TINY]
    assert main(["uncertainty", *args, "--method", "sobol", "--keep", "0.5", "--out",
                 str(out)]) == 0
    inputs = pd.read_csv(out / "inputs.csv")
    chosen = inputs[inputs["sampled"] == "stage 2"]
    assert chosen["st"].notna().all() and inputs.loc[inputs["sampled"] != "stage 2",
                                                     "st"].isna().all()
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["plan"]["stage2_points"] == 4 * (len(chosen) + 2)


def test_selection_keeps_inputs_above_the_threshold() -> None:
    morris = pd.DataFrame([
        {"input": "a", "kpi": RANKED_ON, "mu_star": 10.0},
        {"input": "b", "kpi": RANKED_ON, "mu_star": 0.5},
        {"input": "c", "kpi": RANKED_ON, "mu_star": 2.0},
        {"input": "b", "kpi": "answer_time_mean_s", "mu_star": 5.0},
        {"input": "a", "kpi": "answer_time_mean_s", "mu_star": 1.0},
        {"input": "c", "kpi": "answer_time_mean_s", "mu_star": 0.1},
    ])
    assert select(morris, [], 0.1) == ["a", "c", "b"]
    assert select(morris, [], 0.5) == ["a", "b"]


@pytest.mark.parametrize("args, message", [
    (["--method", "sobol", "--samples", "6"], "power of 2"),
    (["--keep", "0"], "--keep"),
    (["--set", "assumptions.alarm_talk.range=[200, 240]"], "outside the plausible range"),
    (["--config", "respons/data/validation/mmc.yaml"], "at least 2 ranged inputs"),
    (["--trajectories", "1"], "trajectories"),
])
def test_bad_input_exits_2(args: list[str], message: str, tmp_path: Path, capsys) -> None:
    root = Path(__file__).resolve().parents[1]
    fixed = [str(root / a) if a.startswith("respons/data") else a for a in args]
    out = tmp_path / "never"
    assert main(["uncertainty", *TINY, *fixed, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err and not out.exists()


def test_an_output_directory_in_use_is_refused(tiny: Path, capsys) -> None:
    assert main(["uncertainty", *TINY, "--out", str(tiny)]) == 2
    assert "not empty" in capsys.readouterr().err


@pytest.mark.slow
def test_the_2020_baseline_year(tmp_path: Path) -> None:
    """The whole 2020 year with a small plan: the four inputs that decide whether a waiting
    alarm is answered before 120 s (the nurses' backup delay and the operators' talk,
    after-call and forwarding times; close to each other, so 4 trajectories do not order
    them) lead the ranking, home-care times cannot move it, and the assumptions widen the
    headline KPI far beyond its replication interval."""
    out = tmp_path / "year"
    assert main(["uncertainty", "--trajectories", "4", "--samples", "16", "--replications",
                 "2", "--jobs", "2", "--out", str(out)]) == 0
    inputs = pd.read_csv(out / "inputs.csv")
    assert set(inputs["input"].iloc[:4]) == {"backup_delay", "alarm_talk", "alarm_wrap_up",
                                             "alarm_forwarding"}
    home = inputs[inputs["input"].isin(["homecare_travel", "homecare_dispatch"])]
    assert (home["mu_star"] == 0).all()
    r = pd.read_csv(out / "ranges.csv").set_index("kpi").loc[RANKED_ON]
    assert r.p95 - r.p05 > 5 * (r.ci_high - r.ci_low)
    assert np.isfinite(r.p05) and r.p05 < r.baseline_mean


def test_report_rewrites_an_uncertainty_directory(tiny: Path, tmp_path: Path, capsys) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(tiny, copy)
    (copy / "report.html").unlink()
    assert main(["report", str(copy)]) == 0
    assert (copy / "report.html").is_file() and "report.html" in capsys.readouterr().out
    (copy / "inputs.csv").write_text("not,an\ninputs table\n")
    assert main(["report", str(copy)]) == 2
    assert "damaged" in capsys.readouterr().err
