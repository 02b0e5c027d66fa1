"""The tables every output shows, built once from a run's summary (summary.json) and then
formatted for the terminal, the HTML report and the Excel workbook: the verdict, the cost,
the per-municipality table and the KPI table. Cells hold raw values (numbers stay numbers);
each column has a unit that says how to format it.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from typing import Any

from respons.config import BackupRule, Category, ScenarioConfig
from respons.report.formatting import NBSP, fmt, fmt_money, fmt_value, number, percent
from respons.report.i18n import kpi_label, pool_name, t

SERVICE_LABELS = {"answer_service": ("answer service", "svartjeneste"),
                  "it_technical": ("IT-technical service", "IT-teknisk tjeneste")}
MUNICIPAL_KPIS = ("alarms", "alarms_within_target_share", "homecare_visits")


@dataclass(frozen=True)
class Column:
    """A column: its header and the unit of its values ('' for text)."""

    label: str
    unit: str = ""


@dataclass
class Table:
    """A table with raw cell values; `name` is its sheet name in the workbook."""

    name: str
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def service_label(name: str, lang: str) -> str:
    en, nb = SERVICE_LABELS.get(name, (name.replace("_", " "), name.replace("_", " ")))
    return nb if lang == "nb" else en


def target_of(summary: dict[str, Any]) -> float:
    """The answer-time limit of a run (from its goal, else 120 s)."""
    goal = summary.get("goal") or {}
    within = goal.get("within_s") if isinstance(goal, dict) else None
    return float(within) if isinstance(within, int | float) else float(
        summary.get("target_s") or 120)


def goal_share(x: float, lang: str) -> str:
    whole = abs(100 * x - round(100 * x)) < 1e-9
    return percent(x, 0 if whole else 1, lang)


def verdict_lines(summary: dict[str, Any], lang: str = "en") -> list[str]:
    """'Goal met: 97.3 % [97.2, 97.4] of alarms within 120 s, goal 95 %' for the alarm goal
    and each category goal; one line saying there is no goal when the config sets none."""
    goal = summary.get("goal")
    if not isinstance(goal, dict):
        return [t("no_goal", lang)]
    entries = [("alarm", goal), *goal.get("categories", {}).items()]
    lines = []
    for cat, g in entries:
        key = {"met": "goal_met", "not met": "goal_not_met", "not proven": "goal_not_proven"}
        label = t(key.get(g.get("verdict"), "goal_not_measured"), lang)
        mean, lo, hi = g.get("mean"), g.get("ci_low"), g.get("ci_high")
        sep = "–" if lang == "nb" else ", "  # '[96,9–100,0]': the comma is the decimal mark
        ci = (f"[{number(100 * lo, 1, lang)}{sep}{number(100 * hi, 1, lang)}]"
              if _real(lo) and _real(hi) else "")
        lines.append(t("verdict_line", lang, verdict=label,
                       mean=percent(mean, 1, lang) if _real(mean) else "–",
                       ci=ci, what=t(f"what_{cat}", lang),
                       within=f"{goal['within_s']:g}",
                       goal=goal_share(g["share"], lang)).replace("  ", " "))
    return lines


def range_lines(summary: dict[str, Any], lang: str = "en") -> list[str]:
    """'Over the assumptions' plausible ranges: 79.8 % to 98.9 % of alarms within 120 s ...'
    for every goal KPI with a stored range of this config (summary.json `assumption_ranges`,
    from an uncertainty study whose fingerprint matches); none otherwise."""
    goal, found = summary.get("goal"), summary.get("assumption_ranges")
    if not isinstance(goal, dict) or not isinstance(found, dict):
        return []
    lines = []
    for cat, g in [("alarm", goal), *goal.get("categories", {}).items()]:
        r = found.get(g.get("kpi"))
        if isinstance(r, dict) and _real(r.get("low")) and _real(r.get("high")):
            lines.append(t("assumption_range", lang, low=percent(r["low"], 1, lang),
                           high=percent(r["high"], 1, lang), what=t(f"what_{cat}", lang),
                           within=f"{goal['within_s']:g}"))
    return lines


def _real(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def is_year(summary: dict[str, Any]) -> bool:
    """True when the period is a calendar year's length (the cost is then annual)."""
    import datetime as dt

    period = summary.get("period") or {}
    try:
        days = (dt.date.fromisoformat(period["end"]) - dt.date.fromisoformat(period["start"])).days
    except (KeyError, TypeError, ValueError):
        return False
    return days in (365, 366)


