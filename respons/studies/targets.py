"""The published 2019/2020 figures the model is calibrated against, with their bands.

Source: seed-facts.md §0 and §2.11 (Værnes Respons key figures, 001_c7a23a0595bff2be.txt:
2371-2382) and §3.4 (legevakt calls answered within 120 s, 001_c7a23a0595bff2be.txt:1531-1533).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Target:
    """One published figure: which KPI reproduces it, its value and the accepted band."""

    year: int
    figure: str
    kpi: str
    published: float
    band: float
    band_kind: Literal["relative", "absolute", "exact"]

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


def _year(y: int, alarms: float, resolved: float, tech: float, tech_resolved: float,
          municipalities: int) -> list[Target]:
    return [
        Target(y, "safety alarms answered", "alarms_answered", alarms, 0.03, "relative"),
        Target(y, "share resolved by operator", "alarms_resolved_by_operator_share",
               resolved, 0.02, "absolute"),
        Target(y, "technical alerts", "technical_alerts", tech, 0.05, "relative"),
        Target(y, "technical alerts resolved by operator",
               "technical_resolved_by_operator_share", tech_resolved, 0.02, "absolute"),
        Target(y, "municipalities connected", "municipalities_connected", municipalities, 0,
               "exact"),
    ]


TARGETS: tuple[Target, ...] = (
    *_year(2019, 5662, 0.60, 867, 0.68, 6),
    *_year(2020, 36150, 0.45, 4200, 0.80, 11),
    Target(2020, "legevakt phone calls answered within 120 s",
           "legevakt_calls_within_target_share", 0.98, 0.015, "absolute"),
)


def for_year(year: int) -> list[Target]:
    return [t for t in TARGETS if t.year == year]
