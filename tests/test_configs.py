"""Every shipped config validates and runs a short horizon; the embedded default is the
shipped baseline."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from respons.config import Category, ScenarioConfig
from respons.config.loading import default_config_text, load_config
from respons.errors import UserError
from respons.runs.replications import run

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = sorted((ROOT / "configs").rglob("*.yaml"))


def test_embedded_default_is_the_shipped_baseline() -> None:
    assert default_config_text() == (ROOT / "configs" / "vaernes-2020.yaml").read_text("utf-8")


@pytest.mark.parametrize("name", ["vaernes-2019.yaml", "vaernes-2020.yaml"])
def test_embedded_year_configs_equal_configs_dir(name: str) -> None:
    embedded = ROOT / "respons" / "data" / name
    assert embedded.read_text("utf-8") == (ROOT / "configs" / name).read_text("utf-8")


# sweep files and roster shift catalogues (tests/test_roster.py) are not scenarios
SCENARIO_CONFIGS = [p for p in CONFIGS if "sweeps" not in p.parts and "shifts" not in p.parts]


@pytest.mark.parametrize("path", SCENARIO_CONFIGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_config_validates_and_runs_short(path: Path) -> None:
    full = load_config(path)  # resolves overlays (`base:`) too
    start = full.period.end - dt.timedelta(days=14)  # every municipality has joined by then
    end = full.period.end
    if full.bursts:  # keep the storm inside the short window
        start = full.bursts[0].start.date() - dt.timedelta(days=3)
        end = start + dt.timedelta(days=14)
    cfg = load_config(path, ["replications=1", f"period.start={start.isoformat()}",
                             f"period.end={end.isoformat()}"])
    result = run(cfg, keep_events=True)
    assert result.events is not None and len(result.events) > 0
    assert result.replications.shape[0] == 1


def test_sweep_files_are_not_scenarios() -> None:
    for p in CONFIGS:
        if "sweeps" in p.parts:
            data = yaml.safe_load(p.read_text("utf-8"))
            assert "points" in data or "grid" in data, p


def test_goal_and_target_are_one_limit():
    cfg = load_config(None, ["goal={share: 0.95}"])
    assert cfg.goal.within_s == cfg.target_s == 120
    assert load_config(None, ["goal={share: 0.9}", "target_s=60"]).goal.within_s == 60
    assert load_config(None, ["goal=null"]).goal is None  # no hidden default goal
    assert ScenarioConfig.model_fields["goal"].default is None
    shipped = load_config(None, [])  # the baseline states the centre's goal explicitly
    assert shipped.goal.share == 0.95 and shipped.goal.within_s == shipped.target_s == 120
    assert "DECISION FOR THE CENTRE" in (ROOT / "configs" / "vaernes-2020.yaml").read_text()
    assert load_config(ROOT / "configs" / "vaernes-2019.yaml").goal == shipped.goal
    with pytest.raises(UserError, match="goal.within_s .* differs from target_s"):
        load_config(None, ["goal={share: 0.95, within_s: 60}"])
    with pytest.raises(UserError, match="goal.share"):
        load_config(None, ["goal={share: 0}"])
    with pytest.raises(UserError, match="alarm goal"):
        load_config(None, ["goal={share: 0.9, categories: {alarm: 0.8}}"])
    cfg = load_config(None, ["goal={share: 0.95, categories: {legevakt: 0.8}}"])
    assert cfg.goal.share_for(Category.legevakt) == 0.8
    assert cfg.goal.share_for(Category.technical) is None
