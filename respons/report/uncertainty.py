"""Figures and the self-contained report.html of an uncertainty study directory
(`respons uncertainty`): the headline KPIs' range over the assumptions, and which inputs move
them (Morris mu* and sigma)."""

from __future__ import annotations

import base64
import json
import math
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from respons.report.sections import CSS, fmt_value, table
from respons.report.style import TARGET_COLOUR, new_figure, percent_axis, save_figure, styled
from respons.runs.rundir import write_text

LABELS = {
    "alarms_answered_within_target_share": "alarms answered within target",
    "answer_time_mean_s": "mean wait, alarms",
    "answer_time_p90_s": "90th percentile wait, alarms",
    "legevakt_calls_within_target_share": "legevakt calls answered within target",
    "operator_utilisation": "operator utilisation",
    "backup_answered_share": "alarms answered by backup",
    "help_arrival_time_mean_s": "mean time to home-care arrival",
}
SELECTED, SCREENED = "#2f6db5", "#9aa7b5"


@styled
def morris_figure(inputs: pd.DataFrame, kpi: str, unit: str) -> Figure:
    """Horizontal bars of mu* per input (largest on top), sigma as a dot; inputs sampled in
    stage 2 in colour."""
    df = inputs.dropna(subset=["mu_star"]).sort_values("mu_star")
    scale = 100.0 if unit == "share" else 1.0
    fig = new_figure(7.2, 0.9 + 0.28 * max(len(df), 1))
    ax = fig.add_subplot()
    y = np.arange(len(df))
    colours = [SELECTED if s == "stage 2" else SCREENED for s in df["sampled"]]
    ax.barh(y, df["mu_star"] * scale, color=colours, height=0.65, label="μ*")
    ax.plot(df["sigma"] * scale, y, "o", color="#1d2733", markersize=3.5, label="σ")
    ax.set_yticks(y, df["input"])
    what = "percentage points" if unit == "share" else ("seconds" if unit == "s" else unit)
    ax.set_xlabel(f"elementary effect over the input's range, {what}")
    ax.set_title(f"Morris screening: {LABELS.get(kpi, kpi)}")
    ax.legend(loc="lower right")
    ax.grid(axis="y", visible=False)
    return fig


