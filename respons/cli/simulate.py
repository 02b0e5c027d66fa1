"""`respons simulate`: run a scenario, write its run directory, print the KPI table."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from respons.cli.common import report_or_warning, scenario_config
from respons.report.formatting import fmt

if TYPE_CHECKING:
    from respons.config import ScenarioConfig


def cmd_simulate(args: argparse.Namespace) -> int:
    from respons.analysis.load import check_size, offered_load
    from respons.analysis.load import describe as describe_load
    from respons.runs.outputs import finish_metadata, metadata, write_results, write_start
    from respons.runs.replications import run
    from respons.runs.rundir import check_out_dir, default_run_dir, final_name, run_directory

    cfg = scenario_config(args)
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
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    source = str(args.config) if args.config else "embedded:vaernes-2020.yaml"
    with run_directory(final, fresh=args.out is None) as work:
        final = final_name(work)
        meta = metadata(cfg, source, started)
        write_start(work, cfg, meta)
        result = run(cfg, keep_events=not args.no_events, progress=_progress, jobs=args.jobs)
        write_results(work, cfg, result)
        finish_metadata(work, meta, time.perf_counter() - t0)
    report = None if args.no_report else report_or_warning(final)  # derived: after landing
    print(format_kpis(cfg, result.summary))
    queue = result.summary["waiting_at_period_end"]["mean"] or 0
    if queue >= 1:
        never = result.summary["never_answered"]["mean"] or 0
        print(f"note: {queue:,.0f} contacts were still waiting when the period ended; "
              f"{never:,.0f} were never answered (mean per replication)", file=sys.stderr)
    print(f"\nrun directory: {final}")
    if report is not None:
        print(f"report: {report}")
    return 0


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        end = "\n" if done == total else ""
        print(f"\rreplication {done}/{total}", end=end, file=sys.stderr, flush=True)


def format_kpis(cfg: ScenarioConfig, summary: dict[str, dict]) -> str:
    """A plain-text KPI table: mean and 95 % CI, shares as percentages."""
    from respons.analysis.kpis import KPI_UNITS

    head = (f"{cfg.scenario}: {cfg.period.start} to {cfg.period.end}, "
            f"{cfg.replications} replication(s), seed {cfg.seed}")
    rows = [head, "", f"{'KPI':<40}{'mean':>12}  {'95 % CI':<24}"]
    for name in KPI_UNITS:
        k = summary[name]
        rows.append(f"{name:<40}{fmt(k['mean'], k['unit']):>12}  "
                    f"{_ci(k['ci_low'], k['ci_high'], k['unit']):<24}")
    return "\n".join(rows)


def _ci(lo: float | None, hi: float | None, unit: str) -> str:
    if lo is None or hi is None:
        return "-"
    return f"[{fmt(lo, unit)}, {fmt(hi, unit)}]"
