"""The scenario configuration: one nested, frozen pydantic model, the only source of defaults.

Times are seconds unless a field says otherwise; dates are calendar dates in local time and the
simulation clock is seconds since `period.start` 00:00.
"""

from __future__ import annotations

import datetime as dt
import math
from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator, model_validator

from respons.config.assumptions import Assumption, KpiRange
from respons.config.base import (
    INBOUND,
    OUTCOMES,
    WEEKDAYS,
    Category,
    Period,
    SimulatedPeriod,
    _Model,
    local_time,
)
from respons.config.distributions import Deterministic, Distribution
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

#: Bounds of profile weights: relative values, so any scale works, but rescaling to mean 1
#: must stay exact (no overflow of the sum, no underflow of the mean).
MAX_WEIGHT, MIN_TOP_WEIGHT = 1e6, 1e-6
#: No municipality has more inhabitants than this.
MAX_POPULATION = 100_000_000
#: The longest storm, and the longest time to finish waiting work after the period: a year.
MAX_DAYS = 366

# The inbound category whose municipalities a task category comes from when a kind names
# none (walk-ins and call-backs at the legevakt, IT work for technical-service members,
# visits for alarm members).
TASK_HOME = {Category.callback: Category.legevakt, Category.walk_in: Category.legevakt,
             Category.it_work: Category.technical, Category.visit: Category.alarm}

class Profile(_Model):
    """Relative arrival intensity by hour of day and weekday; each is rescaled to mean 1."""

    hourly: list[float] = Field(
        min_length=24, max_length=24, description="24 relative weights, hour 0..23 (>= 0)."
    )
    weekday: list[float] = Field(
        default=[1.0] * 7,
        min_length=7,
        max_length=7,
        description="7 relative weights, Monday..Sunday (>= 0).",
    )

    @field_validator("hourly", "weekday")
    @classmethod
    def _positive(cls, v: list[float]) -> list[float]:
        if any(not 0 <= x <= MAX_WEIGHT for x in v) or max(v) < MIN_TOP_WEIGHT:
            raise ValueError(f"weights must be between 0 and {MAX_WEIGHT:g}, the largest at "
                             f"least {MIN_TOP_WEIGHT:g}")
        return v


class HomeCare(_Model):
    """The municipality's home-care response to a forwarded alarm."""

    dispatch_delay: Distribution = Field(
        default=Deterministic(value=300.0),
        description="From the end of the operator's call to a team leaving, seconds.",
    )
    travel: Distribution = Field(
        default=Deterministic(value=900.0), description="Travel time to the citizen, seconds."
    )
    on_site: Distribution = Field(
        default=Deterministic(value=1800.0), description="Time on site, seconds."
    )
    teams: int | None = Field(
        default=None,
        ge=1,
        le=10_000,
        description="Teams able to respond at once; null = unlimited (no waiting for a team).",
    )


class Municipality(_Model):
    """A member municipality: who it is, when its alarms moved to the centre, its home care."""

    name: str = Field(min_length=1, description="Name, unique.")
    number: str = Field(pattern=r"^\d{4}$", description="Four-digit municipality number (text).")
    population: int = Field(ge=0, le=MAX_POPULATION,
                            description="Inhabitants on 1 January of the year.")
    population_80plus: int | None = Field(default=None, ge=0, le=MAX_POPULATION,
                                          description="Inhabitants 80+.")
    joined: dt.date = Field(description="Date its alarms start arriving at the centre (not "
                            "its legevakt calls, walk-ins and call-backs: the legevakt is "
                            "older than the centre).")
    ramp_up_days: float = Field(
        default=0.0, ge=0, description="Days over which its volume rises linearly to full."
    )
    services: list[Category] = Field(
        default=[Category.alarm, Category.technical],
        description="Categories of contact it sends to the centre (e.g. only 'technical' for a "
        "member buying the IT-technical service alone; 'legevakt' for legevakt members).",
    )
    homecare: HomeCare = Field(default_factory=HomeCare, description="Home-care response.")
    alarm_users: float | None = Field(
        default=None, ge=0,
        description="Safety-alarm users (a planning figure, for rates `per_user` and "
        "`per_device`; growth scenarios may scale it).")
    devices_per_user: float = Field(
        default=1.0, gt=0, description="Devices (alarm unit and sensors) per alarm user.")


class RateBasis(StrEnum):
    per_1000_inhabitants = "per_1000_inhabitants"
    per_80plus = "per_80plus"
    per_municipality = "per_municipality"
    per_user = "per_user"
    per_device = "per_device"


class Rate(_Model):
    """Mean arrivals per year for one municipality, before profile and ramp-up."""

    basis: RateBasis = Field(description="What the yearly value is per.")
    per_year: float = Field(gt=0, description="Arrivals per year per basis unit.")


