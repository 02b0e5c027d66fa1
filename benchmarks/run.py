"""Performance benchmarks of respons (issues 8 and 19), all cases in one run, as Markdown tables.

    python benchmarks/run.py [--quick] [--repeats N] [--out docs/performance.md]

Cases: the start-up of commands (CPU and the heavy modules each imports), respons against Ciw
on benchmarks/mm2.yaml (whole process and in-process, per simulated year), the 2020 baseline
in contacts per second with and without the event table written to Parquet, default
`simulate` (with the report) against `simulate --no-report`, replications on 2 processes
against 1, memory against the number of replications, cost against simulated time (1, 3,
10 years) and volume (1x, 4x, 16x), and a large synthetic centre
(benchmarks/large-centre.yaml). The first table lists every target of issue 19 with the
figure measured and whether it is met.
Paired cases run alternately, so both sides see the same machine load; each figure is the
median over the repeats and ratios are of those medians. Times are wall clock and CPU time
(user + system of the process or child process). Ciw needs the optional extra `bench`
(pip install -e ".[bench]"); without it those rows say so. `--quick` shrinks every case to a
few seconds in all (a smoke run, not a measurement).

The results replace the part of the output file between the markers below (the rest of the
file, e.g. notes written by hand, is kept); a missing file is created.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from cases import Bench, Fmt, T, child_env, cpu_now, descendants_cpu  # noqa: E402

START, END = "<!-- benchmark results: start -->", "<!-- benchmark results: end -->"


def has_ciw() -> bool:
    return not NO_CIW and importlib.util.find_spec("ciw") is not None


NO_CIW = False


def respons_cmd(out: Path, extra: list[str]) -> list[str]:
    """The `simulate` command line on mm2, events and (if the CLI has it) the report off."""
    cmd = [sys.executable, "-m", "respons", "simulate", "--config", str(HERE / "mm2.yaml"),
           "--no-events", "--out", str(out), *extra]
    return [*cmd, "--no-report"] if _cli_has("--no-report") else cmd


def _cli_has(flag: str) -> bool:
    if not hasattr(_cli_has, "text"):
        _cli_has.text = subprocess.run(  # type: ignore[attr-defined]
            [sys.executable, "-m", "respons", "simulate", "--help"], capture_output=True,
            text=True, cwd=ROOT).stdout
    return flag in _cli_has.text  # type: ignore[attr-defined]


def ciw_vs_respons(b: Bench, tmp: Path) -> None:
    """Whole process (1, 10, 100 simulated years) and in-process, per simulated year."""
    days = 28 if b.quick else 365  # quick: four-week "years" (a smoke run)
    b.section("Ciw against respons on benchmarks/mm2.yaml (seconds per simulated year"
              + (", quick: 28-day years" if b.quick else "") + ")",
              ["case", "respons wall", "respons CPU", "Ciw wall", "Ciw CPU", "Ciw / respons "
               "(wall)", "Ciw / respons (CPU)", "target"])
    ciw = has_ciw()
    runs = iter(range(10_000))
    short = ["--set", "period.end=2021-01-29"] if b.quick else []
    for years in [1] if b.quick else [1, 10, 100]:
        respons = lambda y=years: b.subprocess(  # noqa: E731
            respons_cmd(tmp / f"mm2-{next(runs)}", ["--replications", str(y), *short]))
        other = lambda y=years: b.subprocess(  # noqa: E731
            [sys.executable, str(HERE / "ciw_mm2.py"), "--years", str(y), "--days", str(days)])
        once = years == 100  # about a minute and a half of Ciw: one pair only
        r, c = b.pair(respons, other if ciw else None, 1 if once else None)
        goal = {1: 3.0, 10: 6.0}.get(years, 5.0)  # issue 19 (1 and 10 years), issue 8
        ratio = b.ratio_row(f"whole process, {years} simulated year{'s' * (years > 1)} "
                            f"(`simulate --replications {years}` vs `ciw_mm2.py --years "
                            f"{years}`)" + (", 1 pair" if once else ""), r, c, years,
                            f"≥ {goal:g}×")
        if years in (1, 10) and ratio is not None:
            b.target(f"mm2-{years}", Fmt.x(ratio), ratio >= goal)
    from respons.config.loading import load_config
    from respons.engine.replication import simulate_replication
    from respons.runs.replications import replication_kpis

    cfg = load_config(HERE / "mm2.yaml", short[1:])
    one_year = None
    if ciw:
        import ciw_mm2

        one_year = ciw_mm2.one_year
    seeds = iter(range(10_000))
    r, c = b.pair(lambda: b.call(lambda: replication_kpis(
        simulate_replication(cfg, next(seeds)), cfg.target_s)),
        (lambda: b.call(lambda: one_year(next(seeds), days))) if ciw else None)
    b.ratio_row("in-process, one year (simulate_replication + KPIs vs Ciw Simulation)",
                r, c, 1, "≥ 5×")
    if c is not None and not b.quick:  # a workload no change to respons touches
        b.notes.append(f"How fast the machine was: Ciw's in-process year of mm2 took "
                       f"{c.cpu:.3f} CPU s in this run ({REFERENCE_CIW_S:.3f} s in issue "
                       "19's first round's quiet run); absolute figures scale with it.")


def baseline_2020(b: Bench, tmp: Path) -> None:
    """Handled contacts per CPU second of the 2020 baseline, without and with events.parquet."""
    from respons.config.loading import load_config
    from respons.engine.replication import simulate_replication
    from respons.runs.replications import replication_kpis

    overrides = ["period.end=2020-02-01"] if b.quick else []
    cfg = load_config(None, overrides)
    counts: list[int] = []

    def replication(write: bool, r: int) -> None:
        res = simulate_replication(cfg, r)
        replication_kpis(res, cfg.target_s)
        counts.append(len(res.arrays))
        if write:
            res.events.to_parquet(tmp / f"events-{r}.parquet", index=False)

    reps = iter(range(10_000))
    off, on = b.pair(lambda: b.call(lambda: replication(False, next(reps))),
                     lambda: b.call(lambda: replication(True, next(reps))))
    n = statistics.median(counts)
    b.section(f"2020 baseline, one replication ({n:,.0f} contacts, median), in-process",
              ["case", "wall s", "CPU s", "contacts / CPU s", "contacts / wall s", "target"])
    b.target("baseline", f"{n / off.cpu / 1000:,.0f} k contacts / CPU s",
             n / off.cpu >= 400_000)
    for label, t, target in (("events off (simulate + KPIs)", off, "≥ 400,000 / CPU s"),
                             ("events on (+ event table + events.parquet)", on, "")):
        b.row([label, Fmt.s(t.wall), Fmt.s(t.cpu), f"{n / t.cpu:,.0f}", f"{n / t.wall:,.0f}",
               target])
    b.row(["events.parquet adds", Fmt.pct(on.wall / off.wall - 1),
           Fmt.pct(on.cpu / off.cpu - 1), "", "", "≤ 30 %"])


def report_cost(b: Bench, tmp: Path) -> None:
    """Default `simulate` (10 replications, figures and report.html) against `simulate
    --no-report` on the 2020 baseline, whole processes run alternately: the report may add
    at most half the run's time (issue 16: 1.5x)."""
    from respons.report.drawing import can_fork, cores

    runs = iter(range(10_000))
    extra = ["--set", "period.end=2020-02-01", "--replications", "2"] if b.quick else []

    def simulate(flags: list[str]) -> T:
        out = tmp / f"report-{next(runs)}"
        return b.subprocess([sys.executable, "-m", "respons", "simulate", "--out", str(out),
                             *extra, *flags])

    full, bare = b.pair(lambda: simulate([]), lambda: simulate(["--no-report"]))
    assert bare is not None
    b.section("Report: default `simulate` against `simulate --no-report` (2020 baseline"
              + (", quick: January, 2 replications" if b.quick else ", 10 replications")
              + f"; {cores()} cores, figures drawn "
              + ("by a helper process on the idle ones)" if can_fork() else "in-process)"),
              ["case", "wall s", "CPU s (all processes)", "wall / --no-report", "target"])
    b.row(["`simulate --no-report`", Fmt.s(bare.wall), Fmt.s(bare.cpu), "1.00×", ""])
    ratio = full.wall / bare.wall
    b.row(["`simulate` (figures as PNG and report.html)", Fmt.s(full.wall), Fmt.s(full.cpu),
           Fmt.x(ratio), f"≤ 1.5× ({'met' if ratio <= 1.5 else 'not met'}, wall)"])


