"""Sweeps: identical results serially, with --jobs, on Dask and in shards; failures are
recorded without stopping the sweep; --resume recomputes exactly the missing tasks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

import respons.studies.sweep as sweep_mod
from respons.analysis.kpis import KPI_UNITS
from respons.cli import main
from respons.studies.sweep import load_sweep, plan, run_sweep

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "configs" / "vaernes-2020.yaml"
TABLES = ("results.csv", "sweep-summary.csv", "paired-differences.csv")


def write_sweep(tmp_path: Path, **extra) -> Path:
    """A one-week sweep: 3 points x 2 replications (6 tasks, about a second serially)."""
    spec = {
        "name": "tiny",
        "base": str(BASE),
        "set": {"period.end": "2020-01-08"},
        "replications": 2,
        "points": [
            {"name": "base"},
            {"name": "day2", "set": {"pools.operators.shifts.0.staff": 2}},
            {"name": "busy", "set": {"pools.nurses.serves.1.rule": "all_busy",
                                     "pools.nurses.serves.1.after_s": 0}},
        ],
        **extra,
    }
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def tables(d: Path) -> dict[str, bytes]:
    return {name: (d / name).read_bytes() for name in TABLES}


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("serial")
    out = tmp / "out"
    assert main(["sweep", str(write_sweep(tmp)), "--out", str(out)]) == 0
    return out


def test_outputs_of_a_sweep(serial: Path) -> None:
    names = {p.name for p in serial.iterdir()}
    assert {"sweep.yaml", "design.json", "points", "tasks", "results.csv", "results.parquet",
            "sweep-summary.csv", "paired-differences.csv", "tasks.csv"} <= names
    res = pd.read_csv(serial / "results.csv")
    assert list(res.columns[:5]) == ["point", "pools.operators.shifts.0.staff",
                                     "pools.nurses.serves.1.rule",
                                     "pools.nurses.serves.1.after_s", "replication"]
    assert set(KPI_UNITS) <= set(res.columns)
    assert list(zip(res["point"], res["replication"], strict=True)) == [
        ("base", 0), ("base", 1), ("day2", 0), ("day2", 1), ("busy", 0), ("busy", 1)]
    assert list(res["pools.operators.shifts.0.staff"]) == [1, 1, 2, 2, 1, 1]
    assert pd.read_parquet(serial / "results.parquet").shape == res.shape
    summary = pd.read_csv(serial / "sweep-summary.csv")
    assert list(summary["point"]) == ["base", "day2", "busy"]
    k = "answer_time_mean_s"
    base = res[res["point"] == "base"][k].to_numpy()
    assert summary.loc[0, f"{k}_mean"] == pytest.approx(base.mean())
    assert summary.loc[0, f"{k}_ci_low"] < summary.loc[0, f"{k}_mean"]
    paired = pd.read_csv(serial / "paired-differences.csv")
    assert list(paired["point"]) == ["day2", "busy"] and set(paired["baseline"]) == {"base"}
    day2 = res[res["point"] == "day2"][k].to_numpy()
    assert paired.loc[0, f"{k}_diff_mean"] == pytest.approx((day2 - base).mean())
    # the arrivals are common random numbers: a roster change moves no arrival
    assert paired.loc[0, "alarms_answered_diff_mean"] == 0.0
    rec = json.loads((serial / "tasks" / "day2" / "rep-1.json").read_text())
    assert rec["status"] == "ok" and rec["wall_s"] > 0 and rec["replication"] == 1
    resolved = yaml.safe_load((serial / "points" / "day2" / "config.resolved.yaml").read_text())
    assert resolved["pools"][0]["shifts"][0]["staff"] == 2 and resolved["replications"] == 2
    assert resolved["period"]["end"] == "2020-01-08"
    assert (serial / "sweep.yaml").read_text() == (serial.parent / "tiny.yaml").read_text()


def test_jobs_2_gives_identical_bytes(serial: Path, tmp_path: Path) -> None:
    out = tmp_path / "jobs"
    assert main(["sweep", str(write_sweep(tmp_path)), "--jobs", "2", "--out", str(out)]) == 0
    assert tables(out) == tables(serial)


def test_dask_local_cluster_gives_identical_bytes(serial: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("dask.distributed")
    out = tmp_path / "dask"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster:
        argv = ["sweep", str(write_sweep(tmp_path)), "--dask", cluster.scheduler_address,
                "--out", str(out)]
        assert main(argv) == 0
    assert tables(out) == tables(serial)


def test_shards_collected_equal_the_whole(serial: Path, tmp_path: Path, capsys) -> None:
    path = write_sweep(tmp_path)
    a, b, shared = tmp_path / "a", tmp_path / "b", tmp_path / "shared"
    assert main(["sweep", str(path), "--shard", "0/2", "--out", str(a)]) == 0
    assert "collect" in capsys.readouterr().out and not (a / "results.csv").exists()
    assert main(["sweep", str(path), "--shard", "1/2", "--out", str(b)]) == 0
    assert len(list((a / "tasks").rglob("*.json"))) == 3
    shutil.copytree(b / "tasks", a / "tasks", dirs_exist_ok=True)  # copy the shards together
    assert main(["collect", str(a)]) == 0
    assert tables(a) == tables(serial)
    # shards run into one shared directory: the last one to finish writes the tables
    assert main(["sweep", str(path), "--shard", "1/2", "--out", str(shared)]) == 0
    assert main(["sweep", str(path), "--shard", "0/2", "--out", str(shared)]) == 0
    assert tables(shared) == tables(serial)


def test_collect_reports_missing_tasks(serial: Path, tmp_path: Path) -> None:
    part = tmp_path / "part"
    shutil.copytree(serial, part)
    (part / "tasks" / "busy" / "rep-0.json").unlink()
    assert main(["collect", str(part)]) == 1
    assert len(pd.read_csv(part / "results.csv")) == 5
    assert main(["collect", str(tmp_path)]) == 2  # not a sweep directory


def test_resume_recomputes_exactly_the_deleted_tasks(serial: Path, tmp_path: Path) -> None:
    path = write_sweep(tmp_path)
    out = tmp_path / "out"
    shutil.copytree(serial, out)
    for name in ("tasks/base/rep-1.json", "tasks/busy/rep-0.json"):
        (out / name).unlink()
    before = {p: p.stat().st_mtime_ns for p in (out / "tasks").rglob("*.json")}
    assert main(["sweep", str(path), "--out", str(out)]) == 2  # refuses without --resume
    outcome = run_sweep(path, out, resume=True)
    assert sorted(outcome.ran) == [("base", 1), ("busy", 0)] and outcome.skipped == 4
    assert {p: p.stat().st_mtime_ns for p in before} == before  # others untouched
    assert tables(out) == tables(serial)


def test_a_failing_point_is_recorded_and_the_rest_completes(tmp_path: Path, capsys) -> None:
    path = write_sweep(tmp_path, points=[
        {"name": "base"},
        {"name": "broken", "set": {"pools.operators.shifts.0.staff": 0}},
        {"name": "day2", "set": {"pools.operators.shifts.0.staff": 2}},
    ])
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out)]) == 1
    assert "failed: broken" in capsys.readouterr().err
    rec = json.loads((out / "tasks" / "broken" / "rep-0.json").read_text())
    assert rec["status"] == "error" and "staff" in rec["error"]
    assert (out / "points" / "broken" / "error.txt").exists()
    res = pd.read_csv(out / "results.csv")
    assert sorted(set(res["point"])) == ["base", "day2"] and len(res) == 4
    summary = pd.read_csv(out / "sweep-summary.csv").set_index("point")
    assert summary.loc["broken", "failed"] == 2 and summary.loc["broken", "replications"] == 0
    tasks = pd.read_csv(out / "tasks.csv")
    assert (tasks["status"] == "error").sum() == 2


def test_an_exception_in_a_task_is_recorded_with_its_traceback(
        tmp_path: Path, monkeypatch) -> None:
    real = sweep_mod.simulate_replication

    def flaky(cfg, r):
        if r == 1 and cfg.pools[0].shifts[0].staff == 2:
            raise RuntimeError("boom")
        return real(cfg, r)

    monkeypatch.setattr(sweep_mod, "simulate_replication", flaky)
    outcome = run_sweep(write_sweep(tmp_path), tmp_path / "out")
    assert outcome.failed == [("day2", 1, "RuntimeError: boom")] and len(outcome.ran) == 6
    rec = json.loads((tmp_path / "out" / "tasks" / "day2" / "rep-1.json").read_text())
    assert "flaky" in rec["traceback"]
    monkeypatch.setattr(sweep_mod, "simulate_replication", real)
    again = run_sweep(write_sweep(tmp_path), tmp_path / "out", resume=True)
    assert again.ran == [("day2", 1)] and not again.failed and again.tables is not None


def test_another_sweep_cannot_reuse_a_directory(serial: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(serial, out)
    other = write_sweep(tmp_path, replications=3)
    assert main(["sweep", str(other), "--out", str(out), "--resume"]) == 2


def test_grid_levels_and_scale(tmp_path: Path) -> None:
    grid = {
        "day": {"path": "pools.operators.shifts.0.staff", "values": [1, 2]},
        "backup": {"levels": {
            "wait60": {"pools.nurses.serves.1.rule": "after_wait",
                       "pools.nurses.serves.1.after_s": 60},
            "busy": {"pools.nurses.serves.1.rule": "all_busy",
                     "pools.nurses.serves.1.after_s": 0}}},
        "volume": {"paths": ["event_kinds.button.rate.per_year",
                             "event_kinds.smoke.rate.per_year"],
                   "values": [1.0, 1.5], "scale": True},
    }
    path = write_sweep(tmp_path, points=None, grid=grid)
    spec, _ = load_sweep(path)
    doc, tasks = plan(spec, path)
    names = [p["name"] for p in doc["points"]]
    assert len(names) == 8 and names[0] == "day-1__backup-wait60__volume-1.0"
    assert doc["factors"] == ["day", "backup", "volume"] and doc["tasks"] == len(tasks) == 16
    last = next(t.cfg for t in tasks if t.point == names[-1])
    assert last is not None and last.pools[0].shifts[0].staff == 2
    assert last.pools[2].serves[1].rule == "all_busy"
    kinds = {k.name: k.rate.per_year for k in last.event_kinds if k.rate is not None}
    assert kinds["button"] == pytest.approx(7.807 * 1.5)
    assert kinds["smoke"] == pytest.approx(0.3252 * 1.5)
    assert kinds["bed_sensor"] == pytest.approx(1.084)


@pytest.mark.parametrize("bad", [
    {"grid": {"x": {"path": "seed", "values": [1]}}},           # both grid and points
    {"points": None},                                            # neither
    {"colour": "red"},                                           # unknown field
    {"points": [{"name": "a"}, {"name": "a"}]},                  # repeated names
])
def test_invalid_sweep_files_exit_2(tmp_path: Path, bad: dict) -> None:
    assert main(["sweep", str(write_sweep(tmp_path, **bad)), "--out",
                 str(tmp_path / "o")]) == 2


def test_shipped_smoke_sweep_is_valid() -> None:
    for name in ("smoke.yaml", "operators-2020.yaml"):
        path = ROOT / "configs" / "sweeps" / name
        spec, _ = load_sweep(path)
        doc, tasks = plan(spec, path)
        assert all(p["error"] is None for p in doc["points"])
    assert doc["tasks"] == 18 * 20


def test_an_overlay_scenario_can_be_the_base(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(yaml.safe_dump({"base": str(BASE),
                                       "set": {"pools.operators.shifts.0.staff": 3}}))
    path = write_sweep(tmp_path, base=overlay.name)  # relative to the sweep file
    spec, _ = load_sweep(path)
    doc, tasks = plan(spec, path)
    assert tasks[0].cfg is not None and tasks[0].cfg.pools[0].shifts[0].staff == 3
    assert [p["factors"]["pools.operators.shifts.0.staff"] for p in doc["points"]] == [3, 2, 3]


def test_a_sweep_file_sets_the_goal_every_point_is_judged_on(tmp_path: Path, capsys) -> None:
    path = write_sweep(tmp_path, goal={"share": 0.999, "within_s": 120})
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    design = json.loads((out / "design.json").read_text())
    assert design["goal"]["share"] == 0.999 and design["goal"]["within_s"] == 120
    summary = pd.read_csv(out / "sweep-summary.csv")
    low = summary["alarms_answered_within_target_share_ci_low"]
    assert ((low >= 0) & (summary["alarms_answered_within_target_share_ci_high"] <= 1)).all()
    html = (out / "report.html").read_text("utf-8")
    assert "the sweep file&#x27;s goal" in html and "99.9 %" in html
    assert printed.splitlines()[1].rstrip().endswith("goal")  # a verdict column
    assert printed.splitlines()[2].rstrip().endswith(("met", "not proven"))
    assert (out / "sweep-summary.xlsx").stat().st_size > 0
    assert main(["collect", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["goal"]["share"] == 0.999
    assert {p["verdict"] for p in doc["points"]} <= {"met", "not met", "not proven"}
    # a goal that contradicts the base's limit is refused up front, naming the sweep file
    bad = write_sweep(tmp_path, goal={"share": 0.9, "within_s": 60})
    assert main(["sweep", str(bad), "--out", str(tmp_path / "bad")]) == 2
    err = capsys.readouterr().err
    assert "goal" in err and str(bad) in err and not (tmp_path / "bad").exists()


def test_without_any_goal_no_point_is_judged(tmp_path: Path, capsys) -> None:
    path = write_sweep(tmp_path, set={"period.end": "2020-01-08", "goal": None})
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--no-report"]) == 0
    assert " goal" not in capsys.readouterr().out.splitlines()[1]
    assert main(["report", str(out)]) == 0
    assert "No goal" in (out / "report.html").read_text("utf-8")
