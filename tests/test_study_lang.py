"""`--lang nb` for roster and uncertainty: the terminal and report.html read Norwegian
(`36 063`, `97,2 %`), English stays as it was; the published-FTE row says what it is."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from respons.cli import main
from respons.report.formatting import NBSP

EN_SHARE = re.compile(r"\d\.\d+ %")
NB_SHARE = re.compile(r"\d,\d+[ \u00a0]%")


# ---- roster ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def roster_nb(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("roster") / "R"
    import contextlib
    import io

    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["roster", "--goal", "0.95", "--within", "120", "--replications", "2",
                     "--set", "period.end=2020-02-01", "--out", str(out), "--lang", "nb"])
    return {"code": code, "out": out, "stdout": stdout.getvalue(),
            "summary": json.loads((out / "summary.json").read_text("utf-8"))}


def test_roster_terminal_is_norwegian(roster_nb) -> None:
    text = roster_nb["stdout"]
    assert roster_nb["code"] == 0
    for nb in ("nåværende turnus (konfigurasjon)", "publisert 5,7 årsv. uten fagleder",
               "Erlang C per halvtime", "\nsvar ", "turnusmappe: ", "antakelser"):
        assert nb in text, nb
    for en in ("current rota", "published 5.7", "Erlang C per half hour", "answer",
               "roster directory", "antagelser"):
        assert en not in text, en
    assert NB_SHARE.search(text) and not EN_SHARE.search(text)


def test_roster_report_is_norwegian(roster_nb) -> None:
    html = (roster_nb["out"] / "report.html").read_text("utf-8")
    assert '<html lang="nb">' in html and "<title>Respons turnus: " in html
    for nb in ("Sammenlignet", "Iterasjoner", "Turnusen", "Behov og bemanning i turnus",
               "publisert 5,7 årsv. uten fagleder", "nåværende turnus", ">man.<"):
        assert nb in html, nb
    for en in ("Respons roster", "Compared", "Iterations", "The rota", "current rota",
               ">met<", "NOK/week"):
        assert en not in html, en
    cost = f"{roster_nb['summary']['cost_nok']:,}".replace(",", NBSP)
    assert cost in html and NB_SHARE.search(html)


def test_published_fte_row_says_it_is_the_operators_part(roster_nb) -> None:
    """summary.json keeps the English machine name; the row is the published 5.7 FTE less
    the lead (one seat round the clock), so its FTE is below 5.7, not a contradiction."""
    from respons.cli.roster import format_summary
    from respons.report.roster import rota_label

    rows = {r["name"]: r for r in roster_nb["summary"]["comparison"]}
    name = "published 5.7 FTE less the lead: one seat 24/7"
    assert name in rows and rows[name]["fte"] < 5.7
    assert rows[name]["weekly_hours"] == pytest.approx(168.0)  # one seat, every hour
    en = format_summary(roster_nb["summary"], "en")
    assert name in en and "current rota (config)" in en and "roster directory" not in en
    assert rota_label(name, "nb") == "publisert 5,7 årsv. uten fagleder: én plass 24/7"
    assert rota_label("answer with at least 2 on duty", "nb") == "svar med minst 2 på vakt"
    assert rota_label("something else", "nb") == "something else"
    doc = (Path(__file__).resolve().parents[1] / "docs" / "roster.md").read_text("utf-8")
    assert f"| {name} |" in doc


# ---- uncertainty -------------------------------------------------------------------------

TINY = ["uncertainty", "--trajectories", "2", "--samples", "4", "--replications", "1",
        "--set", "period.end=2020-01-15"]


@pytest.fixture(scope="module")
def uncertainty_nb(tmp_path_factory) -> dict:
    import contextlib
    import io

    out = tmp_path_factory.mktemp("uncertainty") / "U"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main([*TINY, "--out", str(out), "--lang", "nb"])
    return {"code": code, "out": out, "stdout": stdout.getvalue(), "stderr": stderr.getvalue()}


def test_uncertainty_terminal_is_norwegian(uncertainty_nb) -> None:
    text, err = uncertainty_nb["stdout"], uncertainty_nb["stderr"]
    assert uncertainty_nb["code"] == 0
    assert "1 replikasjon per punkt" in err and "replications" not in err
    assert "punkter ferdig" in err and "points done" not in err
    assert "alarmer besvart innen målet" in text and "antakelsene" in text
    assert "alarms_answered_within_target_share" not in text and "antagelsene" not in text
    # times as simulate prints them: minutes:seconds from a minute up, never '1607,7 s'
    row = next(x for x in text.splitlines() if x.startswith("| tid til hjemmetjenesten"))
    assert re.search(r"\d+:\d\d\u00a0min", row) and not re.search(r"\d{3,},\d s", row)
    assert "utdatamappe: " in text and "rapport: " in text and "output directory" not in text
    assert NB_SHARE.search(text) and not EN_SHARE.search(text)


def test_uncertainty_report_follows_lang_and_report_command(uncertainty_nb, capsys) -> None:
    out = uncertainty_nb["out"]
    html = (out / "report.html").read_text("utf-8")
    assert '<html lang="nb">' in html and "Usikkerhet over antakelsene: " in html
    assert "Morris-screening med 2 baner" in html and "1 replikasjon per punkt" in html
    for en in ("Uncertainty over the assumptions", "Morris screening with", "Headline KPIs",
               "replications per point", "stage 2"):
        assert en not in html, en
    assert main(["report", str(out), "--lang", "en"]) == 0
    html = (out / "report.html").read_text("utf-8")
    assert '<html lang="en">' in html and "Uncertainty over the assumptions: " in html
    assert "1 replication per point" in html and "Usikkerhet" not in html
    assert main(["report", str(out), "--lang", "nb"]) == 0
    assert "Usikkerhet over antakelsene" in (out / "report.html").read_text("utf-8")
    capsys.readouterr()


def test_uncertainty_english_tables_keep_their_keys_and_print_times_as_simulate() -> None:
    import pandas as pd

    from respons.report.study_tables import ranges_table
    from respons.studies.uncertainty_report import markdown_ranges

    ranges = pd.DataFrame([{"kpi": "help_arrival_time_mean_s", "unit": "s",
                            "baseline_mean": 1607.7, "ci_low": 1586.6, "ci_high": 1628.8,
                            "p05": 45.0, "p95": 1874.7, "p50": 1598.7}])
    en = ranges_table(ranges, "en")
    assert en == markdown_ranges(ranges) and "`help_arrival_time_mean_s`" in en
    assert "26:48 min" in en and "45.0 s" in en and "1607.7 s" not in en
    nb = ranges_table(ranges, "nb")
    assert "26:48\u00a0min" in nb and "45,0\u00a0s" in nb and "tid til hjemmetjenesten" in nb
