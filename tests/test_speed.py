"""Issue 19: the faster engine gives exactly the results of the event-per-step core, and what
was made lighter to import computes exactly what it replaced.

The core is compared with the previous one (tests/oracle_core.py) on random scenarios: every
dispatch rule (primary, all_busy, after_wait, closed windows, priorities, patience, rosters,
speed), and on the special path follow-ups, travel, scoped services, pre-emption and the
at-once shift change. Times are continuous, so no two events fall on the same instant (the
only case where the order of events may differ, see respons/engine/core.py).
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import oracle_core
import pandas as pd
import pytest
import simpy

from respons.analysis.intervals import T975, confidence_interval, t_quantile
from respons.config.loading import load_config
from respons.engine import core
from respons.engine.clock import arrival_clock
from respons.engine.contacts import CAT_CODE, Contacts
from respons.engine.rosters import OnDuty
from respons.runs import replications as runner

ROOT = Path(__file__).resolve().parent.parent
ALARM, TECH, LEG = CAT_CODE["alarm"], CAT_CODE["technical"], CAT_CODE["legevakt"]
WALK, IT, VISIT = CAT_CODE["walk_in"], CAT_CODE["it_work"], CAT_CODE["visit"]


# ----------------------------------------------------------------------- random scenarios

def _shifts(rng: np.random.Generator, horizon: float) -> list[tuple[float, float, int]]:
    """A few overlapping shifts (start, end, staff) covering most of the horizon."""
    out = [(0.0, float(rng.uniform(0.3, 1.2) * horizon), int(rng.integers(1, 3)))]
    for _ in range(int(rng.integers(0, 4))):
        start = float(rng.uniform(0, horizon))
        out.append((start, start + float(rng.uniform(0.05, 0.5) * horizon),
                    int(rng.integers(1, 3))))
    return out


def _duty(shifts: list[tuple[float, float, int]]) -> tuple[OnDuty, tuple[np.ndarray, ...]]:
    """The netted step function and the gross changes (times, ins, outs) of the shifts."""
    times = np.unique([t for s, e, _ in shifts for t in (s, e)])
    ins = np.array([sum(n for s, _, n in shifts if s == t) for t in times], dtype=np.int64)
    outs = np.array([sum(n for _, e, n in shifts if e == t) for t in times], dtype=np.int64)
    counts = np.cumsum(ins - outs)
    return OnDuty(times, counts), (times, ins, outs)


def _scenario(seed: int, special: bool) -> tuple[Contacts, list[dict], float]:
    """Random contacts (and follow-up candidates) and pool specs."""
    rng = np.random.default_rng(seed)
    horizon = 20_000.0
    n = int(rng.integers(30, 400))
    cats = [ALARM, TECH, LEG] + ([WALK] if special else [])
    category = rng.choice(cats, n)
    arrival = np.sort(rng.uniform(0, 0.9 * horizon, n))
    service = rng.exponential(rng.uniform(40, 500), n)
    patience = np.where(rng.random(n) < rng.uniform(0, 0.5), rng.exponential(300, n), np.inf)
    priority = rng.integers(0, 4, n)
    municipality = rng.integers(0, 3, n)
    extra = {}
    if special:  # follow-ups (IT work, visits) of some rows, one level deeper for some
        parents = np.flatnonzero(rng.random(n) < 0.25)
        more = parents[rng.random(parents.size) < 0.3] if parents.size else parents
        m1, m2 = parents.size, more.size
        kids = m1 + m2
        category = np.concatenate([category, rng.choice([IT, VISIT], kids)])
        arrival = np.concatenate([arrival, np.full(kids, np.nan)])
        service = np.concatenate([service, rng.exponential(300, kids)])
        patience = np.concatenate([patience, np.full(kids, np.inf)])
        priority = np.concatenate([priority, rng.integers(0, 4, kids)])
        municipality = np.concatenate([municipality, municipality[parents],
                                       municipality[more]])
        # second level: children of the first follow-ups of `more`
        first = {int(p): n + k for k, p in enumerate(parents)}
        parent = np.concatenate([np.full(n, -1), parents, [first[int(p)] for p in more]])
        travel = np.where(category == VISIT, rng.exponential(200, category.size), 0.0)
        extra = {"parent": parent.astype(np.int64),
                 "delay": np.where(parent >= 0, rng.exponential(100, category.size), 0.0),
                 "travel": travel, "deadline": np.full(category.size, np.nan)}
    cs = Contacts(arrival=arrival, kind=np.zeros(category.size, dtype=np.int16),
                  municipality=municipality.astype(np.int16),
                  category=category.astype(np.int8), priority=priority.astype(np.int8),
                  service=service, outcome=np.zeros(category.size, dtype=np.int8),
                  patience=patience, **extra)
    pools = []
    for _ in range(int(rng.integers(1, 4))):
        services = []
        for c in rng.permutation(cats + ([IT, VISIT] if special else []))[:rng.integers(1, 4)]:
            rule = rng.choice(["primary", "all_busy", "after_wait"])
            windows = ()
            if rng.random() < 0.2:
                t0 = float(rng.uniform(0, horizon))
                windows = ((t0, t0 + float(rng.uniform(500, 5000))),)
            services.append(dict(
                category=int(c), delay_s=float(rng.uniform(10, 120)) if rule == "after_wait"
                else 0.0, primary=rule == "primary", unavailable=windows,
                municipalities=(int(rng.integers(0, 3)),)
                if c == VISIT and rng.random() < 0.5 else None,
                interruptible=bool(special and c == WALK and rng.random() < 0.7),
                interrupts=bool(special and c == LEG and rng.random() < 0.7)))
        if special and not pools and rng.random() < 0.6:  # a nurse pool: calls interrupt
            services = [s for s in services if s["category"] not in (LEG, WALK)] + [
                dict(category=LEG, delay_s=0.0, primary=True, interrupts=True),
                dict(category=WALK, delay_s=0.0, primary=True, interruptible=True)]
        on, changes = _duty(_shifts(rng, horizon))
        pools.append(dict(name=f"p{len(pools)}", on_duty=on, services=services,
                          speed_factor=float(rng.choice([1.0, rng.uniform(0.5, 1.5)])),
                          changes=changes if special and rng.random() < 0.3 else None))
    return cs, pools, horizon * 1.2


def _plans(module, pools: list[dict]) -> list:
    return [module.PoolPlan(p["name"], p["on_duty"],
                            tuple(module.ServicePlan(**s) for s in p["services"]),
                            p["speed_factor"], p["changes"]) for p in pools]


@pytest.mark.parametrize("special", [False, True], ids=["plain", "special"])
@pytest.mark.parametrize("seed", range(40))
def test_core_gives_exactly_the_results_of_the_event_per_step_core(seed: int, special: bool):
    cs, pools, until = _scenario(seed, special)
    new = core.run(cs, _plans(core, pools), until)
    old = oracle_core.run(cs, _plans(oracle_core, pools), until)
    for name in ("answer", "end", "pool", "backup", "state", "arrival", "interrupted",
                 "pieces"):
        a, b = getattr(new, name), getattr(old, name)
        assert (a is None) == (b is None), name
        if a is not None:
            np.testing.assert_array_equal(a, b, err_msg=f"{name} (seed {seed})")


def test_the_random_scenarios_exercise_the_rules():
    """The comparison above means something: queues, backups, patience and pre-emption
    happen in the random scenarios."""
    seen = {"left": 0, "backup": 0, "waited": 0, "interrupted": 0, "tasks": 0, "at_once": 0}
    for seed in range(40):
        for special in (False, True):
            cs, pools, until = _scenario(seed, special)
            out = core.run(cs, _plans(core, pools), until)
            seen["at_once"] += sum(p["changes"] is not None for p in pools)
            seen["left"] += int(np.sum(out.state == core.LEFT))
            seen["backup"] += int(out.backup.sum())
            seen["waited"] += int(np.sum(out.answer[:cs.own] > cs.arrival[:cs.own]))
            if out.interrupted is not None:
                seen["interrupted"] += int(np.sum(out.interrupted > 0))
                seen["tasks"] += int(np.sum(~np.isnan(out.arrival[cs.own:])))
    assert all(v > 10 for v in seen.values()), seen


def test_simpy_internals_the_core_relies_on():
    """clock's entries use SimPy's queue, entry counter and clock as Environment.schedule and
    step do: ordered by time, then priority (urgent first), then insertion; `call` adds its
    delay to `now` as `schedule` does."""
    from simpy.events import NORMAL, URGENT

    from respons.engine.clock import at, call, run_due, urgent

    env = simpy.Environment()
    assert env._queue == [] and env._now == 0 and next(env._eid) == 0
    seen = []
    env._now = 0.1
    at(env, 2.5, lambda a: seen.append((env.now, a)), "at")
    call(env, 0.2, lambda a: seen.append((env.now, a)), "call")
    at(env, 0.1 + 0.2, lambda a: seen.append((env.now, a)), "tie")
    urgent(env, lambda a: seen.append((env.now, a)), "urgent")
    env.timeout(0.2)  # SimPy's own schedule, after them: the same keys, the next number
    keys = sorted(e[:3] for e in env._queue)
    assert keys == [(0.1, URGENT, 4), (0.1 + 0.2, NORMAL, 2), (0.1 + 0.2, NORMAL, 3),
                    (0.1 + 0.2, NORMAL, 5), (2.5, NORMAL, 1)]
    env._queue[:] = [e for e in env._queue if len(e) == 5]  # run_due runs clock entries only
    run_due(env, 2.5)
    assert seen == [(0.1, "urgent"), (0.1 + 0.2, "call"), (0.1 + 0.2, "tie")]
    assert env.now == 0.1 + 0.2
    run_due(env, 3.0)
    assert seen[-1] == (2.5, "at") and env._queue == []


# -------------------------------------------------------------------- lighter imports

def test_tabled_t_quantiles_are_scipys():
    from scipy.special import stdtrit

    df = np.arange(1, len(T975) + 1)
    np.testing.assert_array_equal(t_quantile(df, 0.975), stdtrit(df, 0.975))
    for d in (1, 9, 256, 257, 1000):  # and beyond the table scipy answers
        assert t_quantile(np.int64(d), 0.975) == stdtrit(d, 0.975)
    assert t_quantile(np.int64(9), 0.95) == stdtrit(9, 0.95)
    x = np.random.default_rng(3).normal(size=12)
    mean, lo, hi = confidence_interval(x)
    half = stdtrit(11, 0.975) * np.std(x, ddof=1) / math.sqrt(12)
    assert (lo, hi) == (mean - half, mean + half)


def test_tables_csv_are_what_pandas_writes():
    rng = np.random.default_rng(1)
    values = [*rng.random(300) * 10.0 ** rng.integers(-20, 20, 300), 0.0, -0.0, 1e16, 1e-5,
              36150.0, math.nan, math.inf, 5e-324]
    rows = [{"replication": k, "a": float(v), "b": float(values[-k - 1]), "c": k % 2 == 0}
            for k, v in enumerate(values)]
    assert runner.table_csv(rows) == pd.DataFrame(rows).to_csv(index=False)
    cfg = load_config(None, ["period.end=2020-01-20", "replications=3"])
    res = runner.run(cfg, keep_events=False)
    assert runner.table_csv(res.rows) == res.replications.to_csv(index=False)
    munis = runner.table_csv(res.municipality_rows, runner.MUNICIPALITY_COLUMNS)
    assert munis == res.municipalities.to_csv(index=False)
    assert "Nærøysund" in munis and ",," in munis  # text, and nan for a share without alarms
    names = [m.name for m in cfg.municipalities]  # from rows as from the DataFrame
    assert runner.summarise_municipalities(res.municipalities, names) == res.by_municipality
    assert runner.summarise(res.replications) == res.summary


@pytest.mark.parametrize("args, absent", [
    (["--help"], ("pydantic", "numpy", "pandas", "scipy")),
    (["simulate", "--help"], ("pandas", "scipy", "pyarrow")),
    (["erlang", "--per-hour", "6", "--aht", "240", "--agents", "2", "--target", "120"],
     ("pandas", "scipy", "pyarrow", "matplotlib")),
])
def test_commands_import_only_what_they_use(args: list[str], absent: tuple[str, ...]):
    code = ("import sys, runpy; sys.argv = ['respons', *sys.argv[1:]]\n"
            "try:\n    runpy.run_module('respons', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print(' '.join(sorted(m for m in sys.modules if '.' not in m)), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    loaded = set(done.stderr.split())
    assert not loaded & set(absent), sorted(loaded & set(absent))


def test_simulate_without_events_imports_neither_pandas_nor_scipy(tmp_path: Path):
    code = ("import sys\nfrom respons.cli.main import main\n"
            "rc = main(sys.argv[1:])\n"
            "print(' '.join(sorted(m for m in sys.modules if '.' not in m)), file=sys.stderr)\n"
            "sys.exit(rc)")
    done = subprocess.run([sys.executable, "-c", code, "simulate", "--config",
                           str(ROOT / "benchmarks" / "mm2.yaml"), "--set",
                           "period.end=2021-02-01", "--replications", "3", "--no-events",
                           "--no-report", "--out", str(tmp_path / "run")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    loaded = set(done.stderr.split())
    assert not loaded & {"pandas", "scipy", "pyarrow", "matplotlib"}
    assert (tmp_path / "run" / "replications.csv").read_text().startswith("replication,")


@pytest.mark.parametrize("seed", range(6))
def test_arrival_clock_is_the_running_sum_simpy_computed(seed: int):
    """Each arrival is taken at t + (arrival - t), t the time before (as when each arrival was
    a SimPy event scheduled by the one before), and the loop stops at the first at or after
    `until`: the shortcut (arrival itself once that is exact) gives the same floats."""
    rng = np.random.default_rng(seed)
    n = 2000
    gaps = rng.exponential(10.0 ** rng.uniform(-6, 4, n))  # tiny and huge gaps mixed
    arrival = np.sort(np.cumsum(gaps) * rng.choice([1e-9, 1.0, 1e3]))
    arrival[: seed % 3] = 0.0  # some runs start with arrivals at time 0
    for until in (arrival[n // 2], arrival[3], arrival[0], arrival[-1] + 1.0, 1e-12):
        times, count = arrival_clock(arrival.tolist(), arrival, float(until))
        t, want = 0.0, []
        for a in arrival.tolist():
            t += a - t
            if t >= until:
                break
            want.append(t)
        assert count == len(want)
        assert times[:count] == want


@pytest.mark.parametrize("seed", range(5))
def test_origins_by_row_number_are_the_searched_ones(seed: int):
    """`origins(parent, None, ...)` (each row's id is its number, as the engine's arrays have
    them) gives exactly what the search over ids gives: chains several levels deep, parents
    before or after their children, rows without a parent."""
    from respons.engine.events import origins

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    parent = np.full(n, -1, dtype=np.int64)
    for i in range(1, n):
        if rng.random() < 0.6:
            parent[i] = rng.integers(0, i)  # a tree: every chain ends at a root
    perm = rng.permutation(n)  # rows in any order, the ids following them
    parent = np.where(parent[perm] >= 0, np.argsort(perm)[np.maximum(parent[perm], 0)], -1)
    arrival = rng.random(n) * 1e6
    by_number = origins(parent, None, arrival)
    assert np.array_equal(by_number, origins(parent, np.arange(n), arrival))
    has = parent >= 0  # a follow-up's origin is its parent's; a contact's its own arrival
    assert np.array_equal(by_number[has], by_number[parent[has]])
    assert np.array_equal(by_number[~has], arrival[~has])


def test_a_worker_keeps_the_first_copy_of_a_runs_config():
    """Issue 19, parallel: the replications of a run carry copies of one config object; a
    worker uses the first copy it received for the later tasks, also of a later run of the
    same object (so identity memos such as arrivals.stream_rates hit), and a run of another
    config object, even an equal one, brings its own."""
    import pickle

    from respons.runs.workers import SameConfig

    cfg = load_config(None, ["period.end=2020-02-01"])
    seen = _SEEN
    seen.clear()

    def sent(task: SameConfig) -> SameConfig:  # as a worker receives it
        return pickle.loads(pickle.dumps(task))

    first = sent(SameConfig(_record, cfg))
    copies = [pickle.loads(pickle.dumps(cfg)) for _ in range(3)]
    assert [first(c, r) for r, c in enumerate(copies)] == [0, 1, 2]
    assert all(s is copies[0] for s in seen) and copies[1] == copies[0]
    again = sent(SameConfig(_record, cfg))  # a later run of the same object
    again(pickle.loads(pickle.dumps(cfg)), 0)
    assert seen[-1] is copies[0] and again.token == first.token
    equal = load_config(None, ["period.end=2020-02-01"])  # another object
    other = sent(SameConfig(_record, equal))
    mine = pickle.loads(pickle.dumps(equal))
    other(mine, 0)
    assert seen[-1] is mine and other.token != first.token
    back = sent(SameConfig(_record, cfg))  # the first object again: a new token
    assert back.token not in (first.token, other.token)


_SEEN: list[object] = []


def _record(cfg: object, r: int) -> int:
    _SEEN.append(cfg)
    return r
