"""Property tests of the file surfaces other than configs: sweep files (`respons sweep`), a
sweep directory's `design.json` and task files (`respons collect`) and event logs
(`respons profile-log`). Every input ends in exit 0 with a valid result, exit 1 for a failed
computation (a sweep point whose config is invalid, a missing task), or exit 2 with one line
naming the file and the field; never a traceback, never a file outside the output directory.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
import math
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from fuzzkit import (
    MAX_SIM_CONTACTS,
    SET_PATHS,
    SET_VALUES,
    TINY,
    Sandbox,
    check,
    dump,
)
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from respons.cli import main

_CHECKS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
           HealthCheck.data_too_large, HealthCheck.filter_too_much]
_SCRATCH: dict[str, Path] = {}


def _scratch(factory, name: str) -> Path:
    if name not in _SCRATCH:
        _SCRATCH[name] = factory.mktemp(f"fuzz-{name}")
    return _SCRATCH[name]


# ------------------------------------------------------------------ sweep files

NAMES = st.one_of(
    st.sampled_from(["base", "a", "p-1", "p.2", "../x", "../../escape", "a/b", "/abs", "..",
                     ".hidden", "x y", "", "é", "point", "replications", "failed", "a" * 300,
                     "answer_time_mean_s", "-x", "A_b.c-d"]),
    st.text(max_size=8),
)
SHORT_VALUES = st.one_of(
    st.sampled_from([1, 2, 0, -1, 1.5, 1e308, "x", None, True, [], {}, "2020-01-02",
                     float("inf"), float("nan"), "all_busy", 60]),
    st.integers(-5, 5), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=6),
)
SET_MAPS = st.dictionaries(SET_PATHS, st.one_of(SHORT_VALUES, SET_VALUES.map(str)), max_size=2)
FACTORS = st.one_of(
    st.fixed_dictionaries({"path": SET_PATHS, "values": st.lists(SHORT_VALUES, max_size=2)}),
    st.fixed_dictionaries({"paths": st.lists(SET_PATHS, max_size=2),
                           "values": st.lists(SHORT_VALUES, max_size=2),
                           "scale": st.booleans()}),
    st.fixed_dictionaries({"levels": st.dictionaries(NAMES, SET_MAPS, max_size=2)}),
    SHORT_VALUES,
)
WILD_SWEEPS = st.fixed_dictionaries(
    {"base": st.sampled_from(["tiny.yaml", "ABS", "missing.yaml", "../inp/tiny.yaml", 3, None,
                              "sweep.yaml"]),
     "replications": st.one_of(st.sampled_from([1, 2, 0, -1, "2", 1e9, None, 100_001]),
                               st.integers(1, 2))},
    optional={
        "name": NAMES,
        "set": SET_MAPS,
        "grid": st.dictionaries(NAMES, FACTORS, max_size=2),
        "points": st.lists(st.fixed_dictionaries({"name": NAMES}, optional={"set": SET_MAPS}),
                           max_size=3),
        "description": st.text(max_size=5),
        "unknown": SHORT_VALUES,
    })
GOOD_NAMES = st.sampled_from(["base", "a", "p-1", "p.2", "A_b.c-d", "z9"])
GOOD_SETS = st.sampled_from([
    ("pools.operators.shifts.0.staff", [1, 2, 3]), ("event_kinds.button.priority", [0, 1, 5]),
    ("drain_days", [0, 1, 7]), ("target_s", [60, 120.5]), ("seed", [1, 7]),
    ("event_kinds.button.rate.per_year", [1.0, 20]), ("pools.lead.sickness_absence", [0, 0.2]),
    ("pools.nurses.serves.1.after_s", [0, 30]), ("description", ["x", "y"]),
    ("unanswered.alarm", [{"policy": "abandon", "patience": {"kind": "exponential",
                                                             "mean_s": 600}}, None]),
])
ANY_SET = st.one_of(GOOD_SETS, GOOD_SETS, st.tuples(SET_PATHS, st.lists(SHORT_VALUES,
                                                                         min_size=1, max_size=2)))


@st.composite
def plausible_sweeps(draw) -> dict[str, Any]:
    """Mostly valid sweeps (a point or level may be invalid): the runs that should work."""
    doc: dict[str, Any] = {"base": draw(st.sampled_from(["tiny.yaml", "ABS"])),
                           "replications": draw(st.integers(1, 2))}
    if draw(st.booleans()):
        doc["name"] = draw(st.one_of(GOOD_NAMES, NAMES))
    if draw(st.booleans()):
        path, vals = draw(GOOD_SETS)
        doc["set"] = {path: vals[0]}
    if draw(st.booleans()):
        grid = {}
        for _ in range(draw(st.integers(1, 2))):
            path, vals = draw(ANY_SET)
            name = draw(st.one_of(GOOD_NAMES, GOOD_NAMES, GOOD_NAMES, NAMES))
            if draw(st.integers(0, 4)) == 0:
                grid[name] = {"levels": {draw(GOOD_NAMES): {path: vals[0]}}}
            else:
                grid[name] = {"path": path, "values": vals,
                              **({"scale": True} if draw(st.integers(0, 5)) == 0 else {})}
        doc["grid"] = grid
    else:
        points = []
        for i in range(draw(st.integers(1, 3))):
            path, vals = draw(ANY_SET)
            name = draw(st.one_of(GOOD_NAMES.map(lambda n, i=i: f"{n}{i}"), NAMES))
            point = {"name": name}
            if draw(st.booleans()):
                point["set"] = {path: draw(st.sampled_from(vals))}
            points.append(point)
        doc["points"] = points
    return doc


SWEEPS = st.one_of(WILD_SWEEPS, plausible_sweeps(), plausible_sweeps())
SWEEP_TEXT = st.sampled_from(["none", "none", "none", "duplicate", "bomb", "truncate"])
_BOMB = ("a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
         + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9)))


def _sweep_text(doc: dict[str, Any], box: Sandbox, edit: str) -> str:
    doc = copy.deepcopy(doc)
    if doc.get("base") == "ABS":
        doc["base"] = str(box.inp / "tiny.yaml")
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    if edit == "duplicate":
        text += "replications: 1\n"
    elif edit == "bomb":
        points = "points:\n- name: p\n  set: {description: *a8}\n"
        text = _BOMB + "\n".join(ln for ln in text.splitlines()
                                 if not ln.startswith("points")) + "\n" + points
    elif edit == "truncate":
        text = text[: len(text) // 2]
    return text


def _cheap(sweep: Path) -> bool:
    """Plan the sweep as the command will: every valid point must be small to run here."""
    from respons.analysis.load import offered_load
    from respons.errors import UserError
    from respons.studies.sweep import load_sweep, plan

    try:
        spec, _ = load_sweep(sweep)
        if len(spec.points or []) * spec.replications > 6 or spec.replications > 2:
            return False
        _, tasks = plan(spec, sweep)
    except UserError:
        return True
    if len(tasks) > 8:
        return False
    return all(t.cfg is None or (t.cfg.period.days <= 14
                                 and offered_load(t.cfg).contacts <= MAX_SIM_CONTACTS)
               for t in tasks)


def _run_sweep(factory, doc: dict[str, Any], edit: str) -> None:
    box = Sandbox(_scratch(factory, "sweep"))
    try:
        box.write("tiny.yaml", dump(TINY))
        sweep = box.write("sweep.yaml", _sweep_text(doc, box, edit))
        if not _cheap(sweep):
            event("planned only (too long to run here)")
            return  # a valid but long sweep: planning it was the check
        o = box.run(["sweep", str(sweep), "--out", str(box.out), "--no-report"])
        event(f"exit {o.rc}")
        check(o, names=[str(sweep), str(box.out), "sweep"], codes=(0, 1, 2))
        if o.rc in (0, 1):
            design = json.loads((box.out / "design.json").read_text("utf-8"))
            # CSV records, not str.splitlines(): a quoted level may hold \x1c-\x1e or \u2028,
            # which splitlines() counts as line ends
            with (box.out / "results.csv").open(encoding="utf-8", newline="") as f:
                results = list(csv.reader(f))
            ok = sum(p["error"] is None for p in design["points"]) * design["replications"]
            assert len(results) == 1 + ok, o
            assert o.rc == (0 if ok == design["tasks"] else 1), o
        else:
            assert not (box.out / "results.csv").exists()
        box.check_contained()
    finally:
        box.close()


@settings(max_examples=25, deadline=None, suppress_health_check=_CHECKS)
@given(SWEEPS, SWEEP_TEXT)
def test_sweep_files_run_or_fail_cleanly(tmp_path_factory, doc, edit) -> None:
    _run_sweep(tmp_path_factory, doc, edit)


@pytest.mark.slow
@settings(max_examples=700, deadline=None, suppress_health_check=_CHECKS)
@given(SWEEPS, SWEEP_TEXT)
def test_hundreds_of_sweep_files_run_or_fail_cleanly(tmp_path_factory, doc, edit) -> None:
    _run_sweep(tmp_path_factory, doc, edit)


# ------------------------------------------------------------------ design.json and task files


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory) -> Path:
    """One finished sweep: 2 points x 2 replications of the two-day config."""
    tmp = tmp_path_factory.mktemp("sweep-dir")
    (tmp / "tiny.yaml").write_text(dump(TINY), encoding="utf-8")
    (tmp / "s.yaml").write_text(yaml.safe_dump({
        "name": "fz", "base": "tiny.yaml", "replications": 2,
        "points": [{"name": "base"}, {"name": "two", "set": {
            "pools.operators.shifts.0.staff": 2}}]}), encoding="utf-8")
    assert main(["sweep", str(tmp / "s.yaml"), "--out", str(tmp / "out"), "--no-report"]) == 0
    return tmp / "out"


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
              st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8),
              NAMES),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=5)


def _json_paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _json_paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _json_paths(v, (*prefix, i))
    return out


DAMAGE = st.one_of(
    st.tuples(st.just("json"), st.integers(0, 10**6), st.sampled_from(["set", "delete"]),
              JSON_VALUES),
    st.tuples(st.just("name"), st.integers(0, 10**6), st.just("set"), NAMES),
    st.tuples(st.just("bytes"), st.integers(0, 10**6), st.just(""),
              st.binary(max_size=40)),
    st.tuples(st.just("link"), st.integers(0, 10**6), st.just(""), st.none()),
    st.tuples(st.just("nan"), st.integers(0, 10**6), st.just(""), st.none()),
)
TARGETS = st.sampled_from(["design.json", "design.json", "tasks/base/rep-0.json",
                           "tasks/two/rep-1.json"])


def _damage(root: Path, box: Sandbox, target: str, damage: tuple) -> None:
    kind, n, action, value = damage
    path = root / target
    if kind == "link":  # a directory the tables are written to, leading outside
        victim = root / "points" / "two"
        shutil.rmtree(victim)
        os.symlink(box.inp, victim)
        return
    text = path.read_text("utf-8")
    if kind == "bytes":
        cut = n % (len(text) + 1)
        path.write_bytes(text.encode("utf-8")[:cut] + value)
        return
    if kind == "nan":
        path.write_text(text.replace("0.", "NaN, \"x\": 0.", 1) if n % 2 else
                        text.replace("\"replications\": 2", "\"replications\": Infinity"),
                        encoding="utf-8")
        return
    doc = json.loads(text)
    if kind == "name":
        design = root / "design.json"
        doc = json.loads(design.read_text("utf-8"))
        doc["points"][n % 2]["name"] = value
        design.write_text(json.dumps(doc), encoding="utf-8")
        return
    paths = [p for p in _json_paths(doc) if p]
    where = paths[n % len(paths)]
    node = doc
    for key in where[:-1]:
        node = node[key]
    if action == "delete":
        del node[where[-1]]
    else:
        node[where[-1]] = value
    path.write_text(json.dumps(doc), encoding="utf-8")


def _run_collect(factory, sweep_dir: Path, target: str, damage: tuple) -> None:
    box = Sandbox(_scratch(factory, "collect"))
    try:
        shutil.copytree(sweep_dir, box.out, symlinks=True)
        _damage(box.out, box, target, damage)
        o = box.run(["collect", str(box.out)])
        event(f"exit {o.rc}")
        check(o, names=[str(box.out)], codes=(0, 1, 2))
        if o.rc in (0, 1):
            assert (box.out / "results.csv").is_file() and (box.out / "tasks.csv").is_file()
        box.check_contained()
    finally:
        box.close()


@settings(max_examples=40, deadline=None, suppress_health_check=_CHECKS)
@given(TARGETS, DAMAGE)
def test_damaged_sweep_directories_collect_or_fail_cleanly(tmp_path_factory, sweep_dir, target,
                                                           damage) -> None:
    _run_collect(tmp_path_factory, sweep_dir, target, damage)


@pytest.mark.slow
@settings(max_examples=1500, deadline=None, suppress_health_check=_CHECKS)
@given(TARGETS, DAMAGE)
def test_thousands_of_damaged_sweep_directories_collect_or_fail_cleanly(
        tmp_path_factory, sweep_dir, target, damage) -> None:
    _run_collect(tmp_path_factory, sweep_dir, target, damage)


# ------------------------------------------------------------------ event logs

OFFSETS = st.one_of(st.none(), st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=2)),
                                                 dt.timezone(dt.timedelta(hours=-9,
                                                                          minutes=-30))]))
STAMPS = st.one_of(
    st.builds(lambda d, tz, z: d.replace(tzinfo=tz).isoformat().replace("+00:00", z),
              st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2100, 1, 1)),
              OFFSETS, st.sampled_from(["+00:00", "Z"])),
    st.sampled_from(["", "yesterday", "2020-02-30T10:00:00", "2020-03-29T02:30:00",
                     "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2020-01-01",
                     "2020-01-01 10:00", "1e9", "2020-01-01T10:00:00+25:00"]),
    st.text(max_size=12),
)
CATEGORIES = st.one_of(st.sampled_from(["alarm", "technical", "legevakt", " alarm ", "ALARM",
                                        "fire", ""]), st.text(max_size=5))
TALKS = st.one_of(
    st.none(), st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", "inf", "-inf", "nan", "1e308", "-1", "0", "86400", "86401", "x",
                     "1_0", " 60 "]),
    st.floats(0, 86400).map(lambda x: f"{x:.3f}"))
GOOD_STAMPS = st.builds(lambda d, tz: d.replace(tzinfo=tz).isoformat(),
                        st.datetimes(min_value=dt.datetime(2019, 1, 1),
                                     max_value=dt.datetime(2021, 1, 1)), OFFSETS)
GOOD_ROWS = st.tuples(GOOD_STAMPS, st.sampled_from(["alarm", "technical", "legevakt"]),
                      st.one_of(st.none(), st.floats(0, 86400).map(lambda x: f"{x:.3f}")))
WILD_ROWS = st.lists(st.tuples(STAMPS, CATEGORIES, TALKS), max_size=12)
HEADERS = st.sampled_from(["timestamp,category,talk_s", "timestamp,category",
                           "category,timestamp,talk_s", "time,category", "", "timestamp",
                           "timestamp,category,talk_s,extra"])


@st.composite
def event_logs(draw) -> tuple[str, list[tuple], bool, bytes]:
    """(header, rows, BOM?, trailing junk): half plausible logs (mostly good rows, a bad one
    now and then), half anything."""
    if draw(st.booleans()):
        rows = draw(st.lists(GOOD_ROWS, min_size=1, max_size=12))
        if draw(st.integers(0, 3)) == 0:
            rows[draw(st.integers(0, len(rows) - 1))] = draw(st.tuples(STAMPS, CATEGORIES, TALKS))
        return "timestamp,category,talk_s", rows, draw(st.booleans()), b""
    return (draw(HEADERS), draw(WILD_ROWS), draw(st.booleans()),
            draw(st.one_of(st.just(b""), st.binary(max_size=8))))


def _csv_field(x: str) -> str:
    return '"' + x.replace('"', '""') + '"' if any(c in x for c in ',"\r\n') else x


def _log_text(header: str, rows: list[tuple], bom: bool, junk: bytes) -> bytes:
    lines = [header] + [",".join(_csv_field(str(v)) for v in row if v is not None)
                        for row in rows]
    data = ("\n".join(lines) + "\n").encode("utf-8") + junk
    return (b"\xef\xbb\xbf" if bom else b"") + data


def _run_log(factory, header: str, rows: list[tuple], bom: bool, junk: bytes) -> None:
    box = Sandbox(_scratch(factory, "log"))
    try:
        log = box.write("log.csv", _log_text(header, rows, bom, junk))
        o = box.run(["profile-log", str(log)])
        event(f"exit {o.rc}")
        check(o, names=[str(log)])
        if o.rc == 0:
            body = yaml.safe_load(o.out.split("\n", 1)[1])
            assert isinstance(body, dict) and body
            total = 0
            for entry in body.values():
                total += entry["count"]
                assert math.isfinite(entry["per_year"]) and entry["per_year"] > 0
                assert sum(entry["profile"]["hourly"]) == pytest.approx(24, abs=0.05)
                assert sum(entry["profile"]["weekday"]) == pytest.approx(7, abs=0.05)
                assert math.isfinite(entry.get("talk_mean_s", 0.0))
                assert 0 <= entry.get("talk_mean_s", 0.0) <= 86400
            assert total == len(rows) or junk, o
        box.check_contained()
    finally:
        box.close()


@settings(max_examples=100, deadline=None, suppress_health_check=_CHECKS)
@given(event_logs())
def test_event_logs_profile_or_fail_cleanly(tmp_path_factory, log) -> None:
    _run_log(tmp_path_factory, *log)


@pytest.mark.slow
@settings(max_examples=2000, deadline=None, suppress_health_check=_CHECKS)
@given(event_logs())
def test_thousands_of_event_logs_profile_or_fail_cleanly(tmp_path_factory, log) -> None:
    _run_log(tmp_path_factory, *log)
