"""The report's optional sections, shown only when their files exist: simulated vs published
(`validation.csv`) and a sweep's service level by point (`sweep-summary.csv`).

Both read files written by other commands, so they are defensive: a missing or malformed file
gives no section rather than an error.
"""

from __future__ import annotations

import base64
import io
import json
import math
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from respons.analysis.kpis import KPI_UNITS
from respons.report.sections import clip_to_range, fmt_share, fmt_value, table
from respons.report.style import DPI, TARGET_COLOUR, new_figure, percent_axis, styled


def _png_data_uri(fig: Any) -> tuple[str, int, int]:
    """Render a figure to a PNG data URI with its pixel size."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    w, h = (int(round(v * DPI)) for v in fig.get_size_inches())
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii"), w, h


def _read_table(path: Path) -> pd.DataFrame | None:
    """A CSV the run may or may not have; None when it is missing or unreadable."""
    if not path.is_file():
        return None
    try:
        return pd.read_csv(path)
    except (OSError, ValueError, pd.errors.ParserError):
        return None


def validation_section(run_dir: Path) -> str:
    """The simulated-vs-published table from validation.csv, or '' when there is none. Each
    figure shows its role: fitted (an input was tuned to it) or predicted (none was)."""
    df = _read_table(run_dir / "validation.csv")
    if df is None:
        return ""
    need = {"figure", "published", "simulated_mean"}
    if not need <= set(df.columns):
        return ""
    has_year, has_role = "year" in df.columns, "role" in df.columns
    rows, classes = [], []
    for _, r in df.iterrows():
        kpi = str(r.get("kpi", ""))
        unit = (str(r["unit"]) if isinstance(r.get("unit"), str) else None) \
            or KPI_UNITS.get(kpi) or guess_unit(str(r["figure"]), r.get("published"),
                                                r.get("simulated_mean"))
        lo, hi = r.get("ci_low"), r.get("ci_high")
        ci = (f"{fmt_value(_num(lo), unit)} – {fmt_value(_num(hi), unit)}"
              if _num(lo) is not None and _num(hi) is not None else "–")
        if has_role and str(r.get("role")) == "predicted" and _num(lo) == _num(hi):
            ci = "expected value"
        inside = _yes_no(r.get("inside"))
        rows.append([*([plain(r["year"])] if has_year else []), str(r["figure"]),
                     *([plain(r["role"])] if has_role else []),
                     fmt_value(_num(r.get("published")), unit),
                     fmt_value(_num(r.get("simulated_mean")), unit), ci,
                     _band(r.get("band"), unit), inside])
        classes.append([""] * (len(rows[-1]) - 1) + [{"yes": "yes", "no": "no"}.get(inside, "")])
    head = [*(["year"] if has_year else []), "figure", *(["role"] if has_role else []),
            "published", "model (mean)", "95 % CI", "accepted band", "inside"]
    first = 1 + has_year + has_role
    return ('<section id="validation">\n<h2>Simulated vs published</h2>\n'
            + table(head, rows, table_id="validation-table",
                    numeric=tuple(range(first, first + 4)), classes=classes)
            + f'\n<p class="note">{escape(_inside_note(df, rows))} A fitted figure had an '
              "input tuned to it (inside its band it shows only that the fit is current); a "
              "predicted one had none (validation.csv, validation.md give each band's "
              "reason).</p>\n</section>")


def _inside_note(df: pd.DataFrame, rows: list[list[str]]) -> str:
    if "role" not in df.columns:
        ok = sum(1 for r in rows if r[-1] == "yes")
        return f"{ok} of {len(rows)} published figures have the model inside their band."
    parts = []
    for role in ("fitted", "predicted"):
        mine = [r for r, x in zip(rows, df["role"].astype(str), strict=True) if x == role]
        if mine:
            ok = sum(1 for r in mine if r[-1] == "yes")
            parts.append(f"{role}: {ok} of {len(mine)} inside their band")
    return "; ".join(parts) + "."


def guess_unit(name: str, *values: Any) -> str:
    """The unit of a validation figure from its name ('share', 's', 'count') or values."""
    low = name.lower()
    if "share" in low or "utilisation" in low or low.endswith("_pct"):
        return "share"
    if low.endswith("_s") or "time" in low:
        return "s"
    nums = [v for v in (_num(x) for x in values) if v is not None]
    if nums and all(0 <= v <= 1 for v in nums) and any(v != int(v) for v in nums):
        return "share"
    return "count" if nums and all(abs(v) >= 10 for v in nums) else ""


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _band(x: Any, unit: str) -> str:
    v = _num(x)
    if v is None:
        return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x)
    return f"± {fmt_value(v, unit)}"


def _yes_no(x: Any) -> str:
    if isinstance(x, str):
        return "yes" if x.strip().lower() in {"true", "yes", "1"} else "no"
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return "yes" if bool(x) else "no"


SERVICE_KPIS = ("alarms_answered_within_target_share", "legevakt_calls_within_target_share")
GOAL_KEYS = ("service_level_goal", "goal_share", "target_share")
DEFAULT_GOAL = 0.80  # the legevakt rule, akuttmedisinforskriften § 13 (external-facts.md)


def sweep_section(run_dir: Path) -> str:
    """Service level against sweep point with CIs and the cheapest point meeting the goal."""
    df = _read_table(run_dir / "sweep-summary.csv")
    if df is None:
        return ""
    kpis = [c[:-5] for c in df.columns if c.endswith("_mean")
            and {f"{c[:-5]}_ci_low", f"{c[:-5]}_ci_high"} <= set(df.columns)]
    if "point" not in df.columns or df.empty or not kpis:
        return ""
    used = {f"{k}_{s}" for k in kpis for s in ("mean", "ci_low", "ci_high")}
    factors = _design_factors(run_dir) or [
        c for c in df.columns if c not in used and c not in ("point", "replications", "failed")]
    factors = [f for f in factors if f in df.columns]
    service = [k for k in SERVICE_KPIS if k in kpis] or [k for k in kpis if "share" in k][:1]
    goal, goal_source = _goal(run_dir)
    fte = _point_fte(run_dir, df)
    cost, cost_note = _cost(df, factors, kpis, fte)
    parts = ['<section id="sweep">\n<h2>Sweep: service level by point</h2>']
    if service:
        primary = service[0]
        sure = _sure(df, primary, goal)
        order = df.index if cost is None else cost.sort_values(kind="stable").index
        best = next((i for i in order if sure[i]), None)
        uri, w, h = _png_data_uri(sweep_figure(df, service, goal, best))
        parts.append(f'<figure id="fig-sweep"><img src="{uri}" alt="service level by sweep '
                     f'point" width="{w}" height="{h}"><figcaption><strong>Service level by '
                     "sweep point.</strong> Mean with 95 % confidence interval per point; "
                     f"dashed line: the goal of {escape(fmt_share(goal))} "
                     f"({escape(goal_source)}).</figcaption></figure>")
        label = primary.replace("_", " ")
        if best is None:
            verdict = (f"No point reaches the goal of {fmt_share(goal)} for {label} with its "
                       "whole 95 % confidence interval.")
        else:
            where = ", ".join(f"{f} = {plain(df.at[best, f])}" for f in factors)
            verdict = (f"Cheapest point meeting the goal ({cost_note}): "
                       f"{plain(df.at[best, 'point'])}" + (f" ({where})" if where else "")
                       + f", with {fmt_share(float(df.at[best, f'{primary}_mean']))} {label} "
                       f"and its whole 95 % confidence interval above {fmt_share(goal)}.")
        parts.append(f'<p class="callout">{escape(verdict)}</p>')
    shown = [*service, *(["operator_utilisation"] if "operator_utilisation" in kpis else [])]
    head = ["point", *factors, *(["roster FTE"] if fte is not None else []),
            *(k.replace("_", " ") for k in shown)]
    rows = []
    for i in df.index:
        cells = [plain(df.at[i, "point"]), *(plain(df.at[i, f]) for f in factors)]
        if fte is not None:
            cells.append(f"{fte[i]:.1f}")
        for k in shown:
            unit = KPI_UNITS.get(k) or guess_unit(k, df.at[i, f"{k}_mean"])
            mean, lo, hi = (clip_to_range(_num(df.at[i, f"{k}_{s}"]), unit)
                            for s in ("mean", "ci_low", "ci_high"))
            cells.append(f"{fmt_value(mean, unit)} [{fmt_value(lo, unit)} – "
                         f"{fmt_value(hi, unit)}]")
        rows.append(cells)
    first = 1 + len(factors)
    parts.append('<div class="wide">' + table(head, rows, table_id="sweep-table",
                                              numeric=tuple(range(first, len(head)))) + "</div>")
    parts.append('<p class="note">Intervals are cut to the possible range (0–100 %).</p>')
    return "\n".join(parts) + "\n</section>"


def _point_fte(run_dir: Path, df: pd.DataFrame) -> pd.Series | None:
    """Total rostered FTE per point from points/<point>/config.resolved.yaml (None if any lacks)."""
    from respons.config.loading import read_mapping, validate
    from respons.engine.rosters import fte

    out = {}
    for i in df.index:
        path = run_dir / "points" / str(df.at[i, "point"]) / "config.resolved.yaml"
        if not path.is_file():
            return None
        try:
            cfg = validate(read_mapping(path), str(path))
        except Exception:  # noqa: BLE001 - a broken point config only loses the FTE column
            return None
        out[i] = sum(fte(p, cfg.fte_hours_per_week, cfg.period) for p in cfg.pools)
    return pd.Series(out, dtype=float)


def plain(x: Any) -> str:
    """A table cell: whole numbers without decimals, others to four significant digits."""
    v = _num(x)
    if v is None or isinstance(x, bool):
        return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x)
    return f"{v:.0f}" if v.is_integer() else f"{v:.4g}"


def sweep_facts(run_dir: Path) -> tuple[str | None, list[tuple[str, str]]]:
    """The sweep's name and header facts from design.json (None and [] when not a sweep)."""
    try:
        doc = json.loads((run_dir / "design.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None, []
    if not isinstance(doc, dict):
        return None, []
    facts = [(label, plain(doc[key])) for label, key in
             (("Replications per point", "replications"), ("Tasks", "tasks"))
             if key in doc]
    if isinstance(doc.get("points"), list):
        facts.insert(0, ("Points", str(len(doc["points"]))))
    if isinstance(doc.get("factors"), list):
        facts.insert(1, ("Factors", ", ".join(str(f) for f in doc["factors"]) or "–"))
    name = doc.get("sweep")
    return (str(name) if name else None), facts


def _design_factors(run_dir: Path) -> list[str]:
    """The factor columns named by the sweep's design.json (empty when unknown)."""
    try:
        doc = json.loads((run_dir / "design.json").read_text("utf-8"))
    except (OSError, ValueError):
        return []
    factors = doc.get("factors") if isinstance(doc, dict) else None
    return [str(f) for f in factors] if isinstance(factors, list) else []


def _goal(run_dir: Path) -> tuple[float, str]:
    """The service-level goal from the sweep's JSON metadata, else the legevakt rule's 80 %."""
    for name in ("sweep.json", "sweep-meta.json", "metadata.json"):
        try:
            data = json.loads((run_dir / name).read_text("utf-8"))
        except (OSError, ValueError):
            continue
        for key in GOAL_KEYS:
            v = _num(data.get(key)) if isinstance(data, dict) else None
            if v is not None and 0 < v <= 1:
                return v, f"from {name}"
    return DEFAULT_GOAL, "default: the legevakt rule of 80 % within the target"


def _cost(df: pd.DataFrame, factors: list[str], kpis: list[str],
          fte: pd.Series | None) -> tuple[pd.Series | None, str]:
    """What orders points by cost: a cost column, else rostered FTE, else the listed order."""
    cols = [*factors, *(f"{k}_mean" for k in kpis)]
    for c in cols:
        if "cost" in c.lower() and pd.api.types.is_numeric_dtype(df[c]):
            return df[c], f"cheapest by {c}"
    if fte is not None:
        return fte, "cheapest by total rostered FTE"
    for c in cols:
        if "fte" in c.lower() and pd.api.types.is_numeric_dtype(df[c]):
            return df[c], f"cheapest by {c}"
    return None, "no cost known: points taken as listed, cheapest first"


def _sure(df: pd.DataFrame, kpi: str, goal: float) -> pd.Series:
    """Points whose CI lower bound (or mean, when there is no CI) reaches the goal."""
    low = pd.to_numeric(df[f"{kpi}_ci_low"], errors="coerce")
    low = low.fillna(pd.to_numeric(df[f"{kpi}_mean"], errors="coerce"))
    return low >= goal


@styled
def sweep_figure(df: pd.DataFrame, kpis: list[str], goal: float, best: Any) -> Figure:
    """Service-level KPIs against sweep point with CI bands, the goal and the chosen point."""
    fig = new_figure(11, 4.0)
    ax = fig.subplots()
    x = np.arange(len(df))
    colours = ["#2f6db5", "#3a9a5b", "#8a63b8"]
    for k, colour in zip(kpis, colours, strict=False):
        mean = pd.to_numeric(df[f"{k}_mean"], errors="coerce").to_numpy(dtype=float)
        lo = pd.to_numeric(df[f"{k}_ci_low"], errors="coerce").to_numpy(dtype=float)
        hi = pd.to_numeric(df[f"{k}_ci_high"], errors="coerce").to_numpy(dtype=float)
        ax.plot(x, mean, marker="o", color=colour, lw=1.8, label=k.replace("_", " "))
        ax.fill_between(x, np.clip(lo, 0, 1), np.clip(hi, 0, 1), color=colour, alpha=0.2, lw=0)
    ax.axhline(goal, color=TARGET_COLOUR, ls="--", lw=1.2, label=f"goal {100 * goal:.0f} %")
    if best is not None:
        pos = int(df.index.get_loc(best))
        y = float(pd.to_numeric(df[f"{kpis[0]}_mean"], errors="coerce")[best])
        ax.annotate("cheapest meeting the goal", xy=(pos, y), xytext=(0, -34),
                    textcoords="offset points", ha="center", fontsize=8.5,
                    arrowprops={"arrowstyle": "->", "color": "#333333"})
    labels = [str(p) for p in df["point"]]
    long = max(len(s) for s in labels) > 90 / max(len(labels), 1)
    ax.set_xticks(x, labels, rotation=25 if long else 0, ha="right" if long else "center",
                  fontsize=8 if long else None)
    ax.set_xlabel("sweep point")
    ax.set_ylabel("share within target")
    ax.set_ylim(top=1.005)
    percent_axis(ax)
    ax.legend(loc="lower right")
    return fig
