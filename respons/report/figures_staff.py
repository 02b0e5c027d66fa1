"""Staffing figures: staff on duty against staff busy by hour, and utilisation hour x weekday.

Staff on duty is recomputed from the resolved config's roster without sickness absence (the
drawn absences are not in the run directory), so it is the rostered number: captions say so.
Busy time is exact: each answered contact occupies its pool from answer to end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure

from respons.config import Pool, ScenarioConfig
from respons.engine.rosters import fte, on_duty
from respons.report.style import (
    CATEGORY_COLOURS,
    CATEGORY_LABELS,
    HOUR,
    WEEKDAY_LABELS,
    ConfigLike,
    as_config,
    day_weekdays,
    new_figure,
    replications_of,
    styled,
)


def busy_per_hour(events: pd.DataFrame, cfg: ScenarioConfig, pool: str,
                  category: str | None = None) -> np.ndarray:
    """Replications x hours: mean number of `pool` staff busy in each hour of the period."""
    hours = cfg.period.days * 24
    horizon = hours * HOUR
    edges = np.arange(hours + 1) * HOUR
    mine = events[events["answered_by"] == pool]
    if category is not None:
        mine = mine[mine["category"] == category]
    reps = replications_of(events)
    out = np.zeros((len(reps), hours))
    for i, r in enumerate(reps):
        rows = mine[mine["replication"] == r]
        a = np.clip(rows["answer_s"].to_numpy(dtype=float), 0.0, horizon)
        e = np.clip(rows["end_s"].to_numpy(dtype=float), 0.0, horizon)
        keep = np.isfinite(a) & np.isfinite(e) & (e > a)
        out[i] = np.diff(_busy_integral(a[keep], edges) - _busy_integral(e[keep], edges)) / HOUR
    return out


def _busy_integral(starts: np.ndarray, t: np.ndarray) -> np.ndarray:
    """sum over starts s < t of (t - s): the integral up to t of the number of started intervals."""
    s = np.sort(starts)
    prefix = np.concatenate([[0.0], np.cumsum(s)])
    k = np.searchsorted(s, t, side="left")
    return k * t - prefix[k]


def on_duty_per_hour(pool: Pool, cfg: ScenarioConfig) -> np.ndarray:
    """Mean staff rostered on duty in each hour of the period (no sickness absence)."""
    hours = cfg.period.days * 24
    return on_duty(pool, cfg.period.start, cfg.period.days, None).per_hour(hours)


def _by_clock_hour(series: np.ndarray) -> np.ndarray:
    """Mean per clock hour 0..23 of an hour-of-period series."""
    return series.reshape(-1, 24).mean(axis=0)


def _pool_categories(pool: Pool) -> list[str]:
    return [s.category.value for s in pool.serves]


def _grid(n: int) -> tuple[int, int]:
    cols = 2 if n > 1 else 1
    return (n + cols - 1) // cols, cols


@styled
def staff_busy_figure(events: pd.DataFrame, cfg: ConfigLike) -> Figure:
    """Per pool: rostered staff on duty and mean staff busy (by category) per hour of day."""
    cfg = as_config(cfg)
    rows, cols = _grid(len(cfg.pools))
    fig = new_figure(11, 2.7 * rows + 0.4)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    hours = np.arange(24)
    for ax, pool in zip(axes, cfg.pools, strict=False):
        duty = _by_clock_hour(on_duty_per_hour(pool, cfg))
        bottom = np.zeros(24)
        for cat in _pool_categories(pool):
            busy = _by_clock_hour(busy_per_hour(events, cfg, pool.name, cat).mean(axis=0))
            ax.bar(hours, busy, bottom=bottom, width=0.85, color=CATEGORY_COLOURS[cat],
                   alpha=0.8, label=f"busy: {CATEGORY_LABELS[cat]}")
            bottom += busy
        ax.step(np.append(hours, 24) - 0.5, np.append(duty, duty[-1]), where="post",
                color="black", lw=1.6, label="on duty (rostered)")
        ax.set_title(f"{pool.name} ({pool.role.value}, "
                     f"{fte(pool, cfg.fte_hours_per_week):.1f} FTE)")
        ax.set_xlim(-0.5, 23.5)
        ax.set_xticks(range(0, 24, 3))
        ax.set_ylim(0, max(float(duty.max()), float(bottom.max()), 0.1) * 1.25)
        ax.set_ylabel("people")
        ax.legend(loc="upper left", ncols=2, fontsize=7.5)
    for ax in axes[len(cfg.pools):]:
        ax.set_visible(False)
    for ax in axes[max(0, len(cfg.pools) - cols):len(cfg.pools)]:
        ax.set_xlabel("hour of day")
    return fig


def utilisation_matrix(duty: np.ndarray, busy: np.ndarray, cfg: ScenarioConfig) -> np.ndarray:
    """7 x 24 busy time / rostered time by weekday and clock hour (nan where nobody rostered)."""
    days = cfg.period.days
    wd = np.repeat(day_weekdays(cfg), 24)
    hod = np.tile(np.arange(24), days)
    idx = wd * 24 + hod
    on = np.bincount(idx, weights=duty, minlength=7 * 24).reshape(7, 24)
    used = np.bincount(idx, weights=busy, minlength=7 * 24).reshape(7, 24)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(on > 0, used / np.where(on > 0, on, 1.0), np.nan)


@styled
def utilisation_heatmap(events: pd.DataFrame, cfg: ConfigLike) -> Figure:
    """Per pool, a weekday x hour heat map of utilisation (busy / rostered time)."""
    cfg = as_config(cfg)
    n = len(cfg.pools)
    fig = new_figure(11, 1.95 * n + 0.6)
    axes = fig.subplots(n, 1, squeeze=False).ravel()
    image = None
    cmap = colormaps["YlOrRd"].with_extremes(bad="#f2f2f2")
    for ax, pool in zip(axes, cfg.pools, strict=True):
        duty = on_duty_per_hour(pool, cfg)
        busy = busy_per_hour(events, cfg, pool.name).mean(axis=0)
        util = utilisation_matrix(duty, busy, cfg)
        masked = np.ma.masked_invalid(util)
        image = ax.imshow(masked, cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto",
                          interpolation="nearest")
        for (r, c), v in np.ndenumerate(util):
            if np.isfinite(v):
                ax.text(c, r, f"{100 * v:.0f}", ha="center", va="center", fontsize=6.5,
                        color="white" if v > 0.6 else "#333333")
        ax.set_yticks(range(7), WEEKDAY_LABELS)
        ax.set_xticks(range(24))
        ax.tick_params(axis="x", labelsize=7.5)
        ax.grid(False)
        total = (f"{100 * busy.sum() / duty.sum():.1f} % busy over the period"
                 if duty.sum() > 0 else "nobody rostered")
        ax.set_title(f"{pool.name}: {total}", loc="left")
    axes[-1].set_xlabel("hour of day")
    if image is not None:
        bar = fig.colorbar(image, ax=list(axes), shrink=0.6, pad=0.01)
        bar.set_label("utilisation (%)")
        bar.set_ticks([0, 0.25, 0.5, 0.75, 1.0], labels=["0", "25", "50", "75", "100"])
    return fig

