"""What several commands share: the scenario from --config/--set/--replications/--seed and
--goal/--within, the language, the flags of the output convention, and the report written
after a run lands."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from respons.cli.args import positive_int, seconds, share

if TYPE_CHECKING:
    from respons.config import ScenarioConfig
    from respons.report.catalog import RunTables
    from respons.report.drawing import FigurePool


def add_goal_arguments(p: argparse.ArgumentParser) -> None:
    """--goal SHARE and --within SECONDS: set or override the config's `goal`."""
    p.add_argument("--goal", type=share, metavar="SHARE",
                   help="goal: share of alarms to answer within the limit, e.g. 0.95 "
                   "(default: the config's `goal`)")
    p.add_argument("--within", type=seconds, metavar="SECONDS",
                   help="the answer-time limit of the goal and of every *_within_target_share "
                   "KPI (default: the config's goal.within_s / target_s)")


def add_output_arguments(p: argparse.ArgumentParser, jobs: bool = True) -> None:
    """The convention of every command that prints a table: --lang, --json (and --jobs)."""
    p.add_argument("--lang", choices=("en", "nb"),
                   help="language of the terminal tables and the report: en or nb "
                   "(default: the config's `lang`, else the LANG environment variable)")
    p.add_argument("--json", action="store_true",
                   help="print the result as JSON on stdout instead of tables")
    if jobs:
        p.add_argument("--jobs", type=positive_int, default=1,
                       help="replications on N local processes (same results as serial)")


def scenario_config(args: argparse.Namespace) -> ScenarioConfig:
    """The config from --config/--set, with --replications/--seed/--goal/--within applied
    and re-validated."""
    from respons.config.loading import load_config

    overrides = list(args.overrides)
    if getattr(args, "replications", None) is not None:
        overrides.append(f"replications={args.replications}")
    if getattr(args, "seed", None) is not None:
        overrides.append(f"seed={args.seed}")
    goal, within = getattr(args, "goal", None), getattr(args, "within", None)
    if goal is not None:
        overrides.append(f"goal.share={goal}")
    if within is not None:
        cfg = load_config(args.config, overrides)
        overrides.append(f"target_s={within}")
        if cfg.goal is not None:
            overrides.append(f"goal.within_s={within}")
    return load_config(args.config, overrides)


def lang_of(args: argparse.Namespace, cfg: ScenarioConfig | None = None) -> str:
    """--lang, else the config's `lang`, else LANG."""
    from respons.report.i18n import language

    return language(getattr(args, "lang", None), cfg.lang if cfg is not None else None)


def print_json(data: Any) -> None:
    """A JSON document on stdout (nan as null)."""
    print(json.dumps(json_safe(data), indent=2, ensure_ascii=False, default=str, allow_nan=False))


def json_safe(x: Any) -> Any:
    """`x` with nan and infinities as None (JSON has no nan)."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: json_safe(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [json_safe(v) for v in x]
    return x


def report_or_warning(root: Path, lang: str | None = None, svg: bool = False,
                      tables: RunTables | None = None, pool: FigurePool | None = None,
                      progress: Any = None) -> str:
    """Write figures and report.html; a drawing failure is noted, the results still land."""
    from respons.report.page import make_report
    from respons.runs.rundir import exclusive, write_text

    try:
        with exclusive(root, "report", wait_s=300, doing="reported"):
            return str(make_report(root, lang, svg, tables, pool, progress))
    except Exception as e:  # noqa: BLE001 - the numbers are written; the picture is optional
        print(f"warning: the report was not written ({type(e).__name__}: {e})",
              file=sys.stderr)
        try:
            write_text(root / "report-error.txt", f"{type(e).__name__}: {e}\n")
        except OSError:
            return f"not written ({type(e).__name__}: {e})"
        return f"not written ({type(e).__name__}: {e}); see report-error.txt"
