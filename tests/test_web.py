"""The what-if page's logic without Streamlit (issue 17): controls -> config, rota files from
`roster`, the overlay download (re-runnable with `simulate --config`), the Excel download, and
the paired comparison with its chunked, cached, abandonable runs."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import pytest

from respons.cli import main
from respons.config import Category
from respons.config.loading import load_config
from respons.errors import UserError
from respons.web import downloads, results, whatif
from respons.web.labels import changes
from respons.web.rota import read_rota
from respons.web.settings import Settings, parse

DATA = Path(whatif.__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def short(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2020 baseline over two weeks (an overlay, as a user's --config would be)."""
    path = tmp_path_factory.mktemp("web") / "short.yaml"
    path.write_text(f"base: {DATA / 'vaernes-2020.yaml'}\nscenario: short\n"
                    "set:\n  period.end: 2020-01-15\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def cfg(short: Path):
    return load_config(short)


def _alarm_service(c, pool="nurses"):
    p = next(p for p in c.pools if p.name == pool)
    return next((s for s in p.serves if s.category == Category.alarm), None)


def test_start_reads_the_baseline_settings(cfg):
    facts, base = whatif.start(cfg)
    assert facts.operator_pool == "operators" and facts.nurse_pool == "nurses"
    assert facts.exact_blocks  # 23-07, 07-15, 15-23, one each, every day
    assert base.operators == (1, 1, 1)
    assert base.nurse_backup and base.nurse_delay_s == 60.0
    assert (base.goal_share, base.within_s) == (0.95, 120.0)
    assert base.replications == 5 and base.volume == base.talk == 1.0
    assert set(facts.growth) == {p.stem for p in (DATA / "scenarios").glob("growth-*.yaml")}


def test_unchanged_what_if_is_the_baseline(cfg):
    _, base = whatif.start(cfg)
    what, ref = whatif.build(cfg, base), whatif.baseline(cfg, base)
    assert what == ref
    assert what.model_dump(exclude={"replications"}) == cfg.model_dump(exclude={"replications"})
    assert whatif.config_key(what) == whatif.config_key(cfg)


def test_each_control_changes_its_part_of_the_config(cfg):
    _, base = whatif.start(cfg)
    ops = whatif.build(cfg, dataclasses.replace(base, operators=(1, 2, 0)))
    shifts = {(s.start, s.end): s.staff for s in ops.pools[0].shifts}
    assert shifts == {("23:00", "07:00"): 1, ("07:00", "15:00"): 2}
    assert whatif.block_staff(ops.pools[0].shifts) == ((1, 2, 0), True)

    off = whatif.build(cfg, dataclasses.replace(base, nurse_backup=False))
    assert _alarm_service(off) is None and _alarm_service(cfg) is not None
    later = whatif.build(cfg, dataclasses.replace(base, nurse_delay_s=90.0))
    svc = _alarm_service(later)
    assert svc.after_s == 90.0 and svc.unavailable == _alarm_service(cfg).unavailable

    vol = whatif.build(cfg, dataclasses.replace(base, volume=1.5))
    talk = whatif.build(cfg, dataclasses.replace(base, talk=1.2))
    for k0, kv, kt in zip(cfg.event_kinds, vol.event_kinds, talk.event_kinds, strict=True):
        scaled = k0.category in (Category.alarm, Category.technical)
        if k0.rate is not None:
            assert kv.rate.per_year == pytest.approx(k0.rate.per_year * (1.5 if scaled else 1))
        assert kt.talk.mean == pytest.approx(k0.talk.mean * (1.2 if scaled else 1))

    goal = whatif.build(cfg, dataclasses.replace(base, goal_share=0.98, within_s=60.0))
    assert (goal.goal.share, goal.goal.within_s, goal.target_s) == (0.98, 60.0, 60.0)
    assert goal.goal.categories == cfg.goal.categories
    none = whatif.build(cfg, dataclasses.replace(base, goal_share=None))
    assert none.goal is None and none.target_s == 120.0

    reps = whatif.build(cfg, dataclasses.replace(base, replications=12))
    assert reps.replications == 12 and whatif.config_key(reps) == whatif.config_key(cfg)


def test_growth_is_the_shipped_scenario_on_the_pages_config():
    """On the 2020 baseline, a growth scenario re-based onto the page's config is exactly the
    shipped file (its chain: growth -> all-members-2020 -> vaernes-2020)."""
    base_cfg = load_config(None)
    _, base = whatif.start(base_cfg)
    what = whatif.build(base_cfg, dataclasses.replace(base, growth="growth-2036"))
    shipped = load_config(DATA / "scenarios" / "growth-2036.yaml")
    skip = {"scenario", "description", "replications"}
    assert what.model_dump(exclude=skip) == shipped.model_dump(exclude=skip)
    assert {m.name: m.population_80plus for m in what.municipalities}["Stjørdal"] == 1841


def test_bad_values_are_refused_with_a_message(cfg):
    _, base = whatif.start(cfg)
    bad = [dict(operators=(0, 0, 0)), dict(operators=(1, 99, 1)), dict(volume=5.0),
           dict(talk=0.1), dict(goal_share=1.5), dict(within_s=0.0), dict(replications=1),
           dict(nurse_delay_s=-5.0), dict(growth="growth-1999")]
    for change in bad:
        with pytest.raises(UserError) as e:
            whatif.build(cfg, dataclasses.replace(base, **change))
        assert str(e.value).strip(), change


ROSTER_CSV = """pool,day,start,end,people
operators,mon,07:00,15:00,2
operators,mon,15:00,23:00,1
operators,tue,07:00,15:00,1
operators,wed,07:00,15:00,1
operators,thu,07:00,15:00,1
operators,fri,07:00,15:00,1
operators,sat,07:00,19:00,1
operators,sun,07:00,19:00,1
operators,mon,23:00,07:00,1
operators-2,mon,09:00,17:00,1
"""


def test_rota_csv_from_roster_replaces_the_operators(cfg):
    _, base = whatif.start(cfg)
    rota = read_rota("roster.csv", ROSTER_CSV.encode(), cfg, "operators")
    what = whatif.build(cfg, dataclasses.replace(base, rota=rota))
    pools = {p.name: p for p in what.pools}
    mon = {(s.start, s.end): s.staff for s in pools["operators"].shifts if "mon" in s.days}
    assert mon == {("07:00", "15:00"): 2, ("15:00", "23:00"): 1, ("23:00", "07:00"): 1}
    assert [s.days for s in pools["operators"].shifts if s.start == "07:00"
            and s.end == "19:00"] == [["sat", "sun"]]
    layer = pools["operators-2"]  # the roster's second layer, a copy of the pool
    assert layer.serves == pools["operators"].serves and layer.shifts[0].days == ["mon"]
    assert "operators-2" in next(s for s in what.costs.services
                                 if s.name == "answer_service").pools
    hours = 8 * 2 + 8 + 8 * 4 + 12 * 2 + 8 + 8
    assert rota.weekly_hours == hours and rota.pool == "operators"


def test_rota_yaml_from_roster(cfg, tmp_path):
    doc = ("# The rota found by `roster`, as an overlay on config.resolved.yaml\n"
           "base: config.resolved.yaml\nset:\n  pools.operators.shifts:\n"
           "  - {days: [mon, tue, wed, thu, fri, sat, sun], start: '07:00', end: '19:00', "
           "staff: 2}\n  - {start: '19:00', end: '07:00', staff: 1}\n")
    rota = read_rota("config.roster.yaml", doc.encode(), cfg)
    _, base = whatif.start(cfg)
    what = whatif.build(cfg, dataclasses.replace(base, rota=rota))
    assert whatif.block_staff(what.pools[0].shifts)[0] == (1, 2, 2)
    assert what.seed == cfg.seed and what.period == cfg.period  # only the rota is taken


@pytest.mark.parametrize("name,content,says", [
    ("roster.csv", "pool,day,start\noperators,mon,07:00\n", "columns ['end', 'people']"),
    ("roster.csv", "pool,day,start,end,people\noperators,funday,07:00,15:00,1\n", "line 2"),
    ("roster.csv", "pool,day,start,end,people\noperators,mon,25:00,15:00,1\n", "line 2"),
    ("roster.csv", "pool,day,start,end,people\noperators,mon,07:00,15:00,two\n", "line 2"),
    ("roster.csv", "pool,day,start,end,people\nnobody,mon,07:00,15:00,1\n", "not in this"),
    ("roster.csv", "pool,day,start,end,people\noperators,mon,07:00,15:00,1\n"
     "lead,mon,07:00,15:00,1\n", "one pool"),
    ("roster.csv", b"\xff\xfe\x00garbage", "UTF-8"),
    ("config.roster.yaml", "scenario: x\n", "not a rota"),
    ("config.roster.yaml", "set: [1, 2]\n", "mappings"),
    ("config.roster.yaml", "set:\n  pools.operators.shifts: []\n", "rota file"),
    ("config.roster.yaml", "a: [unclosed\n", "not valid YAML"),
])
def test_bad_rota_files_are_refused_naming_the_file(cfg, name, content, says):
    data = content if isinstance(content, bytes) else content.encode()
    with pytest.raises(UserError) as e:
        read_rota(name, data, cfg)
    assert name in str(e.value) and says in str(e.value)


def _composite(cfg):
    _, base = whatif.start(cfg)
    return dataclasses.replace(base, growth="growth-2030", operators=(1, 2, 1),
                               nurse_backup=False, volume=1.1, talk=0.9, goal_share=0.9,
                               within_s=90.0, replications=3)


def test_overlay_download_reruns_with_simulate(cfg, short, tmp_path):
    """The downloaded overlay is the what-if: loading it gives the same config, and
    `simulate --config` on it reproduces the page's numbers."""
    w = _composite(cfg)
    what = whatif.build(cfg, w)
    facts, base = whatif.start(cfg)
    text = downloads.overlay_yaml(cfg, what, short, changes(facts, base, w))
    path = tmp_path / "what-if.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_config(path) == what
    page = results.assemble(what, results.run_chunk(what, tuple(range(what.replications))))
    run = tmp_path / "run"
    assert main(["simulate", "--config", str(path), "--out", str(run), "--no-report",
                 "--no-events"]) == 0
    doc = json.loads((run / "summary.json").read_text())
    assert doc["goal"]["verdict"] == page.doc["goal"]["verdict"]
    for k, v in page.doc["kpis"].items():
        assert doc["kpis"][k]["mean"] == pytest.approx(v["mean"], rel=1e-12, nan_ok=True), k
    assert doc["costs"]["total_nok"] == pytest.approx(page.doc["costs"]["total_nok"])


def test_overlay_of_a_rota_appends_its_layers(cfg):
    _, base = whatif.start(cfg)
    rota = read_rota("roster.csv", ROSTER_CSV.encode(), cfg)
    what = whatif.build(cfg, dataclasses.replace(base, rota=rota))
    doc = downloads.overlay(cfg, what)
    assert [p["name"] for p in doc["append"]["pools"]] == ["operators-2"]
    assert "pools.operators.shifts" in doc["set"]
    assert doc["set"]["costs.services.answer_service.pools"][-1] == "operators-2"


def test_unchanged_overlay_changes_only_the_replications(cfg):
    _, base = whatif.start(cfg)
    doc = downloads.overlay(cfg, whatif.build(cfg, base))
    assert doc["set"] == {"replications": 5} and "append" not in doc and "remove" not in doc


def _pair(cfg, w):
    ref, what = whatif.baseline(cfg, w), whatif.build(cfg, w)
    b, x = results.run_both(ref, what)
    return results.assemble(ref, b), results.assemble(what, x)


def test_paired_difference_and_share_by_hour(cfg):
    _, base = whatif.start(cfg)
    ref, what = _pair(cfg, dataclasses.replace(base, nurse_backup=False))
    diffs = {d.kpi: d for d in results.differences(ref, what)}
    d = diffs["alarms_answered_within_target_share"]
    per_rep = (what.table[d.kpi] - ref.table[d.kpi]).to_numpy()
    assert d.diff == pytest.approx(per_rep.mean()) and d.diff < 0
    assert d.diff_low <= d.diff <= d.diff_high < 0  # the nurses' backup matters
    assert d.base == pytest.approx(ref.doc["kpis"][d.kpi]["mean"])
    # common random numbers: the same alarms arrive in both
    assert (what.table["alarms_answered"] == ref.table["alarms_answered"]).all()
    by_hour = what.share_by_hour()
    assert by_hour.shape == (24,) and ((by_hour >= 0) & (by_hour <= 1)).all()
    pooled = what.within_hour.sum() / what.alarms_hour.sum()
    assert pooled == pytest.approx(what.table[d.kpi].mean(), abs=0.01)
    same_ref, same = _pair(cfg, base)
    zero = {x.kpi: x for x in results.differences(same_ref, same)}[d.kpi]
    assert (zero.diff, zero.diff_low, zero.diff_high) == (0.0, 0.0, 0.0)
    assert results.cost_rows(same_ref, same) and all(r[3] == 0 for r in
                                                    results.cost_rows(same_ref, same))


def test_runs_are_chunked_cached_and_can_be_abandoned(cfg):
    assert results.chunks(5, 2) == [(0, 1), (2, 3), (4,)]
    assert results.chunks(3, 1) == [(0,), (1,), (2,)]
    cache: dict = {}
    calls: list = []

    def fetch(c, reps):
        key = (whatif.config_key(c), reps)
        calls.append(key)
        if key not in cache:
            cache[key] = results.run_chunk(c, reps)
        return cache[key]

    _, base = whatif.start(cfg)
    ref, what = whatif.baseline(cfg, base), whatif.build(cfg, base)
    seen: list = []
    b, w = results.run_both(ref, what, 1, fetch, lambda d, n: seen.append((d, n)))
    assert seen == [(i, 10) for i in range(1, 11)]
    assert len(cache) == 5  # the unchanged what-if reuses the baseline's replications
    assert [r.row for r in b] == [r.row for r in w]

    class Stop(Exception):
        pass

    def stop_after_first(done, total):
        if done == 1:
            raise Stop  # what Streamlit does when the user changes a control mid-run

    calls.clear()
    slow = whatif.build(cfg, dataclasses.replace(base, volume=1.3))
    with pytest.raises(Stop):
        results.run_both(ref, slow, 1, fetch, stop_after_first)
    assert len(calls) == 1  # nothing computed after the abandoned step


def test_workbook_download(cfg):
    import openpyxl

    _, base = whatif.start(cfg)
    w = dataclasses.replace(base, operators=(1, 2, 1))
    ref, what = _pair(cfg, w)
    diffs = results.differences(ref, what)
    data = downloads.workbook(ref, what, diffs, ["Operators per block: ..."], "nb")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Verdict", "KPIs", "Municipalities", "Costs", "Difference",
                             "By hour", "What-if"]
    ws = wb["Difference"]
    assert ws.cell(2, 1).value == "Nøkkeltall"
    assert ws.cell(3, 2).value == diffs[0].kpi
    assert ws.cell(3, 7).value == pytest.approx(diffs[0].diff)
    assert ws.cell(3, 7).number_format == "0.0%"
    assert wb["By hour"].max_row >= 2 + 24


