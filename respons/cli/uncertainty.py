"""`respons uncertainty`: how wide the headline KPIs are when the assumed inputs move over
their documented ranges (Morris screening, then a Latin hypercube or Sobol sample)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from respons.cli.args import int_between, positive_int
from respons.cli.common import lang_of, print_json
from respons.cli.progress import Steps


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "uncertainty", help="range of the headline KPIs over the config's ranged assumptions "
        "(Morris screening, then a Latin hypercube or Sobol sample; SALib)")
    p.add_argument("--config", type=Path, help="scenario with `assumptions:` (default: the "
                   "2020 baseline)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="a.b=VALUE",
                   help="override one field (VALUE parsed as YAML); repeatable")
    p.add_argument("--method", choices=("morris", "sobol"), default="morris",
                   help="second stage over the inputs that matter: morris = Latin hypercube "
                   "(default), sobol = Saltelli sample with Sobol indices")
    p.add_argument("--samples", type=positive_int, default=None,
                   help="second-stage points (morris, default 64) or the Sobol base sample, a "
                   "power of 2 (sobol, default 32: 32 x (inputs + 2) points)")
    p.add_argument("--trajectories", type=int_between(2, 1000), default=10,
                   help="Morris trajectories (default 10: 10 x (inputs + 1) points)")
    p.add_argument("--replications", type=positive_int, default=4,
                   help="replications per sample point, same seed everywhere (default 4)")
    p.add_argument("--keep", type=float, default=0.1,
                   help="an input matters when its mu* reaches this share of the largest "
                   "(default 0.1)")
    p.add_argument("--jobs", type=positive_int, default=1,
                   help="sample points on N local processes (same results as serial)")
    p.add_argument("--out", type=Path, help="output directory (must be new/empty)")
    p.add_argument("--lang", choices=("en", "nb"),
                   help="language of the terminal tables: en or nb (default: the config's "
                   "`lang`, else the LANG environment variable)")
    p.add_argument("--json", action="store_true",
                   help="print the result as JSON on stdout instead of tables")
    p.set_defaults(func=cmd_uncertainty)


def cmd_uncertainty(args: argparse.Namespace) -> int:
    from respons.config.loading import load_config
    from respons.errors import UserError
    from respons.runs.outputs import finish_metadata, metadata, write_start
    from respons.runs.rundir import check_out_dir, default_run_dir, final_name, run_directory
    from respons.studies.uncertainty import Plan, check, study

    if not 0 < args.keep <= 1:
        raise UserError(f"--keep must be in (0, 1], got {args.keep}.")
    samples = args.samples or (32 if args.method == "sobol" else 64)
    if args.method == "sobol" and samples & (samples - 1):
        raise UserError(f"--samples must be a power of 2 with --method sobol, got {samples}.")
    cfg = load_config(args.config, args.overrides)
    inputs = check(cfg)
    plan = Plan(method=args.method, trajectories=args.trajectories, samples=samples,
                replications=args.replications, keep=args.keep, jobs=args.jobs)
    final = args.out if args.out is not None else default_run_dir(Path("runs"),
                                                                  f"uncertainty_{cfg.scenario}")
    check_out_dir(final)
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    lang = lang_of(args, cfg)
    points = plan.trajectories * (len(inputs) + 1)
    reps = plan.replications
    if lang == "nb":
        print(f"{cfg.scenario}: {len(inputs)} inndata med spenn, {plan.trajectories} "
              f"Morris-baner ({points} punkter), {reps} "
              f"{'replikasjon' if reps == 1 else 'replikasjoner'} per punkt", file=sys.stderr)
    else:
        print(f"{cfg.scenario}: {len(inputs)} ranged inputs, {plan.trajectories} Morris "
              f"trajectories ({points} points), {reps} "
              f"{'replication' if reps == 1 else 'replications'} per point", file=sys.stderr)
    with run_directory(final, fresh=args.out is None) as work:
        final = final_name(work)
        meta = metadata(cfg, str(args.config or "the embedded 2020 baseline"), started)
        write_start(work, cfg, meta)
        with Steps() as steps:
            result = study(cfg, plan, _progress(steps, lang))
        stage2 = len(result.samples)
        meta["plan"] = {"method": plan.method, "trajectories": plan.trajectories,
                        "screening_points": len(result.screening), "samples": plan.samples,
                        "stage2_points": stage2, "second_stage": "Sobol (Saltelli) sample"
                        if plan.method == "sobol" else "Latin hypercube",
                        "replications": plan.replications, "keep": plan.keep,
                        "jobs": plan.jobs, "ranged_inputs": len(inputs),
                        "selected": len(result.selected), "selected_inputs": result.selected}
        result.inputs.to_csv(work / "inputs.csv", index=False)
        result.ranges.to_csv(work / "ranges.csv", index=False)
        _ranges_block(work, cfg, result.ranges, plan, started)
        result.morris.to_csv(work / "morris.csv", index=False)
        result.screening.to_csv(work / "screening.csv", index=False)
        result.samples.to_csv(work / "samples.csv", index=False)
        result.baseline.to_csv(work / "replications.csv", index=False)
        finish_metadata(work, meta, time.perf_counter() - t0)
        report = _report(work, lang)
    if args.json:  # the tables written (ranges.csv, inputs.csv), the plan and where
        print_json({"plan": meta["plan"], "ranges": result.ranges.to_dict(orient="records"),
                    "inputs": result.inputs.to_dict(orient="records"),
                    "assumption_ranges": str(final / "assumption_ranges.yaml"),
                    "report": str(final / "report.html") if report else None,
                    "output_directory": str(final)})
        return 0
    from respons.report.i18n import pick, t

    print(_summary(result, lang))
    written = final / "report.html" if report else pick(
        lang, "not written (see report-error.txt)", "ikke skrevet (se report-error.txt)")
    print(f"{t('report', lang)}: {written}")
    print(f"{pick(lang, 'output directory', 'utdatamappe')}: {final}")
    return 0


def _ranges_block(work: Path, cfg: Any, ranges: Any, plan: Any, started: Any) -> None:
    """assumption_ranges.yaml: the headline ranges as a block for the config."""
    from respons.runs.rundir import write_text
    from respons.studies.uncertainty_report import ranges_entries, ranges_yaml

    study = (f"respons uncertainty, {plan.method} screening then "
             f"{'Sobol' if plan.method == 'sobol' else 'Latin hypercube'} sample, "
             f"{plan.replications} replications per point, {started.date().isoformat()}")
    write_text(work / "assumption_ranges.yaml", ranges_yaml(ranges_entries(cfg, ranges, study)))


def _progress(steps: Steps, lang: str = "en") -> Callable[[str, int, int], None]:
    """A rich bar per stage on a terminal; otherwise one line per finished stage."""
    points = "punkter" if lang == "nb" else "points"
    done_word = "punkter ferdig" if lang == "nb" else "points done"

    def report(stage: str, done: int, total: int) -> None:
        if steps.bar is not None:
            steps.callback(f"{stage} ({points})")(done, total)
        elif done == total:
            print(f"{stage}: {total} {done_word}", file=sys.stderr, flush=True)

    return report


def _report(work: Path, lang: str = "en") -> bool:
    """Figures and report.html; a drawing failure is noted, the tables still land."""
    from respons.report.uncertainty import write_report

    try:
        write_report(work, lang)
    except Exception as e:  # noqa: BLE001 - the numbers are written; the picture is optional
        (work / "report-error.txt").write_text(f"{type(e).__name__}: {e}\n", encoding="utf-8")
        return False
    return True


def _summary(result, lang: str = "en") -> str:  # noqa: ANN001 - a Study
    from respons.report.study_tables import inputs_table, ranges_table

    return ranges_table(result.ranges, lang) + "\n" + inputs_table(result.inputs, lang)
