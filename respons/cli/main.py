"""Command line: `python -m respons COMMAND ...`. Every command returns an exit code; bad input
is reported in one paragraph with exit code 2 and no traceback."""

from __future__ import annotations

import argparse
import errno
import importlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from respons import __version__
from respons.errors import UserError, one_paragraph

if TYPE_CHECKING:
    pass

# Commands kept in their own modules, imported only when run (start-up stays fast): name ->
# (module, one-line help for `respons --help`).
COMMANDS: dict[str, tuple[str, str]] = {
    "simulate": ("respons.cli.simulate", "simulate a scenario (default: the 2020 baseline)"),
    "report": ("respons.cli.report", "write figures and report.html of a run or sweep"),
    "validate": ("respons.cli.validate", "compare 2019 and 2020 with the published figures"),
    "calibrate": ("respons.cli.validate", "fit the year configs to the published figures"),
    "sensitivity": ("respons.cli.validate", "move each assumed input ±25 %% and compare"),
    "profile-log": ("respons.cli.validate", "estimate profiles from a centre's event log"),
    "uncertainty": ("respons.cli.uncertainty", "KPI ranges over the ranged assumptions (SALib)"),
    "erlang": ("respons.cli.erlang", "Erlang C / A figures and agents needed"),
    "sweep": ("respons.cli.sweep", "run a grid or list of variants x replications"),
    "collect": ("respons.cli.sweep", "rebuild a sweep's tables from its task files"),
    "staff": ("respons.cli.staff", "fewest operators per block that meet the target"),
    "roster": ("respons.cli.roster", "cheapest weekly rota of real shifts meeting the goal"),
    "scenarios": ("respons.cli.scenarios", "list or compare the scenarios in configs/scenarios"),
    "serve": ("respons.cli.serve", "a what-if page in the browser (Streamlit, on localhost)"),
}


EXIT_FAILED, EXIT_USAGE = 1, 2
#: OS errors that mean a path given by the user cannot be used (exit 2); any other OS error
#: (a full disk, an I/O error) is a write that failed (exit 1).
USER_PATH_ERRNOS = {errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.EACCES, errno.EPERM,
                    errno.EROFS, errno.EEXIST, errno.ENOTEMPTY, errno.ENAMETOOLONG,
                    errno.ELOOP, errno.EXDEV}


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so usage errors get the same treatment, and
    takes no abbreviations (`--replication` is an error, never `--replications`); every
    subcommand's parser is of this class too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError(f"{self.prog}: {message} (see `{self.prog} --help`).")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only the module of `command` is imported (the others get a help stub)."""
    parser = _Parser(prog="respons", description=__doc__)
    parser.add_argument("--version", action="version", version=f"respons {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    schema = sub.add_parser("schema", help="print the JSON schema of the config")
    schema.add_argument("--shifts", action="store_true",
                        help="print the schema of a roster shift catalogue instead")
    schema.set_defaults(func=cmd_schema)
    if command in COMMANDS:
        importlib.import_module(COMMANDS[command][0]).add_parser(sub)
    for name, (_module, text) in COMMANDS.items():
        if name not in sub.choices:
            sub.add_parser(name, help=text, add_help=False)
    return parser


def cmd_schema(args: argparse.Namespace) -> int:
    if args.shifts:
        from respons.studies.roster_shifts import ShiftCatalogue as Model
    else:
        from respons.config import ScenarioConfig as Model

    print(json.dumps(Model.model_json_schema(), indent=2, ensure_ascii=False))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    # The command line uses no pydantic plugins: skip looking for them (a scan of every
    # installed package's entry points, about 20 ms of each start) unless the user says.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        command = next((a for a in argv if not a.startswith("-")), None)
        args, extra = build_parser(command).parse_known_args(argv)
        if extra:  # named by the command's parser, whose --help lists what it takes
            prog = f"respons {args.command}"
            raise UserError(f"{prog}: unrecognized arguments: {' '.join(extra)} (see `{prog} "
                            "--help`).")
        return int(args.func(args))
    except UserError as e:
        return _fail(str(e), EXIT_USAGE)
    except BrokenPipeError:  # the reader went away (`respons ... | head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes at exit
        return EXIT_FAILED
    except OSError as e:
        return _fail(describe_os_error(e), EXIT_USAGE if e.errno in USER_PATH_ERRNOS
                     else EXIT_FAILED)
    except MemoryError:
        return _fail("out of memory; shorten the period, lower the rates or the "
                     "replications, or use --no-events.", EXIT_FAILED)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - never a traceback for the user; tests see it
        if os.environ.get("RESPONS_DEBUG"):
            raise
        import traceback

        where = traceback.extract_tb(e.__traceback__)[-1]
        notes = "".join(f"; {n}" for n in getattr(e, "__notes__", []))
        return _fail(f"internal error {type(e).__name__}: {e} (in {Path(where.filename).name}"
                     f" line {where.lineno}){notes}. This is a bug in respons: please report "
                     "it with the command line; RESPONS_DEBUG=1 shows the traceback.",
                     EXIT_FAILED)


def _fail(message: str, code: int) -> int:
    print(f"error: {one_paragraph(message)}", file=sys.stderr)
    return code


def describe_os_error(e: OSError) -> str:
    """One line: what failed, on which path, and what became of the output."""
    path = e.filename if e.filename is not None else "a file"
    other = f" -> {e.filename2}" if e.filename2 is not None else ""
    what = e.strerror or str(e) or type(e).__name__
    hint = _OS_HINTS.get(e.errno or 0, "")
    notes = "".join(f"; {n}" for n in getattr(e, "__notes__", []))
    return f"cannot use {path}{other}: {what}{hint}{notes}."


_OS_HINTS = {
    errno.EEXIST: " (a file stands where a directory is needed)",
    errno.ENOTDIR: " (a part of the path is a file, not a directory)",
    errno.EACCES: " (choose a place you may write to)",
    errno.EPERM: " (choose a place you may write to)",
    errno.EROFS: " (choose a place on a writable disk)",
    errno.ENOSPC: " (free some space and run again)",
    errno.EDQUOT: " (free some space and run again)",
}
