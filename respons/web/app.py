"""The what-if page, run by Streamlit (`python -m respons serve` starts it). Thin: bounded
widgets in, `respons.web` functions out. Each browser session has its own widgets and results
(nothing but the cache of replications, keyed by config, is shared); a run moves its progress
bar after every chunk of replications, where Streamlit abandons it when the user changes a
control. Bad input is a message on the page, never a traceback."""

from __future__ import annotations

import sys
import traceback
from dataclasses import replace
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from respons.config import ScenarioConfig
from respons.errors import UserError, one_paragraph
from respons.report import palette
from respons.report.formatting import fmt, fmt_money
from respons.report.i18n import kpi_label, t
from respons.report.tables import (
    cost_lines,
    is_year,
    range_lines,
    replications_warning,
    target_of,
    verdict_lines,
)
from respons.web import downloads, results, whatif
from respons.web.labels import L, block_label, changes, fmt_ci, fmt_diff
from respons.web.rota import read_rota
from respons.web.settings import Settings, parse

VERDICT_BOX = {"met": st.success, "not met": st.error}


@st.cache_resource(show_spinner=False)
def _base(config: str) -> tuple[ScenarioConfig, whatif.Facts, whatif.WhatIf]:
    """The baseline config and its controls' starting values (read once per server; the
    frozen config is shared read-only)."""
    cfg = Settings(Path(config) if config else None).load()
    return (cfg, *whatif.start(cfg))


@st.cache_data(max_entries=4096, show_spinner=False)
def _chunk(key: str, reps: tuple[int, ...], _cfg: ScenarioConfig,
           _jobs: int) -> list[results.RepOutcome]:
    """Replications `reps` of the config whose key is `key`, cached for every session."""
    return results.run_chunk(_cfg, reps, _jobs)


def controls(cfg: ScenarioConfig, facts: whatif.Facts, base: whatif.WhatIf,
             lang: str) -> whatif.WhatIf:
    """The sidebar's widgets (every one bounded) as a WhatIf; a bad rota file raises."""
    side = st.sidebar
    lim = whatif.bounds(base)
    side.header(L("controls", lang))
    side.subheader(L("operators", lang))
    cols = side.columns(len(whatif.BLOCKS))
    upload = side.file_uploader(L("rota_file", lang), type=["csv", "yaml", "yml"], key="rota",
                                max_upload_size=1)
    rota_note = side.empty()
    operators = tuple(
        int(col.number_input(block_label(i, lang), min_value=0,
                             max_value=int(lim["operators"][1]), value=base.operators[i], step=1,
                             key=f"op_{whatif.BLOCKS[i].name}",
                             disabled=upload is not None or facts.operator_pool is None))
        for i, col in enumerate(cols))
    if facts.operator_pool is None:
        side.caption(L("no_operators", lang))
    elif not facts.exact_blocks:
        side.caption(L("blocks_inexact", lang))
    side.divider()
    nurse_on = side.toggle(L("nurse_backup", lang), value=base.nurse_backup, key="nurse_on",
                           disabled=facts.nurse_pool is None)
    delay = side.number_input(L("nurse_delay", lang), min_value=lim["nurse_delay_s"][0],
                              max_value=lim["nurse_delay_s"][1],
                              value=float(base.nurse_delay_s),
                              step=10.0, format="%.0f", key="nurse_delay",
                              disabled=facts.nurse_pool is None or not nurse_on)
    if facts.nurse_pool is None:
        side.caption(L("no_nurses", lang))
    side.divider()
    growth = side.selectbox(L("growth", lang), [None, *facts.growth], key="growth",
                            help=L("growth_help", lang),
                            format_func=lambda g: L("growth_none", lang) if g is None
                            else f"{g}: {facts.growth[g]}")
    volume = side.slider(L("volume", lang), *lim["volume"], value=1.0, step=0.05,
                         key="volume")
    talk = side.slider(L("talk", lang), *lim["talk"], value=1.0, step=0.05, key="talk")
    side.divider()
    goal_on = side.checkbox(L("goal_on", lang), value=base.goal_share is not None,
                            key="goal_on")
    share = side.number_input(L("goal_share", lang), min_value=100 * lim["goal_share"][0],
                              max_value=100 * lim["goal_share"][1],
                              value=100 * (base.goal_share or 0.95), step=0.5, format="%.1f",
                              key="goal_share", disabled=not goal_on)
    within = side.number_input(L("within", lang), min_value=lim["within_s"][0],
                               max_value=lim["within_s"][1], value=float(base.within_s),
                               step=10.0, format="%.0f", key="within")
    reps = side.number_input(L("replications", lang), min_value=int(lim["replications"][0]),
                             max_value=int(lim["replications"][1]),
                             value=whatif.DEFAULT_REPLICATIONS, step=1, key="replications")
    rota = None
    if upload is not None:  # read last, so a bad file leaves every widget in place
        rota = read_rota(upload.name, upload.getvalue(), cfg, facts.operator_pool)
        rota_note.caption(L("rota_loaded", lang, name=rota.name, hours=f"{rota.weekly_hours:g}",
                            pool=rota.pool))
    return replace(base, operators=operators, rota=rota, nurse_backup=bool(nurse_on),
                   nurse_delay_s=float(delay) if nurse_on else base.nurse_delay_s,
                   growth=growth, volume=round(float(volume), 4), talk=round(float(talk), 4),
                   goal_share=round(float(share) / 100, 6) if goal_on else None,
                   within_s=float(within), replications=int(reps))


