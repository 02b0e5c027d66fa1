"""The report's figures: their names, titles and captions in English and Norwegian, their
order, and drawing them into a run directory (with `figures/index.json`).

This module imports no matplotlib: a caller that hands the drawing to the processes of
`respons.report.drawing` never loads it. `RunTables` is what the figures read from a run.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from respons.analysis.breakdown import Breakdown, from_events
from respons.config import ScenarioConfig
from respons.config.loading import read_mapping, validate
from respons.report.i18n import pick


@dataclass(frozen=True)
class RunTables:
    """What the figures read from a run: config, summary, replications table and tallies
    (None when the run has neither breakdown.npz nor events.parquet)."""

    config: ScenarioConfig
    summary: dict[str, Any]
    replications: pd.DataFrame | None
    breakdown: Breakdown | None


def load_run(run_dir: Path) -> RunTables:
    """Read config.resolved.yaml, summary.json, replications.csv and the tallies
    (breakdown.npz, else counted from events.parquet) when present."""
    from respons.analysis.kpis import KPI_UNITS
    from respons.runs.readback import read_breakdown, read_events, read_summary, read_table

    # every file is checked as it is read: damage is a UserError naming the file
    cfg = validate(read_mapping(run_dir / "config.resolved.yaml"),
                   str(run_dir / "config.resolved.yaml"))
    summary = read_summary(run_dir / "summary.json")
    reps_path = run_dir / "replications.csv"
    reps = read_table(reps_path, ("replication", *KPI_UNITS)) if reps_path.is_file() else None
    breakdown = None
    if (run_dir / "breakdown.npz").is_file():
        breakdown = read_breakdown(run_dir / "breakdown.npz", cfg, summary["replications"])
    elif (run_dir / "events.parquet").is_file():
        breakdown = from_events(read_events(run_dir / "events.parquet"), cfg)
    return RunTables(cfg, summary, reps, breakdown)


@dataclass(frozen=True)
class FigureSpec:
    """One figure of the report: file name, title and caption (English, Norwegian), whether
    it needs the tallies (else it reads the replications table and the summary), the function
    that builds it, and whether it belongs in the appendix."""

    name: str
    title: tuple[str, str]
    caption: tuple[str, str]
    needs_breakdown: bool
    builder: str  # "module:function" of respons.report, imported only where it is drawn
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
               True, "figures:within_target_figure"),
    FigureSpec("wait_ecdf", ("Waiting time of alarms", "Ventetid for alarmer"),
               ("Left: share of alarms answered within a given wait, overall and per priority "
                "(alarms never answered count as misses). Right: the same as the share still "
                "waiting, on a log scale, to show the tail. Dashed line: the {target} s limit.",
                "Venstre: andel alarmer besvart innen en gitt ventetid, samlet og per "
                "prioritet (alarmer som aldri ble besvart, teller som bom). Høyre: det samme "
                "som andelen som fortsatt venter, på log-skala, for å vise halen. Stiplet: "
                "grensen på {target} s."),
               True, "figures:wait_ecdf_figure"),
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
               True, "figures_staff:staff_week_figure"),
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
               True, "figures:arrivals_figure"),
    FigureSpec("outcomes", ("Outcomes per municipality", "Utfall per kommune"),
               ("Answered alarms and technical alerts per municipality by outcome, mean per "
                "replication over the period (municipalities with no contacts are left out).",
                "Besvarte alarmer og tekniske varsler per kommune etter utfall, snitt per "
                "replikasjon over perioden (kommuner uten kontakter er utelatt)."),
               True, "figures_municipal:outcomes_figure"),
    FigureSpec("help_arrival", ("Time until home care arrives",
                                "Tid til hjemmetjenesten er fremme"),
               ("Minutes from the alarm to home care arriving, for alarms forwarded to home "
                "care, per municipality: box = quartiles, line = median, diamond = mean, "
                "whiskers = 5th and 95th percentiles.",
                "Minutter fra alarmen til hjemmetjenesten er fremme, for alarmer videresendt "
                "til hjemmetjenesten, per kommune: boks = kvartiler, strek = median, rombe = "
                "gjennomsnitt, værhår = 5- og 95-persentil."),
               True, "figures_municipal:help_arrival_figure"),
    FigureSpec("visits", ("Home-care visits by municipality and hour",
                          "Hjemmebesøk etter kommune og time"),
               ("Visits by the municipalities' home-care teams started in each clock hour, mean "
                "per replication (visits per replication in brackets); only for configs with "
                "visit pools.",
                "Besøk av kommunenes hjemmetjenesteteam startet i hver klokketime, snitt per "
                "replikasjon (besøk per replikasjon i parentes); bare for konfigurasjoner med "
                "besøksgrupper."),
               True, "figures_tasks:visits_figure"),
    FigureSpec("it_work", ("IT work orders by priority", "IT-arbeidsordrer etter prioritet"),
               ("Time from the technical alert to the IT work order being fixed (mean and 90th "
                "percentile) and the share fixed within its deadline, per priority of the "
                "order, with 95 % confidence intervals over {reps} replications.",
                "Tid fra det tekniske varselet til IT-arbeidsordren er utbedret (snitt og "
                "90-persentil) og andelen utbedret innen fristen, per prioritet, med 95 % "
                "konfidensintervall over {reps} replikasjoner."),
               True, "figures_tasks:it_work_figure"),
    FigureSpec("replications", ("Spread over replications", "Spredning over replikasjoner"),
               ("Each dot is one replication, the grey bar the 95 % confidence interval of the "
                "mean over {reps} replications (as in the key figures), both as the difference "
                "from the mean in percent of the mean, so KPIs in different units share one "
                "scale; the labels give the means.",
                "Hvert punkt er én replikasjon, den grå streken 95 %-konfidensintervallet for "
                "gjennomsnittet over {reps} replikasjoner (som i nøkkeltallene), begge som avvik "
                "fra gjennomsnittet i prosent av det, så nøkkeltall i ulike enheter deler én "
                "skala; etikettene viser gjennomsnittene."),
               False, "figures_municipal:replications_figure",
               appendix=True),
)


def caption(spec: FigureSpec, cfg: ScenarioConfig, lang: str = "en") -> str:
    """The figure's caption with the run's limit and replication count filled in."""
    return pick(lang, *spec.caption).format(target=f"{cfg.target_s:g}", reps=cfg.replications)


def available_specs(tables: RunTables) -> list[FigureSpec]:
    """The figures this run's files allow (without tallies: the replications figure only;
    visits and IT work orders only when the run has them)."""
    b = tables.breakdown
    visits = b is not None and "visits_hour" in b.arrays and bool(b.arrays["visits_hour"].any())
    orders = False
    if b is not None and "it_priority" in b.arrays:
        import numpy as np

        counts = b.arrays["it_priority"][..., b.labels["it_kpis"].index("it_work_orders")]
        orders = bool(np.nansum(counts) > 0)
    return [s for s in FIGURES if (b is not None or not s.needs_breakdown)
            and (s.name != "replications" or tables.replications is not None)
            and (s.name != "visits" or visits) and (s.name != "it_work" or orders)]


def draw_one(tables: RunTables, name: str, out_dir: Path, lang: str,
             svg: bool) -> list[Path]:
    """Build and save one figure (importing matplotlib and its builder); returns the files
    written."""
    from respons.report.style import save_figure

    spec = next(s for s in FIGURES if s.name == name)
    module, function = spec.builder.split(":")
    build = getattr(importlib.import_module(f"respons.report.{module}"), function)
    if spec.needs_breakdown:
        fig = build(tables.breakdown, tables.config, lang)
    else:
        fig = build(tables.replications, tables.summary, lang)
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
