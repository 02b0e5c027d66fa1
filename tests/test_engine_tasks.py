"""Exact event sequences of the core's newer features: follow-ups, pre-emptive resume,
municipality-scoped services, travel and the at-once shift change.

Rows are built by hand (deterministic times), so every start and end is known in advance.
"""

from __future__ import annotations

import numpy as np

from respons.engine import core as model
from respons.engine.contacts import CAT_CODE, Contacts
from respons.engine.core import ANSWERED, LEFT, WAITING, PoolPlan, ServicePlan
from respons.engine.rosters import OnDuty

ALARM, TECH, LEG = CAT_CODE["alarm"], CAT_CODE["technical"], CAT_CODE["legevakt"]
WALK, IT, VISIT = CAT_CODE["walk_in"], CAT_CODE["it_work"], CAT_CODE["visit"]
INF, NAN = np.inf, np.nan


def rows(arrival, service, *, category=None, priority=None, patience=None, parent=None,
         delay=None, travel=None, municipality=None) -> Contacts:
    """Contacts (parent -1) then follow-up candidates (arrival nan, a parent row)."""
    n = len(arrival)
    parent = parent if parent is not None else [-1] * n
    return Contacts(
        arrival=np.asarray(arrival, dtype=float),
        kind=np.zeros(n, dtype=np.int16),
        municipality=np.asarray(municipality or [0] * n, dtype=np.int16),
        category=np.asarray(category or [ALARM] * n, dtype=np.int8),
        priority=np.asarray(priority or [1] * n, dtype=np.int8),
        service=np.asarray(service, dtype=float),
        outcome=np.zeros(n, dtype=np.int8),
        patience=np.asarray(patience or [INF] * n, dtype=float),
        parent=np.asarray(parent, dtype=np.int64),
        delay=np.asarray(delay or [0.0] * n, dtype=float),
        travel=np.asarray(travel or [0.0] * n, dtype=float),
        deadline=np.full(n, NAN),
    )


def serve(cat: int, *, primary: bool = True, municipalities=None, interruptible=False,
          interrupts=False, delay: float = 0.0) -> ServicePlan:
    return ServicePlan(category=cat, delay_s=delay, primary=primary,
                       municipalities=municipalities, interruptible=interruptible,
                       interrupts=interrupts)


def duty(times, counts) -> OnDuty:
    return OnDuty(np.asarray(times, dtype=float), np.asarray(counts, dtype=np.int64))


def pool(name, staff, *services, changes=None) -> PoolPlan:
    on = staff if isinstance(staff, OnDuty) else duty([0.0], [staff])
    return PoolPlan(name, on, tuple(services), 1.0, changes)


def eq(actual, expected) -> None:
    np.testing.assert_array_equal(np.asarray(actual), np.asarray(expected, dtype=float))


# ---------------------------------------------------------------------------- follow-ups


def test_follow_up_arrives_delay_after_parent_end_and_queues_for_its_pool():
    # #0 alarm 0..100 -> work order #3 (delay 10) at 110; #1 alarm waits 20..100..130 -> #4
    # (delay 0) at 130, waits for IT until 160; #2 leaves at 40 (patience 20): its follow-up
    # #5 is never created.
    cs = rows([0, 20, 20, NAN, NAN, NAN], [100, 30, 5, 50, 50, 50],
              category=[ALARM, ALARM, ALARM, IT, IT, IT],
              patience=[INF, INF, 20, INF, INF, INF],
              parent=[-1, -1, -1, 0, 1, 2], delay=[0, 0, 0, 10, 0, 0])
    pools = [pool("op", 1, serve(ALARM)), pool("it", 1, serve(IT))]
    out = model.run(cs, pools, 10_000)
    eq(out.arrival, [0, 20, 20, 110, 130, NAN])
    eq(out.answer, [0, 100, NAN, 110, 160, NAN])
    eq(out.end, [100, 130, NAN, 160, 210, NAN])
    eq(out.pool, [0, 0, -1, 1, 1, -1])
    eq(out.state, [ANSWERED, ANSWERED, LEFT, ANSWERED, ANSWERED, WAITING])


def test_nested_follow_up_and_follow_up_after_run_end_stays_uncreated():
    # #0 0..10 -> #1 at 15 (15..35) -> #2 at 35 + 100 = 135 > run end 100: not created.
    cs = rows([0, NAN, NAN], [10, 20, 5], category=[ALARM, IT, IT], parent=[-1, 0, 1],
              delay=[0, 5, 100])
    out = model.run(cs, [pool("op", 1, serve(ALARM)), pool("it", 1, serve(IT))], 100)
    eq(out.arrival, [0, 15, NAN])
    eq(out.answer, [0, 15, NAN])
    eq(out.end, [10, 35, NAN])


