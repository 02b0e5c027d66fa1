"""Figures and the self-contained report.html of an uncertainty study directory
(`respons uncertainty`): the headline KPIs' range over the assumptions, and which inputs move
them (Morris mu* and sigma). English or Norwegian (bokmål)."""

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

from respons.report.formatting import NBSP, number
from respons.report.i18n import language, pick
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
LABELS_NB = {
    "alarms_answered_within_target_share": "alarmer besvart innen målet",
    "answer_time_mean_s": "ventetid for alarmer, gjennomsnitt",
    "answer_time_p90_s": "ventetid for alarmer, 90-persentil",
    "legevakt_calls_within_target_share": "legevaktsamtaler besvart innen målet",
    "operator_utilisation": "operatørenes belegg",
    "backup_answered_share": "alarmer besvart av reserve",
    "help_arrival_time_mean_s": "tid til hjemmetjenesten er fremme, gjennomsnitt",
}
SELECTED, SCREENED = "#2f6db5", "#9aa7b5"


def label(kpi: str, lang: str = "en") -> str:
    """A headline KPI in words (its name when not known here)."""
    return (LABELS_NB if lang == "nb" else LABELS).get(kpi, kpi)


@styled
def morris_figure(inputs: pd.DataFrame, kpi: str, unit: str, lang: str = "en") -> Figure:
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
    what = (pick(lang, "percentage points", "prosentpoeng") if unit == "share" else
            (pick(lang, "seconds", "sekunder") if unit == "s" else unit))
    ax.set_xlabel(pick(lang, f"elementary effect over the input's range, {what}",
                       f"elementær effekt over inndataens område, {what}"))
    ax.set_title(pick(lang, "Morris screening: ", "Morris-screening: ") + label(kpi, lang))
    ax.legend(loc="lower right")
    ax.grid(axis="y", visible=False)
    return fig


@styled
def range_figure(samples: pd.DataFrame, ranges: pd.DataFrame, kpi: str,
                 lang: str = "en") -> Figure:
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
               label=pick(lang, "configured inputs, 95 % CI",
                          "konfigurerte inndata, 95 % KI"))
    for q, name in ((r["p05"], "5 %"), (r["p95"], "95 %")):
        ax.axvline(float(q), color=TARGET_COLOUR, linestyle="--", linewidth=1)
        ax.annotate(f" {name}", (float(q), 0.97), xycoords=("data", "axes fraction"),
                    ha="left", va="top", fontsize=8, color=TARGET_COLOUR)
    if unit == "share":
        percent_axis(ax, "x", lang)
    ax.set_xlabel(label(kpi, lang))
    ax.set_ylabel(pick(lang, "sample points", "utvalgspunkter"))
    ax.set_title(label(kpi, lang).capitalize() + pick(lang, " over the assumptions",
                                                      " over antakelsene"))
    ax.legend(loc="upper center")
    return fig


def write_figures(out: Path, inputs: pd.DataFrame, ranges: pd.DataFrame,
                  samples: pd.DataFrame, lang: str = "en") -> list[tuple[str, str, str]]:
    """Write the figures; (name, title, caption) of each."""
    kpi = str(inputs["kpi"].iloc[0]) if len(inputs) else "alarms_answered_within_target_share"
    unit = str(ranges.set_index("kpi").loc[kpi, "unit"]) if kpi in set(ranges["kpi"]) else ""
    figs = []
    fig = morris_figure(inputs, kpi, unit, lang)
    save_figure(fig, out / "figures", "morris", svg=True)
    figs.append(("morris", pick(lang, "Which assumptions move the headline KPI",
                                "Hvilke antakelser flytter hovednøkkeltallet"), pick(
        lang,
        "Morris μ* (bar: mean absolute elementary effect, the change of the KPI over a step "
        "of two thirds of the input's range, scaled to the whole range) and σ (dot: how much "
        "that effect depends on the other inputs). Coloured: inputs sampled in the second "
        "stage.",
        "Morris μ* (stolpe: gjennomsnittlig absolutt elementær effekt, endringen i "
        "nøkkeltallet over et steg på to tredjedeler av inndataens område, skalert til hele "
        "området) og σ (prikk: hvor mye effekten avhenger av de andre inndataene). Farget: "
        "inndata samplet i andre trinn.")))
    if f"kpi:{kpi}" in samples.columns and kpi in set(ranges["kpi"]):
        fig = range_figure(samples, ranges, kpi, lang)
        save_figure(fig, out / "figures", "range", svg=True)
        figs.append(("range", pick(lang, "The headline KPI over the assumptions",
                                   "Hovednøkkeltallet over antakelsene"), pick(
            lang,
            "Each sample point is one combination of the inputs that matter, run with the "
            "same random numbers; dashed: 5 % and 95 % of the points; green: the 95 % "
            "confidence interval with the configured inputs.",
            "Hvert utvalgspunkt er én kombinasjon av inndataene som betyr noe, kjørt med de "
            "samme tilfeldige tallene; stiplet: 5 % og 95 % av punktene; grønt: 95 %-"
            "konfidensintervallet med de konfigurerte inndataene.")))
    return figs


