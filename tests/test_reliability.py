"""Nothing lost, nothing repeated, same numbers every time: interrupted sweeps resume to the
same results, runs never overwrite each other, outputs are byte-identical across processes."""

from __future__ import annotations

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
