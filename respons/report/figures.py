"""Figures of a run: demand against the configured profiles, waiting times, service level by
hour, plus the registry that writes every figure of a run directory as PNG and SVG.

Each builder is a pure function of the run's tables (event DataFrame, replications table,
resolved config) returning a `matplotlib.figure.Figure`; staffing and per-municipality
figures live in `figures_staff` and `figures_municipal`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from respons.analysis.intervals import mean_ci
from respons.config import ScenarioConfig
from respons.engine.arrivals import intensity
from respons.report.figures_municipal import (
    help_arrival_figure,
    monthly_volume_figure,
    outcomes_figure,
    replications_figure,
)
from respons.report.figures_staff import staff_busy_figure, utilisation_heatmap
from respons.report.figures_tasks import has_category, it_work_figure, visits_figure
from respons.report.style import (
    CATEGORY_COLOURS,
    CATEGORY_LABELS,
    TARGET_COLOUR,
    WEEKDAY_LABELS,
    ConfigLike,
    RunTables,
    as_config,
    day_weekdays,
    hour_of_day,
    load_run,
    new_figure,
    percent_axis,
    period_events,
    replications_of,
    save_figure,
    styled,
)

NO_EVENTS_NOTE = ("This run was made without the event table (--no-events), so only the "
                  "figures that need nothing but the replications table are shown.")


def expected_by_category(cfg: ScenarioConfig) -> dict[str, np.ndarray]:
    """Expected arrivals in each hour of the period per category, from rates and profiles."""
    out: dict[str, np.ndarray] = {}
    by_name = {m.name: m for m in cfg.municipalities}
    for kind in cfg.event_kinds:
        cat = kind.category.value
        for name in cfg.kind_municipalities(kind):
            lam = intensity(cfg, kind, by_name[name])
            out[cat] = out[cat] + lam if cat in out else lam.copy()
    return out


def _per_hour_and_weekday(hourly: np.ndarray, cfg: ScenarioConfig) -> tuple[np.ndarray, ...]:
    """An hour-of-period series as mean per clock hour of a day and mean per weekday (day sum)."""
    days = cfg.period.days
    grid = hourly[: days * 24].reshape(days, 24)
    per_hour = grid.mean(axis=0)
    per_day = grid.sum(axis=1)
    wd = day_weekdays(cfg)
    per_weekday = np.array([per_day[wd == d].mean() if (wd == d).any() else np.nan
                            for d in range(7)])
    return per_hour, per_weekday


@styled
def arrivals_figure(events: pd.DataFrame, cfg: ConfigLike) -> Figure:
    """Simulated arrivals per clock hour and per weekday against the configured profiles."""
    cfg = as_config(cfg)
    ev = period_events(events, cfg)
    reps = max(len(replications_of(events)), 1)
    expected = expected_by_category(cfg)
    cats = [c for c in ("alarm", "technical", "legevakt") if c in expected]
    hours = cfg.period.days * 24
    fig = new_figure(11, 5.6)
    axes = fig.subplots(2, len(cats), squeeze=False)
    for j, cat in enumerate(cats):
        sub = ev[ev["category"] == cat]
        idx = (sub["arrival_s"].to_numpy() // 3600).astype(np.int64)
        sim = np.bincount(idx, minlength=hours)[:hours] / reps
        sim_h, sim_w = _per_hour_and_weekday(sim.astype(float), cfg)
        exp_h, exp_w = _per_hour_and_weekday(expected[cat], cfg)
        colour = CATEGORY_COLOURS[cat]
        ax = axes[0, j]
        ax.bar(np.arange(24), sim_h, color=colour, alpha=0.55, width=0.85, label="simulated")
        ax.plot(np.arange(24), exp_h, color="black", lw=1.4, marker="o", ms=2.5,
                label="expected (config)")
        ax.set_title(CATEGORY_LABELS[cat].capitalize())
        ax.set_xlabel("hour of day")
        ax.set_xticks(range(0, 24, 3))
        ax.set_xlim(-0.7, 23.7)
        ax = axes[1, j]
        ax.bar(np.arange(7), sim_w, color=colour, alpha=0.55, width=0.7, label="simulated")
        ax.plot(np.arange(7), exp_w, color="black", lw=1.4, marker="o", ms=3,
                label="expected (config)")
        ax.set_xticks(range(7), WEEKDAY_LABELS)
        ax.set_ylim(bottom=0)
    axes[0, 0].set_ylabel("arrivals per hour\n(mean over the period)")
    axes[1, 0].set_ylabel("arrivals per day\n(mean per weekday)")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles[::-1], labels[::-1], loc="outside upper center", ncols=2)
    return fig


def _priority_labels(cfg: ScenarioConfig) -> dict[int, str]:
    """'priority 1: button' style labels of the alarm priorities, from the config's kinds."""
    names: dict[int, list[str]] = {}
    for k in cfg.event_kinds:
        if k.category.value == "alarm":
            names.setdefault(k.priority, []).append(k.name.replace("_", " "))
    return {p: f"priority {p}: {', '.join(v)}" for p, v in sorted(names.items())}


