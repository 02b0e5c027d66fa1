"""Labels in English and Norwegian (bokmål) for the terminal, the report and the figures.

`language(flag, config)` picks the language: `--lang`, else the config's `lang`, else the
`LANG` environment variable (nb for nb_NO, nn_NO, no_NO), else English. `t(key, lang)` gives a
label; `kpi_label(name, lang)` a KPI's label, falling back to its name for a KPI this module
does not know (so KPIs added later still show).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

LANGS = ("en", "nb")
NORWEGIAN = ("nb", "nn", "no")

KPI_LABELS: dict[str, tuple[str, str]] = {
    "alarms_answered": ("Alarms answered", "Alarmer besvart"),
    "alarms_resolved_by_operator_share": ("Alarms resolved by the centre (of answered)",
                                          "Alarmer avklart av senteret (av besvarte)"),
    "technical_alerts": ("Technical alerts arriving", "Tekniske varsler mottatt"),
    "technical_resolved_by_operator_share": (
        "Technical alerts resolved by the centre (of answered)",
        "Tekniske varsler avklart av senteret (av besvarte)"),
    "alarms_answered_within_target_share": ("Alarms answered within {target} s (of offered)",
                                            "Alarmer besvart innen {target} s (av mottatte)"),
    "answer_time_mean_s": ("Alarm answer time, mean", "Svartid for alarmer, gjennomsnitt"),
    "answer_time_p90_s": ("Alarm answer time, 90th percentile",
                          "Svartid for alarmer, 90-persentil"),
    "answer_time_p99_s": ("Alarm answer time, 99th percentile",
                          "Svartid for alarmer, 99-persentil"),
    "operator_utilisation": ("Utilisation of all in the operator role (busy / staffed time)",
                             "Belegg for alle i operatørrollen (opptatt / bemannet tid)"),
    "backup_answered_share": ("Alarms answered by backup staff (lead, nurses)",
                              "Alarmer besvart av reserve (fagleder, sykepleiere)"),
    "legevakt_calls_within_target_share": (
        "Legevakt calls answered within {target} s (of offered)",
        "Legevaktsamtaler besvart innen {target} s (av mottatte)"),
    "technical_alerts_within_target_share": (
        "Technical alerts answered within {target} s (of offered)",
        "Tekniske varsler besvart innen {target} s (av mottatte)"),
    "homecare_visits": ("Alarms forwarded to home care (visits)",
                        "Alarmer videresendt til hjemmetjenesten (besøk)"),
    "help_arrival_time_mean_s": ("Time from alarm to home care arriving, mean",
                                 "Tid fra alarm til hjemmetjenesten er fremme, gjennomsnitt"),
    "alarms_rerouted": ("Alarms rerouted to a secondary receiver",
                        "Alarmer omdirigert til sekundærmottak"),
    "legevakt_calls": ("Legevakt calls arriving", "Legevaktsamtaler mottatt"),
    "municipalities_connected": ("Municipalities sending alarms or technical alerts",
                                 "Kommuner som sender alarmer eller tekniske varsler"),
    "waiting_at_period_end": ("Contacts still waiting when the period ends",
                              "Kontakter i kø ved periodens slutt"),
    "never_answered": ("Contacts never answered", "Kontakter aldri besvart"),
    "help_arrival_within_target_share": (
        "Home care there within the help target (of forwarded alarms)",
        "Hjemmetjenesten fremme innen hjelpemålet (av videresendte)"),
    "it_work_orders": ("IT work orders", "IT-arbeidsordrer"),
    "it_backlog_at_period_end": ("IT work not finished when the period ends",
                                 "IT-arbeid ikke ferdig ved periodens slutt"),
    "it_time_to_fix_mean_s": ("IT time to fix (alert to order done), mean",
                              "IT-tid til utbedring (varsel til ferdig), gjennomsnitt"),
    "it_time_to_fix_p90_s": ("IT time to fix, 90th percentile",
                             "IT-tid til utbedring, 90-persentil"),
    "it_fixed_within_deadline_share": ("IT work orders fixed within their deadline",
                                       "IT-arbeidsordrer utbedret innen fristen"),
    # per municipality
    "alarms": ("Alarms arriving", "Alarmer mottatt"),
    "alarms_within_target_share": ("Alarms within {target} s", "Alarmer innen {target} s"),
    "cost_nok": ("Cost (NOK)", "Kostnad (kr)"),
}
# KPIs named by a pattern (added by the engine for each pool): (regex, English, Norwegian).
KPI_PATTERNS: tuple[tuple[str, str, str], ...] = (
    (r"^utilisation_(?P<x>.+)$", "Utilisation of {x} (busy / staffed time)",
     "Belegg for {x} (opptatt / bemannet tid)"),
)
# The shipped configs' pool names in words; any other pool is shown by its name.
POOL_NAMES: dict[str, tuple[str, str]] = {
    "operators": ("the operators", "operatørene"),
    "lead": ("the professional lead", "fagleder"),
    "nurses": ("the legevakt nurses", "legevaktsykepleierne"),
    "backup_seat": ("the backup seat", "reserveplassen"),
    "it_technical": ("the IT-technical service", "IT-teknisk tjeneste"),
}


def pool_name(name: str, lang: str = "en") -> str:
    """A pool's name in words ('the backup seat'); unknown pools by their own name."""
    en, nb = POOL_NAMES.get(name, (name, name))
    return nb if lang == "nb" else en

