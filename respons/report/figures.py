"""Figures of a run: demand against the configured profiles, waiting times, service level by
hour, plus the registry that writes every figure of a run directory (PNG; SVG on request).

Each builder is a pure function of the run's tallies (`respons.analysis.breakdown`), the
replications table and the resolved config, returning a `matplotlib.figure.Figure`; staffing
and per-municipality figures live in `figures_staff` and `figures_municipal`. The figures are
drawn in parallel processes where the machine has several cores (`respons.report.drawing`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from respons.analysis.breakdown import WAIT_BINS, Breakdown
from respons.analysis.intervals import mean_ci
from respons.config import ScenarioConfig
from respons.engine.arrivals import intensity
from respons.report import palette
from respons.report.figures_municipal import (
    help_arrival_figure,
    outcomes_figure,
    replications_figure,
)
from respons.report.figures_staff import staff_week_figure
from respons.report.i18n import WEEKDAYS
from respons.report.style import (
    RunTables,
    category_name,
    load_run,
    new_figure,
    percent_axis,
    pick,
    save_figure,
    styled,
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
    fig = new_figure(11, 3.9)
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
    fig.legend(loc="outside upper center", ncols=len(cats) + 1)
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
    fig = new_figure(11, 4.2)
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
    fig = new_figure(11, 4.0)
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
    ax.set_xticks(range(24))
    ax.set_xlabel(pick(lang, "hour of day of arrival", "time på døgnet ved ankomst"))
    ax.set_ylabel(pick(lang, f"answered within {cfg.target_s:g} s",
                       f"besvart innen {cfg.target_s:g} s"))
    percent_axis(ax, lang=lang)
    ax.set_title(pick(lang, f"Share answered within {cfg.target_s:g} s by hour of day",
                      f"Andel besvart innen {cfg.target_s:g} s etter time på døgnet"))
    ax.legend(loc="lower left", ncols=3)
    return fig


def _category(name: str):  # noqa: ANN202 - the config's Category enum
    from respons.config import Category

    return Category(name)


@dataclass(frozen=True)
class FigureSpec:
    """One figure of the report: file name, title and caption (English, Norwegian), whether
    it needs the tallies, whether it belongs in the appendix, and how to build it."""

    name: str
    title: tuple[str, str]
    caption: tuple[str, str]
    needs_breakdown: bool
    build: Callable[[RunTables, str], Figure]
    appendix: bool = False


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("within_target_by_hour",
               ("Service level by hour of day", "Svarandel etter time på døgnet"),
               ("Share of offered alarms and legevakt calls answered within {target} s, by the "
                "hour they arrived: mean over {reps} replications with a 95 % confidence band "
                "(none with a single replication); dashed: the goal.",
                "Andel mottatte alarmer og legevaktsamtaler besvart innen {target} s, etter "
                "timen de kom: snitt over {reps} replikasjoner med 95 % konfidensbånd (ingen "
                "med én replikasjon); stiplet: målet."),
               True, lambda t, lang: within_target_figure(t.breakdown, t.config, lang)),
    FigureSpec("wait_ecdf", ("Waiting time of alarms", "Ventetid for alarmer"),
               ("Left: share of alarms answered within a given wait, overall and per priority "
                "(alarms never answered count as misses). Right: the same as the share still "
                "waiting, on a log scale, to show the tail. Dashed line: the {target} s limit.",
                "Venstre: andel alarmer besvart innen en gitt ventetid, samlet og per "
                "prioritet (alarmer som aldri ble besvart, teller som bom). Høyre: det samme "
                "som andelen som fortsatt venter, på log-skala, for å vise halen. Stiplet: "
                "grensen på {target} s."),
               True, lambda t, lang: wait_ecdf_figure(t.breakdown, t.config, lang)),
    FigureSpec("staff_week", ("Staff on duty and busy in a typical week",
                              "Bemanning og opptatt i en typisk uke"),
               ("Black line: people rostered on duty (whole people, from the weekly roster, "
                "before sickness absence); areas: mean number busy handling contacts, by "
                "category, over the period and replications, by hour of the week. Titles: "
                "busy time / rostered time over the period.",
                "Svart linje: personer på vakt etter turnus (hele personer, fra ukesturnusen, "
                "før sykefravær); flater: gjennomsnittlig antall opptatt med kontakter, etter "
                "kategori, over perioden og replikasjonene, per time i uken. Titler: opptatt "
                "tid / turnustid over perioden."),
               True, lambda t, lang: staff_week_figure(t.breakdown, t.config, lang)),
    FigureSpec("arrivals", ("Arrivals by hour of day and weekday",
                            "Ankomster etter time og ukedag"),
               ("Coloured lines: simulated arrivals within the period per category, mean over "
                "replications; black dashed lines: the expected number from the configured "
                "rates, profiles, join dates and ramp-up. Left per clock hour (mean over all "
                "days), right per day by weekday.",
                "Fargede linjer: simulerte ankomster i perioden per kategori, snitt over "
                "replikasjonene; svarte stiplede linjer: forventet antall fra konfigurerte "
                "rater, profiler, oppstartsdatoer og opptrapping. Til venstre per klokketime "
                "(snitt over alle dager), til høyre per døgn etter ukedag."),
               True, lambda t, lang: arrivals_figure(t.breakdown, t.config, lang)),
    FigureSpec("outcomes", ("Outcomes per municipality", "Utfall per kommune"),
               ("Answered alarms and technical alerts per municipality by outcome, mean per "
                "replication over the period (municipalities with no contacts are left out).",
                "Besvarte alarmer og tekniske varsler per kommune etter utfall, snitt per "
                "replikasjon over perioden (kommuner uten kontakter er utelatt)."),
               True, lambda t, lang: outcomes_figure(t.breakdown, t.config, lang)),
    FigureSpec("help_arrival", ("Time until home care arrives",
                                "Tid til hjemmetjenesten er fremme"),
               ("Minutes from the alarm to home care arriving, for alarms forwarded to home "
                "care, per municipality: box = quartiles, line = median, diamond = mean, "
                "whiskers = 5th and 95th percentiles.",
                "Minutter fra alarmen til hjemmetjenesten er fremme, for alarmer videresendt "
                "til hjemmetjenesten, per kommune: boks = kvartiler, strek = median, rombe = "
                "gjennomsnitt, værhår = 5- og 95-persentil."),
               True, lambda t, lang: help_arrival_figure(t.breakdown, t.config, lang)),
    FigureSpec("replications", ("Spread over replications", "Spredning over replikasjoner"),
               ("Each dot is one replication, the grey bar the 95 % confidence interval of the "
                "mean over {reps} replications (as in the key figures), both as the difference "
                "from the mean in percent of the mean, so KPIs in different units share one "
                "scale; the labels give the means.",
                "Hvert punkt er én replikasjon, den grå streken 95 %-konfidensintervallet for "
                "gjennomsnittet over {reps} replikasjoner (som i nøkkeltallene), begge som avvik "
                "fra gjennomsnittet i prosent av det, så nøkkeltall i ulike enheter deler én "
                "skala; etikettene viser gjennomsnittene."),
               False, lambda t, lang: replications_figure(t.replications, t.summary, lang),
               appendix=True),
)


def caption(spec: FigureSpec, cfg: ScenarioConfig, lang: str = "en") -> str:
    """The figure's caption with the run's limit and replication count filled in."""
    return pick(lang, *spec.caption).format(target=f"{cfg.target_s:g}", reps=cfg.replications)


def available_specs(tables: RunTables) -> list[FigureSpec]:
    """The figures this run's files allow (without tallies: the replications figure only)."""
    return [s for s in FIGURES if (tables.breakdown is not None or not s.needs_breakdown)
            and (s.name != "replications" or tables.replications is not None)]


