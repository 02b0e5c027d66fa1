"""Property tests of the config surfaces: config files (every field mutated, and the YAML text
itself edited: repeated keys, alias bombs, impossible dates, non-finite and huge numbers,
truncation) and `--set`. Each input goes through `respons simulate` in-process and must end in
exit 0 with a complete run, or exit 2 with one line naming the file (or `--set`) and the
field; never a traceback, never a file outside the output directory."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from fuzzkit import (
    PATHS,
    SET_PATHS,
    SET_VALUES,
    TINY,
    Sandbox,
    check,
    check_run,
    count,
    dump,
    simulate_argv,
    small_enough,
)
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from respons.cli import main
from respons.config.loading import load_config
from respons.errors import UserError, one_paragraph

_CHECKS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
           HealthCheck.data_too_large]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.dates().map(str), st.sampled_from(["", "mon", "alarm", "24:00", "99:99", "-1", "1e400",
                                          "2020-02-30", 1e308, -1e308, 5e-324, 10**30]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6)


_SCRATCH: list[Path] = []


def _scratch(factory) -> Path:
    """One scratch directory per session, holding a sandbox per example."""
    if not _SCRATCH:
        _SCRATCH.append(factory.mktemp("fuzz-config"))
    return _SCRATCH[0]


def _mutate(data: dict, path: tuple, action: str, value: Any) -> dict:
    out = copy.deepcopy(data)
    node = out
    for key in path[:-1]:
        node = node[key]
    last = path[-1]
    if action == "delete":
        del node[last]
    elif action == "scale":
        node[last] = node[last] * value
    elif action == "extra" and isinstance(node[last], dict):
        node[last]["unexpected_field"] = value
    else:
        node[last] = value
    return out


def _get(data: Any, path: tuple) -> Any:
    for key in path:
        data = data[key]
    return data


#: Numbers of the config: scaled, mostly still valid, they reach the engine with extreme
#: but allowed values (a wild replacement mostly stops at validation).
NUMERIC_PATHS = [p for p in PATHS if isinstance(_get(TINY, p), int | float)
                 and not isinstance(_get(TINY, p), bool)]
SCALED = st.tuples(st.sampled_from(NUMERIC_PATHS), st.just("scale"),
                   st.sampled_from([0, 1e-9, 0.01, 0.5, 2, 10, 1000, 1e6, -1]))
MUTATIONS = st.lists(st.one_of(st.tuples(st.sampled_from(PATHS),
                                         st.sampled_from(["delete", "replace", "extra"]),
                                         values), SCALED, SCALED),
                     min_size=1, max_size=3)

_BOMB = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9))
_NUMBER = re.compile(r"(?<=: )-?\d+(\.\d+)?(?=\s|,|\]|\})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TEXT_EDITS = st.one_of(
    st.just(("none", 0, "")),
    st.tuples(st.just("duplicate"), st.integers(0, 10**6), st.just("")),
    st.tuples(st.just("number"), st.integers(0, 10**6),
              st.sampled_from([".inf", "-.inf", ".nan", "1e308", "-1e308", "1.0e+400", "5e-324",
                               "99999999999999999999999", "1_000", "0x1F", "0o17", "1:20:30"])),
    st.tuples(st.just("date"), st.integers(0, 10**6),
              st.sampled_from(["2020-02-30", "2019-02-29", "2020-13-01", "0000-01-01",
                               "9999-12-31", "2020-01-01T25:00:00", "2020-1-1"])),
    st.tuples(st.just("truncate"), st.integers(0, 10**6), st.just("")),
    st.tuples(st.just("bomb"), st.integers(0, 10**6), st.just("")),
    st.tuples(st.just("alias"), st.integers(0, 10**6), st.just("")),
    st.tuples(st.just("insert"), st.integers(0, 10**6),
              st.text(alphabet=st.sampled_from(list(":-[]{}&*!|>'\"#%@`,? \n\tab1")),
                      max_size=8)),
)


def _edit(text: str, edit: tuple[str, int, str]) -> str:
    """Apply one text-level edit; `n` picks the place."""
    kind, n, arg = edit
    lines = text.splitlines(keepends=True)
    if kind == "duplicate":
        keyed = [i for i, ln in enumerate(lines) if re.match(r"^\s*[A-Za-z_]\w*:", ln)]
        if keyed:
            i = keyed[n % len(keyed)]
            lines.insert(i + 1, lines[i] if lines[i].endswith("\n") else lines[i] + "\n")
        return "".join(lines)
    if kind in ("number", "date"):
        pattern = _NUMBER if kind == "number" else _DATE
        found = list(pattern.finditer(text))
        if found:
            m = found[n % len(found)]
            return text[:m.start()] + arg + text[m.end():]
        return text
    if kind == "truncate":
        return text[: n % (len(text) + 1)]
    if kind == "bomb":
        return text + "l0: &l0 [x, x, x, x, x, x, x, x, x]\n" + _BOMB + "description: *l8\n"
    if kind == "alias":  # a legitimate alias: one profile reused by another
        return text.replace("  technical:\n", "  technical_copy: *alarm_profile\n  technical:\n",
                            1).replace("  alarm:\n", "  alarm: &alarm_profile\n", 1)
    if kind == "insert":
        pos = n % (len(text) + 1)
        return text[:pos] + arg + text[pos:]
    return text


def _run_config(factory, mutations, edit) -> None:
    data = TINY
    for path, action, value in mutations:
        try:
            data = _mutate(data, path, action, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed the path
    box = Sandbox(_scratch(factory))
    try:
        config = box.write("config.yaml", _edit(dump(data), edit))
        if not small_enough(config):
            load_config(config)  # a valid config too big to run here: loading is the result
            event("loaded only (too long to run here)")
            return
        o = box.run(simulate_argv(config, box.out))
        event(f"exit {o.rc}")
        check(o, names=[str(config)])
        if o.rc == 0:
            check_run(box.out)
        box.check_contained()
    finally:
        box.close()


@settings(max_examples=25, deadline=None, suppress_health_check=_CHECKS)
@given(MUTATIONS, TEXT_EDITS)
def test_mutated_config_files_run_or_fail_cleanly(tmp_path_factory, mutations, edit) -> None:
    _run_config(tmp_path_factory, mutations, edit)


@pytest.mark.slow
@settings(max_examples=2000, deadline=None, suppress_health_check=_CHECKS)
@given(MUTATIONS, TEXT_EDITS)
def test_thousands_of_mutated_config_files_run_or_fail_cleanly(tmp_path_factory, mutations,
                                                               edit) -> None:
    _run_config(tmp_path_factory, mutations, edit)


@settings(max_examples=100, deadline=None, suppress_health_check=_CHECKS)
@given(MUTATIONS)
def test_mutated_configs_load_or_fail_cleanly(tmp_path_factory, mutations) -> None:
    """Loading alone, quickly: the schema errors name the file and the field."""
    count()
    data = TINY
    for path, action, value in mutations:
        try:
            data = _mutate(data, path, action, value)
        except (KeyError, IndexError, TypeError):
            continue
    path = _scratch(tmp_path_factory) / "config.yaml"
    path.write_text(dump(data), encoding="utf-8")
    try:
        load_config(path)
    except UserError as err:
        text = str(err)
        assert str(path) in text and "Traceback" not in text
        assert "field `" in text or "YAML" in text or "mapping" in text


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_fail_cleanly(tmp_path_factory, blob: bytes) -> None:
    count()
    path = _scratch(tmp_path_factory) / "garbage.yaml"
    path.write_bytes(blob)
    try:
        load_config(path)
    except UserError as err:
        assert str(path) in str(err) and "\n" not in one_paragraph(str(err))


# ------------------------------------------------------------------ --set

SETS = st.lists(st.tuples(SET_PATHS, SET_VALUES), min_size=1, max_size=2)


def _run_set(factory, sets) -> None:
    box = Sandbox(_scratch(factory))
    try:
        config = box.write("tiny.yaml", dump(TINY))
        overrides = [f"{p}={v}" for p, v in sets]
        extra = [x for a in overrides for x in ("--set", a)]
        if not small_enough(config, overrides):
            load_config(config, overrides)
            event("loaded only (too long to run here)")
            return
        o = box.run(simulate_argv(config, box.out, *extra))
        event(f"exit {o.rc}")
        check(o, names=["--set", str(config)])
        if o.rc == 0:
            check_run(box.out)
        box.check_contained()
    finally:
        box.close()


@settings(max_examples=40, deadline=None, suppress_health_check=_CHECKS)
@given(SETS)
def test_set_overrides_run_or_fail_cleanly(tmp_path_factory, sets) -> None:
    _run_set(tmp_path_factory, sets)


@pytest.mark.slow
@settings(max_examples=2000, deadline=None, suppress_health_check=_CHECKS)
@given(SETS)
def test_thousands_of_set_overrides_run_or_fail_cleanly(tmp_path_factory, sets) -> None:
    _run_set(tmp_path_factory, sets)


def test_huge_file_directory_and_missing_file_exit_2(tmp_path: Path, capsys) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.seek(100 * 1024 * 1024)
        f.write(b"\n")
    for target, needle in [(big, "larger than"), (tmp_path, "not a regular file"),
                           (tmp_path / "none.yaml", "does not exist")]:
        assert main(["simulate", "--config", str(target)]) == 2
        err = capsys.readouterr().err
        assert needle in err and str(target) in err and "Traceback" not in err
