"""End to end: open report.html in headless Chromium (via selenium and chromedriver), in English
and Norwegian, and check that every figure really decodes and renders, that the verdict and
the cost come first, that the per-municipality table fits, and that the KPI table is laid
out.

Skipped only where Chromium and its driver are not installed (Debian: `apt-get install -y
chromium chromium-driver`). Set RESPONS_SCREENSHOT_DIR to keep the full-page screenshot.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from respons.report.catalog import FIGURES
from respons.report.page import make_report
from respons.report.tables import verdict_lines

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    BROWSER is None or DRIVER is None,
    reason="headless Chromium not installed (apt-get install -y chromium chromium-driver)")


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(BROWSER)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--window-size=1400,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=str(DRIVER)), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _sections(browser) -> dict:
    return browser.execute_script(
        "const v = document.getElementById('goal-verdict'); "
        "const c = document.getElementById('cost'); "
        "const m = document.getElementById('by-municipality-table'); "
        "const box = e => e.getBoundingClientRect(); "
        "return {verdict: v.innerText, verdictTop: box(v).top, verdictH: box(v).height, "
        "kpiTop: box(document.getElementById('kpi-table')).top, "
        "cost: c.innerText, costH: box(c).height, "
        "munis: Array.from(m.tBodies[0].rows).map(r => r.cells[0].innerText), "
        "muniW: box(m).width, muniScroll: m.parentElement.scrollWidth, "
        "muniBox: m.parentElement.clientWidth, head: m.tHead.innerText, "
        "lang: document.documentElement.lang}")


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_report_renders_in_chromium(short_run: Path, browser, tmp_path: Path, lang: str) -> None:
    run = tmp_path / "run"
    shutil.copytree(short_run, run)
    report = make_report(run, lang)
    browser.get(report.resolve().as_uri())
    assert browser.execute_script("return document.readyState") == "complete"
    images = browser.execute_script(
        "return Array.from(document.images).map(i => ({complete: i.complete, "
        "w: i.naturalWidth, h: i.naturalHeight, shown: i.getBoundingClientRect().width, "
        "src: i.currentSrc.slice(0, 22)}))")
    index = json.loads((run / "figures" / "index.json").read_text())
    assert len(images) == len(index["figures"]) == len(FIGURES) - 1 and index["lang"] == lang
    for img in images:
        assert img["complete"] and img["w"] > 0 and img["h"] > 0, img
        assert img["shown"] > 600 and img["src"] == "data:image/png;base64,"
    summary = json.loads((run / "summary.json").read_text())
    kpis = summary["kpis"]
    table = browser.execute_script(
        "const t = document.getElementById('kpi-table'); const r = t.getBoundingClientRect();"
        "return {rows: t.tBodies[0].rows.length, w: r.width, h: r.height, "
        "visible: getComputedStyle(t).display !== 'none', "
        "first: t.tBodies[0].rows[0].cells[1].innerText, head: t.tHead.innerText}")
    assert table["visible"] and table["rows"] == len(kpis)
    assert table["w"] > 800 and table["h"] > 30 * len(kpis)
    sep = {"en": ",", "nb": "\u00a0"}[lang]
    assert table["first"].replace(sep, "").isdigit()
    assert ("95 % CI" if lang == "en" else "95 % KI") in table["head"]
    # the answer comes first: the verdict above the KPI table, then the cost
    s = _sections(browser)
    assert s["lang"] == lang and s["verdictTop"] < s["kpiTop"] and s["verdictH"] > 20
    for line in verdict_lines(summary, lang):
        assert line.replace("\u00a0", " ") in s["verdict"].replace("\u00a0", " ")
    first = {"en": "Goal ", "nb": "Målet er "}[lang]
    assert s["verdict"].startswith(first)
    cost = {"en": "Cost of the period: NOK ", "nb": "Kostnad for perioden: kr"}[lang]
    assert s["cost"].replace("\u00a0", " ").startswith(cost.replace("\u00a0", " "))
    assert "Stjørdal" in s["cost"] and s["costH"] > 20
    # per municipality: every member with contacts in the period, and nothing cut off
    assert s["munis"][0] == "Stjørdal" and "Melhus" in s["munis"]
    assert "Levanger" not in s["munis"]  # joins in June
    assert s["muniScroll"] <= s["muniBox"] + 1
    assert {"en": "Alarms arriving", "nb": "Alarmer mottatt"}[lang] in s["head"]
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1400, min(int(height) + 40, 16000))
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 50_000
    browser.set_window_size(1400, 1000)
    keep = os.environ.get("RESPONS_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / f"report-{lang}.png")
