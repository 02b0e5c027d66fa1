"""Drawing the figures in parallel: a pool of processes forked when a run starts, so that they
import matplotlib and load the fonts while the simulation runs; when the run is done, each
process draws one figure at a time. The files are the same as drawn serially (each figure is
a pure function of the run's tables).

Forked, not spawned: a forked process starts from this one's memory, so it never re-imports
the caller's main script (a script calling `respons.cli.main` need not guard its entry
point), and it is forked before the simulation starts any thread of its own. Where processes
cannot be forked (Windows) or there is one core, figures are drawn in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import warnings
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from respons.report.catalog import RunTables

FIGURE_COUNT = 7  # figures of a full run: the most processes worth starting


def cores() -> int:
    """Cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def can_fork() -> bool:
    """True where worker processes can be forked (Linux, macOS)."""
    return "fork" in multiprocessing.get_all_start_methods()


def _warm_up() -> None:
    """Import matplotlib and the figure code and render a text once (fonts found and
    cached), so the process is ready to draw when the run is done."""
    import io

    from matplotlib.figure import Figure

    import respons.report.figures  # noqa: F401 - the drawing code, imported ahead
    import respons.report.figures_municipal  # noqa: F401
    import respons.report.figures_staff  # noqa: F401

    fig = Figure(figsize=(2, 1), dpi=50)
    fig.subplots().set_title("respons 0123456789 % æøå")
    fig.savefig(io.BytesIO(), format="png")


def _draw(tables: RunTables, name: str, out_dir: str, lang: str, svg: bool) -> list[str]:
    from respons.report.catalog import draw_one

    return [str(f) for f in draw_one(tables, name, Path(out_dir), lang, svg)]


class FigurePool:
    """Processes that draw figures; `FigurePool()` forks them at once and warms them up.

    Use as a context manager (the processes end on exit), or call `close()`.
    """

    def __init__(self, processes: int | None = None) -> None:
        n = processes if processes is not None else min(cores(), FIGURE_COUNT)
        self.executor: ProcessPoolExecutor | None = None
        if n > 1 and can_fork():
            context = multiprocessing.get_context("fork")
            self.executor = ProcessPoolExecutor(n, mp_context=context)
            with warnings.catch_warnings():  # Python >= 3.12 warns of idle BLAS threads
                warnings.simplefilter("ignore", DeprecationWarning)
                for _ in range(n):
                    self.executor.submit(_warm_up)

    def draw(self, tables: RunTables, names: list[str], out_dir: Path, lang: str, svg: bool,
             progress: Callable[[int, int], None] | None = None) -> list[Path]:
        """Draw the named figures into `out_dir`; returns the files written."""
        if self.executor is None:
            from respons.report.catalog import draw_one

            files: list[Path] = []
            for done, name in enumerate(names, start=1):
                files.extend(draw_one(tables, name, out_dir, lang, svg))
                if progress is not None:
                    progress(done, len(names))
            return files
        futures: list[Future[list[str]]] = [
            self.executor.submit(_draw, tables, name, str(out_dir), lang, svg) for name in names]
        for done, fut in enumerate(as_completed(futures), start=1):
            fut.result()  # a drawing error surfaces here
            if progress is not None:
                progress(done, len(names))
        return [Path(f) for fut in futures for f in fut.result()]

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None

    def __enter__(self) -> FigurePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
