"""A sweep directory: its checks on (re)use, its task files and the tables rebuilt from them.

Layout: `sweep.yaml` (the input), `design.json` (points, factors, config hashes),
`points/<point>/config.resolved.yaml` (or `error.txt`), `tasks/<point>/rep-<r>.json` (one per
task, whichever shard or worker ran it), `sweep-log.jsonl` (one line per invocation) and the
tables: `results.csv`/`.parquet` (one row per point x replication), `points/<point>/results.csv`,
`sweep-summary.csv` (mean and 95 % CI per KPI and point), `paired-differences.csv` (each
point minus the first, paired by replication: common random numbers) and `tasks.csv`
(status, wall time and host of every task).
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from respons.analysis.intervals import confidence_interval
from respons.analysis.kpis import KPI_UNITS
from respons.errors import UserError, describe_validation
from respons.runs.outputs import resolved_yaml
from respons.runs.rundir import exclusive, read_json_file

if TYPE_CHECKING:
    from respons.config import ScenarioConfig


#: Names of points, grid factors and levels: they become file names, so plain names only
#: (no path separators, no leading dot: nothing can point outside the sweep directory).
NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
RESERVED = {"point", "replication", "replications", "failed", "baseline", "pairs", *KPI_UNITS}
MAX_REPLICATIONS = 100_000


@dataclass(frozen=True)
class Task:
    """One replication of one point; `cfg` is None when the point's config is invalid."""

    index: int
    point: str
    replication: int
    sha: str | None
    cfg: ScenarioConfig | None = field(repr=False)
    error: str | None = None


@dataclass(frozen=True)
class Collected:
    """The tables of a sweep and how many tasks are missing or failed."""

    results: pd.DataFrame
    summary: pd.DataFrame
    paired: pd.DataFrame
    tasks: pd.DataFrame
    missing: int
    failed: int


