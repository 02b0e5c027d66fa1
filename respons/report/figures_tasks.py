"""Figures of the follow-up work: home-care visits per municipality and hour of day, and the
IT work orders' time to fix per priority (drawn only when a run has such rows)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from respons.analysis.tasks import it_by_priority, visits_by_hour
from respons.report.style import DAY, ConfigLike, as_config, new_figure, percent_axis, styled


def has_category(events: pd.DataFrame | None, category: str) -> bool:
    return events is not None and bool((events["category"].astype(str) == category).any())


@styled
def visits_figure(events: pd.DataFrame, cfg: ConfigLike) -> Figure:
    """Heat map: visits started per municipality and clock hour, mean per replication."""
    cfg = as_config(cfg)
    table = visits_by_hour(events, cfg.period.days * DAY)
    fig = new_figure(11, 0.34 * max(len(table), 2) + 1.6)
    ax = fig.subplots()
    image = ax.imshow(table.to_numpy(), aspect="auto", cmap="Blues")
    ax.set_yticks(np.arange(len(table)), [f"{m} ({table.loc[m].sum():,.0f})"
                                          for m in table.index])
    ax.set_xticks(range(0, 24, 2))
    ax.set_xlabel("hour of day the visit started")
    ax.grid(visible=False)
    fig.colorbar(image, ax=ax, label="visits (mean per replication)")
    return fig


@styled
def it_work_figure(events: pd.DataFrame, cfg: ConfigLike) -> Figure:
    """Per priority of IT work orders: time to fix (mean and 90th percentile, hours) and the
    share fixed within the deadline, with 95 % intervals over replications."""
    cfg = as_config(cfg)
    table = it_by_priority(events, cfg.period.days * DAY).set_index(["kpi", "priority"])
    priorities = sorted({p for _, p in table.index})
    fig = new_figure(11, 3.6)
    ax_t, ax_s = fig.subplots(1, 2)
    x = np.arange(len(priorities))
    for off, kpi, label in ((-0.2, "it_time_to_fix_mean_s", "mean"),
                            (0.2, "it_time_to_fix_p90_s", "90th percentile")):
        rows = table.loc[kpi].reindex(priorities)
        mean = rows["mean"].to_numpy() / 3600
        err = np.abs(np.vstack([mean - rows["ci_low"].clip(lower=0).to_numpy() / 3600,
                                rows["ci_high"].to_numpy() / 3600 - mean]))
        ax_t.bar(x + off, mean, width=0.4, yerr=np.nan_to_num(err), capsize=3, label=label)
    ax_t.set_xticks(x, [f"priority {p}" for p in priorities])
    ax_t.set_ylabel("hours from the alert to the fix")
    ax_t.set_title("Time to fix")
    ax_t.legend()
    rows = table.loc["it_fixed_within_deadline_share"].reindex(priorities)
    mean = rows["mean"].to_numpy()
    err = np.abs(np.vstack([mean - rows["ci_low"].clip(lower=0).to_numpy(),
                            rows["ci_high"].clip(upper=1).to_numpy() - mean]))
    ax_s.bar(x, mean, width=0.5, yerr=np.nan_to_num(err), capsize=3, color="#8a63b8")
    ax_s.set_xticks(x, [f"priority {p}" for p in priorities])
    ax_s.set_ylim(0, 1.05)
    percent_axis(ax_s)
    ax_s.set_title("Fixed within the deadline")
    return fig
