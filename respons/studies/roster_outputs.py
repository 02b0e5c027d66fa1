"""What `roster` writes: roster.csv, roster.xlsx, config.resolved.yaml + config.roster.yaml
(a runnable overlay), intervals.csv (per half hour of the week) and summary.json; the notes
on the period (which it holds for, windows that dominate it, members joining)."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from respons.config import WEEKDAYS
from respons.runs.rundir import write_json, write_text
from respons.studies.roster import ERLANG_LABEL, Costing, Design, Rota, costing
from respons.studies.roster_requirement import erlang_requirement
from respons.studies.roster_shifts import SLOT_MIN, SLOTS_PER_DAY, SLOTS_PER_WEEK
from respons.studies.roster_verify import GOAL_KPI, overlay
from respons.studies.roster_xlsx import write_workbook

ROSTER_COLUMNS = ("pool", "day", "start", "end", "people")
INTERVAL_COLUMNS = ("day", "start", "required", "rostered", "erlang_required",
                    "alarms_expected", "alarms_simulated", "within_target_share")


@dataclass
class RosterRun:
    """Everything the outputs are made of."""

    design: Design
    rows: list[Rota]
    catalogue_source: str
    without_floor: Design | None = None
    costs: dict[str, Costing] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    windows: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        problem = self.design.problem
        for r in [*self.rows, *([self.without_floor.answer] if self.without_floor else [])]:
            self.costs[r.label] = costing(problem, r)
        self.windows, self.notes = period_notes(self)

    @property
    def answer(self) -> Rota:
        return self.design.answer


def kpi(verdict: Any) -> dict[str, float | None]:
    mean, lo, hi = verdict.ci
    return {"name": GOAL_KPI, "mean": _num(mean), "ci_low": _num(lo), "ci_high": _num(hi)}


def _num(x: float) -> float | None:
    return None if not math.isfinite(x) else float(x)


def period_notes(run: RosterRun) -> tuple[list[dict[str, Any]], list[str]]:
    """The windows in the period where a backup pool does not answer alarms, with their
    share of the alarms and of the misses under the answer; warnings where they dominate."""
    problem, v = run.design.problem, run.answer.verified
    cfg = problem.cfg
    alarms = float(v.alarms.sum() * cfg.replications)
    misses = float(v.misses.sum() * cfg.replications)
    windows, notes = [], []
    for i, w in enumerate(problem.windows):
        start, end, pool = w.start, w.end, w.pool
        wa, wh = float(v.window_alarms[i]), float(v.window_hits[i])
        a_share = wa / alarms if alarms else 0.0
        m_share = (wa - wh) / misses if misses else 0.0
        inside = wh / wa if wa else float("nan")
        outside = (alarms - misses - wh) / (alarms - wa) if alarms > wa else float("nan")
        # dominates: the misses concentrate in the window and the goal is missed inside it
        dominates = bool(misses > 0 and m_share >= 0.25 and m_share >= 1.5 * a_share
                         and inside < problem.share)
        windows.append({"start": w.first.isoformat(), "end": w.last.isoformat(), "pool": pool,
                        "alarm_share": round(a_share, 4), "miss_share": round(m_share, 4),
                        "within_target_share_inside": _num(inside),
                        "within_target_share_outside": _num(outside), "dominates": dominates})
        if alarms > 0 and wa >= alarms - 0.5:  # (alarms: a mean times the replications)
            notes.append(f"note: the whole period lies in {w.first} to {w.last}, when pool "
                         f"'{pool}' does not answer alarms: the rota is for that situation.")
        elif dominates:
            missed = f"; the goal of {100 * problem.share:g} % is missed inside"
            rest = (f"--set period.start={end}" if end < cfg.period.end
                    else f"--set period.end={start}")
            notes.append(
                f"warning: {w.first} to {w.last} (pool '{pool}' does not answer alarms) holds "
                f"{100 * a_share:.0f} % of the period's alarms but {100 * m_share:.0f} % of its "
                f"misses under the answer: {100 * inside:.1f} % of alarms in time inside, "
                f"{100 * outside:.1f} % outside{missed}. The window dominates the answer: the "
                "weekly rota is the same all period, so it is either sized for the window or "
                "carried by the rest of the period. For normal operation run on a period "
                f"without it ({rest}); plan the window on its own (--set period.start={start} "
                f"--set period.end={end}).")
    joining = [m.name for m in cfg.municipalities if cfg.period.start < m.joined < cfg.period.end]
    if joining:
        notes.append(f"note: {', '.join(joining)} join during the period: the rota meets the "
                     "goal over the whole period, with the load of the period's mix; for the "
                     "load after the last join, run on a period starting after it.")
    if not any(r.label == ERLANG_LABEL for r in run.rows):
        notes.append("note: the pure Erlang C rota needs more people on some shift than the "
                     "catalogue allows; it is left out of the comparison.")
    if cfg.bursts:
        notes.append("note: the Erlang start leaves out the config's storms (bursts); the "
                     "simulation includes them.")
    return windows, notes


def roster_rows(rota: Rota) -> list[dict[str, Any]]:
    """One row per (pool, weekday, shift): roster.csv."""
    if rota.shifts:
        items = sorted(rota.shifts, key=lambda s: (rota.pools.index(s.pool), s.start_min))
        return [{"pool": s.pool, "day": s.day, "start": s.start, "end": s.end,
                 "people": s.people} for s in items]
    out = []
    for pool in rota.pool_list():
        for sh in pool.shifts:
            out += [{"pool": pool.name, "day": d, "start": sh.start, "end": sh.end,
                     "people": sh.staff} for d in sh.days]
    return sorted(out, key=lambda r: (r["pool"], WEEKDAYS.index(r["day"]), r["start"]))


def interval_rows(run: RosterRun) -> list[dict[str, Any]]:
    """One row per half hour of the week: intervals.csv and the report's heat maps."""
    d, problem = run.design, run.design.problem
    erlang = erlang_requirement(d.table, problem.share, problem.min_on_duty)
    v = run.answer.verified
    rostered = run.answer.on_duty
    required = d.answer.cover.required if d.answer.cover is not None else rostered
    out = []
    for k in range(SLOTS_PER_WEEK):
        day, half = divmod(k, SLOTS_PER_DAY)
        share = v.hits[k] / v.alarms[k] if v.alarms[k] > 0 else None
        out.append({"day": WEEKDAYS[day], "start": f"{half * SLOT_MIN // 60:02d}:"
                    f"{half * SLOT_MIN % 60:02d}", "required": int(required[k]),
                    "rostered": round(float(rostered[k]), 3), "erlang_required": int(erlang[k]),
                    "alarms_expected": round(float(d.table.alarms[k]), 3),
                    "alarms_simulated": round(float(v.alarms[k]), 3),
                    "within_target_share": None if share is None else round(float(share), 5)})
    return out


