"""Scenario configs (configs/scenarios/*.yaml): list them, and compare each with its own
reference under common random numbers (same seed, replications and period: paired by
replication). The reference of an overlay is the config its `base:` names (the growth files
build on all-members-2020.yaml, so growth is measured against that, not against the 2020
baseline with its phased-in members); a full config is compared with the baseline.

Besides the headline KPIs a comparison keeps, per replication, the home-care visits per
municipality and, for every storm (`bursts`) of any scenario, the waiting of alarms arriving
in fixed windows after the storm starts, measured in the baseline too so that the storm's
effect is a paired difference.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from respons.analysis.costs import allocate, member_fraction
from respons.analysis.intervals import confidence_interval
from respons.config import Burst, Category, ScenarioConfig
from respons.config.loading import load_config, read_mapping
from respons.engine.replication import simulate_replication
from respons.engine.rosters import fte
from respons.errors import UserError
from respons.runs.replications import replication_kpis

DATA = Path(__file__).resolve().parents[1] / "data"  # the package data (configs/ links here)
DEFAULT_DIR = DATA / "scenarios"
DEFAULT_BASELINE = DATA / "vaernes-2020.yaml"
HEADLINE: dict[str, str] = {
    "alarms_answered": "alarms answered",
    "alarms_answered_within_target_share": "alarms within target",
    "answer_time_mean_s": "mean wait",
    "answer_time_p90_s": "p90 wait",
    "alarms_resolved_by_operator_share": "resolved by operator",
    "homecare_visits": "home-care visits",
    "legevakt_calls_within_target_share": "legevakt within target",
    "operator_utilisation": "operator utilisation",
    "backup_answered_share": "alarms answered by backup",
    "nurse_alarm_hours": "nurse hours on alarms",
}
UNITS: dict[str, str] = {"nurse_alarm_hours": "hours"}
STORM_WINDOWS_H = (1, 8)
STORM_STATS = ("alarms", "mean_wait_s", "p90_wait_s", "max_wait_s", "within_target_share",
               "cleared_h")
# Seed-facts.md §2.12 Tables A-C: each municipality's 2020 payment per service, NOK 1,000
# (001_c7a23a0595bff2be.txt:2054-2147, 2172-2265, 2269-2299); keys are the cost services'
# names in configs/vaernes-2020.yaml.
ACCOUNTS_2020_KNOK: dict[str, dict[str, int]] = {
    "answer_service": {"Stjørdal": 1815, "Selbu": 395, "Meråker": 278, "Frosta": 294,
                       "Tydal": 163, "Nærøysund": 0, "Melhus": 902, "Levanger": 588,
                       "Verdal": 448, "Skaun": 121, "Midtre Gauldal": 65},
    "it_technical": {"Stjørdal": 376, "Selbu": 126, "Meråker": 104, "Frosta": 107, "Tydal": 84,
                     "Nærøysund": 194, "Melhus": 162, "Levanger": 100, "Verdal": 81,
                     "Skaun": 20, "Midtre Gauldal": 12},
}


@dataclass(frozen=True)
class Entry:
    """A scenario file: its name and description, or why it does not load."""

    path: Path
    scenario: str | None
    description: str
    error: str | None = None


def scenario_files(directory: Path) -> list[Path]:
    """The *.yaml files of a scenario directory, sorted by name."""
    if not directory.is_dir():
        raise UserError(f"scenario directory {directory} does not exist.")
    return sorted(directory.glob("*.yaml"), key=lambda p: p.stem)


def list_scenarios(directory: Path) -> list[Entry]:
    """Every scenario file with its one-line description (errors kept, not raised)."""
    out = []
    for path in scenario_files(directory):
        try:
            cfg = load_config(path)
        except UserError as e:
            out.append(Entry(path, None, "", " ".join(str(e).split())))
            continue
        out.append(Entry(path, cfg.scenario, cfg.description))
    return out


@dataclass(frozen=True)
class Window:
    """Alarms arriving in [start_s, start_s + hours) after a storm, and the storm itself."""

    burst: str
    label: str
    start_s: float
    hours: float
    kind: str
    duration_s: float

    @property
    def key(self) -> str:
        return f"{self.burst} {self.label} +{self.hours:g} h"


@dataclass
class Result:
    """One config's per-replication measurements."""

    name: str
    description: str
    cfg: ScenarioConfig
    kpis: pd.DataFrame
    visits: pd.DataFrame
    storms: dict[str, pd.DataFrame] = field(default_factory=dict)
    reference: str = "baseline"  # the result this one is paired with (its own `base`)

    @property
    def cost_nok(self) -> float | None:
        costs = allocate(self.cfg)
        return None if costs is None else float(costs["total_nok"])  # type: ignore[arg-type]

    @property
    def respons_fte(self) -> float:
        """Roster FTE of the Respons pools (every pool except legevakt nurses); a shift with
        `dates` counts by the share of the period it covers."""
        return sum(fte(p, self.cfg.fte_hours_per_week, self.cfg.period) for p in self.cfg.pools
                   if p.role.value != "nurse")

    def changes_outcomes(self, baseline: ScenarioConfig) -> bool:
        """True if any alarm kind shared with the baseline has other outcome probabilities."""
        base = {k.name: k.outcomes for k in baseline.event_kinds}
        return any(k.name in base and k.outcomes != base[k.name]
                   for k in self.cfg.event_kinds if k.category == Category.alarm)