class Outcomes(_Model):
    """Probabilities of what an answered event ends as; must sum to 1."""

    resolved_by_operator: float = Field(default=1.0, ge=0, le=1)
    homecare: float = Field(default=0.0, ge=0, le=1)
    emergency: float = Field(default=0.0, ge=0, le=1)
    it_technical: float = Field(default=0.0, ge=0, le=1)

    @model_validator(mode="after")
    def _sum(self) -> Outcomes:
        total = sum(self.as_tuple())
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"outcome probabilities must sum to 1, got {total:.6g}")
        return self

    def as_tuple(self) -> tuple[float, ...]:
        return tuple(getattr(self, k) for k in OUTCOMES)



class FollowUp(_Model):
    """Work that an answered contact (or task) creates: a task of another kind that arrives
    `delay` after the parent's handling ends. Whether it happens, which kind and its delay are
    drawn when the parent is generated, from a stream of their own (common random numbers)."""

    when: Literal["answered", "resolved_by_operator", "homecare", "emergency",
                  "it_technical"] = Field(
        default="answered",
        description="The parent's outcome that triggers it; 'answered' = any answered parent "
        "(named `when`, not `on`, which YAML reads as true).")
    probability: float = Field(default=1.0, gt=0, le=1,
                               description="Probability it follows a triggering parent.")
    kind: str | dict[str, float] = Field(
        description="The follow-up's event kind, or alternatives {kind: probability} (summing "
        "to 1; e.g. a remote fix or a site visit).")
    delay: Distribution = Field(
        default=Deterministic(value=0.0),
        description="From the end of the parent's handling to the follow-up arriving, seconds.")

    @field_validator("kind")
    @classmethod
    def _alternatives(cls, v: str | dict[str, float]) -> str | dict[str, float]:
        if isinstance(v, dict):
            if not v:
                raise ValueError("give at least one kind")
            if any(not math.isfinite(p) or p < 0 for p in v.values()):
                raise ValueError("probabilities of the alternatives must be finite and >= 0")
            if abs(sum(v.values()) - 1.0) > 1e-9:
                raise ValueError(f"probabilities of the alternatives must sum to 1, got "
                                 f"{sum(v.values()):.6g}")
        return v

    @property
    def kinds(self) -> dict[str, float]:
        """The alternatives as {kind: probability}."""
        return {self.kind: 1.0} if isinstance(self.kind, str) else dict(self.kind)


class EventKind(_Model):
    """A kind of contact or task: its stream, urgency, handling and outcome. A kind without a
    `rate` arrives only as a follow-up of another kind."""

    name: str = Field(min_length=1, description="Name, unique (e.g. 'button', 'battery').")
    category: Category = Field(description="alarm, technical or legevakt (inbound contacts); "
                               "callback, walk_in, it_work or visit (tasks).")
    priority: int = Field(ge=0, le=9, description="0 = most urgent; queue is priority then FCFS.")
    rate: Rate | None = Field(
        default=None, description="Yearly arrival rate per municipality; null = arrives only as "
        "a follow-up.")
    municipalities: list[str] | None = Field(
        default=None,
        description="Municipalities that generate it; null = all whose `services` include "
        "this kind's category (for a task category: its home category, e.g. legevakt for "
        "walk-ins and call-backs, technical for IT work, alarm for visits).",
    )
    profile: str | None = Field(default=None, description="Name of the hour x weekday profile "
                                "in `profiles` (needed with a `rate`).")
    talk: Distribution = Field(description="Talk (handling) time, seconds.")
    wrap_up: Distribution = Field(
        default=Deterministic(value=0.0), description="After-call work, seconds."
    )
    outcomes: Outcomes = Field(default_factory=Outcomes, description="Outcome probabilities.")
    forward_extra: Distribution = Field(
        default=Deterministic(value=0.0),
        description="Extra operator time when forwarded (home care, emergency, IT), seconds.",
    )
    follow_ups: list[FollowUp] = Field(
        default=[], description="Tasks an answered one creates (IT work order, home-care visit, "
        "nurse call-back).")
    deadline_s: float | None = Field(
        default=None, gt=0,
        description="Should be done within this time of the origin's arrival (the contact that "
        "started the chain, or the task itself), seconds; null = no deadline.")
    travel: Distribution | Literal["municipality"] | None = Field(
        default=None,
        description="One-way travel to the site, seconds; the worker is busy travelling there, "
        "`talk` + `wrap_up` on site, and back. 'municipality' = the municipality's "
        "`homecare.travel`; null = no travel.")

    @model_validator(mode="after")
    def _arrives(self) -> EventKind:
        if self.rate is not None and self.profile is None:
            raise ValueError("profile: missing; a kind with a `rate` needs an arrival profile")
        return self


