"""Run directories that land atomically, one writer at a time.

Everything is written under a temporary sibling name (`.NAME.partial`) and renamed into place
at the end, so a reader never sees a half-written run. A failed run still lands, with
`failed.json` holding the error and no `summary.json`; when even that cannot be written (a
full disk), the partial directory is removed.

Every command that writes a directory holds a lock on it first (`exclusive`): a file
`.NAME.lock` next to the directory, locked with `flock` (released by the kernel when its
process ends, however it ends) and holding the owner's PID, host and start time. A second
process is refused at once (exit 2) instead of racing the first. A `.NAME.partial` whose lock
is free belongs to a process that died (kill -9, power loss): the next run into the same
parent directory marks it failed (or removes it) and says so.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from respons.errors import UserError

FAILED = "failed.json"
_PARTIAL, _LOCK = ".partial", ".lock"


def utc_stamp(now: dt.datetime | None = None) -> str:
    """A sortable UTC timestamp for directory names, e.g. 20261123T150812Z."""
    return (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")


def default_run_dir(root: Path, scenario: str) -> Path:
    """A new `root/<UTC timestamp>_<scenario>` that does not exist yet (claimed for good by
    `run_directory(..., fresh=True)`, which moves on to `-2`, `-3` ... if another process
    takes the same name first)."""
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
    return path.with_name(f".{path.name}{_PARTIAL}")


def _named(path: Path) -> Path:
    """`path` made absolute, so that `.` or `dir/..` have a name to lock; the file system
    root has none and is refused."""
    path = Path(os.path.abspath(path))
    if not path.name:
        raise UserError(f"{path} (the file system root) cannot be used as an output directory.")
    return path


def _lock_path(path: Path, label: str | None) -> Path:
    tail = f".{label}" if label else ""
    return path.with_name(f".{path.name}{tail}{_LOCK}")


# ------------------------------------------------------------------ atomic files


def write_text(path: Path, text: str, new: bool = False) -> None:
    """Write a file atomically (a temporary file of this process, then rename); on failure
    the temporary file is removed and the old file, if any, is left as it was. With `new`
    the file must not exist, not even when another process writes it at the same time (the
    loser gets a UserError and the winner's file stays)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        if new:
            try:
                os.link(tmp, path)  # fails if the name exists: never replaces
            except FileExistsError:
                raise UserError(f"{path} exists; it is never overwritten (another process "
                                "may have written it meanwhile).") from None
        else:
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_json(path: Path, data: Any, new: bool = False) -> None:
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n",
               new=new)


