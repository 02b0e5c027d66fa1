"""The studies' terminal tables in English or Norwegian: validation (simulated vs published,
fitted inputs), sensitivity and uncertainty. In English they read exactly as the Markdown the
studies write to their files and docs (respons/studies/validation.py, sensitivity.py,
uncertainty_report.py); in Norwegian the labels and the numbers (`36 063`, `97,2 %`) follow
respons/report/i18n.py and formatting.py. Figure names, bands and the reasons behind them come
from respons/studies/targets.py and stay as written there.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from respons.report.formatting import NBSP, fmt_seconds, number, percent
from respons.report.i18n import pick
from respons.report.validation_words import band_text, figure_text, reason_text, why_text

SENSITIVITY_KPIS = ("alarms_answered_within_target_share", "alarms_resolved_by_operator_share",
                    "legevakt_calls_within_target_share", "answer_time_mean_s")

WORDS: dict[str, tuple[str, str]] = {
    "validation_head": ("| year | figure | role | published | model | 95 % CI | band | inside |",
                        "| år | tall | rolle | publisert | modell | 95 % KI | bånd | innenfor |"),
    "fitted": ("fitted", "tilpasset"),
    "predicted": ("predicted", "forutsagt"),
    "expected": ("expected value", "forventet verdi"),
    "yes": ("yes", "ja"),
    "no": ("**no**", "**nei**"),
    "inside_of": ("{role}: {ok} of {n} inside their band",
                  "{role}: {ok} av {n} innenfor sitt bånd"),
    "outside": ("; {n} outside, marked **no** in the table ({what})",
                "; {n} utenfor, merket **nei** i tabellen ({what})"),
    "stale": ("a miss means the fit is stale: run `respons calibrate`",
              "en bom betyr at tilpasningen er utdatert: kjør `respons calibrate`"),
    "finding": ("a miss is a finding about the model, reported as is",
                "en bom er et funn om modellen, rapportert som det er"),
    "fitted_title": ("Fitted inputs next to the plausible range the sources allow:",
                     "Tilpassede inndata ved siden av det plausible området kildene tillater:"),
    "fitted_head": ("| config | input | fitted value | plausible range | inside | source of the "
                    "range |",
                    "| konfigurasjon | inndata | tilpasset verdi | plausibelt område | innenfor | "
                    "kilde for området |"),
    "none_exists": ("none exists", "finnes ikke"),
    "outside_range": ("Assumed inputs outside their documented range:",
                      "Antatte inndata utenfor sitt dokumenterte område:"),
    "sens_head": ("| parameter | change | within 120 s (alarms) | resolved by operator | "
                  "legevakt within 120 s | mean wait (alarms) |",
                  "| parameter | endring | innen 120 s (alarmer) | avklart av operatør | "
                  "legevakt innen 120 s | ventetid, gjennomsnitt (alarmer) |"),
    "change": ("| change |", "| endring |"),
    "value": ("| value |", "| verdi |"),
    "ranges_head": ("| KPI | configured inputs | 95 % CI (replications) | 5 – 95 % over the "
                    "assumptions | median |",
                    "| nøkkeltall | konfigurerte inndata | 95 % KI (replikasjoner) | 5 – 95 % "
                    "over antakelsene | median |"),
    "ranked_on": ("Ranked on {kpi} (μ*, σ in percentage points over the input's range):",
                  "Rangert etter {kpi} (μ*, σ i prosentpoeng over inndataens område):"),
    "inputs_head": ("| input | low | high | configured | μ* | σ | sampled |",
                    "| inndata | lav | høy | konfigurert | μ* | σ | samplet |"),
}


def w(key: str, lang: str, **values: object) -> str:
    """The words `key` in `lang`, with `values` filled in."""
    text = pick(lang, *WORDS[key])
    return text.format(**values) if values else text


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _general(v: float, lang: str, spec: str = ".4g") -> str:
    """`format(v, spec)` with the language's decimal and thousands separators."""
    text = format(v, spec)
    return text.replace(",", NBSP).replace(".", ",") if lang == "nb" else text


def _signed(x: float, decimals: int, lang: str) -> str:
    """'+1.5' / '-0,3': always a sign, no thousands separator (as Python's '+.1f')."""
    return ("-" if x < 0 else "+") + _general(abs(x), lang, f".{decimals}f")


def _space(lang: str) -> str:
    return NBSP if lang == "nb" else " "


# ---- validation ----

