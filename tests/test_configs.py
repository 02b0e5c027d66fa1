"""Every shipped config validates and runs a short horizon; the embedded default is the
shipped baseline."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from respons.loading import default_config_text, load_config
from respons.runner import run

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = sorted((ROOT / "configs").rglob("*.yaml"))


def test_embedded_default_is_the_shipped_baseline() -> None:
    assert default_config_text() == (ROOT / "configs" / "vaernes-2020.yaml").read_text("utf-8")


@pytest.mark.parametrize("name", ["vaernes-2019.yaml", "vaernes-2020.yaml"])
def test_embedded_year_configs_equal_configs_dir(name: str) -> None:
    embedded = ROOT / "respons" / "data" / name
    assert embedded.read_text("utf-8") == (ROOT / "configs" / name).read_text("utf-8")


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_config_validates_and_runs_short(path: Path) -> None:
    data = yaml.safe_load(path.read_text("utf-8"))
    if "period" not in data:  # not a scenario config (e.g. a sweep file)
        pytest.skip("not a scenario config")
    end = data["period"]["end"]  # the last two weeks: every municipality has joined by then
    cfg = load_config(path, ["replications=1", f"period.start={_plus_days(end, -14)}"])
    result = run(cfg, keep_events=True)
    assert result.events is not None and len(result.events) > 0
    assert result.replications.shape[0] == 1


def _plus_days(day, n: int) -> str:
    import datetime as dt

    return (day + dt.timedelta(days=n)).isoformat()
