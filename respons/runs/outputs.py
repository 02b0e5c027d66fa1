"""What a run directory holds: resolved config, metadata, summary, replications, events."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import platform
import re
import subprocess
import sys
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import yaml

from respons import __version__
from respons.analysis.costs import allocate
from respons.analysis.goal import goal_json
from respons.analysis.intervals import LEVEL, METHOD, few_replications_warning
from respons.analysis.load import offered_load
from respons.config import ScenarioConfig
from respons.engine.rosters import fte
from respons.runs.replications import MUNICIPALITY_COLUMNS, RunResult, table_csv
from respons.runs.rundir import write_json, write_text

PACKAGES = ("simpy", "numpy", "pandas", "scipy", "pydantic", "pyarrow", "PyYAML", "matplotlib",
            "XlsxWriter", "rich")


_last_resolved: tuple[ScenarioConfig, str] | None = None


@functools.cache
def _odd_text() -> re.Pattern[str]:
    """Characters libyaml's emitter writes otherwise than PyYAML's own: controls, line breaks
    (NEL, U+2028/9), surrogates, the BOM and characters beyond the Basic Multilingual Plane
    (it escapes emoji). Compiled when first needed (a config with non-ASCII text)."""
    return re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff"
                      r"\U00010000-\U0010ffff]")


def _plain(text: str) -> bool:
    if text.isascii():
        return text.isprintable()
    return _odd_text().search(text) is None


def _c_safe(data: Any) -> bool:
    """Whether libyaml's dumper writes `data` byte for byte as PyYAML's pure one
    (tests/test_startup.py): text only of printable characters of the Basic Multilingual
    Plane without line breaks (`_plain`), and mapping keys short enough (< 128 bytes) for both
    to write them as simple keys. Other text (emoji, line breaks in a long double-quoted
    string) libyaml writes otherwise: such a config gets the pure dumper."""
    if isinstance(data, str):
        return _plain(data)
    if isinstance(data, dict):
        return all(isinstance(k, str) and len(k.encode("utf-8")) < 128 and _plain(k)
                   and _c_safe(v) for k, v in data.items())
    if isinstance(data, list):
        return all(_c_safe(v) for v in data)
    return data is None or isinstance(data, bool | int | float)


def dump_yaml(data: Any) -> str:
    """`yaml.safe_dump(data, sort_keys=False, allow_unicode=True)`, with libyaml's emitter
    (4x faster) where its output is the same bytes."""
    dumper = getattr(yaml, "CSafeDumper", None)
    if dumper is None or not _c_safe(data):
        dumper = yaml.SafeDumper
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True)


def resolved_yaml(cfg: ScenarioConfig) -> str:
    """The config with every default filled in, as YAML (re-loadable as a config). Computed
    once per config: metadata's hash and config.resolved.yaml share it (the config is
    frozen)."""
    global _last_resolved
    last = _last_resolved
    if last is not None and last[0] is cfg:
        return last[1]
    text = dump_yaml(cfg.model_dump(mode="json"))
    _last_resolved = (cfg, text)
    return text


def git_revision() -> str | None:
    """The git commit of the respons source tree, with '-dirty' if modified; None if unknown."""
    here = Path(__file__).resolve().parents[2]
    try:
        rev = subprocess.run(["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--", "respons"],
                               capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return rev + ("-dirty" if dirty else "")


def _version(name: str) -> str:
    """`importlib.metadata.version(name)`, read from the first lines of the distribution's
    METADATA (the standard library parses the whole file, numpy's 60 kB included)."""
    dist = importlib_metadata.distribution(name)
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    for line in text.splitlines():
        if not line:  # the headers end here
            break
        if line.startswith("Version:"):
            return line[len("Version:"):].strip()
    return importlib_metadata.version(name)


def versions() -> dict[str, str]:
    out = {"respons": __version__, "python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = _version(name)
        except importlib_metadata.PackageNotFoundError:
            out[name] = "missing"
    return out


def metadata(cfg: ScenarioConfig, config_source: str, started: dt.datetime) -> dict[str, Any]:
    """Everything needed to repeat the run."""
    text = resolved_yaml(cfg)
    return {
        "scenario": cfg.scenario,
        "seed": cfg.seed,
        "replications": cfg.replications,
        "config_source": config_source,
        "config_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "command": sys.argv,
        "versions": versions(),
        "git_revision": git_revision(),
        "platform": platform.platform(),
        "started_utc": started.isoformat(timespec="seconds"),
    }


def write_start(work: Path, cfg: ScenarioConfig, meta: dict[str, Any]) -> None:
    """Written first, before any simulation."""
    write_text(work / "config.resolved.yaml", resolved_yaml(cfg))
    write_json(work / "metadata.json", meta)


def assumption_ranges(cfg: ScenarioConfig) -> dict[str, Any]:
    """summary.json's `assumption_ranges`: the config's stored KPI ranges over the
    assumptions that belong to it (fingerprint matches), by KPI; {} when there are none."""
    from respons.config.fingerprint import current_ranges

    return {kpi: r.model_dump(mode="json", exclude={"kpi"})
            for kpi, r in current_ranges(cfg).items()}


def summary(cfg: ScenarioConfig, result: RunResult) -> dict[str, Any]:
    """The summary.json document.

    `goal` is null without a goal in the config; `by_municipality` holds per municipality the
    KPIs of respons.analysis.municipal ({mean, ci_low, ci_high, unit}) and `cost_nok` (null
    without costs); `intervals` says how every interval was computed; `assumption_ranges` the
    config's stored KPI ranges over its assumptions that still belong to it (by KPI).
    """
    costs = allocate(cfg)
    by_cost = costs["by_municipality"] if costs is not None else {}
    assert isinstance(by_cost, dict)
    return {
        "scenario": cfg.scenario,
        "seed": cfg.seed,
        "replications": cfg.replications,
        "period": {"start": cfg.period.start.isoformat(), "end": cfg.period.end.isoformat()},
        "target_s": cfg.target_s,
        "goal": goal_json(cfg.goal, result.summary) if cfg.goal is not None else None,
        "municipalities_configured": len(cfg.municipalities),
        "roster_fte": {p.name: round(fte(p, cfg.fte_hours_per_week, cfg.period), 3)
                       for p in cfg.pools},
        "offered_load": _load(cfg),
        "intervals": {"level": LEVEL, "method": METHOD,
                      "warning": few_replications_warning(cfg.replications)},
        "kpis": result.summary,
        "assumption_ranges": assumption_ranges(cfg),
        **({"costs": costs} if costs is not None else {}),
        "by_municipality": {name: {**kpis, "cost_nok": by_cost.get(name)}
                            for name, kpis in (result.by_municipality or {}).items()},
    }


def _load(cfg: ScenarioConfig) -> dict[str, float]:
    load = offered_load(cfg)
    return {"expected_contacts": round(load.contacts, 1),
            "offered_erlang": round(load.offered_erlang, 4),
            "staff_on_duty_mean": round(load.staff_mean, 4),
            "utilisation": round(load.utilisation, 4)}


def write_results(work: Path, cfg: ScenarioConfig, result: RunResult) -> dict[str, Any]:
    """replications.csv, municipalities.csv, events.parquet and breakdown.npz (if kept), then
    summary.json last; returns the summary. The CSV files are written as pandas writes them,
    without importing it."""
    _write_csv(work / "replications.csv", table_csv(result.rows))
    if result.municipality_rows is not None:
        _write_csv(work / "municipalities.csv",
                   table_csv(result.municipality_rows, MUNICIPALITY_COLUMNS))
    if result.events is not None:
        tmp = work / ".events.parquet.tmp"
        import pandas as pd

        # dictionary-encode only the label columns: half the write time, same content
        labels = [c for c in result.events.columns
                  if isinstance(result.events[c].dtype, pd.CategoricalDtype)]
        result.events.to_parquet(tmp, index=False, use_dictionary=labels)
        tmp.replace(work / "events.parquet")
    if result.breakdown is not None:
        tmp = work / ".breakdown.npz.tmp"
        result.breakdown.save(tmp)
        tmp.replace(work / "breakdown.npz")
    doc = summary(cfg, result)
    write_json(work / "summary.json", doc)
    return doc


def _write_csv(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def finish_metadata(work: Path, meta: dict[str, Any], wall_s: float) -> None:
    write_json(work / "metadata.json", {**meta, "wall_time_s": round(wall_s, 3),
                                        "status": "complete"})
