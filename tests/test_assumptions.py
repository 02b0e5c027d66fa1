"""The `assumptions:` ranges: the shipped configs document them and fit them; bad ranges are
refused with exit 2; moving an input moves its companions as documented."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from respons.cli import main
from respons.config.assumptions import config_problems, current
from respons.config.loading import load_builtin, load_config
from respons.errors import UserError
from respons.studies.uncertainty_inputs import configured, sampled_inputs, variant

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "respons" / "data").glob("vaernes-*.yaml")) + sorted(
    (ROOT / "respons" / "data" / "scenarios").glob("*.yaml"))
SHORT = ["--set", "period.end=2020-01-08", "--replications", "1", "--no-report", "--no-events"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_config_fits_its_ranges(path: Path) -> None:
    cfg = load_config(path)
    assert config_problems(cfg) == []
    assert all(a.why.strip() for a in cfg.assumptions)


def test_the_2020_baseline_ranges_at_least_twelve_assumed_inputs() -> None:
    cfg = load_builtin("vaernes-2020")
    names = {a.name for a in sampled_inputs(cfg)}
    assert len(names) >= 12
    assert {"alarm_talk", "alarm_wrap_up", "technical_talk", "legevakt_wrap_up",
            "backup_delay", "legevakt_patience", "alarm_mix", "sensor_priority", "covid_end",
            "ramp_summer", "ramp_autumn", "homecare_travel"} <= names
    fitted = {a.name for a in cfg.assumptions if a.fitted}
    assert {"legevakt_talk", "alarm_rate", "alarm_resolved"} <= fitted


@pytest.mark.parametrize("setting, message", [
    ("assumptions.alarm_talk.range=[240, 90]", "must be below"),
    ("assumptions.alarm_talk.range=[90, 2020-01-01]", "both be numbers or both be dates"),
    ("assumptions.alarm_talk.range=[-1, 240]", "a log scale needs a positive"),
    ("assumptions.backup_delay.range=null", "only a fitted input may have no range"),
    ("assumptions.1.name=alarm_talk", "appears more than once"),
])
def test_bad_ranges_are_refused_with_exit_2(setting: str, message: str, tmp_path: Path,
                                            capsys) -> None:
    out = tmp_path / "run"
    assert main(["simulate", *SHORT, "--set", setting, "--out", str(out)]) == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert message in err and "assumptions" in err and "Traceback" not in err


def test_a_what_if_beyond_a_range_simulates_but_is_reported(tmp_path: Path) -> None:
    assert main(["simulate", *SHORT, "--set", "event_kinds.button.talk.mean_s=400",
                 "--out", str(tmp_path / "run")]) == 0
    cfg = load_builtin("vaernes-2020", ["event_kinds.button.talk.mean_s=400"])
    bad = config_problems(cfg)
    assert len(bad) == 1 and "alarm_talk" in bad[0] and "outside the plausible range" in bad[0]
    missing = load_builtin("vaernes-2020", ["assumptions.alarm_talk.path=event_kinds.x.talk"])
    assert "does not name one value" in config_problems(missing)[0]


def test_also_moves_companions_by_the_same_factor() -> None:
    cfg = load_builtin("vaernes-2020")
    new = variant(cfg, {"alarm_talk": 225.0})  # 1.5 x the configured 150 s
    kinds = {k.name: k for k in new.event_kinds}
    old = {k.name: k for k in cfg.event_kinds}
    assert kinds["button"].talk.mean_s == 225.0
    assert kinds["button"].talk.sd_s == pytest.approx(1.5 * old["button"].talk.sd_s)
    assert kinds["smoke"].talk.mean_s == pytest.approx(1.5 * old["smoke"].talk.mean_s)
    assert kinds["battery"].talk == old["battery"].talk  # technical alerts are another input
    assert kinds["legevakt_call"].talk == old["legevakt_call"].talk


def test_a_mix_keeps_its_total_and_proportions() -> None:
    cfg = load_builtin("vaernes-2020")
    rates = lambda c: {k.name: k.rate.per_year for k in c.event_kinds  # noqa: E731
                       if k.category.value == "alarm"}
    new = variant(cfg, {"alarm_mix": 0.5})
    before, after = rates(cfg), rates(new)
    assert sum(after.values()) == pytest.approx(sum(before.values()))
    assert after["button"] / sum(after.values()) == pytest.approx(0.5)
    assert after["bed_sensor"] / after["smoke"] == pytest.approx(
        before["bed_sensor"] / before["smoke"])
    assert configured(new, next(a for a in new.assumptions if a.name == "alarm_mix")) == \
        pytest.approx(0.5)


def test_dates_shift_and_whole_numbers_round() -> None:
    cfg = load_builtin("vaernes-2020")
    new = variant(cfg, {"covid_end": dt.date(2020, 8, 1), "sensor_priority": 1})
    nurses = next(p for p in new.pools if p.name == "nurses")
    assert nurses.serves[1].unavailable[0].end == dt.date(2020, 8, 1)
    prio = {k.name: k.priority for k in new.event_kinds}
    assert prio["bed_sensor"] == prio["door_sensor"] == prio["motion_sensor"] == 1
    assert prio["button"] == 1 and prio["smoke"] == 0
    ramps = variant(cfg, {"ramp_autumn": 30.5})  # Skaun 61 -> 30.5, Midtre Gauldal by 0.5
    by = {m.name: m.ramp_up_days for m in ramps.municipalities}
    assert by["Skaun"] == 30.5 and by["Midtre Gauldal"] == pytest.approx(30.5)


def test_a_value_at_zero_cannot_carry_companions() -> None:
    cfg = load_builtin("vaernes-2020", ["municipalities.Levanger.ramp_up_days=0",
                                        "assumptions.ramp_summer.range=[0, 61]"])
    with pytest.raises(UserError, match="cannot move by the same factor"):
        variant(cfg, {"ramp_summer": 10.0})


def test_current_reads_the_value_or_the_mix_share() -> None:
    cfg = load_builtin("vaernes-2020")
    data = cfg.model_dump()
    by = {a.name: a for a in cfg.assumptions}
    assert current(data, by["alarm_talk"]) == 150
    assert 0.71 < current(data, by["alarm_mix"]) < 0.73
