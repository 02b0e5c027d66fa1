"""One set of conventions for every command (issue 16): `--json` wherever a table is printed
(one JSON document on stdout and nothing else), `--jobs` wherever replications run (same
numbers as serial), `--lang nb|en` for the terminal's labels and number format. Tiny periods
and few replications keep this fast; each command runs once per module where possible."""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from respons.cli import main
from respons.cli.main import COMMANDS, build_parser
from respons.config import yamlio
from respons.config.loading import load_config, validate
from respons.report.formatting import NBSP
from respons.report.study_tables import (
    inputs_table,
    ranges_table,
    sensitivity_table,
)
from respons.studies import calibrate as cal
from respons.studies.sensitivity import markdown as sensitivity_markdown
from respons.studies.sensitivity import sensitivity
from respons.studies.uncertainty_report import markdown_inputs, markdown_ranges

PACKAGE_DATA = Path(__file__).resolve().parents[1] / "respons" / "data"
WEEK = ["--set", "period.start=2020-09-01", "--set", "period.end=2020-09-08"]
# Norwegian numbers: a decimal comma before a percent sign or unit ('97,2 %'), never a point.
NB_SHARE = re.compile(rf"\d,\d+{NBSP}%")
EN_SHARE = re.compile(r"\d\.\d+ %")

# Commands that print no table, with the reason; every other command must have --json.
NO_TABLE = {"report": "prints the path of the report it wrote",
            "serve": "a page in the browser"}
# Commands that run no replications, with the reason; every other one must have --jobs.
NO_REPLICATIONS = {"erlang": "formulas only", "profile-log": "reads an event log",
                   "report": "draws results already written",
                   "collect": "reads the task files of a sweep"}
# Commands with a table but no --lang, with the reason.
NO_LANG = {"profile-log": "prints YAML for a config, whose keys are English"}


def _options(command: str) -> set[str]:
    parser = build_parser(command)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {o for a in sub.choices[command]._actions for o in a.option_strings}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_follows_the_conventions(command: str) -> None:
    options = _options(command)
    if command not in NO_TABLE:
        assert "--json" in options, f"{command} prints a table but has no --json"
        if command not in NO_LANG:
            assert "--lang" in options, f"{command} prints a table but has no --lang"
    if command not in NO_REPLICATIONS:
        assert "--jobs" in options, f"{command} runs replications but has no --jobs"


def test_the_exemptions_name_real_commands() -> None:
    assert set(NO_TABLE) | set(NO_REPLICATIONS) | set(NO_LANG) <= set(COMMANDS)


def _json(capsys: pytest.CaptureFixture[str]) -> dict:
    """stdout is exactly one JSON document (notes and progress went to stderr)."""
    return json.loads(capsys.readouterr().out)


# ---- validate --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def week_configs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped 2019 and 2020 configs cut to the first week of September."""
    folder = tmp_path_factory.mktemp("configs")
    for y in (2019, 2020):
        data = yamlio.load(PACKAGE_DATA / f"vaernes-{y}.yaml")
        data["period"] = {"start": dt.date(y, 9, 1), "end": dt.date(y, 9, 8)}
        (folder / f"vaernes-{y}.yaml").write_text(yamlio.dumps(data), encoding="utf-8")
    return folder


