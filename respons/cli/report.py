"""`respons report DIR`: write the figures (when missing) and the self-contained report.html of
a run or sweep directory, and print where it is."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from respons.errors import UserError


def add_parser(sub: Any) -> None:
    """Register the `report` command on the CLI's subparsers."""
    rep = sub.add_parser("report", help="write figures and report.html for a run or sweep "
                         "directory")
    rep.add_argument("run_dir", type=Path, metavar="RUN_OR_SWEEP_DIR",
                     help="a run directory (with summary.json), a sweep directory (with "
                     "sweep-summary.csv), a validation directory (with validation.csv) or an "
                     "uncertainty directory (with ranges.csv)")
    rep.add_argument("--lang", choices=("en", "nb"),
                     help="language of the report (default: the run config's `lang`, else the "
                     "LANG environment variable); figures in another language are redrawn")
    rep.add_argument("--svg", action="store_true", help="also write the figures as SVG")
    rep.set_defaults(func=cmd_report)


REPORTABLE = ("summary.json", "sweep-summary.csv", "validation.csv", "ranges.csv")
UNCERTAINTY = ("inputs.csv", "ranges.csv", "samples.csv", "metadata.json")


def check_report_dir(path: Path) -> None:
    """A report needs a finished run, a sweep or a validation directory."""
    if not path.exists():
        raise UserError(f"report: {path} does not exist; give a run directory written by "
                        "`respons simulate` (or a sweep directory).")
    if not path.is_dir():
        raise UserError(f"report: {path} is not a directory; give a run or sweep directory.")
    if (path / "failed.json").is_file() and not (path / "summary.json").is_file():
        raise UserError(f"report: {path} is a failed run (see failed.json); it has no "
                        "results to report.")
    if not any((path / name).is_file() for name in REPORTABLE):
        raise UserError(f"report: {path} has neither summary.json (a run), sweep-summary.csv "
                        "(a sweep), validation.csv (a validation) nor ranges.csv (an "
                        "uncertainty study); is it a complete run directory?")
    if (path / "summary.json").is_file() and not (path / "config.resolved.yaml").is_file():
        raise UserError(f"report: {path} has summary.json but no config.resolved.yaml; the "
                        "run directory is incomplete.")
    check_files(path)


def check_files(path: Path) -> None:
    """Every file the report reads must be intact: a damaged one is named (exit 2)."""
    from respons.analysis.kpis import KPI_UNITS
    from respons.config.loading import read_mapping, validate
    from respons.runs.readback import (
        read_breakdown,
        read_figure_index,
        read_object,
        read_summary,
        read_table,
    )

    summary = read_summary(path / "summary.json") if (path / "summary.json").is_file() else None
    if (path / "figures" / "index.json").is_file():
        read_figure_index(path / "figures" / "index.json")
    for name in ("metadata.json", "design.json"):
        if (path / name).is_file():
            read_object(path / name, name)
    configs = {}
    for name in ("config.resolved.yaml", "base.resolved.yaml"):
        if (path / name).is_file():
            configs[name] = validate(read_mapping(path / name), str(path / name))
    if summary is not None and (path / "breakdown.npz").is_file():
        read_breakdown(path / "breakdown.npz", configs["config.resolved.yaml"],
                       summary["replications"])
    for name in ("replications.csv", "sweep-summary.csv", "validation.csv"):
        if (path / name).is_file():
            read_table(path / name, ("replication", *KPI_UNITS))


def cmd_report(args: argparse.Namespace) -> int:
    """Write figures (if missing) and report.html, then print the report's path."""
    from respons.cli.progress import progress
    from respons.report.page import make_report
    from respons.runs.rundir import exclusive

    run_dir: Path = args.run_dir
    check_report_dir(run_dir)
    with exclusive(run_dir, "report", wait_s=300, doing="reported"):
        if (run_dir / "ranges.csv").is_file() and not (run_dir / "summary.json").is_file():
            print(_uncertainty_report(run_dir, args.lang))
            return 0
        try:
            with progress("figures") as step:
                out = make_report(run_dir, args.lang, args.svg, progress=step)
        except (KeyError, IndexError, TypeError, ValueError, ArithmeticError) as e:
            # every file read was checked; what remains is content no check foresaw
            raise UserError(f"report: the files of {run_dir} could not be drawn "
                            f"({type(e).__name__}: {e}); one of them is damaged or from "
                            "another version.") from None
    if (run_dir / "summary.json").is_file() and not (run_dir / "breakdown.npz").is_file() \
            and not (run_dir / "events.parquet").is_file():
        print("note: no breakdown.npz or events.parquet (run with --no-report --no-events): "
              "only the figures that need no event data are included.")
    print(out)
    return 0


def _uncertainty_report(run_dir: Path, lang: str | None = None) -> Path:
    """Figures and report.html of an uncertainty directory (`respons uncertainty`)."""
    from respons.report.uncertainty import write_report

    missing = [n for n in UNCERTAINTY if not (run_dir / n).is_file()]
    if missing:
        raise UserError(f"report: {run_dir} has ranges.csv but no {', '.join(missing)}; the "
                        "uncertainty directory is incomplete.")
    try:
        return write_report(run_dir, lang)
    except (KeyError, ValueError, TypeError, IndexError) as e:
        raise UserError(f"report: the tables of {run_dir} cannot be read as an uncertainty "
                        f"study ({type(e).__name__}: {e}); is a file damaged?") from None
