"""The report's optional sections, shown only when their files exist: simulated vs published
(`validation.csv`) and a sweep's service level by point (`sweep-summary.csv`).

Both read files written by other commands, so they are defensive: a missing or malformed file
gives no section rather than an error. A sweep is judged on its goal (the sweep file's
`goal`, else the base config's): there is no hidden default goal.
"""

from __future__ import annotations

import base64
import io
import json
import math
import re
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from respons.analysis.goal import verdict
from respons.analysis.kpis import KPI_UNITS
from respons.report.formatting import finite as _num
from respons.report.formatting import fmt_value, number, percent
from respons.report.i18n import kpi_label
from respons.report.sections import table
from respons.report.validation_words import band_text, figure_text

DPI = 100


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


def _pick(lang: str, en: str, nb: str) -> str:
    return nb if lang == "nb" else en


def validation_section(run_dir: Path, lang: str = "en") -> str:
    """The simulated-vs-published table from validation.csv, or '' when there is none. Each
    figure shows its role: fitted (an input was tuned to it) or predicted (none was)."""
    df = _read_table(run_dir / "validation.csv")
    if df is None:
        return ""
    need = {"figure", "published", "simulated_mean"}
    if not need <= set(df.columns):
        return ""
    has_year, has_role = "year" in df.columns, "role" in df.columns
    words = {"yes": _pick(lang, "yes", "ja"), "no": _pick(lang, "no", "nei")}
    rows, classes = [], []
    for _, r in df.iterrows():
        kpi = str(r.get("kpi", ""))
        unit = (str(r["unit"]) if isinstance(r.get("unit"), str) else None) \
            or KPI_UNITS.get(kpi) or guess_unit(str(r["figure"]), r.get("published"),
                                                r.get("simulated_mean"))
        lo, hi = r.get("ci_low"), r.get("ci_high")
        ci = (f"{fmt_value(_num(lo), unit, lang)} – {fmt_value(_num(hi), unit, lang)}"
              if _num(lo) is not None and _num(hi) is not None else "–")
        if has_role and str(r.get("role")) == "predicted" and _num(lo) == _num(hi):
            ci = _pick(lang, "expected value", "forventningsverdi")
        inside = _yes_no(r.get("inside"))
        band = r.get("band")
        band = band_text(r.to_dict(), lang) if isinstance(band, str) and _num(band) is None \
            else _band(band, unit, lang)
        role = {"fitted": _pick(lang, "fitted", "tilpasset"),
                "predicted": _pick(lang, "predicted", "forutsagt")}.get(str(r.get("role")),
                                                                        plain(r.get("role")))
        rows.append([*([plain(r["year"])] if has_year else []),
                     figure_text(str(r["figure"]), lang), *([role] if has_role else []),
                     fmt_value(_num(r.get("published")), unit, lang),
                     fmt_value(_num(r.get("simulated_mean")), unit, lang), ci, band, inside])
        classes.append([""] * (len(rows[-1]) - 1) + [{"yes": "yes", "no": "no"}.get(inside, "")])
    note = _inside_note(df, rows, lang)
    shown = [[*r[:-1], words.get(r[-1], r[-1])] for r in rows]
    head = [*([_pick(lang, "year", "år")] if has_year else []), _pick(lang, "figure", "tall"),
            *([_pick(lang, "role", "rolle")] if has_role else []),
            _pick(lang, "published", "publisert"), _pick(lang, "model (mean)", "modell (snitt)"),
            _pick(lang, "95 % CI", "95 % KI"), _pick(lang, "accepted band", "godtatt bånd"),
            _pick(lang, "inside", "innenfor")]
    first = 1 + has_year + has_role
    heading = _pick(lang, "Simulated vs published", "Simulert mot publisert")
    return (f'<section id="validation">\n<h2>{heading}</h2>\n'
            + table(head, shown, table_id="validation-table",
                    numeric=tuple(range(first, first + 4)), classes=classes)
            + f'\n<p class="note">{escape(note)} ' + escape(_pick(
                lang, "A fitted figure had an input tuned to it (inside its band it shows only "
                "that the fit is current); a predicted one had none (validation.csv, "
                "validation.md give each band's reason).",
                "Et tilpasset tall hadde en inndata justert til seg (innenfor båndet viser "
                "det bare at tilpasningen er oppdatert); et forutsagt tall hadde ingen "
                "(validation.csv og validation.md gir grunnen til hvert bånd).")) +
            "</p>\n</section>")


