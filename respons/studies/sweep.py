"""Parameter sweeps: points x replications as independent tasks, merged from files on disk.

A sweep file names a base config, overrides for every point, the replications and either a
grid of factors or explicit points. Each (point, replication) is a task fully determined by
the point's config and the replication index (streams come from (seed, replication)), so a
result does not depend on where or in which order it ran: serially, in local processes
(joblib), on a Dask cluster or in shards. Each task lands in its own small JSON file; the
tables are always rebuilt from those files (`respons.studies.sweep_tasks`).

    base: ../vaernes-2020.yaml            # relative to the sweep file
    set: {period.end: 2020-07-01}         # every point (values as in YAML)
    replications: 20
    grid:                                 # or points: [{name: a, set: {path: value}}, ...]
      day_operators: {path: pools.operators.shifts.0.staff, values: [1, 2, 3]}
      volume:                             # a multiplier: scale the numbers found at paths
        paths: [event_kinds.button.rate.per_year, event_kinds.smoke.rate.per_year]
        values: [1.0, 1.2]
        scale: true
      backup:                             # named levels setting several paths at once
        levels:
          wait60: {pools.nurses.serves.1.rule: after_wait, pools.nurses.serves.1.after_s: 60}
          busy: {pools.nurses.serves.1.rule: all_busy, pools.nurses.serves.1.after_s: 0}
    goal: {share: 0.95, within_s: 120}    # optional: judge every point on this goal
                                          # (default: the base config's goal)

Grid points are named `factor-label__factor-label...`; the first point is the baseline of the
paired differences.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import itertools
import json
import math
import os
import re
import socket
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from respons.analysis.kpis import KPI_UNITS
from respons.config.loading import get_path, read_mapping, resolve_overlays, set_path, validate
from respons.engine.replication import simulate_replication
from respons.errors import UserError, describe_validation
from respons.runs.outputs import resolved_yaml
from respons.runs.replications import replication_kpis
from respons.runs.rundir import exclusive, new_directory
from respons.studies.sweep_tasks import (
    NAME,
    RESERVED,
    Collected,
    Task,
    collect,
    prepare,
    write_record,
)

MAX_NAME = 200  # file names may have 255 bytes
Override = tuple[str, Any, bool]  # (dotted path, value, scale: multiply the value found)


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Factor(_Strict):
    """A grid factor: `values` set at `path` (or several `paths`), or named `levels`."""

    path: str | None = Field(default=None, description="Dotted config path the value goes to.")
    paths: list[str] | None = Field(default=None, min_length=1, description="Several paths, "
                                    "each set to the same value.")
    values: list[Any] | None = Field(default=None, min_length=1, description="Levels.")
    scale: bool = Field(default=False, description="Multiply the number found at each path "
                        "by the value instead of setting it (e.g. a volume multiplier).")
    levels: dict[str, dict[str, Any]] | None = Field(
        default=None, min_length=1, description="Named levels, each a {path: value} mapping.")

    @model_validator(mode="after")
    def _form(self) -> Factor:
        if self.levels is not None:
            if self.values is not None or self.path or self.paths or self.scale:
                raise ValueError("give either `levels` or `path`/`paths` with `values`")
            for name in self.levels:
                if not re.match(NAME, name):
                    raise ValueError(f"level name '{name}' must match {NAME}")
        elif self.values is None or (self.path is None) == (self.paths is None):
            raise ValueError("a factor needs `values` with exactly one of `path` or `paths`, "
                             "or `levels`")
        return self

    def settings(self) -> list[tuple[str, Any, tuple[Override, ...]]]:
        """(label, value for the tables, overrides) per level, in order."""
        if self.levels is not None:
            return [(name, name, tuple((p, v, False) for p, v in sets.items()))
                    for name, sets in self.levels.items()]
        paths = self.paths or [self.path or ""]
        return [(_label(v), _cell(v), tuple((p, v, self.scale) for p in paths))
                for v in self.values or []]


class PointSpec(_Strict):
    """An explicit point: a name and its overrides."""

    name: str = Field(pattern=NAME, description="Point name (used in file names).")
    set_: dict[str, Any] = Field(default={}, alias="set", description="{path: value}.")


class SweepSpec(_Strict):
    """A sweep file."""

    name: str | None = Field(default=None, pattern=NAME, description="Default: file stem.")
    description: str = ""
    base: str = Field(description="Base scenario config, relative to the sweep file.")
    set_: dict[str, Any] = Field(default={}, alias="set", description="Overrides, all points.")
    replications: int = Field(ge=1, le=100_000, description="Replications per point.")
    grid: dict[str, Factor] | None = Field(default=None, min_length=1)
    points: list[PointSpec] | None = Field(default=None, min_length=1)
    goal: dict[str, Any] | None = Field(
        default=None, description="The goal every point is judged on ({share, within_s, "
        "categories}, as a config's `goal`); default: the base config's goal, if any.")

    @model_validator(mode="after")
    def _form(self) -> SweepSpec:
        if (self.grid is None) == (self.points is None):
            raise ValueError("give exactly one of `grid` or `points`")
        for name in self.grid or {}:
            if not re.match(NAME, name) or name in RESERVED:
                raise ValueError(f"grid: factor name '{name}' must match {NAME} and not be "
                                 "a column name of the tables")
        for pt in self.points or []:
            if set(pt.set_) & RESERVED:
                raise ValueError(f"points: '{pt.name}' sets {sorted(set(pt.set_) & RESERVED)}; "
                                 "use the sweep's own `replications`")
        names = [p.name for p in design(self)]
        long = [n for n in names if len(n) > MAX_NAME]
        if long:
            raise ValueError(f"point name '{long[0][:40]}...' is longer than {MAX_NAME} "
                             "characters (it becomes a file name); use shorter names or levels")
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"point names repeat: {dupes}")
        return self


@dataclass(frozen=True)
class Point:
    """One point of the design: its name, its factor values (for tables), its overrides."""

    name: str
    factors: dict[str, Any]
    overrides: tuple[Override, ...]


def _label(v: Any) -> str:
    text = v if isinstance(v, str) else json.dumps(v, default=str)
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "x"


def _cell(v: Any) -> Any:
    if v is None or isinstance(v, bool | int | float | str):
        return v
    if isinstance(v, dt.date):
        return v.isoformat()
    return json.dumps(v, default=str, sort_keys=True)


def design(spec: SweepSpec) -> list[Point]:
    """The points of a sweep, in order; the first is the baseline for paired differences."""
    if spec.points is not None:
        cols = list(dict.fromkeys(p for pt in spec.points for p in pt.set_))
        pts = [Point(pt.name, {c: _cell(pt.set_.get(c)) for c in cols},
                     tuple((p, v, False) for p, v in pt.set_.items())) for pt in spec.points]
    else:
        grid = spec.grid or {}
        pts = []
        for combo in itertools.product(*(f.settings() for f in grid.values())):
            name = "__".join(f"{f}-{label}" for f, (label, _, _) in zip(grid, combo, strict=True))
            pts.append(Point(name, {f: c for f, (_, c, _) in zip(grid, combo, strict=True)},
                             tuple(o for _, _, ovs in combo for o in ovs)))
    return pts


def _tidy_factors(points: list[dict[str, Any]]) -> None:
    """A factor column of mixed numbers and text is stored as text (one type per column)."""
    for col in points[0]["factors"]:
        values = [p["factors"][col] for p in points]
        if len({isinstance(v, str) for v in values if v is not None}) > 1:
            for p in points:
                v = p["factors"][col]
                p["factors"][col] = None if v is None else str(v)


def load_sweep(path: Path) -> tuple[SweepSpec, str]:
    """Read and validate a sweep file; returns the spec and the file's text."""
    data = read_mapping(path)
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as e:
        raise UserError(describe_validation(e, str(path)).replace(
            "invalid configuration", "invalid sweep file")) from None
    return spec, path.read_text("utf-8")


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def point_data(base: dict[str, Any], spec: SweepSpec, point: Point) -> dict[str, Any]:
    """Base data + the sweep's `set` + the point's overrides + replications (unvalidated)."""
    data = copy.deepcopy(base)
    for path, value in spec.set_.items():
        set_path(data, path, copy.deepcopy(value), f"sweep set `{path}`")
    for path, value, scale in point.overrides:
        label = f"point {point.name}, `{path}`"
        if scale:
            found = get_path(data, path, label)
            if not _number(found) or not _number(value):
                raise UserError(f"{label}: scale needs a number at the path and a number "
                                f"factor, got {found!r} and {value!r}.")
            value = found * value
        set_path(data, path, copy.deepcopy(value), label)
    set_path(data, "replications", spec.replications, "sweep replications")
    return data


