"""`respons simulate`: run a scenario, write its run directory, and answer first: the verdict on
the goal, the annual cost and the cost per municipality, then the KPI table."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

from respons.cli.args import non_negative_int, positive_int
from respons.cli.common import (
    add_goal_arguments,
    add_output_arguments,
    lang_of,
    print_json,
    report_or_warning,
    scenario_config,
)


def add_parser(sub: Any) -> None:
    """Register the `simulate` command."""
    sim = sub.add_parser("simulate", help="simulate a scenario (default: the 2020 baseline)")
    sim.add_argument("--config", type=Path, help="scenario YAML (default: embedded 2020 "
                     "baseline, configs/vaernes-2020.yaml)")
    sim.add_argument("--replications", type=positive_int, help="override replications")
    sim.add_argument("--seed", type=non_negative_int, help="override the root seed")
    sim.add_argument("--set", dest="overrides", action="append", default=[], metavar="a.b=VALUE",
                     help="override one field (VALUE parsed as YAML); repeatable")
    add_goal_arguments(sim)
    sim.add_argument("--out", type=Path, help="write the run exactly here (must be new/empty)")
    sim.add_argument("--no-events", action="store_true", help="skip events.parquet")
    sim.add_argument("--no-report", action="store_true", help="skip figures and report.html")
    sim.add_argument("--svg", action="store_true", help="also write the figures as SVG")
    sim.add_argument("--by-municipality", action="store_true",
                     help="also print the per-municipality table")
    add_output_arguments(sim)
    sim.set_defaults(func=cmd_simulate)


def cmd_simulate(args: argparse.Namespace) -> int:
    from respons.analysis.load import check_size, offered_load
    from respons.analysis.load import describe as describe_load
    from respons.cli.progress import Steps
    from respons.runs.outputs import finish_metadata, metadata, write_results, write_start
    from respons.runs.replications import run
    from respons.runs.rundir import check_out_dir, default_run_dir, final_name, run_directory

    cfg = scenario_config(args)
    lang = lang_of(args, cfg)
    load = offered_load(cfg)
    check_size(load)
    warning = describe_load(load, cfg)
    if warning:
        print(warning, file=sys.stderr)
    if args.out is not None:
        check_out_dir(args.out)
        final = args.out
    else:
        final = default_run_dir(Path("runs"), cfg.scenario)
    report = not args.no_report
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    source = str(args.config) if args.config else "embedded:vaernes-2020.yaml"
    pool = _figure_pool() if report else None  # forked now: imports matplotlib meanwhile
    try:
        with Steps() as steps:
            with run_directory(final, fresh=args.out is None) as work:
                final = final_name(work)
                meta = metadata(cfg, source, started)
                write_start(work, cfg, meta)
                result = run(cfg, keep_events=not args.no_events, jobs=args.jobs,
                             progress=steps.callback("replications"), breakdown=report)
                doc = write_results(work, cfg, result)
                write_tables(work, doc, cfg, lang)
                finish_metadata(work, meta, time.perf_counter() - t0)
            written = None
            if report:  # derived: after the run has landed
                from respons.report.catalog import RunTables

                tables = RunTables(cfg, doc, result.replications, result.breakdown)
                written = report_or_warning(final, lang, args.svg, tables, pool,
                                            steps.callback("figures"))
    finally:
        if pool is not None:
            pool.close()
    if args.json:
        print_json({**doc, "run_directory": str(final), "report": written})
    else:
        print(format_result(cfg, doc, lang, args.by_municipality))
        from respons.report.i18n import t

        print(f"\n{t('run_directory', lang)}: {final}")
        if written is not None:
            print(f"{t('report', lang)}: {written}")
    sys.stdout.flush()
    _warnings(doc, cfg.replications, lang)
    return 0


def _figure_pool() -> Any:
    from respons.report.drawing import FigurePool

    return FigurePool()


def write_tables(work: Path, doc: dict[str, Any], cfg: Any, lang: str) -> None:
    """summary.xlsx: the verdict, KPI, per-municipality and cost tables."""
    import dataclasses

    from respons.report.excel import write_workbook
    from respons.report.i18n import TEXT, t
    from respons.report.tables import cost_table, kpi_table, municipality_table, verdict_table

    tables = [verdict_table(doc, lang), kpi_table(doc, lang), municipality_table(doc, lang)]
    if doc.get("costs"):
        tables.append(cost_table(doc, lang))
    tables = [dataclasses.replace(tab, name=t(f"sheet:{tab.name}", lang))
              if f"sheet:{tab.name}" in TEXT else tab for tab in tables]
    write_workbook(work / "summary.xlsx", tables)


def _warnings(doc: dict[str, Any], replications: int, lang: str) -> None:
    from respons.report.tables import replications_warning

    warning = replications_warning(replications, lang)
    if warning:
        print(warning, file=sys.stderr)
    kpis = doc["kpis"]
    queue = kpis["waiting_at_period_end"]["mean"] or 0
    if queue >= 1:
        never = kpis["never_answered"]["mean"] or 0
        print(f"note: {queue:,.0f} contacts were still waiting when the period ended; "
              f"{never:,.0f} were never answered (mean per replication)", file=sys.stderr)


def format_result(cfg: Any, doc: dict[str, Any], lang: str = "en",
                  by_municipality: bool = False) -> str:
    """Verdict and cost first, then the KPI table with its footnotes (and, if asked, the
    per-municipality table)."""
    from respons.report.i18n import t
    from respons.report.tables import (
        cost_lines,
        cut_any,
        range_lines,
        rule_notes,
        terminal_kpis,
        terminal_municipalities,
        verdict_lines,
    )

    head = t("head", lang, scenario=cfg.scenario, start=cfg.period.start, end=cfg.period.end,
             reps=cfg.replications, seed=cfg.seed)
    parts = [*verdict_lines(doc, lang), *range_lines(doc, lang), *cost_lines(doc, lang), "",
             head, "",
             terminal_kpis(doc, lang)]
    notes = rule_notes(cfg, doc, lang)
    if cut_any(doc):
        notes.append(t("cut_note", lang))
    parts += [f"* {n}" for n in notes]
    if by_municipality and doc.get("by_municipality"):
        parts += ["", t("by_municipality_title", lang), terminal_municipalities(doc, lang)]
    return "\n".join(parts)

