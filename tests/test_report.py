"""The HTML report: one self-contained file with the KPI table, figures as data URIs, escaped
text, people's number formats, optional validation and sweep sections, and the CLI command."""

from __future__ import annotations

import json
import re
import shutil
from html import escape
from pathlib import Path

import pandas as pd
import pytest

from respons.cli import main
from respons.report.catalog import FIGURES
from respons.report.page import make_report, write_report
from respons.report.sections import fmt_count, fmt_seconds, fmt_share, fmt_value
from respons.report.tables import verdict_lines


@pytest.fixture(scope="module")
def report(short_run: Path) -> Path:
    return make_report(short_run)


def assert_self_contained(html: str) -> None:
    """No external references, no scripts: every src is a data URI."""
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert "<iframe" not in html.lower() and "@import" not in html
    for src in re.findall(r'src="([^"]*)"', html):
        assert src.startswith("data:image/png;base64,")
    assert not re.search(r"url\(", html)


def test_report_is_self_contained_with_kpi_table_and_figures(report: Path) -> None:
    assert report.name == "report.html" and report.is_file()
    html = report.read_text("utf-8")
    assert_self_contained(html)
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html
    summary = json.loads((report.parent / "summary.json").read_text())
    table = html[html.index('<table id="kpi-table">'):]
    table = table[:table.index("</table>")]
    for name in summary["kpis"]:
        assert f'<span class="code">{name}</span>' in table
    assert table.count("<tr>") == len(summary["kpis"]) + 1
    share = summary["kpis"]["alarms_answered_within_target_share"]
    assert fmt_share(share["mean"]) in table
    # the same bounds as summary.json, formatted: no clipping or recomputing in the report
    assert f"{fmt_value(share['ci_low'], 'share')} – {fmt_value(share['ci_high'], 'share')}" \
        in table
    shown = len(FIGURES) - 1  # all but the visits figure: the baseline has no home-care teams
    assert html.count("<img ") == shown and html.count("<figcaption>") == shown
    assert "vaernes-2020" in html and "1 Jan 2020 – 14 Jan 2020 (14 days)" in html
    assert 'id="pools-table"' in html and 'id="municipalities-table"' in html
    assert "Midtre Gauldal" in html and "1 Oct 2020" in html
    assert 'id="validation"' not in html and 'id="sweep"' not in html


def test_report_answers_first_verdict_cost_municipalities(report: Path, capsys) -> None:
    html = report.read_text("utf-8")
    summary = json.loads((report.parent / "summary.json").read_text())
    order = [html.index(f'<section id="{s}">') for s in
             ("verdict", "municipalities", "kpis", "figures", "config", "appendix")]
    assert order == sorted(order)  # verdict and cost first, diagnostics last
    verdict = html[order[0]:order[1]]
    lines = verdict_lines(summary)
    assert lines[0].startswith("Goal ") and "of alarms within 120 s, goal 95 %" in lines[0]
    for line in lines:  # the same sentence as the terminal prints
        assert escape(line) in verdict
    assert "Cost of the period: NOK " in verdict and "Cost per municipality: Stjørdal NOK" \
        in verdict
    costs = summary["costs"]["by_municipality"]
    munis = html[order[1]:order[2]]
    assert 'id="by-municipality-table"' in munis
    assert fmt_value(costs["Stjørdal"], "nok") in munis
    assert "Levanger" not in munis  # joined in June: nothing in the first two weeks
    assert 'id="fig-replications"' in html[order[5]:]  # diagnostics in the appendix
    monthly = munis[munis.index('id="monthly-table"'):]  # volume per month and member
    assert "Jan 2020" in monthly and "Stjørdal" in monthly