@styled
def wait_ecdf_figure(events: pd.DataFrame, cfg: ConfigLike) -> Figure:
    """Distribution of alarm waiting times (ECDF and tail), overall and per priority."""
    cfg = as_config(cfg)
    alarms = period_events(events, cfg)
    alarms = alarms[alarms["category"] == "alarm"]
    target = cfg.target_s
    waits_all = alarms["wait_s"].to_numpy(dtype=float)
    answered = waits_all[np.isfinite(waits_all)]
    top = float(np.quantile(answered, 0.995)) if answered.size else 4 * target
    x_max = float(min(max(3 * target, top * 1.1), 3600.0))
    grid = np.linspace(0.0, x_max, 721)
    fig = new_figure(11, 4.4)
    ax_cdf, ax_tail = fig.subplots(1, 2)
    series = [("all alarms", waits_all, "black", 2.0)]
    palette = ["#c8423b", "#2f6db5", "#3a9a5b", "#8a63b8", "#e08a1e"]
    for i, (p, label) in enumerate(_priority_labels(cfg).items()):
        w = alarms.loc[alarms["priority"] == p, "wait_s"].to_numpy(dtype=float)
        series.append((label, w, palette[i % len(palette)], 1.2))
    lowest: list[float] = []
    for label, w, colour, lw in series:
        if w.size == 0:
            continue
        w = np.where(np.isnan(w), np.inf, w)  # never answered: a miss at every wait
        srt = np.sort(w)
        cdf = np.searchsorted(srt, grid, side="right") / srt.size
        ax_cdf.step(grid, cdf, where="post", color=colour, lw=lw, label=label)
        lowest.append(float(cdf[0]))
        ax_tail.step(grid, np.clip(1 - cdf, 1e-5, None), where="post", color=colour, lw=lw)
    share = float(np.mean(np.nan_to_num(waits_all, nan=np.inf) <= target)) if waits_all.size \
        else float("nan")
    for ax in (ax_cdf, ax_tail):
        ax.axvline(target, color=TARGET_COLOUR, ls="--", lw=1.2)
        ax.set_xlim(0, x_max)
        ax.set_xlabel("waiting time from arrival to answer (s)")
    bottom = max(0.0, np.floor(10 * np.nanmin(lowest)) / 10 - 0.05) if lowest else 0.0
    ax_cdf.set_ylim(bottom, 1.005)
    ax_cdf.annotate(f"target {target:g} s:\n{100 * share:.1f} % within",
                    xy=(target, share), xytext=(target + 0.08 * x_max, (bottom + share) / 2),
                    color=TARGET_COLOUR, fontsize=9,
                    arrowprops={"arrowstyle": "->", "color": TARGET_COLOUR})
    percent_axis(ax_cdf)
    ax_cdf.set_ylabel("share of alarms answered within x")
    ax_cdf.set_title("Waiting time, cumulative")
    ax_cdf.legend(loc="lower right")
    ax_tail.set_yscale("log")
    ax_tail.set_ylim(1e-4, 1.1)
    ax_tail.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{100 * v:g} %"))
    ax_tail.set_ylabel("share waiting longer than x (log scale)")
    ax_tail.set_title("The tail: waits longer than x")
    return fig


