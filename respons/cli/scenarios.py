"""`respons scenarios`: list the scenario configs; `--compare` runs each against the baseline
under common random numbers and prints (or writes) Markdown tables of paired differences."""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from respons.analysis.kpis import KPI_UNITS
from respons.cli.args import positive_int
from respons.errors import UserError
from respons.report.formatting import fmt
from respons.studies.scenarios import (
    DEFAULT_BASELINE,
    DEFAULT_DIR,
    HEADLINE,
    UNITS,
    Comparison,
    Entry,
    Paired,
    Result,
    compare,
    cost_check,
    kpi_paired,
    list_scenarios,
    scenario_files,
    select,
    storm_paired,
    visits_avoided,
)

EXIT_BROKEN = 2
STORM_LABELS = {"alarms": "alarms", "mean_wait_s": "mean wait", "p90_wait_s": "p90 wait",
                "max_wait_s": "max wait", "within_target_share": "within target",
                "cleared_h": "storm cleared after"}
STORM_UNITS = {"alarms": "count", "mean_wait_s": "s", "p90_wait_s": "s", "max_wait_s": "s",
               "within_target_share": "share", "cleared_h": "h"}


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date YYYY-MM-DD") from None


def add_parser(sub: Any) -> None:
    """Register the `scenarios` command."""
    p = sub.add_parser("scenarios", help="list scenario configs; --compare runs them against "
                       "the baseline (paired, common random numbers)")
    p.add_argument("--dir", type=Path, default=DEFAULT_DIR,
                   help=f"scenario directory (default {DEFAULT_DIR})")
    p.add_argument("--compare", action="store_true",
                   help="run the baseline and every scenario, print paired differences")
    p.add_argument("--baseline", type=Path, default=DEFAULT_BASELINE,
                   help=f"baseline config (default {DEFAULT_BASELINE})")
    p.add_argument("--only", nargs="+", metavar="NAME",
                   help="compare only these scenarios (file names without .yaml)")
    p.add_argument("--replications", type=positive_int,
                   help="replications of every config (default: the baseline's)")
    p.add_argument("--period-start", type=_date, metavar="DATE",
                   help="first day of every run (default: the baseline's)")
    p.add_argument("--period-end", type=_date, metavar="DATE",
                   help="day after the last day of every run (default: the baseline's)")
    p.add_argument("--out", type=Path, metavar="FILE.md", help="also write the tables here")
    p.set_defaults(func=cmd_scenarios)


def cmd_scenarios(args: argparse.Namespace) -> int:
    """List, or with --compare run and report."""
    if not args.compare:
        used = [o for o, v in (("--only", args.only), ("--replications", args.replications),
                               ("--period-start", args.period_start),
                               ("--period-end", args.period_end), ("--out", args.out))
                if v is not None]
        if used:
            raise UserError(f"respons scenarios: {used[0]} is only used with --compare.")
        entries = list_scenarios(args.dir)
        print(format_list(entries))
        return EXIT_BROKEN if any(e.error for e in entries) else 0
    paths = select(scenario_files(args.dir), args.only)
    if not paths:
        raise UserError(f"no scenario files (*.yaml) in {args.dir}.")
    overrides = []
    if args.replications is not None:
        overrides.append(f"replications={args.replications}")
    if args.period_start is not None:
        overrides.append(f"period.start={args.period_start}")
    if args.period_end is not None:
        overrides.append(f"period.end={args.period_end}")
    cmp = compare(args.baseline, paths, overrides, _progress)
    text = format_comparison(cmp, _command(args))
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.out.with_name(f".{args.out.name}.tmp")
        tmp.write_text(text + "\n", "utf-8")
        tmp.replace(args.out)
        print(f"\nwritten to {args.out}", file=sys.stderr)
    return 0


def _command(args: argparse.Namespace) -> str:
    """The command line that reproduces this comparison (without --out)."""
    parts = ["python -m respons scenarios --compare"]
    if args.dir != DEFAULT_DIR:
        parts.append(f"--dir {args.dir}")
    if args.baseline != DEFAULT_BASELINE:
        parts.append(f"--baseline {args.baseline}")
    for flag, value in (("--replications", args.replications),
                        ("--period-start", args.period_start),
                        ("--period-end", args.period_end)):
        if value is not None:
            parts.append(f"{flag} {value}")
    if args.only:
        parts.append("--only " + " ".join(args.only))
    return " ".join(parts)


