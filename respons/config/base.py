"""Building blocks shared by the config modules: the strict frozen base model, contact
categories, outcomes and calendar periods."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Category(StrEnum):
    """What stream an event belongs to; decides which pools may answer it."""

    alarm = "alarm"
    technical = "technical"
    legevakt = "legevakt"


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


