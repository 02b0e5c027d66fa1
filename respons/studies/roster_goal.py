"""The goal and the pool a staffing study works on: never a hidden default.

The goal comes from the flags or the config's `goal`; a study that finds neither stops with a
one-paragraph message (exit code 2). The staffed pool is named or the first operator pool, and
must answer alarms as primary (the goal counts alarms).
"""

from __future__ import annotations

from respons.config import BackupRule, Category, Pool, Role, ScenarioConfig
from respons.errors import UserError


def resolve_goal(cfg: ScenarioConfig, share: float | None, within_s: float | None,
                 flags: tuple[str, str] = ("--goal", "--within")) -> tuple[float, float]:
    """(share, within_s) from the flags, else from the config's goal; no default."""
    if cfg.goal is not None:
        share = cfg.goal.share if share is None else share
        within_s = cfg.goal.within_s if within_s is None else within_s
    if share is None or within_s is None:
        missing = " and ".join(f for f, v in zip(flags, (share, within_s), strict=True)
                               if v is None)
        raise UserError(
            f"no answer goal: give {missing} (e.g. {flags[0]} 0.95 {flags[1]} 120: 95 % of "
            "alarms answered within 120 s), or put `goal: {share: 0.95, within_s: 120}` in the "
            "config. A goal is the centre's decision; there is no default.")
    return float(share), float(within_s)


def staffed_pool(cfg: ScenarioConfig, name: str | None) -> Pool:
    """The pool to staff: `name`, or the first with role operator; it must answer alarms as
    primary."""
    for p in cfg.pools:
        if p.name == name or (name is None and p.role == Role.operator):
            if not any(s.category == Category.alarm and s.rule == BackupRule.primary
                       for s in p.serves):
                raise UserError(f"--pool {p.name}: it does not answer alarms as primary, and "
                                "the goal counts alarms; choose a pool that does.")
            return p
    raise UserError(f"--pool: no pool {name or 'with role operator'}; pools: "
                    f"{[p.name for p in cfg.pools]}.")
