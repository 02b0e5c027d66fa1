"""Staffing figure: a typical week of staff on duty (whole people, from the weekly roster)
against staff busy, with each pool's utilisation over the period.

Staff on duty is the roster itself, laid out over one week without sickness absence (the
drawn absences are not kept), so it is the rostered number in whole people: captions say so.
Busy time is exact: each answered contact occupies its pool from answer to end, tallied by
hour of the week over the period (`respons.analysis.breakdown`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from matplotlib.figure import Figure

from respons.analysis.breakdown import Breakdown
from respons.config import Pool, ScenarioConfig
from respons.engine.rosters import fte, on_duty
from respons.report import palette
from respons.report.i18n import WEEKDAYS
from respons.report.style import (
    HOUR,
    category_name,
    frame,
    framed_figure,
    hour_of_week_counts,
    pick,
    styled,
    top_legend,
)

WEEK_H = 168
A_MONDAY = dt.date(2024, 1, 1)  # any Monday: a roster is a weekly pattern


def week_on_duty(pool: Pool) -> tuple[np.ndarray, np.ndarray]:
    """(hours since Monday 00:00, people) of the pool's weekly roster: a step function in
    whole people over one week, night shifts from Sunday reaching into Monday included."""
    steps = on_duty(pool, A_MONDAY, 8, None)
    end = 7 * 24 * HOUR
    keep = steps.times < end
    times = np.append(steps.times[keep], end) / HOUR
    counts = steps.counts[keep]
    return times, np.append(counts, counts[-1]).astype(int)


def on_duty_per_hour(pool: Pool, cfg: ScenarioConfig) -> np.ndarray:
    """Mean staff rostered on duty in each hour of the period (no sickness absence)."""
    hours = cfg.period.days * 24
    return on_duty(pool, cfg.period.start, cfg.period.days, None).per_hour(hours)


def rostered_week(pool: Pool, cfg: ScenarioConfig) -> np.ndarray:
    """Staff-seconds rostered in each hour of the week, summed over the period."""
    hours = cfg.period.days * 24
    per_hour = on_duty_per_hour(pool, cfg) * HOUR
    h = np.arange(hours)
    how = ((cfg.period.start.weekday() + h // 24) % 7) * 24 + h % 24
    return np.bincount(how, weights=per_hour, minlength=WEEK_H)


def _week_axis(axes: list, lang: str) -> None:
    """Weekday names between the midnight lines, set once on axes sharing their x axis."""
    axes[-1].set_xlim(0, WEEK_H)
    axes[-1].set_xticks(np.arange(0, WEEK_H, 24) + 12, WEEKDAYS[lang], minor=False)
    axes[-1].set_xticks(np.arange(0, WEEK_H + 1, 24), minor=True)
    for ax in axes:
        ax.tick_params(axis="x", which="major", length=0)
        ax.grid(axis="x", which="major", visible=False)
        ax.grid(axis="x", which="minor", visible=True, alpha=0.5)


@styled
def staff_week_figure(b: Breakdown, cfg: ScenarioConfig, lang: str = "en") -> Figure:
    """Per pool: people rostered on duty in a typical week (whole people) and the mean number
    busy by category, by hour of the week."""
    n = len(cfg.pools)
    fig = framed_figure(11, 1.55 * n + 0.8)
    axes = fig.subplots(n, 1, squeeze=False, sharex=True).ravel()
    occurrences = np.maximum(hour_of_week_counts(cfg), 1) * HOUR * b.replications
    edges = np.arange(WEEK_H + 1)
    cats = b.labels["categories"]
    shown: dict[str, object] = {}
    for ax, pool in zip(axes, cfg.pools, strict=False):
        p = b.labels["pools"].index(pool.name)
        bottom = np.zeros(WEEK_H)
        for s in pool.serves:
            c = cats.index(s.category.value)
            busy = b.arrays["busy_week"][:, p, c].sum(axis=0) / occurrences
            if not busy.any():
                continue
            art = ax.fill_between(edges, np.append(bottom, bottom[-1]),
                                  np.append(bottom + busy, bottom[-1] + busy[-1]), step="post",
                                  color=palette.category(s.category.value), alpha=0.75, lw=0)
            shown.setdefault(s.category.value, art)
            bottom = bottom + busy
        times, people = week_on_duty(pool)
        duty = ax.step(times, people, where="post", color=palette.ON_DUTY, lw=1.5)[0]
        shown.setdefault("duty", duty)
        top = max(int(people.max()), float(bottom.max()), 1)
        ax.set_ylim(0, top * 1.15 + 0.2)
        ax.yaxis.get_major_locator().set_params(integer=True)
        rostered = rostered_week(pool, cfg).sum() * b.replications
        used = b.arrays["busy_week"][:, p].sum()
        util = (pick(lang, ", {:.1f} % busy", ", {:.1f} % opptatt").format(
            100 * used / rostered) if rostered > 0 else "")
        ax.set_title(f"{pool.name} ({pool.role.value}, "
                     f"{fte(pool, cfg.fte_hours_per_week):.1f} "
                     f"{pick(lang, 'FTE', 'årsverk')}{util})".replace(
                         ".", "," if lang == "nb" else "."), loc="left")
        ax.set_ylabel(pick(lang, "people", "personer"))
    _week_axis(list(axes), lang)
    labels = {"duty": pick(lang, "on duty (roster, whole people)", "på vakt (turnus, hele "
                           "personer)")}
    handles = [shown[k] for k in ["duty", *cats] if k in shown]
    names = [labels["duty"] if k == "duty" else pick(lang, "busy: ", "opptatt: ")
             + category_name(k, lang) for k in ["duty", *cats] if k in shown]
    cols = min(len(handles), 4)
    top_legend(fig, handles, names, ncols=cols)
    rows = -(-len(handles) // cols)
    frame(fig, left=0.7, right=0.15, top=0.45 + 0.22 * rows, bottom=0.35, hspace=0.45)
    return fig