def parallel(b: Bench) -> None:
    """runner.run on 1 and 2 processes: cold (workers started) and warm; results identical.
    CPU counts the workers too, so CPU(serial) / CPU(2 processes) shows the overhead of
    running in parallel even where other work on the machine takes the cores."""
    import pandas as pd

    from respons.config.loading import load_config
    from respons.runs import replications as runner

    reps = 2 if b.quick else 8
    overrides = [f"replications={reps}"] + (["period.end=2020-01-15"] if b.quick else [])
    cfg = load_config(None, overrides)
    results: dict[str, pd.DataFrame] = {}

    def go(jobs: int, key: str) -> T:
        w0, c0 = time.perf_counter(), time.process_time() + descendants_cpu()
        results[key] = runner.run(cfg, keep_events=False, jobs=jobs).replications
        return T(time.perf_counter() - w0, time.process_time() + descendants_cpu() - c0)

    cold = go(2, "cold")
    serial, warm = b.pair(lambda: go(1, "serial"), lambda: go(2, "warm"))
    assert warm is not None
    same = all(results[k].equals(results["serial"]) for k in ("cold", "warm"))
    b.section(f"Replications on 2 processes (2020 baseline, {reps} replications, "
              "runner.run(jobs=...))",
              ["case", "wall s", "CPU s (workers included)", "speed-up vs serial (wall)",
               "CPU serial / CPU parallel", "replications table identical", "target"])
    b.row(["serial (jobs=1)", Fmt.s(serial.wall), Fmt.s(serial.cpu), "1.00×", "1.00", "", ""])
    for label, t in (("2 processes, workers already started (jobs=2)", warm),
                     ("2 processes, first call (starts the workers)", cold)):
        b.row([label, Fmt.s(t.wall), Fmt.s(t.cpu), Fmt.x(serial.wall / t.wall),
               f"{serial.cpu / t.cpu:.2f}", "yes" if same else "NO",
               "≥ 1.8×" if t is warm else ""])
    b.target("parallel", Fmt.x(serial.wall / warm.wall) + f" ({reps} replications; CPU "
             f"serial / parallel {serial.cpu / warm.cpu:.2f}; load {os.getloadavg()[0]:.1f} on "
             f"{os.cpu_count()} CPUs)", serial.wall / warm.wall >= 1.8)


