"""`respons validate` (simulate 2019 and 2020 against the published figures) and
`respons calibrate` (fit the free inputs of the year configs)."""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

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
from respons.studies.sensitivity import markdown as sens_markdown
from respons.studies.sensitivity import sensitivity
from respons.studies.validation import YEARS, YearResult, markdown, simulate_year, table

PACKAGE_DATA = Path(__file__).resolve().parents[1] / "data"


def add_parser(sub: argparse._SubParsersAction) -> None:
    v = sub.add_parser("validate", help="simulate 2019 and 2020 and compare with the "
                       "published figures (exit 1 if any is outside its band)")
    v.add_argument("--replications", type=int, help="replications per year (default: config)")
    v.add_argument("--configs", type=Path, help="directory with vaernes-2019.yaml and "
                   "vaernes-2020.yaml (default: the embedded copies of configs/)")
    v.add_argument("--out", type=Path, help="run directory (must be new/empty)")
    v.set_defaults(func=cmd_validate)
    c = sub.add_parser("calibrate", help="fit the free inputs of configs/vaernes-2019.yaml and "
                       "vaernes-2020.yaml to the published figures and write them back")
    c.add_argument("--configs", type=Path, default=Path("configs"),
                   help="directory holding the year configs (default: configs)")
    c.add_argument("--replications", type=int, default=8,
                   help="replications per simulated evaluation (default 8)")
    c.set_defaults(func=cmd_calibrate)
    s = sub.add_parser("sensitivity", help="move each assumed input ±25 %% and show how the "
                       "headline KPIs move (paired, common random numbers)")
    s.add_argument("--config", type=Path, help="scenario (default: the 2020 baseline)")
    s.add_argument("--replications", type=int, help="replications per variant")
    s.add_argument("--change", type=float, default=0.25, help="relative change (default 0.25)")
    s.add_argument("--set", dest="overrides", action="append", default=[], metavar="a.b=VALUE")
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
    if args.replications is not None and args.replications < 1:
        raise UserError(f"--replications must be at least 1, got {args.replications}.")
    overrides = [] if args.replications is None else [f"replications={args.replications}"]
    cfgs = {y: load_config(_year_path(args.configs, y), overrides) for y in YEARS}
    final = args.out if args.out is not None else default_run_dir(Path("runs"), "validate")
    check_out_dir(final)
    t0 = time.perf_counter()
    started = dt.datetime.now(dt.UTC)
    with run_directory(final, fresh=args.out is None) as work:
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
            res = simulate_year(cfg)
            write_results(sub, cfg, res)
            results.append(YearResult(year, cfg, res))
        df = table(results)
        df.to_csv(work / "validation.csv", index=False)
        md = markdown(df)
        write_text(work / "validation.md", md)
        finish_metadata(work, meta, time.perf_counter() - t0)
    print(md)
    inside = bool(df["inside"].all())
    print("every figure is inside its band" if inside else
           f"{int((~df['inside']).sum())} figure(s) outside their band")
    print(f"run directory: {final}")
    return 0 if inside else 1


def cmd_calibrate(args: argparse.Namespace) -> int:
    if args.replications < 2:
        raise UserError(f"--replications must be at least 2, got {args.replications}.")
    paths = {y: _year_path(args.configs, y) for y in YEARS}
    data = {y: yamlio.load(p) for y, p in paths.items()}

    def check(d: dict) -> object:
        return validate(dict(d), "calibration candidate")

    today = dt.date.today()
    fit20 = cal.calibrate_2020(data[2020], args.replications, check)
    fit19 = cal.calibrate_2019(data[2019], data[2020], check)
    for year, fit in ((2020, fit20), (2019, fit19)):
        data[year]["calibration_note"] = cal.note(fit, today)
        validate(dict(data[year]), str(paths[year]))
        text = yamlio.dumps(data[year])
        write_text(paths[year], text)
        print(f"{paths[year]}: " + ", ".join(f"{k}={v}" for k, v in fit.values.items()))
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
    print(sens_markdown(sensitivity(cfg, args.change)))
    return 0


def _add_log_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("profile-log", help="estimate profiles, yearly volumes and talk times "
                       "from a centre's event log (CSV: timestamp, category[, talk_s])")
    p.add_argument("log", type=Path, help="CSV file")
    p.set_defaults(func=cmd_profile_log)


def cmd_profile_log(args: argparse.Namespace) -> int:
    import yaml

    from respons.studies.eventlog import profiles, read_log

    summary = read_log(args.log)
    print(f"# {args.log}: {sum(summary.counts.values())} rows, {summary.first} to "
          f"{summary.last}")
    print(yaml.safe_dump(profiles(summary), sort_keys=False, default_flow_style=None,
                         width=100), end="")
    return 0
