"""The scenario configuration: one nested, frozen pydantic model, the only source of defaults.

Times are seconds unless a field says otherwise; dates are calendar dates in local time and the
simulation clock is seconds since `period.start` 00:00.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from respons.config.assumptions import Assumption, KpiRange
from respons.config.base import (
    INBOUND,
    OUTCOMES,
    WEEKDAYS,
    Category,
    Period,
    SimulatedPeriod,
    _Model,
)
from respons.config.demand import (
    MAX_DAYS,
    TASK_HOME,
    Burst,
    EventKind,
    FollowUp,
    HomeCare,
    Municipality,
    Outcomes,
    Profile,
    Rate,
    RateBasis,
    Unanswered,
    check_unique,
    is_number,
)
from respons.config.goal import Costs, CostService, Goal
from respons.config.staff import (
    BackupRule,
    Pool,
    Role,
    Service,
    Shift,
)

__all__ = [
    "INBOUND", "OUTCOMES", "TASK_HOME", "WEEKDAYS", "Assumption", "BackupRule", "Burst",
    "Category", "CostService", "Costs", "EventKind", "FollowUp", "Goal", "HomeCare", "KpiRange",
    "Municipality", "Outcomes", "Period", "Pool", "Profile", "Rate", "RateBasis", "Role",
    "ScenarioConfig", "Service", "Shift", "Unanswered",
]


class ScenarioConfig(_Model):
    """A whole scenario: calendar, municipalities, event kinds, staff, rules."""

    scenario: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100,
        description="Name, used for run directories."
    )
    description: str = Field(default="", description="One line saying what this scenario is.")
    period: SimulatedPeriod = Field(description="The simulated calendar period (at most ten "
                                    "years).")
    replications: int = Field(default=10, ge=1, le=100_000, description="Replications.")
    seed: int = Field(default=2020, ge=0, description="Root seed for all random streams.")
    target_s: float = Field(
        default=120.0, gt=0, le=86400,
        description="Answer-time limit of the *_within_target_share KPIs, seconds (with a "
        "`goal`, leave it out: it follows `goal.within_s`).")
    goal: Goal | None = Field(
        default=None, description="The answer goal the verdict is judged on (optional; no "
        "default).")
    lang: Literal["en", "nb"] | None = Field(
        default=None, description="Language of the terminal tables and the report: en or nb "
        "(Norwegian bokmål); null = the LANG environment variable (nb for Norwegian locales), "
        "`--lang` overrides.")
    drain_days: float = Field(
        default=7.0, ge=0, le=MAX_DAYS,
        description="Days after the period to finish work still waiting."
    )
    fte_hours_per_week: float = Field(
        default=35.5, ge=1, le=168,
        description="Rostered hours per week of one FTE (rota week)."
    )
    profiles: dict[str, Profile] = Field(min_length=1, description="Named arrival profiles.")
    municipalities: list[Municipality] = Field(min_length=1)
    event_kinds: list[EventKind] = Field(min_length=1)
    pools: list[Pool] = Field(min_length=1)
    unanswered: dict[Category, Unanswered] = Field(
        default={}, description="Per category; missing categories keep waiting."
    )
    costs: Costs | None = Field(default=None, description="Optional cost parameters.")
    bursts: list[Burst] = Field(default=[], description="Storms of contacts (optional).")
    help_target_s: float = Field(
        default=1800.0, gt=0,
        description="Home-care help should arrive within this time after the operator's "
        "forwarding call ends, seconds (help_arrival_within_target_share); 30 min is a "
        "published municipal target (Bodø, external-facts.md).")
    calibration_note: str = Field(
        default="", description="When and how fitted values were fitted (set by `calibrate`)."
    )
    assumptions: list[Assumption] = Field(
        default=[], description="Plausible ranges of the assumed (and fitted) inputs, each naming "
        "a value by its `--set` path (respons/config/assumptions.py).")
    assumption_ranges: list[KpiRange] = Field(
        default=[], description="Headline KPIs' 5-95 % ranges over the assumptions, from an "
        "uncertainty study of this config (shown only while its fingerprint matches).")

    @model_validator(mode="before")
    @classmethod
    def _one_limit(cls, data: object) -> object:
        """`goal.within_s` and `target_s` are one limit: either fills in the other."""
        if not isinstance(data, dict) or not isinstance(data.get("goal"), dict):
            return data
        goal, within, target = data["goal"], data["goal"].get("within_s"), data.get("target_s")
        if within is None and target is None:
            raise ValueError("goal.within_s: missing; give the answer-time limit of the goal "
                             "(or target_s)")
        if within is None:
            return {**data, "goal": {**goal, "within_s": target}}
        if target is None:
            return {**data, "target_s": within}
        if is_number(within) and is_number(target) and float(within) != float(target):
            raise ValueError(f"goal.within_s ({within:g}) differs from target_s ({target:g}): "
                             "they are one limit; change target_s (on the command line "
                             "`--set target_s=...` or `--within ...`), which the goal follows")
        return data

    @model_validator(mode="after")
    def _cross(self) -> ScenarioConfig:
        check_unique([m.name for m in self.municipalities], "municipalities", "name")
        check_unique([m.number for m in self.municipalities], "municipalities", "number")
        check_unique([k.name for k in self.event_kinds], "event_kinds", "name")
        check_unique([p.name for p in self.pools], "pools", "name")
        names = {m.name for m in self.municipalities}
        by_name = {m.name: m for m in self.municipalities}
        for i, k in enumerate(self.event_kinds):
            if k.profile is not None and k.profile not in self.profiles:
                raise ValueError(
                    f"event_kinds.{i}.profile: unknown profile '{k.profile}'; "
                    f"allowed: {sorted(self.profiles)}"
                )
            for j, m in enumerate(k.municipalities or []):
                if m not in names:
                    raise ValueError(
                        f"event_kinds.{i}.municipalities.{j}: unknown municipality '{m}'; "
                        f"allowed: {sorted(names)}"
                    )
            basis = k.rate.basis if k.rate is not None else None
            if basis == RateBasis.per_80plus:
                for m in self.kind_municipalities(k):
                    if by_name[m].population_80plus is None:
                        raise ValueError(
                            f"event_kinds.{i}.rate.basis: per_80plus needs population_80plus "
                            f"for municipality '{m}'"
                        )
            if basis in (RateBasis.per_user, RateBasis.per_device):
                for m in self.kind_municipalities(k):
                    if by_name[m].alarm_users is None:
                        raise ValueError(
                            f"event_kinds.{i}.rate.basis: {basis.value} needs alarm_users "
                            f"for municipality '{m}'"
                        )
        self._check_follow_ups()
        self._check_bursts(names)
        self._check_costs()
        served = {s.category for p in self.pools for s in p.serves}
        for i, k in enumerate(self.event_kinds):
            if k.category not in served:
                raise ValueError(
                    f"event_kinds.{i}.category: no pool serves category '{k.category.value}'"
                )
        for cat in {k.category for k in self.event_kinds}:
            if not any(s.category == cat and s.rule == BackupRule.primary
                       for p in self.pools for s in p.serves):
                raise ValueError(f"pools: no pool serves category '{cat.value}' as primary")
        self._check_scopes(names)
        return self

    def _check_follow_ups(self) -> None:
        kinds = {k.name: k for k in self.event_kinds}
        targets: set[str] = set()
        for i, k in enumerate(self.event_kinds):
            for j, f in enumerate(k.follow_ups):
                for name in f.kinds:
                    if name not in kinds:
                        raise ValueError(f"event_kinds.{i}.follow_ups.{j}.kind: unknown event "
                                         f"kind '{name}'; allowed: {sorted(kinds)}")
                    targets.add(name)
        for i, k in enumerate(self.event_kinds):
            if k.rate is None and k.name not in targets:
                raise ValueError(f"event_kinds.{i}.rate: missing; a kind without a rate must "
                                 "be the follow-up of another kind")
        state: dict[str, int] = {}  # 1 = on the current path, 2 = done

        def visit(name: str, path: list[str]) -> None:
            state[name] = 1
            for f in kinds[name].follow_ups:
                for child in f.kinds:
                    if state.get(child) == 1:
                        i = next(n for n, k in enumerate(self.event_kinds) if k.name == name)
                        ring = [*path, name]
                        ring = [*ring[ring.index(child):], child]
                        raise ValueError(f"event_kinds.{i}.follow_ups: a cycle of follow-ups "
                                         f"({' -> '.join(ring)}); a follow-up may not lead "
                                         "back to its own kind")
                    if state.get(child) is None:
                        visit(child, [*path, name])
            state[name] = 2

        for name in kinds:
            if name not in state:
                visit(name, [])

    def _check_scopes(self, names: set[str]) -> None:
        """Scoped services name known municipalities, and every (category, municipality) that
        can occur has a primary pool serving it."""
        for p, pool in enumerate(self.pools):
            for s, svc in enumerate(pool.serves):
                for j, m in enumerate(svc.municipalities or []):
                    if m not in names:
                        raise ValueError(f"pools.{p}.serves.{s}.municipalities.{j}: unknown "
                                         f"municipality '{m}'; allowed: {sorted(names)}")
        for i, k in enumerate(self.event_kinds):
            for m in sorted(self.kind_origins(k)):
                if not any(s.category == k.category and s.rule == BackupRule.primary
                           and (s.municipalities is None or m in s.municipalities)
                           for p in self.pools for s in p.serves):
                    raise ValueError(
                        f"event_kinds.{i}: no pool serves '{k.category.value}' from "
                        f"municipality '{m}' as primary (check `municipalities` of the pools' "
                        "services)")

    def kind_origins(self, kind: EventKind) -> set[str]:
        """Municipalities whose contacts or tasks of `kind` can occur: its own arrivals,
        storms of it, and follow-ups of the kinds that create it."""
        out: set[str] = set()
        seen: set[str] = set()
        todo = [kind.name]
        by_name = {k.name: k for k in self.event_kinds}
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            k = by_name[name]
            if k.rate is not None:
                out.update(self.kind_municipalities(k))
            out.update(m for b in self.bursts if b.kind == name
                       for m in self.burst_municipalities(b))
            todo += [p.name for p in self.event_kinds
                     if any(name in f.kinds for f in p.follow_ups)]
        return out

    @model_validator(mode="after")
    def _assumptions(self) -> ScenarioConfig:
        # names only: whether each path exists and holds a value inside its range is checked
        # where the ranges are used (respons.config.assumptions.problems), so a what-if
        # beyond a documented range still simulates
        check_unique([a.name for a in self.assumptions], "assumptions", "name")
        return self

    def _check_bursts(self, names: set[str]) -> None:
        check_unique([b.name for b in self.bursts], "bursts", "name")
        kinds = {k.name: k for k in self.event_kinds}
        start = dt.datetime.combine(self.period.start, dt.time())
        end = dt.datetime.combine(self.period.end, dt.time())
        for i, b in enumerate(self.bursts):
            if b.kind not in kinds:
                raise ValueError(f"bursts.{i}.kind: unknown event kind '{b.kind}'; allowed: "
                                 f"{sorted(kinds)}")
            if not start <= b.start < end:
                raise ValueError(f"bursts.{i}.start: {b.start} is outside the period "
                                 f"{self.period.start} to {self.period.end}")
            if b.start + dt.timedelta(seconds=b.duration_s) > end:
                raise ValueError(f"bursts.{i}.duration_s: the storm would run past the end "
                                 f"of the period ({self.period.end}); its contacts after that "
                                 "would be lost")
            for j, m in enumerate(b.municipalities or []):
                if m not in names:
                    raise ValueError(f"bursts.{i}.municipalities.{j}: unknown municipality "
                                     f"'{m}'; allowed: {sorted(names)}")
            if not self.burst_municipalities(b):
                raise ValueError(f"bursts.{i}.municipalities: no municipality sends "
                                 f"'{b.kind}' contacts")

    def _check_costs(self) -> None:
        if self.costs is None:
            return
        pools = {p.name for p in self.pools}
        check_unique([s.name for s in self.costs.services], "costs.services", "name")
        for i, s in enumerate(self.costs.services):
            for j, p in enumerate(s.pools):
                if p not in pools:
                    raise ValueError(f"costs.services.{i}.pools.{j}: unknown pool '{p}'; "
                                     f"allowed: {sorted(pools)}")

    def burst_municipalities(self, burst: Burst) -> list[str]:
        """Municipalities a storm hits (those sending its kind when unspecified)."""
        if burst.municipalities is not None:
            return list(burst.municipalities)
        kind = next(k for k in self.event_kinds if k.name == burst.kind)
        return self.kind_municipalities(kind)

    def kind_municipalities(self, kind: EventKind) -> list[str]:
        """Municipalities that generate `kind` (all sending its category, or for a task its
        home category in TASK_HOME, when unspecified)."""
        if kind.municipalities is not None:
            return list(kind.municipalities)
        cat = TASK_HOME.get(kind.category, kind.category)
        return [m.name for m in self.municipalities if cat in m.services]
