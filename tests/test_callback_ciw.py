"""The two-stage call centre (configs/validation/callback.yaml) against an independent Ciw model
of it (benchmarks/ciw_callback.py): operator and nurse call-back waits agree.

Both start empty, take the callers arriving in the same 14 days and serve them all. Per
replication we take the mean wait and the share waiting at most 120 s, at each stage; over
R replications of each simulator the two means must differ by less than 3 standard errors
of their difference (Welch; a two-sided test at about the 0.3 % level), and their 95 %
confidence intervals must overlap. The tolerance is checked to be tight (under 15 % of the
Ciw value: about 9 % and 14 % for the operator and nurse mean waits, 4 % for the shares
within 120 s, at 91-94 % load), so a wrong routing share, service time or queue discipline
would fail.
Slow (about 2 minutes); skipped when Ciw (the `bench` extra) is not installed.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from respons.analysis.intervals import confidence_interval
from respons.config.loading import load_config
from respons.engine.replication import simulate_replication

pytestmark = pytest.mark.slow
pytest.importorskip("ciw")

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "validation" / "callback.yaml"
REPLICATIONS = 40
WITHIN_S = 120.0


def _ciw_module():
    spec = importlib.util.spec_from_file_location("ciw_callback",
                                                  ROOT / "benchmarks" / "ciw_callback.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _respons() -> dict[str, np.ndarray]:
    cfg = load_config(CONFIG)
    out: dict[str, list[float]] = {}
    for r in range(REPLICATIONS):
        ev = simulate_replication(cfg, r).events
        horizon = cfg.period.days * 86400.0
        calls = ev[(ev["category"] == "legevakt") & (ev["arrival_s"] < horizon)]
        parent_arrival = ev["arrival_s"].to_numpy()[ev["parent_id"].clip(lower=0)]
        backs = ev[(ev["category"] == "callback") & (parent_arrival < horizon)]
        for name, rows in (("operator", calls), ("nurse", backs)):
            assert rows["wait_s"].notna().all()  # everyone served within the drain days
            out.setdefault(f"{name}_wait_mean_s", []).append(rows["wait_s"].mean())
            out.setdefault(f"{name}_within_share", []).append(
                (rows["wait_s"] <= WITHIN_S).mean())
    return {k: np.asarray(v) for k, v in out.items()}


def _ciw() -> dict[str, np.ndarray]:
    cfg = load_config(CONFIG)
    ciw_model = _ciw_module()
    reps = [ciw_model.replication(1000 + k, cfg.period.days, cfg.drain_days, WITHIN_S)
            for k in range(REPLICATIONS)]
    return {k: np.array([r[k] for r in reps]) for k in reps[0] if not k.endswith("_served")}


@pytest.fixture(scope="module")
def both():
    return _respons(), _ciw()


def test_config_is_the_published_model():
    cfg = load_config(CONFIG)
    call, back = cfg.event_kinds
    assert call.rate.per_year == 100 * 8760
    assert (call.talk.low_s, call.talk.mode_s, call.talk.high_s) == (300, 420, 600)
    assert call.follow_ups[0].probability == 0.4 and call.follow_ups[0].kind == back.name
    assert (back.talk.low_s, back.talk.high_s) == (600, 1200)
    assert [p.shifts[0].staff for p in cfg.pools] == [13, 11]


@pytest.mark.parametrize("kpi", ["operator_wait_mean_s", "nurse_wait_mean_s",
                                 "operator_within_share", "nurse_within_share"])
def test_respons_agrees_with_ciw(both, kpi):
    ours, theirs = both[0][kpi], both[1][kpi]
    m1, lo1, hi1 = confidence_interval(ours)
    m2, lo2, hi2 = confidence_interval(theirs)
    se = math.sqrt(ours.var(ddof=1) / ours.size + theirs.var(ddof=1) / theirs.size)
    tolerance = 3.0 * se
    assert tolerance < 0.15 * m2, (kpi, tolerance, m2)  # a test that can fail
    assert abs(m1 - m2) <= tolerance, (kpi, m1, m2, tolerance)
    assert lo1 <= hi2 and lo2 <= hi1, (kpi, (lo1, hi1), (lo2, hi2))
