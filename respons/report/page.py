"""The run report: one self-contained HTML file (inline CSS, figures as data URIs, no scripts,
no external references) that a planner can mail around or open offline.

`make_report(run_dir)` writes the figures when missing and then `run_dir/report.html`; it
also accepts a sweep directory (with `sweep-summary.csv`).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import struct
from html import escape
from pathlib import Path
from typing import Any

from respons import __version__
from respons.config import ScenarioConfig
from respons.config.loading import read_mapping, validate
from respons.report.figures import write_run_figures
from respons.report.optional import sweep_facts, sweep_section, validation_section
from respons.report.sections import CSS, clip_to_range, config_section, fmt_value, table
from respons.runs.rundir import write_text

KPI_LABELS = {
    "alarms_answered": "Alarms answered",
    "alarms_resolved_by_operator_share": "Alarms resolved by the centre (of answered)",
    "technical_alerts": "Technical alerts arriving",
    "technical_resolved_by_operator_share": "Technical alerts resolved by the centre "
                                            "(of answered)",
    "alarms_answered_within_target_share": "Alarms answered within {target} s (of offered)",
    "answer_time_mean_s": "Alarm answer time, mean",
    "answer_time_p90_s": "Alarm answer time, 90th percentile",
    "answer_time_p99_s": "Alarm answer time, 99th percentile",
    "operator_utilisation": "Operator utilisation (busy / staffed time)",
    "backup_answered_share": "Alarms answered by backup staff (lead, nurses)",
    "legevakt_calls_within_target_share": "Legevakt calls answered within {target} s "
                                          "(of offered)",
    "homecare_visits": "Alarms forwarded to home care (visits)",
    "help_arrival_time_mean_s": "Time from alarm to home care arriving, mean",
    "alarms_rerouted": "Alarms rerouted to a secondary receiver",
    "legevakt_calls": "Legevakt calls arriving",
    "municipalities_connected": "Municipalities sending alarms or technical alerts",
    "help_arrival_within_target_share": "Home care arrived within the help target after the "
                                        "forwarding call (of forwarded alarms)",
    "it_work_orders": "IT work orders",
    "it_backlog_at_period_end": "IT work not finished when the period ends",
    "it_time_to_fix_mean_s": "IT time to fix (alert to work order done), mean",
    "it_time_to_fix_p90_s": "IT time to fix, 90th percentile",
    "it_fixed_within_deadline_share": "IT work orders fixed within their deadline",
}


def make_report(run_dir: Path) -> Path:
    """Write the figures (if missing) and report.html of a run or sweep directory."""
    run_dir = Path(run_dir)
    if (run_dir / "summary.json").is_file() and not (run_dir / "figures" / "index.json").is_file():
        write_run_figures(run_dir)
    return write_report(run_dir)


def write_report(run_dir: Path) -> Path:
    """Write `run_dir/report.html` from the run's files and the figures already written."""
    run_dir = Path(run_dir)
    summary = _read_json(run_dir / "summary.json")
    meta = _read_json(run_dir / "metadata.json")
    cfg = _read_config(run_dir)
    sweep_name, extra = sweep_facts(run_dir)
    validation, sweep = validation_section(run_dir), sweep_section(run_dir)
    name = summary.get("scenario") or (cfg.scenario if cfg else run_dir.name)
    if sweep and not summary:
        title = f"Respons sweep report: {sweep_name or name}"
    elif validation and not summary:
        title = f"Respons validation report: {name}"
    else:
        title = f"Respons report: {name}"
    years = meta.get("years")
    if isinstance(years, dict):
        extra = [*extra, ("Years simulated", ", ".join(
            f"{y} ({v.get('replications', '?')} replications)" if isinstance(v, dict) else str(y)
            for y, v in years.items()))]
    sections = [
        ("kpis", "Key figures", _kpi_section(summary, cfg) if summary.get("kpis") else ""),
        ("validation", "Simulated vs published", validation),
        ("sweep", "Sweep", sweep),
        ("figures", "Figures", _figures_section(run_dir)),
        ("config", "Configuration", config_section(cfg) if cfg is not None else ""),
    ]
    parts = [_header(title, summary, meta, cfg, run_dir, extra),
             _toc([(anchor, label) for anchor, label, html in sections if html]),
             *(html for _, _, html in sections if html), _footer(meta)]
    html = _page(title, "\n".join(parts))
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


def _read_config(run_dir: Path) -> ScenarioConfig | None:
    """The run's resolved config (None when absent, e.g. in a bare sweep directory)."""
    for name in ("config.resolved.yaml", "base.resolved.yaml"):
        path = run_dir / name
        if path.is_file():
            return validate(read_mapping(path), str(path))
    return None


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
            f"{body}\n</main>\n</body>\n</html>\n")


def _date(text: str | None, minus_days: int = 0) -> str:
    """'1 Jan 2020' from an ISO date (optionally shifted, for an exclusive end)."""
    if not text:
        return "–"
    try:
        d = dt.date.fromisoformat(text) - dt.timedelta(days=minus_days)
    except ValueError:
        return text
    return f"{d.day} {d:%b %Y}"


def _when(iso: str) -> str:
    """'23 Nov 2026 15:17 UTC' from an ISO timestamp in UTC."""
    try:
        t = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{t.day} {t:%b %Y %H:%M} UTC"