def compute(settings: Settings, ref: ScenarioConfig, what: ScenarioConfig,
            lang: str) -> tuple[results.Outcome, results.Outcome]:
    """Both configs' replications (cached chunks), with a progress bar."""
    bar = st.progress(0.0, text=L("computing", lang, done=0, total="…"))

    def progress(done: int, total: int) -> None:  # Streamlit may stop a stale run here
        bar.progress(done / total, text=L("computing", lang, done=done, total=total))

    def fetch(cfg: ScenarioConfig, reps: tuple[int, ...]) -> list[results.RepOutcome]:
        return _chunk(whatif.config_key(cfg), reps, cfg, settings.jobs)

    b, w = results.run_both(ref, what, settings.jobs, fetch, progress)
    bar.empty()
    return results.assemble(ref, b), results.assemble(what, w)


def verdict(base: results.Outcome, what: results.Outcome, lang: str) -> None:
    """The verdict against the goal (the what-if's, then the baseline's) and the cost."""
    with st.container(key="verdict"):
        goal = what.doc.get("goal")
        if not isinstance(goal, dict):
            st.info(L("no_goal", lang))
        else:
            found = [goal.get("verdict"),
                     *(g.get("verdict") for g in goal.get("categories", {}).values())]
            for line, v in zip(verdict_lines(what.doc, lang), found, strict=True):
                VERDICT_BOX.get(v, st.warning)(line)
            for line in range_lines(what.doc, lang):  # only for the unchanged baseline
                st.caption(line)
            st.caption(L("baseline_line", lang, line=verdict_lines(base.doc, lang)[0]))
    with st.container(key="cost"):
        st.markdown("  \n".join(cost_lines(what.doc, lang)))
    warning = replications_warning(what.cfg.replications, lang)
    if warning:
        st.caption(warning)


def metrics(diffs: list[results.Difference], base: results.Outcome, what: results.Outcome,
            target: float, lang: str) -> None:
    """Headline numbers with their change against the baseline (green: better)."""
    by = {d.kpi: d for d in diffs}
    shown = {"alarms_answered_within_target_share": "normal", "answer_time_mean_s": "inverse",
             "operator_utilisation": "off"}
    cols = st.columns(len(shown) + 1)
    for col, (k, colour) in zip(cols, shown.items(), strict=False):
        if k in by:
            d = by[k]
            col.metric(kpi_label(k, lang, target), fmt(d.mean, d.unit, lang),
                       **_delta(d.diff, d.unit, lang, colour))
    wc, bc = what.doc.get("costs"), base.doc.get("costs")
    if wc and bc:
        label = t("annual_cost" if is_year(what.doc) else "period_cost", lang)
        cols[-1].metric(label, fmt_money(wc["total_nok"], lang),
                        **_delta(wc["total_nok"] - bc["total_nok"], "nok", lang, "inverse"))


def _delta(x: float, unit: str, lang: str, colour: str) -> dict[str, Any]:
    """st.metric's delta: signed text (an ASCII minus, which sets the arrow); none when it
    rounds to zero."""
    text = fmt_diff(x, unit, lang)
    if text.startswith(("±", "–")):
        return {"delta": None}
    return {"delta": text.replace("−", "-"), "delta_color": colour}


