"""Numbers as the command line prints them: shares as percentages, counts with thousands
separators, times in seconds or hours ("-" where there is no value)."""

from __future__ import annotations

import math


def fmt(x: float | None, unit: str) -> str:
    """A value in its unit (share, count, h, hours, otherwise seconds)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if unit == "share":
        return f"{100 * x:.1f} %"
    if unit == "count":
        return f"{x:,.0f}"
    if unit == "h":
        return f"{x:.1f} h"
    if unit == "hours":
        return f"{x:,.0f} h"
    return f"{x:,.1f} s"
