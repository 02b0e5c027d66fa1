"""`--lang nb` (issue 16) in scenarios, sensitivity, sweep, staff and simulate: Norwegian
labels and numbers (`36 063`, `97,2 %`, `+6,8 pp ± 7,2`), no English label left behind, and
the English output as before. Short periods, two replications, in process."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from respons.cli import main
from respons.report.formatting import NBSP

NB_SHARE = re.compile(rf"\d,\d{NBSP}%")
EN_SHARE = re.compile(r"\d\.\d %")
EN_DECIMAL = re.compile(r"(?<![\d.-])[+-]?\d+\.\d+(?!\.\d)")  # '6.8', not '2020-01-01' or '1.2.3'


def _table_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("|")]


# ---- 1. scenarios --compare ------------------------------------------------------------------

COMPARE = ["scenarios", "--compare", "--only", "backup-seat", "--replications", "2",
           "--period-end", "2020-01-15"]


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str | Path]:
    import contextlib
    import io

    out: dict[str, str | Path] = {}
    for lang in ("en", "nb"):
        target = tmp_path_factory.mktemp("cmp") / lang
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
            assert main([*COMPARE, "--lang", lang, "--out", str(target)]) == 0
        out[lang], out[f"{lang}_dir"] = buf.getvalue(), target
    return out


def test_scenarios_compare_in_norwegian(compared: dict) -> None:
    nb = compared["nb"]
    head = _table_lines(nb)[0]
    for word in ("mot", "alarmer besvart", "alarmer innen målet", "mål", "kostnad mill. kr",
                 "Respons årsverk"):
        assert f"| {word} |" in head, word
    for english in ("alarms answered", "alarms within target", "cost MNOK", "Respons FTE",
                    "| vs |", "| goal |"):
        assert english not in head, english
    assert nb.startswith("Referanse `vaernes-2020`; periode 2020-01-01 til 2020-01-15")
    assert "Celler: scenariets gjennomsnitt" in nb and "Cells:" not in nb
    assert "Every scenario" not in nb and "Baseline" not in nb
    rows = "\n".join(_table_lines(nb)[2:])
    # differences and cost/FTE in Norwegian: '+6,8 pp ± 7,2', '0,79 (+0,24)'
    assert re.search(rf"\([+-]\d+,\d{NBSP}pp ± \d+,\d\)", rows)
    assert re.search(rf"\([+-]\d+,\d{NBSP}s ± \d+,\d\)", rows)
    assert re.search(r"\| \d+,\d\d \([+-]\d+,\d\d\) \|", rows)  # cost, FTE
    assert NB_SHARE.search(rows) and not EN_SHARE.search(rows)
    assert not EN_DECIMAL.search(rows.replace("vaernes-2020", "")), rows
    assert "**referanse**" in rows and "**baseline**" not in rows
    assert re.search(r"\| (nådd|ikke nådd|ikke påvist) \|", rows)


def test_scenarios_compare_english_and_machine_files_unchanged(compared: dict) -> None:
    import pandas as pd

    en = compared["en"]
    head = _table_lines(en)[0]
    assert head.startswith("| scenario | vs | alarms answered | alarms within target |")
    assert head.endswith("| goal | cost MNOK | Respons FTE |")
    assert en.startswith("Baseline `vaernes-2020`; period 2020-01-01 to 2020-01-15")
    rows = "\n".join(_table_lines(en)[2:])
    assert re.search(r"\([+-]\d+\.\d pp ± \d+\.\d\)", rows)
    assert re.search(r"\| \d+\.\d\d \([+-]\d+\.\d\d\) \|", rows)
    assert "**baseline**" in rows
    # CSV/JSON keep their machine-readable English keys in both languages
    for lang in ("en", "nb"):
        d = Path(compared[f"{lang}_dir"])
        csv = pd.read_csv(d / "comparison.csv")
        assert list(csv.columns) == ["scenario", "reference", "kpi", "unit", "reference_mean",
                                     "scenario_mean", "diff", "diff_ci_low", "diff_ci_high"]
        assert (d / "comparison.json").read_text(encoding="utf-8").count('"diff_ci_low"') > 0
    # the people's table: comparison.xlsx in the language
    ws_en = openpyxl.load_workbook(Path(compared["en_dir"]) / "comparison.xlsx")
    ws_nb = openpyxl.load_workbook(Path(compared["nb_dir"]) / "comparison.xlsx")
    assert ws_en.sheetnames == ["Comparison"] and ws_nb.sheetnames == ["Sammenligning"]
    head_nb = [c.value for c in ws_nb["Sammenligning"][2]]
    assert "referansens gjennomsnitt" in head_nb and "reference_mean" not in head_nb
    assert "reference_mean" in [c.value for c in ws_en["Comparison"][2]]


def test_scenarios_visits_storm_and_cost_tables_in_norwegian(
        capsys: pytest.CaptureFixture[str]) -> None:
    from respons.config.loading import load_config
    from respons.report.comparison import cost_table
    from respons.studies.scenarios import cost_check

    argv = ["scenarios", "--compare", "--only", "storm-outage", "resolution-55",
            "--replications", "2", "--period-start", "2020-11-09", "--period-end", "2020-11-12"]
    assert main([*argv, "--lang", "nb"]) == 0
    nb = capsys.readouterr().out
    assert "Hjemmetjenestebesøk unngått per kommune, `resolution-55` mot" in nb
    assert "| kommune | baseline besøk | resolution-55 besøk | unngått (95 % KI) |" in nb
    assert "| **totalt** |" in nb
    assert "Storm `power-outage` (lost_connection, fra 2020-11-10 09:00)" in nb
    assert ("| konfigurasjon | mot | alarmer | ventetid, snitt | ventetid, 90-persentil | "
            "lengste ventetid | innen målet | storm avviklet etter |") in nb
    assert "(uten storm)" in nb
    for english in ("visits avoided", "avoided (95 % CI)", "storm cleared after", "(no storm)",
                    "starting", "mean wait", "**total**"):
        assert english not in nb, english
    assert not EN_DECIMAL.search("\n".join(_table_lines(nb)).replace("vaernes-2020", ""))
    assert main([*argv, "--lang", "en"]) == 0
    en = capsys.readouterr().out
    assert "| municipality | baseline visits | resolution-55 visits | avoided (95 % CI) |" in en
    assert "| config | vs | alarms | mean wait | p90 wait | max wait | within target | " \
        "storm cleared after |" in en
    # the cost check against the 2020 accounts (printed for a full-year 2020 baseline)
    check = cost_check(load_config(None))
    assert check is not None
    nb_cost, en_cost = cost_table(check, "nb"), cost_table(check, "en")
    assert nb_cost.startswith("| kommune | modell | regnskap 2020 | modell - regnskap | "
                              "måneder (modell) | måneder ifølge regnskapet: ")
    assert re.search(rf"\| \d{NBSP}\d{{3}} \|", nb_cost)  # thousands: '1 782'
    assert re.search(r"\| \d+,\d \|", nb_cost) and not EN_DECIMAL.search(nb_cost)
    assert en_cost.startswith("| municipality | model | accounts 2020 | model - accounts | "
                              "months (model) | months implied: ")
    assert re.search(r"\| \d,\d{3} \|", en_cost) and "| **total** |" in en_cost


# ---- 2. sensitivity --------------------------------------------------------------------------

def test_sensitivity_parameters_in_norwegian() -> None:
    import pandas as pd

    from respons.report.study_tables import SENSITIVITY_KPIS, sensitivity_table
    from respons.studies.sensitivity import PARAMETERS

    row = dict.fromkeys(SENSITIVITY_KPIS, 0.9) | {"answer_time_mean_s": 10.0}
    df = pd.DataFrame([{"parameter": "baseline", "factor": 1.0, **row},
                       *[{"parameter": p, "factor": f, **row}
                         for p in PARAMETERS for f in (0.75, 1.25)]])
    nb = sensitivity_table(df, "nb")
    params = [line.split("|")[1].strip() for line in _table_lines(nb)[2:]]
    assert params[0] == "referanse"
    assert "samtaletid (alarmer, tekniske)" in params
    assert "døgntopp (utslag over døgnet)" in params
    for english in ("baseline", *PARAMETERS):
        assert english not in params, english
    assert len(set(params)) == 1 + len(PARAMETERS)  # every parameter has its own words
    en = sensitivity_table(df, "en")
    assert [line.split("|")[1].strip() for line in _table_lines(en)[2:]][0] == "baseline"
    # ranged inputs: 'as configured' translated, an input's own name kept
    ranged = pd.DataFrame([{"parameter": "baseline", "setting": "as configured", **row},
                           {"parameter": "talk.alarm", "setting": "0.8", **row}])
    nb = sensitivity_table(ranged, "nb")
    assert "| referanse | som konfigurert |" in nb and "| talk.alarm | 0,8 |" in nb
    assert "| talk.alarm | 0.8 |" in sensitivity_table(ranged, "en")


def test_sensitivity_command_in_norwegian(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sensitivity", "--set", "period.start=2020-09-01", "--set",
                 "period.end=2020-09-04", "--replications", "2", "--lang", "nb"]) == 0
    out = capsys.readouterr().out
    assert "| referanse |" in out and "| reserveregel (sykepleiernes after_wait-ventetid) |" \
        in out
    assert "talk time" not in out and "| baseline |" not in out


# ---- 3. sweep --------------------------------------------------------------------------------

def test_sweep_in_norwegian(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sweep = Path(__file__).parents[1] / "configs" / "sweeps" / "smoke.yaml"
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "nb"), "--lang", "nb"]) == 0
    nb = capsys.readouterr().out
    lines = nb.splitlines()
    assert re.match(r"kjørte 6 oppgave\(r\) på \d+,\d s, 0 allerede ferdig, 0 feilet$",
                    lines[0]), lines[0]
    assert re.match(r"punkt +rep\. ", lines[1]) and lines[1].endswith("  mål")
    assert all(re.search(r"  (nådd|ikke nådd|ikke påvist)$", x) for x in lines[2:5])
    assert lines[-2] == f"rapport: {tmp_path / 'nb' / 'report.html'}"
    assert lines[-1].startswith("mappe for parameterstudien: ")
    html = (tmp_path / "nb" / "report.html").read_text(encoding="utf-8")
    fte = re.findall(r"<td[^>]*>(\d+[.,]\d)</td>", html)  # the roster FTE column
    assert fte and all("," in x for x in fte), fte
    for english in ("ran ", "task(s)", "point", "reps", "goal", " met", "sweep directory"):
        assert english not in nb, english
    wb = openpyxl.load_workbook(tmp_path / "nb" / "sweep-summary.xlsx")
    assert wb.sheetnames == ["Punkter", "Parvise differanser"]
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "en"), "--lang", "en",
                 "--no-report"]) == 0
    en = capsys.readouterr().out.splitlines()
    assert re.match(r"ran 6 task\(s\) in \d+\.\d s, 0 already done, 0 failed$", en[0])
    assert en[1].startswith("point") and en[1].endswith("  goal")
    assert all(re.search(r"  (met|not met|not proven)$", x) for x in en[2:5])
    assert en[-1].startswith("sweep directory: ")
    wb = openpyxl.load_workbook(tmp_path / "en" / "sweep-summary.xlsx")
    assert wb.sheetnames == ["Points", "Paired differences"]


# ---- 4. staff --------------------------------------------------------------------------------

STAFF = ["staff", "--set", "period.end=2020-01-08", "--replications", "2", "--target", "0.9",
         "--within", "120"]


def test_staff_in_norwegian_aligned(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*STAFF, "--lang", "nb"]) == 0
    nb = capsys.readouterr().out.splitlines()
    blocks = nb[nb.index(next(x for x in nb if x.startswith("blokk"))) + 1:][:3]
    assert [b.split()[0] for b in blocks] == ["natt", "dag", "kveld"]
    assert all(re.search(rf"\d+,\d/t +\d+{NBSP}s ", b) for b in blocks), blocks
    head = next(x for x in nb if x.startswith("blokk"))
    assert all(head.index("AHT") + 3 == b.index(f"{NBSP}s") + 2 for b in blocks)
    rows = [x for x in nb if "t/uke" in x]
    assert len(rows) == 3 and any("konfigurert turnus 'operators'" in r for r in rows)
    assert len({r.index("t/uke") for r in rows}) == 1  # one column for the hours
    assert len({r.index("årsverk i turnus") for r in rows}) == 1
    assert not any(re.search(r"\b(night|day|evening)\b", x) for x in nb)


def test_staff_english_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(STAFF) == 0
    en = capsys.readouterr().out.splitlines()
    head = next(x for x in en if x.startswith("block"))
    blocks = en[en.index(head) + 1:][:3]
    assert [b.split()[0] for b in blocks] == ["night", "day", "evening"]
    assert all(re.search(r"\d+\.\d/h +\d+s ", b) for b in blocks)
    rows = [x for x in en if "h/week" in x]
    assert len({r.index("h/week") for r in rows}) == 1
    assert any(r.startswith("  config's 'operators' roster   ") for r in rows)


# ---- 5. simulate -----------------------------------------------------------------------------

SIM = ["simulate", "--set", "period.end=2020-01-08", "--replications", "2"]


def test_simulate_in_norwegian(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "nb"
    assert main([*SIM, "--lang", "nb", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    note = next(x for x in text.splitlines() if "persentil er nøyaktig" in x)
    assert "legevaktsykepleierne tar en alarm" in note and "nurses" not in note
    assert f"kjøringsmappe: {out}" in text and "run directory" not in text
    assert f"rapport: {out / 'report.html'}" in text
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "legevaktsykepleierne tar en alarm" in html and "nurses tar" not in html
    fte = re.search(r"Årsverk i turnus</dt><dd>([^<]*)", html)
    assert fte is not None
    assert fte.group(1).startswith("operatørene 4,7, reserveplassen ")
    for raw in ("operators", "backup_seat", "nurses", "it_technical"):
        assert raw not in fte.group(1), raw
    wb = openpyxl.load_workbook(out / "summary.xlsx")
    assert wb.sheetnames == ["Konklusjon", "Nøkkeltall", "Kommuner", "Kostnader"]


def test_simulate_english_unchanged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "en"
    assert main([*SIM, "--lang", "en", "--out", str(out), "--no-report"]) == 0
    text = capsys.readouterr().out
    assert "the nurses take an alarm" in text
    assert f"run directory: {out}" in text
    wb = openpyxl.load_workbook(out / "summary.xlsx")
    assert wb.sheetnames == ["Verdict", "KPIs", "Municipalities", "Costs"]
