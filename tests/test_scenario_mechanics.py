"""Overlays (base + set/scale/append/remove), storms of contacts, and cost allocation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import yaml

from respons.analysis.costs import allocate, member_fraction
from respons.config.loading import load_config
from respons.engine import contacts
from respons.engine.randomness import Streams, replication_seed
from respons.errors import UserError

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "configs" / "vaernes-2020.yaml"


def _write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def test_overlay_applies_set_scale_append_remove(tmp_path: Path) -> None:
    over = _write(tmp_path / "o.yaml", {
        "base": str(BASE), "scenario": "overlay-test",
        "set": {"pools.operators.shifts.0.staff": 2},
        "scale": {"municipalities.Stjørdal.population_80plus": 2.0},
        "append": {"municipalities": [{"name": "Nyby", "number": "9999", "population": 5000,
                                       "population_80plus": 250, "joined": "2020-01-01"}]},
        "remove": ["pools.nurses.serves.1"],
    })
    cfg = load_config(over)
    base = load_config(BASE)
    assert cfg.scenario == "overlay-test"
    assert cfg.pools[0].shifts[0].staff == 2
    assert cfg.municipalities[0].population_80plus == 2 * base.municipalities[0].population_80plus
    assert cfg.municipalities[-1].name == "Nyby"
    nurses = next(p for p in cfg.pools if p.name == "nurses")
    assert [s.category.value for s in nurses.serves] == ["legevakt", "callback", "walk_in"]
    assert cfg.seed == base.seed  # paired with the base under common random numbers


def test_overlays_chain_and_cycles_are_reported(tmp_path: Path) -> None:
    _write(tmp_path / "a.yaml", {"base": str(BASE), "scenario": "a",
                              "set": {"target_s": 60}})
    b = _write(tmp_path / "b.yaml", {"base": "a.yaml", "scenario": "b",
                                     "scale": {"target_s": 0.5}})
    assert load_config(b).target_s == 30
    _write(tmp_path / "c.yaml", {"base": "d.yaml"})
    _write(tmp_path / "d.yaml", {"base": "c.yaml"})
    with pytest.raises(UserError, match="nested"):
        load_config(tmp_path / "c.yaml")


@pytest.mark.parametrize(("overlay", "needle"), [
    ({"set": {"pools.nobody.staff": 1}}, "no entry named 'nobody'"),
    ({"scale": {"scenario": 2}}, "needs a number"),
    ({"append": {"target_s": [1]}}, "needs a list"),
    ({"remove": ["pools.operators.colour"]}, "does not exist"),
    ({"base": "missing.yaml"}, "does not exist"),
])
def test_bad_overlays_name_the_problem(tmp_path: Path, overlay: dict, needle: str) -> None:
    path = _write(tmp_path / "bad.yaml", {"base": str(BASE), **overlay})
    with pytest.raises(UserError, match=needle):
        load_config(path)


def test_overlay_keys_need_a_base(tmp_path: Path) -> None:
    data = yaml.safe_load(BASE.read_text())
    data["set"] = {"target_s": 60}
    with pytest.raises(UserError, match="only allowed together with `base`"):
        load_config(_write(tmp_path / "x.yaml", data))


def _draw(cfg) -> contacts.Contacts:
    return contacts.draw(cfg, Streams(replication_seed(cfg.seed, 0)))


def test_storm_adds_its_contacts_in_its_window_and_moves_no_other_stream() -> None:
    window = ["period.start=2020-11-01", "period.end=2020-11-08"]
    base = load_config(BASE, window)
    storm = load_config(BASE, [*window, "bursts=[{name: outage, kind: lost_connection, "
                               "start: '2020-11-03T02:00:00', duration_s: 600, count: 300}]"])
    c0, c1 = _draw(base), _draw(storm)
    assert c1.own == c0.own + 300  # contacts (the rest are follow-up candidates: IT orders)
    assert len(c1) > c1.own
    c0, c1 = (contacts.Contacts(*(getattr(c, f)[:c.own] for f in (
        "arrival", "kind", "municipality", "category", "priority", "service", "outcome",
        "patience"))) for c in (c0, c1))
    k = [k.name for k in storm.event_kinds].index("lost_connection")
    t0 = 2 * 86400 + 2 * 3600
    in_window = (c1.arrival >= t0) & (c1.arrival < t0 + 600) & (c1.kind == k)
    base_in_window = (c0.arrival >= t0) & (c0.arrival < t0 + 600) & (c0.kind == k)
    assert in_window.sum() == 300 + base_in_window.sum()
    other = c1.kind != k
    assert np.array_equal(np.sort(c1.arrival[other]), np.sort(c0.arrival[c0.kind != k]))


def test_storm_outside_the_period_is_rejected() -> None:
    with pytest.raises(UserError, match=r"bursts\.0\.start"):
        load_config(BASE, ["bursts=[{name: x, kind: lost_connection, start: '2019-06-01T00:00:00',"
                           " duration_s: 60, count: 5}]"])


def test_costs_sum_to_total_and_follow_the_keys() -> None:
    cfg = load_config(BASE)
    costs = allocate(cfg)
    assert costs is not None
    assert sum(costs["by_municipality"].values()) == pytest.approx(costs["total_nok"], rel=1e-12)
    assert sum(costs["by_service"].values()) == pytest.approx(costs["total_nok"], rel=1e-12)
    # Nærøysund sends technical alerts only: it pays IT-technical, not the answer service
    only_it = load_config(BASE, ["costs.services.it_technical.hourly_cost_nok=1e-9"])
    assert allocate(only_it)["by_municipality"]["Nærøysund"] == pytest.approx(0, abs=1e-3)
    # a full-year member pays more than a same-size member for part of the year
    assert member_fraction(dt.date(2020, 6, 1), dt.date(2020, 1, 1), dt.date(2021, 1, 1)) == \
        pytest.approx(214 / 366)
    assert costs["by_municipality"]["Stjørdal"] > costs["by_municipality"]["Levanger"]


def test_flat_share_one_splits_equally_between_full_year_members() -> None:
    cfg = load_config(BASE, ["costs.services.answer_service.flat_share=1",
                             "costs.services.it_technical.hourly_cost_nok=1e-9"])
    by = allocate(cfg)["by_municipality"]
    assert by["Stjørdal"] == pytest.approx(by["Tydal"], rel=1e-9)
    assert by["Levanger"] == pytest.approx(by["Tydal"] * 214 / 366, rel=1e-9)
