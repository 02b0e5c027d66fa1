"""`respons staff`: fewest operators per block for a service-level target, Erlang C vs
simulation, with the FTE of each roster next to the published 5.7."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from respons.cli.common import scenario_config
from respons.config import Role, ScenarioConfig
from respons.engine.rosters import weekly_hours
from respons.errors import UserError
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
                   help="share of alarms to answer within --within seconds (default: the "
                   "config's goal.share; there is no built-in default)")
    p.add_argument("--within", type=_number(0.001, 1e7),
                   help="seconds (default: the config's goal.within_s / target_s)")
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
    p.add_argument("--json", action="store_true",
                   help="print the result as JSON on stdout instead of tables")
    p.set_defaults(func=cmd_staff)


def cmd_staff(args: argparse.Namespace) -> int:
    """Find and print the roster per block."""
    cfg = scenario_config(args)
    blocks = parse_blocks(args.blocks)
    target = args.target if args.target is not None else (
        cfg.goal.share if cfg.goal is not None else None)
    if target is None:
        raise UserError("staff: no goal to staff for: the config has no `goal` and no --target "
                        "was given (e.g. --target 0.95 --within 120); a goal is the centre's "
                        "decision, never a default.")
    within = args.within if args.within is not None else cfg.target_s
    result = find_staffing(cfg, blocks, target, within, args.pool, args.max_staff,
                           args.jobs, report=_report(blocks))
    if args.json:
        from respons.cli.common import print_json

        print_json(result_json(cfg, result, target, within, args.shrinkage))
    else:
        print(format_result(cfg, result, target, within, args.shrinkage))
    return 0


def result_json(cfg: ScenarioConfig, res: StaffingResult, target: float, within: float,
                shrinkage: float) -> dict[str, Any]:
    """The staffing result as JSON: per block the simulated and Erlang C staff with the
    simulated service level (mean, 95 % CI), and the FTE of each roster."""
    best = res.evaluations[res.staff]
    per_fte = cfg.fte_hours_per_week
    return {
        "scenario": cfg.scenario, "pool": res.pool, "target": target, "within_s": within,
        "replications": cfg.replications, "seed": cfg.seed,
        "blocks": [{"name": b.name, "hours": str(b), "peak_per_hour": load.peak_per_hour,
                    "aht_s": load.aht_s, "erlang_c_staff": load.erlang,
                    "simulated_staff": res.staff[i], "within_target_mean": best.mean[i],
                    "within_target_ci_low": best.low[i], "within_target_ci_high": best.high[i]}
                   for i, (b, load) in enumerate(zip(res.blocks, res.loads, strict=True))],
        "fte": {label: {"hours_per_week": hours, "rostered": fte(hours, per_fte, 0),
                        "with_shrinkage": fte(hours, per_fte, shrinkage)}
                for label, hours in (("simulated", res.weekly_hours(res.staff)),
                                     ("erlang_c", res.weekly_hours(res.erlang)))},
        "rosters_simulated": len(res.evaluations),
    }


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
        f"{'block':<10}{'hours':<7}{'busiest h':>10}{'AHT':>8}{'Erlang C':>10}{'simulated':>11}"
        f"  {'within target, simulated roster (95 % CI)':<42}{'Erlang C roster':>18}",
    ]
    for i, (b, load) in enumerate(zip(res.blocks, res.loads, strict=True)):
        ci = f"{_pct(best.mean[i])} [{_pct(best.low[i])}, {_pct(best.high[i])}]"
        lines.append(
            f"{b.name:<10}{b!s:<7}{load.peak_per_hour:>8.1f}/h{load.aht_s:>7.0f}s"
            f"{load.erlang:>10}{res.staff[i]:>11}  {ci:<42}"
            f"{_pct(erl.mean[i]) if erl else 'not simulated':>18}")
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
    lines.append(f"\n{len(res.evaluations)} roster(s) simulated")
    return "\n".join(lines)
