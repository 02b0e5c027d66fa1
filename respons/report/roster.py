"""report.html of a roster directory: the answer next to the alternatives, the iterations, the
rota, a week x hour heat map of required vs rostered staff, and the share of alarms answered
in time by hour. One self-contained file (inline CSS, figures as data URIs), built from the
directory's summary.json, roster.csv and intervals.csv."""

from __future__ import annotations

import base64
import csv
import io
import json
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from respons.report import palette
from respons.report.sections import CSS, table
from respons.report.style import (
    DPI,
    STYLE,
    TARGET_COLOUR,
    WEEKDAY_LABELS,
    new_figure,
    percent_axis,
    styled,
)
from respons.runs.rundir import write_text

SLOTS_PER_DAY = 48


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _grid(intervals: list[dict[str, str]], column: str) -> np.ndarray:
    return np.array([float(r[column]) for r in intervals]).reshape(7, SLOTS_PER_DAY)


def hour_shares(intervals: list[dict[str, str]]) -> np.ndarray:
    """Share of alarms answered in time by hour of day (simulated, the answer's rota)."""
    alarms, hits = np.zeros(24), np.zeros(24)
    for i, r in enumerate(intervals):
        if r["within_target_share"] not in ("", None):
            h = (i % SLOTS_PER_DAY) // 2
            a = float(r["alarms_simulated"])
            alarms[h] += a
            hits[h] += a * float(r["within_target_share"])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(alarms > 0, hits / alarms, np.nan)


@styled
def heatmap_figure(intervals: list[dict[str, str]]) -> Any:
    """Required (what the search credited) and rostered people per half hour of the week."""
    req, ros = _grid(intervals, "required"), _grid(intervals, "rostered")
    top = max(float(req.max()), float(ros.max()), 1.0)
    fig = new_figure(11, 5.2)
    axes = fig.subplots(2, 1, sharex=True)
    for ax, data, title in ((axes[0], req, "Required (people the search asked for)"),
                            (axes[1], ros, "Rostered (people on duty)")):
        im = ax.imshow(data, aspect="auto", cmap="Blues", vmin=0, vmax=top,
                       interpolation="nearest")
        ax.set_title(title, loc="left")
        ax.set_yticks(range(7), WEEKDAY_LABELS)
        ax.grid(False)
        for (i, j), v in np.ndenumerate(data):
            if j % 2 == 0 or data[i, j] != data[i, j - 1]:
                ax.text(j, i, f"{v:g}", ha="center", va="center", fontsize=6,
                        color="white" if v > 0.6 * top else "#1d2733")
    axes[1].set_xticks(range(0, SLOTS_PER_DAY, 2), [f"{h:02d}" for h in range(24)])
    axes[1].set_xlabel("hour of day (each cell is half an hour)")
    fig.colorbar(im, ax=axes, shrink=0.8, label="people")
    return fig


@styled
def hourly_share_figure(intervals: list[dict[str, str]], goal: float) -> Any:
    """Share of alarms answered within the limit by hour of day, with the goal."""
    share = hour_shares(intervals)
    fig = new_figure(11, 3.2)
    ax = fig.subplots()
    ax.bar(range(24), np.nan_to_num(share), color=palette.category("alarm"), width=0.8)
    ax.axhline(goal, color=TARGET_COLOUR, linewidth=1.2, label=f"goal {100 * goal:g} %")
    low = float(np.nanmin(share)) if np.isfinite(share).any() else goal
    ax.set_ylim(max(0.0, min(low, goal) - 0.02), 1.0)
    ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)])
    ax.set_xlabel("hour of day (alarm arrival)")
    percent_axis(ax)
    ax.legend(loc="lower right")
    return fig


def _data_uri(fig: Any) -> str:
    import matplotlib

    buf = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.2f} %"


def _ci(k: dict[str, Any]) -> str:
    return f"{_pct(k['mean'])} [{_pct(k['ci_low'])}, {_pct(k['ci_high'])}]"


def _figure(uri: str, caption: str) -> str:
    return f'<figure><img src="{uri}" alt=""><figcaption>{caption}</figcaption></figure>'