def memory(b: Bench) -> None:
    """Peak traced memory of runner.run without events, against the number of replications."""
    import tracemalloc

    from respons.config.loading import load_config
    from respons.runs import replications as runner

    period = ["period.end=2021-02-01"] if b.quick else []
    b.section("Memory: peak Python allocations of runner.run(keep_events=False) on mm2",
              ["replications", "peak MiB", "target"])
    for reps in (2, 8):
        cfg = load_config(HERE / "mm2.yaml", [f"replications={reps}", *period])
        tracemalloc.start()
        runner.run(cfg, keep_events=False)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        b.row([str(reps), f"{peak / 2**20:.1f}", "no growth with replications"])


def scaling(b: Bench) -> None:
    """One replication of mm2 over 1/3/10 years (a config allows at most ten), and at
    1x/4x/16x volume (staff scaled)."""
    from respons.config.loading import load_config
    from respons.engine.replication import simulate_replication
    from respons.runs.replications import replication_kpis

    if b.quick:  # weeks instead of years
        span = [(f"{w} week{'s' * (w > 1)}", f"2021-01-{1 + 7 * w:02d}") for w in (1, 2, 4)]
    else:
        span = [(f"{y} year{'s' * (y > 1)}", f"{2021 + y}-01-01") for y in (1, 3, 10)]
    groups = [[(label, [f"period.end={end}"]) for label, end in span],
              [(f"{k}× volume, {2 * k} operators ({span[0][0]})", [
                  f"period.end={span[0][1]}", f"event_kinds.call.rate.per_year={40296 * k}",
                  f"pools.operators.shifts.0.staff={2 * k}"]) for k in (1, 4, 16)]]
    b.section("Scaling: one replication of mm2 (in-process, simulate + KPIs)",
              ["case", "contacts", "wall s", "CPU s", "µs CPU per contact",
               "cost per contact, relative to the first of its group"])
    for group in groups:
        base = None
        for label, overrides in group:
            cfg = load_config(HERE / "mm2.yaml", overrides)
            n: list[int] = []

            def one(cfg=cfg, n=n) -> None:
                res = simulate_replication(cfg, 0)
                replication_kpis(res, cfg.target_s)
                n.append(len(res.arrays))

            once = label.startswith("10 ") or b.quick
            first = b.call(one)  # pays for what is set up once per process (caches, imports)
            n.clear()
            # A short case repeats until it has run about half a second (at least `repeats`
            # times, at most 50): a 25 ms run is as noisy as its neighbour's scheduling.
            reps = 1 if once else max(b.repeats, min(50, int(0.5 / max(first.cpu, 1e-3))))
            t = b.median([b.call(one) for _ in range(reps)])
            per = t.cpu / n[0] * 1e6
            base = per if base is None else base
            once_note = " (1 run)" if label.startswith("10 ") and not b.quick else ""
            b.row([label + once_note, f"{n[0]:,}", Fmt.s(t.wall), Fmt.s(t.cpu), f"{per:.2f}",
                   Fmt.x(per / base)])
            if label.startswith("16×"):
                b.target("volume", Fmt.x(per / base), per / base <= 1.1)