def write_text(path: Path, text: str) -> None:
    """Write atomically; the temporary name is per process, as shards may share a folder.
    On failure the temporary file is removed."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_record(root: Path, rec: dict[str, Any]) -> None:
    """Write one task's result file."""
    text = json.dumps(rec, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    write_text(task_path(root, rec["point"], rec["replication"]), text)


def inside(root: Path, *parts: str) -> Path:
    """`root/parts...`, refused (UserError) unless it stays inside `root` (names are
    checked when read, and a link inside the sweep may not lead out of it either)."""
    path = root.joinpath(*parts)
    if not path.resolve().is_relative_to(root.resolve()):
        raise UserError(f"{path} leads outside the sweep directory {root} (a link?); "
                        "refusing to write there.")
    return path


def task_path(root: Path, point: str, replication: int) -> Path:
    """Where the result of one task lives."""
    return inside(root, "tasks", point, f"rep-{replication}.json")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", allow_inf_nan=False)


class TaskRecord(_Strict):
    """What `collect` reads from a task file (written by `run_task`)."""

    point: str
    replication: int
    config_sha256: str | None = None
    status: str = Field(pattern="^(ok|error)$")
    kpis: dict[str, float | None] = {}
    wall_s: float | None = None
    host: str | None = None
    error: str | None = None

    @model_validator(mode="after")
    def _ok_has_kpis(self) -> TaskRecord:
        if self.status == "ok" and not self.kpis:
            raise ValueError("kpis: a task with status ok has its KPIs")
        return self


def read_record(root: Path, point: str, replication: int, sha: str | None,
                strict: bool = False) -> dict[str, Any] | None:
    """The task's result file if present and made from the same config (None otherwise).

    A damaged file counts as missing (it is run again by --resume) unless `strict`, when it
    is a UserError naming the file and the field.
    """
    path = task_path(root, point, replication)
    if not path.exists():
        return None
    try:
        raw = read_json_file(path, "task file")
        if not isinstance(raw, dict):
            raise UserError(f"task file {path} is damaged: not a JSON object.")
        try:
            rec = TaskRecord.model_validate(raw)
        except ValidationError as e:
            raise UserError(describe_validation(e, str(path)).replace(
                "invalid configuration in", "damaged task file")) from None
        if (rec.point, rec.replication) != (point, replication):
            raise UserError(f"task file {path}: fields `point`/`replication` say "
                            f"{rec.point!r} replication {rec.replication}, not {point!r} "
                            f"replication {replication} (moved from elsewhere?).")
    except UserError:
        if strict:
            raise
        return None
    return rec.model_dump() if rec.config_sha256 == sha else None


def prepare(root: Path, text: str, doc: dict[str, Any], tasks: list[Task], mine: list[Task],
            resume: bool) -> set[int]:
    """Check or create the sweep directory; returns the indices of tasks already done.
    Holds the directory's lock meanwhile (shards sharing a directory take turns)."""
    with exclusive(root, wait_s=60, doing="prepared"):
        return _prepare(root, text, doc, tasks, mine, resume)


def _prepare(root: Path, text: str, doc: dict[str, Any], tasks: list[Task], mine: list[Task],
             resume: bool) -> set[int]:
    design_text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    existing = root / "design.json"
    if root.exists() and not root.is_dir():
        raise UserError(f"--out {root} exists and is not a directory.")
    if root.is_dir() and any(root.iterdir()):
        if not existing.is_file():
            raise UserError(f"--out {root} is not empty and holds no sweep; choose a new "
                            "directory.")
        if existing.read_bytes() != design_text.encode("utf-8"):
            raise UserError(f"{root} holds a different sweep (design.json differs: other "
                            "points, replications or configs); choose a new directory.")
    _remove_stale_tmp(root, mine)
    done = {t.index for t in mine
            if (rec := read_record(root, t.point, t.replication, t.sha)) and rec["status"] == "ok"}
    present = [t for t in mine if task_path(root, t.point, t.replication).exists()]
    if present and not resume:
        raise UserError(f"{root} already holds {len(present)} result(s) of these tasks; use "
                        "--resume to complete the sweep (failed tasks are run again).")
    (root / "points").mkdir(parents=True, exist_ok=True)
    write_text(inside(root, "sweep.yaml"), text)
    for t in tasks:
        if t.replication == 0:
            d = inside(root, "points", t.point)
            inside(root, "tasks", t.point).mkdir(parents=True, exist_ok=True)
            d.mkdir(exist_ok=True)
            if t.cfg is not None:
                write_text(d / "config.resolved.yaml", resolved_yaml(t.cfg))
            else:
                write_text(d / "error.txt", (t.error or "") + "\n")
    write_text(existing, design_text)
    return done


def _remove_stale_tmp(root: Path, mine: list[Task]) -> None:
    """Temporary files of this shard's task files, left by a killed run (only this shard
    writes them, and it holds its lock)."""
    reps: dict[str, set[int]] = {}
    for t in mine:
        reps.setdefault(t.point, set()).add(t.replication)
    for point, rs in reps.items():
        d = root / "tasks" / point
        if not d.is_dir():
            continue
        for tmp in d.glob(".rep-*.json.*.tmp"):
            m = re.match(r"^\.rep-(\d+)\.json\.\d+\.tmp$", tmp.name)
            if m and int(m.group(1)) in rs:
                tmp.unlink(missing_ok=True)


class DesignPoint(_Strict):
    """One point as design.json records it."""

    name: str = Field(pattern=NAME, max_length=200)
    factors: dict[str, Any]
    config_sha256: str | None = Field(pattern="^[0-9a-f]{64}$")


class Design(_Strict):
    """The part of design.json that `collect` relies on, checked before any file is read or
    written (names are file names: the same rule as when the sweep was created)."""

    replications: int = Field(ge=1, le=MAX_REPLICATIONS)
    factors: list[str]
    kpis: list[str] = Field(min_length=1)
    points: list[DesignPoint] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Design:
        names = [p.name for p in self.points]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"points: names repeat: {dupes[:5]}")
        unknown = [k for k in self.kpis if k not in KPI_UNITS]
        if unknown:
            raise ValueError(f"kpis: unknown KPI name(s) {unknown[:5]}")
        columns = ["point", "replication", *self.factors, *self.kpis]
        again = sorted({c for c in columns if columns.count(c) > 1})
        if again:
            raise ValueError(f"factors: column names repeat or are reserved: {again[:5]}")
        kinds: dict[str, set[str]] = {f: set() for f in self.factors}
        for i, p in enumerate(self.points):
            if list(p.factors) != self.factors:
                raise ValueError(f"points.{i}.factors: names {list(p.factors)[:5]} differ "
                                 f"from the design's factors {self.factors[:5]}")
            for f, v in p.factors.items():
                if v is not None and not isinstance(v, str | int | float):
                    raise ValueError(f"points.{i}.factors: `{f}` must be a number or text "
                                     f"(a table cell), got {type(v).__name__}")
                if v is not None:
                    kinds[f].add(type(v).__name__ if isinstance(v, str | bool) else "number")
        mixed = [f for f, k in kinds.items() if len(k) > 1]
        if mixed:
            raise ValueError(f"factors: column `{mixed[0]}` mixes {sorted(kinds[mixed[0]])} "
                             "values (one type per column)")
        return self


def read_design(root: Path) -> dict[str, Any]:
    """The design.json of a sweep directory, checked (UserError naming the file and field
    if it is not one or is damaged)."""
    path = root / "design.json"
    if not root.is_dir():
        raise UserError(f"{root} is not a sweep directory (not a directory).")
    if not path.exists():
        raise UserError(f"{root} is not a sweep directory (no design.json).")
    doc = read_json_file(path, "sweep design")
    if not isinstance(doc, dict):
        raise UserError(f"sweep design {path} is damaged: not a JSON object.")
    try:
        Design.model_validate(doc)
    except ValidationError as e:
        raise UserError(describe_validation(e, str(path)).replace(
            "invalid configuration in", "damaged sweep design")) from None
    return doc


