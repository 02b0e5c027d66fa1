"""Excel workbooks (.xlsx, XlsxWriter): one sheet per table, numbers stored as numbers with a
number format by unit (percent, thousands, seconds), so Excel shows them in the reader's own
locale (`97,2 %` and `36 063` in Norwegian Excel) while the CSV files stay plain and
machine-readable. Byte-for-byte reproducible: fixed document dates, and XlsxWriter stamps the
zip members with a fixed time.

`write_workbook(path, tables)` is the reusable writer: any command can hand it
`respons.report.tables.Table`s.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import os
import re
from pathlib import Path
from typing import Any

from respons.report.tables import Table

NUMBER_FORMATS = {"share": "0.0%", "count": "#,##0", "nok": "#,##0", "s": "0.0",
                  "h": "0.0", "hours": "#,##0"}
MAX_WIDTH = 60
#: The document's creation date (docProps/core.xml): fixed, so that a workbook depends only on
#: its tables.
FIXED_TIME = dt.datetime(2000, 1, 1)
_DATE_FORMATS = {dt.datetime: "yyyy-mm-dd h:mm:ss", dt.date: "yyyy-mm-dd"}


#: Control characters a worksheet cannot hold (as openpyxl's ILLEGAL_CHARACTERS_RE): text from
#: user input (a sweep level, a scenario description) is shown without them.
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _cell(value: Any) -> Any:
    if isinstance(value, numbers.Real) and not isinstance(value, bool | int) \
            and not math.isfinite(value):
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


class _Sheet:
    """One worksheet and the workbook's shared formats (XlsxWriter wants one format object per
    distinct style)."""

    def __init__(self, wb: Any, ws: Any, formats: dict[Any, Any]) -> None:
        self.wb, self.ws, self.formats = wb, ws, formats

    def fmt(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self.formats:
            self.formats[key] = self.wb.add_format(props)
        return self.formats[key]

    def write(self, r: int, c: int, value: Any, number_format: str | None = None,
              style: Any = None) -> None:
        """Write one cell by type: text always as text (never a formula or a link), numbers as
        numbers (with `number_format`), booleans, dates; None and non-finite numbers blank."""
        value = _cell(value)
        if value is None:
            if style is not None:
                self.ws.write_blank(r, c, None, style)
        elif isinstance(value, str):
            self.ws.write_string(r, c, value, style)
        elif isinstance(value, bool):
            self.ws.write_boolean(r, c, value, style)
        elif isinstance(value, numbers.Real):
            self.ws.write_number(r, c, value,
                                 self.fmt(num_format=number_format) if number_format else style)
        elif isinstance(value, dt.date):
            kind = dt.datetime if isinstance(value, dt.datetime) else dt.date
            self.ws.write_datetime(r, c, value, self.fmt(num_format=_DATE_FORMATS[kind]))
        else:
            self.ws.write_string(r, c, _cell(str(value)), style)


def new_workbook(path: Path) -> Any:
    """An XlsxWriter workbook writing to `path` when closed, all in memory (no temporary files
    elsewhere), with fixed document dates."""
    from xlsxwriter import Workbook

    wb = Workbook(str(path), {"in_memory": True})
    wb.set_properties({"created": FIXED_TIME})
    return wb


def write_workbook(path: Path, tables: list[Table]) -> Path:
    """Write `tables` as sheets of one workbook at `path` (atomically: temporary file, then
    rename). Each sheet: the title, a bold header row (frozen), the rows, then the notes."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        wb = new_workbook(tmp)
        formats: dict[Any, Any] = {}
        for table in tables:
            sheet = _Sheet(wb, wb.add_worksheet(table.name[:31]), formats)
            sheet.write(0, 0, table.title, style=sheet.fmt(bold=True, font_size=12))
            head = sheet.fmt(bold=True, text_wrap=True, valign="top")
            for j, col in enumerate(table.columns):
                sheet.write(1, j, col.label, style=head)
            r = 2
            for row in table.rows:
                for j, v in enumerate(row):
                    sheet.write(r, j, v, NUMBER_FORMATS.get(_unit(table, row, j)))
                r += 1
            for note in table.notes:
                sheet.write(r + 1, 0, note)
                r += 2
            sheet.ws.freeze_panes(2, 0)  # A3
            for j, col in enumerate(table.columns):
                width = max([len(str(col.label)),
                             *(len(f"{row[j]:.4g}") if isinstance(row[j], float)
                               else len(str(row[j])) for row in table.rows)], default=8)
                sheet.ws.set_column(j, j, min(width + 2, MAX_WIDTH))
        wb.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
