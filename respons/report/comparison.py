"""The scenario comparison as people and programs read it: Markdown tables of paired
differences in English or Norwegian (headline, home-care visits avoided, storms, cost against
the accounts), and the comparison as a table (CSV, workbook) and a JSON document."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from respons.analysis.kpis import KPI_UNITS
from respons.report.formatting import NBSP, fmt, number
from respons.report.i18n import TEXT, t
from respons.studies.scenarios import (
    HEADLINE,
    UNITS,
    Comparison,
    Paired,
    Result,
    cost_check,
    kpi_paired,
    storm_paired,
    visits_avoided,
)

STORM_LABELS = {"alarms": "alarms", "mean_wait_s": "mean wait", "p90_wait_s": "p90 wait",
                "max_wait_s": "max wait", "within_target_share": "within target",
                "cleared_h": "storm cleared after"}
STORM_UNITS = {"alarms": "count", "mean_wait_s": "s", "p90_wait_s": "s", "max_wait_s": "s",
               "within_target_share": "share", "cleared_h": "h"}



def _label(key: str, lang: str, fallback: str) -> str:
    """The label `key` in `lang` when i18n knows it, else `fallback`."""
    return t(key, lang) if key in TEXT else fallback


def _signed(x: float, digits: int, lang: str) -> str:
    """'+6.8' / '+6,8' (thousands separated, no '-0')."""
    text = number(x, digits, lang)
    return text if text.startswith("-") else "+" + text


def fmt_diff(p: Paired, unit: str, lang: str = "en") -> str:
    """The paired difference and its 95 % CI half-width, e.g. '-0.5 pp ± 0.1'
    ('-0,5 pp ± 0,1' in Norwegian)."""
    if math.isnan(p.diff):
        return "-"
    scale, suffix, digits = {"share": (100, " pp", 1), "count": (1, "", 0), "h": (1, " h", 1),
                             "hours": (1, " h", 0)}.get(unit, (1, " s", 1))
    if unit == "s" and abs(p.diff) >= 3600:  # '+5.8 h', not '+20,741.0 s'
        scale, suffix = 1 / 3600, " h"
    elif unit == "s" and abs(p.diff) >= 120:
        scale, suffix = 1 / 60, " min"
    if lang == "nb":
        suffix = suffix.replace(" ", NBSP)
    text = _signed(scale * p.diff, digits, lang) + suffix
    if not math.isnan(p.half):
        text += f" ± {number(scale * p.half, digits, lang)}"
    return text


def cell(p: Paired, unit: str, lang: str = "en") -> str:
    """Scenario mean (paired difference ± half-width); the mean alone without a reference."""
    if math.isnan(p.diff):
        return fmt(p.mean, unit, lang)
    return f"{fmt(p.mean, unit, lang)} ({fmt_diff(p, unit, lang)})"


def _baseline_cell(values: np.ndarray, unit: str, lang: str = "en") -> str:
    finite = values[np.isfinite(values)]
    return fmt(float(finite.mean()) if finite.size else math.nan, unit, lang)


def _cost(res: Result, lang: str = "en") -> str:
    c = res.cost_nok
    return "-" if c is None else number(c / 1e6, 2, lang)


def _unit(kpi: str) -> str:
    return UNITS.get(kpi) or KPI_UNITS[kpi]


def _goal_verdict(res: Result, lang: str) -> str:
    """The scenario's own goal judged on its replications ('-' without a goal)."""
    if res.cfg.goal is None:
        return "-"
    from respons.analysis.goal import judge, overall
    from respons.runs.replications import summarise

    v = overall(judge(res.cfg.goal, summarise(res.kpis)))
    return _label(f"verdict:{v}", lang, v)


def headline_table(cmp: Comparison, lang: str = "en") -> str:
    """One row per scenario: its reference, headline KPIs with paired differences to it,
    the goal verdict, cost and Respons FTE."""
    base = cmp.baseline
    head = [t("cmp:scenario", lang), t("cmp:vs", lang),
            *[_label(f"cmp:{k}", lang, v) for k, v in HEADLINE.items()],
            t("cmp:goal", lang), t("cmp:cost", lang), t("cmp:fte", lang)]
    rows = [head, ["---", "---"] + ["---:"] * (len(head) - 2)]

    def fte(x: float) -> str:
        return number(x, 2, lang)

    rows.append([f"**{t('cmp:baseline', lang)}** ({base.cfg.scenario})", "",
                 *[_baseline_cell(base.kpis[k].to_numpy(float), _unit(k), lang)
                   for k in HEADLINE],
                 _goal_verdict(base, lang), _cost(base, lang), fte(base.respons_fte)])
    for res in cmp.scenarios:
        ref = cmp.reference_of(res)
        cells = [cell(kpi_paired(cmp, res, k), _unit(k), lang) for k in HEADLINE]
        cost = _cost(res, lang)
        if res.cost_nok is not None and ref.cost_nok is not None:
            cost += f" ({_signed((res.cost_nok - ref.cost_nok) / 1e6, 2, lang)})"
        cells += [_goal_verdict(res, lang), cost,
                  f"{fte(res.respons_fte)} ({_signed(res.respons_fte - ref.respons_fte, 2, lang)})"]
        rows.append([res.name, ref.name, *cells])
    for name, res in cmp.references.items():
        if res not in cmp.scenarios:  # a base that is neither the baseline nor a scenario
            rows.append([f"*{name}*", "", *[_baseline_cell(res.kpis[k].to_numpy(float),
                                                            _unit(k), lang) for k in HEADLINE],
                         _goal_verdict(res, lang), _cost(res, lang), fte(res.respons_fte)])
    return _markdown(rows)


