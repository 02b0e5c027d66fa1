"""Building blocks shared by the config modules: the strict frozen base model, contact
categories, outcomes, calendar periods and local time.

Every config model is strict: unknown fields, `.inf`/`.nan` and numbers beyond any physical
meaning (MAX_NUMBER) are refused at validation, each on its own field.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: The centre's time zone: dates and clock times in configs and event logs are local time.
LOCAL_TZ = ZoneInfo("Europe/Oslo")
#: No number in a config (seconds, rates, weights, costs) means anything beyond this; the bound
#: also keeps every sum and product of config numbers finite.
MAX_NUMBER = 1e9
#: Whole numbers (counts, seeds) must fit in 64 bits.
MAX_INT = 2**63 - 1
#: Calendar dates the model accepts (a period, a join date, a storm).
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2200, 1, 1)
#: Longest simulated period: ten years (memory and time grow with it).
MAX_PERIOD_DAYS = 3653


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False,
                              defer_build=True)

    @field_validator("*", mode="after")
    @classmethod
    def _bounded(cls, value: Any, info: ValidationInfo) -> Any:
        """Every number (also inside lists and mappings) is finite and of sensible size."""
        for i, x in _numbers(value):
            where = "" if i is None else f" (entry {i!r})"
            if isinstance(x, float) and not abs(x) <= MAX_NUMBER:
                raise ValueError(f"must be a finite number of at most {MAX_NUMBER:g} in size, "
                                 f"got {x:g}{where}")
            if isinstance(x, int) and not abs(x) <= MAX_INT:
                raise ValueError(f"must be a whole number of at most 2^63 - 1{where}")
            if isinstance(x, dt.date) and not FIRST_DATE <= _day(x) <= LAST_DATE:
                raise ValueError(f"must be a date between {FIRST_DATE} and {LAST_DATE}, got "
                                 f"{x}{where}")
        return value


def _numbers(value: Any) -> list[tuple[Any, Any]]:
    """(index or key, item) of the numbers and dates in a field value, one level deep."""
    if isinstance(value, float | int | dt.date) and not isinstance(value, bool):
        return [(None, value)]
    if isinstance(value, list | tuple):
        items = list(enumerate(value))
    elif isinstance(value, dict):
        items = list(value.items())
    else:
        return []
    return [(k, v) for k, v in items
            if isinstance(v, float | int | dt.date) and not isinstance(v, bool)]


def _day(x: dt.date) -> dt.date:
    return x.date() if isinstance(x, dt.datetime) else x


def local_time(value: dt.datetime) -> dt.datetime:
    """A naive local (Europe/Oslo) wall-clock time: an aware time is converted, a naive one
    is taken as local already."""
    if value.tzinfo is None:
        return value
    return value.astimezone(LOCAL_TZ).replace(tzinfo=None)


class Category(StrEnum):
    """What stream an event belongs to; decides which pools may answer it. The first three are
    inbound contacts (calls and alerts); the others are tasks: work that is not an inbound call
    (a nurse's call-back, a patient at the legevakt desk, IT work, a home-care visit)."""

    alarm = "alarm"
    technical = "technical"
    legevakt = "legevakt"
    callback = "callback"
    walk_in = "walk_in"
    it_work = "it_work"
    visit = "visit"


INBOUND = (Category.alarm, Category.technical, Category.legevakt)


OUTCOMES = ("resolved_by_operator", "homecare", "emergency", "it_technical")


class Period(_Model):
    """A calendar interval [start, end) in whole days."""

    start: dt.date = Field(description="First day (inclusive).")
    end: dt.date = Field(description="Day after the last day (exclusive).")

    @model_validator(mode="after")
    def _order(self) -> Period:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days


class SimulatedPeriod(Period):
    """The simulated calendar period [start, end): at most MAX_PERIOD_DAYS long."""

    @model_validator(mode="after")
    def _length(self) -> SimulatedPeriod:
        if self.days > MAX_PERIOD_DAYS:
            raise ValueError(f"end: the period is {self.days} days long; at most "
                             f"{MAX_PERIOD_DAYS} (ten years) can be simulated")
        return self
