"""Excel workbooks (.xlsx, openpyxl): one sheet per table, numbers stored as numbers with a
number format by unit (percent, thousands, seconds), so Excel shows them in the reader's own
locale (`97,2 %` and `36 063` in Norwegian Excel) while the CSV files stay plain and
machine-readable.

`write_workbook(path, tables)` is the reusable writer: any command can hand it
`respons.report.tables.Table`s.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

from respons.report.tables import Table

NUMBER_FORMATS = {"share": "0.0%", "count": "#,##0", "nok": "#,##0", "s": "0.0",
                  "h": "0.0", "hours": "#,##0"}
MAX_WIDTH = 60


#: Control characters a worksheet cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE): text from
#: user input (a sweep level, a scenario description) is shown without them.
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _cell(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str):
        return _ILLEGAL.sub("", value)
    return value


def _unit(table: Table, row: list[Any], j: int) -> str:
    """The unit of a cell: the column's, or the row's own (a KPI table's last column) for
    columns marked '*'."""
    unit = table.columns[j].unit
    if unit == "*":
        return str(row[-1]) if row else ""
    return unit


def write_workbook(path: Path, tables: list[Table]) -> Path:
    """Write `tables` as sheets of one workbook at `path` (atomically: temporary file, then
    rename). Each sheet: the title, a bold header row (frozen), the rows, then the notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.remove(wb.active)
    for table in tables:
        ws = wb.create_sheet(table.name[:31])
        ws.append([_cell(table.title)])
        ws["A1"].font = Font(bold=True, size=12)
        ws.append([_cell(c.label) for c in table.columns])
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            ws.append([_cell(v) for v in row])
            r = ws.max_row
            for j, v in enumerate(row):
                fmt = NUMBER_FORMATS.get(_unit(table, row, j))
                if fmt and isinstance(v, int | float) and not isinstance(v, bool):
                    ws.cell(row=r, column=j + 1).number_format = fmt
        for note in table.notes:
            ws.append([])
            ws.append([_cell(note)])
        ws.freeze_panes = "A3"
        for j, col in enumerate(table.columns, start=1):
            width = max([len(str(col.label)),
                         *(len(f"{row[j - 1]:.4g}") if isinstance(row[j - 1], float)
                           else len(str(row[j - 1])) for row in table.rows)], default=8)
            ws.column_dimensions[ws.cell(row=2, column=j).column_letter].width = min(
                width + 2, MAX_WIDTH)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    wb.save(tmp)
    os.replace(tmp, path)
    return path