TEXT: dict[str, tuple[str, str]] = {
    # verdict
    "goal_met": ("Goal met", "Målet er nådd"),
    "goal_not_met": ("Goal not met", "Målet er ikke nådd"),
    "goal_not_proven": ("Goal not proven", "Målet er ikke påvist"),
    "assumption_range": (
        "Over the assumptions' plausible ranges (uncertainty study): {low} to {high} of {what} "
        "within {within} s (5-95 %); a confidence interval shows simulation noise only.",
        "Over antakelsenes rimelige spenn (usikkerhetsstudie): {low} til {high} av {what} "
        "innen {within} s (5-95 %); et konfidensintervall viser bare simuleringsstøy."),
    "goal_not_measured": ("Goal not measured", "Målet er ikke målt"),
    "verdict_line": ("{verdict}: {mean} {ci} of {what} within {within} s, goal {goal}",
                     "{verdict}: {mean} {ci} av {what} innen {within} s, mål {goal}"),
    "what_alarm": ("alarms", "alarmene"),
    "what_legevakt": ("legevakt calls", "legevaktsamtalene"),
    "what_technical": ("technical alerts", "de tekniske varslene"),
    "verdict_rule": (
        "Met: the whole 95 % confidence interval is at or above the goal; not met: the whole "
        "interval is below it; not proven: the interval straddles the goal (run more "
        "replications) or there is none (a single replication).",
        "Nådd: hele 95 %-konfidensintervallet ligger på eller over målet; ikke nådd: hele "
        "intervallet ligger under; ikke påvist: intervallet krysser målet (kjør flere "
        "replikasjoner), eller det finnes ikke (én replikasjon)."),
    "no_goal": ("No goal: the config sets none (add `goal: {share: 0.95}` or give --goal); "
                "the KPIs follow.",
                "Intet mål: konfigurasjonen har ikke noe (legg til `goal: {share: 0.95}` "
                "eller bruk --goal); nøkkeltallene følger."),
    "goal_source_note": ("The goal is the centre's decision, set in the config's `goal`.",
                         "Målet er senterets beslutning, satt i konfigurasjonens `goal`."),
    # cost
    "annual_cost": ("Annual cost", "Årlig kostnad"),
    "period_cost": ("Cost of the period", "Kostnad for perioden"),
    "cost_line": ("{label}: {total} ({services})", "{label}: {total} ({services})"),
    "no_costs": ("No costs in the config.", "Ingen kostnader i konfigurasjonen."),
    "cost_per_municipality": ("Cost per municipality", "Kostnad per kommune"),
    "cost_note": (
        "Rostered hours of each service's pools x its hourly cost, split between the members "
        "by the published keys (a flat share and the rest by population), pro rata by days "
        "of membership. Deterministic: the same in every replication.",
        "Bemannede timer i hver tjenestes grupper x timekostnad, fordelt på medlemmene etter "
        "de publiserte nøklene (en fast andel og resten etter innbyggertall), forholdsmessig "
        "etter dager som medlem. Deterministisk: lik i alle replikasjoner."),
    # tables
    "kpi": ("KPI", "Nøkkeltall"),
    "mean": ("mean", "gjennomsnitt"),
    "ci95": ("95 % CI", "95 % KI"),
    "municipality": ("municipality", "kommune"),
    "total": ("total", "totalt"),
    "by_service": ("by service", "per tjeneste"),
    "service": ("service", "tjeneste"),
    "run_directory": ("run directory", "kjøringsmappe"),
    "report": ("report", "rapport"),
    "head": ("{scenario}: {start} to {end}, {reps} replication(s), seed {seed}",
             "{scenario}: {start} til {end}, {reps} replikasjon(er), frø {seed}"),
    "few_reps": ("warning: {text}", "advarsel: {text}"),
    "warn_single": ("a single replication has no confidence interval; run at least {min} "
                    "replications",
                    "én replikasjon gir ikke noe konfidensintervall; kjør minst {min} "
                    "replikasjoner"),
    "warn_few": ("only {reps} replications: the 95 % intervals are wide and rest on a normal "
                 "approximation that few replications do not support; run at least {min}",
                 "bare {reps} replikasjoner: 95 %-intervallene er brede og bygger på en "
                 "normaltilnærming som få replikasjoner ikke støtter; kjør minst {min}"),
    "p_at_rule": (
        "{label} is exactly {value} in every replication: the {pool} take an alarm after it "
        "has waited {after} s (their backup rule), so many alarms are answered at that "
        "moment and the percentile sits on it.",
        "{label} er nøyaktig {value} i hver replikasjon: {pool} tar en alarm etter at den har "
        "ventet {after} s (reserveregelen), så mange alarmer besvares akkurat da, og "
        "persentilen ligger der."),
    "interval_note": (
        "Mean over {reps} replications with its Student-t 95 % confidence interval, cut to "
        "the possible range (a share stays within 0–100 %, a count or time at or above 0).",
        "Gjennomsnitt over {reps} replikasjoner med Student t 95 % konfidensintervall, kuttet "
        "til det mulige (en andel holder seg innenfor 0–100 %, antall og tider på eller over "
        "0)."),
    "cut_note": (
        "Some intervals reach a limit of what is possible (0 % or 100 %, or 0) and are cut "
        "there; the t interval was wider: more replications narrow it.",
        "Noen intervaller når en grense for det mulige (0 % eller 100 %, eller 0) og er kuttet "
        "der; t-intervallet var bredere: flere replikasjoner gjør det smalere."),
    "counting_note": (
        "Contacts are counted by arrival within the period; shares “within target” count every "
        "offered contact, so one never answered is a miss. Times: seconds below a minute, "
        "otherwise minutes:seconds.",
        "Kontakter telles etter ankomst i perioden; andeler «innen målet» teller alle mottatte "
        "kontakter, så en som aldri ble besvart, teller som bom. Tider: sekunder under ett "
        "minutt, ellers minutter:sekunder."),
    "single_rep_note": ("With a single replication there is no confidence interval.",
                        "Med én replikasjon finnes det ikke noe konfidensintervall."),
    "by_municipality_title": ("Per municipality", "Per kommune"),
    "monthly_title": ("Alarms and technical alerts per month",
                      "Alarmer og tekniske varsler per måned"),
    "monthly_note": ("Mean per replication of the alarms and technical alerts arriving each "
                     "month; darker is more. Members appear as they join and ramp up.",
                     "Gjennomsnitt per replikasjon av alarmer og tekniske varsler mottatt hver "
                     "måned; mørkere er flere. Kommunene kommer til når de blir med og "
                     "trappes opp."),
    "ci_below_note": ("Below each mean: its 95 % confidence interval. Municipalities with no "
                      "contacts and no cost in the period are left out.",
                      "Under hvert gjennomsnitt: 95 %-konfidensintervallet. Kommuner uten "
                      "kontakter og uten kostnad i perioden er utelatt."),
    "by_municipality_note": (
        "Mean per replication with its 95 % confidence interval; cost from the roster and the "
        "published keys (the same in every replication). Legevakt calls are not counted per "
        "municipality.",
        "Gjennomsnitt per replikasjon med 95 % konfidensintervall; kostnad fra turnus og de "
        "publiserte nøklene (lik i alle replikasjoner). Legevaktsamtaler telles ikke per "
        "kommune."),
    # report sections and header
    "report_title": ("Respons report: {name}", "Respons-rapport: {name}"),
    "sweep_title": ("Respons sweep report: {name}", "Respons-rapport, parameterstudie: {name}"),
    "validation_title": ("Respons validation report: {name}",
                         "Respons-rapport, validering: {name}"),
    "sec_verdict": ("Verdict and cost", "Konklusjon og kostnad"),
    "sec_municipalities": ("Per municipality", "Per kommune"),
    "sec_kpis": ("Key figures", "Nøkkeltall"),
    "sec_validation": ("Simulated vs published", "Simulert mot publisert"),
    "sec_sweep": ("Sweep", "Parameterstudie"),
    "sec_figures": ("Figures", "Figurer"),
    "sec_config": ("Configuration", "Konfigurasjon"),
    "sec_appendix": ("Appendix: diagnostics", "Vedlegg: diagnostikk"),
    "figure": ("Figure", "Figur"),
    "period": ("Period", "Periode"),
    "days": ("days", "dager"),
    "replications": ("Replications", "Replikasjoner"),
    "seed": ("Seed", "Frø"),
    "municipalities_connected": ("Municipalities connected", "Tilknyttede kommuner"),
    "rostered_fte": ("Rostered FTE", "Årsverk i turnus"),
    "target": ("Answer-time target", "Svartidsmål"),
    "goal": ("Goal", "Mål"),
    "goal_value": ("{share} of alarms within {within} s", "{share} av alarmene innen {within} s"),
    "goal_category": ("{share} of {what}", "{share} av {what}"),
    "simulated": ("Simulated", "Simulert"),
    "wall_time": ("wall time", "kjøretid"),
    "directory": ("Directory", "Mappe"),
    "report_written": ("report written", "rapport skrevet"),
    "no_events_note": (
        "This run has no figure data (made with --no-events and without a report), so only "
        "the figures that need nothing but the replications table are shown.",
        "Denne kjøringen mangler figurdata (kjørt med --no-events og uten rapport), så bare "
        "figurene som kun trenger replikasjonstabellen, vises."),
    "rerun_note": ("The full configuration is in config.resolved.yaml beside this report; "
                   "re-run it with",
                   "Hele konfigurasjonen ligger i config.resolved.yaml ved siden av denne "
                   "rapporten; kjør den på nytt med"),
    "years_simulated": ("Years simulated", "Simulerte år"),
    "replications_word": ("replications", "replikasjoner"),
    # nb-a: scenarios, sensitivity, sweep, staff, simulate
    "verdict:met": ("met", "nådd"),
    "verdict:not met": ("not met", "ikke nådd"),
    "verdict:not proven": ("not proven", "ikke påvist"),
    "verdict:not measured": ("not measured", "ikke målt"),
    "sheet:Verdict": ("Verdict", "Konklusjon"),
    "sheet:KPIs": ("KPIs", "Nøkkeltall"),
    "sheet:Municipalities": ("Municipalities", "Kommuner"),
    "sheet:Costs": ("Costs", "Kostnader"),
    "sheet:Comparison": ("Comparison", "Sammenligning"),
    "sheet:Points": ("Points", "Punkter"),
    "sheet:Paired differences": ("Paired differences", "Parvise differanser"),
    "cmp_intro": ("Baseline `{scenario}`; period {start} to {end}; {reps} replication(s), seed "
                  "{seed}; run {today}.",
                  "Referanse `{scenario}`; periode {start} til {end}; {reps} replikasjon(er), "
                  "frø {seed}; kjørt {today}."),
    "cmp_command": ("Command: `{command}`.", "Kommando: `{command}`."),
    "cmp_cells": (
        "Every scenario runs with the baseline's seed, replications and period (common "
        "random numbers) and is compared with its own reference, column `vs`: the config "
        "its `base:` names (the growth files build on all-members-2020), the baseline for a "
        "full config. Cells: scenario mean (paired difference to its reference ± the "
        "half-width of its 95 % CI, paired t over replications). `goal`: the scenario's "
        "own goal judged on its 95 % CIs (met / not met / not proven). Cost and FTE are "
        "deterministic (the roster), with the difference to the reference in brackets.",
        "Hvert scenario kjøres med referansens frø, replikasjoner og periode (felles "
        "tilfeldige tall) og sammenlignes med sin egen referanse, kolonnen `mot`: "
        "konfigurasjonen som `base:` peker på (vekstfilene bygger på all-members-2020), "
        "referansen for en fullstendig konfigurasjon. Celler: scenariets gjennomsnitt (parvis "
        "differanse mot referansen ± halvbredden av 95 %-konfidensintervallet, parvis t over "
        "replikasjonene). `mål`: scenariets eget mål vurdert på 95 %-konfidensintervallene "
        "(nådd / ikke nådd / ikke påvist). Kostnad og årsverk er deterministiske (turnus), med "
        "differansen mot referansen i parentes."),
    "cmp:scenario": ("scenario", "scenario"),
    "cmp:vs": ("vs", "mot"),
    "cmp:goal": ("goal", "mål"),
    "cmp:cost": ("cost MNOK", "kostnad mill. kr"),
    "cmp:fte": ("Respons FTE", "Respons årsverk"),
    "cmp:baseline": ("baseline", "referanse"),
    "cmp:alarms_answered": ("alarms answered", "alarmer besvart"),
    "cmp:alarms_answered_within_target_share": ("alarms within target", "alarmer innen målet"),
    "cmp:answer_time_mean_s": ("mean wait", "ventetid, snitt"),
    "cmp:answer_time_p90_s": ("p90 wait", "ventetid, 90-persentil"),
    "cmp:alarms_resolved_by_operator_share": ("resolved by operator", "avklart av operatør"),
    "cmp:homecare_visits": ("home-care visits", "hjemmetjenestebesøk"),
    "cmp:legevakt_calls_within_target_share": ("legevakt within target",
                                               "legevakt innen målet"),
    "cmp:operator_utilisation": ("operator utilisation", "operatørbelegg"),
    "cmp:backup_answered_share": ("alarms answered by backup", "alarmer besvart av reserve"),
    "cmp:nurse_alarm_hours": ("nurse hours on alarms", "sykepleiertimer på alarmer"),
    "cmp_visits_intro": ("Home-care visits avoided per municipality, `{name}` vs `{ref}` "
                         "(paired):",
                         "Hjemmetjenestebesøk unngått per kommune, `{name}` mot `{ref}` "
                         "(parvis):"),
    "cmp:municipality": ("municipality", "kommune"),
    "cmp:visits": ("{name} visits", "{name} besøk"),
    "cmp:avoided": ("avoided (95 % CI)", "unngått (95 % KI)"),
    "cmp:total": ("**total**", "**totalt**"),
    "cmp_storm_intro": (
        "Storm `{burst}` ({kind}, starting {label}): alarms arriving in the first {hours} h; "
        "'storm cleared after' = hours until the last {kind} alert of the storm's {minutes} "
        "minutes was answered.",
        "Storm `{burst}` ({kind}, fra {label}): alarmer mottatt de første {hours} t; «storm "
        "avviklet etter» = timer til det siste {kind}-varselet fra stormens {minutes} "
        "minutter var besvart."),
    "cmp:config": ("config", "konfigurasjon"),
    "cmp:no_storm": (" (no storm)", " (uten storm)"),
    "storm:alarms": ("alarms", "alarmer"),
    "storm:mean_wait_s": ("mean wait", "ventetid, snitt"),
    "storm:p90_wait_s": ("p90 wait", "ventetid, 90-persentil"),
    "storm:max_wait_s": ("max wait", "lengste ventetid"),
    "storm:within_target_share": ("within target", "innen målet"),
    "storm:cleared_h": ("storm cleared after", "storm avviklet etter"),
    "sens:baseline": ("baseline", "referanse"),
    "sens:as configured": ("as configured", "som konfigurert"),
    "sens:talk time (alarms, technical)": ("talk time (alarms, technical)",
                                           "samtaletid (alarmer, tekniske)"),
    "sens:after-call work (alarms, technical)": ("after-call work (alarms, technical)",
                                                 "etterarbeid (alarmer, tekniske)"),
    "sens:legevakt talk time": ("legevakt talk time", "samtaletid legevakt"),
    "sens:profile peak (hour-of-day amplitude)": (
        "profile peak (hour-of-day amplitude)", "døgntopp (utslag over døgnet)"),
    "sens:backup rule (nurse after_wait delay)": (
        "backup rule (nurse after_wait delay)", "reserveregel (sykepleiernes after_wait-ventetid)"),
    "sweep:point": ("point", "punkt"),
    "sweep:reps": ("reps", "rep."),
    "sweep:goal": ("goal", "mål"),
    "sweep_ran": ("ran {ran} task(s) in {wall} s, {skipped} already done, {failed} failed",
                  "kjørte {ran} oppgave(r) på {wall} s, {skipped} allerede ferdig, {failed} "
                  "feilet"),
    "sweep_not_done": ("not every task of the sweep is done yet (other shards?): run "
                       "`respons collect {root}` when they are",
                       "ikke alle oppgavene i parameterstudien er ferdige ennå (andre deler?): "
                       "kjør `respons collect {root}` når de er det"),
    "sweep_directory": ("sweep directory", "mappe for parameterstudien"),
    "xlsx:scenario": ("scenario", "scenario"),
    "xlsx:reference": ("reference", "referanse"),
    "xlsx:kpi": ("kpi", "nøkkeltall"),
    "xlsx:unit": ("unit", "enhet"),
    "xlsx:reference_mean": ("reference_mean", "referansens gjennomsnitt"),
    "xlsx:scenario_mean": ("scenario_mean", "scenariets gjennomsnitt"),
    "xlsx:diff": ("diff", "differanse"),
    "xlsx:diff_ci_low": ("diff_ci_low", "differanse, 95 % KI nedre"),
    "xlsx:diff_ci_high": ("diff_ci_high", "differanse, 95 % KI øvre"),
    "cmp_cost_intro": (
        "Cost allocation of the baseline (published keys, pro rata by days of membership) vs "
        "the 2020 accounts (seed-facts.md §2.12 Tables A-C), NOK 1,000, and the months billed: "
        "the model's, and those the accounts imply per service (a newcomer's payment over what "
        "a member from before 2020 of its size paid).",
        "Kostnadsfordeling for referansen (publiserte nøkler, forholdsmessig etter dager som "
        "medlem) mot regnskapet for 2020 (seed-facts.md §2.12 tabell A-C), 1 000 kr, og "
        "månedene fakturert: modellens, og de regnskapet tilsier per tjeneste (et nytt medlems "
        "betaling delt på det et like stort medlem fra før 2020 betalte)."),
    "cost:model": ("model", "modell"),
    "cost:accounts": ("accounts 2020", "regnskap 2020"),
    "cost:difference": ("model - accounts", "modell - regnskap"),
    "cost:months": ("months (model)", "måneder (modell)"),
    "cost:implied": ("months implied: {service}", "måneder ifølge regnskapet: {service}"),
    "block:night": ("night", "natt"),
    "block:day": ("day", "dag"),
    "block:evening": ("evening", "kveld"),
}


