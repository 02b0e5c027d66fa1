"""Pieces of the HTML report: number formatting, the stylesheet, tables and the config summary.

Every piece of text that reaches the page goes through `html.escape`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from html import escape
from typing import Any

from respons.config import WEEKDAYS, Pool, ScenarioConfig, Shift
from respons.engine.rosters import fte

CSS = """
:root{--ink:#1d2733;--muted:#5b6877;--line:#d9dee5;--band:#f4f6f9;--accent:#2f6db5;
--good:#2e7d4f;--bad:#b53a32}
*{box-sizing:border-box}
body{margin:0;background:#eef1f5;color:var(--ink);font:15px/1.5 "Segoe UI",Roboto,
"Helvetica Neue",Arial,"Liberation Sans",sans-serif}
main{max-width:1180px;margin:0 auto;padding:28px 36px 40px;background:#fff;min-height:100vh;
box-shadow:0 0 18px rgba(0,0,0,.06)}
h1{font-size:1.75rem;margin:0 0 .2em;color:var(--accent)}
h2{font-size:1.3rem;margin:2.2em 0 .6em;padding-bottom:.25em;border-bottom:2px solid var(--line)}
h3{font-size:1.05rem;margin:1.6em 0 .4em}
p.lead{font-size:1.05rem;color:var(--muted);margin:.2em 0 1em}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25em 1.4em;margin:0;
padding:.9em 1.2em;background:var(--band);border-radius:6px}
dl.facts dt{font-weight:600;color:var(--muted)}
dl.facts dd{margin:0}
nav{margin:1.2em 0 0;padding:.6em 0;border-top:1px solid var(--line);
border-bottom:1px solid var(--line);font-size:.95rem}
nav a,a{color:var(--accent);text-decoration:none}
table{border-collapse:collapse;width:100%;margin:.4em 0 .6em;font-size:.92rem}
th,td{padding:.42em .7em;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:var(--band);font-weight:600}
div.wide{overflow-x:auto}
tbody tr:nth-child(even){background:#fafbfc}
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
span.code{display:block;font:.78rem/1.3 ui-monospace,"DejaVu Sans Mono",Menlo,monospace;
color:var(--muted)}
td.yes{color:var(--good);font-weight:600}
td.no{color:var(--bad);font-weight:600}
p.note{color:var(--muted);font-size:.88rem;margin:.3em 0}
p.callout{background:#fff6e0;border-left:4px solid #e0a526;padding:.6em 1em;border-radius:3px}
figure{margin:1.6em 0 2.2em;padding:0}
figure img{display:block;max-width:100%;height:auto;margin:0 auto;border:1px solid var(--line);
border-radius:4px}
figcaption{font-size:.9rem;color:var(--muted);margin:.55em .2em 0;max-width:70em}
figcaption strong{color:var(--ink)}
footer{margin-top:3em;padding-top:.8em;border-top:1px solid var(--line);color:var(--muted);
font-size:.82rem}
@media print{body{background:#fff}main{box-shadow:none;max-width:none}
figure{break-inside:avoid}}
"""


def fmt_share(x: float) -> str:
    """A 0..1 share as a percentage with one decimal: '96.7 %'."""
    return f"{100 * x:.1f} %"


def fmt_count(x: float) -> str:
    """A count with thousands separators: '36,150'."""
    return f"{x:,.0f}"


def fmt_seconds(x: float) -> str:
    """Seconds below a minute ('19.3 s'), otherwise minutes:seconds ('2:05 min')."""
    if abs(x) < 59.95:
        return f"{x:.1f} s"
    total = int(round(abs(x)))
    sign = "-" if x < 0 else ""
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{seconds:02d} h"
    return f"{sign}{minutes}:{seconds:02d} min"


def fmt_value(x: Any, unit: str) -> str:
    """Format a KPI value by its unit ('share', 'count', 's'); missing or nan -> '–'."""
    if x is None or isinstance(x, bool) or not isinstance(x, int | float) or math.isnan(x):
        return "–"
    if unit == "share":
        return fmt_share(x)
    if unit == "count":
        return fmt_count(x)
    if unit == "s":
        return fmt_seconds(x)
    return f"{x:,.4g}"


def clip_to_range(x: Any, unit: str) -> Any:
    """A CI bound cut to the possible range of its unit (shares 0..1, times and counts >= 0)."""
    if x is None or isinstance(x, bool) or not isinstance(x, int | float) or math.isnan(x):
        return x
    if unit == "share":
        return min(max(x, 0.0), 1.0)
    return max(x, 0.0) if unit in ("s", "count") else x


def table(head: Sequence[str], rows: Sequence[Sequence[str]], table_id: str | None = None,
          numeric: Sequence[int] = (), raw: bool = False,
          classes: Sequence[Sequence[str]] | None = None) -> str:
    """An HTML table; cells are escaped unless `raw` (then the caller escaped them)."""
    ident = f' id="{escape(table_id)}"' if table_id else ""

    def cls(j: int, extra: str = "") -> str:
        names = " ".join(n for n in ("num" if j in numeric else "", extra) if n)
        return f' class="{names}"' if names else ""

    th = "".join(f"<th{cls(j)}>{escape(h)}</th>" for j, h in enumerate(head))
    body = []
    for i, row in enumerate(rows):
        tds = "".join(
            f"<td{cls(j, classes[i][j] if classes else '')}>{c if raw else escape(str(c))}</td>"
            for j, c in enumerate(row))
        body.append(f"<tr>{tds}</tr>")
    return f"<table{ident}><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _days(days: Sequence[str]) -> str:
    """'every day', 'Mon–Fri' or 'Mon, Wed' from a shift's weekdays."""
    idx = sorted(WEEKDAYS.index(d) for d in days)
    if len(idx) == 7:
        return "every day"
    names = [WEEKDAYS[i].capitalize() for i in idx]
    if len(idx) > 2 and idx == list(range(idx[0], idx[-1] + 1)):
        return f"{names[0]}–{names[-1]}"
    return ", ".join(names)


def _shift(s: Shift) -> str:
    dated = "".join(f" ({_day(p.start)} to {_day(p.end - dt.timedelta(days=1))})"
                    for p in s.dates)
    return f"{_days(s.days)} {s.start}–{s.end} × {s.staff}{dated}"


def _serves(pool: Pool) -> str:
    parts = []
    for s in pool.serves:
        rule = {"primary": "primary", "all_busy": "when the primary staff are busy",
                "after_wait": f"after waiting {s.after_s:g} s"}[s.rule.value]
        text = f"{s.category.value} ({rule})"
        for u in s.unavailable:
            last = u.end - dt.timedelta(days=1)  # periods end exclusive
            text += f"; not from {_day(u.start)} to {_day(last)}"
        if s.municipalities is not None:
            text += f"; only from {', '.join(s.municipalities)}"
        if s.interrupts:
            text += "; interrupts interruptible work"
        if s.interruptible:
            text += "; interruptible"
        parts.append(text)
    return "; ".join(parts)


def _day(d: dt.date) -> str:
    return f"{d.day} {d:%b %Y}"


RATE_BASIS = {"per_1000_inhabitants": "per 1,000 inhabitants", "per_80plus": "per inhabitant 80+",
              "per_municipality": "per municipality", "per_user": "per alarm user",
              "per_device": "per device"}


def _rate(k) -> str:
    if k.rate is None:
        return "follow-up only"
    return f"{k.rate.per_year:g} {RATE_BASIS[k.rate.basis.value]} a year"


def config_section(cfg: ScenarioConfig) -> str:
    """Staffing pools (shifts, FTE) and municipalities (population, join date) of the run."""
    pool_rows = [[p.name, p.role.value, _serves(p), "<br>".join(escape(_shift(s))
                                                             for s in p.shifts),
                  f"{fte(p, cfg.fte_hours_per_week, cfg.period):.2f}",
                  fmt_share(p.sickness_absence) if p.sickness_absence else "–"]
                 for p in cfg.pools]
    pool_rows = [[escape(r[0]), escape(r[1]), escape(r[2]), r[3], escape(r[4]), escape(r[5])]
                 for r in pool_rows]
    total = sum(fte(p, cfg.fte_hours_per_week, cfg.period) for p in cfg.pools)
    muni_rows = []
    for m in sorted(cfg.municipalities, key=lambda m: (m.joined, m.name)):
        muni_rows.append([
            m.name, m.number, fmt_count(m.population),
            fmt_count(m.population_80plus) if m.population_80plus is not None else "–",
            _day(m.joined),
            f"{m.ramp_up_days:g} days" if m.ramp_up_days else "–",
            ", ".join(s.value for s in m.services),
            fmt_value(m.homecare.travel.mean, "s"),
        ])
    pop = sum(m.population for m in cfg.municipalities)
    kinds = [[k.name, k.category.value, str(k.priority), _rate(k), k.profile or "–",
              fmt_value(k.talk.mean, "s")] for k in cfg.event_kinds]
    return (
        '<section id="config">\n<h2>Configuration</h2>\n'
        f'<h3>Staffing pools ({total:.1f} FTE at {cfg.fte_hours_per_week:g} h a week)</h3>\n'
        + table(["pool", "role", "answers", "weekly shifts (days, hours × staff)", "FTE",
                 "sickness absence"], pool_rows, table_id="pools-table", numeric=(4, 5),
                raw=True)
        + f"\n<h3>Municipalities ({len(cfg.municipalities)}, {fmt_count(pop)} inhabitants)"
          "</h3>\n"
        + table(["municipality", "number", "population", "80+", "joined", "ramp-up",
                 "sends", "home-care travel (mean)"], muni_rows, table_id="municipalities-table",
                numeric=(2, 3, 7))
        + "\n<h3>Event kinds</h3>\n"
        + table(["kind", "category", "priority", "rate", "profile", "talk time (mean)"], kinds,
                numeric=(2, 5))
        + '\n<p class="note">The full configuration is in config.resolved.yaml beside this '
          "report; re-run it with <code>respons simulate --config config.resolved.yaml"
          "</code>.</p>\n</section>")
