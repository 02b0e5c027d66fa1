"""Command line: `python -m respons COMMAND ...`. Every command returns an exit code; bad input
is reported in one paragraph with exit code 2 and no traceback."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

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
        args = build_parser(command).parse_args(argv)
        return int(args.func(args))
    except UserError as e:
        print(f"error: {one_paragraph(str(e))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
