"""What arrives at the centre: arrival profiles, municipalities and their home care, event
kinds with their rates, outcomes and follow-up tasks, storms, and what an unanswered contact
does. Part of the one scenario model (respons.config.scenario)."""

from __future__ import annotations

import datetime as dt
import math
from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator, model_validator

from respons.config.base import (
    OUTCOMES,
    Category,
    _Model,
    local_time,
)
from respons.config.distributions import Deterministic, Distribution

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


def is_number(x: object) -> bool:
    """A real number (not a bool)."""
    return isinstance(x, int | float) and not isinstance(x, bool)


def check_unique(values: list[str], field: str, key: str) -> None:
    """Raise a ValueError naming `field.i.key` where a value repeats."""
    seen: set[str] = set()
    for i, v in enumerate(values):
        if v in seen:
            raise ValueError(f"{field}.{i}.{key}: '{v}' appears more than once; must be unique")
        seen.add(v)
