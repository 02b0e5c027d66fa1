"""roster.xlsx: the rota, the comparison, the half hours of the week and the costs by
municipality as sheets of one workbook (XlsxWriter), byte-for-byte reproducible (fixed document
dates; XlsxWriter stamps the zip members with a fixed time)."""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

FIXED_TIME = dt.datetime(2000, 1, 1)


def _sheet(wb: Any, bold: Any, title: str, head: Sequence[str],
           rows: Sequence[Sequence[Any]]) -> None:
    ws = wb.add_worksheet(title)
    for j, name in enumerate(head):
        ws.write_string(0, j, str(name), bold)
    for i, r in enumerate(rows, start=1):
        for j, v in enumerate(r):
            if v is None or (isinstance(v, float) and not math.isfinite(v)):
                continue
            if isinstance(v, str):
                ws.write_string(i, j, v)
            else:  # numbers and booleans
                ws.write(i, j, v)
    for j, name in enumerate(head):
        width = max([len(str(name)), *(len(str(r[j])) for r in rows)])
        ws.set_column(j, j, min(width + 2, 60))
    ws.freeze_panes(1, 0)  # A2


def write_workbook(path: Path, roster: list[dict[str, Any]], intervals: list[dict[str, Any]],
                   summary: dict[str, Any]) -> None:
    """Write the workbook atomically."""
    from xlsxwriter import Workbook

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        _write(Workbook(str(tmp), {"in_memory": True}), roster, intervals, summary)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write(wb: Any, roster: list[dict[str, Any]], intervals: list[dict[str, Any]],
           summary: dict[str, Any]) -> None:
    wb.set_properties({"author": "respons roster", "created": FIXED_TIME})
    bold = wb.add_format({"bold": True})
    g = summary["goal"]
    k = summary["goal_kpi"]
    facts = [
        ("scenario", summary["scenario"]), ("pool", summary["pool"]),
        ("period", f"{summary['period']['start']} to {summary['period']['end']} (end excl.)"),
        ("goal", f"{g['share']} of alarms within {g['within_s']} s (lower 95 % bound)"),
        ("min_on_duty", summary["min_on_duty"]), ("shift catalogue", summary["shifts"]["name"]),
        ("fte", summary["fte"]), ("weekly_hours", summary["weekly_hours"]),
        ("cost_nok", summary["cost_nok"]), ("cost_nok_per_week", summary["cost_nok_per_week"]),
        ("goal_kpi mean", k["mean"]), ("goal_kpi ci_low", k["ci_low"]),
        ("goal_kpi ci_high", k["ci_high"]), ("met", summary["met"]),
        ("replications", summary["replications"]), ("seed", summary["seed"]),
    ]
    _sheet(wb, bold, "summary", ("item", "value"), facts)
    _sheet(wb, bold, "roster", ("pool", "day", "start", "end", "people"),
           [tuple(r.values()) for r in roster])
    _sheet(wb, bold, "comparison", ("rota", "fte", "weekly_hours", "cost_nok",
                                    "cost_nok_per_week", "share_mean", "share_ci_low",
                                    "share_ci_high", "met"),
           [(r["name"], r["fte"], r["weekly_hours"], r["cost_nok"], r["cost_nok_per_week"],
             r["goal_kpi"]["mean"], r["goal_kpi"]["ci_low"], r["goal_kpi"]["ci_high"], r["met"])
            for r in summary["comparison"]])
    _sheet(wb, bold, "half-hours", tuple(intervals[0]) if intervals else ("day",),
           [tuple(r.values()) for r in intervals])
    munis = summary.get("cost_by_municipality") or {}
    _sheet(wb, bold, "municipalities", ("municipality", "cost_nok"), sorted(munis.items()))
    wb.close()
