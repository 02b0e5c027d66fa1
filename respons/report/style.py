"""Shared helpers of the run figures: a run's tables, the house style, axis formats in the
report's language, and saving to files.

Figures are built on `matplotlib.figure.Figure` directly (no pyplot), so nothing global is
left behind; the style is applied through `rc_context`, which restores the settings after.
Colours come from `respons.report.palette` only.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from respons.analysis.breakdown import Breakdown, from_events
from respons.config import ScenarioConfig
from respons.config.loading import read_mapping, validate
from respons.report.formatting import number

HOUR = 3600.0
DAY = 86400.0
DPI = 100

STYLE: dict[str, Any] = {
    "font.size": 9.5,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.fonttype": "none",
    "svg.hashsalt": "respons",
    "path.simplify": True,
}

P = ParamSpec("P")
def pick(lang: str, en: str, nb: str) -> str:
    """The English or Norwegian text of a figure label."""
    return nb if lang == "nb" else en


CATEGORY_NAMES = {"alarm": ("alarms", "alarmer"),
                  "technical": ("technical alerts", "tekniske varsler"),
                  "legevakt": ("legevakt calls", "legevaktsamtaler")}


def category_name(cat: str, lang: str) -> str:
    """A category's name in the figures ('alarms', 'legevakt calls')."""
    en, nb = CATEGORY_NAMES.get(cat, (cat, cat))
    return pick(lang, en, nb)


def styled(build: Callable[P, Figure]) -> Callable[P, Figure]:
    """Build a figure inside the house style, restoring matplotlib's settings afterwards."""

    @functools.wraps(build)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Figure:
        with matplotlib.rc_context(STYLE):
            return build(*args, **kwargs)

    return wrapper


def new_figure(width: float, height: float) -> Figure:
    """A pyplot-free figure with constrained layout (no global figure registry)."""
    return Figure(figsize=(width, height), layout="constrained", dpi=DPI)


def percent_axis(ax: Any, axis: str = "y", lang: str = "en") -> None:
    """Show a 0..1 axis as percentages ("95 %"), with as many decimals as the ticks need."""
    def text(v: float, _: Any) -> str:
        s = f"{round(100 * v, 6):g}"
        return (s.replace(".", ",") if lang == "nb" else s) + " %"

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(FuncFormatter(text))


def thousands_axis(ax: Any, axis: str = "y", lang: str = "en") -> None:
    """Show large counts with thousands separators."""
    fmt = FuncFormatter(lambda v, _: number(v, 0, lang))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def decimal_axis(ax: Any, axis: str = "y", lang: str = "en") -> None:
    """Decimal comma in Norwegian."""
    if lang == "nb":
        fmt = FuncFormatter(lambda v, _: f"{v:g}".replace(".", ","))
        (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


@dataclass(frozen=True)
class RunTables:
    """What the figures read from a run: config, summary, replications table and tallies
    (None when the run has neither breakdown.npz nor events.parquet)."""

    config: ScenarioConfig
    summary: dict[str, Any]
    replications: pd.DataFrame | None
    breakdown: Breakdown | None


def load_run(run_dir: Path) -> RunTables:
    """Read config.resolved.yaml, summary.json, replications.csv and the tallies
    (breakdown.npz, else counted from events.parquet) when present."""
    cfg = validate(read_mapping(run_dir / "config.resolved.yaml"),
                   str(run_dir / "config.resolved.yaml"))
    summary = json.loads((run_dir / "summary.json").read_text("utf-8"))
    reps_path = run_dir / "replications.csv"
    reps = pd.read_csv(reps_path) if reps_path.is_file() else None
    breakdown = None
    if (run_dir / "breakdown.npz").is_file():
        breakdown = Breakdown.load(run_dir / "breakdown.npz")
    elif (run_dir / "events.parquet").is_file():
        breakdown = from_events(pd.read_parquet(run_dir / "events.parquet"), cfg)
    return RunTables(cfg, summary, reps, breakdown)


def save_figure(fig: Figure, out_dir: Path, name: str, svg: bool = False) -> list[Path]:
    """Write `name.png` (and `name.svg` if asked), without timestamps, so reruns give the
    same files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    png = out_dir / f"{name}.png"
    with matplotlib.rc_context(STYLE):
        fig.savefig(png, format="png", dpi=DPI, metadata={"Software": None})
        if not svg:
            return [png]
        path = out_dir / f"{name}.svg"
        fig.set_layout_engine("none")  # keep the layout just computed: halves the SVG's cost
        fig.savefig(path, format="svg", metadata={"Date": None, "Creator": None})
    return [png, path]


def weekday_counts(cfg: ScenarioConfig) -> np.ndarray:
    """How many times each weekday (Mon..Sun) occurs in the period."""
    wd = (cfg.period.start.weekday() + np.arange(cfg.period.days)) % 7
    return np.bincount(wd, minlength=7)


def hour_of_week_counts(cfg: ScenarioConfig) -> np.ndarray:
    """How many times each hour of the week (Monday 00:00 = 0) occurs in the period."""
    return np.repeat(weekday_counts(cfg), 24)
