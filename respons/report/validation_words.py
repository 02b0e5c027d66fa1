"""What `validate` shows a person, in Norwegian (bokmål): the published figures' names, their
bands and the reasons behind them. validation.csv and `--json` keep the English machine values
of respons/studies/targets.py and predictions.py; these functions only translate what is shown
(an unknown text is shown as written)."""

from __future__ import annotations

import re
from typing import Any

from respons.report.formatting import NBSP, number
from respons.report.formatting import finite as _num
from respons.studies import targets as tg

_FIGURES_NB: dict[str, str] = {
    "safety alarms answered": "trygghetsalarmer besvart",
    "share resolved by operator": "andel avklart av operatør",
    "technical alerts": "tekniske varsler",
    "technical alerts resolved by operator": "tekniske varsler avklart av operatør",
    "municipalities connected": "tilknyttede kommuner",
    "legevakt phone calls answered within 120 s": "legevaktsamtaler besvart innen 120 s",
}
_SERVICES_NB = {"answer-service": "svartjenesten", "IT-technical": "IT-teknisk tjeneste"}
_FIGURE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"answer-service cost (?P<y>\d{4}), from the go-live (?P<d>\S+) \(NOK 1,000\)",
     "kostnad svartjenesten {y}, fra oppstarten {d} (1 000 kr)"),
    (r"(?P<svc>answer-service|IT-technical) cost (?P<y>\d{4}), (?P<m>.+) \(NOK 1,000\)",
     "kostnad {svc} {y}, {m} (1 000 kr)"),
    (r"technical alerts, from the (?P<y>\d{4}) rates", "tekniske varsler, fra ratene for {y}"),
    (r"legevakt calls on 116 117, share from (?P<m>.+)",
     "legevaktsamtaler på 116 117, andel fra {m}"),
)

_REASONS_NB: dict[str, str] = {
    tg._VOLUME: "alarmratene per innbygger 80+ skalert til tallet (2020); oppstartsdatoen "
                "funnet ved halvering mot det (2019)",
    tg._SHARE: "hver hendelsestypes sannsynlighet for avklaring forskjøvet med samme beløp til "
               "tallet",
    tg._MEMBERS: "medlemslisten er inndata (regnskapets rader og oppstartsdatoer, "
                 "seed-facts.md §2.5; det sjette 2019-medlemmet utledet fra dette tallet)",
    "technical rates per 1,000 inhabitants scaled to it":
        "ratene for tekniske varsler per 1 000 innbyggere skalert til tallet",
    "the legevakt talk-time mean is fitted to it by simulation":
        "legevaktens gjennomsnittlige samtaletid er tilpasset tallet ved simulering",
    tg.LOYO_REASON: (
        "Utelat ett år: det andre årets tilpassede rate for tekniske varsler per 1 000 "
        "innbyggere, brukt på dette årets medlemmer, innbyggertall og oppstartsdatoer "
        "(forventningsverdi). Hva som endret seg mellom årene og ikke er i modellen: 2019 var "
        "oppstartsåret med nytt utstyr, og 2020 hadde covid-19-nedstengingen. Bånd ±15 %: "
        "kildenes eneste endring fra år til år i en kontaktrate per innbygger utenom covid, "
        "legevaktens 116 117-samtaler 2018-2019, er -13 % (seed-facts.md §3.4)"),
    tg.COST_SPLIT_REASON: (
        "Totalene for 2020 er tilpasset (timekostnadene utledet av regnskapet), fordelingen er "
        "det ikke: den følger av de publiserte nøklene (15/85 %, 41/59 % fast/etter "
        "innbyggertall), innbyggertallene og dagene hvert medlem er tilknyttet (`joined`), "
        "forholdsmessig. Bånd: modellens fordeling over hver oppstartsdag i måneden kildene "
        "oppgir for hver nykommer (seed-facts.md §2.5)"),
    tg.COST_2019_REASON: (
        "Kryssjekk på tvers av år av oppstartsdatoen for 2019, som er tilpasset alarmene i "
        "2019 med 2020-ratene per innbygger 80+ (så alarmvolumet for 2019 kan ikke selv "
        "utelates): svartjenestens timer i turnus fra den datoen til årets slutt, til 2020-"
        "kostnaden per time i turnus. Bånd: mellom budsjettets kostnad per time for 2020 "
        "(3 940 av 5 069 tusen kr, før covid-19-ekstrabemanningen og overtiden i §2.12) og "
        "regnskapets for 2020"),
    tg.LEGEVAKT_SPLIT_REASON: (
        "Modellen gir de fire legevaktmedlemmene én samtalerate per innbygger, så hver sender "
        "sin andel av innbyggerne; sammenlignet med sin andel av samtalene på 116 117 (de på "
        "andre linjer kan ikke tilordnes). Bånd ±3 pp: de publiserte andelene flytter seg selv "
        "opptil 2,5 pp fra ett år til det neste (2018-2020, seed-facts.md §3.4)"),
}


_TRIAGE = ("Ingen kilde oppgir hvor lang en legevaktsamtale er (seed-facts.md §7 punkt 8, "
           "external-facts.md); spennet er en antakelse for sykepleiers telefontriage, 2-8 "
           "minutter")