def _inside_note(df: pd.DataFrame, rows: list[list[str]], lang: str = "en") -> str:
    if "role" not in df.columns:
        ok = sum(1 for r in rows if r[-1] == "yes")
        return _pick(lang, f"{ok} of {len(rows)} published figures have the model inside "
                     "their band.", f"{ok} av {len(rows)} publiserte tall har modellen innenfor "
                     "sitt bånd.")
    parts = []
    for role, nb in (("fitted", "tilpasset"), ("predicted", "forutsagt")):
        mine = [r for r, x in zip(rows, df["role"].astype(str), strict=True) if x == role]
        if mine:
            ok = sum(1 for r in mine if r[-1] == "yes")
            parts.append(_pick(lang, f"{role}: {ok} of {len(mine)} inside their band",
                               f"{nb}: {ok} av {len(mine)} innenfor sitt bånd"))
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


def _band(x: Any, unit: str, lang: str) -> str:
    v = _num(x)
    if v is None:
        return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x)
    return f"± {fmt_value(v, unit, lang)}"


def _yes_no(x: Any) -> str:
    if isinstance(x, str):
        return "yes" if x.strip().lower() in {"true", "yes", "1"} else "no"
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return "yes" if bool(x) else "no"


SERVICE_KPIS = ("alarms_answered_within_target_share", "legevakt_calls_within_target_share")


def readable_factor(name: str, lang: str = "en") -> str:
    """A factor's name for people: a grid factor's own name with spaces, a config path
    ('pools.operators.shifts.0.staff') spelled out ('operators: staff of shift 1')."""
    parts = name.split(".")
    if len(parts) == 1:
        return name.replace("_", " ")
    nb = lang == "nb"
    m = re.fullmatch(r"pools\.([^.]+)\.shifts\.(\d+)\.(\w+)", name)
    if m:
        what = {"staff": ("staff", "bemanning"), "start": ("start", "start"),
                "end": ("end", "slutt")}.get(m[3], (m[3], m[3]))
        return (f"{m[1]}: {what[1]} på vakt {int(m[2]) + 1}" if nb
                else f"{m[1]}: {what[0]} of shift {int(m[2]) + 1}")
    m = re.fullmatch(r"pools\.([^.]+)\.serves\.(\d+)\.(\w+)", name)
    if m:
        what = {"rule": ("backup rule", "reserveregel"),
                "after_s": ("wait before backup (s)", "venting før reserve (s)")}.get(
            m[3], (m[3].replace("_", " "), m[3].replace("_", " ")))
        return f"{m[1]}: {what[int(nb)]} ({_pick(lang, 'service', 'tjeneste')} {int(m[2]) + 1})"
    m = re.fullmatch(r"event_kinds\.([^.]+)\.rate\.per_year", name)
    if m:
        return f"{m[1].replace('_', ' ')}: " + _pick(lang, "rate per year", "rate per år")
    return " › ".join(p.replace("_", " ") for p in parts)


