"""Documented plausible ranges of the assumed inputs of a config (`assumptions:`).

Each entry names one config value by the `--set` path syntax (list entries by index or
`name`), gives the range it may plausibly take and why, and may name further values moved with
it by the same factor (`also`, where `*` matches every list entry or mapping key). The
uncertainty study samples these ranges; `calibrate` shows fitted values next to theirs.

Loading a config checks the entries themselves (names unique, low < high); whether each path
exists and its value lies inside the range is checked by `problems` where the ranges are used
(`uncertainty`, `validate`, `calibrate`, and a test over every shipped config), so a what-if
beyond a documented range (`--set`, an overlay) still simulates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from pydantic import Field, field_validator, model_validator

from respons.config.base import _Model

Value = float | dt.date


class Assumption(_Model):
    """One assumed (or fitted) input with its plausible range and the reason for it."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Short name, unique "
                      "(e.g. 'alarm_talk'); names the input in the uncertainty tables.")
    path: str = Field(min_length=1, description="The value, as a `--set` path "
                      "(e.g. event_kinds.button.talk.mean_s).")
    range: tuple[Value, Value] | None = Field(
        default=None, description="Plausible [low, high] (numbers, or dates for a date); the "
        "configured value of an assumed input must lie inside (checked where the ranges are "
        "used: uncertainty, validate). Only a fitted input may have none (no source gives "
        "one).")
    why: str = Field(min_length=1, description="Source of the range, or why it is plausible.")
    log: bool = Field(default=False, description="Sample on a log scale (scale parameters).")
    integer: bool = Field(default=False, description="A whole number (e.g. a priority): "
                          "samples are rounded.")
    also: list[str] = Field(default=[], description="Further paths (`*` = every entry) moved "
                            "by the same factor as `path` (dates: by the same days).")
    balance: list[str] = Field(default=[], description="A mix: the range is then the share of "
                               "`path` in its sum with these values, and moving it rescales "
                               "them by one common factor so that the total is kept.")
    fitted: bool = Field(default=False, description="The value is fitted by `calibrate`; the "
                         "range documents what the sources allow. Held at its value, not "
                         "sampled, by `uncertainty`.")

    @field_validator("range")
    @classmethod
    def _order(cls, v: tuple[Value, Value] | None) -> tuple[Value, Value] | None:
        if v is None:
            return v
        lo, hi = v
        if isinstance(lo, dt.date) != isinstance(hi, dt.date):
            raise ValueError("low and high must both be numbers or both be dates")
        if not lo < hi:
            raise ValueError(f"low ({lo}) must be below high ({hi})")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Assumption:
        if self.range is None:
            if not self.fitted:
                raise ValueError("range: missing; only a fitted input may have no range")
            return self
        if self.log and (isinstance(self.range[0], dt.date) or self.range[0] <= 0):
            raise ValueError("log: a log scale needs a positive numeric range")
        if self.balance and (self.log or isinstance(self.range[0], dt.date) or self.integer):
            raise ValueError("balance: only for a plain numeric share (no log, date or integer)")
        return self

    @property
    def sampled(self) -> bool:
        """Whether `uncertainty` samples it (an assumed input with a range)."""
        return not self.fitted and self.range is not None

    @property
    def is_date(self) -> bool:
        return self.range is not None and isinstance(self.range[0], dt.date)