def visits_table(cmp: Comparison, res: Result, lang: str = "en") -> str:
    """Home-care visits avoided per municipality (reference - scenario), paired."""
    ref = cmp.reference_of(res)
    rows = [[t("cmp:municipality", lang), t("cmp:visits", lang, name=ref.name),
             t("cmp:visits", lang, name=res.name), t("cmp:avoided", lang)],
            ["---", "---:", "---:", "---:"]]
    base = ref.visits
    for name, p in visits_avoided(cmp, res).items():
        b = base.sum(axis=1) if name == "total" else base[name]
        if name != "total" and b.mean() == 0 and p.mean == 0:
            continue
        avoided = number(p.diff, 0, lang) + ("" if math.isnan(p.half)
                                             else f" ± {number(p.half, 0, lang)}")
        label = t("cmp:total", lang) if name == "total" else name
        rows.append([label, number(b.mean(), 0, lang), number(p.mean, 0, lang), avoided])
    return _markdown(rows)


def storm_table(cmp: Comparison, key: str, storm_results: list[Result],
                lang: str = "en") -> str:
    """Alarm waits in one storm window: each storm scenario's reference (without the storm)
    and the scenario, paired."""
    stats = list(STORM_LABELS)
    rows = [[t("cmp:config", lang), t("cmp:vs", lang),
             *[_label(f"storm:{k}", lang, v) for k, v in STORM_LABELS.items()]],
            ["---", "---"] + ["---:"] * len(stats)]
    shown: list[str] = []
    burst = next(w.burst for w in cmp.windows if w.key == key)
    for res in storm_results:
        ref = cmp.reference_of(res)
        if ref.name not in shown and ref not in storm_results:
            shown.append(ref.name)
            base = ref.storms[key]
            calm = all(b.name != burst for b in ref.cfg.bursts)
            rows.append([f"{ref.name}{t('cmp:no_storm', lang) if calm else ''}", "",
                         *[_baseline_cell(base[s].to_numpy(float), STORM_UNITS[s], lang)
                           for s in stats]])
        rows.append([res.name, ref.name, *[cell(storm_paired(cmp, res, key, s),
                                                 STORM_UNITS[s], lang) for s in stats]])
    return _markdown(rows)


def format_comparison(cmp: Comparison, command: str | None = None, lang: str = "en") -> str:
    """The whole report: headline table, visits avoided, storms, costs vs accounts."""
    b = cmp.baseline.cfg
    out = [t("cmp_intro", lang, scenario=b.scenario, start=b.period.start, end=b.period.end,
             reps=b.replications, seed=b.seed, today=dt.date.today()), ""]
    if command:
        out += [t("cmp_command", lang, command=command), ""]
    out += [t("cmp_cells", lang), "", headline_table(cmp, lang)]
    for res in cmp.scenarios:
        if res.changes_outcomes(cmp.reference_of(res).cfg):
            out += ["", t("cmp_visits_intro", lang, name=res.name,
                          ref=cmp.reference_of(res).name), "", visits_table(cmp, res, lang)]
    for w in cmp.windows:
        hit = [r for r in cmp.scenarios
               if any(x.name == w.burst and x.start.strftime("%Y-%m-%d %H:%M") == w.label
                      for x in r.cfg.bursts)]
        if not hit:
            continue
        out += ["", t("cmp_storm_intro", lang, burst=w.burst, kind=w.kind, label=w.label,
                      hours=f"{w.hours:g}", minutes=f"{w.duration_s / 60:g}"),
                "", storm_table(cmp, w.key, hit, lang)]
    check = cost_check(b)
    if check is not None and b.period.start == dt.date(2020, 1, 1) and \
            b.period.end == dt.date(2021, 1, 1):
        out += ["", t("cmp_cost_intro", lang), "", cost_table(check, lang)]
    return "\n".join(out)