def sweep_section(run_dir: Path, lang: str = "en") -> str:
    """Service level against sweep point with CIs, the goal and the cheapest point meeting it
    (no goal: the points are shown without a verdict)."""
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
    goal, goal_source = sweep_goal(run_dir, lang)
    fte = _point_fte(run_dir, df)
    cost, cost_note = _cost(df, factors, kpis, fte, lang)
    heading = _pick(lang, "Sweep: service level by point", "Parameterstudie: svarandel per punkt")
    parts = [f'<section id="sweep">\n<h2>{heading}</h2>']
    verdicts: list[str] = []
    if service:
        primary = service[0]
        label = kpi_label(primary, lang, goal.get("within_s", 120) if goal else 120).lower()
        share = goal.get("share") if goal else None
        if share is not None:
            verdicts = [verdict(_num(df.at[i, f"{primary}_mean"]),
                                _num(df.at[i, f"{primary}_ci_low"]),
                                _num(df.at[i, f"{primary}_ci_high"]), share) for i in df.index]
        order = df.index if cost is None else cost.sort_values(kind="stable").index
        best = next((i for i in order if verdicts and verdicts[df.index.get_loc(i)] == "met"),
                    None)
        uri, w, h = _png_data_uri(sweep_figure(df, service, share, best, lang))
        goal_text = (_pick(lang, f"dashed line: the goal of {percent(share, 1, lang)} "
                              f"({goal_source})", f"stiplet linje: målet på "
                              f"{percent(share, 1, lang)} ({goal_source})")
                     if share is not None else goal_source)
        parts.append(
            f'<figure id="fig-sweep"><img src="{uri}" alt="service level by sweep point" '
            f'width="{w}" height="{h}"><figcaption><strong>'
            + _pick(lang, "Service level by sweep point.", "Svarandel per punkt.")
            + "</strong> " + escape(_pick(lang, "Mean with 95 % confidence interval per point; ",
                                          "Snitt med 95 % konfidensintervall per punkt; ")
                                    + goal_text + ".") + "</figcaption></figure>")
        if share is None:
            text = goal_source
        elif best is None:
            text = _pick(lang, f"No point reaches the goal of {percent(share, 1, lang)} for "
                         f"{label} with its whole 95 % confidence interval.",
                         f"Ingen punkter når målet på {percent(share, 1, lang)} for {label} "
                         "med hele 95 %-konfidensintervallet.")
        else:
            where = ", ".join(f"{readable_factor(f, lang)} = {plain(df.at[best, f])}"
                              for f in factors)
            text = _pick(
                lang,
                f"Cheapest point meeting the goal ({cost_note}): {plain(df.at[best, 'point'])}"
                + (f" ({where})" if where else "")
                + f", with {percent(float(df.at[best, f'{primary}_mean']), 1, lang)} {label} "
                f"and its whole 95 % confidence interval at or above {percent(share, 1, lang)}.",
                f"Billigste punkt som når målet ({cost_note}): {plain(df.at[best, 'point'])}"
                + (f" ({where})" if where else "")
                + f", med {percent(float(df.at[best, f'{primary}_mean']), 1, lang)} {label} "
                f"og hele 95 %-konfidensintervallet på eller over {percent(share, 1, lang)}.")
        parts.append(f'<p class="callout" id="sweep-verdict">{escape(text)}</p>')
    shown = [*service, *(["operator_utilisation"] if "operator_utilisation" in kpis else [])]
    within = goal.get("within_s", 120) if goal else 120
    head = ["#", _pick(lang, "point", "punkt"), *(readable_factor(f, lang) for f in factors),
            *([_pick(lang, "roster FTE", "årsverk i turnus")] if fte is not None else []),
            *(kpi_label(k, lang, within) for k in shown),
            *([_pick(lang, "goal", "mål")] if verdicts else [])]
    rows = []
    for n, i in enumerate(df.index, start=1):
        cells = [str(n), plain(df.at[i, "point"]), *(plain(df.at[i, f]) for f in factors)]
        if fte is not None:
            cells.append(number(float(fte[i]), 1, lang))
        for k in shown:
            unit = KPI_UNITS.get(k) or guess_unit(k, df.at[i, f"{k}_mean"])
            mean, lo, hi = (_num(df.at[i, f"{k}_{s}"]) for s in ("mean", "ci_low", "ci_high"))
            cells.append(f"{fmt_value(mean, unit, lang)} [{fmt_value(lo, unit, lang)} – "
                         f"{fmt_value(hi, unit, lang)}]")
        if verdicts:
            cells.append(_verdict_word(verdicts[n - 1], lang))
        rows.append(cells)
    first = 2 + len(factors)
    parts.append('<div class="wide">' + table(head, rows, table_id="sweep-table",
                                              numeric=tuple(range(first, len(head)))) + "</div>")
    return "\n".join(parts) + "\n</section>"


def _verdict_word(v: str, lang: str) -> str:
    words = {"met": ("met", "nådd"), "not met": ("not met", "ikke nådd"),
             "not proven": ("not proven", "ikke påvist"),
             "not measured": ("not measured", "ikke målt")}
    return words.get(v, (v, v))[int(lang == "nb")]


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


