"""Read a scenario config from YAML (safe_load only), apply `--set` overrides, validate."""

from __future__ import annotations

import copy
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from respons.config import ScenarioConfig, yamlsafe
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
        data = yamlsafe.load(text)
    except yamlsafe.StrictYAMLError as e:
        raise UserError(f"config {source}: {e}.") from None
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
    try:
        value = yamlsafe.load(raw) if raw.strip() else None
    except yamlsafe.StrictYAMLError as e:
        raise UserError(f"--set '{assignment}': {e}.") from None
    except yaml.YAMLError:
        raise UserError(f"--set '{assignment}': value '{raw}' is not a YAML scalar.") from None
    out = copy.deepcopy(data)
    set_path(out, path.strip(), value, f"--set '{assignment}'")
    return out


def split_path(path: str, label: str) -> list[str]:
    keys = path.split(".")
    if not path or any(not k for k in keys):
        raise UserError(f"{label}: empty field name in '{path}'.")
    return keys


def resolve_parent(data: Any, path: str, label: str, create: bool = True) -> tuple[Any, str]:
    """The container holding the last key of `path`, and that key (list index or name)."""
    keys = split_path(path, label)
    node: Any = data
    for depth, key in enumerate(keys[:-1]):
        where = ".".join(keys[: depth + 1])
        if isinstance(node, list):
            node = node[list_index(node, key, where, label)]
        elif isinstance(node, dict):
            if key not in node or node[key] is None:
                if not create:
                    raise UserError(f"{label}: `{where}` does not exist.")
                node[key] = {}
            node = node[key]
        else:
            raise UserError(f"{label}: `{where}` is inside a value that is not a mapping or "
                            "list.")
    if not isinstance(node, dict | list):
        raise UserError(f"{label}: `{path}` is inside a value that is not a mapping or list.")
    return node, keys[-1]


def set_path(data: Any, path: str, value: Any, label: str) -> None:
    """Set `path` (dotted, list entries by index or name) to `value` in place."""
    node, key = resolve_parent(data, path, label)
    if isinstance(node, list):
        node[list_index(node, key, path, label)] = value
    else:
        node[key] = value


def get_path(data: Any, path: str, label: str) -> Any:
    node, key = resolve_parent(data, path, label, create=False)
    if isinstance(node, list):
        return node[list_index(node, key, path, label)]
    if key not in node:
        raise UserError(f"{label}: `{path}` does not exist.")
    return node[key]


def list_index(node: list[Any], key: str, where: str, label: str = "--set") -> int:
    if key.lstrip("-").isdigit():
        idx = int(key)
        if not -len(node) <= idx < len(node):
            raise UserError(f"{label}: `{where}` index {idx} out of range (list has "
                            f"{len(node)} entries).")
        return idx
    names = [e.get("name") for e in node if isinstance(e, dict)]
    if key in names:
        return names.index(key)
    raise UserError(f"{label}: `{where}`: no entry named '{key}'; allowed: {names} or an index.")


def load_builtin(name: str, overrides: list[str] | None = None) -> ScenarioConfig:
    """Load a config shipped in the package (`respons/data/<name>.yaml`)."""
    text = resources.files("respons.data").joinpath(f"{name}.yaml").read_text("utf-8")
    data = parse_mapping(text, f"the built-in config {name}")
    for assignment in overrides or []:
        data = apply_override(data, assignment)
    return validate(data, _with_overrides(f"the built-in config {name}", overrides))


def load_config(path: Path | None, overrides: list[str] | None = None) -> ScenarioConfig:
    """Load and validate a config (the embedded 2020 baseline when `path` is None)."""
    if path is None:
        source = f"the embedded default ({DEFAULT_CONFIG})"
        data = parse_mapping(default_config_text(), source)
    else:
        source = str(path)
        data = resolve_overlays(read_mapping(path), path)
    for assignment in overrides or []:
        data = apply_override(data, assignment)
    return validate(data, _with_overrides(source, overrides))


