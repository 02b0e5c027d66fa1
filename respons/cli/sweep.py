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
from respons.cli.common import add_output_arguments, lang_of, print_json
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
    add_output_arguments(p, jobs=False)
    p.set_defaults(func=cmd_sweep)
    c = sub.add_parser("collect", help="rebuild a sweep's tables from its task files")
    c.add_argument("dir", type=Path, help="sweep directory (shards' tasks/ copied together)")
    add_output_arguments(c, jobs=False)
    c.set_defaults(func=cmd_collect)


class Progress:
    """Tasks done / total on stderr: a `rich` bar on a terminal, else a line every 10 %."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr  # looked up at call time
        self.t0, self.step = time.perf_counter(), -1
        self.tty = self.stream.isatty()
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        """Show that `done` of `total` tasks are finished."""
        if self.tty:
            if self.bar is None:
                from rich.console import Console
                from rich.progress import (
                    BarColumn,
                    MofNCompleteColumn,
                    Progress,
                    TextColumn,
                    TimeElapsedColumn,
                    TimeRemainingColumn,
                )

                self.bar = Progress(TextColumn("sweep"), BarColumn(), MofNCompleteColumn(),
                                    TimeElapsedColumn(), TimeRemainingColumn(),
                                    console=Console(file=self.stream), transient=True)
                self.bar.start()
                self.task = self.bar.add_task("sweep", total=total)
            self.bar.update(self.task, completed=done, total=total)
            if done == total:
                self.bar.stop()
                self.bar = None
            return
        elapsed = time.perf_counter() - self.t0
        left = elapsed / done * (total - done) if done else math.nan
        text = (f"{done}/{total} tasks  elapsed {_hms(elapsed)}  left "
                f"{_hms(left) if done else '?'}")
        if total and (step := 10 * done // total) > self.step:
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
    progress = Progress()
    try:
        outcome = run_sweep(args.sweep, args.out, jobs=args.jobs, dask=args.dask,
                            shard=args.shard, resume=args.resume, progress=progress)
    finally:
        if progress.bar is not None:
            progress.bar.stop()
    wall = time.perf_counter() - t0
    _log(outcome.root, {"command": sys.argv, "shard": list(args.shard), "jobs": args.jobs,
                        "dask": args.dask, "resume": args.resume, "ran": len(outcome.ran),
                        "skipped": outcome.skipped, "failed": len(outcome.failed),
                        "wall_s": round(wall, 3)})
    out = sys.stderr if args.json else sys.stdout
    lang = lang_of(args)
    from respons.report.formatting import number
    from respons.report.i18n import t

    print(t("sweep_ran", lang, ran=len(outcome.ran), wall=number(wall, 1, lang),
            skipped=outcome.skipped, failed=len(outcome.failed)), file=out)
    for point, r, error in outcome.failed[:10]:
        print(f"failed: {point} replication {r}: {error}", file=sys.stderr)
    report = None
    if outcome.tables is not None:
        write_sweep_workbook(outcome.root, outcome.tables, lang)
        if not args.no_report:
            report = _report(outcome.root, lang)
        if args.json:
            print_json(summary_json(outcome.root, outcome.tables, report))
        else:
            print(format_summary(outcome.tables, lang, sweep_verdicts(outcome.root,
                                                                      outcome.tables)))
            if report is not None:
                print(f"{t('report', lang)}: {report}")
    else:
        print(t("sweep_not_done", lang, root=outcome.root), file=out)
    print(f"{t('sweep_directory', lang)}: {outcome.root}", file=out)
    return 1 if outcome.failed else 0


def _report(root: Path, lang: str) -> str:
    from respons.cli.common import report_or_warning  # the same policy as `simulate`

    return report_or_warning(root, lang)


def cmd_collect(args: argparse.Namespace) -> int:
    """Rebuild the tables; exit 1 if any task failed or is missing."""
    done = collect(args.dir)
    assert done is not None
    lang = lang_of(args)
    write_sweep_workbook(args.dir, done, lang)
    if args.json:
        print_json(summary_json(args.dir, done, None))
    else:
        print(format_summary(done, lang, sweep_verdicts(args.dir, done)))
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


def sweep_verdicts(root: Path, done: Collected) -> list[str] | None:
    """The goal verdict of every point (None without a goal)."""
    from respons.analysis.goal import verdict
    from respons.report.optional import sweep_goal

    goal, _ = sweep_goal(root)
    k = "alarms_answered_within_target_share"
    if goal is None or f"{k}_mean" not in done.summary.columns:
        return None
    return [verdict(_opt(s[f"{k}_mean"]), _opt(s[f"{k}_ci_low"]), _opt(s[f"{k}_ci_high"]),
                    float(goal["share"])) for _, s in done.summary.iterrows()]


def _opt(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def summary_json(root: Path, done: Collected, report: str | None) -> dict[str, Any]:
    """The sweep's summary as JSON: goal, and per point the KPIs and the verdict."""
    from respons.report.optional import sweep_goal

    goal, _ = sweep_goal(root)
    verdicts = sweep_verdicts(root, done)
    points = []
    for n, (_, s) in enumerate(done.summary.iterrows()):
        kpis = {k: {"mean": _opt(s[f"{k}_mean"]), "ci_low": _opt(s[f"{k}_ci_low"]),
                    "ci_high": _opt(s[f"{k}_ci_high"]), "unit": u}
                for k, u in KPI_UNITS.items() if f"{k}_mean" in s}
        points.append({"point": s["point"], "replications": int(s["replications"]),
                       "failed": int(s["failed"]),
                       "verdict": verdicts[n] if verdicts else None, "kpis": kpis})
    return {"sweep_directory": str(root), "report": report, "goal": goal, "points": points,
            "missing": done.missing, "failed": done.failed}


