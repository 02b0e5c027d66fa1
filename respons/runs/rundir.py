"""Run directories that land atomically: everything is written under a temporary sibling
name and renamed into place at the end, so a reader never sees a half-written run.

A failed run still lands, with `failed.json` holding the error and no `summary.json`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from respons.errors import UserError


def utc_stamp(now: dt.datetime | None = None) -> str:
    """A sortable UTC timestamp for directory names, e.g. 20261123T150812Z."""
    return (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")


def default_run_dir(root: Path, scenario: str) -> Path:
    """A new `root/<UTC timestamp>_<scenario>` that does not exist yet."""
    base = root / f"{utc_stamp()}_{scenario}"
    path, n = base, 1
    while path.exists() or _partial(path).exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def check_out_dir(path: Path) -> None:
    """`--out` must be new or an empty directory; never overwrite a previous run."""
    if path.exists() and not path.is_dir():
        raise UserError(f"--out {path} exists and is not a directory.")
    if path.is_dir() and any(path.iterdir()):
        raise UserError(f"--out {path} is not empty; choose a new directory (runs are never "
                        "overwritten).")


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.name}.partial")


def write_text(path: Path, text: str) -> None:
    """Write a file atomically (temporary file then rename)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_json(path: Path, data: Any) -> None:
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


@contextmanager
def run_directory(final: Path) -> Iterator[Path]:
    """Yield a temporary directory; on exit rename it to `final` (marked failed on error)."""
    check_out_dir(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    work = _partial(final)
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    try:
        yield work
    except BaseException as e:
        write_json(work / "failed.json", {"status": "failed", "error": f"{type(e).__name__}: {e}"})
        _land(work, final)
        raise
    _land(work, final)


def _land(work: Path, final: Path) -> None:
    if final.is_dir():
        final.rmdir()  # empty by check_out_dir; rename cannot replace a non-empty dir anyway
    os.replace(work, final)
