"""Shared helpers of the run figures: a run's tables, the house style, CIs and saving to files.

Figures are built on `matplotlib.figure.Figure` directly (no pyplot), so nothing global is
left behind; the style is applied through `rc_context`, which restores the settings after.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from respons.config import ScenarioConfig
from respons.config.loading import read_mapping, validate

HOUR = 3600.0
DAY = 86400.0
WEEKDAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CATEGORY_LABELS = {"alarm": "alarms", "technical": "technical alerts",
                   "legevakt": "legevakt calls"}
CATEGORY_COLOURS = {"alarm": "#2f6db5", "technical": "#e08a1e", "legevakt": "#3a9a5b"}
OUTCOME_LABELS = {"resolved_by_operator": "resolved by the centre", "homecare": "home care",
                  "emergency": "emergency (113/110)", "it_technical": "IT-technical service"}
OUTCOME_COLOURS = {"resolved_by_operator": "#3a9a5b", "homecare": "#2f6db5",
                   "emergency": "#c8423b", "it_technical": "#8a63b8"}
TARGET_COLOUR = "#c8423b"
DPI = 110

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
}

P = ParamSpec("P")
ConfigLike = ScenarioConfig | Mapping[str, Any]


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


def as_config(cfg: ScenarioConfig | Mapping[str, Any]) -> ScenarioConfig:
    """Accept a validated config or a resolved-config mapping (as read from YAML)."""
    if isinstance(cfg, ScenarioConfig):
        return cfg
    return validate(dict(cfg), "the resolved config")


def percent_axis(ax: Any, axis: str = "y") -> None:
    """Show a 0..1 axis as percentages ("95 %"), with as many decimals as the ticks need."""
    fmt = FuncFormatter(lambda v, _: f"{round(100 * v, 6):g} %")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def thousands_axis(ax: Any, axis: str = "y") -> None:
    """Show large counts with thousands separators."""
    fmt = FuncFormatter(lambda v, _: f"{v:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def period_events(events: pd.DataFrame, cfg: ScenarioConfig) -> pd.DataFrame:
    """Contacts arriving within the period (as the KPIs count them)."""
    return events[events["arrival_s"] < cfg.period.days * DAY]


def replications_of(events: pd.DataFrame) -> list[int]:
    """The replication numbers present in an event table."""
    return sorted(int(r) for r in pd.unique(events["replication"]))


def hour_of_day(seconds: np.ndarray | pd.Series) -> np.ndarray:
    """Clock hour 0..23 of times in seconds since period start (00:00)."""
    return (np.asarray(seconds, dtype=float) // HOUR).astype(np.int64) % 24


def day_weekdays(cfg: ScenarioConfig) -> np.ndarray:
    """Weekday of every day of the period."""
    return (cfg.period.start.weekday() + np.arange(cfg.period.days)) % 7


@dataclass(frozen=True)
class RunTables:
    """What the figures read from a run directory."""

    config: ScenarioConfig
    summary: dict[str, Any]
    replications: pd.DataFrame | None
    events: pd.DataFrame | None


def load_run(run_dir: Path) -> RunTables:
    """Read config.resolved.yaml, summary.json, replications.csv and events.parquet if present."""
    from respons.analysis.kpis import KPI_UNITS
    from respons.runs.readback import read_events, read_summary, read_table

    cfg = validate(read_mapping(run_dir / "config.resolved.yaml"),
                   str(run_dir / "config.resolved.yaml"))
    summary = read_summary(run_dir / "summary.json")  # damage: a UserError naming the file
    reps_path, ev_path = run_dir / "replications.csv", run_dir / "events.parquet"
    reps = read_table(reps_path, ("replication", *KPI_UNITS)) if reps_path.is_file() else None
    events = read_events(ev_path) if ev_path.is_file() else None
    if events is not None:
        for col in ("municipality", "kind", "category", "answered_by", "outcome"):
            events[col] = events[col].astype(str)
    return RunTables(cfg, summary, reps, events)


def save_figure(fig: Figure, out_dir: Path, name: str) -> list[Path]:
    """Write `name.png` and `name.svg` (without timestamps, so reruns give the same files)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    png, svg = out_dir / f"{name}.png", out_dir / f"{name}.svg"
    with matplotlib.rc_context(STYLE):
        fig.savefig(png, format="png", dpi=DPI, metadata={"Software": None})
        fig.set_layout_engine("none")  # keep the layout just computed: halves the SVG's cost
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return [png, svg]


def finite(x: float | None) -> bool:
    """True for a real number that is not nan/inf (summary values may be null)."""
    return x is not None and math.isfinite(x)
