"""What several commands share: the scenario from --config/--set/--replications/--seed, and
the report written after a run lands."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from respons.config import ScenarioConfig


def scenario_config(args: argparse.Namespace) -> ScenarioConfig:
    """The config from --config/--set, with --replications/--seed applied and re-validated."""
    from respons.config.loading import load_config

    overrides = list(args.overrides)
    if args.replications is not None:
        overrides.append(f"replications={args.replications}")
    if args.seed is not None:
        overrides.append(f"seed={args.seed}")
    return load_config(args.config, overrides)


def report_or_warning(root: Path) -> str:
    """Write figures and report.html; a drawing failure is noted, the results still land."""
    from respons.report.page import make_report
    from respons.runs.rundir import exclusive, write_text

    try:
        with exclusive(root, "report", wait_s=300, doing="reported"):
            return str(make_report(root))
    except Exception as e:  # noqa: BLE001 - the numbers are written; the picture is optional
        try:
            write_text(root / "report-error.txt", f"{type(e).__name__}: {e}\n")
        except OSError:
            return f"not written ({type(e).__name__}: {e})"
        return f"not written ({type(e).__name__}: {e}); see report-error.txt"