def draw_one(tables: RunTables, name: str, out_dir: Path, lang: str,
             svg: bool) -> list[Path]:
    """Build and save one figure; returns the files written."""
    spec = next(s for s in FIGURES if s.name == name)
    fig = spec.build(tables, lang)
    files = save_figure(fig, out_dir, name, svg)
    fig.clear()
    return files


def draw_figures(tables: RunTables, out_dir: Path, lang: str = "en", svg: bool = False,
                 progress: Callable[[int, int], None] | None = None,
                 pool: Any = None) -> list[Path]:
    """Write every figure the run allows to `out_dir` (in the processes of `pool`, a
    `respons.report.drawing.FigurePool`, when given,
    else here), then `index.json` listing them with titles and captions in `lang`."""
    specs = available_specs(tables)
    names = [s.name for s in specs]
    if pool is not None:
        written = pool.draw(tables, names, out_dir, lang, svg, progress)
    else:
        written = []
        for done, name in enumerate(names, start=1):
            written.extend(draw_one(tables, name, out_dir, lang, svg))
            if progress is not None:
                progress(done, len(names))
    index = [{"name": s.name, "title": pick(lang, *s.title), "caption":
              caption(s, tables.config, lang), "appendix": s.appendix,
              "files": sorted(f.name for f in written if f.stem == s.name)} for s in specs]
    note = None if tables.breakdown is not None else "no_breakdown"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "index.json").write_text(
        json.dumps({"lang": lang, "svg": svg, "figures": index, "note": note}, indent=2,
                   ensure_ascii=False) + "\n", encoding="utf-8")
    return written


def write_run_figures(run_dir: Path, lang: str = "en", svg: bool = False,
                      tables: RunTables | None = None,
                      progress: Callable[[int, int], None] | None = None,
                      pool: Any = None) -> list[Path]:
    """Write every possible figure of a run directory to `run_dir/figures/` (PNG, and SVG
    with `svg`); `tables` saves reading the run's files when the caller has them."""
    return draw_figures(tables or load_run(run_dir), run_dir / "figures", lang, svg, progress,
                        pool)