def _fig(unit: str, x: float | None, lang: str) -> str:
    if _missing(x):
        return "–"
    assert x is not None
    return percent(x, 1, lang) if unit == "share" else number(x, 0, lang)


def validation_table(df: pd.DataFrame, lang: str = "en") -> str:
    """Simulated vs published, then the reason behind each band (validation.md's table)."""
    lines = [w("validation_head", lang), "|---|---|---|---:|---:|---|---|---|"]
    reasons: list[str] = []
    for r in df.itertuples(index=False):
        if r.reason and r.reason not in reasons:
            reasons.append(r.reason)
        note = f" [{reasons.index(r.reason) + 1}]" if r.reason else ""
        ci = (w("expected", lang) if r.role == "predicted" else
              f"{_fig(r.unit, r.ci_low, lang)} – {_fig(r.unit, r.ci_high, lang)}")
        role = w(r.role, lang) if r.role in ("fitted", "predicted") else r.role
        lines.append(
            f"| {r.year} | {figure_text(r.figure, lang)}{note} | {role} | "
            f"{_fig(r.unit, r.published, lang)} | {_fig(r.unit, r.simulated_mean, lang)} | "
            f"{ci} | {band_text(r, lang)} | {w('yes', lang) if r.inside else w('no', lang)} |")
    lines.append("")
    lines += [f"[{i}] {reason_text(text, lang)}." for i, text in enumerate(reasons, start=1)]
    return "\n".join(lines) + "\n"


def validation_verdict(df: pd.DataFrame, lang: str = "en") -> list[str]:
    """One line per role, naming the misses."""
    lines = []
    for role, what in (("fitted", "stale"), ("predicted", "finding")):
        sub = df[df["role"] == role]
        if sub.empty:
            continue
        ok = int(sub["inside"].astype(bool).sum())
        line = w("inside_of", lang, role=w(role, lang), ok=ok, n=len(sub))
        if ok < len(sub):
            line += w("outside", lang, n=len(sub) - ok, what=w(what, lang))
        lines.append(line)
    return lines


def validation_exit_line(df: pd.DataFrame, lang: str = "en") -> str | None:
    """Why `validate` exits 1 (one line for stderr), or None when every figure is inside."""
    counts = {}
    for role in ("fitted", "predicted"):
        sub = df[df["role"] == role]
        counts[role] = (len(sub) - int(sub["inside"].astype(bool).sum()), len(sub))
    missed = [r for r, (out, _) in counts.items() if out]
    if not missed:
        return None
    nb = lang == "nb"
    parts = []
    for role in missed:
        out, n = counts[role]
        if nb:
            adjective = {"fitted": "tilpassede", "predicted": "forutsagte"}[role]
            parts.append(f"{out} av {n} {adjective} tall")
        else:
            parts.append(f"{out} of {n} {role} figure{'s' if n != 1 else ''}")
    plural = sum(counts[r][0] for r in missed) != 1
    if nb:
        line = f"validate: {' og '.join(parts)} er utenfor sitt bånd"
    else:
        line = (f"validate: {' and '.join(parts)} "
                f"{'are outside their band' if plural else 'is outside its band'}")
    others = [r for r in counts if r not in missed and counts[r][1]]
    for role in others:
        n = counts[role][1]
        line += (f" ({w(role, lang)}: {n} av {n} innenfor)" if nb
                 else f" ({role}: {n} of {n} inside)")
    return line + "; exit 1"


def _val(v: object, lang: str) -> str:
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and math.isfinite(v):
        return _general(v, lang)
    return str(v)


def fitted_table(rows: Iterable[dict], lang: str = "en") -> str:
    """Fitted inputs and their plausible ranges."""
    lines = [w("fitted_head", lang), "|---|---|---:|---|---|---|"]
    for r in rows:
        rng = (w("none_exists", lang) if r["low"] is None
               else f"{_val(r['low'], lang)} – {_val(r['high'], lang)}")
        inside = "–" if r["inside"] is None else (w("yes", lang) if r["inside"]
                                                  else w("no", lang))
        lines.append(f"| {r['scenario']} | `{r['path']}` | {_val(r['fitted_value'], lang)} | "
                     f"{rng} | {inside} | {why_text(str(r['why']), lang)} |")
    return "\n".join(lines) + "\n"


def validation_text(df: pd.DataFrame, fitted: list[dict], problems: list[str],
                    lang: str = "en") -> str:
    """What `validate` prints: the table, the verdict, the fitted inputs, range problems."""
    return "\n".join([
        validation_table(df, lang), *validation_verdict(df, lang), "",
        w("fitted_title", lang), "", fitted_table(fitted, lang),
        *([w("outside_range", lang), *problems, ""] if problems else []),
    ])


