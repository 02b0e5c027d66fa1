"""report.html of a roster directory: the answer next to the alternatives, the iterations, the
rota, a week x hour heat map of required vs rostered staff, and the share of alarms answered
in time by hour. One self-contained file (inline CSS, figures as data URIs), built from the
directory's summary.json, roster.csv and intervals.csv. English or Norwegian (bokmål): the rota
names of summary.json are shown in the language by `rota_label`."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from respons.report import palette
from respons.report.formatting import number, percent
from respons.report.i18n import WEEKDAYS, pick, pool_name
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

# summary.json's rota names (respons/studies/roster.py) in Norwegian: (pattern, Norwegian)
_ROTA_NB: tuple[tuple[str, str], ...] = (
    (r"current rota \(config\)", "nåværende turnus (konfigurasjon)"),
    (r"published (?P<fte>[\d.]+) FTE less the lead: one seat 24/7",
     "publisert {fte} årsv. uten fagleder: én plass 24/7"),
    (r"Erlang C per half hour", "Erlang C per halvtime"),
    (r"answer", "svar"),
    (r"answer with at least (?P<n>\d+) on duty", "svar med minst {n} på vakt"),
)


def rota_label(name: str, lang: str = "en") -> str:
    """A rota's name from summary.json as shown in `lang` (unknown names as they are)."""
    if lang != "nb":
        return name
    for pattern, nb in _ROTA_NB:
        m = re.fullmatch(pattern, name)
        if m:
            return nb.format(**{k: v.replace(".", ",") for k, v in m.groupdict().items()})
    return name


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
def heatmap_figure(intervals: list[dict[str, str]], lang: str = "en") -> Any:
    """Required (what the search credited) and rostered people per half hour of the week."""
    req, ros = _grid(intervals, "required"), _grid(intervals, "rostered")
    top = max(float(req.max()), float(ros.max()), 1.0)
    fig = new_figure(11, 5.2)
    axes = fig.subplots(2, 1, sharex=True)
    titles = (pick(lang, "Required (people the search asked for)",
                   "Behov (personer søket ba om)"),
              pick(lang, "Rostered (people on duty)", "I turnus (personer på vakt)"))
    days = WEEKDAY_LABELS if lang != "nb" else WEEKDAYS["nb"]
    for ax, data, title in ((axes[0], req, titles[0]), (axes[1], ros, titles[1])):
        im = ax.imshow(data, aspect="auto", cmap="Blues", vmin=0, vmax=top,
                       interpolation="nearest")
        ax.set_title(title, loc="left")
        ax.set_yticks(range(7), days)
        ax.grid(False)
        for (i, j), v in np.ndenumerate(data):
            if j % 2 == 0 or data[i, j] != data[i, j - 1]:
                text = f"{v:g}".replace(".", "," if lang == "nb" else ".")
                ax.text(j, i, text, ha="center", va="center", fontsize=6,
                        color="white" if v > 0.6 * top else "#1d2733")
    axes[1].set_xticks(range(0, SLOTS_PER_DAY, 2), [f"{h:02d}" for h in range(24)])
    axes[1].set_xlabel(pick(lang, "hour of day (each cell is half an hour)",
                            "time på døgnet (hver rute er en halvtime)"))
    fig.colorbar(im, ax=axes, shrink=0.8, label=pick(lang, "people", "personer"))
    return fig


@styled
def hourly_share_figure(intervals: list[dict[str, str]], goal: float, lang: str = "en") -> Any:
    """Share of alarms answered within the limit by hour of day, with the goal."""
    share = hour_shares(intervals)
    fig = new_figure(11, 3.2)
    ax = fig.subplots()
    ax.bar(range(24), np.nan_to_num(share), color=palette.category("alarm"), width=0.8)
    ax.axhline(goal, color=TARGET_COLOUR, linewidth=1.2, label=pick(lang, "goal", "mål") + " "
               + f"{100 * goal:g}".replace(".", "," if lang == "nb" else ".") + " %")
    low = float(np.nanmin(share)) if np.isfinite(share).any() else goal
    ax.set_ylim(max(0.0, min(low, goal) - 0.02), 1.0)
    ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)])
    ax.set_xlabel(pick(lang, "hour of day (alarm arrival)", "time på døgnet (alarmens ankomst)"))
    percent_axis(ax, lang=lang)
    ax.legend(loc="lower right")
    return fig


def _data_uri(fig: Any) -> str:
    import matplotlib

    buf = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _pct(x: float | None, lang: str = "en") -> str:
    return "–" if x is None else percent(x, 2, lang)


