"""Run figures: every figure is written as a loadable PNG (SVG on request), drawn in parallel
the same as serially, from tallies that equal those counted from the stored event table; the
busy and on-duty arithmetic is exact (whole people on duty); one palette, one meaning per
colour; a run without tallies gets only the replications figure."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from respons.analysis.breakdown import busy_per_hour, from_events
from respons.cli import main
from respons.config.loading import load_config
from respons.report import palette
from respons.report.catalog import (
    FIGURES,
    available_specs,
    draw_figures,
    load_run,
    write_run_figures,
)
from respons.report.drawing import FigurePool, can_fork
from respons.report.figures_staff import on_duty_per_hour, week_on_duty

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def run_dir(short_run: Path) -> Path:
    return short_run


def test_every_figure_written_as_png_and_on_request_svg(run_dir: Path, tmp_path: Path) -> None:
    import matplotlib

    before = dict(matplotlib.rcParams)
    tables = load_run(run_dir)
    files = draw_figures(tables, tmp_path / "figs", svg=True)
    assert dict(matplotlib.rcParams) == before  # the house style does not leak
    names = {f.name for f in files}
    # the baseline has IT work orders but no home-care teams: no visits figure
    shown = [s for s in FIGURES if s.name != "visits"]
    assert "visits.png" not in names and "it_work.png" in names
    for spec in shown:
        png, svg = (tmp_path / "figs" / f"{spec.name}.{ext}" for ext in ("png", "svg"))
        assert png.name in names and svg.name in names
        assert png.stat().st_size > 10_000 and svg.stat().st_size > 5_000
        with Image.open(png) as im:
            im.load()
            assert im.size[0] > 500 and im.size[1] > 200
            assert len(np.unique(np.asarray(im.convert("L")))) > 5  # not blank
        assert svg.read_text("utf-8").lstrip().startswith("<?xml")
    index = json.loads((tmp_path / "figs" / "index.json").read_text())
    assert [f["name"] for f in index["figures"]] == [s.name for s in shown]
    assert index["note"] is None and index["lang"] == "en" and index["svg"] is True
    assert all(f["caption"] and "{" not in f["caption"] for f in index["figures"])
    assert [f["name"] for f in index["figures"] if f["appendix"]] == ["replications"]


def test_visits_figure_for_a_run_with_home_care_teams(tmp_path: Path) -> None:
    run = tmp_path / "teams"  # no report: the figures are counted from events.parquet
    assert main(["simulate", "--config", str(ROOT / "configs" / "scenarios" /
                                             "homecare-teams.yaml"),
                 "--set", "period.start=2020-11-02", "--set", "period.end=2020-11-09",
                 "--replications", "1", "--no-report", "--out", str(run)]) == 0
    files = {f.name for f in write_run_figures(run)}
    assert "visits.png" in files and "it_work.png" in files


def test_default_is_png_only_and_norwegian_titles(run_dir: Path, tmp_path: Path) -> None:
    tables = load_run(run_dir)
    files = draw_figures(tables, tmp_path / "nb", lang="nb")
    assert files and all(f.suffix == ".png" for f in files)
    index = json.loads((tmp_path / "nb" / "index.json").read_text())
    titles = {f["name"]: f["title"] for f in index["figures"]}
    assert titles["wait_ecdf"] == "Ventetid for alarmer" and index["lang"] == "nb"


@pytest.mark.skipif(not can_fork(), reason="drawing in parallel needs fork")
def test_parallel_drawing_gives_the_same_files(run_dir: Path, tmp_path: Path) -> None:
    tables = load_run(run_dir)
    draw_figures(tables, tmp_path / "serial")
    with FigurePool(2) as pool:
        assert pool.parallel
        draw_figures(tables, tmp_path / "parallel", pool=pool)
    for spec in available_specs(tables):
        name = f"{spec.name}.png"
        assert (tmp_path / "serial" / name).read_bytes() == \
            (tmp_path / "parallel" / name).read_bytes(), name


def test_tallies_of_the_run_equal_those_counted_from_its_events(run_dir: Path) -> None:
    stored = load_run(run_dir).breakdown  # breakdown.npz, written by simulate
    assert stored is not None and (run_dir / "breakdown.npz").is_file()
    cfg = load_config(run_dir / "config.resolved.yaml")
    counted = from_events(pd.read_parquet(run_dir / "events.parquet"), cfg)
    assert stored.labels == counted.labels
    assert set(stored.arrays) == set(counted.arrays)
    # Interrupted work (the nurses' walk-ins, which the phone interrupts) is busy only in its
    # pieces, which the event table does not keep: read back, it counts from answer to end.
    events = pd.read_parquet(run_dir / "events.parquet")
    interrupted = events["interrupted_s"].fillna(0.0) > 0
    cut_cats = sorted(set(events.loc[interrupted, "category"].astype(str)))
    assert cut_cats == ["walk_in"]
    cut = [stored.labels["categories"].index(c) for c in cut_cats]
    for key, values in stored.arrays.items():
        if key == "busy_week":
            gap = counted.arrays[key][:, :, cut] - values[:, :, cut]
            assert (gap >= -1e-6).all() and 0 < gap.sum() <= \
                events.loc[interrupted, "interrupted_s"].sum() + 1e-6
            values, other = np.delete(values, cut, axis=2), np.delete(counted.arrays[key], cut,
                                                                          axis=2)
            np.testing.assert_allclose(values, other, err_msg=key)
            continue
        np.testing.assert_allclose(values, counted.arrays[key], err_msg=key)
    # the tallies add up to the KPIs of the same run
    reps = pd.read_csv(run_dir / "replications.csv")
    hist = stored.arrays["wait_hist"][:, 0]
    within = hist[:, :121].sum(axis=1) / hist.sum(axis=1)
    np.testing.assert_allclose(within, reps["alarms_answered_within_target_share"])


def test_busy_per_hour_is_exact() -> None:
    busy = busy_per_hour(np.array([1800.0, 7200.0]), np.array([5400.0, 7500.0]), 24)
    np.testing.assert_allclose(busy[:3], [1800, 1800, 300])
    assert busy[3:].sum() == 0


def test_on_duty_is_whole_people_in_a_typical_week() -> None:
    cfg = load_config(None, ["period.end=2020-01-02", "replications=1"])
    pools = {p.name: p for p in cfg.pools}
    np.testing.assert_allclose(on_duty_per_hour(pools["operators"], cfg), np.ones(24))
    times, people = week_on_duty(pools["lead"])  # weekdays 08:00-14:45
    assert people.dtype.kind == "i" and set(people) == {0, 1}
    assert times[0] == 0 and times[-1] == 168
    assert list(times[1:3]) == [8.0, 14.75] and list(people[:3]) == [0, 1, 0]
    assert (people[times >= 120] == 0).all()  # nobody at the weekend
    _, nurses = week_on_duty(pools["nurses"])
    assert set(nurses) <= {1, 2}


def test_palette_gives_every_colour_one_meaning() -> None:
    colours = [c.lower() for c in palette.ALL.values()]
    assert len(colours) == len(set(colours))
    assert palette.REFERENCE.lower() not in colours


def test_run_without_tallies_gets_only_the_replications_figure(tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert main(["simulate", "--set", "period.end=2020-01-08", "--replications", "2",
                 "--no-events", "--no-report", "--out", str(run)]) == 0
    assert not (run / "breakdown.npz").exists()
    files = write_run_figures(run)
    assert sorted(f.name for f in files) == ["replications.png"]
    index = json.loads((run / "figures" / "index.json").read_text())
    assert index["note"] == "no_breakdown"


def test_no_events_run_with_report_still_has_every_figure(tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert main(["simulate", "--set", "period.end=2020-01-08", "--replications", "2",
                 "--no-events", "--out", str(run)]) == 0
    assert not (run / "events.parquet").exists() and (run / "breakdown.npz").is_file()
    index = json.loads((run / "figures" / "index.json").read_text())
    assert len(index["figures"]) == len(FIGURES) - 1  # all but visits (no home-care teams)