def test_follow_up_priority_over_older_task():
    # IT busy with #1 (own arrival at 0, 0..50). Work order #2 (priority 0) arrives at 20,
    # after planned work #... #3 (priority 5, at 5): the order goes first at 50.
    cs = rows([0, 0, 5, NAN], [20, 50, 30, 10], category=[ALARM, IT, IT, IT],
              priority=[1, 5, 5, 0], parent=[-1, -1, -1, 0])
    out = model.run(cs, [pool("op", 1, serve(ALARM)), pool("it", 1, serve(IT))], 1000)
    eq(out.arrival, [0, 0, 5, 20])
    eq(out.answer, [0, 0, 60, 50])
    eq(out.end, [20, 50, 90, 60])


# ----------------------------------------------------------------- pre-emptive resume


def nurse_pool(staff=1, changes=None):
    return pool("nurses", staff, serve(LEG, interrupts=True), serve(WALK, interruptible=True),
                changes=changes)


def test_call_interrupts_walk_in_which_resumes_with_its_remaining_time():
    # Walk-in #0 (prio 5) 0..30, interrupted by call #1 (30..50), resumes 50..120; call #2 at
    # 60 interrupts again (60..70), walk-in ends 130.
    cs = rows([0, 30, 60], [100, 20, 10], category=[WALK, LEG, LEG], priority=[5, 1, 1])
    out = model.run(cs, [nurse_pool()], 1000)
    eq(out.answer, [0, 30, 60])
    eq(out.end, [130, 50, 70])
    eq(out.state, [ANSWERED] * 3)
    eq(out.interrupted, [30, 0, 0])
    eq(out.pieces, [[0, 0, 0, 30], [0, 0, 50, 60], [0, 0, 70, 130]])


def test_only_more_urgent_contacts_interrupt_and_a_free_person_is_used_first():
    # Two nurses: walk-ins #0 (0..100) and #1 (10..110). Call #2 at 20 interrupts the most
    # recently started (#1); call #3 (priority 6, less urgent than walk-ins) waits.
    cs = rows([0, 10, 20, 25], [100, 100, 10, 10], category=[WALK, WALK, LEG, LEG],
              priority=[5, 5, 1, 6])
    out = model.run(cs, [nurse_pool(2)], 1000)
    # #2 20..30; then nurse B takes the best waiting: #1 (prio 5, resumed, 90 left) 30..120;
    # #3 waits until nurse A ends #0 at 100: 100..110.
    eq(out.answer, [0, 10, 20, 100])
    eq(out.end, [100, 120, 30, 110])
    eq(out.interrupted, [0, 10, 0, 0])


def test_interrupted_task_goes_before_later_tasks_and_keeps_first_start():
    cs = rows([0, 5, 10], [50, 20, 30], category=[WALK, WALK, LEG], priority=[5, 5, 1])
    out = model.run(cs, [nurse_pool()], 1000)
    # #0 0..10, call #2 10..40, #0 resumes 40..80 (before #1, which waited since 5), #1 80..100
    eq(out.answer, [0, 80, 10])
    eq(out.end, [80, 100, 40])
    assert out.interrupted[0] == 30


def test_interrupted_work_of_another_pool_is_taken_by_someone_free():
    # Nurse (1) on walk-in #0 is interrupted by call #1 at 10; a coordinator free and serving
    # walk-ins takes the task up at once (resumes 10..100).
    cs = rows([0, 10], [100, 30], category=[WALK, LEG], priority=[5, 1])
    coord = pool("coordinator", duty([0, 5], [0, 1]), serve(WALK))
    out = model.run(cs, [nurse_pool(), coord], 1000)
    eq(out.answer, [0, 10])
    eq(out.end, [100, 40])
    eq(out.pool, [1, 0])
    eq(out.pieces, [[0, 0, 0, 10], [0, 1, 10, 100]])


def test_after_wait_backup_interrupts_when_the_wait_is_over():
    # Nurse on walk-in #1 from 5; alarm #2 waits for the busy operator and after 60 s (at 80)
    # interrupts the walk-in.
    cs = rows([0, 5, 20], [1000, 100, 30], category=[ALARM, WALK, ALARM], priority=[1, 5, 1])
    nurses = pool("nurses", 1, serve(WALK, interruptible=True),
                  serve(ALARM, primary=False, delay=60, interrupts=True))
    out = model.run(cs, [pool("op", 1, serve(ALARM)), nurses], 5000)
    eq(out.answer, [0, 5, 80])
    eq(out.end, [1000, 135, 110])
    eq(out.backup, [False, False, True])


