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

from respons.cli.common import scenario_config
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
    result = find_staffing(cfg, blocks, target, within, args.pool, args.max_staff,
                           args.jobs, report=_report(blocks))
    print(format_result(cfg, result, target, within, args.shrinkage))
    return 0


def _report(blocks: list) -> Any:
    def report(ev: Evaluation) -> None:
        cells = "  ".join(f"{b.name}={n}: {_pct(lo)}" for b, n, lo in
                          zip(blocks, ev.staff, ev.low, strict=True))
        print(f"simulated {cells} (CI lower bounds)", file=sys.stderr, flush=True)

    return report


def _pct(x: float) -> str:
    return "-" if math.isnan(x) else f"{100 * x:.1f} %"


def format_result(cfg: ScenarioConfig, res: StaffingResult, target: float, within: float,
                  shrinkage: float) -> str:
    """The roster per block, Erlang C next to simulation, and the FTE of each."""
    best = res.evaluations[res.staff]
    erl = res.evaluations.get(res.erlang)
    lines = [
        f"{cfg.scenario}: staffing pool '{res.pool}' for >= {100 * target:g} % of alarms "
        f"answered within {within:g} s (95 % CI lower bound, per block)",
        f"{cfg.period.start} to {cfg.period.end}, {cfg.replications} replications, seed "
        f"{cfg.seed}; other pools as configured (their backup help counts)",
        "",
        f"{'block':<10}{'hours':<7}{'alarms':>9}{'AHT':>8}{'Erlang C':>10}{'simulated':>11}"
        f"  {'within target, simulated roster (95 % CI)':<42}{'Erlang C roster':>18}",
    ]
    for i, (b, load) in enumerate(zip(res.blocks, res.loads, strict=True)):
        ci = f"{_pct(best.mean[i])} [{_pct(best.low[i])}, {_pct(best.high[i])}]"
        erl_cell = (f"{_pct(erl.mean[i])} (Erlang {_pct(load.erlang_share)})" if erl
                    else f"Erlang {_pct(load.erlang_share)}")
        lines.append(
            f"{b.name:<10}{b!s:<7}{load.per_hour:>7.1f}/h{load.aht_s:>7.0f}s"
            f"{load.erlang:>10}{res.staff[i]:>11}  {ci:<42}{erl_cell:>18}")
    per_fte = cfg.fte_hours_per_week
    rows = [("simulated roster", res.weekly_hours(res.staff)),
            ("Erlang C only", res.weekly_hours(res.erlang))]
    pool = next(p for p in cfg.pools if p.name == res.pool)
    rows.append((f"config's '{pool.name}' roster", weekly_hours(pool)))
    lines += ["", f"FTE = rostered hours per week / {per_fte:g} h / (1 - {shrinkage:g} "
              "shrinkage for holidays and sickness):"]
    for label, hours in rows:
        lines.append(f"  {label:<28}{hours:>7.1f} h/week  {fte(hours, per_fte, 0):>5.2f} FTE "
                     f"rostered  {fte(hours, per_fte, shrinkage):>5.2f} FTE with shrinkage")
    leads = sum(weekly_hours(p) for p in cfg.pools if p.role == Role.lead)
    lines.append(f"  published 2020: {PUBLISHED_FTE} FTE for the answer service, incl. 1 FTE "
                 f"professional lead (configured lead roster: {leads / per_fte:.2f} FTE)")
    lines.append("Erlang C: the fewest per block whose expected share of the block's alarms "
                 "answered in time (all its hours in the period; other work queued behind "
                 "alarms; no backup pools) reaches the target.")
    lines.append(f"\n{len(res.evaluations)} roster(s) simulated")
    return "\n".join(lines)
