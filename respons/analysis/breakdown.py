"""Per-replication tallies the report's figures are drawn from: arrivals by hour and weekday,
waits, service level by hour, staff busy by hour of the week, outcomes and home-care arrival
per municipality, monthly volumes, home-care visits by hour, IT work orders by priority.

They are counted from each replication's event arrays while it runs (pure numpy, a few
milliseconds), so the figures need neither the event table nor a second pass over it; a run
directory keeps them in `breakdown.npz`, and a run without it gets them from events.parquet
(`from_events`). The first axis of every array is the replication.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from respons.config import Category, ScenarioConfig
from respons.engine.contacts import CATEGORIES
from respons.engine.events import EventArrays
from respons.engine.replication import OUTCOME_LABELS

if TYPE_CHECKING:
    import pandas as pd

HOUR = 3600.0
WAIT_BINS = 3600  # 1-s bins of alarm waits; the last bin holds longer waits and no answer
HELP_BIN_S = 10.0  # home-care arrival time in 10-s bins up to 4 hours, then one overflow bin
HELP_BINS = 1440
IT_PRIORITIES = 10  # IT work orders tallied for priorities 0..9
IT_KPIS = ("it_work_orders", "it_backlog_at_period_end", "it_time_to_fix_mean_s",
           "it_time_to_fix_p90_s", "it_fixed_within_deadline_share")


@dataclass(frozen=True)
class Layout:
    """What the tallies are laid out by: the period's calendar and the label lists."""

    start: dt.date
    days: int
    target_s: float
    priorities: tuple[int, ...]  # alarm priorities, in order

    @property
    def hours(self) -> int:
        return self.days * 24

    def hour_of_week(self) -> np.ndarray:
        """Hour of the week (Monday 00:00 = 0) of every hour of the period."""
        h = np.arange(self.hours)
        return ((self.start.weekday() + h // 24) % 7) * 24 + h % 24

    def months(self) -> list[str]:
        """'YYYY-MM' of every month the period touches."""
        import pandas as pd

        first = pd.Period(self.start, freq="M")
        last = pd.Period(self.start + dt.timedelta(days=self.days - 1), freq="M")
        return [str(p) for p in pd.period_range(first, last, freq="M")]

    def month_of_day(self) -> np.ndarray:
        """Index into `months()` of every day of the period."""
        import pandas as pd

        days = pd.date_range(self.start, periods=self.days, freq="D")
        first = pd.Period(self.start, freq="M")
        return np.asarray([(p - first).n for p in days.to_period("M")], dtype=np.int64)


def layout_of(cfg: ScenarioConfig) -> Layout:
    """The layout of a config's tallies."""
    priorities = sorted({k.priority for k in cfg.event_kinds if k.category == Category.alarm})
    return Layout(cfg.period.start, cfg.period.days, cfg.target_s, tuple(priorities))


def coded_labels(cfg: ScenarioConfig) -> dict[str, list[str]]:
    """The label list of every coded column of the event arrays, for a config."""
    return {"category": [c.value for c in CATEGORIES], "outcome": list(OUTCOME_LABELS),
            "answered_by": [p.name for p in cfg.pools],
            "municipality": [m.name for m in cfg.municipalities]}


def _busy_integral(starts: np.ndarray, t: np.ndarray) -> np.ndarray:
    """sum over starts s < t of (t - s): the integral up to t of the number of started
    intervals."""
    s = np.sort(starts)
    prefix = np.concatenate([[0.0], np.cumsum(s)])
    k = np.searchsorted(s, t, side="left")
    return k * t - prefix[k]


def busy_per_hour(answer_s: np.ndarray, end_s: np.ndarray, hours: int) -> np.ndarray:
    """Seconds busy in each hour of the period, for contacts handled from answer to end."""
    horizon = hours * HOUR
    edges = np.arange(hours + 1) * HOUR
    a = np.clip(answer_s, 0.0, horizon)
    e = np.clip(end_s, 0.0, horizon)
    keep = np.isfinite(a) & np.isfinite(e) & (e > a)
    return np.diff(_busy_integral(a[keep], edges) - _busy_integral(e[keep], edges))


def _busy_week(a: EventArrays, layout: Layout) -> np.ndarray:
    """Seconds busy per pool, category and hour of the week over the period: answer to end
    of whole work, and the pieces of interrupted work (each on the pool that served it)."""
    n_cat = len(a.categories)
    how_of_hour = layout.hour_of_week()
    busy = np.zeros((len(a.pools), n_cat, 168))
    whole = ~a.cut if a.cut is not None and a.pieces is not None else np.ones(len(a), bool)
    pieces = a.pieces if a.cut is not None and a.pieces is not None else np.empty((0, 4))
    piece_cat = a.category[pieces[:, 0].astype(np.int64)] if len(pieces) else np.empty(0)
    for p in range(len(a.pools)):
        for c in range(n_cat):
            sel = whole & (a.answered_by == p) & (a.category == c)
            part = (pieces[:, 1] == p) & (piece_cat == c) if len(pieces) else np.zeros(0, bool)
            if not sel.any() and not part.any():
                continue
            start = np.concatenate([a.answer_s[sel], pieces[part, 2]])
            end = np.concatenate([a.end_s[sel], pieces[part, 3]])
            per_hour = busy_per_hour(start, end, layout.hours)
            busy[p, c] = np.bincount(how_of_hour, weights=per_hour, minlength=168)
    return busy


def _it_by_priority(a: EventArrays, horizon: float) -> np.ndarray:
    """IT KPIs (IT_KPIS) of the work orders of each priority 0..IT_PRIORITIES-1 (nan: none)."""
    from respons.analysis.kpis import it_kpis

    out = np.full((IT_PRIORITIES, len(IT_KPIS)), np.nan)
    if a.parent_id is None or a.priority is None:
        return out
    orders = (a.category == a.code("category", "it_work")) & (a.parent_id >= 0)
    for p in np.unique(a.priority[orders]):
        if 0 <= p < IT_PRIORITIES:
            values = it_kpis(a, horizon, int(p))
            out[p] = [values[k] for k in IT_KPIS]
    return out


def tally(a: EventArrays, priority: np.ndarray, layout: Layout) -> dict[str, np.ndarray]:
    """The tallies of one replication (see the module docstring)."""
    horizon = layout.hours * HOUR
    busy = _busy_week(a, layout)
    keep = a.arrival_s < horizon
    a, priority = a.rows(keep), priority[keep]
    n_cat, n_muni, n_out = len(a.categories), len(a.municipalities), len(a.outcomes)
    hour = (a.arrival_s // HOUR).astype(np.int64)
    hod, day = hour % 24, hour // 24
    weekday = (layout.start.weekday() + day) % 7
    cat = a.category.astype(np.int64)
    out: dict[str, np.ndarray] = {
        "arrivals_hour": np.bincount(cat * 24 + hod, minlength=n_cat * 24).reshape(n_cat, 24),
        "arrivals_weekday": np.bincount(cat * 7 + weekday, minlength=n_cat * 7)
        .reshape(n_cat, 7),
    }
    within = a.wait_s <= layout.target_s
    out["within_hour"] = np.bincount(cat[within] * 24 + hod[within],
                                     minlength=n_cat * 24).reshape(n_cat, 24)
    alarm = a.category == a.code("category", "alarm")
    wait = np.where(np.isnan(a.wait_s), np.inf, np.ceil(a.wait_s))
    wbin = np.minimum(wait, WAIT_BINS).astype(np.int64)
    rows = [np.bincount(wbin[alarm], minlength=WAIT_BINS + 1)]
    for p in layout.priorities:
        rows.append(np.bincount(wbin[alarm & (priority == p)], minlength=WAIT_BINS + 1))
    out["wait_hist"] = np.stack(rows)
    out["busy_week"] = busy
    muni = a.municipality.astype(np.int64)
    answered = ~np.isnan(a.answer_s) & (muni >= 0)
    idx = (cat[answered] * n_muni + muni[answered]) * n_out + a.outcome[answered]
    out["outcomes"] = np.bincount(idx, minlength=n_cat * n_muni * n_out).reshape(
        n_cat, n_muni, n_out)
    visit = alarm & answered & ~np.isnan(a.homecare_arrival_s)
    help_s = a.homecare_arrival_s[visit] - a.arrival_s[visit]
    hbin = np.minimum(help_s // HELP_BIN_S, HELP_BINS).astype(np.int64)
    out["help_hist"] = np.bincount(muni[visit] * (HELP_BINS + 1) + hbin,
                                   minlength=n_muni * (HELP_BINS + 1)).reshape(
        n_muni, HELP_BINS + 1)
    out["help_sum_s"] = np.bincount(muni[visit], weights=help_s, minlength=n_muni)
    volume = (alarm | (a.category == a.code("category", "technical"))) & (muni >= 0)
    month = layout.month_of_day()[day[volume]]
    n_month = len(layout.months())
    out["monthly"] = np.bincount(month * n_muni + muni[volume],
                                 minlength=n_month * n_muni).reshape(n_month, n_muni)
    visits = (a.category == a.code("category", "visit")) & ~np.isnan(a.answer_s) & (muni >= 0)
    started = (a.answer_s[visits] // HOUR).astype(np.int64) % 24
    out["visits_hour"] = np.bincount(muni[visits] * 24 + started,
                                     minlength=n_muni * 24).reshape(n_muni, 24)
    out["it_priority"] = _it_by_priority(a, horizon)
    return out


@dataclass(frozen=True)
class Breakdown:
    """The tallies of every replication (first axis) with their labels."""

    layout: Layout
    labels: dict[str, list[str]]  # categories, pools, municipalities, outcomes, months
    arrays: dict[str, np.ndarray]

    @property
    def replications(self) -> int:
        return int(self.arrays["arrivals_hour"].shape[0])

    def save(self, path: Path) -> None:
        """Write as .npz (numbers only, no pickled objects; uncompressed: a few megabytes
        written in milliseconds)."""
        meta = {"start": self.layout.start.isoformat(), "days": self.layout.days,
                "target_s": self.layout.target_s, "priorities": list(self.layout.priorities),
                "labels": self.labels}
        with path.open("wb") as f:
            np.savez(f, meta=np.array(json.dumps(meta)), **self.arrays)

    @classmethod
    def load(cls, path: Path) -> Breakdown:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            arrays = {k: z[k] for k in z.files if k != "meta"}
        layout = Layout(dt.date.fromisoformat(meta["start"]), int(meta["days"]),
                        float(meta["target_s"]), tuple(int(p) for p in meta["priorities"]))
        return cls(layout, {k: list(v) for k, v in meta["labels"].items()}, arrays)


def combine(cfg: ScenarioConfig, per_replication: list[dict[str, np.ndarray]]) -> Breakdown:
    """Stack the tallies of the replications of `cfg`."""
    layout, coded = layout_of(cfg), coded_labels(cfg)
    labels = {"categories": coded["category"], "pools": coded["answered_by"],
              "municipalities": coded["municipality"], "outcomes": coded["outcome"],
              "months": layout.months(), "it_kpis": list(IT_KPIS)}
    stacked = {k: _compact(np.stack([t[k] for t in per_replication]))
               for k in per_replication[0]}
    return Breakdown(layout, labels, stacked)


def _compact(a: np.ndarray) -> np.ndarray:
    """Counts as 32-bit integers (half the bytes; a replication counts far fewer than 2**31)."""
    return a.astype(np.int32) if a.dtype.kind in "iu" else a


def from_events(events: pd.DataFrame, cfg: ScenarioConfig) -> Breakdown:
    """The tallies from a stored event table (a run written without breakdown.npz)."""
    import pandas as pd

    layout, labels = layout_of(cfg), coded_labels(cfg)
    events = events.assign(**{col: pd.Categorical(events[col].astype(str), categories=names)
                              for col, names in labels.items()})
    tallies = [tally(EventArrays.from_frame(ev), ev["priority"].to_numpy(), layout)
               for _, ev in events.groupby("replication", sort=True, observed=True)]
    if not tallies:
        raise ValueError("the event table is empty")
    return combine(cfg, tallies)
