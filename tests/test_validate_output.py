"""What `validate` tells a reader: every row's machine bounds are the band its text shows and
its verdict follows them; exit 1 is explained on stderr; `--lang nb` reads Norwegian. One
validate run (2 replications) is shared by the module."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from respons.cli import main
from respons.report.study_tables import validation_exit_line

NUMBER = r"-?\d[\d,]*(?:\.\d+)?"


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("validate") / "run"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["validate", "--replications", "2", "--out", str(out), "--json"])
    return {"code": code, "json": json.loads(stdout.getvalue()), "stderr": stderr.getvalue(),
            "out": out}


def _bounds_of_band(row: dict) -> tuple[float, float]:
    """The bounds a row's band text states, in the row's unit."""
    band, p = row["band"], row["published"]
    if band == "exact":
        return p, p
    m = re.fullmatch(r"±(\d+(?:\.\d+)?) (%|pp)", band)
    if m:
        x = float(m.group(1)) / 100
        lo, hi = (p * (1 - x), p * (1 + x)) if m.group(2) == "%" else (p - x, p + x)
        if row["unit"] == "share":  # a share's band stops at what is possible
            lo, hi = max(lo, 0.0), min(hi, 1.0)
        return lo, hi
    m = re.search(rf"({NUMBER}) – ({NUMBER})$", band)
    assert m, f"band text without its bounds: {band!r}"
    return float(m.group(1).replace(",", "")), float(m.group(2).replace(",", ""))


def test_every_rows_bounds_are_its_printed_band_and_inside_follows_them(run) -> None:
    rows = run["json"]["rows"]
    assert len(rows) >= 40
    csv = pd.read_csv(run["out"] / "validation.csv")
    assert list(csv["lower"]) == pytest.approx([r["lower"] for r in rows])
    assert list(csv["upper"]) == pytest.approx([r["upper"] for r in rows])
    for r in rows:
        lo, hi = _bounds_of_band(r)
        ranged = not (r["band"] == "exact" or r["band"].startswith("±"))
        # a range is printed to whole numbers (NOK 1,000): equal to half a unit
        tol = 0.5 + 1e-9 if ranged else 1e-9
        assert abs(r["lower"] - lo) <= tol and abs(r["upper"] - hi) <= tol, r
        # the documented rule (respons/studies/validation.py): the mean, never its CI
        assert r["inside"] == (r["lower"] - 1e-9 <= r["simulated_mean"] <= r["upper"] + 1e-9), r


def test_the_stjordal_cost_row_says_what_its_bounds_are(run) -> None:
    """The row the new-user pass found: the band printed the model's go-live range, the
    bounds were the accounts widened by it. Now both are the accounts widened by it."""
    r = next(r for r in run["json"]["rows"]
             if r["kpi"] == "cost_answer_service_knok:Stjørdal")
    assert r["published"] == 1815 and r["upper"] == pytest.approx(1815)
    assert r["band"].endswith(f"{r['lower']:,.0f} – {r['upper']:,.0f}")
    assert "go-live month" in r["band"] and r["inside"] is False


def test_cost_rows_are_in_nok_thousand_and_counts_stay_counts(run) -> None:
    rows = run["json"]["rows"]
    costs = [r for r in rows if "(NOK 1,000)" in r["figure"]]
    assert len(costs) >= 20 and {r["unit"] for r in costs} == {"nok_thousand"}
    assert {r["unit"] for r in rows if r["kpi"] == "alarms_answered"} == {"count"}
    from respons.report.formatting import fmt, fmt_value

    assert fmt_value(1815.0, "nok_thousand") == "1,815" == fmt(1815.0, "nok_thousand")
    assert fmt_value(395.0, "nok_thousand", "nb") == "395"


def test_exit_1_is_explained_in_one_line_on_stderr(run) -> None:
    df = pd.DataFrame(run["json"]["rows"])
    pred = df[df["role"] == "predicted"]
    fit = df[df["role"] == "fitted"]
    assert run["code"] == 1 and not pred["inside"].all() and fit["inside"].all()
    out = len(pred) - int(pred["inside"].sum())
    assert run["stderr"].strip().splitlines()[-1] == (
        f"validate: {out} of {len(pred)} predicted figures are outside their band "
        f"(fitted: {len(fit)} of {len(fit)} inside); exit 1")


def test_exit_line_names_each_role_that_misses_and_none_when_all_inside() -> None:
    rows = [{"role": "fitted", "inside": True}] * 3 + [{"role": "predicted", "inside": True}]
    assert validation_exit_line(pd.DataFrame(rows)) is None
    rows[0] = {"role": "fitted", "inside": False}
    assert validation_exit_line(pd.DataFrame(rows)) == (
        "validate: 1 of 3 fitted figures is outside its band (predicted: 1 of 1 inside); exit 1")
    rows[3] = {"role": "predicted", "inside": False}
    assert validation_exit_line(pd.DataFrame(rows), "nb") == (
        "validate: 1 av 3 tilpassede tall og 1 av 1 forutsagte tall er utenfor sitt bånd; "
        "exit 1")


# ---- --lang nb ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def run_nb(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("validate_nb") / "run"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["validate", "--replications", "2", "--out", str(out), "--lang", "nb"])
    return {"code": code, "stdout": stdout.getvalue(), "stderr": stderr.getvalue(), "out": out}


def test_validate_nb_terminal_reads_norwegian(run_nb) -> None:
    text = run_nb["stdout"]
    assert run_nb["code"] == 1
    for nb in ("| år | tall | rolle |", "trygghetsalarmer besvart", "andel avklart av operatør",
               "eksakt", "±1,5\u00a0pp", "kostnad svartjenesten 2020, Stjørdal (1 000 kr)",
               "for oppstartsmåneden: 1\u00a0674 – 1\u00a0815",
               "regnskapet ved faktisk til budsjettert timekostnad 2020: 1\u00a0611 – 2\u00a0073",
               "legevaktsamtaler på 116 117, andel fra Selbu", "en bom er et funn",
               "TILPASSET til alarmene besvart", "kjøringsmappe: ", "1\u00a0815"):
        assert nb in text, nb
    for en in ("safety alarms answered", "share resolved by operator", "| exact |",
               "go-live month", "budget-2020", "FITTED to", "run directory", "et bom",
               "1,487", "1,628", "1,815", "±1.5", "alarm rates per inhabitant", "Leave one year",
               "The 2020 totals"):
        assert en not in text, en
    assert run_nb["stderr"].strip().splitlines()[-1] == (
        "validate: 23 av 32 forutsagte tall er utenfor sitt bånd (tilpasset: 11 av 11 "
        "innenfor); exit 1")


def test_validate_nb_files_keep_english_machine_values(run_nb, run) -> None:
    """validation.csv and validation.md are the same in both languages (the files keep the
    English machine values; tests/test_conventions.py holds validation.md to that too)."""
    nb = pd.read_csv(run_nb["out"] / "validation.csv")
    en = pd.read_csv(run["out"] / "validation.csv")
    pd.testing.assert_frame_equal(nb.drop(columns=["simulated_mean", "ci_low", "ci_high",
                                                   "inside"]),
                                  en.drop(columns=["simulated_mean", "ci_low", "ci_high",
                                                   "inside"]))
    assert "safety alarms answered" in set(nb["figure"])
    md = (run_nb["out"] / "validation.md").read_text("utf-8")
    assert "safety alarms answered" in md and "trygghetsalarmer" not in md


def test_validate_english_terminal_is_its_markdown(tmp_path: Path, capsys, run) -> None:
    """In English the terminal table is validation.md as before (nothing translated)."""
    from respons.report.study_tables import validation_text
    from respons.studies.validation import fitted_markdown, markdown, verdict

    df = pd.read_csv(run["out"] / "validation.csv")
    fitted = run["json"]["fitted_inputs"]
    md = "\n".join([markdown(df), *verdict(df), "",
                    "Fitted inputs next to the plausible range the sources allow:", "",
                    fitted_markdown(fitted)])
    assert validation_text(df, fitted, [], "en") == md
    assert (run["out"] / "validation.md").read_text("utf-8").startswith(markdown(df))