# The table of issue 19: key, case, target (verdicts on CPU time, the steadier figure on a
# shared machine, except the parallel speed-up, which is wall time by nature).
TARGETS = (
    ("baseline", "2020 baseline, one replication, events off", "≥ 400 k contacts / CPU s"),
    ("mm2-1", "whole process, 1 simulated year of mm2, Ciw / respons (CPU)", "≥ 3×"),
    ("mm2-10", "whole process, 10 simulated years of mm2, Ciw / respons (CPU)", "≥ 6×"),
    ("parallel", "8 replications on 2 processes vs serial (workers started; wall)", "≥ 1.8×"),
    ("volume", "cost per contact at 16× volume vs 1× (mm2, CPU)", "≤ 1.1×"),
    ("large", "a large centre: one year of a Kristiansand-sized service (11,000 users, 30+ "
     "municipalities, about 40,000 contacts a month; benchmarks/large-centre.yaml, CPU)",
     "≤ 3 s per replication"),
)
#: Ciw's in-process year of mm2 in the first round's quiet full run (docs/performance.md).
REFERENCE_CIW_S = 0.647
HEAVY = ("pandas", "pyarrow", "scipy", "matplotlib", "openpyxl", "xlsxwriter")
STARTUP = (("--help", ["--help"]), ("simulate --help", ["simulate", "--help"]),
           ("erlang --per-hour 6 --aht 240 --agents 2 --target 120",
            ["erlang", "--per-hour", "6", "--aht", "240", "--agents", "2", "--target", "120"]),
           ("simulate --config benchmarks/mm2.yaml --no-events --no-report (one year)", None))


def startup(b: Bench, tmp: Path) -> None:
    """CPU of a whole `python -m respons ...` process, and which heavy modules it imports
    (read from `python -X importtime`)."""
    b.section("Start-up: one command as a whole process (CPU s, median) and the heavy modules "
              "it imports", ["command", "wall s", "CPU s", "imports of " + ", ".join(HEAVY)])
    runs = iter(range(10_000))
    for label, args in STARTUP:
        def cmd(args=args) -> list[str]:
            if args is None:
                short = ["--set", "period.end=2021-01-29"] if b.quick else []
                return respons_cmd(tmp / f"start-{next(runs)}", short)
            return [sys.executable, "-m", "respons", *args]

        t = b.median([b.subprocess(cmd()) for _ in range(b.repeats)])
        done = subprocess.run([cmd()[0], "-X", "importtime", *cmd()[1:]], cwd=ROOT,
                              capture_output=True, text=True, env=child_env())
        seen = sorted({line.rsplit("|", 1)[1].strip().split(".")[0]
                       for line in done.stderr.splitlines() if line.startswith("import time:")}
                      & set(HEAVY))
        b.row([f"`respons {label}`", Fmt.s(t.wall), Fmt.s(t.cpu), ", ".join(seen) or "none"])


