"""The run report: one self-contained HTML file (inline CSS, figures as data URIs, no scripts,
no external references) that a planner can mail around or open offline.

It answers first: the verdict on the goal and the cost (total, per service, per municipality),
then the per-municipality table, the key figures, the figures, the configuration and an
appendix with diagnostics. Every number comes from summary.json, formatted in the report's
language (English or Norwegian), so the report shows exactly what the terminal and the JSON
show.

`make_report(run_dir)` writes the figures when missing (or in another language) and then
`run_dir/report.html`; it also accepts a sweep or validation directory.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import struct
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from respons import __version__
from respons.analysis.breakdown import Breakdown
from respons.config import ScenarioConfig
from respons.config.loading import read_mapping, validate
from respons.report.formatting import fmt_value, number
from respons.report.i18n import MONTHS, date_text, language, pool_name, t
from respons.report.optional import sweep_facts, sweep_section, validation_section
from respons.report.sections import CSS, config_section, table
from respons.report.tables import (
    active_rows,
    cost_lines,
    cut_any,
    goal_share,
    kpi_table,
    municipality_table,
    range_lines,
    replications_warning,
    report_cell,
    rule_notes,
    verdict_lines,
)
from respons.runs.rundir import write_text

if TYPE_CHECKING:
    from respons.report.catalog import RunTables
    from respons.report.drawing import FigurePool

VERDICT_CLASS = {"met": "met", "not met": "not-met", "not proven": "not-proven"}


def run_language(run_dir: Path, lang: str | None = None) -> str:
    """The report's language: `lang`, else the run config's `lang`, else LANG."""
    if lang:
        return lang
    cfg = _read_config(run_dir, quiet=True)
    return language(None, cfg.lang if cfg is not None else None)


def make_report(run_dir: Path, lang: str | None = None, svg: bool = False,
                tables: RunTables | None = None, pool: FigurePool | None = None,
                progress: Callable[[int, int], None] | None = None) -> Path:
    """Write the figures (when missing, in another language, or `tables` are given) and
    report.html of a run, sweep or validation directory."""
    run_dir = Path(run_dir)
    lang = run_language(run_dir, lang)
    if (run_dir / "summary.json").is_file():
        index = _read_json(run_dir / "figures" / "index.json")
        if tables is not None or index.get("lang") != lang or (svg and not index.get("svg")):
            svg = svg or bool(index.get("svg"))  # redrawn figures keep their SVG copies
            from respons.report.catalog import load_run, write_run_figures

            tables = tables or load_run(run_dir)
            figures = run_dir / "figures"
            for old in (*figures.glob("*.png"), *figures.glob("*.svg")):
                old.unlink()
            write_run_figures(run_dir, lang, svg, tables, progress, pool)
    return write_report(run_dir, lang, tables.breakdown if tables is not None else None)


def _breakdown(run_dir: Path) -> Breakdown | None:
    path = run_dir / "breakdown.npz"
    if not path.is_file():
        return None
    try:
        return Breakdown.load(path)
    except (OSError, ValueError, KeyError):
        return None


def write_report(run_dir: Path, lang: str | None = None,
                 breakdown: Breakdown | None = None) -> Path:
    """Write `run_dir/report.html` from the run's files and the figures already written
    (`breakdown`: the run's tallies, else breakdown.npz when there is one)."""
    run_dir = Path(run_dir)
    lang = run_language(run_dir, lang)
    if breakdown is None and (run_dir / "summary.json").is_file():
        breakdown = _breakdown(run_dir)
    summary = _read_json(run_dir / "summary.json")
    meta = _read_json(run_dir / "metadata.json")
    cfg = _read_config(run_dir)
    sweep_name, extra = sweep_facts(run_dir, lang)
    validation, sweep = validation_section(run_dir, lang), sweep_section(run_dir, lang)
    name = summary.get("scenario") or (cfg.scenario if cfg else run_dir.name)
    if sweep and not summary:
        title = t("sweep_title", lang, name=sweep_name or name)
    elif validation and not summary:
        title = t("validation_title", lang, name=name)
    else:
        title = t("report_title", lang, name=name)
    years = meta.get("years")
    if isinstance(years, dict):
        word = t("replications_word", lang)
        extra = [*extra, (t("years_simulated", lang), ", ".join(
            f"{y} ({v.get('replications', '?')} {word})" if isinstance(v, dict) else str(y)
            for y, v in years.items()))]
    has_kpis = bool(summary.get("kpis"))
    sections = [
        ("verdict", t("sec_verdict", lang), verdict_section(summary, lang) if has_kpis else ""),
        ("municipalities", t("sec_municipalities", lang),
         municipality_section(summary, lang) + monthly_section(breakdown, lang)
         if summary.get("by_municipality") else ""),
        ("kpis", t("sec_kpis", lang), _kpi_section(summary, cfg, lang) if has_kpis else ""),
        ("validation", t("sec_validation", lang), validation),
        ("sweep", t("sec_sweep", lang), sweep),
        ("figures", t("sec_figures", lang), _figures_section(run_dir, lang, appendix=False)),
        ("config", t("sec_config", lang), config_section(cfg, lang) if cfg is not None else ""),
        ("appendix", t("sec_appendix", lang), _figures_section(run_dir, lang, appendix=True)),
    ]
    parts = [_header(title, summary, meta, cfg, run_dir, lang, extra),
             _toc([(anchor, label) for anchor, label, html in sections if html]),
             *(html for _, _, html in sections if html), _footer(meta, lang)]
    html = _page(title, "\n".join(parts), lang)
    out = run_dir / "report.html"
    write_text(out, html)
    return out


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _read_config(run_dir: Path, quiet: bool = False) -> ScenarioConfig | None:
    """The run's resolved config (None when absent, e.g. in a bare sweep directory)."""
    for name in ("config.resolved.yaml", "base.resolved.yaml"):
        path = run_dir / name
        if path.is_file():
            try:
                return validate(read_mapping(path), str(path))
            except Exception:
                if quiet:
                    return None
                raise
    return None


def _page(title: str, body: str, lang: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
            f"{body}\n</main>\n</body>\n</html>\n")


def _date(text: str | None, lang: str, minus_days: int = 0) -> str:
    """'1 Jan 2020' from an ISO date (optionally shifted, for an exclusive end)."""
    if not text:
        return "–"
    try:
        d = dt.date.fromisoformat(text) - dt.timedelta(days=minus_days)
    except ValueError:
        return text
    return date_text(d.year, d.month, d.day, lang)


def _when(iso: str, lang: str) -> str:
    """'23 Nov 2026 15:17 UTC' from an ISO timestamp in UTC."""
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{date_text(moment.year, moment.month, moment.day, lang)} {moment:%H:%M} UTC"


def _goal_fact(summary: dict[str, Any], lang: str) -> str | None:
    goal = summary.get("goal")
    if not isinstance(goal, dict):
        return None
    text = t("goal_value", lang, share=goal_share(goal["share"], lang),
             within=f"{goal['within_s']:g}")
    for cat, g in (goal.get("categories") or {}).items():
        text += "; " + t("goal_category", lang, share=goal_share(g["share"], lang),
                         what=t(f"what_{cat}", lang))
    return text


def _header(title: str, summary: dict[str, Any], meta: dict[str, Any],
            cfg: ScenarioConfig | None, run_dir: Path, lang: str,
            extra: list[tuple[str, str]] | None = None) -> str:
    period = summary.get("period") or (
        {"start": cfg.period.start.isoformat(), "end": cfg.period.end.isoformat()} if cfg else {})
    facts: list[tuple[str, str]] = []
    if period:
        days = ""
        try:
            n = (dt.date.fromisoformat(period["end"]) - dt.date.fromisoformat(period["start"])).days
            days = f" ({number(n, 0, lang)} {t('days', lang)})"
        except (KeyError, ValueError):
            pass
        facts.append((t("period", lang), f"{_date(period.get('start'), lang)} – "
                                         f"{_date(period.get('end'), lang, minus_days=1)}{days}"))
    for key, field in (("replications", "replications"), ("seed", "seed"),
                       ("municipalities_connected", "municipalities_connected")):
        if summary.get(field) is not None:
            facts.append((t(key, lang), str(summary[field])))
    fte = summary.get("roster_fte") or {}
    if fte:
        facts.append((t("rostered_fte", lang), ", ".join(
            f"{pool_name(k, lang) if lang == 'nb' else k} {number(v, 1, lang)}"
            for k, v in fte.items())
            + f" ({t('total', lang)} {number(sum(fte.values()), 1, lang)})"))
    goal = _goal_fact(summary, lang)
    if goal:
        facts.append((t("goal", lang), goal))
    elif cfg is not None:
        facts.append((t("target", lang), f"{cfg.target_s:g} s"))
    if meta.get("started_utc"):
        wall = meta.get("wall_time_s")
        facts.append((t("simulated", lang), _when(str(meta["started_utc"]), lang)
                      + (f", {fmt_value(wall, 's', lang)} {t('wall_time', lang)}"
                         if isinstance(wall, int | float) else "")))
    facts.extend(extra or [])
    facts.append((t("directory", lang), run_dir.name))
    desc = (cfg.description if cfg else "") or ""
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    return (f"<header>\n<h1>{escape(title)}</h1>\n"
            + (f'<p class="lead">{escape(desc)}</p>\n' if desc else "")
            + f'<dl class="facts">{dl}</dl>\n</header>')


def _toc(entries: list[tuple[str, str]]) -> str:
    links = " · ".join(f'<a href="#{escape(a)}">{escape(t)}</a>' for a, t in entries)
    return f'<nav aria-label="contents">{links}</nav>'


def verdict_section(summary: dict[str, Any], lang: str) -> str:
    """The verdict on every goal, then the cost: the first thing the report says."""
    goal = summary.get("goal")
    lines = verdict_lines(summary, lang)
    if isinstance(goal, dict):
        verdicts = [goal.get("verdict"), *(g.get("verdict") for g in
                                           (goal.get("categories") or {}).values())]
        overall = goal.get("verdict_all") or goal.get("verdict")
    else:
        verdicts, overall = [None], None
    body = "".join(f'<p class="line {VERDICT_CLASS.get(v, "")}">{escape(line)}</p>'
                   for line, v in zip(lines, verdicts, strict=False))
    body += "".join(f'<p class="range">{escape(line)}</p>'
                    for line in range_lines(summary, lang))
    cost = "".join(f'<p class="cost">{escape(line)}</p>'
                   for line in cost_lines(summary, lang, width=10_000))
    note = t("verdict_rule", lang) + (" " + t("goal_source_note", lang)
                                      if isinstance(goal, dict) else "")
    return (f'<section id="verdict">\n<h2>{escape(t("sec_verdict", lang))}</h2>\n'
            f'<div class="verdict {VERDICT_CLASS.get(overall or "", "")}" id="goal-verdict">'
            f"{body}</div>\n<div id=\"cost\">{cost}</div>\n"
            f'<p class="note">{escape(note)}</p>\n</section>')


def municipality_section(summary: dict[str, Any], lang: str) -> str:
    """Alarms, share within the limit and home-care visits (mean, with the 95 % CI below it)
    and cost per municipality; municipalities with nothing in the period are left out."""
    tab = municipality_table(summary, lang)
    n = (len(tab.columns) - 2) // 3
    head = [tab.columns[0].label, *(tab.columns[1 + 3 * i].label for i in range(n)),
            tab.columns[-1].label]
    rows = []
    for row in active_rows(tab):
        cells = [escape(str(row[0]))]
        for i in range(n):
            unit = tab.columns[1 + 3 * i].unit
            mean, lo, hi = row[1 + 3 * i: 4 + 3 * i]
            ci = (f"{report_cell(lo, unit, lang)} – {report_cell(hi, unit, lang)}"
                  if lo is not None and hi is not None else "")
            cells.append(escape(report_cell(mean, unit, lang))
                         + (f'<span class="ci">{escape(ci)}</span>' if ci else ""))
        cells.append(escape(report_cell(row[-1], "nok", lang)))
        rows.append(cells)
    notes = [*tab.notes, t("ci_below_note", lang)]
    return (f'<section id="municipalities">\n<h2>{escape(t("sec_municipalities", lang))}</h2>\n'
            '<div class="wide">'
            + table(head, rows, table_id="by-municipality-table",
                    numeric=tuple(range(1, len(head))), raw=True)
            + "</div>\n" + "".join(f'<p class="note">{escape(n)}</p>' for n in notes)
            + "\n</section>")


def monthly_section(b: Breakdown | None, lang: str) -> str:
    """Alarms and technical alerts per month and municipality (mean per replication), as a
    table shaded by volume: members joining show as rows filling in."""
    if b is None or "monthly" not in b.arrays:
        return ""
    tab = b.arrays["monthly"].sum(axis=0) / max(b.replications, 1)  # month x municipality
    munis, months = b.labels["municipalities"], b.labels["months"]
    keep = [i for i in range(len(munis)) if tab[:, i].sum() > 0]
    if not keep:
        return ""
    top = float(tab[:, keep].max()) or 1.0
    head = [t("municipality", lang)]
    for k, m in enumerate(months):
        year, month = (int(x) for x in m.split("-"))
        head.append(date_text(year, month, lang=lang) if k == 0 or month == 1
                    else MONTHS[lang][month - 1])
    body = []
    for i in keep:
        cells = [f"<td>{escape(munis[i])}</td>"]
        for v in tab[:, i]:
            shade = 0.75 * v / top
            ink = "#fff" if shade > 0.45 else "inherit"
            cells.append(f'<td class="num" style="background:rgba(0,0,0,{shade:.2f});'
                         f'color:{ink}">{escape(number(v, 0, lang))}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    num = ' class="num"'
    th = "".join(f"<th{num if j else ''}>{escape(h)}</th>" for j, h in enumerate(head))
    html = (f'<table id="monthly-table"><thead><tr>{th}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")
    title = t("monthly_title", lang)
    return (f"\n<h3>{escape(title)}</h3>\n<div class=\"wide\">{html}</div>\n"
            f'<p class="note">{escape(t("monthly_note", lang))}</p>')


def _kpi_section(summary: dict[str, Any], cfg: ScenarioConfig | None, lang: str) -> str:
    tab = kpi_table(summary, lang)
    reps = summary.get("replications")
    rows = []
    for label, name, mean, lo, hi, unit in tab.rows:
        ci = (f"{fmt_value(lo, unit, lang)} – {fmt_value(hi, unit, lang)}"
              if lo is not None and hi is not None else "–")
        rows.append([f'{escape(label)}<span class="code">{escape(name)}</span>',
                     escape(fmt_value(mean, unit, lang)), escape(ci)])
    notes = []
    if isinstance(reps, int):
        notes.append(t("interval_note", lang, reps=reps))
    notes.append(t("counting_note", lang))
    if isinstance(reps, int) and reps < 2:
        notes.append(t("single_rep_note", lang))
    if cut_any(summary):
        notes.append(t("cut_note", lang))
    warning = replications_warning(reps, lang) if isinstance(reps, int) else None
    if warning and reps >= 2:
        notes.append(warning)
    footnotes = rule_notes(cfg, summary, lang) if cfg is not None else []
    return (f'<section id="kpis">\n<h2>{escape(t("sec_kpis", lang))}</h2>\n'
            + table([t("kpi", lang), t("mean", lang), t("ci95", lang)], rows,
                    table_id="kpi-table", numeric=(1, 2), raw=True)
            + "\n" + ('<ol class="notes" id="kpi-footnotes">'
                      + "".join(f"<li>{escape(n)}</li>" for n in footnotes) + "</ol>\n"
                      if footnotes else "")
            + "".join(f'<p class="note">{escape(n)}</p>' for n in notes) + "\n</section>")


def png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG from its IHDR chunk (None if it is not a PNG)."""
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _figures_section(run_dir: Path, lang: str, appendix: bool) -> str:
    index = _read_json(run_dir / "figures" / "index.json")
    items = []
    figures = [f for f in index.get("figures", []) if bool(f.get("appendix")) == appendix]
    offset = 0 if not appendix else sum(1 for f in index.get("figures", [])
                                        if not f.get("appendix"))
    word = t("figure", lang)
    for i, fig in enumerate(figures, start=1 + offset):
        png = run_dir / "figures" / f"{fig.get('name', '')}.png"
        if not png.is_file():
            continue
        data = png.read_bytes()
        size = png_size(data)
        if size is None:
            continue
        uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
        title, caption = str(fig.get("title", "")), str(fig.get("caption", ""))
        items.append(
            f'<figure id="fig-{escape(str(fig.get("name")))}">'
            f'<img src="{uri}" alt="{escape(title)}" width="{size[0]}" height="{size[1]}">'
            f"<figcaption><strong>{word} {i}. {escape(title)}.</strong> {escape(caption)}"
            f"</figcaption></figure>")
    note = index.get("note") if not appendix else None
    if not items and not note:
        return ""
    anchor, heading = ("appendix", t("sec_appendix", lang)) if appendix else (
        "figures", t("sec_figures", lang))
    text = t("no_events_note", lang) if note else ""
    return (f'<section id="{anchor}">\n<h2>{escape(heading)}</h2>\n'
            + (f'<p class="callout">{escape(text)}</p>\n' if text else "")
            + "\n".join(items) + "\n</section>")


def _footer(meta: dict[str, Any], lang: str) -> str:
    versions = meta.get("versions")  # metadata.json is informative: any part may be damaged
    version = versions.get("respons") if isinstance(versions, dict) else None
    bits = [f"respons {version or __version__}"]
    if meta.get("git_revision"):
        bits.append(f"git {str(meta['git_revision'])[:12]}")
    if meta.get("config_sha256"):
        bits.append(f"config sha256 {str(meta['config_sha256'])[:12]}")
    bits.append(f"{t('report_written', lang)} {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    return f"<footer>{escape(' · '.join(bits))}</footer>"