# ------------------------------------------------------------------- scoped services


def test_scoped_pool_takes_only_its_municipality():
    # Team A (municipality 0) busy with #0; visit #1 from municipality 0 waits for team A
    # although team B (municipality 1) is free; #2 from municipality 1 goes to team B.
    cs = rows([0, 10, 20], [100, 10, 10], category=[VISIT] * 3, municipality=[0, 0, 1])
    pools = [pool("team_a", 1, serve(VISIT, municipalities=(0,))),
             pool("team_b", 1, serve(VISIT, municipalities=(1,)))]
    out = model.run(cs, pools, 1000)
    eq(out.answer, [0, 100, 20])
    eq(out.pool, [0, 0, 1])


def test_unscoped_backup_sees_every_municipality_in_fcfs_order():
    cs = rows([0, 1, 5, 6], [100, 100, 10, 10], category=[VISIT] * 4, municipality=[0, 1, 1, 0])
    pools = [pool("team_a", 1, serve(VISIT, municipalities=(0,))),
             pool("team_b", 1, serve(VISIT, municipalities=(1,))),
             pool("central", duty([0, 50], [0, 1]), serve(VISIT))]
    out = model.run(cs, pools, 1000)
    # at 50 the central team comes on and takes the oldest waiting (#2, from municipality 1),
    # then #3 at 60.
    eq(out.answer, [0, 1, 50, 60])
    eq(out.pool, [0, 1, 2, 2])


def test_travel_there_and_back_occupies_the_team():
    cs = rows([0, 10], [100, 10], category=[VISIT, VISIT], travel=[60, 0])
    out = model.run(cs, [pool("team", 1, serve(VISIT))], 1000)
    eq(out.end, [220, 230])
    eq(out.answer, [0, 220])


# --------------------------------------------------------------------- shift change


def change(times, ins, outs):
    return tuple(np.asarray(x, dtype=float if k == 0 else np.int64)
                 for k, x in enumerate((times, ins, outs)))


def test_netted_shift_change_newcomer_waits_for_the_leavers_call():
    cs = rows([50, 110, 120], [100, 100, 10])
    out = model.run(cs, [pool("op", duty([0], [1]), serve(ALARM))], 1000)
    # One person on duty throughout (1 leaves, 1 comes at 100: netted to no change).
    eq(out.answer, [50, 150, 250])


def test_at_once_shift_change_newcomer_starts_and_leaver_leaves_after_the_call():
    # Shift 1 (1 person) to 100, shift 2 (1 person) from 100. #0 runs 50..150 on the leaver.
    # #1 at 110 goes to the newcomer at once (110..210); #2 at 120 waits: the leaver goes home
    # at 150 instead of taking it; the newcomer takes it at 210.
    cs = rows([50, 110, 120], [100, 100, 10])
    op = pool("op", duty([0], [1]), serve(ALARM), changes=change([0, 100], [1, 1], [0, 1]))
    out = model.run(cs, [op], 1000)
    eq(out.answer, [50, 110, 210])
    eq(out.end, [150, 210, 220])


def test_at_once_idle_leavers_go_at_once_and_two_changes_in_one_call():
    # Two on duty to 100 (one idle, one on #0 until 250); one comes at 100 and leaves at 200,
    # one comes at 200. #1 at 150 (to 160) and #2 at 210 go to whoever is on duty; #3 at 215
    # waits for #2 to end (the leaver of shift 1 is still on #0 and does not count).
    cs = rows([0, 150, 210, 215], [250, 10, 20, 5])
    op = pool("op", duty([0], [2]), serve(ALARM),
              changes=change([0, 100, 200], [2, 1, 1], [0, 2, 1]))
    out = model.run(cs, [op], 1000)
    eq(out.answer, [0, 150, 210, 230])
    eq(out.end, [250, 160, 230, 235])


def test_at_once_interruptions_only_stop_staff_who_stay():
    # The leaver's walk-in #0 (0..200) is not interrupted by call #1 at 120: the newcomer
    # (from 100) is free and takes the call.
    cs = rows([0, 120], [200, 10], category=[WALK, LEG], priority=[5, 1])
    out = model.run(cs, [nurse_pool(changes=change([0, 100], [1, 1], [0, 1]))], 1000)
    eq(out.answer, [0, 120])
    eq(out.end, [200, 130])
    eq(out.interrupted, [0, 0])
