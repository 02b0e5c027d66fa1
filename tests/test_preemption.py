"""Pre-emptive resume against queueing theory: an M/M/1 queue with two priority classes.

One nurse; phone calls (category legevakt, priority 0, `interrupts`) and walk-ins (priority 1,
`interruptible`), both Poisson with exponential handling of mean 1/mu = 60 s; loads
rho1 = 0.4 and rho2 = 0.3. Under pre-emptive resume the calls see an M/M/1 queue alone: mean
sojourn 1 / (mu - lambda1) = 100 s, exponentially distributed. The walk-ins' mean sojourn is
(M/G/1 pre-emptive resume, e.g. Harchol-Balter, Performance Modeling and Design of Computer
Systems, ch. 32):
    T2 = E[S] / (1 - rho1) + R / ((1 - rho1)(1 - rho1 - rho2)),
    R = (lambda1 + lambda2) E[S^2] / 2 = (rho1 + rho2) E[S]   (exponential: E[S^2] = 2 E[S]^2)
       = 60 / 0.6 + 0.7 x 60 / (0.6 x 0.3) = 333.3 s
(one class alone gives M/G/1's E[S] + lambda E[S^2] / (2 (1 - rho)), as it must).
The short run checks the means lie in the 95 % confidence intervals of 6 replications of 3
weeks; the slow run 16 replications of 16 weeks, also the calls' sojourn distribution.
"""

from __future__ import annotations

import numpy as np
import pytest

from respons.analysis.intervals import confidence_interval
from respons.config import ScenarioConfig
from respons.engine.replication import simulate_replication

MEAN_S = 60.0
RHO1, RHO2 = 0.4, 0.3
T1 = MEAN_S / (1 - RHO1)
T2 = MEAN_S / (1 - RHO1) + (RHO1 + RHO2) * MEAN_S / ((1 - RHO1) * (1 - RHO1 - RHO2))


def config(weeks: int, replications: int) -> ScenarioConfig:
    per_year = lambda rho: rho / MEAN_S * 3600 * 8760  # noqa: E731
    return ScenarioConfig.model_validate({
        "scenario": "mm1-preemptive", "seed": 13, "replications": replications,
        "period": {"start": "2021-01-04",
                   "end": str(np.datetime64("2021-01-04") + np.timedelta64(7 * weeks, "D"))},
        "drain_days": 1,
        "profiles": {"flat": {"hourly": [1] * 24}},
        "municipalities": [{"name": "A", "number": "0001", "population": 1000,
                            "joined": "2020-01-01", "services": ["legevakt"]}],
        "event_kinds": [
            {"name": "call", "category": "legevakt", "priority": 0, "profile": "flat",
             "rate": {"basis": "per_municipality", "per_year": per_year(RHO1)},
             "talk": {"kind": "exponential", "mean_s": MEAN_S}},
            {"name": "walk", "category": "walk_in", "priority": 1, "profile": "flat",
             "rate": {"basis": "per_municipality", "per_year": per_year(RHO2)},
             "talk": {"kind": "exponential", "mean_s": MEAN_S}},
        ],
        "pools": [{"name": "nurse", "role": "nurse",
                   "serves": [{"category": "legevakt", "interrupts": True},
                              {"category": "walk_in", "interruptible": True}],
                   "shifts": [{"start": "00:00", "end": "24:00", "staff": 1}]}],
    })


def sojourns(cfg: ScenarioConfig) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Per replication: the calls' and walk-ins' mean sojourn, and the calls' sojourns."""
    calls, walks, all_calls = [], [], []
    for r in range(cfg.replications):
        ev = simulate_replication(cfg, r).events
        ev = ev[ev["arrival_s"] < cfg.period.days * 86400.0]
        s = (ev["end_s"] - ev["arrival_s"]).to_numpy()
        is_call = (ev["category"] == "legevakt").to_numpy()
        assert not np.isnan(s).any()
        calls.append(s[is_call].mean())
        walks.append(s[~is_call].mean())
        all_calls.append(s[is_call])
        interrupted = ev.loc[~is_call, "interrupted_s"].to_numpy()
        assert (interrupted > 0).any() and (ev.loc[is_call, "interrupted_s"] == 0).all()
    return np.array(calls), np.array(walks), all_calls


def _in_ci(values: np.ndarray, expected: float) -> None:
    mean, lo, hi = confidence_interval(values)
    assert lo <= expected <= hi, (mean, lo, hi, expected)


def test_theory_values():
    assert abs(T1 - 100.0) < 1e-9
    assert abs(T2 - 333.3333333) < 1e-6


def test_mm1_preemptive_resume_short():
    calls, walks, _ = sojourns(config(weeks=3, replications=6))
    _in_ci(calls, T1)
    _in_ci(walks, T2)


@pytest.mark.slow
def test_mm1_preemptive_resume_long():
    calls, walks, all_calls = sojourns(config(weeks=16, replications=16))
    _in_ci(calls, T1)
    _in_ci(walks, T2)
    assert calls.mean() == pytest.approx(T1, rel=0.02)
    assert walks.mean() == pytest.approx(T2, rel=0.04)
    # the calls' sojourn is exponential with mean T1 (M/M/1 alone): P(S <= x) = 1 - e^(-x/T1)
    s = np.concatenate(all_calls)
    for x in (50.0, 100.0, 200.0, 400.0):
        assert np.mean(s <= x) == pytest.approx(1 - np.exp(-x / T1), abs=0.006), x