def comparison_table(cmp: Comparison) -> pd.DataFrame:
    """One row per scenario and headline KPI: the scenario, its reference, both means and
    the paired difference with its 95 % CI (machine-readable: numbers, no formatting)."""
    rows = []
    for res in cmp.scenarios:
        ref = cmp.reference_of(res)
        for k in HEADLINE:
            p = kpi_paired(cmp, res, k)
            ref_values = ref.kpis[k].to_numpy(float)
            rows.append({"scenario": res.name, "reference": ref.name, "kpi": k,
                         "unit": _unit(k),
                         "reference_mean": float(np.nanmean(ref_values))
                         if np.isfinite(ref_values).any() else math.nan,
                         "scenario_mean": p.mean, "diff": p.diff, "diff_ci_low": p.lo,
                         "diff_ci_high": p.hi})
        for k, value, ref_value in (("cost_nok", res.cost_nok, ref.cost_nok),
                                    ("respons_fte", res.respons_fte, ref.respons_fte)):
            diff = (value - ref_value) if value is not None and ref_value is not None \
                else math.nan
            rows.append({"scenario": res.name, "reference": ref.name, "kpi": k,
                         "unit": "nok" if k == "cost_nok" else "fte",
                         "reference_mean": ref_value, "scenario_mean": value, "diff": diff,
                         "diff_ci_low": math.nan, "diff_ci_high": math.nan})
    return pd.DataFrame(rows, columns=["scenario", "reference", "kpi", "unit",
                                       "reference_mean", "scenario_mean", "diff",
                                       "diff_ci_low", "diff_ci_high"])


def comparison_json(cmp: Comparison, command: str | None = None) -> dict[str, Any]:
    """The comparison as JSON: the run's facts, and per scenario its reference, goal verdict
    and per KPI the scenario's mean and the paired difference to its reference."""
    from respons.runs.replications import summarise

    def result(res: Result) -> dict[str, Any]:
        from respons.analysis.goal import goal_json

        summary = summarise(res.kpis, {**{k: _unit(k) for k in HEADLINE}})
        return {"name": res.name, "scenario": res.cfg.scenario,
                "description": res.description, "kpis": summary,
                "goal": goal_json(res.cfg.goal, summarise(res.kpis))
                if res.cfg.goal is not None else None,
                "cost_nok": res.cost_nok, "respons_fte": res.respons_fte}

    table = comparison_table(cmp)
    b = cmp.baseline.cfg
    scenarios = []
    for res in cmp.scenarios:
        rows = table[table["scenario"] == res.name]
        scenarios.append({**result(res), "reference": cmp.reference_of(res).name,
                          "paired": {r["kpi"]: {"reference_mean": r["reference_mean"],
                                                "diff": r["diff"],
                                                "diff_ci_low": r["diff_ci_low"],
                                                "diff_ci_high": r["diff_ci_high"],
                                                "unit": r["unit"]}
                                     for r in rows.to_dict("records")}})
    return {"command": command, "baseline": result(cmp.baseline),
            "period": {"start": b.period.start.isoformat(), "end": b.period.end.isoformat()},
            "replications": b.replications, "seed": b.seed,
            "references": {n: result(r) for n, r in cmp.references.items()
                           if r not in cmp.scenarios},
            "scenarios": scenarios}


def cost_table(check: pd.DataFrame, lang: str = "en") -> str:
    """Model vs accounts per municipality, with model and implied months billed."""
    implied = [c for c in check.columns if c.startswith("implied_months_")]
    rows = [[t("cmp:municipality", lang), t("cost:model", lang), t("cost:accounts", lang),
             t("cost:difference", lang), t("cost:months", lang),
             *[t("cost:implied", lang, service=c.removeprefix("implied_months_"))
               for c in implied]],
            ["---", *["---:"] * (4 + len(implied))]]

    def n(x: float, digits: int = 0) -> str:
        return number(x, digits, lang)

    for r in check.to_dict("records"):
        rows.append([r["municipality"], n(r["model_knok"]), n(r["accounts_knok"]),
                     _signed(r["difference_knok"], 0, lang), n(r["model_months"], 1),
                     *["-" if math.isnan(r[c]) else n(r[c], 1) for c in implied]])
    rows.append([t("cmp:total", lang), n(check.model_knok.sum()), n(check.accounts_knok.sum()),
                 _signed(check.difference_knok.sum(), 0, lang), "", *[""] * len(implied)])
    return _markdown(rows)


def _markdown(rows: list[list[str]]) -> str:
    return "\n".join("| " + " | ".join(r) + " |" for r in rows)


def write_comparison_workbook(path: Path, table: pd.DataFrame, lang: str) -> None:
    """comparison.xlsx: the comparison table with labels in `lang`."""
    from respons.report.excel import write_workbook
    from respons.report.tables import Column, Table

    units = {"reference_mean": "*", "scenario_mean": "*", "diff": "*", "diff_ci_low": "*",
             "diff_ci_high": "*"}
    cols = [Column(_label(f"xlsx:{c}", lang, c), units.get(c, "")) for c in table.columns]
    rows = [[None if isinstance(v, float) and math.isnan(v) else v for v in r]
            for r in table.itertuples(index=False)]
    write_workbook(path, [Table(t("sheet:Comparison", lang), "respons scenarios --compare",
                                cols, rows)])
