"""Staff side of the configuration: pools, their rosters (shifts) and the rules by which they
answer each category of contact. Part of the one config model in respons.config."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator, model_validator

from respons.config.base import WEEKDAYS, Category, Period, _Model

_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
WEEK = 7 * 86400


class BackupRule(StrEnum):
    primary = "primary"
    all_busy = "all_busy"
    after_wait = "after_wait"


class Service(_Model):
    """A category a pool answers, and under which rule."""

    category: Category
    rule: BackupRule = Field(
        default=BackupRule.primary,
        description="primary; all_busy = only when no primary staff is free; "
        "after_wait = only once the event has waited `after_s`.",
    )
    after_s: float = Field(default=0.0, ge=0, description="Wait before backup may answer, s.")
    unavailable: list[Period] = Field(
        default=[], description="Date ranges when this pool does not answer this category."
    )
    municipalities: list[str] | None = Field(
        default=None,
        description="Only contacts and tasks from these municipalities (e.g. a municipality's "
        "home-care team serving its own visits); null = from all.",
    )
    interruptible: bool = Field(
        default=False,
        description="This pool's work on this category may be interrupted by a more urgent "
        "contact of a category the pool serves with `interrupts: true` (pre-emptive resume: "
        "the interrupted task goes back to the front of its queue with its remaining work).",
    )
    interrupts: bool = Field(
        default=False,
        description="Contacts of this category interrupt this pool's interruptible work when "
        "nobody is free and the contact is more urgent (lower priority number), e.g. the phone "
        "interrupting walk-ins at a legevakt.",
    )

    @model_validator(mode="after")
    def _rule(self) -> Service:
        if self.rule != BackupRule.after_wait and self.after_s != 0:
            raise ValueError("after_s is only used with rule 'after_wait'")
        if self.interruptible and self.interrupts:
            raise ValueError("a category cannot both interrupt and be interruptible in one "
                             "pool: set one of `interrupts` and `interruptible`")
        return self

    @property
    def delay_s(self) -> float:
        return self.after_s if self.rule == BackupRule.after_wait else 0.0


class Shift(_Model):
    """Staff on duty on given weekdays between two clock times (end <= start crosses midnight)."""

    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(
        default=list(WEEKDAYS), min_length=1, description="Weekdays the shift starts on."
    )
    start: str = Field(description="Start, HH:MM.")
    end: str = Field(description="End, HH:MM; at or before start means the next day.")
    staff: int = Field(ge=1, le=1000, description="People on this shift.")
    dates: list[Period] = Field(
        default=[],
        description="Only on days within these date ranges (by the day the shift starts), e.g. "
        "extra staffing for a period; empty = every week of the run.",
    )

    @field_validator("start", "end", mode="before")
    @classmethod
    def _sexagesimal(cls, v: object) -> object:
        """YAML 1.1 reads an unquoted 16:00 as the base-60 integer 960: turn it back."""
        if isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 24 * 60:
            return f"{v // 60:02d}:{v % 60:02d}"
        return v

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        m = _HHMM.match(v)
        if not m or (m.group(1) == "24" and m.group(2) != "00"):
            raise ValueError(f"'{v}' is not a time HH:MM between 00:00 and 24:00")
        return v

    @model_validator(mode="after")
    def _not_empty(self) -> Shift:
        if self.seconds(self.start) % 86400 == self.seconds(self.end) % 86400 and not (
            self.start == "00:00" and self.end == "24:00"
        ):
            raise ValueError(f"start and end are the same time ({self.start}-{self.end}): an "
                             "empty shift; write 00:00-24:00 for a shift around the clock")
        return self

    def runs_on(self, day: dt.date) -> bool:
        """Whether the shift may start on `day` (its `dates`; weekdays are checked apart)."""
        return not self.dates or any(p.start <= day < p.end for p in self.dates)

    def dates_meet(self, other: Shift) -> bool:
        """Whether this shift and `other` can run on a common day (both undated, or date
        ranges that intersect)."""
        if not self.dates or not other.dates:
            return True
        return any(a.start < b.end and b.start < a.end for a in self.dates for b in other.dates)

    def week_intervals(self) -> list[tuple[int, int]]:
        """[start, end) in seconds from Monday 00:00, one per weekday (may pass WEEK)."""
        s, e = self.span_s
        return [(WEEKDAYS.index(d) * 86400 + s, WEEKDAYS.index(d) * 86400 + e) for d in self.days]

    @field_validator("days")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("days must not repeat")
        return v

    @staticmethod
    def seconds(hhmm: str) -> int:
        h, m = hhmm.split(":")
        return int(h) * 3600 + int(m) * 60

    @property
    def span_s(self) -> tuple[int, int]:
        """Start and end as seconds after the start day's midnight (end > start)."""
        s, e = self.seconds(self.start), self.seconds(self.end)
        return s, (e if e > s else e + 86400)


