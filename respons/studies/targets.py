"""The published 2019/2020 figures the model is checked against, with their bands and roles.

A figure is *fitted* when an input was tuned to reproduce it (`calibrate`): inside its band it
says only that the fit is current. It is *predicted* when no input was tuned to it: its band is
stated here, with the reason, before the model is compared, and a miss is reported, never
hidden by widening the band.

Sources: seed-facts.md §0 and §2.11 (Værnes Respons key figures, 001_c7a23a0595bff2be.txt:
2371-2382), §2.12 (accounts, 2054-2299), §3.4 (legevakt calls, 1499-1533).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Role = Literal["fitted", "predicted"]


@dataclass(frozen=True)
class Target:
    """One published figure: which KPI reproduces it, its value, the band and its role."""

    year: int
    figure: str
    kpi: str
    published: float
    band: float
    band_kind: Literal["relative", "absolute", "exact"]
    role: Role = "fitted"
    reason: str = ""

    def bounds(self) -> tuple[float, float]:
        if self.band_kind == "relative":
            return self.published * (1 - self.band), self.published * (1 + self.band)
        if self.band_kind == "absolute":
            return self.published - self.band, self.published + self.band
        return self.published, self.published

    def inside(self, value: float) -> bool:
        lo, hi = self.bounds()
        return lo - 1e-9 <= value <= hi + 1e-9

    def band_text(self) -> str:
        if self.band_kind == "relative":
            return f"±{100 * self.band:g} %"
        if self.band_kind == "absolute":
            return f"±{100 * self.band:g} pp"
        return "exact"


_VOLUME = "alarm rates per inhabitant 80+ scaled to it (2020); go-live date bisected to it (2019)"
_SHARE = "every kind's resolved probability shifted by one amount to it"
_MEMBERS = ("the member list is an input (the accounts' rows and join dates, seed-facts.md "
            "§2.5; the sixth 2019 member inferred from this count)")


def _year(y: int, alarms: float, resolved: float, tech: float, tech_resolved: float,
          municipalities: int) -> list[Target]:
    return [
        Target(y, "safety alarms answered", "alarms_answered", alarms, 0.03, "relative",
               reason=_VOLUME),
        Target(y, "share resolved by operator", "alarms_resolved_by_operator_share",
               resolved, 0.02, "absolute", reason=_SHARE),
        Target(y, "technical alerts", "technical_alerts", tech, 0.05, "relative",
               reason="technical rates per 1,000 inhabitants scaled to it"),
        Target(y, "technical alerts resolved by operator",
               "technical_resolved_by_operator_share", tech_resolved, 0.02, "absolute",
               reason=_SHARE),
        Target(y, "municipalities connected", "municipalities_connected", municipalities, 0,
               "exact", reason=_MEMBERS),
    ]


TARGETS: tuple[Target, ...] = (
    *_year(2019, 5662, 0.60, 867, 0.68, 6),
    *_year(2020, 36150, 0.45, 4200, 0.80, 11),
    Target(2020, "legevakt phone calls answered within 120 s",
           "legevakt_calls_within_target_share", 0.98, 0.015, "absolute",
           reason="the legevakt talk-time mean is fitted to it by simulation"),
)


def for_year(year: int) -> list[Target]:
    return [t for t in TARGETS if t.year == year]


# ---- published figures behind the predictions (respons/studies/predictions.py) ----

# The go-live month of each 2020 newcomer (seed-facts.md §2.5): the sources give the month,
# not the day, so the model's split of the 2020 costs may come from any day in it.
GO_LIVE_2020: dict[str, tuple[dt.date, dt.date]] = {
    "Melhus": (dt.date(2020, 1, 1), dt.date(2020, 1, 31)),
    "Levanger": (dt.date(2020, 6, 1), dt.date(2020, 6, 30)),
    "Verdal": (dt.date(2020, 6, 1), dt.date(2020, 6, 30)),
    "Skaun": (dt.date(2020, 10, 1), dt.date(2020, 11, 30)),
    "Midtre Gauldal": (dt.date(2020, 10, 1), dt.date(2020, 11, 30)),
}

# Answer-service cost to distribute, NOK 1,000 (seed-facts.md §2.12 Table A): 2019 actual,
# 2020 actual and 2020 budget.
ANSWER_SERVICE_KNOK = {"2019": 1611.0, "2020": 5069.0, "2020_budget": 3940.0}

# Legevakt calls on 116 117 by member municipality (seed-facts.md §3.4; 001:1499-1517). The
# calls on other lines (10,132 in 2019, 10,792 in 2020) cannot be assigned to a municipality.
LEGEVAKT_116117: dict[int, dict[str, int]] = {
    2018: {"Meråker": 986, "Selbu": 1381, "Stjørdal": 10690, "Tydal": 289},
    2019: {"Meråker": 854, "Selbu": 1165, "Stjørdal": 9280, "Tydal": 314},
    2020: {"Meråker": 1119, "Selbu": 1193, "Stjørdal": 12124, "Tydal": 280},
}

# Bands of the predictions, each with its reason, fixed before comparing.
LOYO_BAND = 0.15
LOYO_REASON = (
    "Leave one year out: the other year's fitted technical-alert rate per 1,000 inhabitants, "
    "applied to this year's members, populations and go-live dates (expected value). What "
    "changed between the years and is not in the model: 2019 was the start-up year with new "
    "equipment, and 2020 had the Covid-19 lockdown. Band ±15 %: the sources' only "
    "year-on-year change of a per-inhabitant contact rate outside Covid, the legevakt's "
    "116 117 calls 2018-2019, is -13 % (seed-facts.md §3.4)")
COST_SPLIT_REASON = (
    "The 2020 totals are fitted (hourly costs derived from the accounts), the split is not: "
    "it follows from the published keys (15/85 %, 41/59 % flat/by population), the "
    "populations and the days each member is live (`joined`), pro rata. Band: the model's "
    "split over every go-live day inside the month the sources give for each newcomer "
    "(seed-facts.md §2.5)")
COST_2019_REASON = (
    "Cross-year check of the 2019 go-live date, which is fitted to the 2019 alarms with the "
    "2020 rates per inhabitant 80+ (so the 2019 alarm volume itself cannot be left out): the "
    "answer service's rostered hours from that date to the year's end, at the 2020 cost per "
    "rostered hour. Band: between the 2020 budget's cost per hour (3,940 of 5,069 kNOK, before "
    "the Covid-19 extra staff and overtime of §2.12) and the 2020 accounts'")
LEGEVAKT_SPLIT_BAND = 0.03
LEGEVAKT_SPLIT_REASON = (
    "The model gives the four legevakt members one call rate per inhabitant, so each sends "
    "its population share; compared with its share of the calls on 116 117 (those on other "
    "lines cannot be assigned). Band ±3 pp: the published shares themselves move by up to "
    "2.5 pp from one year to the next (2018-2020, seed-facts.md §3.4)")
