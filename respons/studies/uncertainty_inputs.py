"""The ranged inputs of a config as the uncertainty study sees them: a SALib problem (log and
date ranges transformed to a plain interval), and variants of the config with chosen values.

A value is applied where its `path` points; the `also` values move by the same factor (dates:
by the same number of days) and the `balance` values are rescaled together so that the mix's
total is kept. The variant is validated like any config.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from respons.config import Assumption, ScenarioConfig
from respons.config.assumptions import current, matches, set_at
from respons.config.loading import validate
from respons.errors import UserError

Value = float | int | dt.date


def sampled_inputs(cfg: ScenarioConfig) -> list[Assumption]:
    """The assumed inputs with a range (fitted ones are held at their fitted value)."""
    return [a for a in cfg.assumptions if a.sampled]


def configured(cfg: ScenarioConfig, a: Assumption) -> Value:
    """The value the config holds for an input (a share for a mix)."""
    return current(cfg.model_dump(), a)


def _scale(a: Assumption, v: Value) -> float:
    """A value on the sampling scale: log for `log`, day number for dates."""
    if isinstance(v, dt.date):
        return float(v.toordinal())
    return math.log(v) if a.log else float(v)


def _unscale(a: Assumption, x: float) -> Value:
    if a.is_date:
        return dt.date.fromordinal(int(round(x)))
    v = math.exp(x) if a.log else x
    return int(round(v)) if a.integer else round(v, 6)


def problem(inputs: list[Assumption]) -> dict[str, Any]:
    """The SALib problem over the inputs' (transformed) ranges."""
    assert all(a.range is not None for a in inputs)
    bounds = [[_scale(a, a.range[0]), _scale(a, a.range[1])] for a in inputs]  # type: ignore[index]
    if any(a.integer for a in inputs):  # whole numbers: each level owns an equal interval
        bounds = [[lo - 0.5, hi + 0.5] if a.integer else [lo, hi]
                  for a, (lo, hi) in zip(inputs, bounds, strict=True)]
    return {"num_vars": len(inputs), "names": [a.name for a in inputs], "bounds": bounds}


def values_of(inputs: list[Assumption], row: Any) -> dict[str, Value]:
    """Input values of one SALib sample row (clipped to the range for whole numbers)."""
    out: dict[str, Value] = {}
    for a, x in zip(inputs, row, strict=True):
        v = _unscale(a, float(x))
        if a.integer:
            lo, hi = a.range  # type: ignore[misc]
            v = int(min(max(v, lo), hi))
        out[a.name] = v
    return out


def variant(cfg: ScenarioConfig, values: dict[str, Value],
            overrides: dict[str, Any] | None = None) -> ScenarioConfig:
    """`cfg` with the named inputs set to `values` (and top-level `overrides`), validated."""
    data = cfg.model_dump()
    by_name = {a.name: a for a in cfg.assumptions}
    for name, value in values.items():
        apply(data, by_name[name], value)
    data.update(overrides or {})
    return validate(data, f"{cfg.scenario} with {_describe(values)}")


def apply(data: dict[str, Any], a: Assumption, value: Value) -> None:
    """Set one input in a config mapping (as from `model_dump()`), in place."""
    if a.balance:
        _mix(data, a, float(value))
        return
    keys, base = next(matches(data, a.path))
    set_at(data, keys, value)
    moved = {keys}
    if isinstance(value, dt.date):
        days = (value - base).days
        for pattern in a.also:
            for k, old in matches(data, pattern):
                if k not in moved:
                    set_at(data, k, old + dt.timedelta(days=days))
                    moved.add(k)
        return
    if a.also:
        if base == 0:
            raise UserError(f"assumptions.{a.name}: `{a.path}` is 0 in the config, so the "
                            "values in `also` cannot move by the same factor.")
        factor = value / base
        for pattern in a.also:
            for k, old in matches(data, pattern):
                if k not in moved:
                    new = old * factor
                    set_at(data, k, int(round(new)) if a.integer else new)
                    moved.add(k)


def _mix(data: dict[str, Any], a: Assumption, share: float) -> None:
    """`a.path` takes `share` of the mix's total; the `balance` values share the rest in their
    configured proportions."""
    keys, own = next(matches(data, a.path))
    rest = [(k, old) for pattern in a.balance for k, old in matches(data, pattern)]
    before = sum(old for _, old in rest)
    total = own + before
    if before <= 0 or not 0 < share < 1:
        raise UserError(f"assumptions.{a.name}: a share of {share} leaves nothing of the mix "
                        "for one side; the range of a mix lies strictly between 0 and 1.")
    set_at(data, keys, share * total)
    for k, old in rest:
        set_at(data, k, old * (1 - share) * total / before)


def _describe(values: dict[str, Value]) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items()) or "its configured inputs"
