"""KPIs as pure functions of one replication's event table (testable without SimPy).

Conventions: shares are fractions 0..1, times seconds. Contacts are counted by arrival in the
period; "within target" counts every offered contact, so one that was rerouted, abandoned or
never answered is a miss (as in the Norwegian legevakt rule). The alarm, technical and
legevakt KPIs count inbound contacts only (categories alarm, technical, legevakt; not
follow-up rows or tasks); utilisation counts all the work a pool does.

IT work: an IT work order is a follow-up row of category `it_work` (e.g. of a technical alert
forwarded to the IT-technical service); planned IT work (own rate) is IT work too, not an
order. Time to fix = the order's end - the arrival of the contact that began its chain (the
alert); orders not finished are left out of the mean and percentile and are misses of the
deadline share. The backlog is all IT work (orders and planned) that arrived in the period
and was not finished when it ended.

The KPIs are computed, vectorised, from `EventArrays`: the columns of the event table they
read, as numpy arrays with the labelled columns as integer codes. The simulator hands these
over directly (no DataFrame needed); `kpis(DataFrame, Context)` converts a table and
delegates, so both give the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from respons.analysis.quantiles import distinct_count, quantile
from respons.engine.events import EventArrays

if TYPE_CHECKING:
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
    "waiting_at_period_end": "count",
    "never_answered": "count",
    "help_arrival_within_target_share": "share",
    "it_work_orders": "count",
    "it_backlog_at_period_end": "count",
    "it_time_to_fix_mean_s": "s",
    "it_time_to_fix_p90_s": "s",
    "it_fixed_within_deadline_share": "share",
}
UTILISATION_PREFIX = "utilisation_"  # + pool name: one share KPI per pool
INBOUND_CATEGORIES = ("alarm", "technical", "legevakt")


def kpi_unit(name: str) -> str | None:
    """The unit of a KPI (also of the per-pool `utilisation_<pool>`); None if unknown."""
    if name in KPI_UNITS:
        return KPI_UNITS[name]
    return "share" if name.startswith(UTILISATION_PREFIX) else None


def kpi_names(columns) -> list[str]:
    """The KPI names among `columns`: KPI_UNITS first, then `utilisation_<pool>` in order."""
    cols = list(columns)
    return [*(k for k in KPI_UNITS if k in cols),
            *(c for c in cols if c.startswith(UTILISATION_PREFIX) and c not in KPI_UNITS)]


@dataclass(frozen=True)
class Context:
    """What KPIs need besides the event table."""

    target_s: float
    horizon_s: float
    staff_seconds: dict[str, float]
    roles: dict[str, str]
    help_target_s: float = 1800.0


def _share(num: float, den: float) -> float:
    return float(num) / float(den) if den else float("nan")


def _arrays(ev: pd.DataFrame | EventArrays) -> EventArrays:
    return ev if isinstance(ev, EventArrays) else EventArrays.from_frame(ev)


def busy_seconds(ev: pd.DataFrame | EventArrays, pool: str, horizon_s: float) -> float:
    """Seconds pool members spent handling contacts and tasks inside [0, horizon).

    Interrupted work counts the time actually served: its pieces when the engine's arrays are
    given; read back from a table (no pieces), end - start - interrupted_s, which is exact
    unless the work straddles the horizon.
    """
    a = _arrays(ev)
    code = a.code("answered_by", pool)
    rows = a.answered_by == code
    extra = 0.0
    if a.cut is not None and a.pieces is not None:
        rows &= ~a.cut
        mine = a.pieces[a.pieces[:, 1] == code]
        extra = float(np.clip(np.minimum(mine[:, 3], horizon_s) - mine[:, 2], 0.0, None).sum())
    elif a.interrupted_s is not None:
        done = rows & (a.end_s <= horizon_s)
        extra = -float(np.nansum(a.interrupted_s[done]))
    end = np.minimum(a.end_s[rows], horizon_s)
    return float(np.clip(end - a.answer_s[rows], 0.0, None).sum()) + extra


def utilisation(ev: pd.DataFrame | EventArrays, ctx: Context, role: str,
                busy: dict[str, float] | None = None) -> float:
    """Busy time / on-duty time over the period, for all pools with `role` (`busy`: the
    pools' busy seconds if already known)."""
    a = _arrays(ev)
    pools = [p for p, r in ctx.roles.items() if r == role]
    on = sum(ctx.staff_seconds[p] for p in pools)
    known = busy or {}
    return _share(sum(known[p] if p in known else busy_seconds(a, p, ctx.horizon_s)
                      for p in pools), on)


def kpis(ev: pd.DataFrame | EventArrays, ctx: Context) -> dict[str, float]:
    """The KPIs of one replication (names and units in KPI_UNITS, plus `utilisation_<pool>`
    for every pool in `ctx.staff_seconds`)."""
    full = _arrays(ev)
    full = full.rows(full.arrival_s < ctx.horizon_s)
    inbound = np.isin(full.category, [full.code("category", c) for c in INBOUND_CATEGORIES])
    if full.parent_id is not None:
        inbound &= full.parent_id < 0
    a = full if inbound.all() else full.rows(inbound)
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
    if np.isnan(help_time).any():  # visits by a team not made when the run ended
        help_time = help_time[~np.isnan(help_time)]
    help_after = a.homecare_arrival_s[visits] - a.end_s[visits]
    munis = a.municipality[~leg]
    never = a.outcome == a.code("outcome", "unanswered")
    busy = {p: busy_seconds(full, p, ctx.horizon_s) for p in ctx.staff_seconds}
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
        "operator_utilisation": utilisation(full, ctx, "operator", busy),
        "backup_answered_share": _share(np.count_nonzero(a.by_backup[answered]), n_answered),
        "legevakt_calls_within_target_share": _within(a, leg, ctx.target_s),
        "homecare_visits": float(np.count_nonzero(visits)),
        "help_arrival_time_mean_s": float(help_time.mean()) if help_time.size else float("nan"),
        "alarms_rerouted": float(np.count_nonzero(a.rerouted[alarm])),
        "legevakt_calls": float(np.count_nonzero(leg)),
        "municipalities_connected": float(distinct_count(munis[munis >= 0])),
        # the queue when the period ends (overload shows here) and what the drain days
        # after it still did not answer
        "waiting_at_period_end": float(np.count_nonzero(
            (a.answer_s >= ctx.horizon_s) | never)),
        "never_answered": float(np.count_nonzero(never)),
        "help_arrival_within_target_share": _share(
            np.count_nonzero(help_after <= ctx.help_target_s), help_after.size),
        **it_kpis(full, ctx.horizon_s),
        **{f"{UTILISATION_PREFIX}{p}": _share(busy[p], on)
           for p, on in ctx.staff_seconds.items()},
    }


