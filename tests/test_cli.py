"""The command line: outputs of a run, overrides, and bad input -> exit 2, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from respons.analysis.kpis import KPI_UNITS
from respons.cli import main
from respons.engine.replication import EVENT_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
SHORT = ["--set", "period.end=2020-01-15", "--replications", "2", "--no-report"]
REQUIRED_KPIS = [
    "alarms_answered", "alarms_resolved_by_operator_share", "technical_alerts",
    "technical_resolved_by_operator_share", "alarms_answered_within_target_share",
    "answer_time_mean_s", "answer_time_p90_s", "answer_time_p99_s", "operator_utilisation",
    "backup_answered_share", "legevakt_calls_within_target_share", "homecare_visits",
    "help_arrival_time_mean_s",
]


def test_simulate_writes_complete_run_directory(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    assert main(["simulate", *SHORT, "--out", str(out)]) == 0
    names = {p.name for p in out.iterdir()}
    assert names == {"config.resolved.yaml", "metadata.json", "summary.json",
                     "replications.csv", "municipalities.csv", "events.parquet", "summary.xlsx"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "vaernes-2020"
    assert summary["seed"] == 2020 and summary["replications"] == 2
    for name in REQUIRED_KPIS:
        k = summary["kpis"][name]
        assert set(k) == {"mean", "ci_low", "ci_high", "unit"}
        assert k["unit"] == KPI_UNITS[name]
    assert 0 <= summary["kpis"]["alarms_answered_within_target_share"]["mean"] <= 1
    reps = pd.read_csv(out / "replications.csv")
    assert list(reps["replication"]) == [0, 1]
    assert reps["alarms_answered"].mean() == pytest.approx(
        summary["kpis"]["alarms_answered"]["mean"])
    events = pd.read_parquet(out / "events.parquet")
    assert tuple(events.columns) == EVENT_COLUMNS
    assert set(events["replication"]) == {0, 1}
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["seed"] == 2020 and meta["status"] == "complete" and meta["wall_time_s"] > 0
    assert "numpy" in meta["versions"] and "simpy" in meta["versions"]
    resolved = yaml.safe_load((out / "config.resolved.yaml").read_text())
    assert resolved["period"]["end"] == "2020-01-15" and resolved["replications"] == 2
    printed = capsys.readouterr().out
    lines = printed.splitlines()
    # verdict first, then the cost, then the table with human labels
    assert lines[0].startswith("Goal ") and "of alarms within 120 s, goal 95 %" in lines[0]
    assert lines[2].startswith("Cost of the period: NOK ")
    assert "Alarms answered within 120 s (of offered)" in printed and str(out) in printed
    assert summary["goal"]["share"] == 0.95 and summary["goal"]["within_s"] == 120
    assert summary["goal"]["kpi"] == "alarms_answered_within_target_share"
    assert isinstance(summary["goal"]["met"], bool)


def test_simulate_writes_the_report_by_default(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert main(["simulate", "--set", "period.end=2020-01-08", "--replications", "1",
                 "--out", str(out)]) == 0
    assert (out / "report.html").stat().st_size > 0
    assert any((out / "figures").glob("*.png"))
    assert not list(tmp_path.glob(".*partial*"))


def test_resolved_config_reproduces_the_run(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["simulate", *SHORT, "--no-events", "--out", str(a)]) == 0
    assert main(["simulate", "--config", str(a / "config.resolved.yaml"), "--no-events",
                 "--out", str(b)]) == 0
    assert (a / "summary.json").read_text() == (b / "summary.json").read_text()
    assert not (a / "events.parquet").exists()


def test_jobs_gives_the_same_summary_as_serial(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["simulate", *SHORT, "--no-events", "--out", str(a)]) == 0
    assert main(["simulate", *SHORT, "--no-events", "--jobs", "2", "--out", str(b)]) == 0
    assert (a / "summary.json").read_bytes() == (b / "summary.json").read_bytes()


def test_set_override_changes_the_model(tmp_path: Path) -> None:
    base, more = tmp_path / "base", tmp_path / "more"
    assert main(["simulate", *SHORT, "--no-events", "--out", str(base)]) == 0
    assert main(["simulate", *SHORT, "--no-events", "--out", str(more),
                 "--set", "pools.operators.shifts.0.staff=3"]) == 0
    s0 = json.loads((base / "summary.json").read_text())["kpis"]
    s1 = json.loads((more / "summary.json").read_text())["kpis"]
    assert s1["alarms_answered"]["mean"] == s0["alarms_answered"]["mean"]
    assert s1["answer_time_mean_s"]["mean"] < s0["answer_time_mean_s"]["mean"]


def test_out_refuses_non_empty_directory(tmp_path: Path, capsys) -> None:
    (tmp_path / "keep.txt").write_text("previous results")
    assert main(["simulate", *SHORT, "--out", str(tmp_path)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_default_run_dir_is_new_per_run(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["simulate", *SHORT, "--no-events"]) == 0
    assert main(["simulate", *SHORT, "--no-events"]) == 0
    runs = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert len(runs) == 2 and all(r.endswith(("_vaernes-2020", "_vaernes-2020-2")) for r in runs)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--config", "does-not-exist.yaml"], "does not exist"),
        (["--set", "pools.operators.shifts.0.staff=-1"], "pools.0.shifts.0.staff"),
        (["--set", "colour=blue"], "`colour`"),
        (["--set", "event_kinds.button.outcomes.homecare=0.9"], "event_kinds.0.outcomes"),
        (["--set", "event_kinds.0.profile=flat"], "event_kinds.0.profile"),
        (["--set", "pools.nobody.staff=1"], "no entry named 'nobody'"),
        (["--set", "noequals"], "path.to.field=VALUE"),
        (["--replications", "0"], "--replications"),
        (["--set", "event_kinds.0.talk.kind=weibull"], "event_kinds.0.talk"),
        (["--set", "pools.0.shifts.0.start=25:00"], "pools.0.shifts.0.start"),
    ],
)
def test_bad_input_exits_2_naming_the_field(args: list[str], needle: str, capsys) -> None:
    assert main(["simulate", *args]) == 2
    err = capsys.readouterr().err
    assert needle in err
    assert "Traceback" not in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("- just\n- a list\n", "must be a YAML mapping"),
        ("a: [unclosed\n", "not valid YAML"),
        (b"\xff\xfe\x00binary", "UTF-8"),
        ("scenario: x\n", "field `period`"),
    ],
)
def test_bad_config_files_exit_2(tmp_path: Path, content: str | bytes, needle: str,
                                 capsys) -> None:
    path = tmp_path / "bad.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    assert main(["simulate", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert needle in err and str(path) in err


def test_subprocess_error_has_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenario: [1, 2]\n")
    proc = subprocess.run([sys.executable, "-m", "respons", "simulate", "--config", str(bad)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "scenario" in proc.stderr
    assert not (tmp_path / "runs").exists()


def test_schema_is_json_with_field_descriptions(capsys) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "pools" in schema["properties"] and "municipalities" in schema["properties"]
    assert "seconds" in json.dumps(schema)


def test_failed_run_is_marked_and_has_no_summary(tmp_path: Path, monkeypatch, capsys) -> None:
    import respons.runs.replications as runner

    def boom(*args, **kwargs):
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(runner, "run", boom)
    out = tmp_path / "run"
    assert main(["simulate", *SHORT, "--out", str(out)]) == 1  # a failed computation
    err = capsys.readouterr().err
    assert "simulated crash" in err and f"marked failed in {out}" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert (out / "failed.json").exists() and not (out / "summary.json").exists()
    assert "simulated crash" in (out / "failed.json").read_text()
    assert (out / "config.resolved.yaml").exists()
