"""roster.xlsx: the rota, the comparison, the half hours of the week and the costs by
municipality as sheets of one workbook (openpyxl), byte-for-byte reproducible (fixed document
dates and zip timestamps)."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

FIXED_TIME = dt.datetime(2000, 1, 1)


def _sheet(wb: Any, title: str, head: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet(title)
    ws.append(list(head))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(list(r))
    for i, name in enumerate(head, start=1):
        width = max([len(str(name)), *(len(str(r[i - 1])) for r in rows)])
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(width + 2, 60)
    ws.freeze_panes = "A2"


def write_workbook(path: Path, roster: list[dict[str, Any]], intervals: list[dict[str, Any]],
                   summary: dict[str, Any]) -> None:
    """Write the workbook atomically."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
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
    _sheet(wb, "summary", ("item", "value"), facts)
    _sheet(wb, "roster", ("pool", "day", "start", "end", "people"),
           [tuple(r.values()) for r in roster])
    _sheet(wb, "comparison", ("rota", "fte", "weekly_hours", "cost_nok", "cost_nok_per_week",
                              "share_mean", "share_ci_low", "share_ci_high", "met"),
           [(r["name"], r["fte"], r["weekly_hours"], r["cost_nok"], r["cost_nok_per_week"],
             r["goal_kpi"]["mean"], r["goal_kpi"]["ci_low"], r["goal_kpi"]["ci_high"], r["met"])
            for r in summary["comparison"]])
    _sheet(wb, "half-hours", tuple(intervals[0]) if intervals else ("day",),
           [tuple(r.values()) for r in intervals])
    munis = summary.get("cost_by_municipality") or {}
    _sheet(wb, "municipalities", ("municipality", "cost_nok"), sorted(munis.items()))
    wb.properties.creator = "respons roster"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    wb.save(raw)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, \
            zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z",
                              data)
            dst.writestr(fixed, data)
    os.replace(tmp, path)
