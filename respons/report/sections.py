"""Pieces of the HTML report: the stylesheet, tables and the config summary (numbers formatted
by `respons.report.formatting`, in the report's language).

Every piece of text that reaches the page goes through `html.escape`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from respons.config import WEEKDAYS, Pool, ScenarioConfig, Shift
from respons.engine.rosters import fte
from respons.report.formatting import fmt_seconds, fmt_value, number, percent
from respons.report.i18n import WEEKDAYS as DAY_NAMES
from respons.report.i18n import date_text, t

__all__ = ["CSS", "config_section", "fmt_count", "fmt_seconds", "fmt_share", "fmt_value",
           "table"]

CSS = """
:root{--ink:#1d2733;--muted:#5b6877;--line:#d9dee5;--band:#f4f6f9;--accent:#2f6db5;
--good:#2e7d4f;--bad:#b53a32}
*{box-sizing:border-box}
body{margin:0;background:#eef1f5;color:var(--ink);font:15px/1.5 "Segoe UI",Roboto,
"Helvetica Neue",Arial,"Liberation Sans",sans-serif}
main{max-width:1180px;margin:0 auto;padding:28px 36px 40px;background:#fff;min-height:100vh;
box-shadow:0 0 18px rgba(0,0,0,.06)}
h1{font-size:1.75rem;margin:0 0 .2em;color:var(--accent)}
h2{font-size:1.3rem;margin:2.2em 0 .6em;padding-bottom:.25em;border-bottom:2px solid var(--line)}
h3{font-size:1.05rem;margin:1.6em 0 .4em}
p.lead{font-size:1.05rem;color:var(--muted);margin:.2em 0 1em}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25em 1.4em;margin:0;
padding:.9em 1.2em;background:var(--band);border-radius:6px}
dl.facts dt{font-weight:600;color:var(--muted)}
dl.facts dd{margin:0}
nav{margin:1.2em 0 0;padding:.6em 0;border-top:1px solid var(--line);
border-bottom:1px solid var(--line);font-size:.95rem}
nav a,a{color:var(--accent);text-decoration:none}
table{border-collapse:collapse;width:100%;margin:.4em 0 .6em;font-size:.92rem}
th,td{padding:.42em .7em;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:var(--band);font-weight:600}
div.wide{overflow-x:auto}
tbody tr:nth-child(even){background:#fafbfc}
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
table#monthly-table td,table#monthly-table th{padding:.3em .45em;font-size:.85rem}
span.ci{display:block;font-size:.8rem;color:var(--muted)}
span.code{display:block;font:.78rem/1.3 ui-monospace,"DejaVu Sans Mono",Menlo,monospace;
color:var(--muted)}
td.yes{color:var(--good);font-weight:600}
td.no{color:var(--bad);font-weight:600}
p.note{color:var(--muted);font-size:.88rem;margin:.3em 0}
p.callout{background:#fff6e0;border-left:4px solid #e0a526;padding:.6em 1em;border-radius:3px}
div.verdict{margin:1.2em 0 .4em;padding:.8em 1.2em;border-radius:6px;border-left:6px solid
var(--muted);background:var(--band)}
div.verdict p{margin:.2em 0;font-size:1.08rem}
div.verdict p.line.met{color:var(--good);font-weight:600}
div.verdict p.line.not-met{color:var(--bad);font-weight:600}
div.verdict p.line.not-proven{color:#8a5a00;font-weight:600}
div.verdict.met{border-left-color:var(--good)}
div.verdict.not-met{border-left-color:var(--bad)}
div.verdict.not-proven{border-left-color:#e0a526}
p.cost{font-size:1.05rem;margin:.5em 0}
ol.notes{color:var(--muted);font-size:.86rem;margin:.4em 0;padding-left:1.4em}
figure{margin:1.6em 0 2.2em;padding:0}
figure img{display:block;max-width:100%;height:auto;margin:0 auto;border:1px solid var(--line);
border-radius:4px}
figcaption{font-size:.9rem;color:var(--muted);margin:.55em .2em 0;max-width:70em}
figcaption strong{color:var(--ink)}
footer{margin-top:3em;padding-top:.8em;border-top:1px solid var(--line);color:var(--muted);
font-size:.82rem}
@media print{body{background:#fff}main{box-shadow:none;max-width:none}
figure{break-inside:avoid}}
"""


def fmt_share(x: float, lang: str = "en") -> str:
    """A 0..1 share as a percentage with one decimal: '96.7 %'."""
    return percent(x, 1, lang)


def fmt_count(x: float, lang: str = "en") -> str:
    """A count with thousands separators: '36,150' ('36 150' in Norwegian)."""
    return number(x, 0, lang)


def table(head: Sequence[str], rows: Sequence[Sequence[str]], table_id: str | None = None,
          numeric: Sequence[int] = (), raw: bool = False,
          classes: Sequence[Sequence[str]] | None = None) -> str:
    """An HTML table; cells are escaped unless `raw` (then the caller escaped them)."""
    ident = f' id="{escape(table_id)}"' if table_id else ""

    def cls(j: int, extra: str = "") -> str:
        names = " ".join(n for n in ("num" if j in numeric else "", extra) if n)
        return f' class="{names}"' if names else ""

    th = "".join(f"<th{cls(j)}>{escape(h)}</th>" for j, h in enumerate(head))
    body = []
    for i, row in enumerate(rows):
        tds = "".join(
            f"<td{cls(j, classes[i][j] if classes else '')}>{c if raw else escape(str(c))}</td>"
            for j, c in enumerate(row))
        body.append(f"<tr>{tds}</tr>")
    return f"<table{ident}><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _days(days: Sequence[str], lang: str) -> str:
    """'every day', 'Mon–Fri' or 'Mon, Wed' from a shift's weekdays."""
    idx = sorted(WEEKDAYS.index(d) for d in days)
    if len(idx) == 7:
        return "alle dager" if lang == "nb" else "every day"
    names = [DAY_NAMES[lang][i].capitalize() for i in idx]
    if len(idx) > 2 and idx == list(range(idx[0], idx[-1] + 1)):
        return f"{names[0]}–{names[-1]}"
    return ", ".join(names)


def _shift(s: Shift, lang: str) -> str:
    dated = "".join(f" ({_day(p.start, lang)} – {_day(p.end - dt.timedelta(days=1), lang)})"
                    for p in s.dates)
    return f"{_days(s.days, lang)} {s.start}–{s.end} × {s.staff}{dated}"


RULES = {"primary": ("primary", "primær"),
         "all_busy": ("when the primary staff are busy", "når de primære er opptatt"),
         "after_wait": ("after waiting {after} s", "etter {after} s venting")}


def _serves(pool: Pool, lang: str) -> str:
    parts = []
    for s in pool.serves:
        en, nb = RULES[s.rule.value]
        rule = (nb if lang == "nb" else en).format(after=f"{s.after_s:g}")
        text = f"{s.category.value} ({rule})"
        for u in s.unavailable:
            last = u.end - dt.timedelta(days=1)  # periods end exclusive
            text += (f"; ikke fra {_day(u.start, lang)} til {_day(last, lang)}" if lang == "nb"
                     else f"; not from {_day(u.start, lang)} to {_day(last, lang)}")
        if s.municipalities is not None:
            text += (f"; bare fra {', '.join(s.municipalities)}" if lang == "nb"
                     else f"; only from {', '.join(s.municipalities)}")
        if s.interrupts:
            text += ("; avbryter arbeid som kan avbrytes" if lang == "nb"
                     else "; interrupts interruptible work")
        if s.interruptible:
            text += "; kan avbrytes" if lang == "nb" else "; interruptible"
        parts.append(text)
    return "; ".join(parts)


def _day(d: dt.date, lang: str = "en") -> str:
    return date_text(d.year, d.month, d.day, lang)


RATE_BASIS = {"per_1000_inhabitants": ("per 1,000 inhabitants", "per 1 000 innbyggere"),
              "per_80plus": ("per inhabitant 80+", "per innbygger 80+"),
              "per_municipality": ("per municipality", "per kommune"),
              "per_user": ("per alarm user", "per alarmbruker"),
              "per_device": ("per device", "per enhet")}
HEADS = {
    "pools": (["pool", "role", "answers", "weekly shifts (days, hours × staff)", "FTE",
               "sickness absence"],
              ["gruppe", "rolle", "svarer på", "ukentlige vakter (dager, timer × antall)",
               "årsverk", "sykefravær"]),
    "municipalities": (["municipality", "number", "population", "80+", "joined", "ramp-up",
                        "sends", "home-care travel (mean)"],
                       ["kommune", "nummer", "innbyggere", "80+", "med fra", "opptrapping",
                        "sender", "reisetid hjemmetjenesten (snitt)"]),
    "kinds": (["kind", "category", "priority", "rate", "profile", "talk time (mean)"],
              ["type", "kategori", "prioritet", "rate", "profil", "samtaletid (snitt)"]),
}


def _rate(k, lang: str) -> str:  # noqa: ANN001 - an EventKind
    nb = lang == "nb"
    if k.rate is None:
        return "bare oppfølging" if nb else "follow-up only"
    per_year = number(k.rate.per_year, 2, lang).rstrip("0").rstrip(",.")
    return f"{per_year} {RATE_BASIS[k.rate.basis.value][int(nb)]} {'i året' if nb else 'a year'}"


def config_section(cfg: ScenarioConfig, lang: str = "en") -> str:
    """Staffing pools (shifts, FTE) and municipalities (population, join date) of the run."""
    nb = lang == "nb"
    pool_rows = [[escape(p.name), escape(p.role.value), escape(_serves(p, lang)),
                  "<br>".join(escape(_shift(s, lang)) for s in p.shifts),
                  escape(number(fte(p, cfg.fte_hours_per_week, cfg.period), 2, lang)),
                  escape(percent(p.sickness_absence, 1, lang) if p.sickness_absence else "–")]
                 for p in cfg.pools]
    total = sum(fte(p, cfg.fte_hours_per_week, cfg.period) for p in cfg.pools)
    muni_rows = []
    for m in sorted(cfg.municipalities, key=lambda m: (m.joined, m.name)):
        muni_rows.append([
            m.name, m.number, number(m.population, 0, lang),
            number(m.population_80plus, 0, lang) if m.population_80plus is not None else "–",
            _day(m.joined, lang),
            (f"{m.ramp_up_days:g} " + ("dager" if nb else "days")) if m.ramp_up_days else "–",
            ", ".join(s.value for s in m.services),
            fmt_value(m.homecare.travel.mean, "s", lang),
        ])
    pop = sum(m.population for m in cfg.municipalities)
    kinds = [[k.name, k.category.value, str(k.priority), _rate(k, lang), k.profile or "–",
              fmt_value(k.talk.mean, "s", lang)] for k in cfg.event_kinds]
    hours = number(cfg.fte_hours_per_week, 1, lang).rstrip("0").rstrip(",.")
    pools_title = (f"Bemanningsgrupper ({number(total, 1, lang)} årsverk à {hours} t i uken)"
                   if nb else f"Staffing pools ({number(total, 1, lang)} FTE at {hours} h a week)")
    munis_title = (f"Kommuner ({len(cfg.municipalities)}, {number(pop, 0, lang)} innbyggere)"
                   if nb else f"Municipalities ({len(cfg.municipalities)}, "
                   f"{number(pop, 0, lang)} inhabitants)")
    return (
        f'<section id="config">\n<h2>{escape(t("sec_config", lang))}</h2>\n'
        f"<h3>{escape(pools_title)}</h3>\n"
        + table(HEADS["pools"][int(nb)], pool_rows, table_id="pools-table", numeric=(4, 5),
                raw=True)
        + f"\n<h3>{escape(munis_title)}</h3>\n"
        + table(HEADS["municipalities"][int(nb)], muni_rows, table_id="municipalities-table",
                numeric=(2, 3, 7))
        + f"\n<h3>{'Kontakttyper' if nb else 'Event kinds'}</h3>\n"
        + table(HEADS["kinds"][int(nb)], kinds, numeric=(2, 5))
        + f'\n<p class="note">{escape(t("rerun_note", lang))} <code>respons simulate --config '
          "config.resolved.yaml</code>.</p>\n</section>")
