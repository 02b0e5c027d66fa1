"""Figures of a run: demand against the configured profiles, waiting times, service level by
hour. Each builder is a pure function of the run's tallies (`respons.analysis.breakdown`) and
the resolved config, returning a `matplotlib.figure.Figure`; staffing and per-municipality
figures live in `figures_staff` and `figures_municipal`, the list of every figure (titles,
captions, order) in `catalog`."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from respons.analysis.breakdown import WAIT_BINS, Breakdown
from respons.analysis.intervals import mean_ci
from respons.config import ScenarioConfig
from respons.engine.arrivals import intensity
from respons.report import palette
from respons.report.i18n import WEEKDAYS
from respons.report.style import (
    category_name,
    frame,
    framed_figure,
    percent_axis,
    pick,
    styled,
    top_legend,
    weekday_counts,
)


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
    wd = (cfg.period.start.weekday() + np.arange(days)) % 7
    per_day = grid.sum(axis=1)
    per_weekday = np.array([per_day[wd == d].mean() if (wd == d).any() else np.nan
                            for d in range(7)])
    return grid.mean(axis=0), per_weekday


@styled
def arrivals_figure(b: Breakdown, cfg: ScenarioConfig, lang: str = "en") -> Figure:
    """Simulated arrivals per clock hour and per weekday against the configured profiles:
    one line per category (simulated: solid with dots; expected from the config: black,
    dashed)."""
    expected = expected_by_category(cfg)
    cats = [c for c in ("alarm", "technical", "legevakt") if c in expected]
    reps = b.replications
    fig = framed_figure(11, 3.9)
    ax_h, ax_w = fig.subplots(1, 2, width_ratios=(2.2, 1))
    per_weekday_n = np.maximum(weekday_counts(cfg), 1)
    for cat in cats:
        c = b.labels["categories"].index(cat)
        sim_h = b.arrays["arrivals_hour"][:, c].sum(axis=0) / reps / cfg.period.days
        sim_w = b.arrays["arrivals_weekday"][:, c].sum(axis=0) / reps / per_weekday_n
        exp_h, exp_w = _per_hour_and_weekday(expected[cat], cfg)
        colour = palette.category(cat)
        name = category_name(cat, lang)
        ax_h.plot(np.arange(24), sim_h, color=colour, lw=1.8, marker="o", ms=3, label=name)
        ax_h.plot(np.arange(24), exp_h, color=palette.EXPECTED, lw=1.0, ls="--")
        ax_w.plot(np.arange(7), sim_w, color=colour, lw=1.8, marker="o", ms=3)
        ax_w.plot(np.arange(7), exp_w, color=palette.EXPECTED, lw=1.0, ls="--")
    ax_h.plot([], [], color=palette.EXPECTED, lw=1.0, ls="--",
              label=pick(lang, "expected (config)", "forventet (konfigurasjon)"))
    ax_h.set_xlabel(pick(lang, "hour of day", "time på døgnet"))
    ax_h.set_xticks(range(0, 24, 3))
    ax_h.set_xlim(-0.5, 23.5)
    ax_h.set_ylim(bottom=0)
    ax_h.set_ylabel(pick(lang, "arrivals per hour (mean over the period)",
                         "ankomster per time (snitt over perioden)"))
    ax_w.set_xticks(range(7), WEEKDAYS[lang])
    ax_w.set_ylim(bottom=0)
    ax_w.set_ylabel(pick(lang, "arrivals per day (mean per weekday)",
                         "ankomster per døgn (snitt per ukedag)"))
    top_legend(fig, ncols=len(cats) + 1)
    frame(fig, left=0.75, right=0.15, top=0.45, bottom=0.55, wspace=0.95)
    return fig


def _priority_labels(cfg: ScenarioConfig, lang: str) -> list[str]:
    """'priority 1: button' labels of the alarm priorities, in the tallies' order."""
    names: dict[int, list[str]] = {}
    for k in cfg.event_kinds:
        if k.category.value == "alarm":
            names.setdefault(k.priority, []).append(k.name.replace("_", " "))
    word = pick(lang, "priority", "prioritet")
    return [f"{word} {p}: {', '.join(v)}" for p, v in sorted(names.items())]


