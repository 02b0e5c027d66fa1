"""Property tests of the command line itself (every command's flags with good, bad and
extreme values, abbreviations, unknown commands) and of a run's own outputs read back after
damage (`respons report` on an edited summary.json, metadata.json, CSV or config). Exit 0 with
a valid result, or exit 2 (1 for a failed computation) in one line; never a traceback, never a
file outside the output directory."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest
from fuzzkit import TINY, Sandbox, check, check_run, dump
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

_CHECKS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
           HealthCheck.data_too_large]
_SCRATCH: dict[str, Path] = {}


def _scratch(factory, name: str) -> Path:
    if name not in _SCRATCH:
        _SCRATCH[name] = factory.mktemp(f"fuzz-{name}")
    return _SCRATCH[name]


# ------------------------------------------------------------------ arguments

NUMBERS = st.one_of(
    st.sampled_from(["0", "1", "2", "-1", "1e300", "-1e300", "inf", "nan", "1e-300", "x", "",
                     "0.5", "0.99", "1.0", "120", "240", "6", "1e9", "3.6e6", "100000",
                     "100001", "2**64", "1_000", " 5", "0x10"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**6, 10**6).map(str),
)
PATHS = st.sampled_from(["OUT", "OUT/sub", "INP/tiny.yaml", "INP", "missing", "", "/",
                         "INP/log.csv", "/dev/null", "WORK"])
SETS = st.sampled_from(["period.end=2020-01-02", "drain_days=1", "seed=5", "x=1", "drain_days",
                        "period.end=2020-02-30", "target_s=.inf", "=1", "scenario=../x"])
FLAGS: dict[str, list[tuple[str, Any]]] = {
    "erlang": [("--per-hour", NUMBERS), ("--aht", NUMBERS), ("--agents", NUMBERS),
               ("--target", NUMBERS), ("--service-level", NUMBERS), ("--patience", NUMBERS),
               ("--json", None), ("--per", NUMBERS), ("--agent", NUMBERS)],
    "simulate": [("--replications", NUMBERS), ("--seed", NUMBERS), ("--set", SETS),
                 ("--out", PATHS), ("--no-events", None), ("--jobs", st.sampled_from(
                     ["0", "-1", "x", "1"])), ("--replication", NUMBERS), ("--conf", PATHS),
                 ("--config", PATHS)],
    "schema": [("--x", NUMBERS)],
    "report": [("", PATHS)],
    "collect": [("", PATHS)],
    "profile-log": [("", PATHS)],
    "sweep": [("", PATHS), ("--shard", st.sampled_from(["0/1", "1/1", "0/0", "x", "2/1"])),
              ("--resume", None), ("--jobs", st.sampled_from(["0", "x", "1"])),
              ("--out", PATHS), ("--sha", NUMBERS)],
    "scenarios": [("--dir", st.sampled_from(["INP", "missing", "INP/tiny.yaml"])),
                  ("--only", NUMBERS), ("--replications", NUMBERS), ("--out", PATHS)],
    "validate": [("--replications", st.sampled_from(["0", "-1", "x"])), ("--rep", NUMBERS)],
    "calibrate": [("--replications", st.sampled_from(["1", "0", "x"])), ("--conf", PATHS)],
    "sensitivity": [("--change", st.sampled_from(["0", "1", "2", "-0.5", "nan", "x"]))],
    "staff": [("--shrinkage", st.sampled_from(["1", "2", "-1", "nan"])),
              ("--target", st.sampled_from(["2", "-1", "x"]))],
    "roster": [("--goal", st.sampled_from(["0", "1.5", "-1", "x", "nan"])),
               ("--shift", PATHS)],
    "uncertainty": [("--replications", st.sampled_from(["0", "-1", "x"])),
                    ("--trajectories", st.sampled_from(["0", "-1", "x"]))],
}
COMMANDS = st.sampled_from([*FLAGS, "simulate", "simulate", "erlang", "erlang", "bogus", "",
                            "--version", "-h"])
SAFE = {"erlang", "simulate", "schema", "report", "collect", "profile-log", "sweep",
        "scenarios"}  # commands that may succeed here (the others get only bad values)


@st.composite
def command_lines(draw) -> list[str]:
    command = draw(COMMANDS)
    argv = [command] if command else []
    least = 0 if command in SAFE else 1  # the others always get a bad value: no long run
    for flag, values in draw(st.lists(st.sampled_from(FLAGS.get(command, [("--x", None)])),
                                      min_size=least, max_size=5)):
        if flag:
            argv.append(flag)
        if values is not None:
            argv.append(draw(values))
    if command == "simulate":
        argv += ["--config", "INP/tiny.yaml", "--no-report"]
    if command == "scenarios" and "--dir" not in argv:
        argv += ["--dir", "INP"]  # the shipped scenarios are compared elsewhere: too slow here
    if draw(st.integers(0, 5)) == 0:
        argv.insert(draw(st.integers(0, len(argv))), draw(st.text(max_size=6)))
    return argv


def _expensive(argv: list[str]) -> bool:
    """Command lines that would run long (a whole year, many replications, a search)."""
    if not argv or argv[0] not in SAFE:
        return False  # refused before any work: the bad value is always there
    if argv[0] == "simulate":
        from respons.config.loading import load_config
        from respons.errors import UserError

        sets = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--set"]
        reps = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--replications"]
        try:
            if any(int(r) > 2 for r in reps):
                return True
            cfg = load_config(Path("INP/tiny.yaml"), sets)
        except (ValueError, UserError, OSError):
            return False
        return cfg.period.days > 14
    return False


def _resolve(argv: list[str], box: Sandbox) -> list[str]:
    swap = {"OUT": str(box.out), "INP": str(box.inp), "WORK": str(box.work)}
    out = []
    for a in argv:
        for k, v in swap.items():
            if a == k or a.startswith(k + "/"):
                a = v + a[len(k):]
        out.append(a)
    return out


def _run_argv(factory, argv: list[str]) -> None:
    box = Sandbox(_scratch(factory, "argv"))
    try:
        box.write("tiny.yaml", dump(TINY))
        box.write("log.csv", "timestamp,category\n2020-01-01T10:00:00,alarm\n")
        argv = _resolve(argv, box)
        if _expensive([a.replace(str(box.inp), "INP") for a in argv]):
            event("skipped (would run long)")
            return
        o = box.run(argv)
        event(f"exit {o.rc}")
        check(o, codes=(0, 1, 2))
        if o.rc == 0 and argv[:1] == ["erlang"] and "--json" in argv:
            res = json.loads(o.out)
            assert all(0 <= res[k] <= 1 for k in ("wait_probability", "service_level",
                                                  "occupancy"))
            assert res["mean_wait_s"] is None or math.isfinite(res["mean_wait_s"])
        if o.rc == 0 and argv[:1] == ["simulate"] and "--out" in argv:
            out = Path(argv[argv.index("--out") + 1])
            if (out / "summary.json").exists():
                check_run(out)
        if o.rc == 0 and argv[:1] == ["schema"]:
            assert "properties" in json.loads(o.out)
        box.check_contained()
    finally:
        box.close()


@settings(max_examples=40, deadline=None, suppress_health_check=_CHECKS)
@given(command_lines())
def test_command_lines_run_or_fail_cleanly(tmp_path_factory, argv) -> None:
    _run_argv(tmp_path_factory, argv)


@pytest.mark.slow
@settings(max_examples=2500, deadline=None, suppress_health_check=_CHECKS)
@given(command_lines())
def test_thousands_of_command_lines_run_or_fail_cleanly(tmp_path_factory, argv) -> None:
    _run_argv(tmp_path_factory, argv)


# ------------------------------------------------------------------ outputs read back


JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                        st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=6),
                        st.sampled_from([[], {}, "NaN", 1e308]))
FILES = st.sampled_from(["summary.json", "summary.json", "metadata.json", "replications.csv",
                         "config.resolved.yaml", "figures/index.json"])
DAMAGES = st.one_of(
    st.tuples(st.just("truncate"), st.integers(0, 10**6), JSON_LEAVES),
    st.tuples(st.just("replace"), st.integers(0, 10**6), JSON_LEAVES),
    st.tuples(st.just("delete"), st.integers(0, 10**6), st.none()),
    st.tuples(st.just("bytes"), st.integers(0, 10**6), st.binary(max_size=12).map(repr)),
)


def _leaves(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _leaves(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _leaves(v, (*prefix, i))
    return out


def _damage_file(path: Path, kind: str, n: int, value: Any) -> None:
    raw = path.read_bytes()
    if kind == "truncate":
        path.write_bytes(raw[: n % (len(raw) + 1)])
    elif kind == "bytes":
        pos = n % (len(raw) + 1)
        path.write_bytes(raw[:pos] + str(value).encode() + raw[pos:])
    elif path.suffix == ".json":
        doc = json.loads(raw)
        where = _leaves(doc)
        if not where:
            return
        node, keys = doc, where[n % len(where)]
        for k in keys[:-1]:
            node = node[k]
        if kind == "delete":
            del node[keys[-1]]
        else:
            node[keys[-1]] = value
        path.write_text(json.dumps(doc), encoding="utf-8")
    else:  # a CSV or YAML line: replace one cell or drop the line
        lines = raw.decode("utf-8").splitlines()
        i = n % len(lines)
        if kind == "delete":
            del lines[i]
        else:
            cells = lines[i].split(",")
            cells[n % len(cells)] = str(value)
            lines[i] = ",".join(cells)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _run_report(factory, run_dir: Path, name: str, damage: tuple) -> None:
    """`report` on a copy of the shared short run (conftest) with one file damaged."""
    box = Sandbox(_scratch(factory, "report"))
    try:
        shutil.copytree(run_dir, box.out)
        _damage_file(box.out / name, *damage)
        o = box.run(["report", str(box.out)])
        event(f"exit {o.rc}")
        check(o, names=[str(box.out)])
        if o.rc == 0:
            assert (box.out / "report.html").stat().st_size > 1000
        box.check_contained()
    finally:
        box.close()


@settings(max_examples=15, deadline=None, suppress_health_check=_CHECKS)
@given(FILES, DAMAGES)
def test_damaged_run_outputs_report_or_fail_cleanly(tmp_path_factory, short_run, name,
                                                    damage) -> None:
    _run_report(tmp_path_factory, short_run, name, damage)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=_CHECKS)
@given(FILES, DAMAGES)
def test_hundreds_of_damaged_run_outputs_report_or_fail_cleanly(tmp_path_factory, short_run,
                                                                name, damage) -> None:
    _run_report(tmp_path_factory, short_run, name, damage)
