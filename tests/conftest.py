"""Fixtures shared by several test modules."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from respons.cli import main

SHORT_RUN = ["--set", "period.end=2020-01-15", "--replications", "2"]

# The property tests draw the same inputs on every run, so a failure is reproducible and CI
# runs what ran here; `HYPOTHESIS_PROFILE=explore` draws fresh inputs to search further (and
# a failure found so is then kept as an explicit example or fixed).
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(scope="session")
def short_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One short simulate run (two weeks, 2 replications) per session, with its report,
    shared by the figure, report and browser tests."""
    run = tmp_path_factory.getbasetemp() / "short-run"
    assert main(["simulate", *SHORT_RUN, "--out", str(run)]) == 0
    return run


def pytest_terminal_summary(terminalreporter) -> None:
    """How many inputs the property tests generated (tests/fuzzkit.py counts them)."""
    kit = sys.modules.get("fuzzkit")
    if kit is None or not kit.GENERATED:
        return
    generated = kit.GENERATED
    terminalreporter.write_sep("-", f"property tests: {sum(generated.values())} generated "
                                    "inputs")
    for test, n in sorted(generated.items()):
        terminalreporter.write_line(f"{n:7d}  {test}")