def _progress(name: str, done: int, total: int) -> None:
    if sys.stderr.isatty():
        end = "\n" if done == total else ""
        print(f"\r{name}: replication {done}/{total}", end=end, file=sys.stderr, flush=True)
    elif done == total:
        print(f"{name}: {total} replication(s) done", file=sys.stderr, flush=True)


def format_list(entries: list[Entry]) -> str:
    """One line per scenario file: its name and description (or its error)."""
    if not entries:
        return "no scenario files"
    width = max(len(e.path.stem) for e in entries) + 2
    rows = []
    for e in entries:
        text = f"ERROR: {e.error}" if e.error else e.description
        rows.append(f"{e.path.stem:<{width}}{text}")
    return "\n".join(rows)


# -- formatting ---------------------------------------------------------------------------
def fmt_diff(p: Paired, unit: str) -> str:
    """The paired difference and its 95 % CI half-width, e.g. '-0.5 pp ± 0.1'."""
    if math.isnan(p.diff):
        return "-"
    scale, suffix, digits = {"share": (100, " pp", 1), "count": (1, "", 0), "h": (1, " h", 1),
                             "hours": (1, " h", 0)}.get(unit, (1, " s", 1))
    text = f"{scale * p.diff:+,.{digits}f}{suffix}"
    if not math.isnan(p.half):
        text += f" ± {scale * p.half:,.{digits}f}"
    return text


def cell(p: Paired, unit: str) -> str:
    """Scenario mean (paired difference ± half-width); the mean alone without a baseline."""
    if math.isnan(p.diff):
        return fmt(p.mean, unit)
    return f"{fmt(p.mean, unit)} ({fmt_diff(p, unit)})"


def _baseline_cell(values: np.ndarray, unit: str) -> str:
    finite = values[np.isfinite(values)]
    return fmt(float(finite.mean()) if finite.size else math.nan, unit)


def _cost(res: Result) -> str:
    c = res.cost_nok
    return "-" if c is None else f"{c / 1e6:.2f}"


def _unit(kpi: str) -> str:
    return UNITS.get(kpi) or KPI_UNITS[kpi]


def headline_table(cmp: Comparison) -> str:
    """One row per scenario: headline KPIs with paired differences, cost and Respons FTE."""
    base = cmp.baseline
    head = ["scenario", *HEADLINE.values(), "cost MNOK", "Respons FTE"]
    rows = [head, ["---"] + ["---:"] * (len(head) - 1)]
    rows.append([f"**baseline** ({base.cfg.scenario})",
                 *[_baseline_cell(base.kpis[k].to_numpy(float), _unit(k)) for k in HEADLINE],
                 _cost(base), f"{base.respons_fte:.2f}"])
    for res in cmp.scenarios:
        cells = [cell(kpi_paired(cmp, res, k), _unit(k)) for k in HEADLINE]
        cost = _cost(res)
        if res.cost_nok is not None and base.cost_nok is not None:
            cost += f" ({(res.cost_nok - base.cost_nok) / 1e6:+.2f})"
        cells += [cost, f"{res.respons_fte:.2f} ({res.respons_fte - base.respons_fte:+.2f})"]
        rows.append([res.name, *cells])
    return _markdown(rows)


def visits_table(cmp: Comparison, res: Result) -> str:
    """Home-care visits avoided per municipality (baseline - scenario), paired."""
    rows = [["municipality", "baseline visits", f"{res.name} visits", "avoided (95 % CI)"],
            ["---", "---:", "---:", "---:"]]
    base = cmp.baseline.visits
    for name, p in visits_avoided(cmp, res).items():
        b = base.sum(axis=1) if name == "total" else base[name]
        if name != "total" and b.mean() == 0 and p.mean == 0:
            continue
        avoided = f"{p.diff:,.0f}" + ("" if math.isnan(p.half) else f" ± {p.half:,.0f}")
        label = "**total**" if name == "total" else name
        rows.append([label, f"{b.mean():,.0f}", f"{p.mean:,.0f}", avoided])
    return _markdown(rows)


