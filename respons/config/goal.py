"""How a run is judged and priced: the answer goal and the staff costs with their allocation
keys. Part of the one scenario model (respons.config.scenario)."""

from __future__ import annotations

from pydantic import Field, field_validator

from respons.config.base import (
    Category,
    _Model,
)


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