def within_target_by_hour(events: pd.DataFrame, cfg: ScenarioConfig,
                          category: str) -> np.ndarray:
    """Replications x 24 matrix: share of offered contacts answered within target, by hour."""
    ev = period_events(events, cfg)
    ev = ev[ev["category"] == category]
    reps = replications_of(events)
    out = np.full((len(reps), 24), np.nan)
    for i, r in enumerate(reps):
        sub = ev[ev["replication"] == r]
        hod = hour_of_day(sub["arrival_s"])
        hit = (sub["wait_s"].to_numpy(dtype=float) <= cfg.target_s).astype(float)
        n = np.bincount(hod, minlength=24)
        k = np.bincount(hod, weights=hit, minlength=24)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[i] = np.where(n > 0, k / np.maximum(n, 1), np.nan)
    return out


@styled
def within_target_figure(events: pd.DataFrame, cfg: ConfigLike) -> Figure:
    """Share answered within target per hour of day, mean and 95 % CI over replications."""
    cfg = as_config(cfg)
    fig = new_figure(11, 4.2)
    ax = fig.subplots()
    hours = np.arange(24)
    lows = []
    for cat in ("alarm", "legevakt"):
        if not (events["category"] == cat).any():
            continue
        mean, lo, hi = mean_ci(within_target_by_hour(events, cfg, cat))
        colour = CATEGORY_COLOURS[cat]
        ax.plot(hours, mean, color=colour, marker="o", ms=3.5, lw=1.8,
                label=f"{CATEGORY_LABELS[cat]} (mean)")
        if np.isfinite(lo).any():
            ax.fill_between(hours, np.clip(lo, 0, 1), np.clip(hi, 0, 1), color=colour,
                            alpha=0.2, lw=0, label=f"{CATEGORY_LABELS[cat]}: 95 % CI")
        lows.append(np.nanmin(np.where(np.isfinite(lo), lo, mean)))
    bottom = max(0.0, min([*lows, 0.9]) - 0.03) if lows else 0.0
    ax.set_ylim(bottom, 1.005)
    ax.set_xlim(-0.5, 23.5)
    ax.set_xticks(range(24))
    ax.set_xlabel("hour of day of arrival")
    ax.set_ylabel(f"answered within {cfg.target_s:g} s")
    percent_axis(ax)
    ax.set_title(f"Share answered within {cfg.target_s:g} s by hour of day")
    ax.legend(loc="lower left", ncols=2)
    return fig