def large_centre(b: Bench) -> None:
    """One replication of benchmarks/large-centre.yaml (a synthetic Kristiansand-sized
    centre), in-process, simulate + KPIs."""
    from respons.config.loading import load_config
    from respons.engine.replication import simulate_replication
    from respons.runs.replications import replication_kpis

    cfg = load_config(HERE / "large-centre.yaml",
                      ["period.end=2023-01-15"] if b.quick else [])
    n: list[int] = []

    def one(r: int) -> None:
        res = simulate_replication(cfg, r)
        replication_kpis(res, cfg.target_s)
        n.append(len(res.arrays))

    reps = iter(range(10_000))
    t = b.median([b.call(lambda: one(next(reps))) for _ in range(b.repeats)])
    rows = statistics.median(n)
    b.section("A large centre: one replication of benchmarks/large-centre.yaml (synthetic: "
              "30 municipalities, 11,000 users, about 40,000 contacts a month), in-process",
              ["case", "rows (contacts and tasks)", "wall s", "CPU s", "contacts / CPU s",
               "target"])
    b.row(["one year" + (" (quick: two weeks)" if b.quick else ""), f"{rows:,.0f}",
           Fmt.s(t.wall), Fmt.s(t.cpu), f"{rows / t.cpu:,.0f}", "≤ 3 s per replication"])
    b.target("large", f"{t.cpu:.2f} s per replication ({rows:,.0f} rows)", t.cpu <= 3.0)


def machine() -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    vers = {"python": platform.python_version()}
    for name in ("respons", "simpy", "numpy", "pandas", "pyarrow", "ciw"):
        try:
            vers[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            vers[name] = "not installed"
    return [f"- machine: {platform.platform()}, {os.cpu_count()} CPU(s), {cpu}",
            "- versions: " + ", ".join(f"{k} {v}" for k, v in vers.items())]


def write(out: Path, text: str) -> None:
    block = f"{START}\n{text}\n{END}\n"
    old = out.read_text(encoding="utf-8") if out.exists() else ""
    if START in old and END in old:
        new = old[:old.index(START)] + block + old[old.index(END) + len(END) + 1:]
    else:
        new = (old or "# Performance\n\n") + ("\n" if old else "") + block
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(new, encoding="utf-8")


#: The cases, in the order they run and are shown (each in a fresh process).
CASES: dict[str, Callable[[Bench, Path], None]] = {
    "startup": startup, "ciw": ciw_vs_respons, "baseline": baseline_2020,
    "report": report_cost, "parallel": lambda b, tmp: parallel(b),
    "memory": lambda b, tmp: memory(b), "scaling": lambda b, tmp: scaling(b),
    "large": lambda b, tmp: large_centre(b),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument("--repeats", type=int, default=None, help="repeats per case")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--no-ciw", action="store_true", help="leave Ciw out even if installed")
    parser.add_argument("--case", choices=sorted(CASES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    global NO_CIW
    NO_CIW = args.no_ciw
    b = Bench(quick=args.quick, repeats=args.repeats or (1 if args.quick else 5))
    for key, case, target in TARGETS:
        b.expect(key, case, target)
    if args.case:  # one case in this fresh process: its tables and targets as JSON
        with tempfile.TemporaryDirectory() as tmpdir:
            CASES[args.case](b, Path(tmpdir))
        print(json.dumps({"sections": b.sections, "targets": b.targets, "notes": b.notes}))
        return 0
    load0, t0 = os.getloadavg(), cpu_now()
    compileall.compile_dir(str(ROOT / "respons"), quiet=1)  # as an installed package has
    # Each case runs in a fresh process: an in-process case measured after others ran in the
    # same process paid for their leftovers (the 16x volume case after the 2020 baseline's
    # event tables: 1.15x instead of 1.02-1.09x alone), so no figure depends on the order.
    flags = [*(["--quick"] if args.quick else []), "--repeats", str(b.repeats),
             *(["--no-ciw"] if args.no_ciw else [])]
    for name in CASES:
        out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--case", name,
                              *flags], capture_output=True, text=True, cwd=ROOT,
                             env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
        if out.returncode != 0:
            raise SystemExit(f"benchmark case {name} failed:\n{out.stderr}")
        got = json.loads(out.stdout.strip().splitlines()[-1])
        b.sections += [(t, c, r) for t, c, r in got["sections"]]
        for key, row in got["targets"].items():
            if not row[3].startswith("not measured"):
                b.targets[key] = row
        b.notes += got["notes"]
        print(b.last(), flush=True)
    load1 = os.getloadavg()
    cmd = "python benchmarks/run.py" + "".join(f" {a}" for a in (argv or sys.argv[1:]))
    head = [f"Measured {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')} with `{cmd}` "
            f"({'quick smoke run: not a measurement' if b.quick else f'{b.repeats} repeats'}"
            f", {cpu_now() - t0:.0f} CPU s in all).", "", *machine(),
            f"- load average (1 min) at start / end: {load0[0]:.2f} / {load1[0]:.2f}"]
    write(args.out, "\n".join(head) + "\n\n" + b.markdown())
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
