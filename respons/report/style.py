"""Shared helpers of the run figures: a run's tables, the house style, axis formats in the
report's language, and saving to files.

Figures are built on `matplotlib.figure.Figure` directly (no pyplot), so nothing global is
left behind; the style is applied through `rc_context`, which restores the settings after.
Colours come from `respons.report.palette` only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ParamSpec

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from respons.config import ScenarioConfig
from respons.report import palette
from respons.report.formatting import number
from respons.report.i18n import pick

HOUR = 3600.0
DAY = 86400.0
DPI = 100
TARGET_COLOUR = palette.GOAL  # the goal and the answer-time limit (respons.report.palette)
WEEKDAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

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
CATEGORY_NAMES = {"alarm": ("alarms", "alarmer"),
                  "technical": ("technical alerts", "tekniske varsler"),
                  "legevakt": ("legevakt calls", "legevaktsamtaler"),
                  "callback": ("call-backs", "tilbakeringinger"),
                  "walk_in": ("walk-ins", "oppmøter"),
                  "it_work": ("IT work", "IT-arbeid"),
                  "visit": ("home-care visits", "hjemmebesøk")}


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


def framed_figure(width: float, height: float) -> Figure:
    """A pyplot-free figure without a layout engine: the builder sets its margins with
    `frame` (constrained layout measures every label on every draw and makes a figure a
    third slower to draw; the run figures use this)."""
    return Figure(figsize=(width, height), dpi=DPI)


def top_legend(fig: Figure, handles: list[Any] | None = None, labels: list[str] | None = None,
               ncols: int = 3) -> None:
    """A legend across the top of the figure (leave about 0.35 in free there)."""
    kwargs: dict[str, Any] = {"loc": "upper center", "bbox_to_anchor": (0.5, 1.0),
                              "ncols": ncols, "borderaxespad": 0.2}
    if handles is not None:
        fig.legend(handles, labels, **kwargs)
    else:
        fig.legend(**kwargs)


def text_width(texts: Iterable[str], size: float) -> float:
    """Width in inches of the widest of `texts` at `size` points in the figures' font."""
    from matplotlib.font_manager import FontProperties, findfont, get_font

    font = get_font(findfont(FontProperties()))
    widest = 0.0
    for text in texts:
        font.set_size(size, 72)
        font.set_text(text, 0.0)
        widest = max(widest, font.get_width_height()[0] / 64 / 72)
    return widest


def frame(fig: Figure, left: float, right: float, top: float, bottom: float,
          hspace: float = 0.0, wspace: float = 0.0) -> None:
    """Margins and gaps between the axes of `fig`, in inches (rows and columns from its
    first axes' grid)."""
    w, h = fig.get_size_inches()
    grid = fig.axes[0].get_gridspec() if fig.axes else None
    rows, cols = (grid.nrows, grid.ncols) if grid is not None else (1, 1)
    height, width = h - top - bottom, w - left - right
    cell_h = (height - (rows - 1) * hspace) / rows
    cell_w = (width - (cols - 1) * wspace) / cols
    fig.subplots_adjust(left=left / w, right=1 - right / w, bottom=bottom / h, top=1 - top / h,
                        hspace=hspace / cell_h if rows > 1 else 0.2,
                        wspace=wspace / cell_w if cols > 1 else 0.2)


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


def save_figure(fig: Figure, out_dir: Path, name: str, svg: bool = False) -> list[Path]:
    """Write `name.png` (and `name.svg` if asked), without timestamps, so reruns give the
    same files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    png = out_dir / f"{name}.png"
    with matplotlib.rc_context(STYLE):
        fig.savefig(png, format="png", dpi=DPI, metadata={"Software": None},
                    pil_kwargs={"compress_level": 1})  # flat colours: a little bigger, faster
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
