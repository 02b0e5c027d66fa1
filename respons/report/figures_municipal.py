"""Per-municipality figures (outcomes, home-care help arrival) and the spread
of the KPIs over replications (the appendix's diagnostics; the one figure a run without
tallies can have)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from respons.analysis.breakdown import HELP_BIN_S, Breakdown
from respons.analysis.kpis import KPI_UNITS
from respons.config import OUTCOMES, ScenarioConfig
from respons.report import palette
from respons.report.formatting import fmt_value, number
from respons.report.i18n import kpi_label
from respons.report.style import (
    decimal_axis,
    frame,
    framed_figure,
    pick,
    styled,
    text_width,
    thousands_axis,
    top_legend,
)

OUTCOME_NAMES = {"resolved_by_operator": ("resolved by the centre", "avklart av senteret"),
                 "homecare": ("home care", "hjemmetjenesten"),
                 "emergency": ("emergency (113/110)", "nødetat (113/110)"),
                 "it_technical": ("IT-technical service", "IT-teknisk tjeneste")}


@styled
def outcomes_figure(b: Breakdown, cfg: ScenarioConfig, lang: str = "en") -> Figure:
    """Answered alarms and technical alerts per municipality, stacked by outcome."""
    reps = b.replications
    out = b.arrays["outcomes"].sum(axis=0) / reps  # category x municipality x outcome
    cats, munis, outcomes = (b.labels[k] for k in ("categories", "municipalities", "outcomes"))
    pair = [cats.index("alarm"), cats.index("technical")]
    totals = out[pair].sum(axis=(0, 2))
    order = [m for m in sorted(range(len(munis)), key=lambda m: totals[m]) if totals[m] > 0]
    fig = framed_figure(11, 0.3 * max(len(order), 3) + 1.7)
    axes = fig.subplots(1, 2, sharey=True)
    y = np.arange(len(order))
    titles = ((pick(lang, "Alarms answered", "Besvarte alarmer")),
              (pick(lang, "Technical alerts answered", "Besvarte tekniske varsler")))
    for ax, c, title in zip(axes, pair, titles, strict=True):
        left = np.zeros(len(order))
        for name in OUTCOMES:
            vals = out[c, order, outcomes.index(name)]
            if vals.sum() == 0:
                continue
            ax.barh(y, vals, left=left, color=palette.outcome(name), height=0.7,
                    edgecolor=palette.EDGE, lw=0.4, label=pick(lang, *OUTCOME_NAMES[name]))
            left += vals
        span = max(float(left.max()), 1.0)
        for yi, total in zip(y, left, strict=True):
            if total > 0:
                ax.text(total + 0.01 * span, yi, number(total, 0, lang), va="center",
                        fontsize=8)
        ax.set_xlim(0, span * 1.16)
        ax.set_title(title + pick(lang, " per replication", " per replikasjon"))
        ax.set_xlabel(pick(lang, "contacts (mean per replication)",
                           "kontakter (snitt per replikasjon)"))
        thousands_axis(ax, "x", lang)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="lower right")
        ax.grid(axis="y", visible=False)
    names = [munis[m] for m in order]
    axes[0].set_yticks(y, names)
    frame(fig, left=text_width(names, 9.5) + 0.2, right=0.15, top=0.35, bottom=0.55,
          wspace=0.35)
    return fig


def hist_stats(counts: np.ndarray, total_s: float, bin_s: float) -> dict[str, float] | None:
    """Box-plot statistics (5/25/50/75/95 %, mean) of times in bins of `bin_s` seconds, in
    minutes (each quantile at its bin's middle)."""
    n = counts.sum()
    if n == 0:
        return None
    cum = np.cumsum(counts) / n

    def q(p: float) -> float:
        return (int(np.searchsorted(cum, p)) + 0.5) * bin_s / 60

    return {"whislo": q(0.05), "q1": q(0.25), "med": q(0.5), "q3": q(0.75), "whishi": q(0.95),
            "mean": total_s / n / 60}


@styled
def help_arrival_figure(b: Breakdown, cfg: ScenarioConfig, lang: str = "en") -> Figure:
    """Minutes from alarm to home care arriving, per municipality (box: 5/25/50/75/95 %)."""
    hist = b.arrays["help_hist"].sum(axis=0)
    sums = b.arrays["help_sum_s"].sum(axis=0)
    munis = b.labels["municipalities"]
    stats = {m: s for i, m in enumerate(munis)
             if (s := hist_stats(hist[i], float(sums[i]), HELP_BIN_S)) is not None}
    names = sorted(stats, key=lambda m: stats[m]["med"])
    fig = framed_figure(11, 0.32 * max(len(names), 1) + 1.5)
    ax = fig.subplots()
    if not names:
        ax.text(0.5, 0.5, pick(lang, "no alarms were forwarded to home care",
                               "ingen alarmer ble videresendt til hjemmetjenesten"),
                ha="center", transform=ax.transAxes)
        frame(fig, left=0.5, right=0.15, top=0.35, bottom=0.55)
        return fig
    visits = {m: hist[munis.index(m)].sum() / b.replications for m in names}
    boxes = [{**stats[m], "label": f"{m} ({number(visits[m], 0, lang)} "
              f"{pick(lang, 'visits', 'besøk')})", "fliers": []} for m in names]
    colour = palette.outcome("homecare")
    ax.bxp(boxes, orientation="horizontal", showmeans=True, showfliers=False, widths=0.6,
           patch_artist=True, boxprops={"facecolor": colour, "edgecolor": palette.REFERENCE,
                                        "alpha": 0.8},
           medianprops={"color": palette.REFERENCE, "lw": 1.8},
           meanprops={"marker": "D", "markerfacecolor": palette.REFERENCE,
                      "markeredgecolor": palette.REFERENCE, "markersize": 4})
    ax.set_xlabel(pick(lang, "minutes from the alarm to home care arriving",
                       "minutter fra alarmen til hjemmetjenesten er fremme"))
    ax.set_xlim(left=0)
    ax.grid(axis="y", visible=False)
    ax.set_title(pick(lang, "Time from alarm to home care arriving (visits per replication in "
                      "brackets)", "Tid fra alarm til hjemmetjenesten er fremme (besøk per "
                      "replikasjon i parentes)"))
    frame(fig, left=text_width([b["label"] for b in boxes], 9.5) + 0.2, right=0.15, top=0.35,
          bottom=0.55)
    return fig


@styled
def replications_figure(replications: pd.DataFrame, summary: dict[str, Any],
                        lang: str = "en") -> Figure:
    """Every share and time KPI on one row: each replication's value and the 95 % interval
    (exactly as summary.json has it) as the difference from the mean, in percent of the mean,
    so that the spread of KPIs in different units can be read on one scale."""
    kpis = summary.get("kpis", {})
    units = {k: (v.get("unit") if isinstance(v, dict) else None) or KPI_UNITS.get(k)
             for k, v in kpis.items()}
    names = [k for k, u in units.items() if u in ("share", "s") and k in replications.columns
             and isinstance(kpis[k].get("mean"), int | float) and kpis[k]["mean"]]
    target = (summary.get("goal") or {}).get("within_s") or summary.get("target_s") or 120
    fig = framed_figure(11, 0.36 * max(len(names), 2) + 1.3)
    ax = fig.subplots()
    labels, xs, ys, lows, highs, rows = [], [], [], [], [], []
    for i, name in enumerate(names):
        k = kpis[name]
        mean = float(k["mean"])
        y = len(names) - 1 - i
        rel = (replications[name].to_numpy(dtype=float) / mean - 1) * 100
        xs.append(rel)
        ys.append(np.full(rel.size, y))
        lo, hi = k.get("ci_low"), k.get("ci_high")
        if lo is not None and hi is not None:
            rows.append(y)
            lows.append((lo / mean - 1) * 100)
            highs.append((hi / mean - 1) * 100)
        labels.append(f"{kpi_label(name, lang, target)}: {fmt_value(mean, units[name], lang)}")
    if rows:
        ax.hlines(rows, lows, highs, color=palette.CI_BAND, lw=7, zorder=2,
                  label=pick(lang, "95 % confidence interval", "95 % konfidensintervall"))
    if xs:
        ax.scatter(np.concatenate(xs), np.concatenate(ys), s=18, color=palette.REPLICATION,
                   edgecolor=palette.EDGE, lw=0.5, zorder=5,
                   label=pick(lang, "one replication", "én replikasjon"))
    ax.axvline(0, color=palette.MEAN, lw=1.4, label=pick(lang, "mean", "gjennomsnitt"))
    ax.set_yticks(range(len(names)), labels[::-1], fontsize=8)
    ax.set_ylim(-0.7, len(names) - 0.3)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(pick(lang, "difference from the mean (% of the mean)",
                       "avvik fra gjennomsnittet (% av gjennomsnittet)"))
    decimal_axis(ax, "x", lang)
    top_legend(fig, ncols=3)
    frame(fig, left=text_width(labels, 8) + 0.2, right=0.15, top=0.4, bottom=0.55)
    return fig