@dataclass
class Comparison:
    """The baseline and every scenario, run paired; each scenario is compared with its own
    reference: the config its `base:` names (the baseline for a full config), run under the
    same seed, replications and period."""

    baseline: Result
    scenarios: list[Result]
    windows: list[Window]
    references: dict[str, Result] = field(default_factory=dict)

    def reference_of(self, res: Result) -> Result:
        """The result `res` is paired with."""
        return self.references.get(res.reference, self.baseline)


def aligned(path: Path | None, baseline: ScenarioConfig | None,
            overrides: list[str]) -> ScenarioConfig:
    """Load a config and give it the baseline's seed, replications and period (pairing)."""
    extra = list(overrides)
    if baseline is not None:
        extra += [f"seed={baseline.seed}", f"replications={baseline.replications}",
                  f"period.start={baseline.period.start}", f"period.end={baseline.period.end}"]
    return load_config(path, extra)


def storm_windows(cfgs: list[ScenarioConfig]) -> list[Window]:
    """The measurement windows of every distinct storm in `cfgs` (by name and start)."""
    seen: dict[tuple[str, dt.datetime], Burst] = {}
    for cfg in cfgs:
        for b in cfg.bursts:
            seen.setdefault((b.name, b.start), b)
    out: list[Window] = []
    if not cfgs:
        return out
    period_start = dt.datetime.combine(cfgs[0].period.start, dt.time())
    for (name, start), b in seen.items():
        t0 = (start - period_start).total_seconds()
        for h in STORM_WINDOWS_H:
            out.append(Window(name, start.strftime("%Y-%m-%d %H:%M"), t0, h, b.kind,
                              b.duration_s))
    return out


def window_stats(ev: pd.DataFrame, w: Window, target_s: float) -> dict[str, float]:
    """Alarm waits in the window, and hours until the storm's own contacts were all answered."""
    t = ev["arrival_s"].to_numpy()
    alarm = (ev["category"] == "alarm").to_numpy()
    sel = alarm & (t >= w.start_s) & (t < w.start_s + w.hours * 3600)
    waits = ev["wait_s"].to_numpy()[sel]
    answered = waits[~np.isnan(waits)]
    storm = (ev["kind"] == w.kind).to_numpy() & (t >= w.start_s) & (t < w.start_s + w.duration_s)
    ans = ev["answer_s"].to_numpy()[storm]
    cleared = (float(np.max(ans)) - w.start_s) / 3600 if ans.size else math.nan
    return {
        "alarms": float(sel.sum()),
        "mean_wait_s": float(answered.mean()) if answered.size else math.nan,
        "p90_wait_s": float(np.quantile(answered, 0.9)) if answered.size else math.nan,
        "max_wait_s": float(answered.max()) if answered.size else math.nan,
        "within_target_share": float((answered <= target_s).sum() / sel.sum())
        if sel.sum() else math.nan,
        "cleared_h": cleared,
    }


def homecare_by_municipality(ev: pd.DataFrame, horizon_s: float,
                             names: list[str]) -> dict[str, float]:
    """Home-care visits (forwarded alarms arriving in the period) per municipality."""
    ev = ev[(ev["arrival_s"] < horizon_s) & (ev["category"] == "alarm")
            & (ev["outcome"] == "homecare")]
    counts = ev["municipality"].value_counts()
    return {n: float(counts.get(n, 0)) for n in names}