class Role(StrEnum):
    operator = "operator"
    lead = "lead"
    nurse = "nurse"
    it = "it"
    homecare = "homecare"


class Pool(_Model):
    """A group of interchangeable staff with a roster and the categories they answer."""

    name: str = Field(min_length=1, description="Name, unique.")
    role: Role = Field(description="operator, lead (fagansvarlig), nurse (legevakt), it or "
                       "homecare (a municipality's home-care team).")
    serves: list[Service] = Field(min_length=1, description="Categories answered, with rules.")
    shifts: list[Shift] = Field(min_length=1, description="The weekly roster.")
    sickness_absence: float = Field(
        default=0.0, ge=0, lt=1, description="Probability a rostered person is absent a shift."
    )
    speed_factor: float = Field(
        default=1.0, gt=0, description="Multiplies handling times (1 = as configured)."
    )
    shift_change: Literal["netted", "at_once"] = Field(
        default="netted",
        description="What happens when shifts change while people are busy. netted: arrivals "
        "and departures at the same instant are netted, so a person coming on duty starts only "
        "when a leaving person's call ends; at_once: the whole new shift starts at once and "
        "each leaver finishes the call in hand, then leaves.",
    )

    @model_validator(mode="after")
    def _no_overlap(self) -> Pool:
        """Shifts of one pool may not overlap (where their `dates` meet): more people at once
        is `staff`, and a staggered shift pattern is a second pool with the same role."""
        spans = []
        for i, shift in enumerate(self.shifts):
            for s, e in shift.week_intervals():
                spans += [(s, e, i), (s - WEEK, e - WEEK, i), (s + WEEK, e + WEEK, i)]
        spans.sort()
        for k, (_s1, e1, i) in enumerate(spans):
            for s2, _e2, j in spans[k + 1:]:
                if s2 >= e1:
                    break
                if i != j and self.shifts[i].dates_meet(self.shifts[j]):
                    a, b = sorted((i, j))
                    raise ValueError(
                        f"shifts.{b}: overlaps shifts.{a} on the same weekday "
                        f"({self.shifts[a].start}-{self.shifts[a].end} and "
                        f"{self.shifts[b].start}-{self.shifts[b].end}); raise `staff` instead, "
                        "or use a second pool for staggered shifts")
        return self

    @model_validator(mode="after")
    def _interruptions(self) -> Pool:
        """`interrupts` needs interruptible work in the same pool, and the other way round."""
        stop = [k for k, s in enumerate(self.serves) if s.interruptible]
        go = [k for k, s in enumerate(self.serves) if s.interrupts]
        if stop and not go:
            raise ValueError(f"serves.{stop[0]}.interruptible: no category of this pool "
                             "interrupts it; set `interrupts: true` on the phone category")
        if go and not stop:
            raise ValueError(f"serves.{go[0]}.interrupts: the pool has no interruptible work; "
                             "set `interruptible: true` on a task category")
        return self

    @field_validator("serves")
    @classmethod
    def _unique_categories(cls, v: list[Service]) -> list[Service]:
        cats = [s.category for s in v]
        if len(set(cats)) != len(cats):
            raise ValueError("a category may appear only once in serves")
        return v


