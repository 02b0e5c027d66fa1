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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from respons.analysis.intervals import confidence_interval
from respons.analysis.kpis import KPI_UNITS
from respons.errors import UserError
from respons.runs.outputs import resolved_yaml

if TYPE_CHECKING:
    from respons.config import ScenarioConfig


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
    """Write atomically; the temporary name is per process, as shards may share a folder."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_record(root: Path, rec: dict[str, Any]) -> None:
    """Write one task's result file."""
    text = json.dumps(rec, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    write_text(task_path(root, rec["point"], rec["replication"]), text)


def task_path(root: Path, point: str, replication: int) -> Path:
    """Where the result of one task lives."""
    return root / "tasks" / point / f"rep-{replication}.json"


def read_record(root: Path, point: str, replication: int,
                sha: str | None) -> dict[str, Any] | None:
    """The task's result file if present, readable and made from the same config."""
    try:
        rec = json.loads(task_path(root, point, replication).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return rec if rec.get("config_sha256") == sha else None


def prepare(root: Path, text: str, doc: dict[str, Any], tasks: list[Task], mine: list[Task],
            resume: bool) -> set[int]:
    """Check or create the sweep directory; returns the indices of tasks already done."""
    design_text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    existing = root / "design.json"
    if root.exists() and not root.is_dir():
        raise UserError(f"--out {root} exists and is not a directory.")
    if root.is_dir() and any(root.iterdir()):
        if not existing.exists():
            raise UserError(f"--out {root} is not empty and holds no sweep; choose a new "
                            "directory.")
        if existing.read_text("utf-8") != design_text:
            raise UserError(f"{root} holds a different sweep (design.json differs: other "
                            "points, replications or configs); choose a new directory.")
    done = {t.index for t in mine
            if (rec := read_record(root, t.point, t.replication, t.sha)) and rec["status"] == "ok"}
    present = [t for t in mine if task_path(root, t.point, t.replication).exists()]
    if present and not resume:
        raise UserError(f"{root} already holds {len(present)} result(s) of these tasks; use "
                        "--resume to complete the sweep (failed tasks are run again).")
    (root / "points").mkdir(parents=True, exist_ok=True)
    write_text(root / "sweep.yaml", text)
    for t in tasks:
        if t.replication == 0:
            d = root / "points" / t.point
            (root / "tasks" / t.point).mkdir(parents=True, exist_ok=True)
            d.mkdir(exist_ok=True)
            if t.cfg is not None:
                write_text(d / "config.resolved.yaml", resolved_yaml(t.cfg))
            else:
                write_text(d / "error.txt", (t.error or "") + "\n")
    write_text(existing, design_text)
    return done


def read_design(root: Path) -> dict[str, Any]:
    """The design.json of a sweep directory (UserError if it is not one)."""
    try:
        return json.loads((root / "design.json").read_text("utf-8"))
    except FileNotFoundError:
        raise UserError(f"{root} is not a sweep directory (no design.json).") from None
    except (OSError, ValueError) as e:
        raise UserError(f"{root}/design.json cannot be read: {e}.") from None


def collect(root: Path, require_complete: bool = False) -> Collected | None:
    """Rebuild every table from the task files; None if incomplete and `require_complete`."""
    doc = read_design(root)
    kpis: list[str] = doc["kpis"]
    rows, trows = [], []
    for p in doc["points"]:
        for r in range(doc["replications"]):
            rec = read_record(root, p["name"], r, p["config_sha256"])
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
        d = root / "points" / p["name"]
        d.mkdir(parents=True, exist_ok=True)
        _csv(out.results[out.results["point"] == p["name"]], d / "results.csv")
    _csv(out.results, root / "results.csv")
    tmp = root / f".results.parquet.{os.getpid()}.tmp"
    out.results.to_parquet(tmp, index=False)
    tmp.replace(root / "results.parquet")
    _csv(out.summary, root / "sweep-summary.csv")
    _csv(out.paired, root / "paired-differences.csv")
    _csv(out.tasks, root / "tasks.csv")