def test_validate_json_jobs_and_norwegian(week_configs: Path, tmp_path: Path, capsys) -> None:
    base = ["validate", "--configs", str(week_configs), "--replications", "2"]
    code = main([*base, "--json", "--out", str(tmp_path / "serial")])
    doc = _json(capsys)
    assert set(doc) == {"rows", "fitted_inputs", "verdict", "range_problems", "inside",
                        "run_directory"}
    for key in ("role", "published", "simulated_mean", "ci_low", "ci_high", "band", "inside"):
        assert all(key in row for row in doc["rows"])
    assert {row["role"] for row in doc["rows"]} == {"fitted", "predicted"}
    # the document is the file's content, and the exit code still follows the table
    csv = pd.read_csv(tmp_path / "serial" / "validation.csv")
    assert [r["simulated_mean"] for r in doc["rows"]] == pytest.approx(
        csv["simulated_mean"].tolist(), nan_ok=True)
    assert doc["inside"] == bool(csv["inside"].all()) and code == (0 if doc["inside"] else 1)
    assert doc["run_directory"] == str(tmp_path / "serial")
    # two processes: the same table
    assert main([*base, "--json", "--jobs", "2", "--out", str(tmp_path / "two")]) == code
    assert _json(capsys)["rows"] == doc["rows"]
    assert (tmp_path / "two" / "validation.csv").read_bytes() == \
        (tmp_path / "serial" / "validation.csv").read_bytes()
    # Norwegian labels and numbers in the terminal; the file stays as it was
    assert main([*base, "--lang", "nb", "--out", str(tmp_path / "nb")]) == code
    out = capsys.readouterr().out
    assert "| år | tall | rolle | publisert |" in out and "tilpasset" in out
    assert NB_SHARE.search(out) and not EN_SHARE.search(out)
    assert (tmp_path / "nb" / "validation.md").read_bytes() == \
        (tmp_path / "serial" / "validation.md").read_bytes()


def test_validate_prints_in_english_what_it_writes(week_configs: Path, tmp_path: Path,
                                                   capsys) -> None:
    assert main(["validate", "--configs", str(week_configs), "--replications", "2",
                 "--lang", "en", "--out", str(tmp_path / "v")]) in (0, 1)
    out = capsys.readouterr().out
    written = (tmp_path / "v" / "validation.md").read_text("utf-8")
    assert out == f"{written}\nrun directory: {tmp_path / 'v'}\n"


# ---- calibrate -------------------------------------------------------------------------------