def _in_force(data: dict[str, Any], path: str) -> Any:
    try:
        return _cell(get_path(data, path, "factor"))
    except UserError:
        return None


def sha256(text: str) -> str:
    """Hex SHA-256 of a text (config identity of a task)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plan(spec: SweepSpec, sweep_path: Path) -> tuple[dict[str, Any], list[Task]]:
    """The design document (written to design.json) and every task, in index order."""
    base_path = (sweep_path.parent / spec.base).resolve()
    base = resolve_overlays(read_mapping(base_path), base_path)  # a base may be an overlay
    goal = None
    if spec.goal is not None:  # the sweep's goal replaces the base's, checked once here
        base = {**base, "goal": copy.deepcopy(spec.goal)}
        checked = validate(copy.deepcopy(base), f"{sweep_path} (goal with the base config)")
        goal = checked.goal.model_dump(mode="json") if checked.goal is not None else None
    points, tasks = [], []
    for point in design(spec):
        factors = dict(point.factors)
        try:
            data = point_data(base, spec, point)
            cfg, error = validate(data, f"{base_path} (point {point.name})"), None
            sha = sha256(resolved_yaml(cfg))
            for col in factors if spec.points is not None else ():
                factors[col] = _in_force(data, col)
        except (UserError, ValueError) as e:
            cfg, error, sha = None, f"{type(e).__name__}: {e}", None
        points.append({"name": point.name, "factors": factors, "config_sha256": sha,
                       "error": error, "set": [[p, v, s] for p, v, s in point.overrides]})
        for r in range(spec.replications):
            tasks.append(Task(len(tasks), point.name, r, sha, cfg, error))
    _tidy_factors(points)
    doc = {"sweep": spec.name or sweep_path.stem, "replications": spec.replications,
           "factors": list(points[0]["factors"]), "kpis": list(KPI_UNITS),
           **({"goal": goal} if goal is not None else {}),
           "tasks": len(tasks), "points": points}
    return json.loads(json.dumps(doc, default=str)), tasks


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def run_task(task: Task) -> dict[str, Any]:
    """Simulate one task; never raises: a failure becomes an error record with its traceback."""
    t0 = time.perf_counter()
    rec: dict[str, Any] = {"point": task.point, "replication": task.replication,
                           "index": task.index, "config_sha256": task.sha}
    try:
        if task.cfg is None:
            raise UserError(task.error or "no config")
        res = simulate_replication(task.cfg, task.replication)
        kpis = replication_kpis(res, task.cfg.target_s)
        rec.update(status="ok", kpis={k: _finite(v) for k, v in kpis.items()})
    except Exception as e:  # noqa: BLE001 - recorded, the sweep goes on
        tb = "" if isinstance(e, UserError) else "".join(traceback.format_exception(e))
        rec.update(status="error", error=f"{type(e).__name__}: {e}", traceback=tb[-4000:])
    rec.update(wall_s=round(time.perf_counter() - t0, 6), host=socket.gethostname(),
               pid=os.getpid())
    return rec


def execute(tasks: list[Task], jobs: int = 1, dask: str | None = None) -> Iterator[dict]:
    """Run tasks serially, in `jobs` local processes (loky) or on a Dask scheduler."""
    if dask is not None:
        yield from _dask(tasks, dask)
    elif jobs > 1 and len(tasks) > 1:
        from joblib import Parallel, delayed

        from respons.runs.workers import EndsWithParent

        par = Parallel(n_jobs=jobs, backend="loky", return_as="generator_unordered")
        task = EndsWithParent(run_task)
        yield from par(delayed(task)(t) for t in tasks)
    else:
        yield from map(run_task, tasks)


def _dask(tasks: list[Task], address: str) -> Iterator[dict]:
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise UserError("--dask needs dask.distributed: pip install 'respons[dask]'.") from None
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError) as e:
        raise UserError(f"--dask: cannot reach the Dask scheduler at {address}: {e}.") from None
    with client:
        futures = {client.submit(run_task, t, pure=False): t for t in tasks}
        for fut in as_completed(futures):
            try:
                yield fut.result()
            except Exception as e:  # noqa: BLE001 - a lost worker: record, go on
                t = futures[fut]
                yield {"point": t.point, "replication": t.replication, "index": t.index,
                       "config_sha256": t.sha, "status": "error", "wall_s": None,
                       "error": f"{type(e).__name__}: {e} (on the Dask cluster)"}


@dataclass
class SweepOutcome:
    """What one `sweep` invocation did."""

    root: Path
    ran: list[tuple[str, int]]
    failed: list[tuple[str, int, str]]
    skipped: int
    tables: Collected | None


def run_sweep(sweep_path: Path, out: Path | None = None, jobs: int = 1,
              dask: str | None = None, shard: tuple[int, int] = (0, 1), resume: bool = False,
              progress: Callable[[int, int], None] | None = None) -> SweepOutcome:
    """Run (this shard of) a sweep into `out`; tables are written once every task is done."""
    spec, text = load_sweep(sweep_path)
    doc, tasks = plan(spec, sweep_path)
    root = out if out is not None else new_directory(Path("runs"), f"sweep-{doc['sweep']}")
    i, n = shard
    with exclusive(root, f"shard-{i}-of-{n}", doing=f"run (shard {i}/{n})"):
        return _run_shard(root, text, doc, tasks, [t for t in tasks if t.index % n == i],
                          jobs, dask, resume, progress)


def _run_shard(root: Path, text: str, doc: dict[str, Any], tasks: list[Task], mine: list[Task],
               jobs: int, dask: str | None, resume: bool,
               progress: Callable[[int, int], None] | None) -> SweepOutcome:
    done = prepare(root, text, doc, tasks, mine, resume)
    todo = [t for t in mine if t.index not in done]
    outcome = SweepOutcome(root, [], [], len(mine) - len(todo), None)
    if progress is not None:
        progress(0, len(todo))
    bad, good = [t for t in todo if t.cfg is None], [t for t in todo if t.cfg is not None]
    for rec in itertools.chain(map(run_task, bad), execute(good, jobs, dask)):
        write_record(root, rec)
        outcome.ran.append((rec["point"], rec["replication"]))
        if rec["status"] != "ok":
            outcome.failed.append((rec["point"], rec["replication"], rec["error"]))
        if progress is not None:
            progress(len(outcome.ran), len(todo))
    outcome.tables = collect(root, require_complete=True)
    return outcome

