"""The shift catalogue of `roster`: which shifts may be worked (start times, lengths, weekdays,
limits) and what an hour on duty costs (hourly pay, supplements for evenings, nights and
weekends, employer costs). Shipped catalogues live in `respons/data/shifts/` (`configs/shifts/`);
`python -m respons schema --shifts` prints this model's JSON schema.

A catalogue expands into shift *options*: one per (pattern, start time, length, weekday), each
covering whole 30-minute slots of the week (slot k = weekday x 48 + half-hour of the day).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field, ValidationError, field_validator, model_validator

from respons.config.base import WEEKDAYS, _Model
from respons.config.loading import read_mapping
from respons.errors import UserError, describe_validation

SLOT_MIN = 30
SLOTS_PER_DAY = 24 * 60 // SLOT_MIN
SLOTS_PER_WEEK = 7 * SLOTS_PER_DAY
MAX_OPTIONS = 20_000  # keeps the integer programme small enough to solve in seconds
DEFAULT_CATALOGUE = "ks-flex"
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _minutes(v: object, what: str) -> int:
    """Minutes after midnight of 'HH:MM' (YAML 1.1 reads an unquoted 16:00 as 960)."""
    if isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 24 * 60:
        return v
    m = _HHMM.match(str(v))
    if not m or (m.group(1) == "24" and m.group(2) != "00"):
        raise ValueError(f"{what} '{v}' is not a time HH:MM between 00:00 and 24:00")
    return int(m.group(1)) * 60 + int(m.group(2))


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class _Times(_Model):
    @field_validator("start", "end", "first", "last", mode="before", check_fields=False)
    @classmethod
    def _hhmm(cls, v: object) -> str:
        return _clock(_minutes(v, "time"))


class Supplement(_Times):
    """Extra pay per hour worked inside a weekly window: the larger of `nok_per_hour` and
    `share_of_pay` x the hourly pay (the KS form 'at least 25 %, at least NOK 70')."""

    name: str = Field(min_length=1, description="Name, e.g. 'evening', 'night', 'weekend'.")
    days: list[Weekday] = Field(default=list(WEEKDAYS), min_length=1,
                                description="Weekdays the window starts on.")
    start: str = Field(description="Window start, HH:MM.")
    end: str = Field(description="Window end, HH:MM; at or before start means the next day "
                     "(00:00-24:00 is the whole day).")
    nok_per_hour: float = Field(default=0.0, ge=0, description="Fixed supplement, NOK/hour.")
    share_of_pay: float = Field(default=0.0, ge=0, le=5,
                                description="Supplement as a share of the hourly pay.")

    @model_validator(mode="after")
    def _something(self) -> Supplement:
        if self.nok_per_hour == 0 and self.share_of_pay == 0:
            raise ValueError("a supplement needs nok_per_hour or share_of_pay above 0")
        return self


class Pay(_Model):
    """What an hour on duty costs the employer."""

    hourly_nok: float = Field(gt=0, le=100_000, description="Basic hourly pay, NOK.")
    employer_cost_share: float = Field(
        ge=0, le=2, description="Employer costs (pension, payroll tax) as a share of pay and "
        "supplements.")
    supplements: list[Supplement] = Field(default=[], description="Inconvenient-hours pay.")


class StartRange(_Times):
    """Start times from `first` to `last` (inclusive) every `every_min` minutes."""

    first: str = Field(description="First start time, HH:MM.")
    last: str = Field(description="Last start time, HH:MM.")
    every_min: int = Field(default=SLOT_MIN, ge=SLOT_MIN, le=24 * 60,
                           description="Minutes between start times (a multiple of 30).")

    @model_validator(mode="after")
    def _order(self) -> StartRange:
        if self.every_min % SLOT_MIN:
            raise ValueError(f"every_min must be a multiple of {SLOT_MIN}")
        if _minutes(self.last, "last") < _minutes(self.first, "first"):
            raise ValueError(f"last ({self.last}) is before first ({self.first})")
        return self

    def minutes(self) -> list[int]:
        return list(range(_minutes(self.first, "first"), _minutes(self.last, "last") + 1,
                          self.every_min))


class Pattern(_Model):
    """A family of shifts: every combination of its start times, lengths and weekdays may be
    rostered, with any whole number of people (up to `max_people`)."""

    name: str = Field(min_length=1, description="Name, unique, e.g. 'day' or 'night'.")
    starts: list[str] | StartRange = Field(
        description="Start times: a list of HH:MM, or {first, last, every_min}; on the half "
        "hour.")
    hours: list[float] = Field(min_length=1, description="Allowed lengths, hours (multiples of "
                               "0.5, from 1 to 16).")
    days: list[Weekday] = Field(default=list(WEEKDAYS), min_length=1,
                                description="Weekdays the shift may start on.")
    max_people: int | None = Field(default=None, ge=1, le=1000,
                                   description="Most people on one such shift; null = no limit.")
    part_time: bool = Field(default=False, description="Counts towards `max_part_time_share` "
                            "(e.g. short peak shifts worked by part-time staff).")

    @field_validator("starts", mode="before")
    @classmethod
    def _start_list(cls, v: object) -> object:
        if isinstance(v, list):
            return [_clock(_minutes(x, "start")) for x in v]
        return v

    @field_validator("starts")
    @classmethod
    def _starts(cls, v: list[str] | StartRange) -> list[str] | StartRange:
        minutes = v.minutes() if isinstance(v, StartRange) else [_minutes(x, "start") for x in v]
        if not minutes:
            raise ValueError("at least one start time is needed")
        bad = [_clock(m) for m in minutes if m % SLOT_MIN or m >= 24 * 60]
        if bad:
            raise ValueError(f"start {bad[0]} is not on the half hour before 24:00")
        if len(set(minutes)) != len(minutes):
            raise ValueError("start times must not repeat")
        return v

    @field_validator("hours")
    @classmethod
    def _hours(cls, v: list[float]) -> list[float]:
        for h in v:
            if not 1 <= h <= 16 or (h * 60) % SLOT_MIN:
                raise ValueError(f"a length of {h:g} h is not a multiple of 0.5 h from 1 to 16")
        if len(set(v)) != len(v):
            raise ValueError("lengths must not repeat")
        return v

    @field_validator("days")
    @classmethod
    def _days(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("days must not repeat")
        return v

    def start_minutes(self) -> list[int]:
        s = self.starts
        return s.minutes() if isinstance(s, StartRange) else [_minutes(x, "start") for x in s]


class ShiftCatalogue(_Model):
    """The shifts a rota may use and their cost (the input of `respons roster --shifts`)."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="Name.")
    description: str = Field(default="", description="One line saying what it is.")
    source: str = Field(default="", description="Where the pay figures come from, and which "
                        "are assumptions (with their ranges).")
    pay: Pay = Field(description="Hourly pay, supplements, employer costs.")
    patterns: list[Pattern] = Field(min_length=1, description="The shift families.")
    max_part_time_share: float | None = Field(
        default=None, ge=0, le=1, description="Most share of rostered hours in `part_time` "
        "patterns; null = no limit.")

    @model_validator(mode="after")
    def _unique(self) -> ShiftCatalogue:
        names = [p.name for p in self.patterns]
        for i, n in enumerate(names):
            if n in names[:i]:
                raise ValueError(f"patterns.{i}.name: '{n}' appears more than once")
        count = sum(len(p.start_minutes()) * len(p.hours) * len(p.days) for p in self.patterns)
        if count > MAX_OPTIONS:
            raise ValueError(f"patterns: {count:,} shift options (starts x lengths x days) are "
                             f"more than the {MAX_OPTIONS:,} the roster search handles; use "
                             "fewer start times or lengths")
        return self

    @cached_property
    def slot_cost(self) -> np.ndarray:
        """Employer cost of one person on duty in each 30-minute slot of the week, NOK."""
        pay = self.pay
        extra = np.zeros(SLOTS_PER_WEEK)
        for s in pay.supplements:
            per_hour = max(s.nok_per_hour, s.share_of_pay * pay.hourly_nok)
            extra[window_slots(s.days, _minutes(s.start, "start"), _minutes(s.end, "end"))] \
                += per_hour
        return (pay.hourly_nok + extra) * (1 + pay.employer_cost_share) * SLOT_MIN / 60

    def options(self) -> list[ShiftOption]:
        """Every shift the catalogue allows, in a fixed order."""
        out = []
        for p in self.patterns:
            for day in p.days:
                for start in p.start_minutes():
                    for h in p.hours:
                        out.append(ShiftOption(p.name, WEEKDAYS.index(day), start,
                                               int(round(h * 60)), p.max_people, p.part_time))
        return out


