"""Exact event sequences of the SimPy core on tiny hand-built scenarios.

Contacts and rosters are built directly (deterministic arrival and service times), so every
answer and end time is known in advance and asserted exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from respons.config import ScenarioConfig
from respons.engine import core as model
from respons.engine.contacts import CAT_CODE, Contacts
from respons.engine.core import ANSWERED, LEFT, WAITING, PoolPlan, ServicePlan
from respons.engine.replication import EVENT_COLUMNS, simulate_replication
from respons.engine.rosters import OnDuty

ALARM = CAT_CODE["alarm"]
TECH = CAT_CODE["technical"]
INF = np.inf
NAN = np.nan


def make_contacts(
    arrival: list[float],
    service: list[float],
    *,
    category: list[int] | None = None,
    priority: list[int] | None = None,
    patience: list[float] | None = None,
) -> Contacts:
    n = len(arrival)
    assert len(service) == n
    return Contacts(
        arrival=np.asarray(arrival, dtype=float),
        kind=np.zeros(n, dtype=np.int16),
        municipality=np.zeros(n, dtype=np.int16),
        category=np.asarray(category if category is not None else [ALARM] * n, dtype=np.int8),
        priority=np.asarray(priority if priority is not None else [1] * n, dtype=np.int8),
        service=np.asarray(service, dtype=float),
        outcome=np.zeros(n, dtype=np.int8),
        patience=np.asarray(patience if patience is not None else [INF] * n, dtype=float),
    )


def duty(times: list[float], counts: list[int]) -> OnDuty:
    return OnDuty(times=np.asarray(times, dtype=float), counts=np.asarray(counts, dtype=np.int64))


def primary(cat: int = ALARM, unavailable: tuple[tuple[float, float], ...] = ()) -> ServicePlan:
    return ServicePlan(category=cat, delay_s=0.0, primary=True, unavailable=unavailable)


def all_busy(cat: int = ALARM, unavailable: tuple[tuple[float, float], ...] = ()) -> ServicePlan:
    return ServicePlan(category=cat, delay_s=0.0, primary=False, unavailable=unavailable)


def after_wait(
    delay: float, cat: int = ALARM, unavailable: tuple[tuple[float, float], ...] = ()
) -> ServicePlan:
    return ServicePlan(category=cat, delay_s=delay, primary=False, unavailable=unavailable)


def pool(name: str, staff: int | OnDuty, *services: ServicePlan, speed: float = 1.0) -> PoolPlan:
    on = staff if isinstance(staff, OnDuty) else duty([0.0], [staff])
    return PoolPlan(name, on, tuple(services), speed)


def check(
    out: model.Outcome,
    answer: list[float],
    end: list[float],
    pool_idx: list[int],
    *,
    backup: list[bool] | None = None,
    state: list[int] | None = None,
) -> None:
    np.testing.assert_array_equal(out.answer, np.asarray(answer, dtype=float))
    np.testing.assert_array_equal(out.end, np.asarray(end, dtype=float))
    np.testing.assert_array_equal(out.pool, np.asarray(pool_idx, dtype=np.int16))
    n = len(answer)
    np.testing.assert_array_equal(out.backup, np.asarray(backup or [False] * n))
    np.testing.assert_array_equal(out.state, np.asarray(state or [ANSWERED] * n, dtype=np.int8))


# ------------------------------------------------------------------------ single operator


def test_one_operator_fcfs_queue():
    cs = make_contacts([0, 10, 20], [30, 30, 30])
    out = model.run(cs, [pool("op", 1, primary())], 1000)
    check(out, [0, 30, 60], [30, 60, 90], [0, 0, 0])
    assert out.answer.dtype == np.float64 and out.end.dtype == np.float64
    assert out.pool.dtype == np.int16 and out.state.dtype == np.int8
    assert out.backup.dtype == bool


def test_idle_gaps_answer_at_arrival():
    cs = make_contacts([5, 100, 110, 400], [50, 20, 20, 1])
    out = model.run(cs, [pool("op", 1, primary())], 1000)
    check(out, [5, 100, 120, 400], [55, 120, 140, 401], [0, 0, 0, 0])


def test_two_operators_share_the_queue():
    cs = make_contacts([0, 0, 1, 2, 3], [100, 50, 10, 10, 10])
    out = model.run(cs, [pool("op", 2, primary())], 1000)
    # t=0: both busy; op B frees at 50 -> #2 (50..60) -> #3 (60..70) -> #4 (70..80).
    check(out, [0, 0, 50, 60, 70], [100, 50, 60, 70, 80], [0, 0, 0, 0, 0])


def test_empty_contacts():
    out = model.run(make_contacts([], []), [pool("op", 1, primary())], 100)
    assert out.answer.size == out.end.size == out.pool.size == out.state.size == 0


def test_still_queued_at_the_end_stays_waiting():
    cs = make_contacts([0, 10, 20], [100, 100, 100])
    out = model.run(cs, [pool("op", 1, primary())], 150)
    check(out, [0, 100, NAN], [100, 200, NAN], [0, 0, -1], state=[ANSWERED, ANSWERED, WAITING])


# --------------------------------------------------------------------------- priorities


def test_urgent_contact_jumps_queue_without_preemption():
    # A (prio 1) in service 0..100; B (prio 2) waits from 10; C (prio 0) arrives at 20.
    cs = make_contacts([0, 10, 20], [100, 30, 40], priority=[1, 2, 0])
    out = model.run(cs, [pool("op", 1, primary())], 1000)
    # A is never interrupted; C goes before B although it arrived later.
    check(out, [0, 140, 100], [100, 170, 140], [0, 0, 0])


def test_fcfs_within_priority_and_priority_across():
    arrival = [0, 1, 2, 3, 4, 5]
    prio = [1, 2, 1, 2, 0, 1]
    cs = make_contacts(arrival, [10] * 6, priority=prio)
    out = model.run(cs, [pool("op", 1, primary())], 1000)
    # After #0 ends at 10: #4 (prio 0), then prio 1 in arrival order #2, #5, then prio 2 #1, #3.
    order = np.argsort(out.answer)
    assert order.tolist() == [0, 4, 2, 5, 1, 3]
    check(out, [0, 40, 20, 50, 10, 30], [10, 50, 30, 60, 20, 40], [0] * 6)


def test_pool_picks_best_over_its_categories():
    # One operator serves alarms and technical; the technical contact waited longer but the
    # alarm is more urgent; among equal priority the earlier arrival wins across categories.
    cs = make_contacts(
        [0, 1, 2, 3, 4],
        [10, 10, 10, 10, 10],
        category=[ALARM, TECH, ALARM, TECH, ALARM],
        priority=[1, 5, 1, 1, 1],
    )
    out = model.run(cs, [pool("op", 1, primary(ALARM), primary(TECH))], 1000)
    # queue after #0: #1 (T,5), #2 (A,1), #3 (T,1), #4 (A,1) -> #2, #3, #4, then #1.
    check(out, [0, 40, 10, 20, 30], [10, 50, 20, 30, 40], [0] * 5)


def test_category_not_served_is_never_answered():
    cs = make_contacts([0, 1], [10, 10], category=[ALARM, TECH])
    out = model.run(cs, [pool("op", 1, primary(ALARM))], 1000)
    check(out, [0, NAN], [10, NAN], [0, -1], state=[ANSWERED, WAITING])


# ---------------------------------------------------------------------- after_wait backup


def test_after_wait_backup_takes_contact_exactly_after_delay():
    cs = make_contacts([0, 10], [1000, 50])
    pools = [pool("op", 1, primary()), pool("nurse", 1, after_wait(60))]
    out = model.run(cs, pools, 5000)
    check(out, [0, 70], [1000, 120], [0, 1], backup=[False, True])


def test_after_wait_backup_never_takes_on_arrival_even_when_free():
    # Primary free: the primary answers at once even though the backup is listed first.
    cs = make_contacts([0], [50])
    pools = [pool("nurse", 1, after_wait(60)), pool("op", 1, primary())]
    out = model.run(cs, pools, 5000)
    check(out, [0], [50], [1])


def test_primary_freed_before_delay_takes_it():
    cs = make_contacts([0, 10], [40, 50])
    pools = [pool("op", 1, primary()), pool("nurse", 1, after_wait(60))]
    out = model.run(cs, pools, 5000)
    check(out, [0, 40], [40, 90], [0, 0])


def test_after_wait_backup_busy_at_deadline_takes_it_when_freed():
    # Nurse busy with her own legevakt call until 200; the alarm waited 60 s at 70.
    leg = CAT_CODE["legevakt"]
    cs = make_contacts([0, 5, 10], [1000, 195, 30], category=[ALARM, leg, ALARM])
    pools = [pool("op", 1, primary()), pool("nurse", 1, primary(leg), after_wait(60))]
    out = model.run(cs, pools, 5000)
    check(out, [0, 5, 200], [1000, 200, 230], [0, 1, 1], backup=[False, False, True])


def test_after_wait_respects_each_contacts_own_delay():
    # Two alarms queued at 10 and 30: the backup (2 staff) takes them at 70 and 90.
    cs = make_contacts([0, 10, 30], [1000, 500, 500])
    pools = [pool("op", 1, primary()), pool("nurse", 2, after_wait(60))]
    out = model.run(cs, pools, 5000)
    check(out, [0, 70, 90], [1000, 570, 590], [0, 1, 1], backup=[False, True, True])


def test_after_wait_oldest_eligible_over_priorities():
    # Urgent #2 (prio 0) arrives at 50 and has not waited 60 s at 70; #1 (prio 2) has: the
    # backup takes #1 at 70, then #2 at 110 (second nurse).
    cs = make_contacts([0, 10, 50], [1000, 500, 500], priority=[1, 2, 0])
    pools = [pool("op", 1, primary()), pool("nurse", 2, after_wait(60))]
    out = model.run(cs, pools, 5000)
    check(out, [0, 70, 110], [1000, 570, 610], [0, 1, 1], backup=[False, True, True])


# ------------------------------------------------------------------------ all_busy backup


def test_all_busy_backup_only_when_primary_busy():
    # Pools listed backup first: the primary is still preferred when it has someone free.
    cs = make_contacts([0, 5, 6, 200], [100, 50, 10, 10])
    pools = [pool("lead", 1, all_busy()), pool("op", 1, primary())]
    out = model.run(cs, pools, 1000)
    # #0 -> op (free); #1 -> lead (op busy); #2 waits: lead frees at 55 first and takes it;
    # #3 at 200 -> op again (both free, primary preferred).
    check(
        out,
        [0, 5, 55, 200],
        [100, 55, 65, 210],
        [1, 0, 0, 1],
        backup=[False, True, True, False],
    )


def test_all_busy_primaries_before_backups_then_config_order():
    cs = make_contacts([0, 1, 2, 3], [100, 100, 100, 100])
    pools = [
        pool("lead", 1, all_busy()),
        pool("op1", 1, primary()),
        pool("it", 1, all_busy()),
        pool("op2", 1, primary()),
    ]
    out = model.run(cs, pools, 1000)
    check(
        out,
        [0, 1, 2, 3],
        [100, 101, 102, 103],
        [1, 3, 0, 2],
        backup=[False, False, True, True],
    )


# ------------------------------------------------------------------- unavailable windows


def test_after_wait_backup_not_during_unavailable_window():
    # Nurse may not answer alarms in [0, 500): the alarm waits for the operator at 300.
    cs = make_contacts([0, 100], [300, 50])
    pools = [pool("op", 1, primary()), pool("nurse", 1, after_wait(60, unavailable=((0, 500),)))]
    out = model.run(cs, pools, 5000)
    check(out, [0, 300], [300, 350], [0, 0])


def test_after_wait_backup_after_window_ended():
    cs = make_contacts([0, 100], [1000, 50])
    pools = [pool("op", 1, primary()), pool("nurse", 1, after_wait(60, unavailable=((0, 50),)))]
    out = model.run(cs, pools, 5000)
    check(out, [0, 160], [1000, 210], [0, 1], backup=[False, True])


def test_all_busy_backup_unavailable_window():
    # Lead does not answer in [0, 100): #1 at 10 waits for the operator; #3 at 150 -> lead.
    cs = make_contacts([0, 10, 140, 150], [100, 30, 100, 10])
    pools = [pool("op", 1, primary()), pool("lead", 1, all_busy(unavailable=((0, 100),)))]
    out = model.run(cs, pools, 5000)
    # #0 op 0..100; #1 op 100..130; #2 op 140..240; #3 lead at 150 (op busy, window over).
    check(
        out,
        [0, 100, 140, 150],
        [100, 130, 240, 160],
        [0, 0, 0, 1],
        backup=[False, False, False, True],
    )


def test_backup_takes_waiting_contact_when_window_ends():
    # The alarm has waited > 60 s when the nurse's window ends at 500; she is free then, so
    # she takes it at 500 (the window's end wakes the pool).
    cs = make_contacts([0, 100], [1000, 50])
    pools = [pool("op", 1, primary()), pool("nurse", 1, after_wait(60, unavailable=((0, 500),)))]
    out = model.run(cs, pools, 5000)
    assert out.answer[1] == 500 and out.pool[1] == 1


def test_primary_window_end_keeps_fcfs():
    cs = make_contacts([10, 200], [50, 50])
    out = model.run(cs, [pool("op", 1, primary(unavailable=((0, 100),)))], 1000)
    # #0 is answered at 100 (window end), #1 at 200.
    assert out.answer[0] == 100 and out.answer[1] == 200
    assert out.answer[0] <= out.answer[1]


# ----------------------------------------------------------------------------- rosters


def test_shift_end_finishes_call_and_no_new_call_until_back_on_duty():
    # One operator on [0, 100) and from 200; #0 runs past the shift end (50..150).
    cs = make_contacts([50, 60, 250], [100, 10, 10])
    out = model.run(cs, [pool("op", duty([0, 100, 200], [1, 0, 1]), primary())], 1000)
    # #1 is not answered at 150 (nobody on duty) but at 200 when the shift starts.
    check(out, [50, 200, 250], [150, 210, 260], [0, 0, 0])


def test_roster_decrease_while_all_busy():
    # Two on duty, both busy when the roster drops to one at 100: free goes to -1; the first
    # call ending (120) frees nobody, the second (130) lets the waiting contact start.
    cs = make_contacts([0, 0, 50], [120, 130, 10])
    out = model.run(cs, [pool("op", duty([0, 100], [2, 1]), primary())], 1000)
    check(out, [0, 0, 130], [120, 130, 140], [0, 0, 0])


def test_roster_increase_takes_waiting_contacts_immediately():
    cs = make_contacts([0, 10, 20, 30], [1000, 40, 40, 40], priority=[1, 2, 1, 1])
    out = model.run(cs, [pool("op", duty([0, 100], [1, 3]), primary())], 5000)
    # At 100 two more staff come on: they take the best two waiting (#2, #3, prio 1); #1
    # (prio 2) when the first of them frees at 140.
    check(out, [0, 140, 100, 100], [1000, 180, 140, 140], [0, 0, 0, 0])


def test_nobody_on_duty_at_start():
    cs = make_contacts([0, 10], [5, 5])
    out = model.run(cs, [pool("op", duty([0, 30, 40], [0, 1, 0]), primary())], 1000)
    check(out, [30, 35], [35, 40], [0, 0])


def test_shift_gap_leaves_contact_waiting_until_the_end():
    cs = make_contacts([150], [5])
    out = model.run(cs, [pool("op", duty([0, 100], [1, 0]), primary())], 1000)
    check(out, [NAN], [NAN], [-1], state=[WAITING])


# ---------------------------------------------------------------------------- patience


def test_patience_expires_before_answer():
    cs = make_contacts([0, 10, 20], [100, 30, 30], patience=[INF, 50, 200])
    out = model.run(cs, [pool("op", 1, primary())], 1000)
    # #1 leaves at 60; #2 (patience until 220) is answered at 100.
    check(
        out,
        [0, NAN, 100],
        [100, NAN, 130],
        [0, -1, 0],
        state=[ANSWERED, LEFT, ANSWERED],
    )


def test_answered_before_patience_stays_answered():
    cs = make_contacts([0, 10], [100, 30], patience=[5, 150])
    out = model.run(cs, [pool("op", 1, primary())], 1000)
    # #0 answered at once (patience irrelevant), #1 answered at 100 < 160.
    check(out, [0, 100], [100, 130], [0, 0])


def test_left_contact_is_skipped_in_the_middle_of_the_queue():
    cs = make_contacts([0, 1, 2, 3], [100, 10, 10, 10], patience=[INF, INF, 20, INF])
    out = model.run(cs, [pool("op", 1, primary())], 1000)
    check(
        out,
        [0, 100, NAN, 110],
        [100, 110, NAN, 120],
        [0, 0, -1, 0],
        state=[ANSWERED, ANSWERED, LEFT, ANSWERED],
    )


def test_left_contact_not_taken_by_after_wait_backup():
    cs = make_contacts([0, 10], [1000, 10], patience=[INF, 30])
    pools = [pool("op", 1, primary()), pool("nurse", 1, after_wait(60))]
    out = model.run(cs, pools, 5000)
    check(out, [0, NAN], [1000, NAN], [0, -1], state=[ANSWERED, LEFT])


# ------------------------------------------------------------------------------- speed


def test_speed_factor_scales_duration():
    cs = make_contacts([0, 10, 20], [100, 100, 100])
    pools = [pool("slow", 1, primary(), speed=1.5), pool("fast", 1, primary(), speed=0.5)]
    out = model.run(cs, pools, 5000)
    # #0 slow 0..150, #1 fast 10..60, #2 fast 60..110.
    check(out, [0, 10, 60], [150, 60, 110], [0, 1, 1])


# -------------------------------------------------------------------------- end to end


def _tiny_cfg(**extra) -> ScenarioConfig:
    d = {
        "scenario": "tiny",
        "period": {"start": "2021-01-04", "end": "2021-01-11"},
        "replications": 1,
        "seed": 7,
        "drain_days": 1,
        "profiles": {"flat": {"hourly": [1] * 24}},
        "municipalities": [
            {"name": "A", "number": "0001", "population": 1000, "joined": "2020-01-01"}
        ],
        "event_kinds": [
            {
                "name": "call",
                "category": "alarm",
                "priority": 1,
                "rate": {"basis": "per_municipality", "per_year": 8760 * 15},
                "profile": "flat",
                "talk": {"kind": "deterministic", "value": 150},
                "wrap_up": {"kind": "deterministic", "value": 30},
            }
        ],
        "pools": [
            {
                "name": "operators",
                "role": "operator",
                "serves": [{"category": "alarm"}],
                "shifts": [{"start": "00:00", "end": "24:00", "staff": 1}],
            }
        ],
    }
    d.update(extra)
    return ScenarioConfig.model_validate(d)


def test_simulate_replication_event_table_single_server():
    cfg = _tiny_cfg()
    res = simulate_replication(cfg, 0)
    ev = res.events
    assert tuple(ev.columns) == EVENT_COLUMNS
    expected_dtypes = {
        "id": "int64",
        "replication": "int32",
        "priority": "int8",
        "arrival_s": "float64",
        "answer_s": "float64",
        "by_backup": "bool",
        "wait_s": "float64",
        "end_s": "float64",
        "homecare_arrival_s": "float64",
        "rerouted": "bool",
        "parent_id": "int64",
        "left_s": "float64",
        "deadline_s": "float64",
        "interrupted_s": "float64",
    }
    for col, dtype in expected_dtypes.items():
        assert str(ev[col].dtype) == dtype, col
    for col in ("municipality", "kind", "category", "answered_by", "outcome"):
        assert isinstance(ev[col].dtype, pd.CategoricalDtype), col
    assert list(ev["category"].cat.categories) == [
        "alarm", "technical", "legevakt", "callback", "walk_in", "it_work", "visit"]
    assert list(ev["answered_by"].cat.categories) == ["operators"]
    assert list(ev["outcome"].cat.categories) == [
        "resolved_by_operator", "homecare", "emergency", "it_technical",
        "rerouted", "abandoned", "unanswered",
    ]

    n = len(ev)
    assert 2300 < n < 2750  # 15/h for 168 h
    assert ev["id"].tolist() == list(range(n))
    assert (ev["replication"] == 0).all()
    assert (ev["municipality"] == "A").all() and (ev["kind"] == "call").all()
    assert (ev["category"] == "alarm").all() and (ev["priority"] == 1).all()
    assert np.all(np.diff(ev["arrival_s"].to_numpy()) >= 0)
    assert ev["arrival_s"].between(0, 7 * 86400, inclusive="left").all()
    # Load 15/h x 180 s = 0.75 Erlang on one server: queues form and drain within a day.
    assert (ev["outcome"] == "resolved_by_operator").all()
    assert (ev["answered_by"] == "operators").all() and not ev["by_backup"].any()
    assert not ev["rerouted"].any() and ev["homecare_arrival_s"].isna().all()
    assert (ev["parent_id"] == -1).all() and ev["left_s"].isna().all()
    assert ev["deadline_s"].isna().all() and (ev["interrupted_s"] == 0).all()

    arrival = ev["arrival_s"].to_numpy()
    answer = ev["answer_s"].to_numpy()
    end = ev["end_s"].to_numpy()
    np.testing.assert_array_equal(ev["wait_s"].to_numpy(), answer - arrival)
    np.testing.assert_array_equal(end, answer + 180.0)
    # Single FCFS server: answer_i = max(arrival_i, end_{i-1}) (Lindley), exactly.
    expected = np.empty(n)
    prev_end = -np.inf
    for i in range(n):
        expected[i] = max(arrival[i], prev_end)
        prev_end = expected[i] + 180.0
    np.testing.assert_array_equal(answer, expected)
    assert (ev["wait_s"] > 0).any()

    assert res.horizon_s == 7 * 86400
    assert res.staff_seconds == {"operators": 7 * 86400}
    assert res.roles == {"operators": "operator"}


def test_simulate_replication_abandon_labels_and_nan_wait():
    cfg = _tiny_cfg(
        unanswered={"alarm": {"policy": "abandon",
                              "patience": {"kind": "deterministic", "value": 60}}},
    )
    ev = simulate_replication(cfg, 0).events
    left = ev["outcome"] == "abandoned"
    assert left.any()
    assert ev.loc[left, ["answer_s", "end_s", "wait_s", "interrupted_s"]].isna().all().all()
    assert ev.loc[left, "answered_by"].isna().all()
    # Deterministic patience: each left exactly 60 s after arriving; the others never left.
    np.testing.assert_array_equal(ev.loc[left, "left_s"], ev.loc[left, "arrival_s"] + 60.0)
    assert ev.loc[~left, "left_s"].isna().all()
    answered = ev[~left]
    # Deterministic patience 60 s: everyone answered waited at most 60 s.
    assert (answered["wait_s"] <= 60).all()
    np.testing.assert_array_equal(
        answered["wait_s"].to_numpy(),
        answered["answer_s"].to_numpy() - answered["arrival_s"].to_numpy(),
    )
    assert not ev["rerouted"].any()