def _config_lang(out: Path) -> str | None:
    """The `lang` of the study's config.resolved.yaml, if it has one."""
    path = out / "config.resolved.yaml"
    if not path.is_file():
        return None
    try:
        import yaml

        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return None
    value = data.get("lang") if isinstance(data, dict) else None
    return value if value in ("en", "nb") else None


def write_report(out: Path, lang: str | None = None) -> Path:
    """Figures and report.html of an uncertainty directory, in `lang` (default: the config's
    `lang`, else LANG)."""
    lang = language(lang, _config_lang(out))
    inputs = pd.read_csv(out / "inputs.csv")
    ranges = pd.read_csv(out / "ranges.csv")
    samples = pd.read_csv(out / "samples.csv")
    meta = json.loads((out / "metadata.json").read_text("utf-8"))
    figs = write_figures(out, inputs, ranges, samples, lang)
    plan = meta.get("plan", {})
    title = pick(lang, "Uncertainty over the assumptions: ", "Usikkerhet over antakelsene: ") \
        + str(meta.get("scenario", ""))
    head = _headline(ranges, lang)
    rows = []
    for r in ranges.itertuples(index=False):
        u = str(r.unit)
        rows.append([label(r.kpi, lang), fmt_value(_f(r.baseline_mean), u, lang),
                     f"{fmt_value(_f(r.ci_low), u, lang)} – {fmt_value(_f(r.ci_high), u, lang)}",
                     f"{fmt_value(_f(r.p05), u, lang)} – {fmt_value(_f(r.p95), u, lang)}",
                     fmt_value(_f(r.p50), u, lang)])
    kpi_unit = dict(zip(ranges["kpi"], ranges["unit"], strict=True))
    unit = kpi_unit.get(str(inputs["kpi"].iloc[0]), "") if len(inputs) else ""
    irows = []
    for r in inputs.itertuples(index=False):
        irows.append([str(r.input), _plain(r.low, lang), _plain(r.high, lang),
                      _plain(r.configured, lang), _effect(r.mu_star, unit, lang),
                      _effect(r.sigma, unit, lang), _sampled(str(r.sampled), lang),
                      str(r.why)])
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="lead">{escape(_plan_text(meta, plan, lang))}</p>',
        f'<p class="callout">{escape(head)}</p>' if head else "",
        f'<section id="ranges"><h2>{pick(lang, "Headline KPIs", "Hovednøkkeltall")}</h2>',
        table([pick(lang, "KPI", "Nøkkeltall"),
               pick(lang, "configured inputs", "konfigurerte inndata"),
               pick(lang, "95 % CI (replications)", "95 % KI (replikasjoner)"),
               pick(lang, "5 – 95 % over the assumptions", "5 – 95 % over antakelsene"),
               "median"], rows, table_id="ranges-table", numeric=(1, 2, 3, 4)),
        '<p class="note">' + pick(
            lang,
            "The confidence interval is the simulation noise with every input as configured; "
            "the 5–95 % range is the spread of the sample points' means over the assumptions "
            "(each point averages its replications under common random numbers). Fitted "
            "inputs are held at their fitted values.",
            "Konfidensintervallet er simuleringsstøyen med alle inndata som konfigurert; "
            "5–95 %-spennet er spredningen i utvalgspunktenes gjennomsnitt over antakelsene "
            "(hvert punkt er snittet av sine replikasjoner med felles tilfeldige tall). "
            "Tilpassede inndata holdes på sine tilpassede verdier.") + "</p></section>",
        f'<section id="inputs"><h2>{pick(lang, "Ranged inputs", "Inndata med spenn")}</h2>',
        table([pick(lang, "input", "inndata"), pick(lang, "low", "lav"),
               pick(lang, "high", "høy"), pick(lang, "configured", "konfigurert"), "μ*", "σ",
               pick(lang, "sampled", "samplet"),
               pick(lang, "why this range", "hvorfor dette spennet")],
              irows, table_id="inputs-table", numeric=(1, 2, 3, 4, 5)),
        "</section>",
        f'<section id="figures"><h2>{pick(lang, "Figures", "Figurer")}</h2>',
        *[_figure(out, n, t, c) for n, t, c in figs],
        "</section>",
    ]
    path = out / "report.html"
    write_text(path, _page(title, "\n".join(b for b in body if b), lang))
    return path


