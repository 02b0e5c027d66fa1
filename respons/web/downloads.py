"""The page's downloads: the what-if as a config overlay on the page's config (re-runnable with
`python -m respons simulate --config what-if.yaml`: the same seed and replications give the
page's numbers) and as an Excel workbook (the verdict, KPI, per-municipality and cost sheets
of `simulate`'s summary.xlsx, plus the paired differences, the share by hour and the
changes)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from respons.config import ScenarioConfig
from respons.report.excel import write_workbook
from respons.report.i18n import kpi_label
from respons.report.tables import (
    Column,
    Table,
    cost_table,
    kpi_table,
    municipality_table,
    target_of,
    verdict_table,
)
from respons.web.labels import L
from respons.web.results import Difference, Outcome


def overlay(base: ScenarioConfig, what: ScenarioConfig) -> dict[str, Any]:
    """The overlay (without `base`) that turns `base` into `what`: `set` of every changed
    value (lists of named entries by name; other lists whole), `append` of new named entries,
    `remove` of dropped ones; `scenario` and `description` at the top."""
    old, new = base.model_dump(mode="json"), what.model_dump(mode="json")
    sets: dict[str, Any] = {}
    appends: dict[str, Any] = {}
    removes: list[str] = []
    for key in ("scenario", "description"):
        old.pop(key, None)
    top = {k: new.pop(k) for k in ("scenario", "description")}
    _diff(old, new, "", sets, appends, removes)
    doc: dict[str, Any] = dict(top)
    for key, value in (("set", sets), ("append", appends), ("remove", removes)):
        if value:
            doc[key] = value
    return doc


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _safe(key: Any) -> bool:
    """A key usable in a `set` path (no dots; a name that does not read as an index)."""
    return isinstance(key, str) and key != "" and "." not in key and \
        not key.lstrip("-").isdigit()


def _names(items: list[Any]) -> list[str] | None:
    """The names of a list of named entries (None if it is not one, or a name is unusable)."""
    if not all(isinstance(e, dict) and _safe(e.get("name")) for e in items):
        return None
    names = [e["name"] for e in items]
    return names if len(set(names)) == len(names) else None


def _diff(old: Any, new: Any, path: str, sets: dict[str, Any], appends: dict[str, Any],
          removes: list[str]) -> None:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict) and all(map(_safe, [*old, *new])):
        removes += [_join(path, k) for k in old if k not in new]
        for k, v in new.items():
            if k in old:
                _diff(old[k], v, _join(path, k), sets, appends, removes)
            else:
                sets[_join(path, k)] = v
        return
    if isinstance(old, list) and isinstance(new, list) and path:
        on, nn = _names(old), _names(new)
        kept = [n for n in on or [] if n in (nn or [])]
        if on is not None and nn is not None and nn[:len(kept)] == kept:
            by_name = {e["name"]: e for e in old}
            for entry in new[:len(kept)]:
                _diff(by_name[entry["name"]], entry, _join(path, entry["name"]), sets, appends,
                      removes)
            if len(new) > len(kept):
                appends[path] = new[len(kept):]
            removes += [_join(path, n) for n in on if n not in nn]
            return
    if not path:
        raise ValueError("the top of a config is a mapping")
    sets[path] = new


def overlay_yaml(base: ScenarioConfig, what: ScenarioConfig, base_path: Path,
                 changes: list[str]) -> str:
    """The overlay file: a header saying what it is and how to re-run it, `base:` the page's
    config file (absolute path), then the overlay."""
    doc = {"base": str(base_path.resolve()), **overlay(base, what)}
    header = ["# A what-if from `python -m respons serve`, as an overlay on the page's config.",
              "# Re-run it (same seed and replications: the page's numbers):",
              "#   python -m respons simulate --config what-if.yaml",
              "# `base` is the config the page ran on; point it elsewhere if you move the file.",
              "# Changes against the baseline:"]
    header += [f"#   {c}" for c in changes] or ["#   none"]
    return "\n".join(header) + "\n" + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def workbook(base: Outcome, what: Outcome, diffs: list[Difference], changes: list[str],
             lang: str = "en") -> bytes:
    """The what-if as an .xlsx workbook (bytes)."""
    doc = what.doc
    tables = [verdict_table(doc, lang), kpi_table(doc, lang), municipality_table(doc, lang)]
    if doc.get("costs"):
        tables.append(cost_table(doc, lang))
    tables += [difference_table(diffs, target_of(doc), lang),
               hour_table(base, what, lang), changes_table(changes, lang)]
    fd, name = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    path = Path(name)
    try:
        write_workbook(path, tables)
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)


def difference_table(diffs: list[Difference], target: float, lang: str) -> Table:
    """The headline KPIs: what-if mean and CI, baseline mean, paired difference and CI."""
    tab = Table("Difference", L("diff_title", lang),
                [Column(L("kpi", lang)), Column("name"), Column(L("what_if", lang), "*"),
                 Column("ci_low", "*"), Column("ci_high", "*"), Column(L("baseline", lang), "*"),
                 Column(L("difference", lang), "*"), Column("diff_ci_low", "*"),
                 Column("diff_ci_high", "*"), Column("unit")],
                notes=[L("diff_note", lang)])
    for d in diffs:
        tab.rows.append([kpi_label(d.kpi, lang, target), d.kpi, d.mean, d.ci_low, d.ci_high,
                         d.base, d.diff, d.diff_low, d.diff_high, d.unit])
    return tab


def hour_table(base: Outcome, what: Outcome, lang: str) -> Table:
    """Share of alarms within the limit by hour of day, what-if and baseline."""
    tab = Table("By hour", L("hour_title", lang, within=f"{target_of(what.doc):g}"),
                [Column(L("hour", lang)), Column(L("what_if", lang), "share"),
                 Column(L("baseline", lang), "share")])
    for h, (w, b) in enumerate(zip(what.share_by_hour(), base.share_by_hour(), strict=True)):
        tab.rows.append([h, float(w), float(b)])
    return tab


def changes_table(changes: list[str], lang: str) -> Table:
    tab = Table("What-if", L("changes_title", lang), [Column(L("change", lang))])
    tab.rows = [[c] for c in changes] or [[L("no_changes", lang)]]
    return tab
