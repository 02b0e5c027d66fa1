"""Run figures: every figure is written as a loadable PNG and an SVG, the busy/on-duty arithmetic
is exact, and a run without events gets only the replications figure."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.figure import Figure
from PIL import Image

from respons.cli import main
from respons.config.loading import load_config
from respons.report.figures import FIGURES, arrivals_figure, write_run_figures
from respons.report.figures_staff import busy_per_hour, on_duty_per_hour

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def run_dir(short_run: Path) -> Path:
    return short_run


def test_every_figure_written_as_png_and_svg(run_dir: Path) -> None:
    before = dict(matplotlib.rcParams)
    files = write_run_figures(run_dir)
    assert dict(matplotlib.rcParams) == before  # the house style does not leak
    names = {f.name for f in files}
    # the baseline has IT work orders but no home-care teams: no visits figure
    shown = [s for s in FIGURES if s.name != "visits"]
    assert "visits.png" not in names and "it_work.png" in names
    for spec in shown:
        png, svg = (run_dir / "figures" / f"{spec.name}.{ext}" for ext in ("png", "svg"))
        assert png.name in names and svg.name in names
        assert png.stat().st_size > 10_000 and svg.stat().st_size > 5_000
        with Image.open(png) as im:
            im.load()
            assert im.size[0] > 500 and im.size[1] > 200
            assert len(np.unique(np.asarray(im.convert("L")))) > 5  # not blank
        assert svg.read_text("utf-8").lstrip().startswith("<?xml")
    index = json.loads((run_dir / "figures" / "index.json").read_text())
    assert [f["name"] for f in index["figures"]] == [s.name for s in shown]
    assert index["note"] is None
    assert all(f["caption"] and "{" not in f["caption"] for f in index["figures"])


def test_visits_figure_for_a_run_with_home_care_teams(tmp_path: Path) -> None:
    run = tmp_path / "teams"
    assert main(["simulate", "--config", str(ROOT / "configs" / "scenarios" /
                                             "homecare-teams.yaml"),
                 "--set", "period.start=2020-11-02", "--set", "period.end=2020-11-09",
                 "--replications", "1", "--no-report", "--out", str(run)]) == 0
    files = {f.name for f in write_run_figures(run)}
    assert "visits.png" in files and "it_work.png" in files


def test_builders_accept_a_resolved_config_mapping(run_dir: Path) -> None:
    events = pd.read_parquet(run_dir / "events.parquet")
    cfg = yaml.safe_load((run_dir / "config.resolved.yaml").read_text())
    fig = arrivals_figure(events, cfg)
    assert isinstance(fig, Figure) and len(fig.axes) == 6
    assert all(ax.has_data() for ax in fig.axes)


def test_busy_and_on_duty_per_hour_are_exact() -> None:
    cfg = load_config(None, ["period.end=2020-01-02", "replications=1"])
    ev = pd.DataFrame({"replication": [0, 0], "answered_by": ["operators", "operators"],
                       "category": ["alarm", "technical"], "answer_s": [1800.0, 7200.0],
                       "end_s": [5400.0, 7500.0]})
    busy = busy_per_hour(ev, cfg, "operators")
    assert busy.shape == (1, 24)
    np.testing.assert_allclose(busy[0, :3], [0.5, 0.5, 300 / 3600])
    assert busy[0, 3:].sum() == 0
    alarm_only = busy_per_hour(ev, cfg, "operators", "alarm")
    np.testing.assert_allclose(alarm_only[0, :3], [0.5, 0.5, 0.0])
    pools = {p.name: p for p in cfg.pools}
    np.testing.assert_allclose(on_duty_per_hour(pools["operators"], cfg), np.ones(24))
    lead = on_duty_per_hour(pools["lead"], cfg)  # 2020-01-01 is a Wednesday: 08:00-14:45
    np.testing.assert_allclose(lead[8:14], 1.0)
    assert lead[14] == pytest.approx(0.75) and lead[:8].sum() == 0 and lead[15:].sum() == 0


def test_run_without_events_gets_only_the_replications_figure(tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert main(["simulate", "--set", "period.end=2020-01-08", "--replications", "2",
                 "--no-events", "--out", str(run)]) == 0
    files = write_run_figures(run)
    assert sorted(f.name for f in files) == ["replications.png", "replications.svg"]
    index = json.loads((run / "figures" / "index.json").read_text())
    assert "--no-events" in index["note"]
