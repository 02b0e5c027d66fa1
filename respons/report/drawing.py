"""Drawing the figures in parallel, at little cost.

`FigurePool()` forks one helper process when a run starts. While the simulation runs, the
helper imports matplotlib and the figure code and renders a text once (fonts found and
cached). When the run is done, `draw` hands it the run's tables; the helper forks its drawing
processes then, one per core idle at that moment, so each starts with matplotlib loaded and
the tables in memory (nothing is imported twice or copied per figure), and each draws one
figure at a time. The helper draws
a share of the figures itself. The files are the same as drawn serially: each figure is a
pure function of the run's tables.

Forked, not spawned: a forked process never re-imports the caller's main script (a script
calling `respons.cli.main` need not guard its entry point). Where processes cannot be forked
(Windows) or there is one core, the figures are drawn in this process.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from respons.report.catalog import RunTables

FIGURE_COUNT = 9  # figures of a full run: the most drawing processes worth starting


def cores() -> int:
    """Cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def can_fork() -> bool:
    """True where processes can be forked (Linux, macOS)."""
    return "fork" in multiprocessing.get_all_start_methods()


def _warm_up() -> None:
    """Import matplotlib and the figure code and render a text once."""
    import io

    from matplotlib.figure import Figure

    import respons.report.figures  # noqa: F401 - the drawing code, imported ahead
    import respons.report.figures_municipal  # noqa: F401
    import respons.report.figures_staff  # noqa: F401
    import respons.report.figures_tasks  # noqa: F401

    fig = Figure(figsize=(2, 1), dpi=50)
    fig.subplots().set_title("respons 0123456789 % æøå")
    fig.savefig(io.BytesIO(), format="png")


_TABLES: Any = None  # the run's tables in the helper, inherited by its drawing processes


def _draw(name: str, out_dir: str, lang: str, svg: bool) -> list[str]:
    from respons.report.catalog import draw_one

    return [str(f) for f in draw_one(_TABLES, name, Path(out_dir), lang, svg)]


def idle_cores() -> int:
    """Cores free for drawing now: this process's cores less the load of the last minute
    (from which the run's own simulation, just finished, is taken out); at least 1."""
    try:
        load = os.getloadavg()[0]
    except OSError:
        return cores()
    return max(1, min(cores(), int(cores() - max(load - 1.0, 0.0) + 0.5)))


def _helper(conn: Any, processes: int | None) -> None:
    """The helper process: warm up, then serve drawing requests until told to stop. It draws
    every n-th figure itself and forks n - 1 processes for the rest, n being `processes` or,
    when None, the cores idle at that moment (on a busy machine more processes only add
    work)."""
    global _TABLES
    _warm_up()
    context = multiprocessing.get_context("fork")
    while True:
        try:
            request = conn.recv()
        except EOFError:  # the run's process is gone
            return
        if request is None:
            return
        tables, names, out_dir, lang, svg = request
        _TABLES = tables
        lanes = max(1, min(processes or idle_cores(), len(names), FIGURE_COUNT))
        mine, others = names[::lanes], [n for i, n in enumerate(names) if i % lanes]
        done = 0
        try:
            with ProcessPoolExecutor(lanes - 1, mp_context=context) if others \
                    else contextlib.nullcontext() as pool:
                futures = [pool.submit(_draw, n, out_dir, lang, svg) for n in others] \
                    if pool is not None else []
                files = {}
                for name in mine:
                    files[name] = _draw(name, out_dir, lang, svg)
                    done += 1
                    conn.send(("progress", done, len(names)))
                for fut in as_completed(futures):
                    fut.result()
                    done += 1
                    conn.send(("progress", done, len(names)))
                for name, fut in zip(others, futures, strict=True):
                    files[name] = fut.result()
            conn.send(("files", [f for n in names for f in files[n]]))
        except Exception as e:  # noqa: BLE001 - reported to the run's process
            conn.send(("error", f"{type(e).__name__}: {e}"))
        _TABLES = None


class FigurePool:
    """A helper process that draws the figures in parallel (see the module docstring).

    Use as a context manager (the helper ends on exit), or call `close()`.
    """

    def __init__(self, processes: int | None = None) -> None:
        self.helper: Any = None
        self.conn: Any = None
        if (processes or cores()) > 1 and can_fork():
            context = multiprocessing.get_context("fork")
            self.conn, child = context.Pipe()
            self.helper = context.Process(target=_helper, args=(child, processes),
                                          name="respons-figures")
            gc.freeze()  # the helper's collector then leaves the inherited objects alone
            try:  # (no copying of this process's memory page by page)
                with warnings.catch_warnings():  # Python >= 3.12 warns of idle BLAS threads
                    warnings.simplefilter("ignore", DeprecationWarning)
                    self.helper.start()
            finally:
                gc.unfreeze()
            child.close()

    @property
    def parallel(self) -> bool:
        """True when the figures are drawn in other processes."""
        return self.helper is not None

    def draw(self, tables: RunTables, names: list[str], out_dir: Path, lang: str, svg: bool,
             progress: Callable[[int, int], None] | None = None) -> list[Path]:
        """Draw the named figures into `out_dir`; returns the files written."""
        if self.helper is None:
            from respons.report.catalog import draw_one

            files: list[Path] = []
            for done, name in enumerate(names, start=1):
                files.extend(draw_one(tables, name, out_dir, lang, svg))
                if progress is not None:
                    progress(done, len(names))
            return files
        out_dir.mkdir(parents=True, exist_ok=True)
        self.conn.send((tables, names, str(out_dir), lang, svg))
        while True:
            try:
                kind, *payload = self.conn.recv()
            except EOFError:
                raise RuntimeError("the figure-drawing process ended unexpectedly") from None
            if kind == "progress" and progress is not None:
                progress(*payload)
            elif kind == "files":
                return [Path(f) for f in payload[0]]
            elif kind == "error":
                raise RuntimeError(f"drawing the figures failed: {payload[0]}")

    def close(self) -> None:
        if self.helper is not None:
            with contextlib.suppress(BrokenPipeError, OSError):
                self.conn.send(None)
            self.helper.join(timeout=30)
            if self.helper.is_alive():
                self.helper.terminate()
            self.conn.close()
            self.helper = None

    def __enter__(self) -> FigurePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
