"""KPIs as pure functions of one replication's event table (testable without SimPy).

Conventions: shares are fractions 0..1, times seconds. Contacts are counted by arrival in the
period; "within target" counts every offered contact, so one that was rerouted, abandoned or
never answered is a miss (as in the Norwegian legevakt rule).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

KPI_UNITS: dict[str, str] = {
    "alarms_answered": "count",
    "alarms_resolved_by_operator_share": "share",
    "technical_alerts": "count",
    "technical_resolved_by_operator_share": "share",
    "alarms_answered_within_target_share": "share",
    "answer_time_mean_s": "s",
    "answer_time_p90_s": "s",
    "answer_time_p99_s": "s",
    "operator_utilisation": "share",
    "backup_answered_share": "share",
    "legevakt_calls_within_target_share": "share",
    "homecare_visits": "count",
    "help_arrival_time_mean_s": "s",
    "alarms_rerouted": "count",
    "legevakt_calls": "count",
    "municipalities_connected": "count",
}


@dataclass(frozen=True)
class Context:
    """What KPIs need besides the event table."""

    target_s: float
    horizon_s: float
    staff_seconds: dict[str, float]
    roles: dict[str, str]


def _share(num: float, den: float) -> float:
    return float(num) / float(den) if den else float("nan")


def within_target_share(ev: pd.DataFrame, target_s: float) -> float:
    """Offered contacts answered within `target_s` (unanswered ones count as misses)."""
    return _share((ev["wait_s"] <= target_s).sum(), len(ev))


def busy_seconds(ev: pd.DataFrame, pool: str, horizon_s: float) -> float:
    """Seconds pool members spent handling contacts inside [0, horizon)."""
    rows = ev[ev["answered_by"] == pool]
    start = rows["answer_s"].to_numpy()
    end = np.minimum(rows["end_s"].to_numpy(), horizon_s)
    return float(np.clip(end - start, 0.0, None).sum())


def utilisation(ev: pd.DataFrame, ctx: Context, role: str) -> float:
    """Busy time / on-duty time over the period, for all pools with `role`."""
    pools = [p for p, r in ctx.roles.items() if r == role]
    on = sum(ctx.staff_seconds[p] for p in pools)
    return _share(sum(busy_seconds(ev, p, ctx.horizon_s) for p in pools), on)


def kpis(ev: pd.DataFrame, ctx: Context) -> dict[str, float]:
    """The headline KPIs of one replication (names and units in KPI_UNITS)."""
    ev = ev[ev["arrival_s"] < ctx.horizon_s]
    alarms = ev[ev["category"] == "alarm"]
    answered = alarms[alarms["answer_s"].notna()]
    tech = ev[ev["category"] == "technical"]
    tech_answered = tech[tech["answer_s"].notna()]
    leg = ev[ev["category"] == "legevakt"]
    waits = answered["wait_s"].to_numpy()
    visits = answered[answered["outcome"] == "homecare"]
    help_time = (visits["homecare_arrival_s"] - visits["arrival_s"]).to_numpy()
    return {
        "alarms_answered": float(len(answered)),
        "alarms_resolved_by_operator_share": _share(
            (answered["outcome"] == "resolved_by_operator").sum(), len(answered)),
        "technical_alerts": float(len(tech)),
        "technical_resolved_by_operator_share": _share(
            (tech_answered["outcome"] == "resolved_by_operator").sum(), len(tech_answered)),
        "alarms_answered_within_target_share": within_target_share(alarms, ctx.target_s),
        "answer_time_mean_s": float(waits.mean()) if waits.size else float("nan"),
        "answer_time_p90_s": _quantile(waits, 0.90),
        "answer_time_p99_s": _quantile(waits, 0.99),
        "operator_utilisation": utilisation(ev, ctx, "operator"),
        "backup_answered_share": _share(answered["by_backup"].sum(), len(answered)),
        "legevakt_calls_within_target_share": within_target_share(leg, ctx.target_s),
        "homecare_visits": float(len(visits)),
        "help_arrival_time_mean_s": float(help_time.mean()) if help_time.size else float("nan"),
        "alarms_rerouted": float(alarms["rerouted"].sum()),
        "legevakt_calls": float(len(leg)),
        "municipalities_connected": float(
            ev.loc[ev["category"] != "legevakt", "municipality"].nunique()),
    }


def _quantile(x: np.ndarray, q: float) -> float:
    return float(np.quantile(x, q)) if x.size else float("nan")