def _header(title: str, summary: dict[str, Any], meta: dict[str, Any],
            cfg: ScenarioConfig | None, run_dir: Path,
            extra: list[tuple[str, str]] | None = None) -> str:
    period = summary.get("period") or (
        {"start": cfg.period.start.isoformat(), "end": cfg.period.end.isoformat()} if cfg else {})
    facts: list[tuple[str, str]] = []
    if period:
        days = ""
        try:
            n = (dt.date.fromisoformat(period["end"]) - dt.date.fromisoformat(period["start"])).days
            days = f" ({n:,} days)"
        except (KeyError, ValueError):
            pass
        facts.append(("Period", f"{_date(period.get('start'))} – "
                                f"{_date(period.get('end'), minus_days=1)}{days}"))
    for label, key in (("Replications", "replications"), ("Seed", "seed"),
                       ("Municipalities connected", "municipalities_connected")):
        if summary.get(key) is not None:
            facts.append((label, str(summary[key])))
    fte = summary.get("roster_fte") or {}
    if fte:
        facts.append(("Rostered FTE", ", ".join(f"{k} {v:.1f}" for k, v in fte.items())
                      + f" (total {sum(fte.values()):.1f})"))
    if cfg is not None:
        facts.append(("Answer-time target", f"{cfg.target_s:g} s"))
    if meta.get("started_utc"):
        facts.append(("Simulated", _when(str(meta["started_utc"]))
                      + (f", {fmt_value(meta['wall_time_s'], 's')} wall time"
                         if isinstance(meta.get("wall_time_s"), int | float) else "")))
    facts.extend(extra or [])
    facts.append(("Directory", run_dir.name))
    desc = (cfg.description if cfg else "") or ""
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    return (f"<header>\n<h1>{escape(title)}</h1>\n"
            + (f'<p class="lead">{escape(desc)}</p>\n' if desc else "")
            + f'<dl class="facts">{dl}</dl>\n</header>')


def _toc(entries: list[tuple[str, str]]) -> str:
    links = " · ".join(f'<a href="#{escape(a)}">{escape(t)}</a>' for a, t in entries)
    return f'<nav aria-label="contents">{links}</nav>'


def _kpi_section(summary: dict[str, Any], cfg: ScenarioConfig | None) -> str:
    target = f"{cfg.target_s:g}" if cfg else "120"
    reps = summary.get("replications")
    rows = []
    clipped = False
    for name, k in summary["kpis"].items():
        if not isinstance(k, dict):
            continue
        unit = str(k.get("unit", ""))
        label = KPI_LABELS.get(name, name.replace("_", " ").capitalize()).format(target=target)
        lo, hi = clip_to_range(k.get("ci_low"), unit), clip_to_range(k.get("ci_high"), unit)
        clipped = clipped or (lo, hi) != (k.get("ci_low"), k.get("ci_high"))
        ci = (f"{fmt_value(lo, unit)} – {fmt_value(hi, unit)}"
              if _finite(lo) and _finite(hi) else "–")
        rows.append([f'{escape(label)}<span class="code">{escape(name)}</span>',
                     escape(fmt_value(k.get("mean"), unit)), escape(ci)])
    note = (f"Mean over {reps:,} replications with a Student-t 95 % confidence interval. "
            if isinstance(reps, int) else "")
    note += ("Contacts are counted by arrival within the period; shares “within target” count "
             "every offered contact, so one never answered is a miss. Times: seconds below a "
             "minute, otherwise minutes:seconds.")
    if isinstance(reps, int) and reps < 2:
        note += " With a single replication there is no confidence interval."
    if clipped:
        note += (" Some interval bounds fell outside the possible range (a share below 0 % or "
                 "above 100 %, a negative time or count) and are shown cut to it: with few "
                 "replications the t interval is wide; run more replications.")
    return ('<section id="kpis">\n<h2>Key figures</h2>\n'
            + table(["KPI", "mean", "95 % CI"], rows, table_id="kpi-table",
                    numeric=(1, 2), raw=True)
            + f'\n<p class="note">{escape(note)}</p>\n</section>')


def _finite(x: Any) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)


def png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG from its IHDR chunk (None if it is not a PNG)."""
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _figures_section(run_dir: Path) -> str:
    index = _read_json(run_dir / "figures" / "index.json")
    items = []
    for i, fig in enumerate(index.get("figures", []), start=1):
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
            f"<figcaption><strong>Figure {i}. {escape(title)}.</strong> {escape(caption)}"
            f"</figcaption></figure>")
    note = index.get("note")
    if not items and not note:
        return ""
    return ('<section id="figures">\n<h2>Figures</h2>\n'
            + (f'<p class="callout">{escape(str(note))}</p>\n' if note else "")
            + "\n".join(items) + "\n</section>")


def _footer(meta: dict[str, Any]) -> str:
    bits = [f"respons {meta.get('versions', {}).get('respons', __version__)}"]
    if meta.get("git_revision"):
        bits.append(f"git {str(meta['git_revision'])[:12]}")
    if meta.get("config_sha256"):
        bits.append(f"config sha256 {str(meta['config_sha256'])[:12]}")
    bits.append(f"report written {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    return f"<footer>{escape(' · '.join(bits))}</footer>"
