"""`respons roster`: the cheapest weekly rota of real shifts that meets the answer goal,
proven by simulation; written to a directory with the rota, a runnable overlay, the summary
and a report."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path
from typing import Any

from respons.cli.args import int_between, positive_int, seconds, share
from respons.cli.common import add_output_arguments, lang_of, print_json, scenario_config


def add_parser(sub: Any) -> None:
    """Register the `roster` command."""
    p = sub.add_parser("roster", help="cheapest weekly rota of real shifts meeting the goal")
    p.add_argument("--config", type=Path, help="scenario YAML (default: embedded 2020 baseline)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="a.b=VALUE",
                   help="override one field (e.g. period.start=2020-08-01); repeatable")
    p.add_argument("--goal", type=share, help="share of alarms to answer within --within s "
                   "(lower 95 %% bound); required unless the config has a goal")
    p.add_argument("--within", type=seconds, help="answer-time limit, s; required unless the "
                   "config has a goal")
    p.add_argument("--shifts", help="shift catalogue: a YAML file or a built-in name "
                   "(configs/shifts/: ks-flex (default), three-8h); `respons schema --shifts`")
    p.add_argument("--min-on-duty", type=positive_int, default=1, metavar="N",
                   help="at least N of the pool on duty at all times (default 1); above 1 the "
                   "extra cost against 1 is reported")
    p.add_argument("--pool", help="pool to roster (default: the first with role operator)")
    p.add_argument("--replications", type=int_between(2, 100_000),
                   help="override replications (at least 2, for a confidence interval)")
    p.add_argument("--seed", type=int_between(0), help="override the root seed (verification)")
    p.add_argument("--jobs", type=positive_int, default=1,
                   help="replications on N local processes (same results as serial)")
    p.add_argument("--max-iterations", type=int_between(1, 100), default=12,
                   help="most solve-and-simulate rounds (default 12)")
    p.add_argument("--out", type=Path, help="write exactly here (must be new or empty)")
    add_output_arguments(p, jobs=False)
    p.set_defaults(func=cmd_roster)


def cmd_roster(args: argparse.Namespace) -> int:
    """Search, verify, compare, write."""
    from respons.errors import UserError
    from respons.runs.rundir import check_out_dir, default_run_dir
    from respons.studies.roster import Problem, RosterFailed, goal_config
    from respons.studies.roster_goal import resolve_goal, staffed_pool
    from respons.studies.roster_shifts import load_catalogue

    t0 = time.perf_counter()
    cfg = scenario_config(args)
    if cfg.replications < 2:
        raise UserError("roster needs at least 2 replications for a confidence interval "
                        "(--replications).")
    share, within = resolve_goal(cfg, args.goal, args.within)
    cfg = goal_config(cfg, share, within)
    catalogue, source = load_catalogue(args.shifts)
    pool = staffed_pool(cfg, args.pool)
    out = args.out if args.out is not None else default_run_dir(Path("runs"),
                                                                f"{cfg.scenario}-roster")
    check_out_dir(out)
    problem = Problem(cfg, pool, catalogue, share, within, args.min_on_duty, args.jobs,
                      args.max_iterations)
    _say(f"roster {cfg.scenario}: pool '{pool.name}', goal {100 * share:g} % of alarms within "
         f"{within:g} s (lower 95 % bound), at least {args.min_on_duty} on duty; shifts "
         f"'{catalogue.name}' ({len(catalogue.options())} options)")
    _say(f"period {cfg.period.start} to {cfg.period.end} (end exclusive, {cfg.period.days} "
         f"days), {cfg.replications} replications; search seed {problem.search_seed}, "
         f"verification seed {cfg.seed}")
    try:
        run = _search(problem, args.min_on_duty, source)
    except RosterFailed as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    lang = lang_of(args, cfg)
    summary, out = _write(out, run, t0, fresh=args.out is None, lang=lang)
    if args.json:  # summary.json as written, and where it is
        print_json({**summary, "roster_directory": str(out)})
    else:
        print(format_summary(summary, lang))
    for note in run.notes:
        print(note, file=sys.stderr)
    if not args.json:
        print("\n" + _w("directory", lang, out=out, s=f"{time.perf_counter() - t0:.0f}"))
    return 0


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _search(problem: Any, min_on_duty: int, source: str) -> Any:
    from respons.cli.progress import counting
    from respons.studies.roster import comparison, design
    from respons.studies.roster_outputs import RosterRun

    with counting("roster: solve-and-simulate rounds") as step:
        def report(it: Any) -> None:
            _iteration(it)
            step(it.number)

        found = design(problem, report=report)
        without = None
        if min_on_duty > 1:
            _say("the same without --min-on-duty (at least 1 on duty), for its extra cost:")
            without = design(dataclasses.replace(problem, min_on_duty=1), report=report)
            without.answer.label = "answer with at least 1 on duty"
            found.answer.label = f"answer with at least {min_on_duty} on duty"
        rows = comparison(found)
    if without is not None:
        from respons.studies.roster import simulate

        simulate(problem, without.answer, search=False)
        rows.insert(-1, without.answer)
    return RosterRun(found, rows, source, without)


def _iteration(it: Any) -> None:
    def ci(c: tuple[float, float, float]) -> str:
        return f"{100 * c[0]:.2f} % [{100 * c[1]:.2f}, {100 * c[2]:.2f}]"

    gap = "the most the catalogue allows" if it.gap < 0 else f"gap {100 * it.gap:.2f} %"
    line = (f"iteration {it.number}: NOK {it.weekly_cost:,.0f}/week ({gap}), "
            f"{it.fte:.2f} FTE; expected "
            f"{100 * it.expected:.2f} %; search draws {ci(it.search)} "
            f"{'meets' if it.met_search else 'misses'}")
    if it.verified is not None:
        line += f"; verified {ci(it.verified)} {'meets' if it.met else 'misses'}"
    _say(line)


def _write(out: Path, run: Any, t0: float, fresh: bool = False,
           lang: str = "en") -> tuple[dict[str, Any], Path]:
    from respons.config.loading import load_config
    from respons.report.roster import write_roster_report
    from respons.runs.rundir import final_name, run_directory
    from respons.studies.roster_outputs import write_outputs

    command = "respons " + " ".join(sys.argv[1:]) if sys.argv[1:] else "respons roster"
    with run_directory(out, fresh=fresh) as work:
        out = final_name(work)
        summary = write_outputs(work, run, command)
        again = load_config(work / "config.roster.yaml")
        if again != run.answer.cfg:
            raise RuntimeError("config.roster.yaml does not give the rota that was verified")
    try:
        write_roster_report(out, lang)
    except Exception as e:  # noqa: BLE001 - the numbers are written; the picture is optional
        (out / "report-error.txt").write_text(f"{type(e).__name__}: {e}\n", encoding="utf-8")
        print(f"report.html not written ({type(e).__name__}: {e})", file=sys.stderr)
    return summary, out


# The terminal's words in English and Norwegian (bokmål).
WORDS: dict[str, tuple[str, str]] = {
    "rota": ("rota", "turnus"), "FTE": ("FTE", "årsv."), "h/week": ("h/week", "t/uke"),
    "nok": ("NOK (period)", "kr, perioden"),
    "in_time": ("alarms in time (95 % CI)", "alarmer i tide (95 % KI)"),
    "goal": ("goal", "mål"), "met": ("met", "nådd"), "missed": ("missed", "ikke nådd"),
    "directory": ("roster directory: {out}  ({s} s)", "turnusmappe: {out}  ({s} s)"),
    "extra": ("at least {n} on duty costs NOK {cost} more over the period ({fte} FTE) than at "
              "least {without}",
              "minst {n} på vakt koster kr {cost} mer over perioden ({fte} årsverk) enn minst "
              "{without}"),
    "answer": ("answer: {fte} FTE, NOK {cost} over {start} to {end} (NOK {week} a week); goal "
               "{met}. FTE = rostered hours / the config's FTE week; costs at the catalogue's "
               "rates (assumptions: see the catalogue).",
               "svar: {fte} årsverk, kr {cost} fra {start} til {end} (kr {week} i uken); målet "
               "er {met}. Årsverk = timer i turnus / konfigurasjonens årsverksuke; kostnader "
               "etter katalogens satser (antakelser: se katalogen)."),
}


def _w(key: str, lang: str, **values: object) -> str:
    en, nb = WORDS[key]
    text = nb if lang == "nb" else en
    return text.format(**values) if values else text


def format_summary(s: dict[str, Any], lang: str = "en") -> str:
    """The comparison table and the answer, as plain text (English or Norwegian). The rota
    names are summary.json's."""
    from respons.report.formatting import number, percent
    from respons.report.roster import rota_label

    def pct(x: float | None) -> str:
        return "-" if x is None else percent(x, 2, lang)

    lines = ["", f"{_w('rota', lang):<48}{_w('FTE', lang):>6}{_w('h/week', lang):>8}"
             f"{_w('nok', lang):>14}  {_w('in_time', lang):<30}{_w('goal', lang)}"]
    for r in s["comparison"]:
        k = r["goal_kpi"]
        ci = f"{pct(k['mean'])} [{pct(k['ci_low'])}, {pct(k['ci_high'])}]"
        met = _w("met" if r["met"] else "missed", lang)
        lines.append(f"{rota_label(r['name'], lang):<48}{number(r['fte'], 2, lang):>6}"
                     f"{number(r['weekly_hours'], 1, lang):>8}"
                     f"{number(r['cost_nok'], 0, lang):>14}  {ci:<30}{met}")
    extra = s.get("min_on_duty_extra")
    if extra:
        signed = ("-" if extra["fte"] < 0 else "+") + number(abs(extra["fte"]), 2, lang)
        lines.append("\n" + _w("extra", lang, n=s["min_on_duty"],
                               cost=number(extra["cost_nok"], 0, lang), fte=signed,
                               without=extra["without"]))
    p = s["period"]
    lines.append("\n" + _w("answer", lang, fte=number(s["fte"], 2, lang),
                           cost=number(s["cost_nok"], 0, lang), start=p["start"], end=p["end"],
                           week=number(s["cost_nok_per_week"], 0, lang),
                           met=_w("met" if s["met"] else "missed", lang)))
    return "\n".join(lines)
