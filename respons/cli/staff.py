"""`respons staff`: fewest operators per block for a service-level target, Erlang C vs
simulation, with the FTE of each roster next to the published 5.7. The quick fixed-block mode;
`respons roster` designs rotas of real shifts. The target comes from --target/--within or the
config's goal: there is no default."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from respons.cli.common import add_output_arguments, lang_of, print_json, scenario_config
from respons.config import Role, ScenarioConfig
from respons.engine.rosters import weekly_hours
from respons.studies.staff import (
    DEFAULT_BLOCKS,
    PUBLISHED_FTE,
    Evaluation,
    StaffingResult,
    find_staffing,
    fte,
    parse_blocks,
)


def _number(lo: float, hi: float, integer: bool = False) -> Any:
    def parse(text: str) -> float:
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
        if not lo <= value <= hi or math.isnan(value):
            raise argparse.ArgumentTypeError(f"must be between {lo} and {hi}, got {value}")
        return value

    return parse


def add_parser(sub: Any) -> None:
    """Register the `staff` command."""
    p = sub.add_parser("staff", help="fewest operators per block meeting a service level")
    p.add_argument("--config", type=Path, help="scenario YAML (default: embedded 2020 baseline)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="a.b=VALUE",
                   help="override one field (e.g. period.end=2020-03-01 for speed); repeatable")
    p.add_argument("--replications", type=_number(2, 100_000, True), help="override replications")
    p.add_argument("--seed", type=_number(0, 2**63, True), help="override the root seed")
    p.add_argument("--target", "--goal", dest="target", type=_number(0.01, 0.9999),
                   help="share of alarms to answer within --within seconds; required unless "
                   "the config has a goal (no default)")
    p.add_argument("--within", type=_number(0.001, 86400),
                   help="answer-time limit, s; required unless the config has a goal")
    p.add_argument("--blocks", nargs="+", default=list(DEFAULT_BLOCKS), metavar="NAME=HH-HH",
                   help="hour-of-day blocks covering the day once (default: night=23-07 "
                   "day=07-15 evening=15-23)")
    p.add_argument("--shrinkage", type=_number(0, 0.9), default=0.15,
                   help="share of paid time lost to holidays and sickness (default 0.15)")
    p.add_argument("--pool", help="pool to staff (default: the first with role operator)")
    p.add_argument("--max-staff", type=_number(1, 1000, True), default=20,
                   help="most staff per block before giving up (default 20)")
    p.add_argument("--jobs", type=_number(1, 1024, True), default=1,
                   help="local processes for the replications (default 1)")
    add_output_arguments(p, jobs=False)
    p.set_defaults(func=cmd_staff)


def cmd_staff(args: argparse.Namespace) -> int:
    """Find and print the roster per block."""
    from respons.studies.roster_goal import resolve_goal

    cfg = scenario_config(args)
    blocks = parse_blocks(args.blocks)
    target, within = resolve_goal(cfg, args.target, args.within, ("--target", "--within"))
    if within != cfg.target_s:  # the KPIs and the criterion use one limit
        cfg = ScenarioConfig.model_validate({**cfg.model_dump(), "target_s": within,
                                             "goal": None})
    from respons.cli.progress import counting

    with counting("staff: rosters simulated") as step:
        result = find_staffing(cfg, blocks, target, within, args.pool, args.max_staff,
                               args.jobs, report=_report(blocks, step))
    if args.json:
        print_json(result_json(cfg, result, target, within, args.shrinkage))
        return 0
    print(format_result(cfg, result, target, within, args.shrinkage, lang_of(args, cfg)))
    return 0


def result_json(cfg: ScenarioConfig, res: StaffingResult, target: float, within: float,
                shrinkage: float) -> dict[str, Any]:
    """What `format_result` prints, as one JSON document: the answer per block, then FTE."""
    best = res.evaluations[res.staff]
    erl = res.evaluations.get(res.erlang)
    blocks = []
    for i, (b, load) in enumerate(zip(res.blocks, res.loads, strict=True)):
        blocks.append({
            "block": b.name, "hours": str(b), "start_hour": b.start, "end_hour": b.end,
            "alarms_per_hour": load.per_hour, "aht_s": load.aht_s,
            "erlang_c_staff": load.erlang, "staff": res.staff[i],
            "within_target": {"mean": best.mean[i], "ci_low": best.low[i],
                              "ci_high": best.high[i]},
            "erlang_c_expected_share": load.erlang_share,
            "erlang_c_roster_simulated_mean": erl.mean[i] if erl else None})
    per_fte = cfg.fte_hours_per_week
    pool = next(p for p in cfg.pools if p.name == res.pool)
    rosters = []
    for name, hours in (("simulated", res.weekly_hours(res.staff)),
                        ("erlang_c", res.weekly_hours(res.erlang)),
                        ("config", weekly_hours(pool))):
        rosters.append({"roster": name, "weekly_hours": hours,
                        "fte_rostered": fte(hours, per_fte, 0),
                        "fte_with_shrinkage": fte(hours, per_fte, shrinkage)})
    leads = sum(weekly_hours(p) for p in cfg.pools if p.role == Role.lead)
    return {"scenario": cfg.scenario, "pool": res.pool, "target": target, "within_s": within,
            "period": {"start": str(cfg.period.start), "end": str(cfg.period.end)},
            "replications": cfg.replications, "seed": cfg.seed, "blocks": blocks,
            "fte_hours_per_week": per_fte, "shrinkage": shrinkage, "rosters": rosters,
            "published_fte": PUBLISHED_FTE, "lead_fte": leads / per_fte,
            "rosters_simulated": len(res.evaluations)}


def _report(blocks: list, step: Any = None) -> Any:
    done = 0

    def report(ev: Evaluation) -> None:
        nonlocal done
        cells = "  ".join(f"{b.name}={n}: {_pct(lo)}" for b, n, lo in
                          zip(blocks, ev.staff, ev.low, strict=True))
        print(f"simulated {cells} (CI lower bounds)", file=sys.stderr, flush=True)
        done += 1
        if step is not None:
            step(done)

    return report


def _pct(x: float, lang: str = "en") -> str:
    from respons.report.formatting import percent

    return "-" if math.isnan(x) else percent(x, 1, lang)


# The terminal's words in English and Norwegian (bokmål).
WORDS: dict[str, tuple[str, str]] = {
    "head": ("{scenario}: staffing pool '{pool}' for >= {target} of alarms answered within "
             "{within} s (95 % CI lower bound, per block)",
             "{scenario}: bemanning av gruppen '{pool}' for >= {target} av alarmene besvart "
             "innen {within} s (nedre grense i 95 % KI, per blokk)"),
    "period": ("{start} to {end}, {reps} replications, seed {seed}; other pools as configured "
               "(their backup help counts)",
               "{start} til {end}, {reps} replikasjoner, frø {seed}; andre grupper som "
               "konfigurert (reservehjelpen deres teller)"),
    "block": ("block", "blokk"), "hours": ("hours", "timer"), "alarms": ("alarms", "alarmer"),
    "AHT": ("AHT", "AHT"), "simulated": ("simulated", "simulert"),
    "within": ("within target, simulated roster (95 % CI)",
               "innen målet, simulert turnus (95 % KI)"),
    "erlang_roster": ("Erlang C roster", "Erlang C-turnus"),
    "sim_roster": ("simulated roster", "simulert turnus"),
    "erlang_only": ("Erlang C only", "bare Erlang C"),
    "config_roster": ("config's '{pool}' roster", "konfigurert turnus '{pool}'"),
    "fte_rule": ("FTE = rostered hours per week / {per} h / (1 - {shrink} shrinkage for "
                 "holidays and sickness):",
                 "Årsverk = timer i turnus per uke / {per} t / (1 - {shrink} fravær for ferie "
                 "og sykdom):"),
    "fte_row": ("h/week  {rostered} FTE rostered  {shrunk} FTE with shrinkage",
                "t/uke  {rostered} årsverk i turnus  {shrunk} årsverk med fravær"),
    "published": ("published 2020: {fte} FTE for the answer service, incl. 1 FTE professional "
                  "lead (configured lead roster: {lead} FTE)",
                  "publisert 2020: {fte} årsverk for svartjenesten, inkl. 1 årsverk fagleder "
                  "(konfigurert fagleder-turnus: {lead} årsverk)"),
    "erlang_note": ("Erlang C: the fewest per block whose expected share of the block's alarms "
                    "answered in time (all its hours in the period; other work queued behind "
                    "alarms; no backup pools) reaches the target.",
                    "Erlang C: færrest per blokk der forventet andel av blokkens alarmer "
                    "besvart i tide (alle blokkens timer i perioden; annet arbeid i kø bak "
                    "alarmene; ingen reservegrupper) når målet."),
    "simulated_n": ("{n} roster(s) simulated", "{n} turnus(er) simulert"),
}


def _w(key: str, lang: str, **values: object) -> str:
    en, nb = WORDS[key]
    text = nb if lang == "nb" else en
    return text.format(**values) if values else text


def format_result(cfg: ScenarioConfig, res: StaffingResult, target: float, within: float,
                  shrinkage: float, lang: str = "en") -> str:
    """The roster per block, Erlang C next to simulation, and the FTE of each."""
    from respons.report.formatting import number

    def num(x: float, decimals: int) -> str:
        return number(x, decimals, lang)

    def g(x: float) -> str:
        return f"{x:g}".replace(".", ",") if lang == "nb" else f"{x:g}"

    def block(name: str) -> str:
        from respons.report.i18n import TEXT, t

        return t(f"block:{name}", lang) if f"block:{name}" in TEXT else name

    # Norwegian: units after a (no-break) space, 'per time' as '/t'
    per_hour, sec = ("/h", "s") if lang == "en" else ("/t", "\u00a0s")

    best = res.evaluations[res.staff]
    erl = res.evaluations.get(res.erlang)
    share = g(100 * target) + (" %" if lang == "en" else "\u00a0%")
    lines = [
        _w("head", lang, scenario=cfg.scenario, pool=res.pool, target=share, within=g(within)),
        _w("period", lang, start=cfg.period.start, end=cfg.period.end, reps=cfg.replications,
           seed=cfg.seed),
        "",
        f"{_w('block', lang):<10}{_w('hours', lang):<7}{_w('alarms', lang):>9}"
        f"{_w('AHT', lang):>8}{'Erlang C':>10}{_w('simulated', lang):>11}"
        f"  {_w('within', lang):<42}{_w('erlang_roster', lang):>18}",
    ]
    for i, (b, load) in enumerate(zip(res.blocks, res.loads, strict=True)):
        ci = (f"{_pct(best.mean[i], lang)} [{_pct(best.low[i], lang)}, "
              f"{_pct(best.high[i], lang)}]")
        erl_cell = (f"{_pct(erl.mean[i], lang)} (Erlang {_pct(load.erlang_share, lang)})"
                    if erl else f"Erlang {_pct(load.erlang_share, lang)}")
        lines.append(
            f"{block(b.name):<10}{b!s:<7}{num(load.per_hour, 1):>7}{per_hour}"
            f"{num(load.aht_s, 0) + sec:>8}"
            f"{load.erlang:>10}{res.staff[i]:>11}  {ci:<42}{erl_cell:>18}")
    per_fte = cfg.fte_hours_per_week
    rows = [(_w("sim_roster", lang), res.weekly_hours(res.staff)),
            (_w("erlang_only", lang), res.weekly_hours(res.erlang))]
    pool = next(p for p in cfg.pools if p.name == res.pool)
    rows.append((_w("config_roster", lang, pool=pool.name), weekly_hours(pool)))
    lines += ["", _w("fte_rule", lang, per=g(per_fte), shrink=g(shrinkage))]
    width = max(28, *(len(label) + 1 for label, _ in rows))
    for label, hours in rows:
        lines.append(f"  {label:<{width}}{num(hours, 1):>7} " + _w(
            "fte_row", lang, rostered=f"{num(fte(hours, per_fte, 0), 2):>5}",
            shrunk=f"{num(fte(hours, per_fte, shrinkage), 2):>5}"))
    leads = sum(weekly_hours(p) for p in cfg.pools if p.role == Role.lead)
    lines.append("  " + _w("published", lang, fte=g(PUBLISHED_FTE),
                           lead=num(leads / per_fte, 2)))
    lines.append(_w("erlang_note", lang))
    lines.append("\n" + _w("simulated_n", lang, n=len(res.evaluations)))
    return "\n".join(lines)