class Unanswered(_Model):
    """What a waiting event does if not answered within its patience."""

    policy: Literal["keep_waiting", "reroute", "abandon"] = Field(
        default="keep_waiting",
        description="keep_waiting; reroute (to a secondary receiver); abandon (caller hangs up).",
    )
    patience: Distribution | None = Field(
        default=None, description="Time until reroute/abandon, seconds (needed unless waiting)."
    )

    @model_validator(mode="after")
    def _patience(self) -> Unanswered:
        if self.policy != "keep_waiting" and self.patience is None:
            raise ValueError(f"policy '{self.policy}' needs a patience distribution")
        return self


class CostService(_Model):
    """A service whose staffing cost is shared by its member municipalities."""

    name: str = Field(min_length=1, description="Name, e.g. 'answer_service'.")
    pools: list[str] = Field(min_length=1, description="Pools whose rostered hours it pays.")
    flat_share: float = Field(
        ge=0, le=1, description="Share split equally between members (rest by population)."
    )
    category: Category = Field(
        description="Members are the municipalities sending this category of contact."
    )
    hourly_cost_nok: float = Field(gt=0, description="Cost per rostered hour of its pools, NOK.")


class Costs(_Model):
    """Staff cost and its allocation keys (seed-facts.md §2.12: answer service 15 % flat / 85 %
    by population, IT-technical 41 % / 59 %), pro rata by days of membership."""

    services: list[CostService] = Field(min_length=1, description="Services to allocate.")


class Burst(_Model):
    """A storm: `count` contacts of one kind within `duration_s` (e.g. a power outage raising
    'lost connection' alerts), spread over municipalities by population."""

    name: str = Field(min_length=1, description="Name, unique; names its random stream.")
    kind: str = Field(description="Event kind of the contacts.")
    start: dt.datetime = Field(description="Local date and time the storm starts (a time "
                               "with a UTC offset is converted to Europe/Oslo).")
    duration_s: float = Field(gt=0, le=MAX_DAYS * 86400, description="Length of the storm, "
                              "seconds.")
    count: int = Field(ge=1, le=1_000_000, description="Contacts raised by the storm.")
    municipalities: list[str] | None = Field(
        default=None, description="Affected municipalities; null = all sending the kind."
    )


    @field_validator("start")
    @classmethod
    def _local(cls, v: dt.datetime) -> dt.datetime:
        return local_time(v)


class Goal(_Model):
    """The answer goal the verdict is judged on: `share` of the offered alarms answered within
    `within_s` seconds (rerouted or unanswered alarms count as misses), optionally with goals
    for other categories judged at the same limit. A goal is a decision of the centre, never
    a default: commands that need one and find none in the config ask for it (`--goal`,
    `--within`). `within_s` and the config's `target_s` are one limit: give either."""

    share: float = Field(gt=0, le=1, description="Share of alarms to answer within the limit.")
    within_s: float = Field(gt=0, le=86400, description="Answer-time limit, seconds "
                            "(the config's `target_s`; filled in from it when left out).")
    categories: dict[Category, float] = Field(
        default={}, description="Shares for other categories (technical, legevakt), judged at "
        "the same limit, optional.")

    @field_validator("categories")
    @classmethod
    def _others(cls, v: dict[Category, float]) -> dict[Category, float]:
        if Category.alarm in v:
            raise ValueError("the alarm goal is `goal.share`; list only other categories here")
        for cat, share in v.items():
            if not 0 < share <= 1:
                raise ValueError(f"{cat.value}: a share must be in (0, 1], got {share}")
        return v

    def share_for(self, category: Category) -> float | None:
        """The goal share for `category` (None when it has none)."""
        return self.share if category == Category.alarm else self.categories.get(category)


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
        if _real(within) and _real(target) and float(within) != float(target):
            raise ValueError(f"goal.within_s ({within:g}) differs from target_s ({target:g}): "
                             "they are one limit; set one of them")
        return data

    @model_validator(mode="after")
    def _cross(self) -> ScenarioConfig:
        _unique([m.name for m in self.municipalities], "municipalities", "name")
        _unique([m.number for m in self.municipalities], "municipalities", "number")
        _unique([k.name for k in self.event_kinds], "event_kinds", "name")
        _unique([p.name for p in self.pools], "pools", "name")
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
        _unique([a.name for a in self.assumptions], "assumptions", "name")
        return self

    def _check_bursts(self, names: set[str]) -> None:
        _unique([b.name for b in self.bursts], "bursts", "name")
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
        _unique([s.name for s in self.costs.services], "costs.services", "name")
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


def _real(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _unique(values: list[str], field: str, key: str) -> None:
    seen: set[str] = set()
    for i, v in enumerate(values):
        if v in seen:
            raise ValueError(f"{field}.{i}.{key}: '{v}' appears more than once; must be unique")
        seen.add(v)
