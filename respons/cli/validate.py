"""`respons validate` (simulate 2019 and 2020 against the published figures) and
`respons calibrate` (fit the free inputs of the year configs)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import pandas as pd

from respons.cli.common import add_output_arguments, lang_of, print_json
from respons.config import yamlio
from respons.config.loading import load_config, validate
from respons.errors import UserError
from respons.runs.outputs import finish_metadata, metadata, write_results, write_start
from respons.runs.rundir import (
    check_out_dir,
    default_run_dir,
    final_name,
    run_directory,
    write_text,
)
from respons.studies import calibrate as cal
from respons.studies.sensitivity import sensitivity
from respons.studies.validation import (
    FITTED_COLUMNS,
    YEARS,
    YearResult,
    exit_code,
    fitted_markdown,
    fitted_ranges,
    markdown,
    range_problems,
    simulate_year,
    table,
    verdict,
)

PACKAGE_DATA = Path(__file__).resolve().parents[1] / "data"


def add_parser(sub: argparse._SubParsersAction) -> None:
    v = sub.add_parser("validate", help="simulate 2019 and 2020 and compare with the "
                       "published figures, fitted and predicted (exit 1 if any is outside its "
                       "band)")
    v.add_argument("--replications", type=int, help="replications per year (default: config)")
    v.add_argument("--configs", type=Path, help="directory with vaernes-2019.yaml and "
                   "vaernes-2020.yaml (default: the embedded copies of configs/)")
    v.add_argument("--out", type=Path, help="run directory (must be new/empty)")
    add_output_arguments(v)
    v.set_defaults(func=cmd_validate)
    c = sub.add_parser("calibrate", help="fit the free inputs of the year configs "
                       "(vaernes-2019.yaml, vaernes-2020.yaml) to the published figures and "
                       "write them into --configs DIR")
    c.add_argument("--configs", type=Path, metavar="DIR",
                   help="directory the fitted vaernes-2019.yaml and vaernes-2020.yaml are "
                   "written to (read from there too; missing ones start from the built-in "
                   "copies); required unless --update-builtin")
    c.add_argument("--update-builtin", action="store_true",
                   help="fit and rewrite the built-in copies inside the package "
                   "(respons/data, which configs/ links to): for maintainers")
    c.add_argument("--replications", type=int, default=8,
                   help="replications per simulated evaluation (default 8)")
    add_output_arguments(c)
    c.set_defaults(func=cmd_calibrate)
    s = sub.add_parser("sensitivity", help="move each assumed input ±25 %% and show how the "
                       "headline KPIs move (paired, common random numbers)")
    s.add_argument("--config", type=Path, help="scenario (default: the 2020 baseline)")
    s.add_argument("--replications", type=int, help="replications per variant")
    s.add_argument("--change", type=float, default=0.25, help="relative change (default 0.25)")
    s.add_argument("--ranges", action="store_true", help="instead of ±change on five inputs, "
                   "move every ranged input of the config (`assumptions:`) to the low and the "
                   "high end of its range, one at a time")
    s.add_argument("--set", dest="overrides", action="append", default=[], metavar="a.b=VALUE")
    add_output_arguments(s)
    s.set_defaults(func=cmd_sensitivity)
    _add_log_parser(sub)


def _year_path(configs: Path | None, year: int) -> Path:
    base = configs if configs is not None else PACKAGE_DATA
    path = base / f"vaernes-{year}.yaml"
    if not path.is_file():
        raise UserError(f"--configs: {path} not found; it must hold vaernes-2019.yaml and "
                        "vaernes-2020.yaml.")
    return path


def cmd_validate(args: argparse.Namespace) -> int:
    from respons.cli.progress import Steps

    if args.replications is not None and args.replications < 1:
        raise UserError(f"--replications must be at least 1, got {args.replications}.")
    overrides = [] if args.replications is None else [f"replications={args.replications}"]
    cfgs = {y: load_config(_year_path(args.configs, y), overrides) for y in YEARS}
    final = args.out if args.out is not None else default_run_dir(Path("runs"), "validate")
    check_out_dir(final)
    t0 = time.perf_counter()
    started = dt.datetime.now(dt.UTC)
    steps = Steps()
    with steps, run_directory(final, fresh=args.out is None) as work:
        final = final_name(work)
        meta = metadata(cfgs[2020], "validate", started)
        meta["years"] = {y: {"scenario": c.scenario, "seed": c.seed,
                             "replications": c.replications} for y, c in cfgs.items()}
        write_start(work, cfgs[2020], meta)
        results = []
        for year, cfg in cfgs.items():
            sub = work / str(year)
            sub.mkdir()
            write_start(sub, cfg, metadata(cfg, str(_year_path(args.configs, year)), started))
            res = simulate_year(cfg, args.jobs, steps.callback(f"{year}: replications"))
            write_results(sub, cfg, res)
            results.append(YearResult(year, cfg, res))
        df = table(results)
        df.to_csv(work / "validation.csv", index=False)
        fitted = [r for cfg in cfgs.values() for r in fitted_ranges(cfg)]
        pd.DataFrame(fitted, columns=list(FITTED_COLUMNS)).to_csv(work / "fitted-inputs.csv",
                                                                  index=False)
        notes = range_problems(cfgs)
        md = "\n".join([
            markdown(df), *verdict(df), "",
            "Fitted inputs next to the plausible range the sources allow:", "",
            fitted_markdown(fitted),
            *(["Assumed inputs outside their documented range:", *notes, ""] if notes else []),
        ])
        write_text(work / "validation.md", md)
        finish_metadata(work, meta, time.perf_counter() - t0)
    from respons.report.i18n import t
    from respons.report.study_tables import validation_exit_line, validation_text

    lang = lang_of(args, cfgs[2020])
    if args.json:
        print_json({"rows": df.to_dict(orient="records"), "fitted_inputs": fitted,
                    "verdict": verdict(df), "range_problems": notes,
                    "inside": exit_code(df) == 0, "run_directory": str(final)})
    else:
        print(validation_text(df, fitted, notes, lang))
        print(f"{t('run_directory', lang)}: {final}")
    why = validation_exit_line(df, lang)
    if why is not None:
        print(why, file=sys.stderr)
    return exit_code(df)


def calibration_dir(configs: Path | None, update_builtin: bool) -> Path:
    """Where `calibrate` reads and writes: --configs DIR, or the package data with
    --update-builtin. The built-in copy (respons/data, also reached through the configs/
    link) is only ever written with --update-builtin."""
    builtin = PACKAGE_DATA.resolve()
    if configs is None:
        if update_builtin:
            return PACKAGE_DATA
        raise UserError("calibrate: give --configs DIR, the directory the fitted year configs "
                        "are written to (it may be new: missing files start from the built-in "
                        "copies); only --update-builtin rewrites the built-in copies in "
                        f"{builtin}.")
    if configs.exists() and not configs.is_dir():
        raise UserError(f"calibrate: --configs {configs} is not a directory.")
    inside = configs.resolve() == builtin
    if inside and not update_builtin:
        raise UserError(f"calibrate: --configs {configs} is the package's built-in copy "
                        f"({builtin}; configs/ links to it): add --update-builtin to rewrite "
                        "it, or give another directory.")
    if update_builtin and not inside:
        raise UserError(f"calibrate: --update-builtin rewrites the built-in copies in "
                        f"{builtin}, but --configs names {configs}; give one of them.")
    return configs


def cmd_calibrate(args: argparse.Namespace) -> int:
    from respons.cli.progress import progress

    if args.replications < 2:
        raise UserError(f"--replications must be at least 2, got {args.replications}.")
    folder = calibration_dir(args.configs, args.update_builtin)
    paths = {y: folder / f"vaernes-{y}.yaml" for y in YEARS}
    sources = {y: p if p.is_file() else PACKAGE_DATA / p.name for y, p in paths.items()}
    for y, src in sources.items():
        if src != paths[y]:
            print(f"{paths[y]} does not exist: starting from the built-in {src.name}",
                  file=sys.stderr if args.json else sys.stdout)
    data = {y: yamlio.load(src) for y, src in sources.items()}

    def check(d: dict) -> object:
        return validate(dict(d), "calibration candidate")

    today = dt.date.today()
    with progress("calibrating 2020, then 2019") as step:
        step(0, 2)
        fit20 = cal.calibrate_2020(data[2020], args.replications, check, jobs=args.jobs)
        step(1, 2)
        fit19 = cal.calibrate_2019(data[2019], data[2020], check)
        step(2, 2)
    texts, cfgs = {}, {}
    for year, fit in ((2020, fit20), (2019, fit19)):
        data[year]["calibration_note"] = cal.note(fit, today)
        cfgs[year] = validate(dict(data[year]), str(paths[year]))
        texts[year] = yamlio.dumps(data[year])
    folder.mkdir(parents=True, exist_ok=True)  # only once both fits are done
    fitted = []
    for year, fit in ((2020, fit20), (2019, fit19)):
        write_text(paths[year], texts[year])
        if not args.json:
            print(f"{paths[year]}: " + ", ".join(f"{k}={v}" for k, v in fit.values.items()))
        fitted += fitted_ranges(cfgs[year])
    if args.json:
        print_json({"configs": {str(y): str(paths[y]) for y in YEARS},
                    "fitted": {str(y): fit.values for y, fit in ((2020, fit20), (2019, fit19))},
                    "fitted_inputs": fitted})
        return 0
    if fitted:
        from respons.report.study_tables import fitted_table, w

        lang = lang_of(args, cfgs[2020])
        print(f"\n{w('fitted_title', lang)}\n")
        print(fitted_table(fitted, lang), end="")
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    if not 0 < args.change < 1:
        raise UserError(f"--change must be between 0 and 1 (exclusive), got {args.change}.")
    overrides = list(args.overrides)
    if args.replications is not None:
        if args.replications < 1:
            raise UserError(f"--replications must be at least 1, got {args.replications}.")
        overrides.append(f"replications={args.replications}")
    cfg = load_config(args.config, overrides)
    from respons.cli.progress import progress

    with progress("variants") as step:
        if args.ranges:
            from respons.studies.sensitivity import range_sensitivity
            from respons.studies.uncertainty import check

            check(cfg)
            df = range_sensitivity(cfg, args.jobs, step)
        else:
            df = sensitivity(cfg, args.change, args.jobs, step)
    if args.json:
        from respons.studies.sensitivity import KPIS

        print_json({"scenario": cfg.scenario, "replications": cfg.replications,
                    "mode": "ranges" if args.ranges else "change",
                    "change": None if args.ranges else args.change, "kpis": list(KPIS),
                    "rows": df.to_dict(orient="records")})
        return 0
    from respons.report.study_tables import sensitivity_table

    print(sensitivity_table(df, lang_of(args, cfg)))
    return 0


def _add_log_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("profile-log", help="estimate profiles, yearly volumes and talk times "
                       "from a centre's event log (CSV: timestamp, category[, talk_s])")
    p.add_argument("log", type=Path, help="CSV file")
    p.add_argument("--json", action="store_true",
                   help="print the rows summary and the profiles as JSON on stdout")
    p.set_defaults(func=cmd_profile_log)


def cmd_profile_log(args: argparse.Namespace) -> int:
    import yaml

    from respons.studies.eventlog import profiles, read_log

    summary = read_log(args.log)
    if summary.days < 365:
        print(f"note: {args.log} covers {summary.days:.0f} days; the yearly volumes (per_year) "
              "scale them up to 365 days, so a season the log does not cover is not in them.",
              file=sys.stderr)
    if args.json:
        print_json({"log": str(args.log), "rows": sum(summary.counts.values()),
                    "first": summary.first, "last": summary.last,
                    "profiles": profiles(summary)})
        return 0
    print(f"# {args.log}: {sum(summary.counts.values())} rows, {summary.first} to "
          f"{summary.last}")
    print(yaml.safe_dump(profiles(summary), sort_keys=False, default_flow_style=None,
                         width=100), end="")
    return 0