@dataclass(frozen=True)
class FigureSpec:
    """One figure of the report: file name, title, caption, and how to build it."""

    name: str
    title: str
    caption: str
    needs_events: bool
    build: Callable[[RunTables], Figure]


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("arrivals", "Arrivals by hour of day and weekday",
               "Bars: simulated arrivals within the period, mean over replications; line: the "
               "expected number from the configured rates, profiles, join dates and ramp-up. "
               "Top row per clock hour (mean over all days), bottom row per day by weekday.",
               True, lambda t: arrivals_figure(t.events, t.config)),
    FigureSpec("wait_ecdf", "Waiting time of alarms",
               "Left: share of alarms answered within a given wait, overall and per priority "
               "(alarms never answered count as misses). Right: the same as the share still "
               "waiting, on a log scale, to show the tail. Dashed line: the {target} s target.",
               True, lambda t: wait_ecdf_figure(t.events, t.config)),
    FigureSpec("within_target_by_hour", "Service level by hour of day",
               "Share of offered alarms and legevakt calls answered within {target} s, by the "
               "hour they arrived: mean over {reps} replications with a Student-t 95 % "
               "confidence band (no band with a single replication).",
               True, lambda t: within_target_figure(t.events, t.config)),
    FigureSpec("staff_busy", "Staff on duty and busy by hour of day",
               "Line: staff rostered on duty (recomputed from the roster without sickness "
               "absence, so pools with absence had slightly fewer); bars: mean number busy "
               "handling contacts, averaged over the period and replications.",
               True, lambda t: staff_busy_figure(t.events, t.config)),
    FigureSpec("utilisation_heatmap", "Utilisation by hour and weekday",
               "Busy time / rostered time (no sickness absence) for each pool, by hour of day "
               "and weekday, over the period and replications. Blank: nobody rostered. Values "
               "above 100 % are calls finished after a shift ended.",
               True, lambda t: utilisation_heatmap(t.events, t.config)),
    FigureSpec("outcomes", "Outcomes per municipality",
               "Answered alarms and technical alerts per municipality by outcome, mean per "
               "replication over the period (municipalities with no contacts in the period are "
               "left out).",
               True, lambda t: outcomes_figure(t.events, t.config)),
    FigureSpec("help_arrival", "Time until home care arrives",
               "Minutes from the alarm to home care arriving, for alarms forwarded to home "
               "care, per municipality: box = quartiles, line = median, diamond = mean, "
               "whiskers = 5th and 95th percentiles.",
               True, lambda t: help_arrival_figure(t.events, t.config)),
    FigureSpec("monthly_volume", "Monthly volume per municipality",
               "Alarms and technical alerts arriving each month, stacked by municipality "
               "(mean per replication); municipalities appear as they join and ramp up.",
               True, lambda t: monthly_volume_figure(t.events, t.config)),
    FigureSpec("visits", "Home-care visits by municipality and hour",
               "Visits by the municipalities' home-care teams started in each clock hour, mean "
               "per replication (total per year in brackets); only for configs with visit "
               "pools.",
               True, lambda t: visits_figure(t.events, t.config)),
    FigureSpec("it_work", "IT work orders by priority",
               "Time from the technical alert to the IT work order being fixed (mean and 90th "
               "percentile) and the share fixed within its deadline, per priority of the "
               "order, with 95 % confidence intervals over {reps} replications.",
               True, lambda t: it_work_figure(t.events, t.config)),
    FigureSpec("replications", "Spread over replications",
               "Each dot is one replication; the bar is the mean with its 95 % confidence "
               "interval over {reps} replications, cut to the possible range (no share above "
               "100 %, no negative time).",
               False, lambda t: replications_figure(t.replications, t.summary)),
)


def caption(spec: FigureSpec, cfg: ScenarioConfig) -> str:
    """The figure's caption with the run's target and replication count filled in."""
    return spec.caption.format(target=f"{cfg.target_s:g}", reps=cfg.replications)


def available_specs(tables: RunTables) -> list[FigureSpec]:
    """The figures this run's files allow (without events: replications only)."""
    return [s for s in FIGURES if (tables.events is not None or not s.needs_events)
            and (s.name != "replications" or tables.replications is not None)
            and (s.name != "visits" or has_category(tables.events, "visit"))
            and (s.name != "it_work" or _has_orders(tables.events))]


def _has_orders(events: pd.DataFrame | None) -> bool:
    return has_category(events, "it_work") and "parent_id" in events and bool(
        ((events["category"].astype(str) == "it_work") & (events["parent_id"] >= 0)).any())


def write_run_figures(run_dir: Path) -> list[Path]:
    """Write every possible figure of a run directory to `run_dir/figures/` as PNG and SVG."""
    tables = load_run(run_dir)
    out_dir = run_dir / "figures"
    written: list[Path] = []
    index = []
    for spec in available_specs(tables):
        fig = spec.build(tables)
        files = save_figure(fig, out_dir, spec.name)
        fig.clear()
        written.extend(files)
        index.append({"name": spec.name, "title": spec.title,
                      "caption": caption(spec, tables.config),
                      "files": [f.name for f in files]})
    note = None if tables.events is not None else NO_EVENTS_NOTE
    (out_dir / "index.json").write_text(
        json.dumps({"figures": index, "note": note}, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8")
    return written