SAMPLED_NB = {"stage 2": "trinn 2", "screening": "screening", "held (fitted)": "holdt (tilpasset)"}


def _sampled(x: str, lang: str) -> str:
    return SAMPLED_NB.get(x, x) if lang == "nb" else x


def _headline(ranges: pd.DataFrame, lang: str = "en") -> str:
    sub = ranges[ranges["kpi"] == "alarms_answered_within_target_share"]
    if sub.empty:
        return ""
    r = sub.iloc[0]

    def v(x: Any) -> str:
        return fmt_value(_f(x), "share", lang)

    return pick(
        lang,
        f"Alarms answered within target: {v(r.baseline_mean)} with the configured inputs "
        f"(95 % CI {v(r.ci_low)} – {v(r.ci_high)}); {v(r.p05)} – {v(r.p95)} (5–95 %) when the "
        "assumptions move over their plausible ranges.",
        f"Alarmer besvart innen målet: {v(r.baseline_mean)} med de konfigurerte inndataene "
        f"(95 % KI {v(r.ci_low)} – {v(r.ci_high)}); {v(r.p05)} – {v(r.p95)} (5–95 %) når "
        "antakelsene flyttes over sine rimelige spenn.")


SECOND_STAGE_NB = {"Latin hypercube": "latinsk hyperkube",
                   "Sobol (Saltelli) sample": "Sobol-utvalg (Saltelli)"}


def _plan_text(meta: dict[str, Any], plan: dict[str, Any], lang: str = "en") -> str:
    wall = meta.get("wall_time_s")
    reps = plan.get("replications")
    jobs = plan.get("jobs")
    if lang == "nb":
        stage = SECOND_STAGE_NB.get(str(plan.get("second_stage")), plan.get("second_stage"))
        return (f"Morris-screening med {plan.get('trajectories')} baner "
                f"({plan.get('screening_points')} punkter) over {plan.get('ranged_inputs')} "
                f"inndata med spenn, deretter {stage} med {plan.get('stage2_points')} punkter "
                f"over de {plan.get('selected')} som betyr noe; {reps} "
                f"{'replikasjon' if reps == 1 else 'replikasjoner'} per punkt, frø "
                f"{meta.get('seed')}"
                + (f"; {number(wall, 0, 'nb')} s kjøretid på {jobs} "
                   f"{'prosess' if jobs == 1 else 'prosesser'}." if wall else "."))
    return (f"Morris screening with {plan.get('trajectories')} trajectories "
            f"({plan.get('screening_points')} points) over {plan.get('ranged_inputs')} ranged "
            f"inputs, then a {plan.get('second_stage')} of {plan.get('stage2_points')} points "
            f"over the {plan.get('selected')} that matter; {reps} "
            f"{'replication' if reps == 1 else 'replications'} per point, seed {meta.get('seed')}"
            + (f"; {wall:,.0f} s wall time on {jobs} process(es)." if wall else "."))


def _figure(out: Path, name: str, title: str, caption: str) -> str:
    png = out / "figures" / f"{name}.png"
    uri = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")
    return (f'<figure id="fig-{escape(name)}"><img src="{uri}" alt="{escape(title)}">'
            f"<figcaption><strong>{escape(title)}.</strong> {escape(caption)}</figcaption>"
            "</figure>")


def _page(title: str, body: str, lang: str = "en") -> str:
    code = "nb" if lang == "nb" else "en"
    return (f'<!DOCTYPE html>\n<html lang="{code}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
            f"{body}\n</main>\n</body>\n</html>\n")


def _f(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _nb(text: str, lang: str) -> str:
    """An English-formatted number ('1,234.5') in the language's style."""
    return text.replace(",", NBSP).replace(".", ",") if lang == "nb" else text


def _plain(x: Any, lang: str = "en") -> str:
    v = _f(x)
    if v is None:
        return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x)
    return _nb(f"{v:,.4g}", lang)


def _effect(x: Any, unit: str, lang: str = "en") -> str:
    v = _f(x)
    if v is None:
        return "–"
    return _nb(f"{100 * v:.2f}", lang) + " pp" if unit == "share" else _nb(f"{v:,.3g}", lang)
