"""Per-municipality figures (outcomes, home-care help arrival, monthly volumes) and the spread
of the KPIs over replications (the one figure a run without an event table can have)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from respons.analysis.kpis import KPI_UNITS
from respons.config import OUTCOMES, ScenarioConfig
from respons.report.style import (
    DAY,
    OUTCOME_COLOURS,
    OUTCOME_LABELS,
    ConfigLike,
    as_config,
    new_figure,
    period_events,
    replications_of,
    styled,
    thousands_axis,
)


def _answered(events: pd.DataFrame, cfg: ScenarioConfig, category: str) -> pd.DataFrame:
    ev = period_events(events, cfg)
    return ev[(ev["category"] == category) & ev["answer_s"].notna()]


@styled
def outcomes_figure(events: pd.DataFrame, cfg: ConfigLike) -> Figure:
    """Answered alarms and technical alerts per municipality, stacked by outcome."""
    cfg = as_config(cfg)
    reps = max(len(replications_of(events)), 1)
    tables = {}
    for cat in ("alarm", "technical"):
        ans = _answered(events, cfg, cat)
        tab = pd.crosstab(ans["municipality"], ans["outcome"]) / reps
        tables[cat] = tab.reindex(columns=list(OUTCOMES), fill_value=0.0)
    totals = tables["alarm"].sum(axis=1).add(tables["technical"].sum(axis=1), fill_value=0.0)
    order = sorted((m.name for m in cfg.municipalities if float(totals.get(m.name, 0.0)) > 0),
                   key=lambda m: float(totals.get(m, 0.0)))
    fig = new_figure(11, 0.32 * max(len(order), 3) + 1.8)
    axes = fig.subplots(1, 2, sharey=True)
    y = np.arange(len(order))
    for ax, (cat, title) in zip(axes, (("alarm", "Alarms answered"),
                                       ("technical", "Technical alerts answered")),
                                strict=True):
        tab = tables[cat].reindex(order, fill_value=0.0)
        left = np.zeros(len(order))
        for outcome in OUTCOMES:
            vals = tab[outcome].to_numpy(dtype=float)
            if vals.sum() == 0:
                continue
            ax.barh(y, vals, left=left, color=OUTCOME_COLOURS[outcome], height=0.7,
                    label=OUTCOME_LABELS[outcome])
            left += vals
        span = max(float(left.max()), 1.0)
        for yi, total in zip(y, left, strict=True):
            if total > 0:
                ax.text(total + 0.01 * span, yi, f"{total:,.0f}", va="center", fontsize=8)
        ax.set_xlim(0, span * 1.14)
        ax.set_title(f"{title} per replication")
        ax.set_xlabel("contacts (mean per replication)")
        thousands_axis(ax, "x")
        ax.legend(loc="lower right")
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(y, order)
    return fig


@styled
def help_arrival_figure(events: pd.DataFrame, cfg: ConfigLike) -> Figure:
    """Minutes from alarm to home care arriving, per municipality (box: 5/25/50/75/95 %)."""
    cfg = as_config(cfg)
    ans = _answered(events, cfg, "alarm")
    visits = ans[(ans["outcome"] == "homecare") & ans["homecare_arrival_s"].notna()]
    minutes = (visits["homecare_arrival_s"] - visits["arrival_s"]) / 60.0
    groups = {m: minutes[visits["municipality"] == m].to_numpy() for m in
              (mm.name for mm in cfg.municipalities)}
    groups = {m: v for m, v in groups.items() if v.size}
    names = sorted(groups, key=lambda m: float(np.median(groups[m])))
    fig = new_figure(11, 0.34 * max(len(names), 1) + 1.6)
    ax = fig.subplots()
    if not names:
        ax.text(0.5, 0.5, "no alarms were forwarded to home care", ha="center",
                transform=ax.transAxes)
        return fig
    reps = max(len(replications_of(events)), 1)
    ax.boxplot([groups[m] for m in names], orientation="horizontal", whis=(5, 95),
               showfliers=False, showmeans=True, widths=0.6, patch_artist=True,
               boxprops={"facecolor": "#cfe0f3", "edgecolor": "#2f6db5"},
               medianprops={"color": "#1b3f6b", "lw": 1.8},
               meanprops={"marker": "D", "markerfacecolor": "#c8423b",
                          "markeredgecolor": "#c8423b", "markersize": 4})
    labels = [f"{m} ({groups[m].size / reps:,.0f} visits)" for m in names]
    ax.set_yticks(np.arange(1, len(names) + 1), labels)
    ax.set_xlabel("minutes from the alarm to home care arriving")
    ax.set_xlim(left=0)
    ax.grid(axis="y", visible=False)
    ax.set_title("Time from alarm to home care arriving (visits per replication in brackets)")
    return fig


@styled
def monthly_volume_figure(events: pd.DataFrame, cfg: ConfigLike) -> Figure:
    """Alarms + technical alerts per month stacked by municipality (shows members joining)."""
    cfg = as_config(cfg)
    ev = period_events(events, cfg)
    ev = ev[ev["category"].isin(["alarm", "technical"])]
    reps = max(len(replications_of(events)), 1)
    start = pd.Timestamp(cfg.period.start)
    months = (start + pd.to_timedelta(ev["arrival_s"].to_numpy() // DAY, unit="D")).to_period("M")
    tab = pd.crosstab(months, ev["municipality"].to_numpy()) / reps
    all_months = pd.period_range(start.to_period("M"),
                                 (pd.Timestamp(cfg.period.end) - pd.Timedelta(days=1))
                                 .to_period("M"), freq="M")
    tab = tab.reindex(all_months, fill_value=0.0)
    names = [m.name for m in cfg.municipalities if m.name in tab.columns]
    fig = new_figure(11, 4.8)
    ax = fig.subplots()
    x = np.arange(len(all_months))
    bottom = np.zeros(len(x))
    colours = _palette(len(names))
    joined = {m.name: m.joined for m in cfg.municipalities}
    for name, colour in zip(names, colours, strict=True):
        vals = tab[name].to_numpy(dtype=float)
        when = joined[name]
        label = name if when <= cfg.period.start else f"{name} (joined {when.day} {when:%b %Y})"
        ax.bar(x, vals, bottom=bottom, color=colour, width=0.8, label=label)
        bottom += vals
    ax.set_xticks(x, [f"{p:%b %Y}" if (i == 0 or p.month == 1) else f"{p:%b}"
                      for i, p in enumerate(all_months)])
    ax.set_ylabel("alarms + technical alerts per month")
    thousands_axis(ax)
    ax.grid(axis="x", visible=False)
    ax.set_title("Monthly volume by municipality (mean per replication)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    return fig


def _palette(n: int) -> list[Any]:
    """n distinguishable colours (tab20 reordered so neighbours in a stack differ)."""
    from matplotlib import colormaps

    cmap = colormaps["tab20"]
    order = [*range(0, 20, 2), *range(1, 20, 2)]
    return [cmap(order[i % 20]) for i in range(n)]


_KPI_SHORT = {
    "alarms_resolved_by_operator_share": "alarms resolved by the centre",
    "technical_resolved_by_operator_share": "technical resolved by the centre",
    "alarms_answered_within_target_share": "alarms within target",
    "operator_utilisation": "operator utilisation",
    "backup_answered_share": "alarms answered by backup",
    "legevakt_calls_within_target_share": "legevakt calls within target",
    "answer_time_mean_s": "answer time, mean",
    "answer_time_p90_s": "answer time, 90th percentile",
    "answer_time_p99_s": "answer time, 99th percentile",
    "help_arrival_time_mean_s": "help arrival, mean",
}


@styled
def replications_figure(replications: pd.DataFrame, summary: dict[str, Any]) -> Figure:
    """Share and time KPIs, one small panel each: a dot per replication, mean and 95 % CI."""
    kpis = summary.get("kpis", {})
    names = [k for k, u in KPI_UNITS.items() if u in ("share", "s") and k in replications.columns]
    cols = 2
    rows = max((len(names) + cols - 1) // cols, 1)
    fig = new_figure(11, 0.95 * rows + 0.8)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, name in zip(axes, names, strict=False):
        unit = KPI_UNITS[name]
        scale = 100.0 if unit == "share" else 1.0
        vals = replications[name].to_numpy(dtype=float) * scale
        ax.scatter(vals, np.zeros(vals.size), s=22, color="#2f6db5", edgecolor="white",
                   lw=0.6, zorder=5, label="one replication")
        k = kpis.get(name, {})
        mean, lo, hi = k.get("mean"), k.get("ci_low"), k.get("ci_high")
        if lo is not None and hi is not None:
            lo, hi = max(lo, 0.0), (min(hi, 1.0) if unit == "share" else hi)  # possible range
            ax.plot([lo * scale, hi * scale], [0, 0], color="#e9a9a5", lw=7,
                    solid_capstyle="butt", zorder=2, label="95 % confidence interval")
        if mean is not None:
            ax.plot([mean * scale], [0], marker="|", ms=16, mew=2.2, color="black", zorder=4,
                    ls="none", label="mean")
        ax.set_yticks([])
        ax.set_ylim(-1, 1)
        ax.spines["left"].set_visible(False)
        ax.grid(axis="y", visible=False)
        ax.margins(x=0.15)
        suffix = " (%)" if unit == "share" else " (s)"
        ax.set_title(_KPI_SHORT.get(name, name) + suffix, loc="left", fontsize=9,
                     fontweight="normal")
    for ax in axes[len(names):]:
        ax.set_visible(False)
    if names:
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside upper center", ncols=3)
    return fig