def test_report_in_norwegian(short_run: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(short_run, run)
    assert main(["report", str(run), "--lang", "nb"]) == 0
    html = (run / "report.html").read_text("utf-8")
    assert_self_contained(html)
    assert '<html lang="nb">' in html and "Konklusjon og kostnad" in html
    summary = json.loads((run / "summary.json").read_text())
    assert verdict_lines(summary, "nb")[0].startswith("Målet er ")
    assert escape(verdict_lines(summary, "nb")[0]) in html
    assert "Kostnad for perioden: kr" in html and "1. jan. 2020" in html
    mean = summary["kpis"]["alarms_answered_within_target_share"]["mean"]
    assert f"{100 * mean:.1f}".replace(".", ",") + "\u00a0%" in html
    index = json.loads((run / "figures" / "index.json").read_text())
    assert index["lang"] == "nb"  # the figures were redrawn in Norwegian


def test_people_number_formats() -> None:
    assert fmt_share(0.96712) == "96.7 %"
    assert fmt_count(36150) == "36,150"
    assert fmt_seconds(19.34) == "19.3 s"
    assert fmt_seconds(125) == "2:05 min"
    assert fmt_seconds(3725) == "1.0 h"
    assert fmt_seconds(96690) == "26.9 h"  # not 26:51:30 h
    assert fmt_value(None, "share") == "–" and fmt_value(float("nan"), "s") == "–"
    assert fmt_value(1613.6, "s") == "26:54 min"
    nbsp = "\u00a0"
    assert fmt_count(36063, "nb") == f"36{nbsp}063"
    assert fmt_share(0.972, "nb") == f"97,2{nbsp}%"
    assert fmt_value(19.34, "s", "nb") == f"19,3{nbsp}s"
    assert fmt_value(1234567, "nok", "nb") == f"kr{nbsp}1{nbsp}234{nbsp}567"
    assert fmt_value(-0.0001, "count") == "0"  # never "-0"


def _sweep_table() -> pd.DataFrame:
    rows = []
    for point, (staff, sl) in enumerate([(1, 0.70), (2, 0.83), (3, 0.95)]):
        rows.append({"point": point, "operators_staff": staff, "roster_fte": 4.7 * staff,
                     "alarms_answered_within_target_share_mean": sl,
                     "alarms_answered_within_target_share_ci_low": sl - 0.02,
                     "alarms_answered_within_target_share_ci_high": sl + 0.02,
                     "operator_utilisation_mean": 0.5 / staff,
                     "operator_utilisation_ci_low": 0.5 / staff - 0.01,
                     "operator_utilisation_ci_high": 0.5 / staff + 0.01})
    return pd.DataFrame(rows)


def test_validation_and_sweep_sections_when_their_files_exist(tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert main(["simulate", "--set", "period.end=2020-01-08", "--replications", "2",
                 "--no-events", "--out", str(run)]) == 0
    pd.DataFrame([
        {"year": 2020, "figure": "safety alarms answered", "kpi": "alarms_answered",
         "published": 36150, "simulated_mean": 36041.0, "ci_low": 35837.0, "ci_high": 36245.0,
         "band": "± 5 %", "inside": True},
        {"year": 2020, "figure": "resolved by the operator",
         "kpi": "alarms_resolved_by_operator_share", "published": 0.45,
         "simulated_mean": 0.5, "ci_low": 0.49, "ci_high": 0.51, "band": "± 2 points",
         "inside": False},
    ]).to_csv(run / "validation.csv", index=False)
    _sweep_table().to_csv(run / "sweep-summary.csv", index=False)
    (run / "design.json").write_text(json.dumps({"goal": {"share": 0.8, "within_s": 120}}))
    html = write_report(run).read_text("utf-8")
    assert_self_contained(html)
    assert 'id="validation-table"' in html and "36,150" in html and "45.0 %" in html
    assert "<td>2020</td>" in html and "± 2 points" in html and "1 of 2 published" in html
    assert '<td class="yes">yes</td>' in html and '<td class="no">no</td>' in html
    assert 'id="sweep-table"' in html and 'id="fig-sweep"' in html
    assert ("Cheapest point meeting the goal (cheapest by roster_fte): 1 (operators staff = 2, "
            "roster fte = 9.4), with 83.0 %") in html
    assert "the sweep file&#x27;s goal" in html


def test_bare_sweep_directory_and_malformed_files(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    _sweep_table().to_csv(sweep / "sweep-summary.csv", index=False)
    (sweep / "validation.csv").write_text("not,a\nvalidation\x00file")
    assert main(["report", str(sweep)]) == 0
    html = (sweep / "report.html").read_text("utf-8")
    assert_self_contained(html)
    assert "No goal: neither the sweep file nor its base config sets" in html  # no hidden 80 %
    assert "Cheapest" not in html and "Respons sweep report: sweep" in html
    (sweep / "design.json").write_text(json.dumps({"goal": {"share": 0.99}}))
    assert main(["report", str(sweep)]) == 0
    html = (sweep / "report.html").read_text("utf-8")
    assert "No point reaches the goal of 99.0 %" in html
    assert 'id="kpi-table"' not in html and 'id="validation"' not in html


def test_validation_directory_without_summary(tmp_path: Path, short_run: Path) -> None:
    val = tmp_path / "validate"
    val.mkdir()
    shutil.copy(short_run / "config.resolved.yaml", val)
    (val / "metadata.json").write_text(json.dumps({"years": {"2019": {"replications": 3},
                                                             "2020": {"replications": 3}}}))
    pd.DataFrame([{"year": 2019, "figure": "technical alerts", "kpi": "technical_alerts",
                   "published": 867, "simulated_mean": 869.0, "ci_low": 628.0,
                   "ci_high": 1110.0, "band": "±5 %", "inside": True}]).to_csv(
        val / "validation.csv", index=False)
    assert main(["report", str(val)]) == 0
    html = (val / "report.html").read_text("utf-8")
    assert_self_contained(html)
    assert "Respons validation report: vaernes-2020" in html and "2019 (3 replications)" in html
    assert 'id="validation-table"' in html and 'id="kpi-table"' not in html


def test_cli_report_escapes_text_and_rejects_bad_dirs(tmp_path: Path, capsys) -> None:
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["report", str(empty)]) == 2
    assert "summary.json" in capsys.readouterr().err
    file = tmp_path / "file.txt"
    file.write_text("x")
    assert main(["report", str(file)]) == 2
    run = tmp_path / "run"
    assert main(["simulate", "--set", "period.end=2020-01-04", "--replications", "1",
                 "--set", "description=<script>alert(1)</script> & <b>co</b>",
                 "--no-events", "--out", str(run)]) == 0
    capsys.readouterr()
    assert main(["report", str(run)]) == 0
    out = capsys.readouterr().out
    assert str(run / "report.html") in out
    assert (run / "figures" / "staff_week.png").is_file()  # the tallies need no events
    html = (run / "report.html").read_text("utf-8")
    assert_self_contained(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;co&lt;/b&gt;" in html
    assert html.count("<img ") == len(FIGURES) - 1
    assert "no confidence interval" in html
