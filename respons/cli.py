"""Command line: `python -m respons COMMAND ...`. Every command returns an exit code; bad input
is reported in one paragraph with exit code 2 and no traceback."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from respons import __version__
from respons.cli_args import non_negative_int, positive_int
from respons.errors import UserError, one_paragraph
from respons.formatting import fmt

if TYPE_CHECKING:
    from respons.config import ScenarioConfig

# Commands kept in their own modules, imported only when run (start-up stays fast): name ->
# (module, one-line help for `respons --help`).
COMMANDS: dict[str, tuple[str, str]] = {
    "report": ("respons.cli_report", "write figures and report.html of a run or sweep"),
    "validate": ("respons.cli_validate", "compare 2019 and 2020 with the published figures"),
    "calibrate": ("respons.cli_validate", "fit the year configs to the published figures"),
    "sensitivity": ("respons.cli_validate", "move each assumed input ±25 %% and compare"),
    "profile-log": ("respons.cli_validate", "estimate profiles from a centre's event log"),
    "erlang": ("respons.cli_erlang", "Erlang C / A figures and agents needed"),
    "sweep": ("respons.cli_sweep", "run a grid or list of variants x replications"),
    "collect": ("respons.cli_sweep", "rebuild a sweep's tables from its task files"),
    "staff": ("respons.cli_staff", "fewest operators per block that meet the target"),
    "scenarios": ("respons.cli_scenarios", "list or compare the scenarios in configs/scenarios"),
}


def report_or_warning(root: Path) -> str:
    """Write figures and report.html; a drawing failure is noted, the results still land."""
    from respons.report import make_report

    try:
        return str(make_report(root))
    except Exception as e:  # noqa: BLE001 - the numbers are written; the picture is optional
        (root / "report-error.txt").write_text(f"{type(e).__name__}: {e}\n", encoding="utf-8")
        return f"not written ({type(e).__name__}: {e}); see report-error.txt"

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so usage errors get the same treatment."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError(f"{self.prog}: {message} (see `{self.prog} --help`).")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only the module of `command` is imported (the others get a help stub)."""
    parser = _Parser(prog="respons", description=__doc__)
    parser.add_argument("--version", action="version", version=f"respons {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    sim = sub.add_parser("simulate", help="simulate a scenario (default: the 2020 baseline)")
    sim.add_argument("--config", type=Path, help="scenario YAML (default: embedded 2020 "
                     "baseline, configs/vaernes-2020.yaml)")
    sim.add_argument("--replications", type=positive_int, help="override replications")
    sim.add_argument("--seed", type=non_negative_int, help="override the root seed")
    sim.add_argument("--set", dest="overrides", action="append", default=[], metavar="a.b=VALUE",
                     help="override one field (VALUE parsed as YAML); repeatable")
    sim.add_argument("--out", type=Path, help="write the run exactly here (must be new/empty)")
    sim.add_argument("--no-events", action="store_true", help="skip events.parquet")
    sim.add_argument("--no-report", action="store_true", help="skip figures and report.html")
    sim.add_argument("--jobs", type=positive_int, default=1,
                     help="replications on N local processes (same results as serial)")
    sim.set_defaults(func=cmd_simulate)

    schema = sub.add_parser("schema", help="print the JSON schema of the config")
    schema.set_defaults(func=cmd_schema)
    if command in COMMANDS:
        importlib.import_module(COMMANDS[command][0]).add_parser(sub)
    for name, (_module, text) in COMMANDS.items():
        if name not in sub.choices:
            sub.add_parser(name, help=text, add_help=False)
    return parser


def scenario_config(args: argparse.Namespace) -> ScenarioConfig:
    """The config from --config/--set, with --replications/--seed applied and re-validated."""
    from respons.loading import load_config

    overrides = list(args.overrides)
    if args.replications is not None:
        overrides.append(f"replications={args.replications}")
    if args.seed is not None:
        overrides.append(f"seed={args.seed}")
    return load_config(args.config, overrides)


def cmd_simulate(args: argparse.Namespace) -> int:
    from respons.capacity import check_size, offered_load
    from respons.capacity import describe as describe_load
    from respons.outputs import finish_metadata, metadata, write_results, write_start
    from respons.rundir import check_out_dir, default_run_dir, run_directory
    from respons.runner import run

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
    with run_directory(final) as work:
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
    from respons.metrics import KPI_UNITS

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


def cmd_schema(args: argparse.Namespace) -> int:
    from respons.config import ScenarioConfig

    print(json.dumps(ScenarioConfig.model_json_schema(), indent=2, ensure_ascii=False))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        command = next((a for a in argv if not a.startswith("-")), None)
        args = build_parser(command).parse_args(argv)
        return int(args.func(args))
    except UserError as e:
        print(f"error: {one_paragraph(str(e))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
