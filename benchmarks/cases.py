"""Timing helpers of benchmarks/run.py: wall and CPU time of calls and child processes,
side-by-side pairs, medians, and the Markdown tables."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child_env() -> dict[str, str]:
    """The environment of measured child processes: as a user's, with bytecode caches
    (an environment that forbids writing them would make every start compile respons)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def cpu_now() -> float:
    """CPU seconds used so far by this process and its finished children."""
    own = time.process_time()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own + kids.ru_utime + kids.ru_stime


def descendants_cpu() -> float:
    """CPU seconds used so far by this process's living descendants (e.g. loky workers),
    read from /proc (0 where there is no /proc)."""
    try:
        stats = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    text = (entry / "stat").read_text()
                except OSError:
                    continue
                fields = text[text.rindex(")") + 2:].split()
                stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    except OSError:
        return 0.0
    tick = os.sysconf("SC_CLK_TCK")
    mine, todo = set(), [os.getpid()]
    while todo:
        parent = todo.pop()
        kids = [pid for pid, (ppid, _) in stats.items() if ppid == parent and pid not in mine]
        mine.update(kids)
        todo.extend(kids)
    return sum(stats[pid][1] for pid in mine) / tick


@dataclass(frozen=True)
class T:
    """One measurement (or a median of several): wall-clock and CPU seconds."""

    wall: float
    cpu: float


class Fmt:
    @staticmethod
    def s(x: float) -> str:
        return f"{x:.3f}"

    @staticmethod
    def x(r: float) -> str:
        return f"{r:.2f}×"

    @staticmethod
    def pct(r: float) -> str:
        return f"{100 * r:+.0f} %"


class Bench:
    """Runs measurements and collects the result tables."""

    def __init__(self, quick: bool, repeats: int) -> None:
        self.quick = quick
        self.repeats = max(1, repeats)
        self.sections: list[tuple[str, list[str], list[list[str]]]] = []
        # The rows of the table of targets, in order: key -> [case, now, target, verdict].
        self.targets: dict[str, list[str]] = {}
        # Lines printed under the table of targets (e.g. how fast the machine was).
        self.notes: list[str] = []

    def expect(self, key: str, case: str, target: str) -> None:
        """Announce a row of the table of targets (shown as not measured until `target`)."""
        self.targets[key] = [case, "-", target, "not measured" + " (quick run)" * self.quick]

    def target(self, key: str, now: str, met: bool) -> None:
        """The figure measured for the row `key` of the table of targets, and the verdict."""
        self.targets[key][1] = now
        self.targets[key][3] = "met" if met else "NOT MET"

    # -- measuring ------------------------------------------------------------------------
    @staticmethod
    def call(fn: Callable[[], object]) -> T:
        """Wall and CPU time (this process) of fn()."""
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        return T(time.perf_counter() - w0, time.process_time() - c0)

    @staticmethod
    def subprocess(cmd: list[str]) -> T:
        """Wall time and the child's CPU time (user + system) of a whole process."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        w0 = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=child_env())
        wall = time.perf_counter() - w0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            raise RuntimeError(f"benchmark command failed ({done.returncode}): {cmd}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return T(wall, cpu)

    @staticmethod
    def median(ts: list[T]) -> T:
        return T(statistics.median(t.wall for t in ts), statistics.median(t.cpu for t in ts))

    def pair(self, a: Callable[[], T], b: Callable[[], T] | None,
             repeats: int | None = None) -> tuple[T, T | None]:
        """Medians of a and b run alternately (order swapped every repeat): side by side."""
        ta: list[T] = []
        tb: list[T] = []
        for k in range(repeats or self.repeats):
            if b is not None and k % 2:
                tb.append(b())
                ta.append(a())
            else:
                ta.append(a())
                if b is not None:
                    tb.append(b())
        return self.median(ta), (self.median(tb) if b is not None else None)

    # -- tables ---------------------------------------------------------------------------
    def section(self, title: str, columns: list[str]) -> None:
        self.sections.append((title, columns, []))

    def row(self, cells: list[str]) -> None:
        self.sections[-1][2].append(cells)

    def ratio_row(self, label: str, ours: T, ref: T | None, years: int,
                  target: str) -> float | None:
        """Per simulated year: respons and Ciw times, Ciw / respons ratios, the verdict;
        returns the CPU ratio (None without Ciw)."""
        if ref is None:
            self.row([label, Fmt.s(ours.wall / years), Fmt.s(ours.cpu / years), "-", "-", "-",
                      "-", target + " (Ciw left out or not installed: pip install -e '.[bench]')"])
            return None
        rw, rc = ref.wall / ours.wall, ref.cpu / ours.cpu
        goal = float(target.strip("≥ ×"))
        verdict = "met" if rc >= goal else "not met"
        self.row([label, Fmt.s(ours.wall / years), Fmt.s(ours.cpu / years),
                  Fmt.s(ref.wall / years), Fmt.s(ref.cpu / years), Fmt.x(rw), Fmt.x(rc),
                  f"{target} ({verdict}, CPU)"])
        return rc

    def _table(self, k: int) -> str:
        title, cols, rows = self.sections[k]
        out = [f"### {title}", "", "| " + " | ".join(cols) + " |",
               "|" + "|".join("---" for _ in cols) + "|"]
        out += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(out)

    def last(self) -> str:
        return self._table(len(self.sections) - 1) if self.sections else ""

    def markdown(self) -> str:
        head = ["### Targets (issue 19)", "", "| case | now | target | verdict |",
                "|---|---:|---:|---|",
                *("| " + " | ".join(r) + " |" for r in self.targets.values())]
        if self.notes:
            head += ["", *self.notes]
        tables = [self._table(k) for k in range(len(self.sections))]
        return "\n\n".join(["\n".join(head), *tables] if self.targets else tables)
