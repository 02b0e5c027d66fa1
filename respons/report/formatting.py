"""Numbers as people read them, in English or Norwegian (bokmål): shares as percentages,
counts with thousands separators, times in seconds or minutes; '-' (terminal) or '–' (report)
where there is no value.

English: `36,063`, `97.2 %`. Norwegian: `36 063`, `97,2 %` (the space is a no-break space,
U+00A0, so a number never breaks across lines; it prints as a space in a terminal).
"""

from __future__ import annotations

import math
from typing import Any

NBSP = "\u00a0"


def finite(x: Any) -> float | None:
    """`x` as a finite float, or None (missing, text, nan, infinite)."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def number(x: float, decimals: int = 0, lang: str = "en") -> str:
    """A number with thousands separators and `decimals` decimals in the language's style."""
    text = f"{x:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]  # no "-0"
    if lang == "nb":
        return text.replace(",", NBSP).replace(".", ",")
    return text


def percent(x: float, decimals: int = 1, lang: str = "en") -> str:
    """A 0..1 share as a percentage: '97.2 %' / '97,2 %'."""
    return number(100 * x, decimals, lang) + (NBSP if lang == "nb" else " ") + "%"


def _missing(x: Any) -> bool:
    return x is None or isinstance(x, bool) or not isinstance(x, int | float) or math.isnan(x)


def fmt(x: float | None, unit: str, lang: str = "en") -> str:
    """A value in its unit as the command line prints it (share, count, h, hours, nok; times
    as seconds below a minute, else minutes:seconds or hours; otherwise four significant
    digits)."""
    if _missing(x):
        return "-"
    assert x is not None
    space = NBSP if lang == "nb" else " "
    if unit == "share":
        return percent(x, 1, lang)
    if unit in ("count", "nok", "nok_thousand"):
        return number(x, 0, lang)
    if unit == "h":
        return number(x, 1, lang) + space + "h"
    if unit == "hours":
        return number(x, 0, lang) + space + "h"
    if unit == "s":
        return fmt_seconds(x, lang)
    return number(x, 3, lang) if abs(x) < 1000 else number(x, 0, lang)


def fmt_seconds(x: float, lang: str = "en") -> str:
    """Seconds below a minute ('19.3 s'), minutes:seconds below an hour ('2:05 min'), else
    hours with one decimal ('26.9 h')."""
    space = NBSP if lang == "nb" else " "
    if abs(x) < 59.95:
        return number(x, 1, lang) + space + "s"
    if abs(x) >= 3599.5:
        return number(x / 3600, 1, lang) + space + "h"
    total = int(round(abs(x)))
    sign = "-" if x < 0 else ""
    minutes, seconds = divmod(total, 60)
    return f"{sign}{minutes}:{seconds:02d}{space}min"


def fmt_value(x: Any, unit: str, lang: str = "en") -> str:
    """A KPI value for the report: shares as percentages, counts with separators, times in
    seconds or minutes:seconds, money in whole kroner; missing or nan -> '–'."""
    if _missing(x):
        return "–"
    if unit == "share":
        return percent(x, 1, lang)
    if unit in ("count", "nok_thousand"):  # NOK 1,000: the figure's name says so
        return number(x, 0, lang)
    if unit == "nok":
        return "NOK " + number(x, 0, lang) if lang == "en" else "kr" + NBSP + number(x, 0, lang)
    if unit == "s":
        return fmt_seconds(x, lang)
    return number(x, 3, lang) if abs(x) < 1000 else number(x, 0, lang)


def fmt_money(nok: float, lang: str = "en", millions: bool = False) -> str:
    """'NOK 6.42 million' / 'kr 6,42 mill.' or whole kroner."""
    if millions:
        m = number(nok / 1e6, 2, lang)
        return f"NOK {m} million" if lang == "en" else f"kr{NBSP}{m}{NBSP}mill."
    return fmt_value(nok, "nok", lang)