@styled
def range_figure(samples: pd.DataFrame, ranges: pd.DataFrame, kpi: str) -> Figure:
    """Histogram of a KPI over the assumption samples, with the 5-95 % range and the
    configured inputs' 95 % CI."""
    r = ranges.set_index("kpi").loc[kpi]
    unit = str(r["unit"])
    col = samples[f"kpi:{kpi}"].to_numpy(dtype=float)
    col = col[np.isfinite(col)]
    fig = new_figure(7.2, 3.2)
    ax = fig.add_subplot()
    ax.hist(col, bins=min(30, max(5, col.size // 3)), color=SELECTED, alpha=0.8)
    ax.axvspan(float(r["ci_low"]), float(r["ci_high"]), color="#3a9a5b", alpha=0.35,
               label="configured inputs, 95 % CI")
    for q, name in ((r["p05"], "5 %"), (r["p95"], "95 %")):
        ax.axvline(float(q), color=TARGET_COLOUR, linestyle="--", linewidth=1)
        ax.annotate(f" {name}", (float(q), 0.97), xycoords=("data", "axes fraction"),
                    ha="left", va="top", fontsize=8, color=TARGET_COLOUR)
    if unit == "share":
        percent_axis(ax, "x")
    ax.set_xlabel(LABELS.get(kpi, kpi))
    ax.set_ylabel("sample points")
    ax.set_title(f"{LABELS.get(kpi, kpi).capitalize()} over the assumptions")
    ax.legend(loc="upper center")
    return fig


def write_figures(out: Path, inputs: pd.DataFrame, ranges: pd.DataFrame,
                  samples: pd.DataFrame) -> list[tuple[str, str, str]]:
    """Write the figures; (name, title, caption) of each."""
    kpi = str(inputs["kpi"].iloc[0]) if len(inputs) else "alarms_answered_within_target_share"
    unit = str(ranges.set_index("kpi").loc[kpi, "unit"]) if kpi in set(ranges["kpi"]) else ""
    figs = []
    fig = morris_figure(inputs, kpi, unit)
    save_figure(fig, out / "figures", "morris", svg=True)
    figs.append(("morris", "Which assumptions move the headline KPI",
                 "Morris μ* (bar: mean absolute elementary effect, the change of the KPI "
                 "over a step of two thirds of the input's range, scaled to the whole range) "
                 "and σ (dot: how much that effect depends on the other inputs). Coloured: "
                 "inputs sampled in the second stage."))
    if f"kpi:{kpi}" in samples.columns and kpi in set(ranges["kpi"]):
        fig = range_figure(samples, ranges, kpi)
        save_figure(fig, out / "figures", "range", svg=True)
        figs.append(("range", "The headline KPI over the assumptions",
                     "Each sample point is one combination of the inputs that matter, run "
                     "with the same random numbers; dashed: 5 % and 95 % of the points; "
                     "green: the 95 % confidence interval with the configured inputs."))
    return figs


def write_report(out: Path) -> Path:
    """Figures and report.html of an uncertainty directory."""
    inputs = pd.read_csv(out / "inputs.csv")
    ranges = pd.read_csv(out / "ranges.csv")
    samples = pd.read_csv(out / "samples.csv")
    meta = json.loads((out / "metadata.json").read_text("utf-8"))
    figs = write_figures(out, inputs, ranges, samples)
    plan = meta.get("plan", {})
    title = f"Uncertainty over the assumptions: {meta.get('scenario', '')}"
    head = _headline(ranges)
    rows = []
    for r in ranges.itertuples(index=False):
        u = str(r.unit)
        rows.append([LABELS.get(r.kpi, r.kpi), fmt_value(_f(r.baseline_mean), u),
                     f"{fmt_value(_f(r.ci_low), u)} – {fmt_value(_f(r.ci_high), u)}",
                     f"{fmt_value(_f(r.p05), u)} – {fmt_value(_f(r.p95), u)}",
                     fmt_value(_f(r.p50), u)])
    kpi_unit = dict(zip(ranges["kpi"], ranges["unit"], strict=True))
    unit = kpi_unit.get(str(inputs["kpi"].iloc[0]), "") if len(inputs) else ""
    irows = []
    for r in inputs.itertuples(index=False):
        irows.append([str(r.input), _plain(r.low), _plain(r.high), _plain(r.configured),
                      _effect(r.mu_star, unit), _effect(r.sigma, unit), str(r.sampled),
                      str(r.why)])
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="lead">{escape(_plan_text(meta, plan))}</p>',
        f'<p class="callout">{escape(head)}</p>' if head else "",
        '<section id="ranges"><h2>Headline KPIs</h2>',
        table(["KPI", "configured inputs", "95 % CI (replications)",
               "5 – 95 % over the assumptions", "median"], rows, table_id="ranges-table",
              numeric=(1, 2, 3, 4)),
        '<p class="note">The confidence interval is the simulation noise with every input as '
        "configured; the 5–95 % range is the spread of the sample points' means over the "
        "assumptions (each point averages its replications under common random numbers). "
        "Fitted inputs are held at their fitted values.</p></section>",
        '<section id="inputs"><h2>Ranged inputs</h2>',
        table(["input", "low", "high", "configured", "μ*", "σ", "sampled", "why this range"],
              irows, table_id="inputs-table", numeric=(1, 2, 3, 4, 5)),
        "</section>",
        '<section id="figures"><h2>Figures</h2>',
        *[_figure(out, n, t, c) for n, t, c in figs],
        "</section>",
    ]
    path = out / "report.html"
    write_text(path, _page(title, "\n".join(b for b in body if b)))
    return path


def _headline(ranges: pd.DataFrame) -> str:
    sub = ranges[ranges["kpi"] == "alarms_answered_within_target_share"]
    if sub.empty:
        return ""
    r = sub.iloc[0]
    return (f"Alarms answered within target: {fmt_value(_f(r.baseline_mean), 'share')} with the "
            f"configured inputs (95 % CI {fmt_value(_f(r.ci_low), 'share')} – "
            f"{fmt_value(_f(r.ci_high), 'share')}); {fmt_value(_f(r.p05), 'share')} – "
            f"{fmt_value(_f(r.p95), 'share')} (5–95 %) when the assumptions move over their "
            "plausible ranges.")


def _plan_text(meta: dict[str, Any], plan: dict[str, Any]) -> str:
    wall = meta.get("wall_time_s")
    return (f"Morris screening with {plan.get('trajectories')} trajectories "
            f"({plan.get('screening_points')} points) over {plan.get('ranged_inputs')} ranged "
            f"inputs, then a {plan.get('second_stage')} of {plan.get('stage2_points')} points "
            f"over the {plan.get('selected')} that matter; {plan.get('replications')} "
            f"replications per point, seed {meta.get('seed')}"
            + (f"; {wall:,.0f} s wall time on {plan.get('jobs')} process(es)." if wall else "."))


def _figure(out: Path, name: str, title: str, caption: str) -> str:
    png = out / "figures" / f"{name}.png"
    uri = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")
    return (f'<figure id="fig-{escape(name)}"><img src="{uri}" alt="{escape(title)}">'
            f"<figcaption><strong>{escape(title)}.</strong> {escape(caption)}</figcaption>"
            "</figure>")


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
            f"{body}\n</main>\n</body>\n</html>\n")


def _f(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _plain(x: Any) -> str:
    v = _f(x)
    if v is None:
        return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x)
    return f"{v:,.4g}"


def _effect(x: Any, unit: str) -> str:
    v = _f(x)
    if v is None:
        return "–"
    return f"{100 * v:.2f} pp" if unit == "share" else f"{v:,.3g}"