def write_roster_report(out: Path) -> Path:
    """Write `out/report.html` from the roster directory's files."""
    s = json.loads((out / "summary.json").read_text("utf-8"))
    roster, intervals = _rows(out / "roster.csv"), _rows(out / "intervals.csv")
    g, p = s["goal"], s["period"]
    title = f"Respons roster: {s['scenario']}, pool {s['pool']}"
    verdict = "meets" if s["met"] else "does not meet"
    parts = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="lead">The cheapest weekly rota of the shift catalogue '
        f"<strong>{escape(s['shifts']['name'])}</strong> that {verdict} the goal: at least "
        f"{100 * g['share']:g} % of alarms answered within {g['within_s']:g} s (lower 95 % "
        f"bound over {s['replications']} replications), with at least {s['min_on_duty']} on "
        f"duty at all times. It holds for the period {escape(p['start'])} to "
        f"{escape(p['end'])} (end exclusive, {p['days']} days).</p>",
        '<dl class="facts">'
        f"<dt>FTE (rostered)</dt><dd>{s['fte']:.2f} ({s['weekly_hours']:.1f} h a week)</dd>"
        f"<dt>Cost</dt><dd>NOK {s['cost_nok']:,} over the period "
        f"(NOK {s['cost_nok_per_week']:,} a week)</dd>"
        f"<dt>Alarms in time</dt><dd>{_ci(s['goal_kpi'])}</dd>"
        f"<dt>Seeds</dt><dd>verified on seed {s['seed']}, searched on seed "
        f"{s['search_seed']}</dd></dl>",
    ]
    parts += [f'<p class="callout">{escape(n)}</p>' for n in s["notes"]]
    extra = s.get("min_on_duty_extra")
    if extra:
        parts.append(f'<p class="callout">At least {s["min_on_duty"]} on duty costs NOK '
                     f"{extra['cost_nok']:,} more over the period (NOK "
                     f"{extra['cost_nok_per_week']:,} a week, {extra['fte']:+.2f} FTE) than "
                     f"the answer with at least {extra['without']}.</p>")
    parts.append("<h2>Compared</h2>")
    parts.append(table(
        ["rota", "FTE", "h/week", "cost (period), NOK", "alarms in time (95 % CI)", "goal"],
        [[r["name"], f"{r['fte']:.2f}", f"{r['weekly_hours']:.1f}", f"{r['cost_nok']:,}",
          _ci(r["goal_kpi"]), "met" if r["met"] else "missed"] for r in s["comparison"]],
        numeric=(1, 2, 3),
        classes=[["", "", "", "", "", "yes" if r["met"] else "no"] for r in s["comparison"]]))
    parts.append('<p class="note">All simulated on the same draws (common random numbers). '
                 "Costs are the staffed pool's hours at the catalogue's rates (pay, "
                 "supplements, employer costs), not the other pools.</p>")
    parts.append("<h2>Iterations</h2>")
    parts.append(table(
        ["#", "NOK/week", "FTE", "expected", "search draws (95 % CI)", "verified (95 % CI)",
         "goal"],
        [[str(it["iteration"]), f"{it['cost_nok_per_week']:,}", f"{it['fte']:.2f}",
          _pct(it["expected"]), _ci(it["search"]),
          _ci(it["verified"]) if it["verified"] else "–", "met" if it["met"] else "missed"]
         for it in s["iterations"]], numeric=(0, 1, 2, 3)))
    parts.append("<h2>Required and rostered staff</h2>")
    parts.append(_figure(_data_uri(heatmap_figure(intervals)), (
        "<strong>People per half hour of the week.</strong> Required: the level per half hour "
        "the search credited (Erlang C corrected by simulation); rostered: people on duty "
        "under the answer (more where whole shifts overlap).")))
    parts.append(_figure(_data_uri(hourly_share_figure(intervals, g["share"])), (
        "<strong>Share of alarms answered within the limit, by hour of arrival</strong> "
        "(simulated, the answer's rota, all replications).")))
    parts.append("<h2>The rota</h2>")
    parts.append(table(["pool", "day", "start", "end", "people"],
                       [[r["pool"], r["day"], r["start"], r["end"], r["people"]]
                        for r in roster], numeric=(4,)))
    munis = s.get("cost_by_municipality")
    if munis:
        parts.append("<h2>Cost by municipality</h2>")
        parts.append(table(["municipality", "NOK"], [[m, f"{v:,}"] for m, v in munis.items()],
                           numeric=(1,)))
        parts.append('<p class="note">The rota\'s cost split by the published keys of its '
                     "cost service (seed-facts.md §2.12), pro rata by days of membership.</p>")
    html = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(parts) + "\n</main>\n</body>\n</html>\n")
    path = out / "report.html"
    write_text(path, html)
    return path
