"""Property tests: whatever a config file holds, loading it either succeeds or fails with a
UserError (exit 2) that names the file and, for schema errors, the field path. Never another
exception, never a traceback."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from respons.cli import main
from respons.config.loading import load_config
from respons.errors import UserError, one_paragraph

ROOT = Path(__file__).resolve().parents[1]
BASE = yaml.safe_load((ROOT / "configs" / "vaernes-2020.yaml").read_text("utf-8"))
_CHECKS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.dates().map(str), st.sampled_from(["", "mon", "alarm", "24:00", "99:99", "-1", "1e400"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


PATHS = _paths(BASE)
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_SCRATCH: list[Path] = []


def _scratch(factory) -> Path:
    """One scratch directory per session: each example overwrites its file."""
    if not _SCRATCH:
        _SCRATCH.append(factory.mktemp("fuzz"))
    return _SCRATCH[0]


def _mutate(data: dict, path: tuple, action: str, value: Any) -> dict:
    out = copy.deepcopy(data)
    node = out
    for key in path[:-1]:
        node = node[key]
    last = path[-1]
    if action == "delete":
        del node[last]
    elif action == "replace":
        node[last] = value
    elif action == "extra" and isinstance(node[last], dict):
        node[last]["unexpected_field"] = value
    else:
        node[last] = value
    return out


def _check_error(err: UserError, path: Path) -> None:
    text = str(err)
    assert str(path) in text
    assert "\n" not in one_paragraph(text) and "Traceback" not in text


MUTATIONS = st.lists(st.tuples(st.sampled_from(PATHS),
                               st.sampled_from(["delete", "replace", "extra"]), values),
                     min_size=1, max_size=3)


@settings(max_examples=200, deadline=None, suppress_health_check=_CHECKS)
@given(MUTATIONS)
def test_mutated_configs_load_or_fail_cleanly(tmp_path_factory, mutations) -> None:
    _load_mutated(tmp_path_factory, mutations)


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, suppress_health_check=_CHECKS)
@given(MUTATIONS)
def test_thousands_of_mutated_configs_load_or_fail_cleanly(tmp_path_factory, mutations) -> None:
    _load_mutated(tmp_path_factory, mutations)


def _load_mutated(tmp_path_factory, mutations) -> None:
    data = BASE
    for path, action, value in mutations:
        try:
            data = _mutate(data, path, action, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed the path
    path = _scratch(tmp_path_factory) / "config.yaml"
    path.write_text(yaml.dump(data, Dumper=DUMPER, allow_unicode=True))
    try:
        load_config(path)
    except UserError as err:
        _check_error(err, path)
        assert "field `" in str(err) or "YAML" in str(err) or "mapping" in str(err)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_fail_cleanly(tmp_path_factory, blob: bytes) -> None:
    path = _scratch(tmp_path_factory) / "garbage.yaml"
    path.write_bytes(blob)
    try:
        load_config(path)
    except UserError as err:
        _check_error(err, path)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.text(max_size=20))
def test_arbitrary_set_overrides_fail_cleanly(path: str, value: str) -> None:
    try:
        load_config(None, [f"{path}={value}"])
    except UserError as err:
        assert "\n" not in one_paragraph(str(err)) and "Traceback" not in str(err)


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
