"""KPIs as pure functions of one replication's event table (testable without SimPy).

Conventions: shares are fractions 0..1, times seconds. Contacts are counted by arrival in the
period; "within target" counts every offered contact, so one that was rerouted, abandoned or
never answered is a miss (as in the Norwegian legevakt rule).

The KPIs are computed, vectorised, from `EventArrays`: the columns of the event table they
read, as numpy arrays with the labelled columns as integer codes. The simulator hands these
over directly (no DataFrame needed); `kpis(DataFrame, Context)` converts a table and
delegates, so both give the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from respons.engine.events import EventArrays

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
    "waiting_at_period_end": "count",
    "never_answered": "count",
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


def _arrays(ev: pd.DataFrame | EventArrays) -> EventArrays:
    return ev if isinstance(ev, EventArrays) else EventArrays.from_frame(ev)


def busy_seconds(ev: pd.DataFrame | EventArrays, pool: str, horizon_s: float) -> float:
    """Seconds pool members spent handling contacts inside [0, horizon)."""
    a = _arrays(ev)
    rows = a.answered_by == a.code("answered_by", pool)
    end = np.minimum(a.end_s[rows], horizon_s)
    return float(np.clip(end - a.answer_s[rows], 0.0, None).sum())


def utilisation(ev: pd.DataFrame | EventArrays, ctx: Context, role: str) -> float:
    """Busy time / on-duty time over the period, for all pools with `role`."""
    a = _arrays(ev)
    pools = [p for p, r in ctx.roles.items() if r == role]
    on = sum(ctx.staff_seconds[p] for p in pools)
    return _share(sum(busy_seconds(a, p, ctx.horizon_s) for p in pools), on)


def kpis(ev: pd.DataFrame | EventArrays, ctx: Context) -> dict[str, float]:
    """The headline KPIs of one replication (names and units in KPI_UNITS)."""
    a = _arrays(ev)
    a = a.rows(a.arrival_s < ctx.horizon_s)
    cat = a.category
    alarm = cat == a.code("category", "alarm")
    tech = cat == a.code("category", "technical")
    leg = cat == a.code("category", "legevakt")
    was_answered = ~np.isnan(a.answer_s)
    answered, tech_answered = alarm & was_answered, tech & was_answered
    n_answered = np.count_nonzero(answered)
    resolved = a.outcome == a.code("outcome", "resolved_by_operator")
    visits = answered & (a.outcome == a.code("outcome", "homecare"))
    waits = a.wait_s[answered]
    help_time = a.homecare_arrival_s[visits] - a.arrival_s[visits]
    munis = a.municipality[~leg]
    never = a.outcome == a.code("outcome", "unanswered")
    return {
        "alarms_answered": float(n_answered),
        "alarms_resolved_by_operator_share": _share(
            np.count_nonzero(answered & resolved), n_answered),
        "technical_alerts": float(np.count_nonzero(tech)),
        "technical_resolved_by_operator_share": _share(
            np.count_nonzero(tech_answered & resolved), np.count_nonzero(tech_answered)),
        "alarms_answered_within_target_share": _within(a, alarm, ctx.target_s),
        "answer_time_mean_s": float(waits.mean()) if waits.size else float("nan"),
        "answer_time_p90_s": _quantile(waits, 0.90),
        "answer_time_p99_s": _quantile(waits, 0.99),
        "operator_utilisation": utilisation(a, ctx, "operator"),
        "backup_answered_share": _share(np.count_nonzero(a.by_backup[answered]), n_answered),
        "legevakt_calls_within_target_share": _within(a, leg, ctx.target_s),
        "homecare_visits": float(np.count_nonzero(visits)),
        "help_arrival_time_mean_s": float(help_time.mean()) if help_time.size else float("nan"),
        "alarms_rerouted": float(np.count_nonzero(a.rerouted[alarm])),
        "legevakt_calls": float(np.count_nonzero(leg)),
        "municipalities_connected": float(np.unique(munis[munis >= 0]).size),
        # the queue when the period ends (overload shows here) and what the drain days
        # after it still did not answer
        "waiting_at_period_end": float(np.count_nonzero(
            (a.answer_s >= ctx.horizon_s) | never)),
        "never_answered": float(np.count_nonzero(never)),
    }


def _within(a: EventArrays, offered: np.ndarray, target_s: float) -> float:
    return _share(np.count_nonzero(a.wait_s[offered] <= target_s), np.count_nonzero(offered))


def _quantile(x: np.ndarray, q: float) -> float:
    return float(np.quantile(x, q)) if x.size else float("nan")
