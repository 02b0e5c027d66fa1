"""End to end: open report.html in headless Chromium (via selenium and chromedriver) and check
that every figure really decodes and renders and that the KPI table is laid out.

Skipped only where Chromium and its driver are not installed (Debian: `apt-get install -y
chromium chromium-driver`). Set RESPONS_SCREENSHOT_DIR to keep the full-page screenshot.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from respons.report.page import make_report

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


def test_report_renders_in_chromium(short_run: Path, browser, tmp_path: Path) -> None:
    run = short_run
    report = make_report(run)
    browser.get(report.resolve().as_uri())
    assert browser.execute_script("return document.readyState") == "complete"
    images = browser.execute_script(
        "return Array.from(document.images).map(i => ({complete: i.complete, "
        "w: i.naturalWidth, h: i.naturalHeight, shown: i.getBoundingClientRect().width, "
        "src: i.currentSrc.slice(0, 22)}))")
    index = json.loads((run / "figures" / "index.json").read_text())
    assert len(images) == len(index["figures"]) == 10  # 9 + the IT work orders
    for img in images:
        assert img["complete"] and img["w"] > 0 and img["h"] > 0, img
        assert img["shown"] > 600 and img["src"] == "data:image/png;base64,"
    kpis = json.loads((run / "summary.json").read_text())["kpis"]
    table = browser.execute_script(
        "const t = document.getElementById('kpi-table'); const r = t.getBoundingClientRect();"
        "return {rows: t.tBodies[0].rows.length, w: r.width, h: r.height, "
        "visible: getComputedStyle(t).display !== 'none', "
        "first: t.tBodies[0].rows[0].cells[1].innerText, head: t.tHead.innerText}")
    assert table["visible"] and table["rows"] == len(kpis)
    assert table["w"] > 800 and table["h"] > 30 * len(kpis)
    assert table["first"].replace(",", "").isdigit() and "95 % CI" in table["head"]
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1400, min(int(height) + 40, 16000))
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 50_000
    keep = os.environ.get("RESPONS_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / "report.png")