def tables(diffs: list[results.Difference], base: results.Outcome, what: results.Outcome,
           target: float, lang: str) -> None:
    """The headline KPIs with CIs and paired differences; the share by hour; the costs."""
    st.subheader(L("sec_kpis", lang))
    st.table(pd.DataFrame([{
        L("kpi", lang): kpi_label(d.kpi, lang, target),
        L("what_if", lang): fmt(d.mean, d.unit, lang),
        L("ci", lang): fmt_ci(d.ci_low, d.ci_high, d.unit, lang),
        L("baseline", lang): fmt(d.base, d.unit, lang),
        L("difference", lang): fmt_diff(d.diff, d.unit, lang),
        L("ci", lang) + " ": fmt_ci(d.diff_low, d.diff_high, d.unit, lang, diff=True),
    } for d in diffs]), hide_index=True)
    st.caption(L("diff_note", lang))
    st.subheader(L("sec_hour", lang, within=f"{target:g}"))
    st.altair_chart(hour_chart(base, what, lang), width="stretch")
    rows = results.cost_rows(base, what)
    if rows:
        st.subheader(L("sec_costs", lang))
        total = [L("total", lang), *(sum(r[i] for r in rows) for i in (1, 2, 3))]
        st.table(pd.DataFrame([{
            L("municipality", lang): name, L("what_if", lang): fmt_money(w, lang),
            L("baseline", lang): fmt_money(b, lang),
            L("difference", lang): fmt_diff(d, "nok", lang)}
            for name, w, b, d in [*rows, total]]), hide_index=True)


def hour_chart(base: results.Outcome, what: results.Outcome, lang: str) -> alt.Chart:
    """Share within the limit by hour of day: the what-if in the alarm colour, the baseline
    as the black reference, the goal in vermilion (the report's palette)."""
    names = {"what_if": L("what_if", lang), "baseline": L("baseline", lang)}
    frame = pd.DataFrame([
        {"hour": h, "series": names[name], "share": None if pd.isna(v) else 100 * float(v)}
        for name, o in (("what_if", what), ("baseline", base))
        for h, v in enumerate(o.share_by_hour())])
    colours = alt.Scale(domain=list(names.values()),
                        range=[palette.category("alarm"), palette.REFERENCE])
    chart = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("hour:O", title=L("hour", lang)),
        y=alt.Y("share:Q", title="%", scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title=None, scale=colours))
    goal = what.doc.get("goal")
    if isinstance(goal, dict):
        rule = alt.Chart(pd.DataFrame({"goal": [100 * goal["share"]]})).mark_rule(
            strokeDash=[4, 4], color=palette.GOAL).encode(y="goal:Q")
        return chart + rule
    return chart


def downloads_section(settings: Settings, cfg: ScenarioConfig, base: results.Outcome,
                      what: results.Outcome, diffs: list[results.Difference],
                      changed: list[str], lang: str) -> None:
    st.subheader(L("sec_download", lang))
    c1, c2 = st.columns(2)
    c1.download_button(L("dl_overlay", lang), key="dl_overlay", on_click="ignore",
                       data=lambda: downloads.overlay_yaml(cfg, what.cfg, settings.base_file(),
                                                           changed),
                       file_name="what-if.yaml", mime="application/x-yaml")
    c2.download_button(L("dl_xlsx", lang), key="dl_xlsx", on_click="ignore",
                       data=lambda: downloads.workbook(base, what, diffs, changed, lang),
                       file_name="what-if.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    st.caption(L("dl_note", lang))


def page(settings: Settings) -> None:
    lang = settings.lang
    st.set_page_config(page_title=L("title", lang), layout="wide", menu_items={
        "Get help": None, "Report a bug": None, "About": L("title", lang)})
    cfg, facts, base = _base(str(settings.config or ""))
    st.title(L("title", lang))
    st.caption(L("intro", lang, scenario=cfg.scenario, start=cfg.period.start,
                 end=cfg.period.end, seed=cfg.seed))
    try:
        w = controls(cfg, facts, base, lang)
        what, ref = whatif.build(cfg, w), whatif.baseline(cfg, w)
        warning = results.load_warning(what)
    except UserError as e:
        st.error(L("error", lang, msg=one_paragraph(str(e))))
        return
    changed = changes(facts, base, w, lang)
    st.markdown("**" + L("changes_title", lang) + ":** " +
                ("; ".join(changed) if changed else L("no_changes", lang)))
    if warning:
        st.warning(warning)
    ref_out, what_out = compute(settings, ref, what, lang)
    diffs = results.differences(ref_out, what_out)
    target = target_of(what_out.doc)
    verdict(ref_out, what_out, lang)
    metrics(diffs, ref_out, what_out, target, lang)
    tables(diffs, ref_out, what_out, target, lang)
    downloads_section(settings, cfg, ref_out, what_out, diffs, changed, lang)


def run(argv: list[str]) -> None:
    """The page; an unexpected failure is a message (details on the server's stderr)."""
    try:
        settings = parse(argv)
    except UserError as e:
        st.error(one_paragraph(str(e)))
        return
    try:
        page(settings)
    except UserError as e:
        st.error(L("error", settings.lang, msg=one_paragraph(str(e))))
    except Exception as e:  # noqa: BLE001 - never a traceback on the page
        traceback.print_exc(file=sys.stderr)
        st.error(L("internal", settings.lang, kind=type(e).__name__))


run(sys.argv[1:])  # Streamlit runs this file as a script: its arguments follow `--`
