"""The headline's range over the assumptions beside the verdict: stored in the config by an
uncertainty study (`assumption_ranges:`), shown only while the config's model inputs are the
ones the study ran on (fingerprint)."""

from __future__ import annotations

import json
from pathlib import Path

import pydantic
import pytest
import yaml

from respons.cli import main
from respons.config import KpiRange
from respons.config.fingerprint import current_ranges, fingerprint
from respons.config.loading import load_builtin, validate
from respons.report.page import verdict_section
from respons.report.tables import range_lines
from respons.runs.outputs import assumption_ranges

GOAL_KPIS = {"alarms_answered_within_target_share", "legevakt_calls_within_target_share"}


def test_the_2020_baseline_carries_current_ranges_for_its_goals() -> None:
    """Fails when a model input of the baseline changes without the study being re-run (the
    ranges then belong to another config and are hidden)."""
    cfg = load_builtin("vaernes-2020")
    found = current_ranges(cfg)
    assert set(found) >= GOAL_KPIS
    for kpi in GOAL_KPIS:
        assert 0 <= found[kpi].low <= found[kpi].high <= 1


@pytest.mark.parametrize("change", ["seed=7", "replications=3", "goal.share=0.9", "lang=nb",
                                    "scenario=renamed"])
def test_what_does_not_change_the_model_keeps_the_ranges(change: str) -> None:
    cfg = load_builtin("vaernes-2020", [change])
    assert fingerprint(cfg) == fingerprint(load_builtin("vaernes-2020"))
    assert set(current_ranges(cfg)) >= GOAL_KPIS


@pytest.mark.parametrize("change", ["drain_days=6", "pools.nurses.serves.1.after_s=90",
                                    "event_kinds.button.talk.mean_s=200"])
def test_a_changed_input_hides_the_ranges(change: str) -> None:
    cfg = load_builtin("vaernes-2020", [change])
    assert current_ranges(cfg) == {}
    assert assumption_ranges(cfg) == {}


def test_a_range_must_be_ordered() -> None:
    with pytest.raises(pydantic.ValidationError):
        KpiRange(kpi="x", low=0.9, high=0.8, config_sha256="0" * 64, study="s")


def test_verdict_lines_in_terminal_json_and_report(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    argv = ["simulate", "--set", "period.end=2020-01-15", "--replications", "2",
            "--no-report", "--no-events", "--out", str(out)]
    # a shorter period is a changed model input: no range
    assert main(argv) == 0
    assert "plausible ranges" not in capsys.readouterr().out
    assert json.loads((out / "summary.json").read_text())["assumption_ranges"] == {}
    # the baseline itself: the stored range after the verdict, in terminal, JSON and report
    base = tmp_path / "base"
    assert main(["simulate", "--replications", "2", "--no-report", "--no-events",
                 "--out", str(base)]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[2].startswith("Over the assumptions' plausible ranges")
    assert "79.8 % to 98.9 % of alarms within 120 s" in text[2]
    doc = json.loads((base / "summary.json").read_text())
    assert set(doc["assumption_ranges"]) >= GOAL_KPIS
    assert "79,8\u00a0% til 98,9\u00a0%" in range_lines(doc, "nb")[0]
    html = verdict_section(doc, "en")
    assert 'class="range"' in html and "79.8 % to 98.9 %" in html


def test_the_study_writes_a_block_that_loads_and_matches(tmp_path: Path) -> None:
    out = tmp_path / "unc"
    tiny = ["--set", "period.start=2020-09-01", "--set", "period.end=2020-09-08",
            "--trajectories", "2", "--samples", "4", "--replications", "1"]
    assert main(["uncertainty", *tiny, "--out", str(out)]) == 0
    block = yaml.safe_load((out / "assumption_ranges.yaml").read_text())
    cfg = load_builtin("vaernes-2020", tiny[1::2][:2])
    data = {**cfg.model_dump(mode="json"), **block}
    again = validate(data, "the study's block")
    assert {r.kpi for r in again.assumption_ranges} >= GOAL_KPIS
    assert set(current_ranges(again)) == {r.kpi for r in again.assumption_ranges}
