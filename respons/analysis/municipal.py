"""KPIs per municipality of one replication (pure functions of the event arrays), so that the
per-municipality table has per-replication values and therefore confidence intervals.

Contacts are counted by arrival within the period, as the headline KPIs are; "within target"
counts every offered alarm, so one never answered is a miss.
"""

from __future__ import annotations

import numpy as np

from respons.engine.events import EventArrays

MUNICIPAL_UNITS: dict[str, str] = {
    "alarms": "count",
    "alarms_within_target_share": "share",
    "homecare_visits": "count",
    "technical_alerts": "count",
}


def municipality_kpis(a: EventArrays, target_s: float,
                      horizon_s: float) -> dict[str, dict[str, float]]:
    """{municipality: {KPI: value}} for every municipality of the config (names and units in
    MUNICIPAL_UNITS); a share without alarms is nan."""
    a = a.rows(a.arrival_s < horizon_s)
    n = len(a.municipalities)
    muni = a.municipality
    alarm = (a.category == a.code("category", "alarm")) & (muni >= 0)
    tech = (a.category == a.code("category", "technical")) & (muni >= 0)
    within = alarm & (a.wait_s <= target_s)
    visits = alarm & ~np.isnan(a.answer_s) & (a.outcome == a.code("outcome", "homecare"))

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(muni[mask], minlength=n).astype(float)

    alarms, hits = count(alarm), count(within)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(alarms > 0, hits / np.maximum(alarms, 1), np.nan)
    cols = {"alarms": alarms, "alarms_within_target_share": share,
            "homecare_visits": count(visits), "technical_alerts": count(tech)}
    return {name: {k: float(v[i]) for k, v in cols.items()}
            for i, name in enumerate(a.municipalities)}
