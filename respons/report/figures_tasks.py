"""Figures of the follow-up work, from the run's tallies: home-care visits per municipality and
hour of day, and the IT work orders' time to fix per priority (drawn only when a run has such
rows)."""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from respons.analysis.breakdown import IT_KPIS, Breakdown
from respons.analysis.intervals import mean_ci
from respons.config import ScenarioConfig
from respons.report import palette
from respons.report.formatting import number
from respons.report.i18n import pick
from respons.report.style import frame, framed_figure, percent_axis, styled, text_width


@styled
def visits_figure(b: Breakdown, cfg: ScenarioConfig, lang: str = "en") -> Figure:
    """Heat map: visits started per municipality and clock hour, mean per replication."""
    table = b.arrays["visits_hour"].sum(axis=0) / max(b.replications, 1)
    munis = b.labels["municipalities"]
    keep = [i for i in range(len(munis)) if table[i].sum() > 0]
    labels = [f"{munis[i]} ({number(table[i].sum(), 0, lang)})" for i in keep]
    fig = framed_figure(11, 0.34 * max(len(keep), 2) + 1.3)
    ax = fig.subplots()
    image = ax.imshow(table[keep], aspect="auto", cmap=colormaps[palette.HEAT_MAP],
                      interpolation="nearest", vmin=0)
    ax.set_yticks(np.arange(len(keep)), labels)
    ax.set_xticks(range(0, 24, 2))
    ax.set_xlabel(pick(lang, "hour of day the visit started", "time på døgnet besøket startet"))
    ax.grid(visible=False)
    bar = fig.colorbar(image, ax=ax, pad=0.01, fraction=0.04)
    bar.set_label(pick(lang, "visits (mean per replication)", "besøk (snitt per replikasjon)"))
    frame(fig, left=text_width(labels, 9.5) + 0.2, right=1.0, top=0.2, bottom=0.55)
    return fig


@styled
def it_work_figure(b: Breakdown, cfg: ScenarioConfig, lang: str = "en") -> Figure:
    """Per priority of IT work orders: time to fix (mean and 90th percentile, hours) and the
    share fixed within the deadline, with 95 % intervals over replications."""
    data = b.arrays["it_priority"]  # replication x priority x IT_KPIS
    orders = data[..., IT_KPIS.index("it_work_orders")]
    priorities = [p for p in range(data.shape[1]) if np.nansum(orders[:, p]) > 0]
    fig = framed_figure(11, 3.6)
    ax_t, ax_s = fig.subplots(1, 2)
    x = np.arange(len(priorities))
    word = pick(lang, "priority", "prioritet")
    colour = palette.category("it_work")
    for off, kpi, label, alpha in ((-0.2, "it_time_to_fix_mean_s", pick(lang, "mean", "snitt"),
                                    1.0),
                                   (0.2, "it_time_to_fix_p90_s", pick(lang, "90th percentile",
                                                                      "90-persentil"), 0.55)):
        mean, lo, hi = mean_ci(data[:, priorities, IT_KPIS.index(kpi)], unit="s")
        err = np.nan_to_num(np.vstack([mean - lo, hi - mean])) / 3600
        ax_t.bar(x + off, mean / 3600, width=0.4, yerr=err, capsize=3, color=colour,
                 alpha=alpha, label=label)
    ax_t.set_xticks(x, [f"{word} {p}" for p in priorities])
    ax_t.set_ylabel(pick(lang, "hours from the alert to the fix", "timer fra varsel til utbedring"))
    ax_t.set_title(pick(lang, "Time to fix", "Tid til utbedring"))
    ax_t.legend()
    mean, lo, hi = mean_ci(data[:, priorities, IT_KPIS.index("it_fixed_within_deadline_share")],
                           unit="share")
    ax_s.bar(x, mean, width=0.5, yerr=np.nan_to_num(np.vstack([mean - lo, hi - mean])),
             capsize=3, color=colour)
    ax_s.set_xticks(x, [f"{word} {p}" for p in priorities])
    ax_s.set_ylim(0, 1.05)
    percent_axis(ax_s, lang=lang)
    ax_s.set_title(pick(lang, "Fixed within the deadline", "Utbedret innen fristen"))
    frame(fig, left=0.75, right=0.15, top=0.35, bottom=0.45, wspace=0.8)
    return fig