def it_kpis(a: EventArrays, horizon_s: float, priority: int | None = None) -> dict[str, float]:
    """The IT work KPIs of rows arrived in the period (optionally of one priority)."""
    it = a.category == a.code("category", "it_work")
    if priority is not None:
        it &= a.priority == priority if a.priority is not None else False
    order = it & (a.parent_id >= 0) if a.parent_id is not None else np.zeros_like(it)
    end = a.end_s
    open_at_end = it & ~(end < horizon_s)  # nan (never done) counts as open
    fix = end[order] - a.origin_s[order] if a.origin_s is not None else np.empty(0)
    fixed = fix[~np.isnan(fix)]
    deadline = a.deadline_s[order] if a.deadline_s is not None else np.empty(0)
    has = ~np.isnan(deadline)
    return {
        "it_work_orders": float(np.count_nonzero(order)),
        "it_backlog_at_period_end": float(np.count_nonzero(open_at_end)),
        "it_time_to_fix_mean_s": float(fixed.mean()) if fixed.size else float("nan"),
        "it_time_to_fix_p90_s": _quantile(fixed, 0.90),
        "it_fixed_within_deadline_share": _share(
            np.count_nonzero(end[order][has] <= deadline[has]), np.count_nonzero(has)),
    }


def _within(a: EventArrays, offered: np.ndarray, target_s: float) -> float:
    return _share(np.count_nonzero(a.wait_s[offered] <= target_s), np.count_nonzero(offered))


def _quantile(x: np.ndarray, q: float) -> float:
    return quantile(x, q) if x.size else float("nan")