def storm_table(cmp: Comparison, key: str, storm_results: list[Result]) -> str:
    """Alarm waits in one storm window: baseline and each storm scenario, paired."""
    stats = list(STORM_LABELS)
    rows = [["config", *STORM_LABELS.values()], ["---"] + ["---:"] * len(stats)]
    base = cmp.baseline.storms[key]
    rows.append(["baseline (no storm)",
                 *[_baseline_cell(base[s].to_numpy(float), STORM_UNITS[s]) for s in stats]])
    for res in storm_results:
        rows.append([res.name, *[cell(storm_paired(cmp, res, key, s), STORM_UNITS[s])
                                 for s in stats]])
    return _markdown(rows)


def format_comparison(cmp: Comparison, command: str | None = None) -> str:
    """The whole report: headline table, visits avoided, storms, costs vs accounts."""
    b = cmp.baseline.cfg
    out = [f"Baseline `{b.scenario}`; period {b.period.start} to {b.period.end}; "
           f"{b.replications} replication(s), seed {b.seed}; run {dt.date.today()}.", ""]
    if command:
        out += [f"Command: `{command}`.", ""]
    out += ["Every scenario runs with the baseline's seed, replications and period (common "
            "random numbers). Cells: scenario mean (paired difference to the baseline ± the "
            "half-width of its 95 % CI, paired t over replications). Cost and FTE are "
            "deterministic (the roster), with the difference in brackets.", "",
            headline_table(cmp)]
    for res in cmp.scenarios:
        if res.changes_outcomes(b):
            out += ["", f"Home-care visits avoided per municipality, `{res.name}` vs the "
                    "baseline (paired):", "", visits_table(cmp, res)]
    for w in cmp.windows:
        hit = [r for r in cmp.scenarios
               if any(x.name == w.burst and x.start.strftime("%Y-%m-%d %H:%M") == w.label
                      for x in r.cfg.bursts)]
        if not hit:
            continue
        out += ["", f"Storm `{w.burst}` ({w.kind}, starting {w.label}): alarms arriving in "
                f"the first {w.hours:g} h; 'storm cleared after' = hours until the last "
                f"{w.kind} alert of the storm's {w.duration_s / 60:g} minutes was answered.",
                "", storm_table(cmp, w.key, hit)]
    check = cost_check(b)
    if check is not None and b.period.start == dt.date(2020, 1, 1) and \
            b.period.end == dt.date(2021, 1, 1):
        out += ["", "Cost allocation of the baseline (published keys, pro rata by days of "
                "membership) vs the 2020 accounts (seed-facts.md §2.12 Tables A-C), NOK 1,000, "
                "and the months billed: the model's, and those the accounts imply per service "
                "(a newcomer's payment over what a member from before 2020 of its size paid).",
                "", cost_table(check)]
    return "\n".join(out)


def cost_table(check: pd.DataFrame) -> str:
    """Model vs accounts per municipality, with model and implied months billed."""
    implied = [c for c in check.columns if c.startswith("implied_months_")]
    rows = [["municipality", "model", "accounts 2020", "model - accounts", "months (model)",
             *[f"months implied: {c.removeprefix('implied_months_')}" for c in implied]],
            ["---", *["---:"] * (4 + len(implied))]]
    for r in check.to_dict("records"):
        rows.append([r["municipality"], f"{r['model_knok']:,.0f}", f"{r['accounts_knok']:,.0f}",
                     f"{r['difference_knok']:+,.0f}", f"{r['model_months']:.1f}",
                     *["-" if math.isnan(r[c]) else f"{r[c]:.1f}" for c in implied]])
    rows.append(["**total**", f"{check.model_knok.sum():,.0f}",
                 f"{check.accounts_knok.sum():,.0f}", f"{check.difference_knok.sum():+,.0f}",
                 "", *[""] * len(implied)])
    return _markdown(rows)


def _markdown(rows: list[list[str]]) -> str:
    return "\n".join("| " + " | ".join(r) + " |" for r in rows)
