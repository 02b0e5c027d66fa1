"""Read a scenario config from YAML (safe_load only), apply `--set` overrides, validate."""

from __future__ import annotations

import copy
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from respons.config import ScenarioConfig
from respons.errors import UserError, describe_validation

MAX_CONFIG_BYTES = 5_000_000
DEFAULT_CONFIG = "vaernes-2020.yaml"


def default_config_text() -> str:
    """The embedded 2020 baseline (identical to configs/vaernes-2020.yaml)."""
    return resources.files("respons.data").joinpath(DEFAULT_CONFIG).read_text("utf-8")


def read_mapping(path: Path) -> dict[str, Any]:
    """Read a YAML file that must hold a mapping; every failure is a UserError."""
    if not path.exists():
        raise UserError(f"config file {path} does not exist.")
    if not path.is_file():
        raise UserError(f"config path {path} is not a regular file.")
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise UserError(f"config file {path} is larger than {MAX_CONFIG_BYTES:,} bytes; "
                        "a scenario config is a few kilobytes of YAML.")
    try:
        text = path.read_text("utf-8")
    except (UnicodeDecodeError, OSError) as e:
        raise UserError(f"config file {path} cannot be read as UTF-8 text: {e}.") from None
    return parse_mapping(text, str(path))


def parse_mapping(text: str, source: str) -> dict[str, Any]:
    """Parse YAML text that must be a mapping."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        first = " ".join(str(e).split())
        raise UserError(f"config {source} is not valid YAML: {first}.") from None
    if not isinstance(data, dict):
        raise UserError(f"config {source} must be a YAML mapping of fields (scenario, period, "
                        f"municipalities, ...), got {type(data).__name__}.")
    return data


def apply_override(data: dict[str, Any], assignment: str) -> dict[str, Any]:
    """Return a copy of `data` with `a.b.0.c=VALUE` set; VALUE is parsed as a YAML scalar.

    A list element may be named instead of indexed when its entries have a `name`
    (e.g. `pools.operators.sickness_absence=0.05`).
    """
    if "=" not in assignment:
        raise UserError(f"--set '{assignment}' must look like path.to.field=VALUE.")
    path, raw = assignment.split("=", 1)
    keys = [k for k in path.strip().split(".")]
    if not path.strip() or any(not k for k in keys):
        raise UserError(f"--set '{assignment}': empty field name in '{path}'.")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        raise UserError(f"--set '{assignment}': value '{raw}' is not a YAML scalar.") from None
    out = copy.deepcopy(data)
    node: Any = out
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        where = ".".join(keys[: depth + 1])
        if isinstance(node, list):
            idx = _list_index(node, key, where)
            if last:
                node[idx] = value
            else:
                node = node[idx]
        elif isinstance(node, dict):
            if last:
                node[key] = value
            else:
                if key not in node or node[key] is None:
                    node[key] = {}
                node = node[key]
        else:
            raise UserError(f"--set '{assignment}': `{where}` is inside a value that is not "
                            "a mapping or list.")
    return out


def _list_index(node: list[Any], key: str, where: str) -> int:
    if key.lstrip("-").isdigit():
        idx = int(key)
        if not -len(node) <= idx < len(node):
            raise UserError(f"--set: `{where}` index {idx} out of range (list has "
                            f"{len(node)} entries).")
        return idx
    names = [e.get("name") for e in node if isinstance(e, dict)]
    if key in names:
        return names.index(key)
    raise UserError(f"--set: `{where}`: no entry named '{key}'; allowed: {names} or an index.")


def load_config(path: Path | None, overrides: list[str] | None = None) -> ScenarioConfig:
    """Load and validate a config (the embedded 2020 baseline when `path` is None)."""
    if path is None:
        source = f"the embedded default ({DEFAULT_CONFIG})"
        data = parse_mapping(default_config_text(), source)
    else:
        source = str(path)
        data = read_mapping(path)
    for assignment in overrides or []:
        data = apply_override(data, assignment)
    return validate(data, source)


def validate(data: dict[str, Any], source: str) -> ScenarioConfig:
    """Validate a mapping, turning pydantic errors into a UserError naming the fields."""
    try:
        return ScenarioConfig.model_validate(data)
    except ValidationError as e:
        raise UserError(describe_validation(e, source)) from None
