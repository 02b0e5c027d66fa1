"""Nothing lost, nothing repeated, same numbers every time: interrupted sweeps resume to the
same results, runs never overwrite each other, outputs are byte-identical across processes."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _respons(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "respons", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


def test_simulate_outputs_are_byte_identical_across_processes(tmp_path: Path) -> None:
    args = ["simulate", "--set", "period.end=2020-01-22", "--replications", "2"]
    for name in ("a", "b"):
        proc = _respons(*args, "--out", str(tmp_path / name), cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    for f in ("summary.json", "events.parquet", "replications.csv", "config.resolved.yaml"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def _sweep_file(tmp_path: Path, replications: int) -> Path:
    sweep = {
        "name": "killable",
        "base": str(ROOT / "configs" / "vaernes-2020.yaml"),
        "set": {"period.start": "2020-11-01", "period.end": "2020-12-01"},
        "replications": replications,
        "points": [{"name": "baseline"},
                   {"name": "two-day", "set": {"pools.operators.shifts.0.staff": 2}}],
    }
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(sweep))
    return path


def _task_files(out: Path) -> list[Path]:
    return sorted((out / "tasks").rglob("rep-*.json")) if (out / "tasks").exists() else []


def test_sweep_killed_with_sigkill_resumes_to_identical_results(tmp_path: Path) -> None:
    sweep = _sweep_file(tmp_path, replications=8)
    whole = tmp_path / "whole"
    proc = _respons("sweep", str(sweep), "--out", str(whole), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    total = len(_task_files(whole))
    assert total == 16

    cut = tmp_path / "cut"
    child = subprocess.Popen([sys.executable, "-m", "respons", "sweep", str(sweep), "--out",
                              str(cut)], cwd=tmp_path, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while len(_task_files(cut)) < 3 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if child.poll() is not None:
        pytest.skip("the sweep finished before it could be killed (machine too fast)")
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    done_before = len(_task_files(cut))
    assert 0 < done_before < total
    assert not (cut / "sweep-summary.csv").exists() or done_before == total

    proc = _respons("sweep", str(sweep), "--out", str(cut), "--resume", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert len(_task_files(cut)) == total
    a = pd.read_csv(whole / "results.csv")
    b = pd.read_csv(cut / "results.csv")
    assert (whole / "results.csv").read_bytes() == (cut / "results.csv").read_bytes()
    assert not b.duplicated(["point", "replication"]).any() and len(a) == len(b)


def test_second_run_never_overwrites_the_first(tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ["simulate", "--set", "period.end=2020-01-08", "--replications", "1", "--no-events"]
    assert _respons(*args, "--out", str(out), cwd=tmp_path).returncode == 0
    before = (out / "summary.json").read_bytes()
    proc = _respons(*args, "--seed", "7", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 2 and "not empty" in proc.stderr
    assert (out / "summary.json").read_bytes() == before


def test_overload_is_reported_and_the_run_still_ends(tmp_path: Path, capsys) -> None:
    from respons.cli import main

    out = tmp_path / "over"
    args = ["simulate", "--set", "event_kinds.button.rate.per_year=200", "--set",
            "period.end=2020-01-15", "--set", "drain_days=1", "--replications", "1",
            "--no-report", "--out", str(out)]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "at or above" in err and "still waiting when the period ended" in err
    import json

    summary = json.loads((out / "summary.json").read_text())
    assert summary["offered_load"]["utilisation"] > 1
    assert summary["kpis"]["alarms_answered_within_target_share"]["mean"] < 0.5
    assert summary["kpis"]["waiting_at_period_end"]["mean"] > 100


def test_a_config_too_big_for_memory_is_refused_before_running(capsys) -> None:
    from respons.cli import main

    assert main(["simulate", "--set", "event_kinds.button.rate.per_year=1e6",
                 "--no-report"]) == 2
    assert "contacts per replication" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["../escape", "a/b", "/abs", "..", ".hidden", "x y"])
def test_names_cannot_escape_the_runs_directory(tmp_path: Path, name: str, capsys) -> None:
    """Scenario and sweep-point names become directory names: only plain names are allowed."""
    from respons.cli import main

    assert main(["simulate", "--set", f"scenario={name}", "--no-report"]) == 2
    assert "scenario" in capsys.readouterr().err
    sweep = tmp_path / "s.yaml"
    sweep.write_text(yaml.safe_dump({
        "base": str(ROOT / "configs" / "vaernes-2020.yaml"), "replications": 1,
        "set": {"period.end": "2020-01-03"}, "points": [{"name": name}]}))
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "out"), "--no-report"]) == 2
    assert not (tmp_path.parent / "escape").exists() and not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------------------------
# Issue 18: one test (at least) per class of hostile or careless input.

SHORT_ARGS = ["--set", "period.end=2020-01-03", "--replications", "1", "--no-report"]


def _tiny_config(tmp_path: Path) -> Path:
    data = yaml.safe_load((ROOT / "configs" / "vaernes-2020.yaml").read_text("utf-8"))
    data["period"] = {"start": dt.date(2020, 1, 1), "end": dt.date(2020, 1, 3)}
    data["replications"] = 1
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    return path


def _one_error_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.startswith("error: ")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def _wait_for(predicate, timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


# 1. two runs into the same --out -------------------------------------------------------------


def test_two_processes_into_one_out_one_completes_one_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "same"
    args = ["simulate", "--set", "period.end=2020-03-01", "--replications", "2", "--no-report",
            "--out", str(out)]
    first = subprocess.Popen([sys.executable, "-m", "respons", *args, "--seed", "1"],
                             cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    assert _wait_for(lambda: (tmp_path / ".same.lock").exists() or first.poll() is not None)
    second = _respons(*args, "--seed", "2", cwd=tmp_path)
    _, err1 = first.communicate(timeout=600)
    assert first.returncode == 0, err1
    assert second.returncode == 2
    line = _one_error_line(second.stderr)
    assert "being written by another respons process" in line or "not empty" in line
    # the winner's directory is complete and of one run only
    meta = yaml.safe_load((out / "metadata.json").read_text())
    summary = yaml.safe_load((out / "summary.json").read_text())
    config = yaml.safe_load((out / "config.resolved.yaml").read_text())
    assert meta["status"] == "complete" and meta["seed"] == summary["seed"] == config["seed"] == 1
    assert not (out / "failed.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["same"]  # no partial, no lock


def test_two_processes_racing_from_the_start_leave_one_complete_run(tmp_path: Path) -> None:
    out = tmp_path / "race"
    args = ["simulate", *SHORT_ARGS, "--no-events", "--out", str(out)]
    procs = [subprocess.Popen([sys.executable, "-m", "respons", *args, "--seed", str(s)],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for s in (1, 2)]
    results = [(p.wait(timeout=600), p.communicate()[1]) for p in procs]
    assert sorted(rc for rc, _ in results) == [0, 2], results
    winner = next(i for i, (rc, _) in enumerate(results) if rc == 0) + 1
    assert yaml.safe_load((out / "summary.json").read_text())["seed"] == winner
    assert yaml.safe_load((out / "config.resolved.yaml").read_text())["seed"] == winner
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race"]


def test_a_run_without_out_moves_to_a_free_name_when_its_name_is_taken(tmp_path: Path) -> None:
    from respons.runs.rundir import exclusive, final_name, run_directory

    target = tmp_path / "20200101T000000Z_x"
    with exclusive(target), run_directory(target, fresh=True) as work:  # held by "another"
        (work / "summary.json").write_text("{}")
        assert final_name(work).name == "20200101T000000Z_x-2"
    assert (tmp_path / "20200101T000000Z_x-2" / "summary.json").exists()


def test_a_second_process_on_the_same_sweep_shard_is_refused(tmp_path: Path) -> None:
    from respons.runs.rundir import exclusive

    sweep = _sweep_file(tmp_path, replications=1)
    out = tmp_path / "sw"
    with exclusive(out, "shard-0-of-1", doing="run (shard 0/1)"):  # as a running sweep holds it
        second = _respons("sweep", str(sweep), "--out", str(out), "--resume", "--no-report",
                          cwd=tmp_path)
        other = _respons("sweep", str(sweep), "--out", str(out), "--shard", "1/2",
                         "--no-report", cwd=tmp_path)
    assert second.returncode == 2
    line = _one_error_line(second.stderr)
    assert f"{out} is being run (shard 0/1) by another respons process {os.getpid()}" in line
    assert other.returncode == 0, other.stderr  # another shard may share the directory
    assert len(list((out / "tasks").rglob("rep-*.json"))) == 1


def test_a_single_output_file_is_never_replaced_by_a_second_writer(tmp_path: Path) -> None:
    from respons.errors import UserError
    from respons.runs.rundir import write_text

    path = tmp_path / "comparison.md"
    write_text(path, "first\n", new=True)
    with pytest.raises(UserError, match="never overwritten"):
        write_text(path, "second\n", new=True)
    assert path.read_text() == "first\n" and [p.name for p in tmp_path.iterdir()] == [path.name]


# 2. paths from files ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_sweep(tmp_path_factory) -> Path:
    from respons.cli import main

    tmp = tmp_path_factory.mktemp("small-sweep")
    config = _tiny_config(tmp)
    (tmp / "s.yaml").write_text(yaml.safe_dump({
        "base": str(config), "replications": 2,
        "points": [{"name": "a"}, {"name": "b", "set": {"pools.operators.shifts.0.staff": 2}}]}))
    assert main(["sweep", str(tmp / "s.yaml"), "--out", str(tmp / "out"), "--no-report"]) == 0
    return tmp / "out"


def _copy(src: Path, dst: Path) -> Path:
    import shutil

    shutil.copytree(src, dst, symlinks=True)
    return dst


@pytest.mark.parametrize("name", ["../../escape", "../escape", "/abs", "a/../../x", ".."])
def test_collect_refuses_point_names_that_leave_the_sweep(small_sweep: Path, tmp_path: Path,
                                                           name: str, capsys) -> None:
    import json

    from respons.cli import main

    root = _copy(small_sweep, tmp_path / "box" / "sweep")
    doc = json.loads((root / "design.json").read_text())
    doc["points"][1]["name"] = name
    (root / "design.json").write_text(json.dumps(doc))
    before = sorted(p.name for p in tmp_path.rglob("*") if "sweep" not in p.parts)
    assert main(["collect", str(root)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert str(root / "design.json") in line and "points.1.name" in line
    assert sorted(p.name for p in tmp_path.rglob("*") if "sweep" not in p.parts) == before


def test_collect_refuses_a_link_leading_out_of_the_sweep(small_sweep: Path, tmp_path: Path,
                                                         capsys) -> None:
    import shutil

    from respons.cli import main

    root = _copy(small_sweep, tmp_path / "sweep")
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(root / "points" / "b")
    (root / "points" / "b").symlink_to(outside)
    assert main(["collect", str(root)]) == 2
    assert "leads outside the sweep directory" in _one_error_line(capsys.readouterr().err)
    assert list(outside.iterdir()) == []


def test_control_characters_in_sweep_levels_do_not_break_the_workbook(tmp_path: Path,
                                                                       capsys) -> None:
    from openpyxl import load_workbook

    from respons.cli import main

    sweep = tmp_path / "s.yaml"
    sweep.write_text(yaml.safe_dump({
        "base": str(_tiny_config(tmp_path)), "replications": 1,
        "grid": {"desc": {"path": "description", "values": ["a\x02b\x86"]}}}))
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "o"), "--no-report"]) == 0
    assert "error" not in capsys.readouterr().err
    (book,) = (tmp_path / "o").glob("*.xlsx")
    cells = [c.value for ws in load_workbook(book) for row in ws.iter_rows() for c in row]
    assert "ab\x86" in cells


# 3. YAML -------------------------------------------------------------------------------------


def test_repeated_keys_are_errors_naming_key_and_lines(tmp_path: Path, capsys) -> None:
    from respons.cli import main

    config = _tiny_config(tmp_path)
    text = config.read_text("utf-8")
    config.write_text(text.replace("drain_days: 7\n", "drain_days: 7\ndrain_days: 1\n"), "utf-8")
    line_no = text.splitlines().index("drain_days: 7") + 1
    assert main(["simulate", "--config", str(config), "--no-report", "--out",
                 str(tmp_path / "o")]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert str(config) in line and "duplicate key `drain_days`" in line
    assert f"line {line_no + 1} (first on line {line_no})" in line
    assert main(["simulate", *SHORT_ARGS, "--set", "goal={share: 0.9, share: 0.8}"]) == 2
    assert "duplicate key `share`" in _one_error_line(capsys.readouterr().err)
    sweep = tmp_path / "dup.yaml"
    sweep.write_text(f"base: {config}\nreplications: 1\nreplications: 2\npoints: [{{name: a}}]\n")
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "o")]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert str(sweep) in line and "duplicate key `replications` on line 3" in line
    assert not (tmp_path / "o").exists()


def test_an_alias_bomb_in_a_sweep_point_is_refused_cheaply(tmp_path: Path, capsys) -> None:
    import resource

    from respons.cli import main

    config = _tiny_config(tmp_path)
    bomb = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10))
    sweep = tmp_path / "bomb.yaml"
    sweep.write_text(f"l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n{bomb}"
                     f"base: {config}\nreplications: 1\n"
                     "points: [{name: a, set: {description: *l9}}]\n")
    assert len(sweep.read_bytes()) < 1000  # 9^10 = 3.5 billion strings once expanded
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "o")]) == 2
    assert time.perf_counter() - t0 < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 200_000  # kB
    line = _one_error_line(capsys.readouterr().err)
    assert str(sweep) in line and "expands to more than" in line


def test_an_impossible_date_is_a_field_error(tmp_path: Path, capsys) -> None:
    from respons.cli import main

    config = _tiny_config(tmp_path)
    text = config.read_text()
    assert "end: 2020-01-03" in text
    config.write_text(text.replace("end: 2020-01-03", "end: 2020-02-30"))
    assert main(["simulate", "--config", str(config), "--no-report", "--out",
                 str(tmp_path / "o")]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert str(config) in line and "field `period.end`" in line and "2020-02-30" in line


# 4. non-finite and extreme numbers ------------------------------------------------------------


@pytest.mark.parametrize(("assignment", "field"), [
    ("drain_days=.inf", "drain_days"),
    ("drain_days=1e308", "drain_days"),
    ("event_kinds.button.talk.mean_s=.nan", "event_kinds.0.talk.mean_s"),
    ("event_kinds.button.talk.sd_s=1e308", "event_kinds.0.talk.sd_s"),
    ("event_kinds.button.rate.per_year=.inf", "event_kinds.0.rate.per_year"),
    ("profiles.alarm.hourly.3=1e308", "profiles.alarm.hourly"),
    ("municipalities.Selbu.homecare.travel={kind: gamma, mean_s: 600, cv: 1e9}",
     "municipalities.1.homecare.travel.cv"),
    ("bursts=[{name: s, kind: button, start: 2020-01-01T10:00:00, duration_s: .inf, "
     "count: 9}]", "bursts.0.duration_s"),
    ("bursts=[{name: s, kind: button, start: 2020-01-01T10:00:00, duration_s: 1e6, "
     "count: 9}]", "bursts.0.duration_s"),
    ("fte_hours_per_week=1e-300", "fte_hours_per_week"),
    ("municipalities.0.population=1e300", "municipalities.0.population"),
    ("seed=99999999999999999999999", "seed"),
    ("period.end=2099-01-01", "period.end"),
    ("pools.operators.shifts.0.staff=1000000000", "pools.0.shifts.0.staff"),
])
def test_non_finite_and_extreme_numbers_are_field_errors(assignment: str, field: str,
                                                         capsys) -> None:
    from respons.cli import main

    assert main(["simulate", *SHORT_ARGS, "--set", assignment]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert f"field `{field}`" in line, line


def test_weights_of_any_size_rescale_exactly() -> None:
    from respons.config.distributions import Empirical

    dist = Empirical(values_s=[10.0, 20.0, 30.0], weights=[1e9, 1e9, 0.0])
    assert dist.mean == 15.0
    assert Empirical(values_s=[1.0, 3.0], weights=[5e-320, 5e-320]).mean == 2.0


def test_every_shipped_sweep_plans_with_valid_points() -> None:
    from respons.studies.sweep import load_sweep, plan

    for path in sorted((ROOT / "configs" / "sweeps").glob("*.yaml")):
        spec, _ = load_sweep(path)
        _, tasks = plan(spec, path)
        assert all(t.cfg is not None for t in tasks), path


# 5. operating-system errors ---------------------------------------------------------------------


def test_a_full_disk_is_one_line_exit_1_and_the_run_is_marked_failed(tmp_path: Path,
                                                                      monkeypatch,
                                                                      capsys) -> None:
    import errno

    import respons.runs.outputs as outputs
    from respons.cli import main

    def full(work, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(work / "events.parquet"))

    monkeypatch.setattr(outputs, "write_results", full)
    out = tmp_path / "run"
    assert main(["simulate", *SHORT_ARGS, "--out", str(out)]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "No space left on device" in line and "events.parquet" in line
    assert f"marked failed in {out}" in line
    assert (out / "failed.json").exists() and not (out / "summary.json").exists()


def test_when_even_the_failure_cannot_be_written_nothing_is_kept(tmp_path: Path, monkeypatch,
                                                                 capsys) -> None:
    import errno

    import respons.runs.outputs as outputs
    import respons.runs.rundir as rundir
    from respons.cli import main

    def full(path, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(outputs, "write_results", full)
    monkeypatch.setattr(rundir, "write_json", full)
    out = tmp_path / "run"
    assert main(["simulate", *SHORT_ARGS, "--out", str(out)]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "No space left on device" in line and "nothing was kept" in line
    assert list(tmp_path.iterdir()) == []


def test_a_file_in_the_way_or_a_forbidden_directory_is_exit_2(tmp_path: Path, monkeypatch,
                                                              capsys) -> None:
    import errno

    import respons.runs.rundir as rundir
    from respons.cli import main

    (tmp_path / "file").write_text("x")
    assert main(["simulate", *SHORT_ARGS, "--out", str(tmp_path / "file" / "run")]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert str(tmp_path / "file") in line
    assert main(["sweep", str(_sweep_file(tmp_path, 1)), "--out", str(tmp_path / "file")]) == 2
    assert "not a directory" in _one_error_line(capsys.readouterr().err)

    real_open = os.open

    def denied(path, *args, **kwargs):
        if str(path).startswith(str(tmp_path / "ro")):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    (tmp_path / "ro").mkdir()
    monkeypatch.setattr(rundir.os, "open", denied)
    assert main(["simulate", *SHORT_ARGS, "--out", str(tmp_path / "ro" / "run")]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert f"cannot use {tmp_path / 'ro'}" in line and "Permission denied" in line
    assert list((tmp_path / "ro").iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to read-only directories")
def test_a_read_only_directory_is_exit_2(tmp_path: Path, capsys) -> None:
    from respons.cli import main

    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        assert main(["simulate", *SHORT_ARGS, "--out", str(ro / "run")]) == 2
        assert "Permission denied" in _one_error_line(capsys.readouterr().err)
    finally:
        ro.chmod(0o755)


# 6. damaged outputs read back -------------------------------------------------------------------


def _kpi_edit(text: str, key: str, value: object) -> str:
    import json

    doc = json.loads(text)
    next(iter(doc["kpis"].values()))[key] = value
    return json.dumps(doc)


def _edit(text: str, keys: list[str], value: object) -> str:
    import json

    doc = json.loads(text)
    node = doc
    for k in keys[:-1]:
        node = node[k]
    node[keys[-1]] = value
    return json.dumps(doc)


@pytest.mark.parametrize(("name", "damage", "needle"), [
    ("summary.json", lambda t: t[: len(t) // 2], "not valid JSON"),
    ("summary.json", lambda t: _kpi_edit(t, "unit", 5), "unit"),
    ("summary.json", lambda t: _kpi_edit(t, "mean", "x"), "mean"),
    ("replications.csv", lambda t: t.replace("\n0,", "\nzero,", 1), "`replication`"),
    ("metadata.json", lambda t: "[1, 2]", "not a JSON object"),
    ("summary.json", lambda t: _edit(t, ["by_municipality", "Selbu", "alarms"], True),
     "by_municipality.Selbu.alarms"),
    ("summary.json", lambda t: _edit(t, ["goal"], {"share": "0.9", "within_s": 120}),
     "goal.share"),
    ("summary.json", lambda t: _edit(t, ["costs"], {"by_service": {}}), "costs.total_nok"),
    ("config.resolved.yaml", lambda t: t.replace("drain_days: 7", "drain_days: .inf"),
     "drain_days"),
])
def test_report_on_a_damaged_run_names_the_file(short_run: Path, tmp_path: Path, name, damage,
                                                needle, capsys) -> None:
    from respons.cli import main

    run = _copy(short_run, tmp_path / "run")
    path = run / name
    path.write_text(damage(path.read_text("utf-8")), "utf-8")
    assert main(["report", str(run)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert str(path) in line and needle in line, line


@pytest.mark.parametrize(("name", "damage"), [
    ("events.parquet", "truncate"), ("events.parquet", "drop-column"),
    ("breakdown.npz", "truncate"), ("breakdown.npz", "one-replication"),
    ("breakdown.npz", "infinite"),
])
def test_report_on_damaged_tallies_or_event_table_names_the_file(short_run: Path,
                                                                 tmp_path: Path, name: str,
                                                                 damage: str, capsys) -> None:
    import shutil

    import numpy as np

    from respons.cli import main

    run = _copy(short_run, tmp_path / "run")
    shutil.rmtree(run / "figures")  # the figures are drawn again from the tallies
    path = run / name
    if name == "events.parquet":
        (run / "breakdown.npz").unlink()  # then the tallies are counted from the events
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:5000])
    elif damage == "drop-column":
        pd.read_parquet(path).drop(columns=["wait_s"]).to_parquet(path)
    else:
        with np.load(path) as z:
            arrays = {k: z[k] for k in z.files}
        arrays["wait_hist"] = (arrays["wait_hist"][:1] if damage == "one-replication"
                               else np.full(arrays["wait_hist"].shape, np.inf))
        with path.open("wb") as f:
            np.savez(f, **arrays)
    assert main(["report", str(run)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert str(path) in line


@pytest.mark.parametrize(("target", "text", "needle"), [
    ("design.json", '{"points": [', "not valid JSON"),
    ("design.json", '{"replications": 2, "factors": [], "kpis": ["x"], "points": []}',
     "field `points`"),
    ("design.json", '{"replications": 2, "factors": [], "kpis": ["x"], "points": [{"name": "a",'
     ' "factors": {}, "config_sha256": null}]}', "unknown KPI name"),
    ("tasks/a/rep-0.json", '{"point": "a", "replication": 0, "status": 5}', "status"),
    ("tasks/b/rep-1.json", '{"point": "a", "replication": 0, "status": "ok", "kpis": {"x": 1}}',
     "moved from elsewhere"),
    ("tasks/a/rep-1.json", '\x00\x01', "not valid JSON"),
])
def test_collect_on_damaged_files_names_file_and_field(small_sweep: Path, tmp_path: Path,
                                                       target, text, needle, capsys) -> None:
    from respons.cli import main

    root = _copy(small_sweep, tmp_path / "sweep")
    (root / target).write_text(text, "utf-8")
    assert main(["collect", str(root)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert str(root / target) in line and needle in line, line


# 7. event logs --------------------------------------------------------------------------------


def test_event_log_offsets_are_converted_to_oslo_time_and_a_bom_is_accepted(
        tmp_path: Path) -> None:
    from respons.studies.eventlog import profiles, read_log

    rows = ["2020-03-02T07:15:00+00:00", "2020-03-02T08:15:00+01:00", "2020-03-02T09:15:00+02:00",
            "2020-03-02T07:15:00Z", "2020-03-02T08:15:00",  # one instant, five spellings
            "2020-07-01T06:15:00Z", "2020-07-01T08:15:00"]  # summer time: UTC+2
    log = tmp_path / "log.csv"
    log.write_bytes(b"\xef\xbb\xbf" + ("timestamp,category\n" + "".join(
        f"{r},alarm\n" for r in rows)).encode("utf-8"))
    summary = read_log(log)
    assert summary.hourly["alarm"][8] == 7 and sum(summary.hourly["alarm"]) == 7
    assert profiles(summary)["alarm"]["count"] == 7


@pytest.mark.parametrize("talk", ["inf", "-inf", "nan", "1e308", "86401"])
def test_event_log_non_finite_talk_times_are_refused_by_line(tmp_path: Path, talk: str,
                                                            capsys) -> None:
    from respons.cli import main

    log = tmp_path / "log.csv"
    log.write_text("timestamp,category,talk_s\n2020-03-02T08:00:00,alarm,60\n"
                   f"2020-03-02T09:00:00,alarm,{talk}\n", "utf-8")
    assert main(["profile-log", str(log)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert str(log) in line and f"line 3: bad talk_s '{talk}'" in line


# 8. interrupted work ----------------------------------------------------------------------------


def test_a_killed_run_is_marked_failed_by_the_next_run(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    child = subprocess.Popen([sys.executable, "-m", "respons", "simulate", "--set",
                              "period.end=2020-06-01", "--replications", "4", "--no-report"],
                             cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert _wait_for(lambda: any((p / "config.resolved.yaml").exists()
                                 for p in runs.glob(".*.partial")) or child.poll() is not None)
    if child.poll() is not None:
        pytest.skip("the run finished before it could be killed")
    child.kill()
    child.wait()
    stale = next(runs.glob(".*.partial"))
    proc = _respons("simulate", *SHORT_ARGS, "--no-events", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "marked failed" in proc.stderr and f"process {child.pid}" in proc.stderr
    failed = runs / stale.name[1:-len(".partial")]
    info = yaml.safe_load((failed / "failed.json").read_text())
    assert info["interrupted"] is True and str(child.pid) in info["error"]
    assert not list(runs.glob(".*")), "a partial directory or lock was left behind"


def test_a_killed_run_into_out_can_be_run_again(tmp_path: Path) -> None:
    out = tmp_path / "x"
    child = subprocess.Popen([sys.executable, "-m", "respons", "simulate", "--set",
                              "period.end=2020-06-01", "--replications", "4", "--no-report",
                              "--out", str(out)], cwd=tmp_path, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    assert _wait_for(lambda: (tmp_path / ".x.partial" / "config.resolved.yaml").exists()
                     or child.poll() is not None)
    if child.poll() is not None:
        pytest.skip("the run finished before it could be killed")
    child.kill()
    child.wait()
    proc = _respons("simulate", *SHORT_ARGS, "--no-events", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "removed" in proc.stderr and f"process {child.pid}" in proc.stderr
    assert (out / "summary.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x"]


@pytest.mark.parametrize("command", ["simulate", "sweep"])
def test_worker_processes_end_with_a_killed_parent(tmp_path: Path, command: str) -> None:
    psutil = pytest.importorskip("psutil")
    if command == "simulate":
        args = ["simulate", "--jobs", "2", "--replications", "6", "--no-report", "--out",
                str(tmp_path / "out")]
    else:
        args = ["sweep", str(_sweep_file(tmp_path, 6)), "--jobs", "2", "--out",
                str(tmp_path / "out")]
    child = subprocess.Popen([sys.executable, "-m", "respons", *args], cwd=tmp_path,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(child.pid)

    def workers() -> list:
        try:
            return [p for p in parent.children(recursive=True)
                    if "popen_loky" in " ".join(p.cmdline())]
        except psutil.Error:
            return []

    busy = _wait_for(lambda: len(workers()) >= 2
                     and all(w.cpu_times().user > 0.3 for w in workers())
                     or child.poll() is not None, timeout=300)
    if child.poll() is not None or not busy:
        pytest.skip("the run ended before its workers were busy")
    started = workers()
    child.kill()
    child.wait()

    def gone() -> bool:
        return not [w for w in started
                    if w.is_running() and w.status() != psutil.STATUS_ZOMBIE]

    assert _wait_for(gone, timeout=10), [w.pid for w in started]


# 9. extreme analytic inputs ----------------------------------------------------------------------


@pytest.mark.parametrize(("args", "needle"), [
    (["--per-hour", "1e300", "--aht", "1e300", "--service-level", "0.99"], "--per-hour"),
    (["--per-hour", "1e9", "--aht", "1e300", "--agents", "2"], "--aht"),
    (["--per-hour", "1e9", "--aht", "31622400", "--service-level", "0.99"], "not reachable"),
    (["--per-hour", "900", "--aht", "400", "--agents", "5", "--patience", "30000",
      "--target", "31622400"], "too costly"),
])
def test_extreme_erlang_inputs_are_a_clear_error(args: list[str], needle: str,
                                                 capsys) -> None:
    from respons.cli import main

    t0 = time.perf_counter()
    rc = main(["erlang", "--target", "120", *args]) if "--target" not in args else \
        main(["erlang", *args])
    assert rc == 2 and time.perf_counter() - t0 < 30
    assert needle in _one_error_line(capsys.readouterr().err)


def test_large_but_real_erlang_inputs_are_answered_fast(capsys) -> None:
    import json

    from respons.cli import main

    t0 = time.perf_counter()
    assert main(["erlang", "--per-hour", "96", "--aht", "2743363", "--target", "1.5",
                 "--service-level", "0.99", "--json"]) == 0  # 73,000 erlangs
    assert main(["erlang", "--per-hour", "20348", "--aht", "995", "--target", "390",
                 "--agents", "2", "--patience", "330", "--json"]) == 0
    assert time.perf_counter() - t0 < 30
    first, second = (json.loads(x) for x in capsys.readouterr().out.splitlines())
    assert first["agents_needed"] > 73_000 and 0 <= second["service_level"] < 1e-6


# 10. no abbreviations --------------------------------------------------------------------------


def test_no_flag_may_be_abbreviated(capsys) -> None:
    import argparse

    from respons.cli import main
    from respons.cli.main import COMMANDS, build_parser

    for command in ["simulate", "schema", *COMMANDS]:
        parser = build_parser(command)
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        assert parser.allow_abbrev is False and sub.choices[command].allow_abbrev is False
    for argv in (["simulate", "--replication", "2"], ["erlang", "--per-hour", "6", "--aht",
                                                      "240", "--agent", "2", "--target", "120"],
                 ["sweep", "x.yaml", "--res"]):
        assert main(argv) == 2
        assert "unrecognized arguments" in _one_error_line(capsys.readouterr().err)
