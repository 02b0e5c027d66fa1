"""Tables of the follow-up work in an event table (pure functions, for the report): home-care
visits per municipality and hour of day, and the IT work KPIs per priority."""

from __future__ import annotations

import numpy as np
import pandas as pd

from respons.analysis.intervals import confidence_interval
from respons.analysis.kpis import it_kpis
from respons.engine.events import EventArrays

HOUR = 3600.0


def visits_by_hour(events: pd.DataFrame, horizon_s: float) -> pd.DataFrame:
    """Visits (rows of category `visit`) arriving in the period, mean per replication, by
    municipality (rows) and clock hour of their start (columns 0..23; not started: left out)."""
    reps = max(events["replication"].nunique(), 1)
    v = events[(events["category"].astype(str) == "visit") & (events["arrival_s"] < horizon_s)
               & events["answer_s"].notna()]
    hour = (v["answer_s"].to_numpy(dtype=float) // HOUR).astype(np.int64) % 24
    table = pd.crosstab(v["municipality"].astype(str).to_numpy(), hour) / reps
    return table.reindex(columns=range(24), fill_value=0.0).rename_axis(
        index="municipality", columns="hour")


def it_by_priority(events: pd.DataFrame, horizon_s: float) -> pd.DataFrame:
    """Per priority of IT work orders: the IT KPIs (mean over replications, with the 95 %
    interval of the mean), one row per priority and KPI."""
    it = events[events["category"].astype(str) == "it_work"]
    priorities = sorted(int(p) for p in it.loc[it["parent_id"] >= 0, "priority"].unique())
    rows = []
    for p in priorities:
        per_rep = []
        for _, ev in events.groupby("replication", observed=True):
            a = EventArrays.from_frame(ev.reset_index(drop=True))
            per_rep.append(it_kpis(a.rows(a.arrival_s < horizon_s), horizon_s, p))
        for name in per_rep[0]:
            mean, lo, hi = confidence_interval(np.array([r[name] for r in per_rep], float))
            rows.append({"priority": p, "kpi": name, "mean": mean, "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows, columns=["priority", "kpi", "mean", "ci_low", "ci_high"])