# ---- sensitivity ----

def sensitivity_table(df: pd.DataFrame, lang: str = "en") -> str:
    """Shares in percent, the mean wait in seconds, each with the change from baseline."""
    base = df.iloc[0]
    ranged = "setting" in df.columns
    head = w("sens_head", lang)
    if ranged:
        head = head.replace(w("change", lang), w("value", lang))
    lines = [head, "|---|---:|---:|---:|---:|---:|"]
    sp = _space(lang)
    for r in df.itertuples(index=False):
        baseline = r.parameter == "baseline"
        if ranged:
            change = str(r.setting)
        else:
            change = "–" if baseline else _signed(100 * (r.factor - 1), 0, lang) + sp + "%"
        cells = []
        for k in SENSITIVITY_KPIS:
            v, b = getattr(r, k), base[k]
            if k.endswith("_s"):
                cells.append(_general(v, lang, ".1f") + sp + "s"
                             + ("" if baseline else f" ({_signed(v - b, 1, lang)})"))
            else:
                cells.append(percent(v, 1, lang)
                             + ("" if baseline else f" ({_signed(100 * (v - b), 1, lang)} pp)"))
        lines.append(f"| {_sens_label(str(r.parameter), lang)} | {_sens_label(change, lang)} | "
                     + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _sens_label(name: str, lang: str) -> str:
    """A sensitivity parameter's (or setting's) words in `lang`; a ranged input's name as is,
    a number in the language's format ('0,8')."""
    from respons.report.i18n import TEXT, t

    if f"sens:{name}" in TEXT:
        return t(f"sens:{name}", lang)
    try:
        return name if lang != "nb" else _general(float(name), lang, "g")
    except ValueError:
        return name


# ---- uncertainty ----

def _v(x: Any, unit: str, lang: str) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x) if x is not None else "–"
    if not math.isfinite(v):
        return "–"
    if unit == "share":
        return percent(v, 1, lang)
    if unit == "s":  # as simulate: '7.9 s', '26:50 min'
        return fmt_seconds(v, lang)
    return _general(v, lang, ",.4g")


def _pp(x: Any, unit: str, lang: str) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "–"
    if not math.isfinite(v):
        return "–"
    return number(100 * v, 2, lang) if unit == "share" else _general(v, lang, ".3g")


def ranges_table(ranges: pd.DataFrame, lang: str = "en") -> str:
    """Headline KPIs: configured inputs (mean, 95 % CI) and the 5-95 % range over the
    assumptions."""
    lines = [w("ranges_head", lang), "|---|---:|---|---|---:|"]
    for r in ranges.itertuples(index=False):
        u = str(r.unit)
        name = f"`{r.kpi}`" if lang != "nb" else _kpi_words(str(r.kpi), lang)
        lines.append(f"| {name} | {_v(r.baseline_mean, u, lang)} | {_v(r.ci_low, u, lang)} – "
                     f"{_v(r.ci_high, u, lang)} | {_v(r.p05, u, lang)} – {_v(r.p95, u, lang)} | "
                     f"{_v(r.p50, u, lang)} |")
    return "\n".join(lines) + "\n"


def inputs_table(inputs: pd.DataFrame, lang: str = "en", unit: str = "share") -> str:
    """Ranged inputs by Morris mu* on the headline KPI (effects in percentage points)."""
    kpi = str(inputs["kpi"].iloc[0]) if len(inputs) else ""
    kpi = f"`{kpi}`" if lang != "nb" else _kpi_words(kpi, lang)
    lines = [w("ranked_on", lang, kpi=kpi), "", w("inputs_head", lang),
             "|---|---:|---:|---:|---:|---:|---|"]
    for r in inputs.itertuples(index=False):
        lines.append(f"| {r.input} | {_v(r.low, '', lang)} | {_v(r.high, '', lang)} | "
                     f"{_v(r.configured, '', lang)} | {_pp(r.mu_star, unit, lang)} | "
                     f"{_pp(r.sigma, unit, lang)} | {_sampled(str(r.sampled), lang)} |")
    return "\n".join(lines) + "\n"


def _kpi_words(kpi: str, lang: str) -> str:
    """A headline KPI in words (the uncertainty report's labels; else its name)."""
    from respons.report.uncertainty import label

    return label(kpi, lang)


def _sampled(x: str, lang: str) -> str:
    from respons.report.uncertainty import _sampled as words

    return words(x, lang)