def test_calibrate_json_is_the_fit_and_nothing_else(tmp_path: Path, capsys,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The printing of calibrate (the fit itself needs a whole year: behind `slow` in
    test_calibration.py): fits replaced by fixed ones, the JSON names what was written."""
    seen = {}

    def fit20(data: dict, replications: int, check, jobs: int = 1) -> cal.Fit:  # noqa: ANN001
        seen["jobs"] = jobs
        return cal.Fit(2020, {"legevakt_talk_mean_s": 130.5}, ["fixed"])

    monkeypatch.setattr(cal, "calibrate_2020", fit20)
    monkeypatch.setattr(cal, "calibrate_2019",
                        lambda *a: cal.Fit(2019, {"go_live": "2019-08-08"}, ["fixed"]))
    assert main(["calibrate", "--configs", str(tmp_path), "--json", "--jobs", "2"]) == 0
    io = capsys.readouterr()
    doc = json.loads(io.out)
    assert set(doc) == {"configs", "fitted", "fitted_inputs"}
    assert doc["fitted"] == {"2020": {"legevakt_talk_mean_s": 130.5},
                             "2019": {"go_live": "2019-08-08"}}
    assert doc["configs"]["2020"] == str(tmp_path / "vaernes-2020.yaml")
    assert all((tmp_path / f"vaernes-{y}.yaml").is_file() for y in (2019, 2020))
    assert "starting from the built-in" in io.err and seen["jobs"] == 2
    assert {r["scenario"] for r in doc["fitted_inputs"]} == {"vaernes-2019", "vaernes-2020"}
    # the terminal: the fitted inputs in Norwegian, the progress off (not a terminal)
    assert main(["calibrate", "--configs", str(tmp_path), "--lang", "nb"]) == 0
    io = capsys.readouterr()
    assert "Tilpassede inndata" in io.out and "| konfigurasjon | inndata |" in io.out
    assert "130,5" in io.out and "130.5 |" not in io.out and io.err == ""
    # without --lang: the config's `lang`, else LANG (as simulate resolves it)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.setenv("LANG", "nb_NO.UTF-8")
    assert main(["calibrate", "--configs", str(tmp_path)]) == 0
    assert "Tilpassede inndata" in capsys.readouterr().out
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert main(["calibrate", "--configs", str(tmp_path)]) == 0
    assert "Fitted inputs next to the plausible range" in capsys.readouterr().out


def test_calibrate_fit_on_two_processes_equals_serial() -> None:
    data = yamlio.load(PACKAGE_DATA / "vaernes-2020.yaml")
    data["period"] = {"start": dt.date(2020, 9, 1), "end": dt.date(2020, 9, 8)}

    def check(d: dict) -> object:
        return validate(dict(d), "test")

    fits = [cal.fit_legevakt_talk(copy.deepcopy(data), 0.97, 2, check, jobs=j) for j in (1, 2)]
    assert fits[0] == fits[1] and 60 < fits[0] < 600


# ---- sensitivity -----------------------------------------------------------------------------

def test_sensitivity_json_jobs_progress_and_norwegian(capsys) -> None:
    argv = ["sensitivity", *WEEK, "--replications", "2"]
    assert main([*argv, "--json", "--jobs", "2"]) == 0
    doc = _json(capsys)
    assert {"scenario", "replications", "mode", "change", "kpis", "rows"} <= set(doc)
    assert doc["mode"] == "change" and doc["change"] == 0.25 and len(doc["rows"]) == 11
    assert all({"parameter", "factor", *doc["kpis"]} <= set(r) for r in doc["rows"])
    # serial, in process, with its progress: the same numbers
    cfg = load_config(None, [*(a for a in WEEK if a != "--set"), "replications=2"])
    ticks: list[tuple[int, int]] = []
    df = sensitivity(cfg, 0.25, jobs=1, progress=lambda d, t: ticks.append((d, t)))
    assert df.to_dict(orient="records") == doc["rows"]
    assert ticks == [(i, 11) for i in range(1, 12)]
    # the terminal: English as the study's Markdown, Norwegian in its own format
    assert sensitivity_table(df, "en") == sensitivity_markdown(df)
    nb = sensitivity_table(df, "nb")
    assert "| parameter | endring |" in nb and NB_SHARE.search(nb) and not EN_SHARE.search(nb)
    assert f"-25{NBSP}%" in nb and "pp)" in nb
    assert main([*argv, "--lang", "nb"]) == 0
    assert capsys.readouterr().out == nb + "\n"


# ---- staff -----------------------------------------------------------------------------------

STAFF = ["staff", "--set", "period.end=2020-01-08", "--replications", "2", "--target", "0.9",
         "--within", "120"]


def test_staff_json_and_norwegian(capsys) -> None:
    assert main([*STAFF, "--json"]) == 0
    io = capsys.readouterr()
    doc = json.loads(io.out)
    assert "simulated" in io.err  # the search's progress stays on stderr
    assert {"pool", "target", "within_s", "blocks", "rosters", "published_fte"} <= set(doc)
    assert [b["block"] for b in doc["blocks"]] == ["night", "day", "evening"]
    for b in doc["blocks"]:
        assert {"staff", "erlang_c_staff", "alarms_per_hour", "within_target"} <= set(b)
        k = b["within_target"]
        assert 0 <= k["ci_low"] <= k["mean"] <= k["ci_high"] <= 1 and k["ci_low"] >= 0.9
    assert [r["roster"] for r in doc["rosters"]] == ["simulated", "erlang_c", "config"]
    simulated = doc["rosters"][0]
    assert simulated["weekly_hours"] == sum(
        b["staff"] * ((b["end_hour"] - b["start_hour"]) % 24 or 24) * 7 for b in doc["blocks"])
    assert main([*STAFF, "--lang", "nb"]) == 0
    out = capsys.readouterr().out
    assert "blokk" in out and "årsverk" in out and NB_SHARE.search(out)
    assert not EN_SHARE.search(out)
    assert f"{simulated['weekly_hours']:.1f}".replace(".", ",") + " t/uke" in out


# ---- roster ----------------------------------------------------------------------------------

def test_roster_json_is_its_summary_and_norwegian_format(tmp_path: Path, capsys) -> None:
    from respons.cli.roster import format_summary

    out = tmp_path / "rota"
    assert main(["roster", "--set", "period.start=2020-11-02", "--set",
                 "period.end=2020-11-09", "--replications", "2", "--goal", "0.9", "--within",
                 "120", "--shifts", "three-8h", "--out", str(out), "--json"]) == 0
    io = capsys.readouterr()
    doc = json.loads(io.out)
    assert "iteration 1:" in io.err
    written = json.loads((out / "summary.json").read_text("utf-8"))
    assert doc == {**written, "roster_directory": str(out)}
    nb = format_summary(written, "nb")
    assert "turnus" in nb and "nådd" in nb and NB_SHARE.search(nb) and not EN_SHARE.search(nb)
    cost = f"{written['cost_nok']:,}".replace(",", NBSP)
    assert f"kr {cost}" in nb
    assert "NOK " + f"{written['cost_nok']:,}" in format_summary(written, "en")


# ---- uncertainty -----------------------------------------------------------------------------

def test_uncertainty_json_and_norwegian(tmp_path: Path, capsys) -> None:
    out = tmp_path / "unc"
    assert main(["uncertainty", *WEEK, "--set", "replications=2", "--trajectories", "2",
                 "--samples", "6", "--replications", "1", "--out", str(out), "--json"]) == 0
    doc = _json(capsys)
    assert set(doc) == {"plan", "ranges", "inputs", "assumption_ranges", "report",
                        "output_directory"}
    assert Path(doc["assumption_ranges"]).is_file()
    ranges = pd.read_csv(out / "ranges.csv")
    inputs = pd.read_csv(out / "inputs.csv")
    assert [r["kpi"] for r in doc["ranges"]] == ranges["kpi"].tolist()
    assert [r["input"] for r in doc["inputs"]] == inputs["input"].tolist()
    assert doc["plan"]["stage2_points"] == 6 and doc["output_directory"] == str(out)
    assert ranges_table(ranges, "en") == markdown_ranges(ranges)
    assert inputs_table(inputs, "en") == markdown_inputs(inputs)
    nb = ranges_table(ranges, "nb") + inputs_table(inputs, "nb")
    assert "| nøkkeltall |" in nb and "| inndata |" in nb
    assert NB_SHARE.search(nb) and not EN_SHARE.search(nb)


# ---- profile-log -----------------------------------------------------------------------------

def test_profile_log_json(tmp_path: Path, capsys) -> None:
    log = tmp_path / "log.csv"
    rows = [f"2020-03-0{d}T0{h}:15:00,alarm,{60 * h}" for d in range(2, 9) for h in (8, 9)]
    log.write_text("timestamp,category,talk_s\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert main(["profile-log", str(log), "--json"]) == 0
    doc = _json(capsys)
    assert doc["rows"] == 14 and doc["log"] == str(log)
    assert doc["profiles"]["alarm"]["count"] == 14
    assert doc["profiles"]["alarm"]["talk_mean_s"] == pytest.approx(510.0)


def test_erlang_in_norwegian(capsys) -> None:
    argv = ["erlang", "--per-hour", "6", "--aht", "240", "--target", "120",
            "--service-level", "0.9", "--patience", "300"]
    assert main([*argv, "--lang", "nb"]) == 0
    nb = capsys.readouterr().out
    assert "innringere legger på etter 300 s" in nb
    assert "besvart innen 120 s" in nb and "96,88\u00a0%" in nb
    assert "operatører som trengs for 90\u00a0% innen 120 s" in nb
    assert main([*argv, "--lang", "en"]) == 0
    en = capsys.readouterr().out
    assert "answered within 120 s" in en and "96.88 %" in en


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path) -> None:
    """`respons ... | head -1`: no 'Broken pipe' error, no traceback (`true` exits at once,
    long before respons has started, so every write finds the pipe closed)."""
    import subprocess
    import sys

    cmd = (f"{sys.executable} -m respons erlang --per-hour 6 --aht 240 --target 120 "
           "--service-level 0.9 | true")
    done = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=60)
    assert done.stderr == ""


def test_profile_log_says_when_it_scales_a_short_log_to_a_year(tmp_path: Path, capsys) -> None:
    log = tmp_path / "log.csv"
    rows = [f"2020-03-0{d}T08:15:00,alarm" for d in range(2, 9)]
    log.write_text("timestamp,category\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert main(["profile-log", str(log)]) == 0
    err = capsys.readouterr().err
    assert "covers 6 days" in err and "365 days" in err  # first to last entry