def language(flag: str | None = None, config_lang: str | None = None,
             env: Mapping[str, str] | None = None) -> str:
    """The language: the flag, else the config's, else LANG (nb for Norwegian), else en."""
    for choice in (flag, config_lang):
        if choice:
            return choice
    env = os.environ if env is None else env
    value = env.get("LC_ALL") or env.get("LANG") or ""
    return "nb" if value.split("_")[0].split(".")[0].lower() in NORWEGIAN else "en"


def pick(lang: str, en: str, nb: str) -> str:
    """The English or Norwegian of a text given in both (figure labels)."""
    return nb if lang == "nb" else en


def t(key: str, lang: str = "en", **values: object) -> str:
    """The label `key` in `lang`, with `values` filled in."""
    en, nb = TEXT[key]
    text = nb if lang == "nb" else en
    return text.format(**values) if values else text


def kpi_label(name: str, lang: str = "en", target: float | str = 120) -> str:
    """A KPI's human label; the KPI's own name when it is not known here."""
    target = f"{target:g}" if isinstance(target, int | float) else target
    if name in KPI_LABELS:
        en, nb = KPI_LABELS[name]
        return (nb if lang == "nb" else en).format(target=target)
    for pattern, en, nb in KPI_PATTERNS:
        m = re.match(pattern, name)
        if m:
            words = {k: pool_name(v, lang) for k, v in m.groupdict().items()}
            return (nb if lang == "nb" else en).format(**words)
    return name


MONTHS = {"en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                 "Dec"),
          "nb": ("jan.", "feb.", "mar.", "apr.", "mai", "jun.", "jul.", "aug.", "sep.",
                 "okt.", "nov.", "des.")}
WEEKDAYS = {"en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
            "nb": ("man.", "tir.", "ons.", "tor.", "fre.", "lør.", "søn.")}


def date_text(year: int, month: int, day: int | None = None, lang: str = "en") -> str:
    """'1 Jan 2020' / '1. jan. 2020' (no day: 'Jan 2020' / 'jan. 2020')."""
    name = MONTHS[lang][month - 1]
    if day is None:
        return f"{name} {year}"
    return f"{day}. {name} {year}" if lang == "nb" else f"{day} {name} {year}"