def collect(root: Path, require_complete: bool = False) -> Collected | None:
    """Rebuild every table from the task files; None if incomplete and `require_complete`.
    Holds the directory's lock, so two processes never interleave their tables."""
    with exclusive(root, wait_s=60, doing="collected"):
        return _collect(root, require_complete)


def _collect(root: Path, require_complete: bool) -> Collected | None:
    doc = read_design(root)
    kpis: list[str] = doc["kpis"]
    rows, trows = [], []
    for p in doc["points"]:
        for r in range(doc["replications"]):
            rec = read_record(root, p["name"], r, p["config_sha256"], strict=True)
            status = "missing" if rec is None else rec["status"]
            trows.append({"point": p["name"], "replication": r, "status": status,
                          "wall_s": None if rec is None else rec.get("wall_s"),
                          "host": None if rec is None else rec.get("host"),
                          "error": None if rec is None else rec.get("error")})
            if status == "ok":
                values = [_num(rec["kpis"].get(k)) for k in kpis]
                rows.append([p["name"], *p["factors"].values(), r, *values])
    tasks = pd.DataFrame(trows, columns=["point", "replication", "status", "wall_s", "host",
                                         "error"])
    missing = int((tasks["status"] == "missing").sum())
    if missing and require_complete:
        return None
    results = pd.DataFrame(rows, columns=["point", *doc["factors"], "replication", *kpis])
    out = Collected(results, _summary(doc, results, tasks), _paired(doc, results), tasks,
                    missing, int((tasks["status"] == "error").sum()))
    _write(root, doc, out)
    return out


def _num(x: Any) -> float:
    return math.nan if x is None else float(x)


def _summary(doc: dict[str, Any], results: pd.DataFrame, tasks: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for p in doc["points"]:
        sub = results[results["point"] == p["name"]]
        failed = int(((tasks["point"] == p["name"]) & (tasks["status"] == "error")).sum())
        row: dict[str, Any] = {"point": p["name"], **p["factors"], "replications": len(sub),
                               "failed": failed}
        for k in doc["kpis"]:
            row.update(_ci(k, sub[k].to_numpy(dtype=float), unit=KPI_UNITS.get(k)))
        rows.append(row)
    return pd.DataFrame(rows)


def _ci(kpi: str, values: np.ndarray, infix: str = "",
        unit: str | None = None) -> dict[str, float]:
    """Mean and 95 % interval (within the KPI's range when its unit is given; a paired
    difference has none)."""
    mean, lo, hi = confidence_interval(values, unit=unit)
    return {f"{kpi}{infix}_mean": mean, f"{kpi}{infix}_ci_low": lo,
            f"{kpi}{infix}_ci_high": hi}


def _paired(doc: dict[str, Any], results: pd.DataFrame) -> pd.DataFrame:
    points = doc["points"]
    base = points[0]["name"]
    b = results[results["point"] == base].set_index("replication")
    rows = []
    for p in points[1:]:
        s = results[results["point"] == p["name"]].set_index("replication")
        common = s.index.intersection(b.index)
        row: dict[str, Any] = {"point": p["name"], "baseline": base, **p["factors"],
                               "pairs": len(common)}
        for k in doc["kpis"]:
            diff = s.loc[common, k].to_numpy(dtype=float) - b.loc[common, k].to_numpy(dtype=float)
            row.update(_ci(k, diff, "_diff"))
        rows.append(row)
    cols = ["point", "baseline", *doc["factors"], "pairs",
            *(f"{k}_diff_{s}" for k in doc["kpis"] for s in ("mean", "ci_low", "ci_high"))]
    return pd.DataFrame(rows, columns=cols)


def _csv(df: pd.DataFrame, path: Path) -> None:
    write_text(path, df.to_csv(index=False, lineterminator="\n"))


def _write(root: Path, doc: dict[str, Any], out: Collected) -> None:
    for p in doc["points"]:
        d = inside(root, "points", p["name"])
        d.mkdir(parents=True, exist_ok=True)
        _csv(out.results[out.results["point"] == p["name"]], inside(root, "points", p["name"],
                                                                     "results.csv"))
    _csv(out.results, inside(root, "results.csv"))
    tmp = root / f".results.parquet.{os.getpid()}.tmp"
    try:
        out.results.to_parquet(tmp, index=False)
        tmp.replace(inside(root, "results.parquet"))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _csv(out.summary, inside(root, "sweep-summary.csv"))
    _csv(out.paired, inside(root, "paired-differences.csv"))
    _csv(out.tasks, inside(root, "tasks.csv"))