def cost_lines(summary: dict[str, Any], lang: str = "en", width: int = 100) -> list[str]:
    """The total cost with its split by service, then the cost per municipality (wrapped)."""
    costs = summary.get("costs")
    if not isinstance(costs, dict):
        return [t("no_costs", lang)]
    label = t("annual_cost" if is_year(summary) else "period_cost", lang)
    services = ", ".join(f"{service_label(k, lang)} {fmt_money(v, lang)}"
                         for k, v in costs.get("by_service", {}).items())
    lines = [t("cost_line", lang, label=label, total=fmt_money(costs["total_nok"], lang),
               services=services)]
    parts = [f"{name} {fmt_money(v, lang)}" for name, v in
             costs.get("by_municipality", {}).items() if v]
    wrapped = textwrap.wrap(t("cost_per_municipality", lang) + ": " + ", ".join(
        p.replace(" ", NBSP) for p in parts), width=width, subsequent_indent="  ",
        break_on_hyphens=False)  # lines break between municipalities only
    lines += [w.replace(NBSP, " ") if lang == "en" else w for w in wrapped]
    return lines


def kpi_table(summary: dict[str, Any], lang: str = "en") -> Table:
    """One row per KPI: label, name, mean, CI bounds (unit per row, in the last column)."""
    target = target_of(summary)
    tab = Table("KPIs", t("sec_kpis", lang),
                [Column(t("kpi", lang)), Column("name"), Column(t("mean", lang), "*"),
                 Column("ci_low", "*"), Column("ci_high", "*"), Column("unit")])
    for name, k in (summary.get("kpis") or {}).items():
        if isinstance(k, dict):
            tab.rows.append([kpi_label(name, lang, target), name, k.get("mean"),
                             k.get("ci_low"), k.get("ci_high"), str(k.get("unit", ""))])
    return tab


def municipality_table(summary: dict[str, Any], lang: str = "en") -> Table:
    """One row per municipality: alarms, share within target, home-care visits (each mean and
    CI bounds) and the allocated cost."""
    target = target_of(summary)
    cols = [Column(t("municipality", lang))]
    units = {"alarms": "count", "alarms_within_target_share": "share", "homecare_visits": "count"}
    for k in MUNICIPAL_KPIS:
        label = kpi_label(k, lang, target)
        cols += [Column(label, units[k]), Column(f"{label}: ci_low", units[k]),
                 Column(f"{label}: ci_high", units[k])]
    cols.append(Column(kpi_label("cost_nok", lang), "nok"))
    tab = Table("Municipalities", t("by_municipality_title", lang), cols,
                notes=[t("by_municipality_note", lang)])
    costs = (summary.get("costs") or {}).get("by_municipality", {})
    for name, kp in (summary.get("by_municipality") or {}).items():
        row: list[Any] = [name]
        for k in MUNICIPAL_KPIS:
            v = kp.get(k) or {}
            row += [v.get("mean"), v.get("ci_low"), v.get("ci_high")]
        row.append(kp.get("cost_nok", costs.get(name)))
        tab.rows.append(row)
    return tab


def cost_table(summary: dict[str, Any], lang: str = "en") -> Table:
    """The cost by service and by municipality, with the total."""
    costs = summary.get("costs") or {}
    tab = Table("Costs", t("annual_cost" if is_year(summary) else "period_cost", lang),
                [Column(t("service", lang) + " / " + t("municipality", lang)),
                 Column("NOK", "nok")], notes=[t("cost_note", lang)])
    for k, v in costs.get("by_service", {}).items():
        tab.rows.append([service_label(k, lang), v])
    tab.rows.append([t("total", lang), costs.get("total_nok")])
    for k, v in costs.get("by_municipality", {}).items():
        tab.rows.append([k, v])
    return tab


def terminal_kpis(summary: dict[str, Any], lang: str = "en") -> str:
    """The KPI table as the terminal shows it: label, mean and CI."""
    tab = kpi_table(summary, lang)
    width = max([40, *(len(r[0]) + 2 for r in tab.rows)])
    rows = [f"{t('kpi', lang):<{width}}{t('mean', lang):>14}  {t('ci95', lang)}"]
    for label, _name, mean, lo, hi, unit in tab.rows:
        ci = f"[{fmt(lo, unit, lang)}, {fmt(hi, unit, lang)}]" if _real(lo) and _real(hi) \
            else "-"
        rows.append(f"{label:<{width}}{fmt(mean, unit, lang):>14}  {ci}")
    return "\n".join(rows)


