"""The page's controls as a `WhatIf`, and the config it gives: the baseline config (the page's
`--config`) with a growth scenario, the operators per time block or a rota file from `roster`,
the nurse backup, volume and talk-time scales, the goal and the replications applied.

Only what differs from the baseline's own settings is applied, so an unchanged what-if *is*
the baseline (the same config key: the same cached replications, a zero difference). Pure
functions; no Streamlit here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from respons.config import Category, Role, ScenarioConfig, Shift
from respons.config.distributions import scaled
from respons.config.loading import (
    MAX_BASE_DEPTH,
    apply_overlay,
    list_index,
    read_mapping,
    validate,
)
from respons.errors import UserError
from respons.studies.staff import DEFAULT_BLOCKS, Block, parse_blocks

SCENARIOS = Path(__file__).resolve().parents[1] / "data" / "scenarios"
BLOCKS: tuple[Block, ...] = tuple(parse_blocks(DEFAULT_BLOCKS))  # night, day, evening
SCALED = (Category.alarm, Category.technical)  # what the volume and talk-time scales move
# Widget bounds (the page cannot send anything outside them; `check` enforces them too),
# widened where the baseline itself lies outside them (`bounds`).
MAX_BLOCK_STAFF = 20
DELAY_S = (0.0, 1800.0)
VOLUME = (0.5, 3.0)
TALK = (0.5, 2.0)
GOAL_SHARE = (0.5, 0.999)
WITHIN_S = (10.0, 3600.0)
REPLICATIONS = (2, 100)
DEFAULT_REPLICATIONS = 5
DEFAULT_DELAY_S = 60.0  # shown for a config without a nurse backup, used only if switched on
# Left out of the cache key: they do not change what a replication simulates or measures.
KEY_EXCLUDED = {"scenario", "description", "replications", "goal", "lang", "assumptions",
                "assumption_ranges",
                "calibration_note"}


@dataclass(frozen=True)
class Rota:
    """A rota file from `roster` (roster.csv or config.roster.yaml): its name and the overlay
    ({set, append} on the pools and the cost services' pools) that puts it into a config."""

    name: str
    overlay: dict[str, Any]
    pool: str
    weekly_hours: float


@dataclass(frozen=True)
class Facts:
    """What the controls are built on: the baseline's operator and nurse pools, whether its
    operators' rota is exactly the time blocks, and the shipped growth scenarios."""

    operator_pool: str | None
    nurse_pool: str | None
    exact_blocks: bool
    growth: dict[str, str]  # scenario file stem -> its description


@dataclass(frozen=True)
class WhatIf:
    """The page's controls. `operators`: people per block of BLOCKS (night, day, evening),
    every day; a `rota` wins over them. `goal_share` None: no goal."""

    operators: tuple[int, ...]
    nurse_backup: bool
    nurse_delay_s: float
    goal_share: float | None
    within_s: float
    growth: str | None = None
    volume: float = 1.0
    talk: float = 1.0
    replications: int = DEFAULT_REPLICATIONS
    rota: Rota | None = None


def growth_files(directory: Path = SCENARIOS) -> dict[str, Path]:
    """The shipped growth scenarios (growth-*.yaml), by file stem."""
    return {p.stem: p for p in sorted(directory.glob("growth-*.yaml"))}


def start(cfg: ScenarioConfig) -> tuple[Facts, WhatIf]:
    """The facts of a baseline config and the what-if that leaves it unchanged."""
    ops = next((p for p in cfg.pools if p.role == Role.operator), None)
    staff, exact = block_staff(ops.shifts) if ops is not None else ((0,) * len(BLOCKS), False)
    nurse = _nurse_pool(cfg)
    svc = _alarm_service(nurse)
    growth = {name: read_mapping(p).get("description", "") or name
              for name, p in growth_files().items()}
    facts = Facts(ops.name if ops else None, nurse.name if nurse else None, exact, growth)
    goal = cfg.goal
    w = WhatIf(operators=staff, nurse_backup=svc is not None,
               nurse_delay_s=svc.delay_s if svc is not None else DEFAULT_DELAY_S,
               goal_share=goal.share if goal is not None else None,
               within_s=goal.within_s if goal is not None else cfg.target_s)
    return facts, w


def block_staff(shifts: list[Shift]) -> tuple[tuple[int, ...], bool]:
    """People on duty in each block (rounded mean over its hours of the week) and whether
    the rota is exactly that: the same number in every hour of each block, no dated shifts."""
    minutes = np.zeros(7 * 1440)
    for sh in shifts:
        for a, b in sh.week_intervals():
            minutes[np.arange(a // 60, b // 60) % minutes.size] += sh.staff
    hourly = minutes.reshape(168, 60).mean(axis=1)
    staff, exact = [], not any(sh.dates for sh in shifts)
    for block in BLOCKS:
        values = hourly[[d * 24 + h for d in range(7) for h in block.hours]]
        n = int(round(float(values.mean())))
        staff.append(n)
        exact = exact and bool(np.allclose(values, n))
    return tuple(staff), exact


def _nurse_pool(cfg: ScenarioConfig) -> Any:
    nurses = [p for p in cfg.pools if p.role == Role.nurse]
    return next((p for p in nurses if _alarm_service(p) is not None),
                nurses[0] if nurses else None)


def _alarm_service(pool: Any) -> Any:
    if pool is None:
        return None
    return next((s for s in pool.serves if s.category == Category.alarm), None)


def bounds(base: WhatIf) -> dict[str, tuple[float, float]]:
    """Each control's (low, high), widened to hold the baseline's own value."""
    share = base.goal_share if base.goal_share is not None else GOAL_SHARE[0]
    return {"operators": (0, max(MAX_BLOCK_STAFF, *base.operators)),
            "nurse_delay_s": (DELAY_S[0], max(DELAY_S[1], base.nurse_delay_s)),
            "volume": VOLUME, "talk": TALK,
            "goal_share": (min(GOAL_SHARE[0], share), max(GOAL_SHARE[1], share)),
            "within_s": (min(WITHIN_S[0], base.within_s), max(WITHIN_S[1], base.within_s)),
            "replications": REPLICATIONS}


def check(w: WhatIf, limits: dict[str, tuple[float, float]]) -> None:
    """Refuse values outside the controls' bounds (a UserError naming the control)."""
    def within(name: str, x: float, key: str) -> None:
        lo, hi = limits[key]
        if not lo <= x <= hi:
            raise UserError(f"{name} must be between {lo:g} and {hi:g}, got {x:g}.")

    for block, n in zip(BLOCKS, w.operators, strict=True):
        within(f"operators {block.name} ({block})", n, "operators")
    within("nurse backup delay (s)", w.nurse_delay_s, "nurse_delay_s")
    within("volume scale", w.volume, "volume")
    within("talk-time scale", w.talk, "talk")
    within("goal within (s)", w.within_s, "within_s")
    within("replications", w.replications, "replications")
    if w.goal_share is not None:
        within("goal share", w.goal_share, "goal_share")


def build(cfg: ScenarioConfig, w: WhatIf) -> ScenarioConfig:
    """The what-if config: `cfg` with every control that differs from its own setting
    applied (growth, rota or blocks, nurse backup, volume, talk time, goal, replications)."""
    facts, base = start(cfg)
    check(w, bounds(base))
    data = cfg.model_dump(mode="json")
    changed = False
    if w.growth is not None:
        files = growth_files()
        if w.growth not in files:
            raise UserError(f"growth scenario '{w.growth}' is not shipped; allowed: "
                            f"{sorted(files)}.")
        for path, doc in overlay_chain(files[w.growth]):
            data = apply_overlay(data, doc, f"growth scenario {path.name}")
        changed = True
    if w.rota is not None:
        data = apply_overlay(data, w.rota.overlay, f"rota file {w.rota.name}")
        changed = True
    elif w.operators != base.operators and facts.operator_pool is not None:
        if not any(w.operators):
            raise UserError("operators: every block has 0 people; the centre needs someone "
                            "on duty in at least one block (or a rota file).")
        pool = _pool(data, facts.operator_pool)
        pool["shifts"] = [b.shift(n).model_dump(mode="json")
                          for b, n in zip(BLOCKS, w.operators, strict=True) if n > 0]
        changed = True
    if (w.nurse_backup, w.nurse_delay_s) != (base.nurse_backup, base.nurse_delay_s) \
            and facts.nurse_pool is not None:
        _set_nurse_backup(_pool(data, facts.nurse_pool), w.nurse_backup, w.nurse_delay_s)
        changed = True
    if w.volume != 1.0:
        for kind in data["event_kinds"]:
            if kind["category"] in SCALED and kind.get("rate"):
                kind["rate"]["per_year"] *= w.volume
        changed = True
    if (w.goal_share, w.within_s) != (base.goal_share, base.within_s):
        data["target_s"] = w.within_s
        categories = data["goal"]["categories"] if data.get("goal") else {}
        data["goal"] = None if w.goal_share is None else {
            "share": w.goal_share, "within_s": w.within_s, "categories": categories}
    data["replications"] = w.replications
    if changed or w.talk != 1.0:
        data["scenario"] = f"{cfg.scenario}-what-if"
        data["description"] = f"What-if on {cfg.scenario} (respons serve)"
    out = validate(data, "the what-if")
    if w.talk != 1.0:
        kinds = [k.model_copy(update={"talk": scaled(k.talk, w.talk)})
                 if k.category in SCALED else k for k in out.event_kinds]
        out = validate({**out.model_dump(mode="json"),
                        "event_kinds": [k.model_dump(mode="json") for k in kinds]},
                       "the what-if")
    return out


def baseline(cfg: ScenarioConfig, w: WhatIf) -> ScenarioConfig:
    """The baseline the what-if is compared with: `cfg` under the what-if's goal and
    replications, nothing else changed (same seed and period: common random numbers)."""
    _, base = start(cfg)
    return build(cfg, replace(base, goal_share=w.goal_share, within_s=w.within_s,
                              replications=w.replications))


def _pool(data: dict[str, Any], name: str) -> dict[str, Any]:
    return data["pools"][list_index(data["pools"], name, f"pools.{name}", "the what-if")]


def _set_nurse_backup(pool: dict[str, Any], on: bool, delay_s: float) -> None:
    """Remove the nurses' alarm service, or make it answer alarms after `delay_s` of waiting
    (added when the config had none; its other settings, e.g. `unavailable`, kept)."""
    serves = pool["serves"]
    idx = next((i for i, s in enumerate(serves) if s["category"] == Category.alarm), None)
    if not on:
        if idx is not None:
            del serves[idx]
        return
    if idx is None:
        serves.append({"category": Category.alarm.value})
        idx = len(serves) - 1
    serves[idx].update(rule="after_wait", after_s=float(delay_s))


def config_key(cfg: ScenarioConfig) -> str:
    """SHA-256 of what a replication depends on (the config without its name, goal share,
    replications and notes): the cache key of its replications."""
    data = cfg.model_dump(mode="json", exclude=KEY_EXCLUDED)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()


def overlay_chain(path: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The overlay files from `path` down its `base:` chain, root-most overlay first (the
    full config at the root left out): applied in this order to another config, they make
    that config the scenario's base."""
    chain: list[tuple[Path, dict[str, Any]]] = []
    path = path.resolve()
    doc = read_mapping(path)
    while "base" in doc:
        if len(chain) >= MAX_BASE_DEPTH or not isinstance(doc["base"], str):
            raise UserError(f"config {path}: `base` must name a config file, at most "
                            f"{MAX_BASE_DEPTH} deep.")
        chain.append((path, doc))
        path = (path.parent / doc["base"]).resolve()
        doc = read_mapping(path)
    return chain[::-1]
