"""`respons erlang`: analytic figures on the command line, checked against first principles."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from respons.analysis.erlang import agents_needed, erlang_a_metrics, erlang_c_metrics
from respons.cli import main

ROOT = Path(__file__).resolve().parents[1]
BASE = ["erlang", "--per-hour", "6", "--aht", "240", "--agents", "2", "--target", "120"]
C_KEYS = ["agents", "wait_probability", "service_level", "mean_wait_s", "occupancy"]


def erlang(capsys, *flags: str) -> tuple[int, str, str]:
    """Run `respons erlang FLAGS`; (exit code, stdout, stderr)."""
    code = main(["erlang", *flags])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def erlang_json(capsys, *flags: str) -> dict:
    code, out, err = erlang(capsys, *flags, "--json")
    assert code == 0, err
    assert out.endswith("\n") and out.count("\n") == 1  # exactly one JSON object, one line
    return json.loads(out)


def textbook_erlang_c(per_hour: float, aht: float, c: int, target: float) -> dict:
    """M/M/c from the textbook formulas with factorials (small c only).

    P(wait) = [a^c / c! * c / (c - a)] / [sum_{k<c} a^k / k! + a^c / c! * c / (c - a)],
    P(W <= t) = 1 - P(wait) exp(-(c - a) t / AHT), E[W] = P(wait) AHT / (c - a), occupancy a / c.
    """
    a = per_hour * aht / 3600
    top = a**c / math.factorial(c) * c / (c - a)
    pw = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return {
        "agents": c,
        "wait_probability": pw,
        "service_level": 1 - pw * math.exp(-(c - a) * target / aht),
        "mean_wait_s": pw * aht / (c - a),
        "occupancy": a / c,
    }


# ---------------------------------------------------------------- Erlang C values


def test_table_for_the_issue_example(capsys) -> None:
    # a = 0.4 erlangs on 2 agents: P(wait) = 1/15, mean wait = (1/15) 240 / 1.6 = 10 s,
    # service level = 1 - exp(-0.8) / 15 = 97.00 %, occupancy 20 %.
    code, out, err = erlang(capsys, *BASE[1:])
    assert code == 0 and err == ""
    assert "Erlang C" in out
    lines = {" ".join(line.split()[:-2]): line.split()[-2:] for line in out.splitlines()
             if len(line.split()) >= 3}
    assert lines["probability of waiting"] == ["6.67", "%"]
    assert lines["answered within 120 s"] == ["97.00", "%"]
    assert lines["mean wait (all callers)"] == ["10.0", "s"]
    assert lines["occupancy"] == ["20.00", "%"]
    assert "agents" in out and "0.400 erlangs" in out
    assert "abandon" not in out and "agents needed" not in out


@pytest.mark.parametrize(
    ("per_hour", "aht", "agents", "target"),
    [(6, 240, 2, 120), (100, 180, 7, 20), (100, 180, 6, 30), (360, 240, 30, 20),
     (9, 240, 1, 60), (50, 300, 5, 0)],
)
def test_json_matches_textbook_formula(capsys, per_hour, aht, agents, target) -> None:
    got = erlang_json(capsys, "--per-hour", str(per_hour), "--aht", str(aht),
                      "--agents", str(agents), "--target", str(target))
    ref = textbook_erlang_c(per_hour, aht, agents, target)
    assert list(got) == C_KEYS
    assert got["agents"] == agents and isinstance(got["agents"], int)
    for key in C_KEYS[1:]:
        assert got[key] == pytest.approx(ref[key], rel=1e-11), key


def test_issue_example_exact_values(capsys) -> None:
    got = erlang_json(capsys, *BASE[1:])
    assert got["wait_probability"] == pytest.approx(1 / 15, rel=1e-13)
    assert got["mean_wait_s"] == pytest.approx(10.0, rel=1e-13)
    assert got["service_level"] == pytest.approx(1 - math.exp(-0.8) / 15, rel=1e-13)
    assert got["occupancy"] == pytest.approx(0.2, rel=1e-13)


# ---------------------------------------------------------------- --service-level


@pytest.mark.parametrize(
    ("per_hour", "aht", "target", "level"),
    [(6, 240, 120, 0.98), (360, 240, 20, 0.8), (100, 180, 30, 0.9), (1, 600, 60, 0.5),
     (3562.5, 240, 20, 0.8), (3750, 240, 15, 0.95)],
)
def test_agents_needed_is_minimal_under_erlang_c(capsys, per_hour, aht, target, level) -> None:
    flags = ["--per-hour", str(per_hour), "--aht", str(aht), "--target", str(target),
             "--service-level", str(level)]
    got = erlang_json(capsys, *flags)
    assert list(got) == [*C_KEYS, "agents_needed"]
    n = got["agents_needed"]
    assert got["agents"] == n  # no --agents: the figures are for the agents needed
    assert n == agents_needed(per_hour, aht, target, level)
    assert erlang_c_metrics(per_hour, aht, n, target).service_level >= level
    if n > 1:
        assert erlang_c_metrics(per_hour, aht, n - 1, target).service_level < level
    assert got["service_level"] == erlang_c_metrics(per_hour, aht, n, target).service_level
    # With --agents given, the figures are for those agents and agents_needed is still there.
    with_agents = erlang_json(capsys, *flags, "--agents", str(n + 3))
    assert with_agents["agents"] == n + 3 and with_agents["agents_needed"] == n
    assert with_agents["service_level"] == pytest.approx(
        erlang_c_metrics(per_hour, aht, n + 3, target).service_level, rel=1e-15)


def test_service_level_in_table(capsys) -> None:
    code, out, _ = erlang(capsys, *BASE[1:], "--service-level", "0.98")
    assert code == 0
    needed = [line for line in out.splitlines() if "agents needed" in line]
    assert len(needed) == 1 and "98 %" in needed[0] and needed[0].split()[-1] == "3"
    code, out, _ = erlang(capsys, "--per-hour", "6", "--aht", "240", "--target", "120",
                          "--service-level", "0.98")
    assert code == 0 and "agents needed" in out


# ---------------------------------------------------------------- --patience (Erlang A)


@pytest.mark.parametrize(
    ("per_hour", "aht", "agents", "target", "patience"),
    [(6, 240, 2, 120, 300), (20, 240, 1, 60, 300), (360, 240, 22, 20, 90)],
)
def test_patience_gives_erlang_a(capsys, per_hour, aht, agents, target, patience) -> None:
    flags = ["--per-hour", str(per_hour), "--aht", str(aht), "--agents", str(agents),
             "--target", str(target), "--patience", str(patience)]
    got = erlang_json(capsys, *flags)
    assert list(got) == [*C_KEYS, "abandon_probability"]
    ref = erlang_a_metrics(per_hour, aht, agents, target, patience).as_dict()
    for key in [*C_KEYS, "abandon_probability"]:
        assert got[key] == pytest.approx(ref[key], rel=1e-12), key
    assert 0 < got["abandon_probability"] < 1
    code, out, _ = erlang(capsys, *flags)
    assert code == 0 and "Erlang A" in out and "abandoned" in out


@pytest.mark.parametrize(
    ("per_hour", "aht", "target", "level", "patience"),
    [(6, 240, 120, 0.98, 300), (360, 240, 20, 0.8, 60), (100, 180, 30, 0.9, 120),
     (3000, 240, 20, 0.8, 120)],
)
def test_agents_needed_under_erlang_a(capsys, per_hour, aht, target, level, patience) -> None:
    got = erlang_json(capsys, "--per-hour", str(per_hour), "--aht", str(aht),
                      "--target", str(target), "--service-level", str(level),
                      "--patience", str(patience))
    assert list(got) == [*C_KEYS, "abandon_probability", "agents_needed"]
    n = got["agents_needed"]
    assert n == agents_needed(per_hour, aht, target, level, patience_s=patience)
    assert erlang_a_metrics(per_hour, aht, n, target, patience).service_level >= level
    if n > 1:
        assert erlang_a_metrics(per_hour, aht, n - 1, target, patience).service_level < level


# ---------------------------------------------------------------- many agents


def test_250_agents_stay_finite(capsys) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for per_hour in ("3562.5", "3750", "4500"):  # 95 %, 100 %, 120 % of 250 agents' load
            got = erlang_json(capsys, "--per-hour", per_hour, "--aht", "240", "--agents", "250",
                              "--target", "20", "--patience", "120")
            assert all(math.isfinite(v) for v in got.values())
            assert 0 <= got["service_level"] <= 1 and 0 < got["abandon_probability"] < 1
        got = erlang_json(capsys, "--per-hour", "3562.5", "--aht", "240", "--agents", "250",
                          "--target", "20")
        assert all(math.isfinite(v) for v in got.values())
        assert 0 < got["wait_probability"] < 1 and got["occupancy"] == pytest.approx(0.95)
        got = erlang_json(capsys, "--per-hour", "360", "--aht", "240", "--agents", "250",
                          "--target", "20")  # 24 erlangs on 250 agents: P(wait) underflows
        assert 0 <= got["wait_probability"] < 1e-100 and got["service_level"] == 1.0


def test_thousands_of_agents_needed_under_erlang_a(capsys) -> None:
    # 2000 erlangs with abandonment: found by bisection, still the minimal count.
    got = erlang_json(capsys, "--per-hour", "30000", "--aht", "240", "--target", "20",
                      "--service-level", "0.8", "--patience", "120")
    n = got["agents_needed"]
    assert 1000 < n < 2100 and all(math.isfinite(v) for v in got.values())
    assert erlang_a_metrics(30000, 240, n, 20, 120).service_level >= 0.8
    assert erlang_a_metrics(30000, 240, n - 1, 20, 120).service_level < 0.8


# ---------------------------------------------------------------- unstable load


def test_unstable_erlang_c_is_reported_but_answered(capsys) -> None:
    flags = ["--per-hour", "60", "--aht", "240", "--agents", "2", "--target", "120"]
    code, out, err = erlang(capsys, *flags)
    assert code == 0 and err == ""
    assert "unstable" in out and "unbounded" in out and "--agents" in out
    code, out, err = erlang(capsys, *flags, "--json")
    assert code == 0 and "unstable" in err
    got = json.loads(out)  # strict JSON: no Infinity
    assert got == {"agents": 2, "wait_probability": 1.0, "service_level": 0.0,
                   "mean_wait_s": None, "occupancy": 1.0}
    got = erlang_json(capsys, *flags, "--service-level", "0.8")
    assert got["agents_needed"] == agents_needed(60, 240, 120, 0.8) > 4
    # Erlang A is stable at the same load: no note.
    code, out, err = erlang(capsys, *flags, "--patience", "60")
    assert code == 0 and "unstable" not in out + err


def test_help_documents_unstable_and_json(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["erlang", "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for word in ("unstable", "--per-hour", "--service-level", "--patience", "--json",
                 "agents_needed", "abandon_probability", "exit code"):
        assert word in text, word


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("flags", "flag"),
    [
        (["--per-hour", "-6", "--aht", "240", "--agents", "2", "--target", "120"], "--per-hour"),
        (["--per-hour", "abc", "--aht", "240", "--agents", "2", "--target", "120"],
         "--per-hour"),
        (["--per-hour", "nan", "--aht", "240", "--agents", "2", "--target", "120"],
         "--per-hour"),
        (["--per-hour", "6", "--aht", "0", "--agents", "2", "--target", "120"], "--aht"),
        (["--per-hour", "6", "--aht", "inf", "--agents", "2", "--target", "120"], "--aht"),
        (["--per-hour", "6", "--aht", "240", "--agents", "0", "--target", "120"], "--agents"),
        (["--per-hour", "6", "--aht", "240", "--agents", "-3", "--target", "120"], "--agents"),
        (["--per-hour", "6", "--aht", "240", "--agents", "2.5", "--target", "120"], "--agents"),
        (["--per-hour", "6", "--aht", "240", "--agents", "2", "--target", "-1"], "--target"),
        (["--per-hour", "6", "--aht", "240", "--target", "120"], "--agents"),
        (["--aht", "240", "--agents", "2", "--target", "120"], "--per-hour"),
        ([*BASE[1:], "--service-level", "1"], "--service-level"),
        ([*BASE[1:], "--service-level", "0"], "--service-level"),
        ([*BASE[1:], "--service-level", "1.5"], "--service-level"),
        ([*BASE[1:], "--service-level", "-0.2"], "--service-level"),
        ([*BASE[1:], "--patience", "0"], "--patience"),
        ([*BASE[1:], "--patience", "-60"], "--patience"),
        # Far beyond any reachable staffing (66 million erlangs): named, not a long scan.
        (["--per-hour", "1e9", "--aht", "240", "--target", "20", "--service-level", "0.8"],
         "--service-level"),
        (["--per-hour", "1e9", "--aht", "240", "--target", "20", "--service-level", "0.8",
          "--patience", "60"], "--service-level"),
        # Erlang A so overloaded that the queue cannot be solved.
        (["--per-hour", "60", "--aht", "240", "--agents", "1", "--target", "20",
          "--patience", "1e9"], "--patience"),
    ],
)
def test_bad_flags_exit_2_naming_the_flag(capsys, flags, flag) -> None:
    code, out, err = erlang(capsys, *flags)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and flag in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_module_entry_point_exit_codes() -> None:
    ok = subprocess.run([sys.executable, "-m", "respons", *BASE, "--json"], cwd=ROOT,
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert list(json.loads(ok.stdout)) == C_KEYS
    bad = subprocess.run([sys.executable, "-m", "respons", *BASE, "--service-level", "2"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "--service-level" in bad.stderr
    assert "Traceback" not in bad.stderr