def terminal_municipalities(summary: dict[str, Any], lang: str = "en") -> str:
    """The per-municipality table for the terminal: mean [CI] per KPI and the cost."""
    tab = municipality_table(summary, lang)
    heads = [tab.columns[0].label, *(tab.columns[1 + 3 * i].label
                                     for i in range(len(MUNICIPAL_KPIS))),
             tab.columns[-1].label]
    body = []
    for row in active_rows(tab):
        cells = [str(row[0])]
        for i in range(len(MUNICIPAL_KPIS)):
            mean, lo, hi = row[1 + 3 * i: 4 + 3 * i]
            unit = tab.columns[1 + 3 * i].unit
            ci = f" [{fmt(lo, unit, lang)}, {fmt(hi, unit, lang)}]" if _real(lo) and _real(hi) \
                else ""
            cells.append(fmt(mean, unit, lang) + ci)
        cells.append(fmt(row[-1], "nok", lang))
        body.append(cells)
    widths = [max(len(str(r[j])) for r in [heads, *body]) for j in range(len(heads))]
    lines = ["  ".join(h.ljust(widths[0]) if j == 0 else h.rjust(widths[j])
                       for j, h in enumerate(heads))]
    for cells in body:
        lines.append("  ".join(c.ljust(widths[0]) if j == 0 else c.rjust(widths[j])
                               for j, c in enumerate(cells)))
    return "\n".join(lines)


def report_cell(x: Any, unit: str, lang: str) -> str:
    """A table cell of the report (people's formats)."""
    return fmt_value(x, unit, lang) if unit else ("–" if x is None else str(x))


def rule_notes(cfg: ScenarioConfig, summary: dict[str, Any], lang: str = "en") -> list[str]:
    """Footnotes for answer-time percentiles that sit exactly on a backup rule's wait (the
    90th percentile is 60.0 s in every replication because the nurses take alarms that have
    waited 60 s): a point mass of answers at that wait holds the percentile there."""
    rules = {(s.after_s, p.name) for p in cfg.pools for s in p.serves
             if s.category == Category.alarm and s.rule == BackupRule.after_wait}
    notes = []
    for name, k in (summary.get("kpis") or {}).items():
        if not (name.startswith("answer_time_p") and isinstance(k, dict) and _real(k.get("mean"))):
            continue
        mean, lo, hi = k["mean"], k.get("ci_low"), k.get("ci_high")
        for after, pool in sorted(rules):
            if abs(mean - after) < 1e-6 and (not _real(lo) or abs(hi - lo) < 1e-6):
                notes.append(t("p_at_rule", lang, label=kpi_label(name, lang),
                               value=fmt(mean, "s", lang),
                               pool=pool_name(pool, lang) if lang == "nb" else pool,
                               after=f"{after:g}"))
    return notes


def verdict_table(summary: dict[str, Any], lang: str = "en") -> Table:
    """One row per goal: category, goal share, limit, KPI, mean and CI, verdict; the verdict
    lines and the rule as notes."""
    tab = Table("Verdict", t("sec_verdict", lang),
                [Column("category"), Column(t("goal", lang), "share"),
                 Column("within_s", "s"), Column("kpi"), Column(t("mean", lang), "share"),
                 Column("ci_low", "share"), Column("ci_high", "share"), Column("verdict")],
                notes=[*verdict_lines(summary, lang), *range_lines(summary, lang),
                       *cost_lines(summary, lang),
                       t("verdict_rule", lang)])
    goal = summary.get("goal")
    if isinstance(goal, dict):
        for cat, g in [("alarm", goal), *(goal.get("categories") or {}).items()]:
            tab.rows.append([cat, g.get("share"), goal.get("within_s"), g.get("kpi"),
                             g.get("mean"), g.get("ci_low"), g.get("ci_high"),
                             g.get("verdict")])
    return tab


def cut_any(summary: dict[str, Any]) -> bool:
    """True when some KPI interval was cut at the limit of its range."""
    from respons.analysis.intervals import was_cut

    return any(was_cut(k.get("mean"), k.get("ci_low"), k.get("ci_high"), str(k.get("unit")))
               for k in (summary.get("kpis") or {}).values() if isinstance(k, dict))


def replications_warning(replications: int, lang: str = "en") -> str | None:
    """The few-replications warning in the reader's language (None with enough)."""
    from respons.analysis.intervals import MIN_REPLICATIONS

    if replications >= MIN_REPLICATIONS:
        return None
    key = "warn_single" if replications < 2 else "warn_few"
    return t("few_reps", lang, text=t(key, lang, reps=replications, min=MIN_REPLICATIONS))


def active_rows(tab: Table) -> list[list[Any]]:
    """The rows of a per-municipality table with anything in the period (alarms, visits or a
    cost): members that had not joined yet are left out of the printed tables."""
    def some(x: Any) -> bool:
        return _real(x) and x != 0

    return [r for r in tab.rows if any(some(v) for v in r[1:])]
