"""`respons scenarios`: list the scenario configs; `--compare` runs each against its own
reference (the config its `base:` names; the baseline for a full config) under common random
numbers and prints Markdown tables of paired differences (`--json`: JSON), and with `--out DIR`
writes them as Markdown, CSV, JSON and Excel."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from respons.cli.args import positive_int
from respons.cli.common import add_output_arguments, json_safe, lang_of, print_json
from respons.errors import UserError
from respons.report.comparison import (
    comparison_json,
    comparison_table,
    format_comparison,
    write_comparison_workbook,
)
from respons.studies.scenarios import (
    DEFAULT_BASELINE,
    DEFAULT_DIR,
    Comparison,
    Entry,
    compare,
    list_scenarios,
    scenario_files,
    select,
)

EXIT_BROKEN = 2
def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date YYYY-MM-DD") from None


def add_parser(sub: Any) -> None:
    """Register the `scenarios` command."""
    p = sub.add_parser("scenarios", help="list scenario configs; --compare runs them against "
                       "the baseline (paired, common random numbers)")
    p.add_argument("--dir", type=Path, default=DEFAULT_DIR,
                   help=f"scenario directory (default {DEFAULT_DIR})")
    p.add_argument("--compare", action="store_true",
                   help="run the baseline and every scenario, print paired differences")
    p.add_argument("--baseline", type=Path, default=DEFAULT_BASELINE,
                   help=f"baseline config (default {DEFAULT_BASELINE})")
    p.add_argument("--only", nargs="+", metavar="NAME",
                   help="compare only these scenarios (file names without .yaml)")
    p.add_argument("--replications", type=positive_int,
                   help="replications of every config (default: the baseline's)")
    p.add_argument("--period-start", type=_date, metavar="DATE",
                   help="first day of every run (default: the baseline's)")
    p.add_argument("--period-end", type=_date, metavar="DATE",
                   help="day after the last day of every run (default: the baseline's)")
    p.add_argument("--out", type=Path, metavar="DIR",
                   help="also write the comparison as comparison.md, .csv, .json and .xlsx into "
                   "this new (or empty) directory; a path ending in .md, .csv or .json writes "
                   "that one file (it must not exist)")
    add_output_arguments(p)
    p.set_defaults(func=cmd_scenarios)


def cmd_scenarios(args: argparse.Namespace) -> int:
    """List, or with --compare run and report."""
    if not args.compare:
        used = [o for o, v in (("--only", args.only), ("--replications", args.replications),
                               ("--period-start", args.period_start),
                               ("--period-end", args.period_end), ("--out", args.out))
                if v is not None]
        if used:
            raise UserError(f"respons scenarios: {used[0]} is only used with --compare.")
        entries = list_scenarios(args.dir)
        if args.json:
            print_json([{"name": e.path.stem, "file": str(e.path), "scenario": e.scenario,
                         "description": e.description, "error": e.error} for e in entries])
        else:
            print(format_list(entries))
        return EXIT_BROKEN if any(e.error for e in entries) else 0
    paths = select(scenario_files(args.dir), args.only)
    if not paths:
        raise UserError(f"no scenario files (*.yaml) in {args.dir}.")
    target = check_out(args.out) if args.out is not None else None
    overrides = []
    if args.replications is not None:
        overrides.append(f"replications={args.replications}")
    if args.period_start is not None:
        overrides.append(f"period.start={args.period_start}")
    if args.period_end is not None:
        overrides.append(f"period.end={args.period_end}")
    from respons.cli.progress import Steps

    with Steps() as steps:
        def progress(name: str, done: int, total: int) -> None:
            steps.callback(name)(done, total)
            if not sys.stderr.isatty() and done == total:
                print(f"{name}: {total} replication(s) done", file=sys.stderr, flush=True)

        cmp = compare(args.baseline, paths, overrides, progress, args.jobs)
    lang = lang_of(args, cmp.baseline.cfg)
    command = _command(args)
    text = format_comparison(cmp, command, lang)
    if args.json:
        print_json(comparison_json(cmp, command))
    else:
        print(text)
    if target is not None:
        written = write_outputs(target, cmp, text, command, lang)
        print(f"\nwritten: {', '.join(str(w) for w in written)}", file=sys.stderr)
    return 0


LEGACY_SUFFIXES = (".md", ".csv", ".json")


def check_out(out: Path) -> Path:
    """--out DIR must be new or empty; a FILE.md/.csv/.json (the older form) must not exist."""
    from respons.runs.rundir import check_out_dir

    if out.suffix.lower() in LEGACY_SUFFIXES and not out.is_dir():
        if out.exists():
            raise UserError(f"--out {out} exists; a comparison is never overwritten. Give a new "
                            "file, or a new directory (--out DIR) for the Markdown, CSV, JSON "
                            "and Excel files together.")
        return out
    check_out_dir(out)
    return out


def write_outputs(out: Path, cmp: Comparison, text: str, command: str,
                  lang: str) -> list[Path]:
    """comparison.md/.csv/.json/.xlsx into the directory `out`, or the one file it names."""
    from respons.runs.rundir import run_directory, write_json, write_text

    table = comparison_table(cmp)
    doc = json_safe(comparison_json(cmp, command))
    suffix = out.suffix.lower()
    if suffix in LEGACY_SUFFIXES and not out.is_dir():
        out.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".md":
            write_text(out, text + "\n", new=True)
        elif suffix == ".csv":
            write_text(out, table.to_csv(index=False, lineterminator="\n"), new=True)
        else:
            write_json(out, doc, new=True)
        return [out]
    with run_directory(out) as work:  # lands whole, one writer at a time
        write_text(work / "comparison.md", text + "\n")
        write_text(work / "comparison.csv", table.to_csv(index=False, lineterminator="\n"))
        write_json(work / "comparison.json", doc)
        write_comparison_workbook(work / "comparison.xlsx", table, lang)
    return [out / n for n in ("comparison.md", "comparison.csv", "comparison.json",
                              "comparison.xlsx")]


def _command(args: argparse.Namespace) -> str:
    """The command line that reproduces this comparison (without --out)."""
    parts = ["python -m respons scenarios --compare"]
    if args.dir != DEFAULT_DIR:
        parts.append(f"--dir {args.dir}")
    if args.baseline != DEFAULT_BASELINE:
        parts.append(f"--baseline {args.baseline}")
    for flag, value in (("--replications", args.replications),
                        ("--period-start", args.period_start),
                        ("--period-end", args.period_end)):
        if value is not None:
            parts.append(f"{flag} {value}")
    if args.only:
        parts.append("--only " + " ".join(args.only))
    return " ".join(parts)


def format_list(entries: list[Entry]) -> str:
    """One line per scenario file: its name and description (or its error)."""
    if not entries:
        return "no scenario files"
    width = max(len(e.path.stem) for e in entries) + 2
    rows = []
    for e in entries:
        text = f"ERROR: {e.error}" if e.error else e.description
        rows.append(f"{e.path.stem:<{width}}{text}")
    return "\n".join(rows)