def _design(run_dir: Path) -> dict[str, Any]:
    try:
        doc = json.loads((run_dir / "design.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def sweep_facts(run_dir: Path, lang: str = "en") -> tuple[str | None, list[tuple[str, str]]]:
    """The sweep's name and header facts from design.json (None and [] when not a sweep)."""
    doc = _design(run_dir)
    if not doc:
        return None, []
    facts = [(label, plain(doc[key])) for label, key in
             ((_pick(lang, "Replications per point", "Replikasjoner per punkt"), "replications"),
              (_pick(lang, "Tasks", "Oppgaver"), "tasks"))
             if key in doc]
    if isinstance(doc.get("points"), list):
        facts.insert(0, (_pick(lang, "Points", "Punkter"), str(len(doc["points"]))))
    if isinstance(doc.get("factors"), list):
        facts.insert(1, (_pick(lang, "Factors", "Faktorer"), ", ".join(
            readable_factor(str(f), lang) for f in doc["factors"]) or "–"))
    goal = doc.get("goal")
    if isinstance(goal, dict) and _num(goal.get("share")) is not None:
        facts.append((_pick(lang, "Goal", "Mål"), _pick(
            lang, f"{percent(goal['share'], 1, lang)} within {goal.get('within_s', 120):g} s",
            f"{percent(goal['share'], 1, lang)} innen {goal.get('within_s', 120):g} s")))
    name = doc.get("sweep")
    return (str(name) if name else None), facts


def _design_factors(run_dir: Path) -> list[str]:
    """The factor columns named by the sweep's design.json (empty when unknown)."""
    factors = _design(run_dir).get("factors")
    return [str(f) for f in factors] if isinstance(factors, list) else []


def sweep_goal(run_dir: Path, lang: str = "en") -> tuple[dict[str, Any] | None, str]:
    """The sweep's goal ({share, within_s}) and where it comes from: the sweep file's `goal`
    (design.json), else the first point's config; (None, why) when there is none."""
    goal = _design(run_dir).get("goal")
    if isinstance(goal, dict) and _num(goal.get("share")) is not None:
        return goal, _pick(lang, "the sweep file's goal", "målet i sweep-filen")
    from respons.config.loading import read_mapping, validate

    for path in sorted((run_dir / "points").glob("*/config.resolved.yaml"))[:1]:
        try:
            cfg = validate(read_mapping(path), str(path))
        except Exception:  # noqa: BLE001 - no goal rather than no report
            break
        if cfg.goal is not None:
            return ({"share": cfg.goal.share, "within_s": cfg.goal.within_s},
                    _pick(lang, "the base config's goal", "målet i grunnkonfigurasjonen"))
    return None, _pick(lang, "No goal: neither the sweep file nor its base config sets "
                       "`goal`, so no point is judged (add `goal: {share: 0.95}` to the sweep "
                       "file).", "Intet mål: verken sweep-filen eller grunnkonfigurasjonen har "
                       "`goal`, så ingen punkter vurderes (legg `goal: {share: 0.95}` i "
                       "sweep-filen).")


def _cost(df: pd.DataFrame, factors: list[str], kpis: list[str],
          fte: pd.Series | None, lang: str) -> tuple[pd.Series | None, str]:
    """What orders points by cost: a cost column, else rostered FTE, else the listed order."""
    cols = [*factors, *(f"{k}_mean" for k in kpis)]
    for c in cols:
        if "cost" in c.lower() and pd.api.types.is_numeric_dtype(df[c]):
            return df[c], _pick(lang, f"cheapest by {c}", f"billigst etter {c}")
    if fte is not None:
        return fte, _pick(lang, "cheapest by total rostered FTE",
                          "billigst etter sum årsverk i turnus")
    for c in cols:
        if "fte" in c.lower() and pd.api.types.is_numeric_dtype(df[c]):
            return df[c], _pick(lang, f"cheapest by {c}", f"billigst etter {c}")
    return None, _pick(lang, "no cost known: points taken as listed, cheapest first",
                       "ingen kostnad kjent: punktene tas i oppgitt rekkefølge, billigst først")


def sweep_figure(df: pd.DataFrame, kpis: list[str], goal: float | None, best: Any,
                 lang: str = "en") -> Any:
    """Service-level KPIs against sweep point with CI bands, the goal and the chosen point
    (marked by a star in the legend, so no label can cover a tick)."""
    import matplotlib

    from respons.report import palette
    from respons.report.style import STYLE, frame, framed_figure, percent_axis

    with matplotlib.rc_context(STYLE):
        fig = framed_figure(11, 4.0)
        ax = fig.subplots()
        x = np.arange(len(df))
        for k in kpis:
            cat = "legevakt" if k.startswith("legevakt") else "alarm"
            colour = palette.category(cat)
            mean = pd.to_numeric(df[f"{k}_mean"], errors="coerce").to_numpy(dtype=float)
            lo = pd.to_numeric(df[f"{k}_ci_low"], errors="coerce").to_numpy(dtype=float)
            hi = pd.to_numeric(df[f"{k}_ci_high"], errors="coerce").to_numpy(dtype=float)
            ax.plot(x, mean, marker="o", color=colour, lw=1.8, label=kpi_label(k, lang))
            ax.fill_between(x, lo, hi, color=colour, alpha=0.2, lw=0)
        if goal is not None:
            ax.axhline(goal, color=palette.GOAL, ls="--", lw=1.2,
                       label=_pick(lang, "goal ", "mål ") + percent(goal, 1, lang))
        if best is not None:
            pos = int(df.index.get_loc(best))
            y = float(pd.to_numeric(df[f"{kpis[0]}_mean"], errors="coerce")[best])
            ax.plot([pos], [y], marker="*", ms=16, color=palette.GOAL, ls="none", zorder=6,
                    label=_pick(lang, "cheapest meeting the goal", "billigste som når målet"))
        labels = [str(p) for p in df["point"]]
        fits = max(len(s) for s in labels) <= 90 / max(len(labels), 1)
        ax.set_xticks(x, labels if fits else [str(i + 1) for i in x])
        ax.set_xlabel(_pick(lang, "sweep point", "punkt") + ("" if fits else _pick(
            lang, " (number in the table below)", " (nummer i tabellen under)")))
        ax.set_ylabel(_pick(lang, "share within the limit", "andel innen grensen"))
        ax.set_ylim(top=1.005)
        percent_axis(ax, lang=lang)
        ax.legend(loc="lower right")
        frame(fig, left=0.85, right=0.15, top=0.2, bottom=0.6)
    return fig
