"""The verdict: is the answer goal met, judged on the 95 % confidence interval of its KPI.

* met: the whole interval is at or above the goal (its lower bound >= the goal share);
* not met: the whole interval is below the goal (its upper bound < the goal share);
* not proven: the interval straddles the goal (more replications may decide it), or there is
  no interval (a single replication).

`met` in summary.json is true only for "met": a goal the simulation cannot show to be met is
not reported as met. A category with a goal but no KPI measuring it is "not measured".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from respons.config import Category, Goal

# The KPI that measures the goal of each category (share of the offered contacts answered
# within the limit; rerouted, abandoned and never-answered contacts count as misses).
GOAL_KPIS: dict[Category, str] = {
    Category.alarm: "alarms_answered_within_target_share",
    Category.legevakt: "legevakt_calls_within_target_share",
    Category.technical: "technical_alerts_within_target_share",
}
MET, NOT_MET, NOT_PROVEN, NOT_MEASURED = "met", "not met", "not proven", "not measured"


@dataclass(frozen=True)
class Judgement:
    """One category's goal against its KPI."""

    category: Category
    kpi: str
    share: float
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    verdict: str

    @property
    def met(self) -> bool:
        return self.verdict == MET

    def as_json(self) -> dict[str, Any]:
        return {"share": self.share, "kpi": self.kpi, "met": self.met, "verdict": self.verdict,
                "mean": self.mean, "ci_low": self.ci_low, "ci_high": self.ci_high}


def verdict(mean: float | None, lo: float | None, hi: float | None, share: float) -> str:
    """met / not met / not proven / not measured (see the module docstring)."""
    if mean is None:
        return NOT_MEASURED
    if lo is None or hi is None:
        return NOT_PROVEN
    if lo >= share:
        return MET
    if hi < share:
        return NOT_MET
    return NOT_PROVEN


def judge(goal: Goal, summary: dict[str, dict[str, Any]]) -> list[Judgement]:
    """The alarm goal first, then every category goal, against a run's KPI summary."""
    out = []
    for cat in (Category.alarm, *(c for c in Category if c != Category.alarm)):
        share = goal.share_for(cat)
        if share is None:
            continue
        kpi = GOAL_KPIS[cat]
        k = summary.get(kpi) or {}
        mean, lo, hi = k.get("mean"), k.get("ci_low"), k.get("ci_high")
        out.append(Judgement(cat, kpi, share, mean, lo, hi, verdict(mean, lo, hi, share)))
    return out


def overall(judgements: list[Judgement]) -> str:
    """One verdict for several goals: met if all are, not met if any is not, else not
    proven."""
    verdicts = [j.verdict for j in judgements]
    if verdicts and all(v == MET for v in verdicts):
        return MET
    if NOT_MET in verdicts:
        return NOT_MET
    return NOT_PROVEN


def goal_json(goal: Goal, summary: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """summary.json's `goal`: the alarm goal's share, limit, KPI and verdict at the top,
    every other category's under `categories`, and `all_met` over them all."""
    judged = judge(goal, summary)
    alarm, others = judged[0], judged[1:]
    return {"share": goal.share, "within_s": goal.within_s, **{
        k: v for k, v in alarm.as_json().items() if k != "share"},
        "categories": {j.category.value: j.as_json() for j in others},
        "all_met": all(j.met for j in judged), "verdict_all": overall(judged)}