def nurse_alarm_hours(ev: pd.DataFrame, cfg: ScenarioConfig, horizon_s: float) -> float:
    """Hours legevakt nurses (role nurse) spent on alarms within the period."""
    nurses = [p.name for p in cfg.pools if p.role.value == "nurse"]
    rows = ev[(ev["category"] == "alarm") & ev["answered_by"].isin(nurses)]
    busy = np.minimum(rows["end_s"].to_numpy(), horizon_s) - rows["answer_s"].to_numpy()
    return float(np.clip(busy, 0.0, None).sum() / 3600)


def measure(cfg: ScenarioConfig, windows: list[Window],
            r: int) -> tuple[dict[str, float], dict[str, float], dict[str, dict[str, float]]]:
    """Replication r of a config, measured for the comparison: KPI row, home-care visits per
    municipality, storm-window statistics."""
    res = simulate_replication(cfg, r)
    row = {**replication_kpis(res, cfg.target_s),
           "nurse_alarm_hours": nurse_alarm_hours(res.events, cfg, res.horizon_s)}
    visits = homecare_by_municipality(res.events, res.horizon_s,
                                      [m.name for m in cfg.municipalities])
    storms = {w.key: window_stats(res.events, w, cfg.target_s) for w in windows}
    return row, visits, storms


def run_config(name: str, cfg: ScenarioConfig, windows: list[Window],
               progress: Callable[[str, int, int], None] | None = None,
               jobs: int = 1, reference: str = "baseline") -> Result:
    """All replications of one config, measured for the comparison (on `jobs` processes;
    the same numbers as serially)."""
    n = cfg.replications
    if jobs > 1 and n > 1:
        from joblib import Parallel, delayed

        results = Parallel(n_jobs=min(jobs, n), backend="loky", return_as="generator")(
            delayed(measure)(cfg, windows, r) for r in range(n))
    else:
        results = (measure(cfg, windows, r) for r in range(n))
    rows, visits = [], []
    storms: dict[str, list[dict[str, float]]] = {w.key: [] for w in windows}
    for done, (row, visit, storm) in enumerate(results, start=1):
        rows.append(row)
        visits.append(visit)
        for key, stats in storm.items():
            storms[key].append(stats)
        if progress is not None:
            progress(name, done, n)
    return Result(name, cfg.description, cfg, pd.DataFrame(rows), pd.DataFrame(visits),
                  {k: pd.DataFrame(v, columns=list(STORM_STATS)) for k, v in storms.items()},
                  reference)


def select(paths: list[Path], only: list[str] | None) -> list[Path]:
    """The scenario files named in `only` (file stem or scenario name); all when None."""
    if not only:
        return paths
    chosen = []
    for name in only:
        hits = [p for p in paths if p.stem == name or p.stem == Path(name).stem]
        if not hits:
            raise UserError(f"--only {name}: no such scenario file; allowed: "
                            f"{[p.stem for p in paths]}.")
        chosen += [p for p in hits if p not in chosen]
    return chosen


def base_of(path: Path) -> Path | None:
    """The resolved file an overlay's `base:` names (None for a full config)."""
    data = read_mapping(path)
    base = data.get("base")
    return (path.parent / base).resolve() if isinstance(base, str) else None


def compare(baseline_path: Path | None, paths: list[Path], overrides: list[str],
            progress: Callable[[str, int, int], None] | None = None,
            jobs: int = 1) -> Comparison:
    """Run the baseline and every scenario with the baseline's seed, replications and period;
    each scenario is paired with its own `base` (run too, once, when it is not the baseline or
    another scenario), a full config with the baseline."""
    base_cfg = aligned(baseline_path, None, overrides)
    base_key = baseline_path.resolve() if baseline_path is not None else None
    cfgs = [(p.stem, aligned(p, base_cfg, [])) for p in paths]
    keys = {p.resolve(): p.stem for p in paths}
    refs: dict[str, str] = {}
    extra: dict[str, Path] = {}
    for p in paths:
        ref = base_of(p)
        if ref is None or ref == base_key or (baseline_path is None and ref == DEFAULT_BASELINE):
            refs[p.stem] = "baseline"
        elif ref in keys:
            refs[p.stem] = keys[ref]
        else:
            name = f"{ref.stem} (base)"
            refs[p.stem] = name
            extra[name] = ref
    extra_cfgs = [(name, aligned(path, base_cfg, [])) for name, path in extra.items()]
    windows = storm_windows([c for _, c in cfgs])
    base = run_config("baseline", base_cfg, windows, progress, jobs)
    results = [run_config(name, cfg, windows, progress, jobs, refs[name]) for name, cfg in cfgs]
    others = {name: run_config(name, cfg, windows, progress, jobs) for name, cfg in extra_cfgs}
    by_name = {r.name: r for r in results}
    references = {name: by_name[name] for name in set(refs.values()) if name in by_name}
    references.update(others)
    return Comparison(base, results, windows, references)