def _with_overrides(source: str, overrides: list[str] | None) -> str:
    """The source of a config as an error names it: the file, and the values the command line
    set in it (`--set` and the flags that stand for one; a field they name may be the
    culprit)."""
    if not overrides:
        return source
    shown = ", ".join(f"`{o}`" for o in overrides[:4]) + (" ..." if len(overrides) > 4 else "")
    return f"{source} with {shown} from the command line"


def validate(data: dict[str, Any], source: str) -> ScenarioConfig:
    """Validate a mapping, turning pydantic errors into a UserError naming the fields."""
    try:
        return ScenarioConfig.model_validate(data)
    except ValidationError as e:
        raise UserError(describe_validation(e, source)) from None


OVERLAY_KEYS = ("base", "set", "scale", "append", "remove")
MAX_BASE_DEPTH = 8


def resolve_overlays(data: dict[str, Any], path: Path, depth: int = 0) -> dict[str, Any]:
    """Expand a scenario overlay: `base` (a config file, relative to this one) with `set`
    (path: value), `scale` (path: factor), `append` (list path: [entries]), `remove`
    ([paths]) applied in that order; other top-level keys replace the base's."""
    if "base" not in data:
        bad = [k for k in OVERLAY_KEYS if k in data]
        if bad:
            raise UserError(f"config {path}: `{bad[0]}` is only allowed together with `base`.")
        return data
    if depth >= MAX_BASE_DEPTH:
        raise UserError(f"config {path}: more than {MAX_BASE_DEPTH} nested `base` files "
                        "(a cycle?).")
    if not isinstance(data["base"], str):
        raise UserError(f"config {path}: `base` must be a file path, got {data['base']!r}.")
    base_path = (path.parent / data["base"]).resolve()
    base = resolve_overlays(read_mapping(base_path), base_path, depth + 1)
    return apply_overlay(base, data, f"config {path}")


def apply_overlay(data: dict[str, Any], doc: dict[str, Any], label: str) -> dict[str, Any]:
    """`doc`'s overlay applied to config data in memory (a copy): other top-level keys
    replace the data's, then `set` (path: value), `scale` (path: factor), `append` (list
    path: [entries]) and `remove` ([paths]), in that order. Used for `base:` files and by
    the what-if page (growth scenarios and rota files on another config)."""
    out = copy.deepcopy(data)
    for key, value in doc.items():
        if key not in OVERLAY_KEYS:
            out[key] = copy.deepcopy(value)
    for p, value in _section(doc, "set", dict, label).items():
        set_path(out, str(p), copy.deepcopy(value), f"{label}, set `{p}`")
    for p, factor in _section(doc, "scale", dict, label).items():
        old = get_path(out, str(p), f"{label}, scale `{p}`")
        if not (_number(old) and _number(factor)):
            raise UserError(f"{label}, scale `{p}`: needs a number at the path and a number "
                            f"factor, got {old!r} and {factor!r}.")
        set_path(out, str(p), old * factor, label)
    for p, entries in _section(doc, "append", dict, label).items():
        target = get_path(out, str(p), f"{label}, append `{p}`")
        if not isinstance(target, list) or not isinstance(entries, list):
            raise UserError(f"{label}, append `{p}`: needs a list at the path and a list of "
                            "entries.")
        target.extend(copy.deepcopy(entries))
    for p in _section(doc, "remove", list, label):
        node, key = resolve_parent(out, str(p), f"{label}, remove `{p}`", create=False)
        if isinstance(node, list):
            del node[list_index(node, key, str(p), f"{label}, remove")]
        elif key in node:
            del node[key]
        else:
            raise UserError(f"{label}, remove `{p}`: does not exist.")
    return out


def _section(doc: dict[str, Any], key: str, kind: type, label: str) -> Any:
    value = doc.get(key, kind())
    if not isinstance(value, kind):
        what = "a mapping of field paths" if kind is dict else "a list of paths"
        raise UserError(f"{label}: `{key}` must be {what}.")
    return value


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)