def window_slots(days: list[str], start: int, end: int) -> np.ndarray:
    """Slots of the week inside a daily window [start, end) (minutes; end <= start wraps)."""
    length = (end - start) % (24 * 60) or 24 * 60
    first, n = start // SLOT_MIN, -(-length // SLOT_MIN)
    out = [(WEEKDAYS.index(d) * SLOTS_PER_DAY + first + i) % SLOTS_PER_WEEK
           for d in days for i in range(n)]
    return np.unique(np.asarray(out, dtype=np.int64))


@dataclass(frozen=True)
class ShiftOption:
    """One shift that may be rostered: a pattern's start and length on one weekday."""

    pattern: str
    weekday: int  # 0 = Monday
    start_min: int
    length_min: int
    max_people: int | None
    part_time: bool

    @property
    def slots(self) -> np.ndarray:
        """The 30-minute slots of the week it covers (wrapping from Sunday into Monday)."""
        first = self.weekday * SLOTS_PER_DAY + self.start_min // SLOT_MIN
        return (first + np.arange(self.length_min // SLOT_MIN)) % SLOTS_PER_WEEK

    @property
    def hours(self) -> float:
        return self.length_min / 60

    @property
    def start(self) -> str:
        return _clock(self.start_min)

    @property
    def end(self) -> str:
        return _clock((self.start_min + self.length_min) % (24 * 60))

    @property
    def day(self) -> str:
        return WEEKDAYS[self.weekday]


def builtin_catalogues() -> list[str]:
    """Names of the catalogues shipped in `respons/data/shifts/`."""
    folder = resources.files("respons.data").joinpath("shifts")
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir()
                  if p.name.endswith(".yaml"))


def load_catalogue(spec: str | Path | None) -> tuple[ShiftCatalogue, str]:
    """A catalogue from a file, or a built-in name (default: ks-flex); and where it came from.
    Every problem is a UserError naming the file and field."""
    spec = DEFAULT_CATALOGUE if spec is None else spec
    path = Path(spec)
    if not path.exists() and str(spec) in builtin_catalogues():
        source = f"the built-in shift catalogue {spec}"
        text = resources.files("respons.data").joinpath("shifts", f"{spec}.yaml")
        from respons.config.loading import parse_mapping

        data = parse_mapping(text.read_text("utf-8"), source)
    else:
        if not path.exists():
            raise UserError(f"--shifts {spec}: no such file and no built-in shift catalogue of "
                            f"that name; built-in: {builtin_catalogues()}.")
        source = str(path)
        try:
            data = read_mapping(path)
        except UserError as e:
            raise UserError(str(e).replace("config", "shift catalogue", 1)) from None
    try:
        return ShiftCatalogue.model_validate(data), source
    except ValidationError as e:
        raise UserError(describe_validation(e, source).replace(
            "invalid configuration", "invalid shift catalogue", 1)) from None