def _ci(k: dict[str, Any], lang: str = "en") -> str:
    return f"{_pct(k['mean'], lang)} [{_pct(k['ci_low'], lang)}, {_pct(k['ci_high'], lang)}]"


def _day(day: str, lang: str) -> str:
    """roster.csv's day ('mon') in Norwegian ('man.'); as written in English."""
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return WEEKDAYS["nb"][names.index(day)] if lang == "nb" and day in names else day


def _figure(uri: str, caption: str) -> str:
    return f'<figure><img src="{uri}" alt=""><figcaption>{caption}</figcaption></figure>'


def write_roster_report(out: Path, lang: str = "en") -> Path:
    """Write `out/report.html` from the roster directory's files, in `lang` (en or nb)."""
    s = json.loads((out / "summary.json").read_text("utf-8"))
    roster, intervals = _rows(out / "roster.csv"), _rows(out / "intervals.csv")
    g, p = s["goal"], s["period"]

    def L(en: str, nb: str) -> str:  # noqa: N802 - short: the page is mostly words
        return pick(lang, en, nb)

    def n(x: float, decimals: int = 0) -> str:
        return number(x, decimals, lang)

    def g_(x: float) -> str:
        return f"{x:g}".replace(".", "," if lang == "nb" else ".")

    def nok(x: float) -> str:
        return f"NOK {n(x)}" if lang != "nb" else f"kr {n(x)}"

    met_word = {True: L("met", "nådd"), False: L("missed", "ikke nådd")}
    title = L(f"Respons roster: {s['scenario']}, pool {s['pool']}",
              f"Respons turnus: {s['scenario']}, {pool_name(s['pool'], 'nb')}")
    verdict = (L("meets", "når") if s["met"] else L("does not meet", "ikke når"))
    shifts = f"<strong>{escape(s['shifts']['name'])}</strong>"
    parts = [
        f"<h1>{escape(title)}</h1>",
        '<p class="lead">' + L(
            f"The cheapest weekly rota of the shift catalogue {shifts} that {verdict} the "
            f"goal: at least {g_(100 * g['share'])} % of alarms answered within "
            f"{g_(g['within_s'])} s (lower 95 % bound over {s['replications']} replications), "
            f"with at least {s['min_on_duty']} on duty at all times. It holds for the period "
            f"{escape(p['start'])} to {escape(p['end'])} (end exclusive, {p['days']} days).",
            f"Den billigste ukesturnusen fra vaktkatalogen {shifts} som {verdict} målet: minst "
            f"{g_(100 * g['share'])} % av alarmene besvart innen {g_(g['within_s'])} s (nedre "
            f"95 %-grense over {s['replications']} replikasjoner), med minst "
            f"{s['min_on_duty']} på vakt hele tiden. Den gjelder perioden {escape(p['start'])} "
            f"til {escape(p['end'])} (slutt ikke medregnet, {p['days']} dager).") + "</p>",
        '<dl class="facts">'
        f"<dt>{L('FTE (rostered)', 'Årsverk (i turnus)')}</dt><dd>{n(s['fte'], 2)} "
        f"({n(s['weekly_hours'], 1)} {L('h a week', 't i uken')})</dd>"
        f"<dt>{L('Cost', 'Kostnad')}</dt><dd>{nok(s['cost_nok'])} "
        f"{L('over the period', 'over perioden')} ({nok(s['cost_nok_per_week'])} "
        f"{L('a week', 'i uken')})</dd>"
        f"<dt>{L('Alarms in time', 'Alarmer i tide')}</dt><dd>{_ci(s['goal_kpi'], lang)}</dd>"
        f"<dt>{L('Seeds', 'Frø')}</dt><dd>"
        + L(f"verified on seed {s['seed']}, searched on seed {s['search_seed']}",
            f"verifisert med frø {s['seed']}, søkt med frø {s['search_seed']}") + "</dd></dl>",
    ]
    parts += [f'<p class="callout">{escape(x)}</p>' for x in s["notes"]]
    extra = s.get("min_on_duty_extra")
    if extra:
        fte = ("-" if extra["fte"] < 0 else "+") + n(abs(extra["fte"]), 2)
        parts.append('<p class="callout">' + L(
            f"At least {s['min_on_duty']} on duty costs {nok(extra['cost_nok'])} more over "
            f"the period ({nok(extra['cost_nok_per_week'])} a week, {fte} FTE) than the answer "
            f"with at least {extra['without']}.",
            f"Minst {s['min_on_duty']} på vakt koster {nok(extra['cost_nok'])} mer over "
            f"perioden ({nok(extra['cost_nok_per_week'])} i uken, {fte} årsverk) enn svaret "
            f"med minst {extra['without']}.") + "</p>")
    parts.append(f"<h2>{L('Compared', 'Sammenlignet')}</h2>")
    parts.append(table(
        [L("rota", "turnus"), L("FTE", "årsv."), L("h/week", "t/uke"),
         L("cost (period), NOK", "kostnad (perioden), kr"),
         L("alarms in time (95 % CI)", "alarmer i tide (95 % KI)"), L("goal", "mål")],
        [[rota_label(r["name"], lang), n(r["fte"], 2), n(r["weekly_hours"], 1),
          n(r["cost_nok"]), _ci(r["goal_kpi"], lang), met_word[bool(r["met"])]]
         for r in s["comparison"]],
        numeric=(1, 2, 3),
        classes=[["", "", "", "", "", "yes" if r["met"] else "no"] for r in s["comparison"]]))
    parts.append('<p class="note">' + L(
        "All simulated on the same draws (common random numbers). Costs are the staffed "
        "pool's hours at the catalogue's rates (pay, supplements, employer costs), not the "
        "other pools.",
        "Alle simulert på de samme trekningene (felles tilfeldige tall). Kostnadene er den "
        "bemannede gruppens timer etter katalogens satser (lønn, tillegg, arbeidsgiverkostnader), "
        "ikke de andre gruppene.") + "</p>")
    parts.append(f"<h2>{L('Iterations', 'Iterasjoner')}</h2>")
    parts.append(table(
        ["#", L("NOK/week", "kr/uke"), L("FTE", "årsv."), L("expected", "forventet"),
         L("search draws (95 % CI)", "søketrekninger (95 % KI)"),
         L("verified (95 % CI)", "verifisert (95 % KI)"), L("goal", "mål")],
        [[str(it["iteration"]), n(it["cost_nok_per_week"]), n(it["fte"], 2),
          _pct(it["expected"], lang), _ci(it["search"], lang),
          _ci(it["verified"], lang) if it["verified"] else "–", met_word[bool(it["met"])]]
         for it in s["iterations"]], numeric=(0, 1, 2, 3)))
    parts.append(f"<h2>{L('Required and rostered staff', 'Behov og bemanning i turnus')}</h2>")
    parts.append(_figure(_data_uri(heatmap_figure(intervals, lang)), L(
        "<strong>People per half hour of the week.</strong> Required: the level per half hour "
        "the search credited (Erlang C corrected by simulation); rostered: people on duty "
        "under the answer (more where whole shifts overlap).",
        "<strong>Personer per halvtime i uken.</strong> Behov: nivået per halvtime søket "
        "regnet med (Erlang C korrigert ved simulering); i turnus: personer på vakt i svaret "
        "(flere der hele vakter overlapper).")))
    parts.append(_figure(_data_uri(hourly_share_figure(intervals, g["share"], lang)), L(
        "<strong>Share of alarms answered within the limit, by hour of arrival</strong> "
        "(simulated, the answer's rota, all replications).",
        "<strong>Andel alarmer besvart innen grensen, etter ankomsttime</strong> (simulert, "
        "svarets turnus, alle replikasjoner).")))
    parts.append(f"<h2>{L('The rota', 'Turnusen')}</h2>")
    parts.append(table([L("pool", "gruppe"), L("day", "dag"), L("start", "start"),
                        L("end", "slutt"), L("people", "personer")],
                       [[r["pool"], _day(r["day"], lang), r["start"], r["end"], r["people"]]
                        for r in roster], numeric=(4,)))
    munis = s.get("cost_by_municipality")
    if munis:
        parts.append(f"<h2>{L('Cost by municipality', 'Kostnad per kommune')}</h2>")
        parts.append(table([L("municipality", "kommune"), L("NOK", "kr")],
                           [[m, n(v)] for m, v in munis.items()], numeric=(1,)))
        parts.append('<p class="note">' + L(
            "The rota's cost split by the published keys of its cost service (seed-facts.md "
            "§2.12), pro rata by days of membership.",
            "Turnusens kostnad fordelt etter de publiserte nøklene for kostnadstjenesten "
            "(seed-facts.md §2.12), forholdsmessig etter dager som medlem.") + "</p>")
    html = (f'<!DOCTYPE html>\n<html lang="{"nb" if lang == "nb" else "en"}">\n<head>\n'
            f'<meta charset="utf-8">\n'
            f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(parts) + "\n</main>\n</body>\n</html>\n")
    path = out / "report.html"
    write_text(path, html)
    return path
