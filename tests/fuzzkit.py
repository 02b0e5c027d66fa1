"""What the property tests of every input surface share: a sandbox per generated input, the
command line called in-process, and the checks every outcome must pass.

Every input must end in exit 0 with a valid result, or exit 2 (bad input; 1 for a failed
computation) with a one-paragraph message naming the file and the field, never a traceback,
and never a file outside the output directory.
"""

from __future__ import annotations

import collections
import contextlib
import copy
import io
import itertools
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from respons.cli import main

ROOT = Path(__file__).resolve().parents[1]
BASE = yaml.safe_load((ROOT / "configs" / "vaernes-2020.yaml").read_text("utf-8"))
#: The 2020 baseline cut to two days and one replication: every field is there, a run is cheap.
TINY = copy.deepcopy(BASE)
TINY["period"] = {"start": "2020-01-01", "end": "2020-01-03"}
TINY["replications"] = 1
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
#: Valid configs larger than this are checked by loading only (a run would take too long).
MAX_SIM_CONTACTS = 20_000
_counter = itertools.count()
#: Generated inputs tried so far in this session, by test (conftest.py reports them).
GENERATED: collections.Counter[str] = collections.Counter()


def count() -> None:
    """Count one generated input for the test now running."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0].split("::")[-1]
    GENERATED[test] += 1


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


#: Every field path of the config, as key tuples.
PATHS = _paths(TINY)


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=DUMPER, allow_unicode=True, sort_keys=False)


@dataclass
class Outcome:
    """What one command did."""

    argv: list[str]
    rc: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"argv={self.argv}\nrc={self.rc}\nstderr={self.err[-2000:]}"


class Sandbox:
    """A fresh directory per generated input: `inp/` (the input files), `out/` (where the
    command may write), `work/` (its current directory, for default `runs/`). After the
    command, nothing may exist beside them, nor beside the sandbox itself."""

    def __init__(self, scratch: Path) -> None:
        count()
        self.scratch = scratch
        self.box = scratch / f"box-{next(_counter)}"
        self.inp, self.out, self.work = self.box / "inp", self.box / "out", self.box / "work"
        for d in (self.inp, self.work):
            d.mkdir(parents=True)
        self._around = self._listing()
        self._inputs: set[str] = set()

    def _listing(self) -> tuple[set[str], set[str]]:
        return ({p.name for p in self.scratch.iterdir()} - {self.box.name},
                {p.name for p in self.scratch.parent.iterdir()})

    def write(self, name: str, data: str | bytes) -> Path:
        path = self.inp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
        return path

    def run(self, argv: Sequence[str]) -> Outcome:
        """`respons ARGV` in-process, from `work/`, with stdout and stderr captured."""
        self._inputs = _tree(self.inp)
        out, err = io.StringIO(), io.StringIO()
        here = os.getcwd()
        os.chdir(self.work)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    rc = main(list(argv))
                except SystemExit as e:  # --help and --version end the way argparse does
                    rc = e.code if isinstance(e.code, int) else 0
        finally:
            os.chdir(here)
        return Outcome(list(argv), rc, out.getvalue(), err.getvalue())

    def check_contained(self) -> None:
        """Nothing was written outside `out/` and `work/` (nor beside the sandbox)."""
        extra = {p.name for p in self.box.iterdir()} - {"inp", "out", "work"}
        assert not extra, f"files outside the output directory: {extra}"
        assert _tree(self.inp) == self._inputs, "the input directory was changed"
        assert self._listing() == self._around, "a file appeared beside the sandbox"

    def close(self) -> None:
        shutil.rmtree(self.box, ignore_errors=True)


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def check(o: Outcome, names: Sequence[str] = (), codes: Sequence[int] = (0, 2)) -> None:
    """The outcome contract: an allowed exit code, no traceback, no internal error, and a
    failure explained in one `error:` line that names one of `names` (file, field, flag)."""
    assert o.rc in codes, str(o)
    assert "Traceback" not in o.err and "internal error" not in o.err, str(o)
    if o.rc != 0:
        lines = [ln for ln in o.err.splitlines() if ln.strip()]
        errors = [ln for ln in lines if ln.startswith("error: ")]
        if o.rc == 2 or errors:
            assert len(errors) == 1 and lines[-1] == errors[0], str(o)
            if names:
                assert any(n in errors[0] for n in names), f"names none of {names}:\n{o}"


def simulate_argv(config: Path, out: Path, *extra: str) -> list[str]:
    return ["simulate", "--config", str(config), "--replications", "1", "--no-report",
            "--no-events", "--out", str(out), *extra]


def small_enough(config: Path, overrides: Sequence[str] = ()) -> bool:
    """True when the config loads and a run of it is cheap (short, few contacts)."""
    from respons.analysis.load import offered_load
    from respons.config.loading import load_config
    from respons.errors import UserError

    try:
        cfg = load_config(config, list(overrides))
    except UserError:
        return True  # fails at once
    return cfg.period.days <= 14 and offered_load(cfg).contacts <= MAX_SIM_CONTACTS


def check_run(out: Path) -> None:
    """A complete run directory with a consistent summary."""
    import json
    import math

    meta = json.loads((out / "metadata.json").read_text("utf-8"))
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert meta["status"] == "complete" and not (out / "failed.json").exists()
    assert summary["seed"] == meta["seed"]
    for k in summary["kpis"].values():
        for key in ("mean", "ci_low", "ci_high"):
            assert k[key] is None or math.isfinite(k[key])
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".partial")]


#: Dotted paths and raw values for `--set` and sweep files.
SET_PATHS = st.one_of(
    st.sampled_from([".".join(str(k) for k in p) for p in PATHS]),
    st.sampled_from(["pools.operators.shifts.0.staff", "event_kinds.button.priority",
                     "municipalities.Selbu.population", "bursts", "goal", "goal.share",
                     "unanswered.alarm", "profiles.new", "pools.nobody.staff", "a..b", "",
                     ".", "period", "seed", "drain_days", "target_s", "costs.services.0"]),
    st.text(max_size=30),
)
SET_VALUES = st.one_of(
    st.sampled_from([".inf", "-.inf", ".nan", "1e308", "1.0e+400", "-1", "0", "5e-324", "null",
                     "~", "[]", "{}", "[1, 2", "{a: 1, a: 2}", "2020-02-30", "2020-01-02",
                     "&a [*a]", "'quoted'", "!!python/object:os.system ls", "*x", "99:99",
                     "{name: s, kind: button, start: 2020-01-01T10:00:00+05:00, duration_s: 60,"
                     " count: 5}", "[{name: s, kind: button, start: 2020-01-02T10:00:00,"
                     " duration_s: 1e9, count: 5}]", "9" * 5000]),
    st.integers(-10**6, 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=20),
)