@dataclass(frozen=True)
class Paired:
    """Scenario mean and the paired difference to the baseline with its 95 % CI."""

    mean: float
    diff: float
    lo: float
    hi: float

    @property
    def half(self) -> float:
        return (self.hi - self.lo) / 2 if not math.isnan(self.lo) else math.nan


def paired(base: np.ndarray, scen: np.ndarray) -> Paired:
    """Paired t over replications (common random numbers)."""
    base, scen = np.asarray(base, float), np.asarray(scen, float)
    mean = float(np.nanmean(scen)) if np.isfinite(scen).any() else math.nan
    diff, lo, hi = confidence_interval(scen - base)
    return Paired(mean, diff, lo, hi)


def kpi_paired(cmp: Comparison, res: Result, kpi: str) -> Paired:
    """Paired comparison of one headline KPI with the scenario's reference."""
    return paired(cmp.reference_of(res).kpis[kpi].to_numpy(), res.kpis[kpi].to_numpy())


def visits_avoided(cmp: Comparison, res: Result) -> dict[str, Paired]:
    """Home-care visits avoided (reference - scenario) per municipality, paired; 'total'
    last."""
    out = {}
    base = cmp.reference_of(res).visits
    for name in [*base.columns, "total"]:
        b = base.sum(axis=1) if name == "total" else base.get(name)
        s = res.visits.sum(axis=1) if name == "total" else res.visits.get(name)
        if b is None or s is None:
            continue
        p = paired(s.to_numpy(), b.to_numpy())  # baseline - scenario
        out[name] = Paired(float(s.mean()), p.diff, p.lo, p.hi)
    return out


def storm_paired(cmp: Comparison, res: Result, key: str, stat: str) -> Paired:
    """Paired comparison of one storm-window statistic with the scenario's reference."""
    return paired(cmp.reference_of(res).storms[key][stat].to_numpy(),
                  res.storms[key][stat].to_numpy())


def cost_check(cfg: ScenarioConfig) -> pd.DataFrame | None:
    """Model allocation of a config's costs vs the 2020 accounts, NOK 1,000 per municipality,
    with the months billed: the model's (days of membership) and those the accounts imply."""
    costs = allocate(cfg)
    if costs is None:
        return None
    by = costs["by_municipality"]
    assert isinstance(by, dict)
    implied = {s.name: implied_months(cfg, s.name) for s in cfg.costs.services} \
        if cfg.costs else {}
    rows = []
    for m in cfg.municipalities:
        paid = [acc[m.name] for acc in ACCOUNTS_2020_KNOK.values() if m.name in acc]
        row = {"municipality": m.name, "model_knok": by[m.name] / 1000,
               "accounts_knok": float(sum(paid)) if paid else math.nan}
        row["difference_knok"] = row["model_knok"] - row["accounts_knok"]
        row["model_months"] = 12 * member_fraction(m.joined, cfg.period.start, cfg.period.end)
        for name, months in implied.items():
            row[f"implied_months_{name}"] = months.get(m.name, math.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def implied_months(cfg: ScenarioConfig, service: str) -> dict[str, float]:
    """Months of 2020 the accounts billed each member for, assuming the published key.

    The members from before the year pay flat + per-inhabitant x population: a straight line
    through their payments gives both parts; a newcomer's payment over what a full-year
    member of its size would pay is the share of the year it was billed for.
    """
    accounts = ACCOUNTS_2020_KNOK.get(service)
    svc = next((s for s in cfg.costs.services if s.name == service), None) if cfg.costs else None
    if accounts is None or svc is None:
        return {}
    members = [m for m in cfg.municipalities if svc.category in m.services
               and m.name in accounts]
    old = [m for m in members if m.joined < cfg.period.start]
    if len(old) < 2:
        return {}
    slope, flat = np.polyfit([m.population for m in old], [accounts[m.name] for m in old], 1)
    return {m.name: 12 * accounts[m.name] / (flat + slope * m.population) for m in members}