@styled
def wait_ecdf_figure(b: Breakdown, cfg: ScenarioConfig, lang: str = "en") -> Figure:
    """Distribution of alarm waiting times (ECDF and tail), overall and per priority."""
    target = cfg.target_s
    hist = b.arrays["wait_hist"].sum(axis=0).astype(float)  # rows: all, priorities
    totals = hist.sum(axis=1)
    cdf = np.cumsum(hist[:, :WAIT_BINS], axis=1) / np.maximum(totals, 1)[:, None]
    seconds = np.arange(WAIT_BINS)
    all_cdf = cdf[0]
    top = int(np.searchsorted(all_cdf, 0.995)) if totals[0] else int(4 * target)
    x_max = float(min(max(3 * target, top * 1.1), WAIT_BINS - 1))
    fig = framed_figure(11, 4.2)
    ax_cdf, ax_tail = fig.subplots(1, 2)
    alarm = palette.category("alarm")
    series = [(pick(lang, "all alarms", "alle alarmer"), cdf[0], palette.REFERENCE, "-", 2.0)]
    for i, label in enumerate(_priority_labels(cfg, lang)):
        if totals[i + 1]:
            series.append((label, cdf[i + 1], alarm,
                           palette.PRIORITY_STYLES[i % len(palette.PRIORITY_STYLES)], 1.3))
    keep = seconds <= x_max
    lowest = []
    for label, y, colour, ls, lw in series:
        ax_cdf.step(seconds[keep], y[keep], where="post", color=colour, ls=ls, lw=lw, label=label)
        ax_tail.step(seconds[keep], np.clip(1 - y[keep], 1e-5, None), where="post",
                     color=colour, ls=ls, lw=lw)
        lowest.append(float(y[0]))
    share = float(all_cdf[int(target)]) if totals[0] and target < WAIT_BINS else float("nan")
    limit = pick(lang, f"limit {target:g} s", f"grense {target:g} s")
    for ax in (ax_cdf, ax_tail):
        ax.axvline(target, color=palette.GOAL, ls="--", lw=1.2)
        ax.set_xlim(0, x_max)
        ax.set_xlabel(pick(lang, "waiting time from arrival to answer (s)",
                           "ventetid fra ankomst til svar (s)"))
    bottom = max(0.0, np.floor(10 * min(lowest)) / 10 - 0.05) if lowest else 0.0
    ax_cdf.set_ylim(bottom, 1.005)
    within = f"{100 * share:.1f}".replace(".", "," if lang == "nb" else ".")
    ax_cdf.annotate(f"{limit}:\n{within} % " + pick(lang, "within", "innenfor"),
                    xy=(target, share), xytext=(target + 0.08 * x_max, (bottom + share) / 2),
                    color=palette.GOAL, fontsize=9,
                    arrowprops={"arrowstyle": "->", "color": palette.GOAL})
    percent_axis(ax_cdf, lang=lang)
    ax_cdf.set_ylabel(pick(lang, "share of alarms answered within x",
                           "andel alarmer besvart innen x"))
    ax_cdf.set_title(pick(lang, "Waiting time, cumulative", "Ventetid, kumulativ"))
    ax_cdf.legend(loc="lower right")
    ax_tail.set_yscale("log")
    ax_tail.minorticks_off()  # decades only: the minor ticks cost more than they tell
    ax_tail.set_ylim(1e-4, 1.1)
    ax_tail.yaxis.set_major_formatter(FuncFormatter(
        lambda v, _: f"{100 * v:g}".replace(".", "," if lang == "nb" else ".") + " %"))
    ax_tail.set_ylabel(pick(lang, "share waiting longer than x (log scale)",
                            "andel som venter lenger enn x (log-skala)"))
    ax_tail.set_title(pick(lang, "The tail: waits longer than x", "Halen: ventetid over x"))
    frame(fig, left=0.85, right=0.15, top=0.35, bottom=0.55, wspace=1.1)
    return fig


def within_target_by_hour(b: Breakdown, category: str) -> np.ndarray:
    """Replications x 24: share of offered contacts answered within the limit, by hour."""
    c = b.labels["categories"].index(category)
    n = b.arrays["arrivals_hour"][:, c].astype(float)
    k = b.arrays["within_hour"][:, c].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, k / np.maximum(n, 1), np.nan)


@styled
def within_target_figure(b: Breakdown, cfg: ScenarioConfig, lang: str = "en") -> Figure:
    """Share answered within the limit per hour of day, mean and 95 % CI over replications,
    with the goal of each category that has one."""
    fig = framed_figure(11, 4.3)
    ax = fig.subplots()
    hours = np.arange(24)
    lows = []
    for cat in ("alarm", "legevakt"):
        c = b.labels["categories"].index(cat)
        if not b.arrays["arrivals_hour"][:, c].any():
            continue
        mean, lo, hi = mean_ci(within_target_by_hour(b, cat), unit="share")
        colour = palette.category(cat)
        name = category_name(cat, lang)
        ax.plot(hours, mean, color=colour, marker="o", ms=3.5, lw=1.8,
                label=f"{name} ({pick(lang, 'mean', 'snitt')})")
        if np.isfinite(lo).any():
            ax.fill_between(hours, lo, hi, color=colour, alpha=0.2, lw=0,
                            label=f"{name}: 95 % {pick(lang, 'CI', 'KI')}")
        lows.append(np.nanmin(np.where(np.isfinite(lo), lo, mean)))
        goal = cfg.goal.share_for(_category(cat)) if cfg.goal is not None else None
        if goal is not None:
            share = f"{100 * goal:g}".replace(".", "," if lang == "nb" else ".")
            ax.axhline(goal, color=palette.GOAL, ls="--" if cat == "alarm" else ":",
                       lw=1.1, label=pick(lang, f"goal for {name}: {share} %",
                                          f"mål for {name}: {share} %"))
            lows.append(goal)
    bottom = max(0.0, min([*lows, 0.9]) - 0.03) if lows else 0.0
    ax.set_ylim(bottom, 1.005)
    ax.set_xlim(-0.5, 23.5)
    ax.set_xticks(range(0, 24, 2))
    ax.set_xlabel(pick(lang, "hour of day of arrival", "time på døgnet ved ankomst"))
    ax.set_ylabel(pick(lang, f"answered within {cfg.target_s:g} s",
                       f"besvart innen {cfg.target_s:g} s"))
    percent_axis(ax, lang=lang)
    top_legend(fig, ncols=3)  # above the axes: nothing to hide (the title is the caption's)
    frame(fig, left=0.85, right=0.15, top=0.65, bottom=0.55)
    return fig


def _category(name: str):  # noqa: ANN202 - the config's Category enum
    from respons.config import Category

    return Category(name)