def write_sweep_workbook(root: Path, done: Collected, lang: str) -> None:
    """sweep-summary.xlsx: per point the mean and 95 % CI of every KPI, and the paired
    differences to the first point."""
    from respons.report.excel import write_workbook
    from respons.report.i18n import kpi_label, t
    from respons.report.tables import Column, Table

    tables = []
    for name, df, title in (("Points", done.summary, "sweep-summary.csv"),
                            ("Paired differences", done.paired, "paired-differences.csv")):
        cols = []
        for c in df.columns:
            k = max((k for k in KPI_UNITS if c.startswith(f"{k}_")), key=len, default=None)
            cols.append(Column(f"{kpi_label(k, lang)}: {c[len(k) + 1:]}", KPI_UNITS[k])
                        if k else Column(c))
        rows = [[None if isinstance(v, float) and math.isnan(v) else v for v in r]
                for r in df.itertuples(index=False)]
        tables.append(Table(t(f"sheet:{name}", lang), title, cols, rows))
    write_workbook(root / "sweep-summary.xlsx", tables)


def format_summary(done: Collected, lang: str = "en",
                   verdicts: list[str] | None = None) -> str:
    """Headline KPIs per point: mean and 95 % CI (and the goal verdict)."""
    from respons.report.formatting import fmt
    from respons.report.i18n import TEXT, kpi_label, t

    w = max([5, *(len(str(n)) for n in done.summary.get("point", []))]) + 1
    heads = [kpi_label(k, lang) for k in HEADLINE]
    width = max(30, *(len(h) for h in heads))
    rows = [f"{t('sweep:point', lang):<{w}}{t('sweep:reps', lang):>5}  "
            + "  ".join(f"{h:>{width}}" for h in heads)
            + (f"  {t('sweep:goal', lang)}" if verdicts else "")]
    verdicts = [t(f"verdict:{v}", lang) if f"verdict:{v}" in TEXT else v
                for v in verdicts] if verdicts else verdicts
    for n, (_, s) in enumerate(done.summary.iterrows()):
        cells = []
        for k in HEADLINE:
            unit = KPI_UNITS[k]
            mean, lo, hi = (_opt(s.get(f"{k}_{x}")) for x in ("mean", "ci_low", "ci_high"))
            ci = f" [{fmt(lo, unit, lang)}, {fmt(hi, unit, lang)}]" if lo is not None and \
                hi is not None else ""
            cells.append(fmt(mean, unit, lang) + ci)
        rows.append(f"{s['point']:<{w}}{s['replications']:>5}  "
                    + "  ".join(f"{c:>{width}}" for c in cells)
                    + (f"  {verdicts[n]}" if verdicts else ""))
    return "\n".join(rows)