def overlay_document(run: RosterRun) -> dict[str, Any]:
    """config.roster.yaml: the answer as an overlay on config.resolved.yaml."""
    problem = run.design.problem
    return {"base": "config.resolved.yaml",
            **overlay(problem.cfg, problem.pool, run.answer.shifts)}


def _row(run: RosterRun, r: Rota) -> dict[str, Any]:
    c = run.costs[r.label]
    return {"name": r.label, "fte": round(c.fte, 3), "weekly_hours": round(c.weekly_hours, 2),
            "cost_nok": round(c.cost), "cost_nok_per_week": round(c.weekly_cost),
            "goal_kpi": kpi(r.verified), "met": r.verified.met(run.design.problem.share)}


def summary(run: RosterRun) -> dict[str, Any]:
    """summary.json."""
    d, problem = run.design, run.design.problem
    cfg, cat, ans = problem.cfg, problem.catalogue, run.answer
    c = run.costs[ans.label]
    out: dict[str, Any] = {
        "scenario": cfg.scenario,
        "pool": problem.pool.name,
        "period": {"start": cfg.period.start.isoformat(), "end": cfg.period.end.isoformat(),
                   "days": cfg.period.days},
        "goal": {"share": problem.share, "within_s": problem.within_s},
        "min_on_duty": problem.min_on_duty,
        "shifts": {"name": cat.name, "source": run.catalogue_source,
                   "hourly_nok": cat.pay.hourly_nok,
                   "employer_cost_share": cat.pay.employer_cost_share},
        "replications": cfg.replications,
        "seed": cfg.seed,
        "search_seed": problem.search_seed,
        "fte": round(c.fte, 3),
        "weekly_hours": round(c.weekly_hours, 2),
        "cost_nok": round(c.cost),
        "cost_nok_per_week": round(c.weekly_cost),
        "cost_by_municipality": None if c.by_municipality is None else
        {k: round(v) for k, v in c.by_municipality.items()},
        "goal_kpi": kpi(ans.verified),
        "met": ans.verified.met(problem.share),
        "iterations": [{"iteration": it.number, "cost_nok_per_week": round(it.weekly_cost),
                        "mip_gap": round(it.gap, 6),
                        "fte": round(it.fte, 3), "expected": round(it.expected, 5),
                        "search": dict(zip(("mean", "ci_low", "ci_high"), it.search,
                                           strict=True)),
                        "met_search": it.met_search,
                        "verified": None if it.verified is None else
                        dict(zip(("mean", "ci_low", "ci_high"), it.verified, strict=True)),
                        "met": it.met} for it in d.iterations],
        "comparison": [_row(run, r) for r in run.rows],
        "windows": run.windows,
        "notes": run.notes,
    }
    if run.without_floor is not None:
        base = run.costs[run.without_floor.answer.label]
        out["min_on_duty_extra"] = {
            "without": run.without_floor.problem.min_on_duty,
            "cost_nok": round(c.cost - base.cost),
            "cost_nok_per_week": round(c.weekly_cost - base.weekly_cost),
            "fte": round(c.fte - base.fte, 3),
            "answer_without": _row(run, run.without_floor.answer)}
    return out


def _csv(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def _yaml(data: Any, header: str) -> str:
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def write_outputs(work: Path, run: RosterRun, command: str) -> dict[str, Any]:
    """Write every file but report.html into `work`; returns the summary."""
    cfg = run.design.problem.cfg
    write_text(work / "config.resolved.yaml", _yaml(
        cfg.model_dump(mode="json"), "# The config roster ran on (--set applied, goal set).\n"))
    write_text(work / "config.roster.yaml", _yaml(overlay_document(run), (
        f"# The rota found by `{command}`, as an overlay on config.resolved.yaml:\n"
        "# `python -m respons simulate --config config.roster.yaml` reproduces the verified\n"
        "# figures in summary.json (same seed and replications).\n")))
    rows = roster_rows(run.answer)
    write_text(work / "roster.csv", _csv(rows, ROSTER_COLUMNS))
    intervals = interval_rows(run)
    write_text(work / "intervals.csv", _csv(intervals, INTERVAL_COLUMNS))
    doc = summary(run)
    write_workbook(work / "roster.xlsx", rows, intervals, doc)
    write_json(work / "summary.json", doc)
    return doc
