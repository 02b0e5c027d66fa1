"""The what-if page's labels in English and Norwegian (bokmål), the list of what a what-if
changes, and differences formatted as people read them (the shared KPI labels and number
formats come from respons.report)."""

from __future__ import annotations

from typing import Any

from respons.report.formatting import NBSP, fmt, number, percent
from respons.web.results import real
from respons.web.whatif import BLOCKS, Facts, WhatIf

TEXT: dict[str, tuple[str, str]] = {
    "title": ("What if? Respons", "Hva om? Respons"),
    "intro": ("Change the controls on the left: the page simulates the what-if and the "
              "baseline ({scenario}, {start} to {end}, seed {seed}) with the same random "
              "numbers, and shows the difference.",
              "Endre valgene til venstre: siden simulerer hva om-scenarioet og utgangspunktet "
              "({scenario}, {start} til {end}, frø {seed}) med de samme tilfeldige tallene, og "
              "viser forskjellen."),
    "controls": ("What if ...", "Hva om ..."),
    "operators": ("Operators on duty, every day", "Operatører på vakt, hver dag"),
    "night": ("Night", "Natt"),
    "day": ("Day", "Dag"),
    "evening": ("Evening", "Kveld"),
    "blocks_inexact": ("The configured rota is not these fixed blocks (shown: the mean on "
                       "duty); a changed number replaces it with fixed blocks.",
                       "Turnusen i konfigurasjonen er ikke disse faste blokkene (vist: "
                       "gjennomsnitt på vakt); et endret tall erstatter den med faste blokker."),
    "no_operators": ("This config has no operator pool.",
                     "Denne konfigurasjonen har ingen operatørgruppe."),
    "rota_file": ("... or a rota file from `roster` (roster.csv or config.roster.yaml)",
                  "... eller en turnusfil fra `roster` (roster.csv eller config.roster.yaml)"),
    "rota_loaded": ("Rota {name}: {hours} hours a week for {pool}; the blocks above are not "
                    "used.",
                    "Turnus {name}: {hours} timer i uka for {pool}; blokkene over brukes "
                    "ikke."),
    "nurse_backup": ("Legevakt nurses answer alarms (backup)",
                     "Legevaktens sykepleiere svarer på alarmer (reserve)"),
    "nurse_delay": ("... once an alarm has waited (s)", "... når en alarm har ventet (s)"),
    "no_nurses": ("This config has no nurse pool.",
                  "Denne konfigurasjonen har ingen sykepleiergruppe."),
    "growth": ("Growth scenario", "Vekstscenario"),
    "growth_none": ("none (the config as it is)", "ingen (konfigurasjonen som den er)"),
    "growth_help": ("A shipped growth file (inhabitants 80+ and alarms projected, all members "
                    "live all year), applied to this config in place of the 2020 baseline it "
                    "is written on.",
                    "En medfølgende vekstfil (innbyggere 80+ og alarmer framskrevet, alle "
                    "medlemmer med hele året), brukt på denne konfigurasjonen i stedet for "
                    "2020-grunnlaget den er skrevet for."),
    "volume": ("Volume (alarms and technical alerts), x", "Volum (alarmer og tekniske "
               "varsler), x"),
    "talk": ("Talk time (alarms and technical alerts), x", "Samtaletid (alarmer og tekniske "
             "varsler), x"),
    "goal_on": ("Judge against a goal", "Vurder mot et mål"),
    "goal_share": ("Goal: alarms answered within the limit (%)",
                   "Mål: alarmer besvart innen grensen (%)"),
    "within": ("Answer-time limit (s)", "Svartidsgrense (s)"),
    "replications": ("Replications", "Replikasjoner"),
    "computing": ("Simulating: step {done} of {total}", "Simulerer: steg {done} av {total}"),
    "error": ("The what-if cannot run: {msg}", "Hva om-scenarioet kan ikke kjøres: {msg}"),
    "internal": ("The simulator failed ({kind}); the server's log has the details.",
                 "Simulatoren feilet ({kind}); serverens logg har detaljene."),
    "no_goal": ("No goal: tick “Judge against a goal” to judge the what-if.",
                "Intet mål: kryss av for «Vurder mot et mål» for å vurdere hva om-scenarioet."),
    "baseline_line": ("Baseline: {line}", "Utgangspunkt: {line}"),
    "sec_kpis": ("Headline figures", "Hovedtall"),
    "sec_hour": ("Alarms answered within {within} s, by hour of day",
                 "Alarmer besvart innen {within} s, etter time på døgnet"),
    "sec_costs": ("Cost per municipality", "Kostnad per kommune"),
    "sec_download": ("Download", "Last ned"),
    "dl_overlay": ("What-if as a config overlay (.yaml)",
                   "Hva om som konfigurasjonsoverlegg (.yaml)"),
    "dl_xlsx": ("What-if as Excel (.xlsx)", "Hva om i Excel (.xlsx)"),
    "dl_note": ("The overlay re-runs with `python -m respons simulate --config what-if.yaml` "
                "(same seed and replications: these numbers).",
                "Overlegget kjøres på nytt med `python -m respons simulate --config "
                "what-if.yaml` (samme frø og replikasjoner: disse tallene)."),
    "kpi": ("KPI", "Nøkkeltall"),
    "what_if": ("What-if", "Hva om"),
    "baseline": ("Baseline", "Utgangspunkt"),
    "difference": ("Difference", "Differanse"),
    "ci": ("95 % CI", "95 % KI"),
    "hour": ("Hour", "Time"),
    "goal": ("Goal", "Mål"),
    "municipality": ("Municipality", "Kommune"),
    "total": ("Total", "Totalt"),
    "diff_title": ("What-if against the baseline", "Hva om mot utgangspunktet"),
    "diff_note": ("Difference = what-if - baseline in each replication (the same seed and "
                  "random streams: common random numbers); mean with its Student-t 95 % "
                  "confidence interval.",
                  "Differanse = hva om - utgangspunkt i hver replikasjon (samme frø og "
                  "tilfeldige tall: felles tilfeldige tall); gjennomsnitt med Student "
                  "t 95 % konfidensintervall."),
    "hour_title": ("Share of alarms answered within {within} s by hour of day",
                   "Andel alarmer besvart innen {within} s etter time på døgnet"),
    "changes_title": ("Changes against the baseline", "Endringer mot utgangspunktet"),
    "change": ("Change", "Endring"),
    "no_changes": ("none: the what-if is the baseline",
                   "ingen: hva om er utgangspunktet"),
    "ch_operators": ("Operators per block: {values}", "Operatører per blokk: {values}"),
    "ch_rota": ("Rota file {name} for {pool}", "Turnusfil {name} for {pool}"),
    "ch_nurse_off": ("No nurse backup", "Ingen reserve fra sykepleierne"),
    "ch_nurse": ("Nurse backup after {delay} s of waiting",
                 "Sykepleierne svarer etter {delay} s venting"),
    "ch_growth": ("Growth: {name}", "Vekst: {name}"),
    "ch_volume": ("Volume x{f}", "Volum x{f}"),
    "ch_talk": ("Talk time x{f}", "Samtaletid x{f}"),
    "ch_goal": ("Goal {share} of alarms within {within} s",
                "Mål {share} av alarmene innen {within} s"),
    "ch_no_goal": ("No goal (limit {within} s)", "Intet mål (grense {within} s)"),
    "ch_replications": ("{n} replications", "{n} replikasjoner"),
}
BLOCK_KEYS = {"night": "night", "day": "day", "evening": "evening"}