def problems(data: dict[str, Any], items: list[Assumption]) -> list[str]:
    """What is wrong with the ranges of a config (as a `model_dump()` mapping): every path must
    name one number (or a date for a date range), inside its range unless fitted; `also` and
    `balance` paths must match values of the same kind. One sentence per problem."""
    out = []
    for i, a in enumerate(items):
        where = f"assumptions.{i} ({a.name})"
        found = list(matches(data, a.path))
        if len(found) != 1 or "*" in a.path:
            out.append(f"{where}.path: `{a.path}` does not name one value of the config")
            continue
        value = current(data, a)
        date = a.is_date if a.range is not None else isinstance(value, dt.date)
        if date != isinstance(value, dt.date) or not _scalar(value):
            kind = "a date" if date else "a number"
            out.append(f"{where}.path: `{a.path}` holds {value!r}, not {kind} like its range")
            continue
        # a fitted value may leave the sources' range: `calibrate` and the docs say so
        if a.sampled and not a.range[0] <= value <= a.range[1]:  # type: ignore[index]
            lo, hi = a.range  # type: ignore[misc]
            out.append(f"{where}.range: the configured value {_show(value)} of `{a.path}` is "
                       f"outside the plausible range [{lo}, {hi}]")
        if a.integer and not float(value).is_integer():
            out.append(f"{where}.integer: `{a.path}` holds {value}, not a whole number")
        for field, patterns in (("also", a.also), ("balance", a.balance)):
            for j, pattern in enumerate(patterns):
                hits = list(matches(data, pattern))
                if not hits or any(not _scalar(v) or isinstance(v, dt.date) != date
                                   for _, v in hits):
                    out.append(f"{where}.{field}.{j}: `{pattern}` matches no "
                               f"{'date' if date else 'number'} of the config")
    return out


def _show(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def mix_share(data: dict[str, Any], a: Assumption) -> float:
    """The share of `a.path` in its sum with the `balance` values (0 when all are 0)."""
    own = next(matches(data, a.path))[1]
    rest = sum(v for p in a.balance for _, v in matches(data, p)
               if _scalar(v) and not isinstance(v, dt.date))
    return own / (own + rest) if own + rest > 0 else 0.0


def current(data: dict[str, Any], a: Assumption) -> Any:
    """The input's value in a config mapping: the value at `path`, or its share of a mix."""
    return mix_share(data, a) if a.balance else next(matches(data, a.path))[1]


def _scalar(v: Any) -> bool:
    return isinstance(v, int | float | dt.date) and not isinstance(v, bool)


def matches(data: Any, path: str) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(concrete key tuple, value) for every value `path` names; `*` matches every entry.
    List entries are matched by index or by their `name`."""
    yield from _walk(data, path.split("."), ())


def _walk(node: Any, keys: list[str], done: tuple[Any, ...]) -> Iterator[tuple[tuple, Any]]:
    if not keys:
        yield done, node
        return
    key, rest = keys[0], keys[1:]
    if isinstance(node, dict):
        items = list(node.items()) if key == "*" else [(k, v) for k, v in node.items()
                                                        if k == key]
    elif isinstance(node, list):
        if key == "*":
            items = list(enumerate(node))
        elif key.lstrip("-").isdigit() and -len(node) <= int(key) < len(node):
            items = [(int(key) % len(node), node[int(key)])]
        else:
            items = [(i, e) for i, e in enumerate(node)
                     if isinstance(e, dict) and e.get("name") == key][:1]
    else:
        items = []
    for k, child in items:
        yield from _walk(child, rest, (*done, k))


def set_at(data: Any, keys: tuple[Any, ...], value: Any) -> None:
    """Set the value at a concrete key tuple (from `matches`) in place."""
    node = data
    for k in keys[:-1]:
        node = node[k]
    node[keys[-1]] = value


def config_problems(cfg: Any) -> list[str]:
    """`problems` of a validated ScenarioConfig."""
    return problems(cfg.model_dump(exclude={"assumptions"}), list(cfg.assumptions))


class KpiRange(_Model):
    """A KPI's range over the assumptions, as an uncertainty study of this very config found
    it (`python -m respons uncertainty` writes the entry). Shown beside the headline only
    while the config's model inputs are unchanged: `config_sha256` is the fingerprint
    (respons.config.fingerprint) of the config the study ran on."""

    kpi: str = Field(min_length=1, description="The KPI (a summary.json key).")
    low: float = Field(description="5th percentile over the assumptions' ranges.")
    high: float = Field(description="95th percentile over the assumptions' ranges.")
    median: float | None = Field(default=None, description="Median over the assumptions.")
    config_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="Fingerprint of the "
                               "config the study ran on (model inputs only).")
    study: str = Field(min_length=1, description="How it was found (command, date, where "
                       "the full study is described).")

    @model_validator(mode="after")
    def _order(self) -> KpiRange:
        if not self.low <= self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self