# The shipped year configs' reasons for their fitted inputs' ranges (`why`, whitespace
# collapsed); a config's own other text is shown as written.
_WHY_NB: dict[str, str] = {
    "The 2020 fit (to the legevakt's 98 % answered within 120 s), reused. No source gives a "
    "legevakt call length (seed-facts.md §7 item 8, external-facts.md); the range is an "
    "assumption for nurse telephone triage, 2-8 minutes":
        "Tilpasningen fra 2020 (til legevaktens 98 % besvart innen 120 s), gjenbrukt. "
        + _TRIAGE,
    "FITTED to the legevakt's 98 % answered within 120 s. No source gives a legevakt call "
    "length (seed-facts.md §7 item 8, external-facts.md); the range is an assumption for nurse "
    "telephone triage, 2-8 minutes":
        "TILPASSET til legevaktens 98 % besvart innen 120 s. " + _TRIAGE,
    "FITTED to the alarms answered. All alarm kinds together plausibly 6-16 a year per "
    "inhabitant 80+ (this is the button's 72 %): upper, Kristiansand's peak month (40,000 "
    "contacts for 11,000 users, external-facts.md) times SSB's 20 alarm users per 100 "
    "inhabitants 75+ (0.36 users per inhabitant 80+ here); lower, 40 % of that (a peak month "
    "that includes technical alerts)":
        "TILPASSET til alarmene besvart. Alle alarmtyper sammen trolig 6-16 i året per "
        "innbygger 80+ (dette er knappens 72 %): øvre, Kristiansands toppmåned (40 000 "
        "kontakter for 11 000 brukere, external-facts.md) ganger SSBs 20 alarmbrukere per 100 "
        "innbyggere 75+ (0,36 brukere per innbygger 80+ her); nedre, 40 % av det (en "
        "toppmåned som omfatter tekniske varsler)",
    "FITTED to the technical alerts. No source gives technical alerts per user or inhabitant: "
    "no plausible range exists":
        "TILPASSET til de tekniske varslene. Ingen kilde oppgir tekniske varsler per bruker "
        "eller innbygger: det finnes ikke noe plausibelt område",
    "FITTED to the published share resolved by the operator. Comparable centres resolve 70-85 "
    "% (Kristiansand nearly 80 %, Kongsberg over 70 %, Telemark about 85 %; "
    "external-facts.md): Værnes' 60 % and 45 % are below them, perhaps a narrower reading of "
    "'avklart' (seed-facts.md §7 item 3)":
        "TILPASSET til den publiserte andelen avklart av operatøren. Sammenlignbare sentre "
        "avklarer 70-85 % (Kristiansand nesten 80 %, Kongsberg over 70 %, Telemark omtrent "
        "85 %; external-facts.md): Værnes' 60 % og 45 % ligger under dem, kanskje en "
        "snevrere lesning av «avklart» (seed-facts.md §7 punkt 3)",
    "FITTED to the published share of technical alerts resolved by the operator; no "
    "comparable figure exists":
        "TILPASSET til den publiserte andelen tekniske varsler avklart av operatøren; det "
        "finnes ikke noe sammenlignbart tall",
    "FITTED to the 5,662 alarms answered in 2019 (all six members together). The sources say "
    "only that 2019 was the start-up year (seed-facts.md §2.1)":
        "TILPASSET til de 5 662 alarmene besvart i 2019 (alle seks medlemmene sammen). "
        "Kildene sier bare at 2019 var oppstartsåret (seed-facts.md §2.1)",
}


def why_text(why: str, lang: str = "en") -> str:
    """A fitted input's reason for its range (whitespace collapsed) as shown in `lang`."""
    text = " ".join(str(why).split())
    return _WHY_NB.get(text, text) if lang == "nb" else text


def figure_text(figure: str, lang: str = "en") -> str:
    """A published figure's name as shown in `lang`."""
    if lang != "nb":
        return figure
    if figure in _FIGURES_NB:
        return _FIGURES_NB[figure]
    for pattern, nb in _FIGURE_PATTERNS:
        m = re.fullmatch(pattern, figure)
        if m:
            words = {k: _SERVICES_NB.get(v, v) for k, v in m.groupdict().items()}
            return nb.format(**words)
    return figure


def reason_text(reason: str, lang: str = "en") -> str:
    """The reason behind a band as shown in `lang`."""
    return _REASONS_NB.get(reason, reason) if lang == "nb" else reason


def band_text(row: Any, lang: str = "en") -> str:
    """A row's band (validation.csv `band`, `published`, `lower`, `upper`) as shown in `lang`:
    the same bounds, in the language's words and number format."""
    band = str(getattr(row, "band", "") if not isinstance(row, dict) else row.get("band", ""))
    if lang != "nb":
        return band
    get = row.get if isinstance(row, dict) else (lambda k: getattr(row, k, None))
    lo, hi, pub = _num(get("lower")), _num(get("upper")), _num(get("published"))
    if band == "exact":
        return "eksakt"
    m = re.fullmatch(r"±(\d+(?:\.\d+)?) (%|pp)", band)
    if m:
        return "±" + m.group(1).replace(".", ",") + NBSP + m.group(2)
    if lo is None or hi is None or pub is None:
        return band
    ends = f"{number(lo, 0, 'nb')} – {number(hi, 0, 'nb')}"
    if band.startswith("accounts ") and "go-live month" in band:
        below, above = round(lo - pub), round(hi - pub)
        return f"regnskapet {_signed(below)}/{_signed(above)} for oppstartsmåneden: {ends}"
    if band.startswith("accounts at the 2020 actual to budget cost per hour"):
        return f"regnskapet ved faktisk til budsjettert timekostnad 2020: {ends}"
    return band


def _signed(n: int) -> str:
    return ("-" if n < 0 else "+") + number(abs(n), 0, "nb")