def L(key: str, lang: str = "en", **values: Any) -> str:  # noqa: N802 - short on the page
    """The page's label `key` in `lang`, with `values` filled in."""
    en, nb = TEXT[key]
    text = nb if lang == "nb" else en
    return text.format(**values) if values else text


def block_label(i: int, lang: str) -> str:
    """'Night 23-07' / 'Natt 23-07'."""
    b = BLOCKS[i]
    name = L(BLOCK_KEYS[b.name], lang) if b.name in BLOCK_KEYS else b.name
    return f"{name} {b.start:02d}–{b.end:02d}"


def _g(x: float, lang: str) -> str:
    text = f"{x:g}"
    return text.replace(".", ",") if lang == "nb" else text


def changes(facts: Facts, base: WhatIf, w: WhatIf, lang: str = "en") -> list[str]:
    """What the what-if changes against the baseline, one line each."""
    out = []
    if w.growth is not None:
        out.append(L("ch_growth", lang, name=w.growth))
    if w.rota is not None:
        out.append(L("ch_rota", lang, name=w.rota.name, pool=w.rota.pool))
    elif w.operators != base.operators and facts.operator_pool is not None:
        values = ", ".join(f"{block_label(i, lang)}: {n}" for i, n in enumerate(w.operators))
        out.append(L("ch_operators", lang, values=values))
    if (w.nurse_backup, w.nurse_delay_s) != (base.nurse_backup, base.nurse_delay_s) \
            and facts.nurse_pool is not None:
        out.append(L("ch_nurse", lang, delay=_g(w.nurse_delay_s, lang)) if w.nurse_backup
                   else L("ch_nurse_off", lang))
    if w.volume != 1.0:
        out.append(L("ch_volume", lang, f=_g(w.volume, lang)))
    if w.talk != 1.0:
        out.append(L("ch_talk", lang, f=_g(w.talk, lang)))
    if (w.goal_share, w.within_s) != (base.goal_share, base.within_s):
        within = _g(w.within_s, lang)
        out.append(L("ch_no_goal", lang, within=within) if w.goal_share is None else
                   L("ch_goal", lang, share=percent(w.goal_share, 1, lang), within=within))
    return out


def fmt_diff(x: float | None, unit: str, lang: str = "en") -> str:
    """A difference with its sign ('±' when it rounds to zero): shares in percentage points,
    otherwise in the KPI's unit."""
    if not real(x):
        return "–"
    assert x is not None
    space = NBSP if lang == "nb" else " "
    text = (f"{number(abs(100 * x), 1, lang)}{space}pp" if unit == "share"
            else fmt(abs(x), unit, lang))
    zero = not any(ch in "123456789" for ch in text)
    return ("±" if zero else "+" if x > 0 else "−") + text


def fmt_ci(lo: float | None, hi: float | None, unit: str, lang: str = "en",
           diff: bool = False) -> str:
    """'[97.2 %, 97.4 %]' (or of differences); '–' without an interval."""
    if not (real(lo) and real(hi)):
        return "–"
    f = fmt_diff if diff else fmt
    return f"[{f(lo, unit, lang)}, {f(hi, unit, lang)}]"
