"""Building blocks shared by the config modules: the strict frozen base model, contact
categories, outcomes and calendar periods."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


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


