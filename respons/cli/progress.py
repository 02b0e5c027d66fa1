"""Progress on stderr with `rich`, for every step that runs longer than a moment (replications,
scenarios, staffing rosters, drawing figures). Shown only on a terminal: piped or captured
output stays clean.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Callback = Callable[[int, int], None]


def _console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def on_terminal() -> bool:
    """True when stderr is a terminal (progress is shown)."""
    import sys

    return sys.stderr.isatty()


@contextmanager
def progress(description: str) -> Iterator[Callback]:
    """A callback `(done, total)` that drives one progress bar; a no-op off a terminal."""
    if not on_terminal():
        yield lambda done, total: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TimeRemainingColumn(), console=_console(),
                   transient=True)
    with bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


class Steps:
    """Several named bars in one live display: `steps.callback(name)` for each step."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> Steps:
        if on_terminal():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                MofNCompleteColumn(), console=_console(), transient=True)
            self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def callback(self, name: str) -> Callback:
        """The `(done, total)` callback of the step `name` (added on first use)."""
        if self.bar is None:
            return lambda done, total: None

        def update(done: int, total: int) -> None:
            if name not in self.tasks:
                self.tasks[name] = self.bar.add_task(name, total=total)
            self.bar.update(self.tasks[name], completed=done, total=total)

        return update
