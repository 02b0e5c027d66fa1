"""Metamorphic properties: relations between runs that must hold whatever the random draws."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from respons.config import ScenarioConfig
from respons.engine.randomness import replication_seed
from respons.engine.replication import simulate_replication
from respons.runs import replications as runner

CONFIGS = Path(__file__).resolve().parent.parent / "configs"
BASELINE = CONFIGS / "vaernes-2020.yaml"
MMC = CONFIGS / "validation" / "mmc.yaml"
CONTACT_COLUMNS = ["id", "municipality", "kind", "category", "priority", "arrival_s"]


def load(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def baseline_dict(start: dt.date = dt.date(2020, 5, 18), weeks: int = 4, **extra) -> dict:
    """The 2020 baseline over `weeks` weeks from `start` (members joining later dropped)."""
    d = load(BASELINE)
    end = start + dt.timedelta(weeks=weeks)
    d["period"] = {"start": start, "end": end}
    d["municipalities"] = [m for m in d["municipalities"] if m["joined"] < end]
    d.update(extra)
    return d


def validate(d: dict) -> ScenarioConfig:
    return ScenarioConfig.model_validate(d)


# ---------------------------------------------------------- (a) more staff is never worse


def test_more_operators_never_worse_common_random_numbers():
    base_d = baseline_dict(replications=4)
    more_d = copy.deepcopy(base_d)
    (ops,) = [p for p in more_d["pools"] if p["name"] == "operators"]
    for shift in ops["shifts"]:
        shift["staff"] += 1
    base = runner.run(validate(base_d), keep_events=True)
    more = runner.run(validate(more_d), keep_events=True)

    # The same contacts arrive in both runs (common random numbers); follow-ups (IT work
    # orders) arrive when their alert's handling ends, which staffing moves.
    pd.testing.assert_frame_equal(
        base.events.loc[base.events["parent_id"] < 0, ["replication", *CONTACT_COLUMNS]],
        more.events.loc[more.events["parent_id"] < 0, ["replication", *CONTACT_COLUMNS]],
    )
    b, m = base.replications, more.replications
    assert len(b) == len(m) == 4
    np.testing.assert_array_equal(b["alarms_answered"], m["alarms_answered"])
    np.testing.assert_array_equal(b["technical_alerts"], m["technical_alerts"])
    key = "alarms_answered_within_target_share"
    assert (m[key] >= b[key]).all(), (b[key].tolist(), m[key].tolist())
    assert (m["answer_time_mean_s"] <= b["answer_time_mean_s"]).all()
    assert (m["answer_time_p90_s"] <= b["answer_time_p90_s"]).all()
    # Strictly better on average, and the backups are needed less.
    assert m[key].mean() > b[key].mean()
    assert m["backup_answered_share"].mean() < b["backup_answered_share"].mean()


def test_extra_server_never_increases_any_wait_fcfs():
    """One FCFS queue, service times attached to contacts: with one more server every single
    contact waits no longer (Kiefer-Wolfowitz workload monotonicity), sample path by path."""
    d = load(MMC)
    d["period"] = {"start": dt.date(2021, 1, 4), "end": dt.date(2021, 1, 18)}
    d["replications"] = 1
    base = simulate_replication(validate(d), 0).events
    d["pools"][0]["shifts"][0]["staff"] = 3
    more = simulate_replication(validate(d), 0).events
    pd.testing.assert_frame_equal(base[CONTACT_COLUMNS], more[CONTACT_COLUMNS])
    # Each contact keeps its handling time (up to rounding of end = answer + service).
    np.testing.assert_allclose(
        base["end_s"] - base["answer_s"], more["end_s"] - more["answer_s"], rtol=1e-12,
        atol=1e-9,
    )
    wb, wm = base["wait_s"].to_numpy(), more["wait_s"].to_numpy()
    assert not np.isnan(wb).any() and not np.isnan(wm).any()
    # 1e-6 s only absorbs float rounding of sums of different lengths.
    assert (wm <= wb + 1e-6).all()
    assert wm.sum() < wb.sum()


# ----------------------------------------------------------------- (b) reproducibility


@pytest.fixture(scope="module")
def two_rep_run() -> tuple[dict, runner.RunResult]:
    d = baseline_dict(weeks=2, replications=2)
    return d, runner.run(validate(d), keep_events=True)


def test_same_seed_identical(two_rep_run):
    d, first = two_rep_run
    again = runner.run(validate(d), keep_events=True)
    assert again.summary == first.summary
    pd.testing.assert_frame_equal(again.replications, first.replications)
    pd.testing.assert_frame_equal(again.events, first.events)


def test_different_seed_differs(two_rep_run):
    d, first = two_rep_run
    other = runner.run(validate({**d, "seed": d["seed"] + 1}), keep_events=True)
    assert other.summary != first.summary
    assert not first.events["arrival_s"].equals(other.events["arrival_s"])
    assert other.summary["alarms_answered"]["mean"] != first.summary["alarms_answered"]["mean"]


def test_replications_differ_from_each_other(two_rep_run):
    _, first = two_rep_run
    ev = first.events
    a0 = ev.loc[ev["replication"] == 0, "arrival_s"].to_numpy()
    a1 = ev.loc[ev["replication"] == 1, "arrival_s"].to_numpy()
    assert a0.size != a1.size or not np.array_equal(a0, a1)


# ----------------------------------------------------------------- (c) named streams


def test_adding_a_municipality_leaves_others_unchanged():
    d = baseline_dict(weeks=3, replications=1)
    base = simulate_replication(validate(d), 0).events
    new = {
        "name": "Nyby", "number": "9999", "population": 8000, "population_80plus": 400,
        "joined": dt.date(2019, 1, 1), "services": ["alarm", "technical", "legevakt"],
    }
    d2 = copy.deepcopy(d)
    d2["municipalities"].insert(0, new)  # first, so every other member's index shifts
    grown = simulate_replication(validate(d2), 0).events

    assert (grown["municipality"] == "Nyby").sum() > 50
    # contacts and tasks with their own rate; a follow-up (a nurse's call-back, an IT work
    # order) arrives after its parent's handling ends, which the new member's load may move
    base = base[base["parent_id"] < 0]
    grown = grown[grown["parent_id"] < 0]
    rest = grown[grown["municipality"] != "Nyby"]
    assert len(rest) == len(base)
    cols = ["kind", "arrival_s"]
    for name in base["municipality"].cat.categories:
        b = base.loc[base["municipality"] == name, cols].reset_index(drop=True)
        g = rest.loc[rest["municipality"] == name, cols].reset_index(drop=True)
        assert len(b) > 0, name
        pd.testing.assert_frame_equal(
            b.astype({"kind": str}), g.astype({"kind": str}), obj=name
        )
    # Attributes drawn per contact follow it too: alarms and technical alerts keep waiting,
    # so all are answered in both runs, and each keeps its outcome.
    keep = ["alarm", "technical"]
    bo = base[base["category"].isin(keep)].sort_values(["municipality", "kind", "arrival_s"])
    go = rest[rest["category"].isin(keep)]
    go = go.assign(municipality=go["municipality"].astype(str)).sort_values(
        ["municipality", "kind", "arrival_s"])
    bo = bo.assign(municipality=bo["municipality"].astype(str)).sort_values(
        ["municipality", "kind", "arrival_s"])
    assert bo["answer_s"].notna().all() and go["answer_s"].notna().all()
    np.testing.assert_array_equal(bo["outcome"].astype(str), go["outcome"].astype(str))
    np.testing.assert_array_equal(bo["arrival_s"], go["arrival_s"])


# --------------------------------------------------- (d) replications are independent runs


def test_replication_alone_equals_replication_in_a_run():
    d = baseline_dict(weeks=2, replications=3)
    cfg = validate(d)
    res = runner.run(cfg, keep_events=True)
    spawned = np.random.SeedSequence(cfg.seed).spawn(3)
    for r in range(3):
        assert np.array_equal(
            replication_seed(cfg.seed, r).generate_state(4), spawned[r].generate_state(4)
        )
        alone = simulate_replication(cfg, r)
        in_run = res.events[res.events["replication"] == r].reset_index(drop=True)
        pd.testing.assert_frame_equal(alone.events, in_run)
        row = res.replications.iloc[r].to_dict()
        assert row.pop("replication") == r
        alone_kpis = runner.replication_kpis(alone, cfg.target_s)
        assert list(row) == list(alone_kpis)  # nan (no IT work) equals nan here:
        np.testing.assert_array_equal(list(row.values()), list(alone_kpis.values()))

    # A 1-replication run is replication 0 of the 3-replication run.
    single = runner.run(validate({**d, "replications": 1}), keep_events=True)
    pd.testing.assert_frame_equal(
        single.events, res.events[res.events["replication"] == 0].reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(single.replications, res.replications.iloc[:1])