def read_json_file(path: Path, what: str = "file") -> Any:
    """A JSON file written by respons (a summary, a design, a task); any damage is a
    UserError naming the file."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise UserError(f"{what} {path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"{what} {path} cannot be read: {e}.") from None
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as e:
        raise UserError(f"{what} {path} is damaged (not valid JSON: {e}); it was not written "
                        "by respons or was changed since.") from None


# ------------------------------------------------------------------ locks


class Busy(UserError):
    """The directory is being written by another live process."""


def _owner_text() -> str:
    return json.dumps({"respons": True, "pid": os.getpid(), "host": socket.gethostname(),
                       "started_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                       "command": sys.argv[:8]}) + "\n"


def _read_owner(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def describe_owner(owner: dict[str, Any]) -> str:
    """'process 123 on host x (started ...)' or 'an unknown process'."""
    if "pid" not in owner:
        return "an unknown process"
    return (f"process {owner.get('pid')} on host {owner.get('host', '?')} (started "
            f"{owner.get('started_utc', '?')})")


def _try_lock(lock: Path) -> tuple[int, dict[str, Any]] | None:
    """Lock `lock` without waiting: (fd, the previous owner's record) or None if held."""
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:  # name the directory the user gave, not our lock file
            raise OSError(e.errno, f"cannot write there ({e.strerror})", str(lock.parent)) \
                from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        except BaseException:
            os.close(fd)
            raise
        try:  # the holder before us may have removed the file: then lock the new one
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if not same:
            os.close(fd)
            continue
        previous = _read_owner(lock)
        text = _owner_text().encode("utf-8")
        os.ftruncate(fd, 0)
        os.pwrite(fd, text, 0)
        return fd, previous


def _unlock(lock: Path, fd: int) -> None:
    """Remove the lock file while still holding it, then release it."""
    try:
        lock.unlink(missing_ok=True)
    finally:
        os.close(fd)


def _busy(target: Path, lock: Path, doing: str) -> Busy:
    owner = describe_owner(_read_owner(lock))
    return Busy(f"{target} is being {doing} by another respons {owner}; wait for it to "
                "finish or choose another directory.")


@contextmanager
def exclusive(target: Path, label: str | None = None, wait_s: float = 0.0,
              doing: str = "written") -> Iterator[dict[str, Any]]:
    """Hold the lock of directory `target` (`label` names a lock of its own, e.g. one sweep
    shard's); yields the record of the previous holder if it died holding it ({} otherwise).

    Waits up to `wait_s` seconds for another process to finish, then raises Busy (exit 2).
    """
    target = _named(target)
    lock = _lock_path(target, label)
    target.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    while (got := _try_lock(lock)) is None:
        if time.monotonic() >= deadline:
            raise _busy(target, lock, doing)
        time.sleep(0.05)
    fd, previous = got
    try:
        yield previous
    finally:
        _unlock(lock, fd)


# ------------------------------------------------------------------ run directories


def _note(text: str) -> None:
    print(f"note: {text}", file=sys.stderr)


@contextmanager
def run_directory(final: Path, fresh: bool = False) -> Iterator[Path]:
    """Yield a temporary directory; on exit rename it to `final` (marked failed on error).

    Holds the lock of `final` throughout: a second process is refused (exit 2). With `fresh`
    (a name chosen by `default_run_dir`), a name another process takes meanwhile moves this
    run on to the next free `NAME-2`, `NAME-3`, ... (the directory yielded says where).
    """
    final = _named(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    final, fd, previous = _claim(final, fresh)
    try:
        _recover_stale(final, previous)
        sweep_stale(final.parent, skip=final)
        work = _partial(final)
        work.mkdir()
        try:
            yield work
        except BaseException as e:
            _fail(work, final, e)
            raise
        _land(work, final)
    finally:
        _unlock(_lock_path(final, None), fd)


def _claim(final: Path, fresh: bool) -> tuple[Path, int, dict[str, Any]]:
    """Lock `final` (new or empty) or, with `fresh`, the first free `final-N`."""
    base, n = final, 1
    while True:
        lock = _lock_path(final, None)
        got = _try_lock(lock)
        if got is None and not fresh:
            raise _busy(final, lock, "written")
        if got is not None:
            try:
                check_out_dir(final)
                return final, *got
            except UserError:
                _unlock(lock, got[0])
                if not fresh:
                    raise
        n += 1
        final = base.with_name(f"{base.name}-{n}")


def new_directory(root: Path, name: str) -> Path:
    """Create `root/<UTC timestamp>_<name>` (or `-2`, `-3` ... when taken) atomically: two
    processes starting in the same second never share it."""
    root.mkdir(parents=True, exist_ok=True)
    base = root / f"{utc_stamp()}_{name}"
    path, n = base, 1
    while True:
        try:
            path.mkdir()
            return path
        except FileExistsError:
            n += 1
            path = base.with_name(f"{base.name}-{n}")


def final_name(work: Path) -> Path:
    """The run directory a partial directory from `run_directory` lands as."""
    return work.with_name(work.name[1:-len(_PARTIAL)])


def _fail(work: Path, final: Path, error: BaseException) -> None:
    """Land `work` as a failed run; if even that fails (a full disk), remove it."""
    try:
        write_json(work / FAILED, {"status": "failed", "error": f"{type(error).__name__}: "
                                   f"{error}"})
        _land(work, final)
    except OSError:
        shutil.rmtree(work, ignore_errors=True)
        error.add_note(f"nothing was kept: the unfinished {work.name} was removed")
    else:
        error.add_note(f"the run was marked failed in {final}")


def _land(work: Path, final: Path) -> None:
    if final.is_dir():
        final.rmdir()  # empty by check_out_dir; rename cannot replace a non-empty dir anyway
    os.replace(work, final)


def _recover_stale(final: Path, previous: dict[str, Any]) -> None:
    """Our own target's `.NAME.partial` left by a dead process: remove it (this run takes
    its place) and say so."""
    work = _partial(final)
    if work.exists():
        shutil.rmtree(work)
        _note(f"removed {work}, an unfinished run of {describe_owner(previous)} that ended "
              "without finishing (killed?)")


def _ours(partial: Path) -> bool:
    return any((partial / n).is_file() for n in ("config.resolved.yaml", "metadata.json"))


def sweep_stale(parent: Path, skip: Path | None = None) -> list[Path]:
    """Mark every stale `.NAME.partial` in `parent` failed: its process died, as its lock is
    free. It lands as NAME with failed.json (or is removed when NAME is taken). Returns the
    directories handled."""
    handled = []
    try:
        entries = [p for p in parent.iterdir()
                   if p.name.startswith(".") and p.name.endswith(_PARTIAL) and p.is_dir()]
    except OSError:
        return handled
    for partial in entries:
        final = parent / partial.name[1:-len(_PARTIAL)]
        if final == skip or not final.name or not _ours(partial):
            continue
        got = _try_lock(_lock_path(final, None))
        if got is None:
            continue  # a live run
        fd, previous = got
        try:
            if not partial.exists():
                continue
            who = describe_owner(previous)
            if final.exists() and (not final.is_dir() or any(final.iterdir())):
                shutil.rmtree(partial)
                _note(f"removed {partial}, an unfinished run of {who} (killed?); {final} "
                      "exists already")
            else:
                write_json(partial / FAILED, {
                    "status": "failed", "interrupted": True,
                    "error": f"interrupted: {who} ended before the run finished (killed?)"})
                _land(partial, final)
                _note(f"{final} is an unfinished run of {who} (killed?); marked failed")
            handled.append(final)
        finally:
            _unlock(_lock_path(final, None), fd)
    return handled