def test_settings_round_trip(tmp_path):
    s = Settings(tmp_path / "x.yaml", "nb", 2)
    assert parse(s.argv()) == Settings((tmp_path / "x.yaml").resolve(), "nb", 2)
    assert parse([]) == Settings()
    assert Settings().base_file() == (DATA / "vaernes-2020.yaml").resolve()
    with pytest.raises(UserError):
        parse(["--lang", "de"])


SHIPPED = sorted(p for p in DATA.rglob("*.yaml") if p.parent.name not in ("shifts", "sweeps"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(DATA)))
def test_every_shipped_config_starts_unchanged(path):
    """The page works on any config: its starting what-if is the config itself, and the
    controls' bounds hold the config's own values."""
    c = load_config(path)
    facts, base = whatif.start(c)
    assert whatif.build(c, base).model_dump(exclude={"replications"}) == \
        c.model_dump(exclude={"replications"})
    whatif.check(base, whatif.bounds(base))
    if facts.nurse_pool is None:
        assert not base.nurse_backup


def test_bounds_widen_to_hold_the_baseline(cfg):
    _, base = whatif.start(cfg)
    wide = dataclasses.replace(base, operators=(30, 1, 1), nurse_delay_s=3600.0,
                               goal_share=1.0, within_s=7200.0)
    b = whatif.bounds(wide)
    assert b["operators"] == (0, 30) and b["nurse_delay_s"] == (0.0, 3600.0)
    assert b["goal_share"] == (0.5, 1.0) and b["within_s"] == (10.0, 7200.0)
    assert whatif.bounds(base)["operators"] == (0, whatif.MAX_BLOCK_STAFF)


def test_differences_read_as_people_read_them():
    from respons.web.labels import fmt_ci, fmt_diff

    assert fmt_diff(0.012, "share") == "+1.2 pp"
    assert fmt_diff(-0.00001, "share") == "±0.0 pp"  # never "−0.0"
    assert fmt_diff(-75.0, "s", "nb") == "−1:15\u00a0min"
    assert fmt_diff(1380845.2, "nok", "nb") == "+1\u00a0380\u00a0845"
    assert fmt_diff(float("nan"), "count") == "–"
    assert fmt_ci(-0.02, 0.01, "share", diff=True) == "[−2.0 pp, +1.0 pp]"
    assert fmt_ci(None, 0.01, "share") == "–"
