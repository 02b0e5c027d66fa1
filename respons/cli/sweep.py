"""`respons sweep SWEEP.yaml` and `respons collect DIR`: run a sweep, merge its task files."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from respons.analysis.kpis import KPI_UNITS
from respons.cli.args import positive_int
from respons.errors import UserError
from respons.studies.sweep import run_sweep
from respons.studies.sweep_tasks import Collected, collect

HEADLINE = {"alarms_answered_within_target_share": "alarms within target",
            "answer_time_mean_s": "mean answer time",
            "operator_utilisation": "operator utilisation"}


def parse_shard(text: str) -> tuple[int, int]:
    """'i/N' with 0 <= i < N."""
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not of the form i/N (e.g. 0/4)") from None
    if n < 1 or not 0 <= i < n:
        raise argparse.ArgumentTypeError(f"'{text}': need 0 <= i < N")
    return i, n


def add_parser(sub: Any) -> None:
    """Register the `sweep` and `collect` commands."""
    p = sub.add_parser("sweep", help="run a sweep of points x replications (see README)")
    p.add_argument("sweep", type=Path, help="sweep file (YAML)")
    p.add_argument("--jobs", type=positive_int, default=1,
                   help="local worker processes (default 1)")
    p.add_argument("--dask", metavar="ADDRESS", help="run on a Dask scheduler, e.g. "
                   "tcp://host:8786 (needs respons[dask] there and here)")
    p.add_argument("--shard", type=parse_shard, default=(0, 1), metavar="i/N",
                   help="run only tasks with index %% N == i; merge with `collect`")
    p.add_argument("--out", type=Path, help="sweep directory (default runs/<stamp>_sweep-NAME)")
    p.add_argument("--no-report", action="store_true", help="skip report.html")
    p.add_argument("--resume", action="store_true",
                   help="complete an interrupted sweep in --out: skip tasks already done")
    p.set_defaults(func=cmd_sweep)
    c = sub.add_parser("collect", help="rebuild a sweep's tables from its task files")
    c.add_argument("dir", type=Path, help="sweep directory (shards' tasks/ copied together)")
    c.set_defaults(func=cmd_collect)


class Progress:
    """Tasks done / total, elapsed, time left on stderr (a bar on a terminal, else lines)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr  # looked up at call time
        self.t0, self.step = time.perf_counter(), -1
        self.tty = self.stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        """Show that `done` of `total` tasks are finished."""
        elapsed = time.perf_counter() - self.t0
        left = elapsed / done * (total - done) if done else math.nan
        text = (f"{done}/{total} tasks  elapsed {_hms(elapsed)}  left "
                f"{_hms(left) if done else '?'}")
        if self.tty:
            fill = int(30 * done / total) if total else 30
            end = "\n" if done == total else ""
            print(f"\r[{'#' * fill}{'.' * (30 - fill)}] {text}", end=end, file=self.stream,
                  flush=True)
        elif total and (step := 10 * done // total) > self.step:
            self.step = step
            print(f"sweep: {text}", file=self.stream, flush=True)


def _hms(s: float) -> str:
    s = int(round(s))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run a sweep; exit 1 if any of its tasks failed."""
    if args.dask and args.jobs != 1:
        raise UserError("--jobs and --dask exclude each other (Dask decides the parallelism).")
    t0 = time.perf_counter()
    outcome = run_sweep(args.sweep, args.out, jobs=args.jobs, dask=args.dask,
                        shard=args.shard, resume=args.resume, progress=Progress())
    wall = time.perf_counter() - t0
    _log(outcome.root, {"command": sys.argv, "shard": list(args.shard), "jobs": args.jobs,
                        "dask": args.dask, "resume": args.resume, "ran": len(outcome.ran),
                        "skipped": outcome.skipped, "failed": len(outcome.failed),
                        "wall_s": round(wall, 3)})
    print(f"ran {len(outcome.ran)} task(s) in {wall:.1f} s, {outcome.skipped} already done, "
          f"{len(outcome.failed)} failed")
    for point, r, error in outcome.failed[:10]:
        print(f"failed: {point} replication {r}: {error}", file=sys.stderr)
    if outcome.tables is not None:
        print(format_summary(outcome.tables))
        if not args.no_report:
            print(f"report: {_report(outcome.root)}")
    else:
        print("not every task of the sweep is done yet (other shards?): run "
              f"`respons collect {outcome.root}` when they are")
    print(f"sweep directory: {outcome.root}")
    return 1 if outcome.failed else 0


def _report(root: Path) -> str:
    from respons.cli.common import report_or_warning  # the same policy as `simulate`

    return report_or_warning(root)


def cmd_collect(args: argparse.Namespace) -> int:
    """Rebuild the tables; exit 1 if any task failed or is missing."""
    done = collect(args.dir)
    assert done is not None
    print(format_summary(done))
    if done.missing:
        print(f"{done.missing} task(s) have no result yet (run the missing shards or "
              "`respons sweep ... --out DIR --resume`)", file=sys.stderr)
    if done.failed:
        print(f"{done.failed} task(s) failed: see {args.dir / 'tasks.csv'}", file=sys.stderr)
    _log(args.dir, {"command": sys.argv, "collected": len(done.results),
                    "missing": done.missing, "failed": done.failed})
    return 1 if done.missing or done.failed else 0


def _log(root: Path, entry: dict[str, Any]) -> None:
    from respons.runs.outputs import versions
    from respons.runs.rundir import utc_stamp

    line = json.dumps({"utc": utc_stamp(), **entry, "versions": versions()}, default=str)
    with (root / "sweep-log.jsonl").open("a", encoding="utf-8") as f:
        f.write(line + "\n")


def format_summary(done: Collected) -> str:
    """Headline KPIs per point: mean and 95 % CI."""
    w = max([5, *(len(str(n)) for n in done.summary.get("point", []))]) + 1
    rows = [f"{'point':<{w}}{'reps':>5}  " + "  ".join(f"{h:>28}" for h in HEADLINE.values())]
    for _, s in done.summary.iterrows():
        cells = [_cell(*(float(s.get(f"{k}_{x}", math.nan)) for x in ("mean", "ci_low",
                                                                        "ci_high")),
                       KPI_UNITS[k]) for k in HEADLINE]
        rows.append(f"{s['point']:<{w}}{s['replications']:>5}  "
                    + "  ".join(f"{c:>28}" for c in cells))
    return "\n".join(rows)


def _cell(mean: float, lo: float, hi: float, unit: str) -> str:
    def f(x: float) -> str:
        if math.isnan(x):
            return "-"
        return f"{100 * x:.1f}" if unit == "share" else f"{x:.1f}"

    return f"{f(mean)} [{f(lo)}, {f(hi)}]" + (" %" if unit == "share" else " s")
