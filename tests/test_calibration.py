"""Calibration: the shipped 2019/2020 configs reproduce the published figures when simulated,
and the fitting functions do what they claim. Outputs are never set; these tests run the
model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from respons.cli import main
from respons.config import Category, yamlio
from respons.config.loading import load_config, validate
from respons.studies import calibrate as cal
from respons.studies import predictions as pred
from respons.studies import validation as val
from respons.studies.targets import GO_LIVE_2020, TARGETS, for_year
from respons.studies.validation import YEARS, YearResult, compare, simulate_year

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def year_results() -> dict:
    return {y: simulate_year(load_config(ROOT / "configs" / f"vaernes-{y}.yaml"))
            for y in YEARS}


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: f"{t.year}-{t.kpi}")
def test_fitted_figure_inside_band(target, year_results) -> None:
    """Every target is fitted: inside its band it shows that the fit is current."""
    assert target.role == "fitted" and target.reason
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
            if a.rate is None:  # a follow-up-only kind (IT work orders)
                assert b.rate is None
            else:
                assert b.rate.per_year == pytest.approx(a.rate.per_year, rel=2e-3)
            assert b.outcomes.resolved_by_operator == pytest.approx(
                a.outcomes.resolved_by_operator, abs=2e-4)
            assert b.talk.mean == pytest.approx(a.talk.mean, abs=1.0)
        assert [m.joined for m in old.municipalities] == [m.joined for m in new.municipalities]


def test_validate_command_writes_tables_and_its_exit_code_follows_them(tmp_path: Path,
                                                                        capsys) -> None:
    out = tmp_path / "val"
    code = main(["validate", "--replications", "3", "--out", str(out)])
    assert (out / "validation.md").exists() and (out / "fitted-inputs.csv").exists()
    assert (out / "2019" / "summary.json").exists() and (out / "2020" / "summary.json").exists()
    df = pd.read_csv(out / "validation.csv")
    assert set(df["role"]) == {"fitted", "predicted"} and df["reason"].notna().all()
    assert code == (0 if df["inside"].all() else 1)
    text = (out / "validation.md").read_text()
    assert "legevakt phone calls answered within 120 s" in text and "| predicted |" in text
    assert "fitted:" in capsys.readouterr().out


def _year_dir(tmp_path: Path) -> Path:
    tmp_path.mkdir()
    for y in YEARS:
        shutil.copy(ROOT / "configs" / f"vaernes-{y}.yaml", tmp_path)
    return tmp_path


def test_validate_exits_1_when_a_fitted_figure_misses(tmp_path: Path) -> None:
    """Alarm rates three times the fit: the 2020 volume misses, and validate says so."""
    configs = _year_dir(tmp_path / "configs")
    path = configs / "vaernes-2020.yaml"
    data = yamlio.load(path)
    for k in data["event_kinds"]:
        if k["category"] == "alarm":
            k["rate"]["per_year"] *= 3
    path.write_text(yamlio.dumps(data))
    out = tmp_path / "val"
    assert main(["validate", "--configs", str(configs), "--replications", "2",
                 "--out", str(out)]) == 1
    df = pd.read_csv(out / "validation.csv")
    row = df[(df["year"] == 2020) & (df["kpi"] == "alarms_answered")].iloc[0]
    assert row["role"] == "fitted" and not row["inside"]


def test_validate_exits_0_when_every_figure_is_inside(tmp_path: Path, monkeypatch) -> None:
    """With the shipped fit and no predictions to judge, every figure is inside: exit 0."""
    monkeypatch.setattr(val, "predictions", lambda cfgs: [])
    out = tmp_path / "val"
    assert main(["validate", "--replications", "3", "--out", str(out)]) == 0
    assert pd.read_csv(out / "validation.csv")["inside"].all()


def test_exit_code_is_1_for_a_predicted_miss_alone() -> None:
    rows = [{"role": "fitted", "inside": True}, {"role": "predicted", "inside": True}]
    assert val.exit_code(pd.DataFrame(rows)) == 0
    rows[1]["inside"] = False
    assert val.exit_code(pd.DataFrame(rows)) == 1
    assert "1 outside" in val.verdict(pd.DataFrame(rows))[1]


def test_predictions_are_figures_no_input_was_tuned_to(year_results) -> None:
    cfgs = {y: load_config(ROOT / "configs" / f"vaernes-{y}.yaml") for y in YEARS}
    df = val.table([YearResult(y, cfgs[y], year_results[y]) for y in YEARS])
    fitted = {t.kpi for t in TARGETS}
    predicted = df[df["role"] == "predicted"]
    assert len(predicted) >= 20 and not set(predicted["kpi"]) & fitted
    assert predicted["reason"].str.len().gt(50).all() and predicted["band"].ne("").all()
    ok = predicted.apply(lambda r: r["lower"] - 1e-9 <= r["simulated_mean"]
                         <= r["upper"] + 1e-9, axis=1)
    assert (ok == predicted["inside"]).all()


def test_cost_split_adds_up_and_its_band_holds_the_model() -> None:
    cfg = load_config(ROOT / "configs" / "vaernes-2020.yaml")
    rows = pred.cost_split_2020(cfg)
    assert cfg.costs is not None
    for svc in cfg.costs.services:
        mine = [r for r in rows if r["kpi"].startswith(f"cost_{svc.name}_knok:")]
        total = sum(r["simulated_mean"] for r in mine)
        assert total == pytest.approx(sum(r["published"] for r in mine), rel=2e-3)
        for r in mine:  # the model's own split lies inside the go-live-month band of itself
            lo = r["published"] - r["lower"]  # = model range width above the model value
            assert lo >= -1e-9 and r["upper"] - r["published"] >= -1e-9
    # a newcomer that goes live later pays less; the full-year members pay more
    late = {n: w[1] for n, w in GO_LIVE_2020.items()}
    early = pred._split(cfg, "answer_service", {})
    later = pred._split(cfg, "answer_service", late)
    assert later["Levanger"] < early["Levanger"] and later["Stjørdal"] > early["Stjørdal"]


def test_legevakt_shares_sum_to_one_and_follow_population() -> None:
    cfg = load_config(ROOT / "configs" / "vaernes-2020.yaml")
    rows = pred.legevakt_split(2020, cfg)
    assert sum(r["simulated_mean"] for r in rows) == pytest.approx(1.0)
    assert sum(r["published"] for r in rows) == pytest.approx(1.0)
    pop = {m.name: m.population for m in cfg.municipalities if m.name in
           {"Stjørdal", "Selbu", "Meråker", "Tydal"}}
    for r in rows:
        name = r["kpi"].split(":")[1]
        assert r["simulated_mean"] == pytest.approx(pop[name] / sum(pop.values()), rel=1e-3)


def test_leave_one_year_out_scales_with_the_other_years_rate() -> None:
    cfgs = {y: load_config(ROOT / "configs" / f"vaernes-{y}.yaml") for y in YEARS}
    rows = {r["year"]: r for r in pred.technical_other_year(cfgs)}
    own = {y: pred.expected_category(c, Category.technical) for y, c in cfgs.items()}
    rate = {y: c.event_kinds[[k.name for k in c.event_kinds].index("battery")].rate.per_year
            for y, c in cfgs.items()}
    assert rows[2020]["simulated_mean"] == pytest.approx(own[2020] * rate[2019] / rate[2020],
                                                         rel=2e-3)
    assert rows[2019]["simulated_mean"] == pytest.approx(own[2019] * rate[2020] / rate[2019],
                                                         rel=2e-3)


def test_fitted_inputs_are_shown_next_to_their_ranges() -> None:
    cfg = load_config(ROOT / "configs" / "vaernes-2020.yaml")
    rows = {r["input"]: r for r in val.fitted_ranges(cfg)}
    assert rows["legevakt_talk"]["fitted_value"] == pytest.approx(
        cfg.event_kinds[[k.name for k in cfg.event_kinds].index("legevakt_call")].talk.mean_s)
    assert rows["technical_rate"]["low"] is None and rows["technical_rate"]["inside"] is None
    assert rows["alarm_resolved"]["inside"] is False  # 46.5 % vs comparable centres' 70-85 %
    assert "none exists" in val.fitted_markdown(list(rows.values()))


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


def test_sensitivity_over_the_ranges_moves_each_input_to_its_ends(capsys) -> None:
    assert main(["sensitivity", "--ranges", "--replications", "1", "--set",
                 "period.start=2020-09-01", "--set", "period.end=2020-09-08"]) == 0
    out = capsys.readouterr().out
    assert "| alarm_talk | 90.0 |" in out and "| alarm_talk | 240.0 |" in out
    assert "| covid_end | 2020-09-30 |" in out and "| value |" in out
