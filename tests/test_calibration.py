"""Calibration: the shipped 2019/2020 configs reproduce the published figures when simulated,
and the fitting functions do what they claim. Outputs are never set; these tests run the
model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from respons.cli import main
from respons.config import Category, yamlio
from respons.config.loading import load_config, validate
from respons.studies import calibrate as cal
from respons.studies.targets import TARGETS, for_year
from respons.studies.validation import YEARS, compare, simulate_year

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def year_results() -> dict:
    return {y: simulate_year(load_config(ROOT / "configs" / f"vaernes-{y}.yaml"))
            for y in YEARS}


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: f"{t.year}-{t.kpi}")
def test_published_figure_inside_band(target, year_results) -> None:
    row = next(r for r in compare(target.year, year_results[target.year])
               if r["kpi"] == target.kpi)
    lo, hi = target.bounds()
    assert lo - 1e-9 <= row["simulated_mean"] <= hi + 1e-9, row
    if target.band_kind != "exact":
        # enough replications that the CI is narrower than the band
        assert row["ci_high"] - row["ci_low"] < hi - lo, row


def test_every_year_has_the_published_figures() -> None:
    assert {t.kpi for t in for_year(2019)} <= {t.kpi for t in for_year(2020)}
    assert len(for_year(2020)) == 6 and len(for_year(2019)) == 5


@pytest.mark.parametrize("delta", [-0.3, -0.05, 0.0, 0.1, 0.4])
def test_shifted_outcomes_sum_to_one_and_keep_proportions(delta: float) -> None:
    out = cal.shifted_outcomes({"resolved_by_operator": 0.5, "homecare": 0.45,
                                "emergency": 0.05}, delta)
    assert sum(out.values()) == pytest.approx(1.0, abs=1e-12)
    assert out["resolved_by_operator"] == pytest.approx(0.5 + delta, abs=1e-4)
    assert out["homecare"] / out["emergency"] == pytest.approx(9.0, rel=2e-3)


def _check(d: dict):
    return validate(dict(d), "test")


def test_fit_functions_hit_their_targets_exactly_in_expectation() -> None:
    data = yamlio.load(ROOT / "configs" / "vaernes-2020.yaml")
    cal.fit_rate_scale(data, Category.alarm, 50_000, _check)
    cal.fit_resolved_share(data, Category.alarm, 0.55, _check)
    cfg = _check(data)
    assert cal.expected_total(cfg, Category.alarm) == pytest.approx(50_000, rel=1e-3)
    assert cal.expected_resolved_share(cfg, Category.alarm) == pytest.approx(0.55, abs=1e-4)


def test_go_live_fit_moves_the_date_the_right_way() -> None:
    data = yamlio.load(ROOT / "configs" / "vaernes-2019.yaml")
    members = [m["name"] for m in data["municipalities"]]
    early = cal.fit_go_live(data, members, 8000, _check)
    late = cal.fit_go_live(data, members, 3000, _check)
    assert early < late
    assert cal.expected_total(_check(data), Category.alarm) == pytest.approx(3000, rel=0.01)


@pytest.mark.slow
def test_calibrate_is_idempotent_on_the_shipped_configs(tmp_path: Path) -> None:
    """Re-fitting the shipped configs changes no fitted value (they are at the fit)."""
    for y in YEARS:
        shutil.copy(ROOT / "configs" / f"vaernes-{y}.yaml", tmp_path)
    assert main(["calibrate", "--configs", str(tmp_path), "--replications", "8"]) == 0
    for y in YEARS:
        old = load_config(ROOT / "configs" / f"vaernes-{y}.yaml")
        new = load_config(tmp_path / f"vaernes-{y}.yaml")
        for a, b in zip(old.event_kinds, new.event_kinds, strict=True):
            assert b.rate.per_year == pytest.approx(a.rate.per_year, rel=2e-3)
            assert b.outcomes.resolved_by_operator == pytest.approx(
                a.outcomes.resolved_by_operator, abs=2e-4)
            assert b.talk.mean == pytest.approx(a.talk.mean, abs=1.0)
        assert [m.joined for m in old.municipalities] == [m.joined for m in new.municipalities]


def test_validate_command_writes_tables_and_exits_0(tmp_path: Path, capsys) -> None:
    out = tmp_path / "val"
    assert main(["validate", "--replications", "3", "--out", str(out)]) in (0, 1)
    assert (out / "validation.csv").exists() and (out / "validation.md").exists()
    assert (out / "2019" / "summary.json").exists() and (out / "2020" / "summary.json").exists()
    text = (out / "validation.md").read_text()
    assert "legevakt phone calls answered within 120 s" in text
    assert "published" in capsys.readouterr().out


def test_sensitivity_moves_waits_the_right_way() -> None:
    from respons.studies.sensitivity import PARAMETERS, markdown, sensitivity

    cfg = load_config(ROOT / "configs" / "vaernes-2020.yaml",
                      ["replications=2", "period.start=2020-09-01", "period.end=2020-10-15"])
    df = sensitivity(cfg, 0.25)
    assert len(df) == 1 + 2 * len(PARAMETERS)
    talk = df[df["parameter"].str.startswith("talk time")].set_index("factor")
    assert talk.loc[0.75, "answer_time_mean_s"] < df.iloc[0]["answer_time_mean_s"]
    assert talk.loc[1.25, "answer_time_mean_s"] > df.iloc[0]["answer_time_mean_s"]
    # the resolved share is an input property: staffing-side changes leave it unchanged
    assert (talk["alarms_resolved_by_operator_share"]
            == df.iloc[0]["alarms_resolved_by_operator_share"]).all()
    assert "| baseline |" in markdown(df)
