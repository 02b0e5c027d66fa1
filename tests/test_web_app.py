"""The what-if page under Streamlit's AppTest (issue 17): it renders without a traceback, a
control change changes the result, bad values are refused with a message, labels follow
--lang, and five sessions changing controls at once each get their own results while a slow
one does not hold up the others."""

from __future__ import annotations

import dataclasses
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from respons.config.loading import load_config  # noqa: E402
from respons.report.formatting import fmt  # noqa: E402
from respons.web import results, whatif  # noqa: E402

APP = Path(whatif.__file__).with_name("app.py")
DATA = APP.parents[1] / "data"
TIMEOUT = 120
GOAL_KPI = "alarms_answered_within_target_share"


@pytest.fixture(scope="module")
def short(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("webapp") / "short.yaml"
    path.write_text(f"base: {DATA / 'vaernes-2020.yaml'}\nscenario: short\n"
                    "set:\n  period.end: 2020-01-15\n", encoding="utf-8")
    return path


@pytest.fixture
def page(short: Path, monkeypatch: pytest.MonkeyPatch):
    """A fresh session of the page on the short config (the script reads its settings from
    the arguments `respons serve` gives it), without Streamlit's "magic" as `serve` runs it
    (which also keeps AppTest's per-run script compile off `ast.parse`: CPython 3.11.7 can
    fail parsing in several threads at once, gh-106905; a real server compiles once)."""
    from streamlit import config

    monkeypatch.setattr(sys, "argv", [str(APP), "--config", str(short), "--lang", "en"])
    magic = config.get_option("runner.magicEnabled")
    config.set_option("runner.magicEnabled", False)

    def make() -> AppTest:
        return AppTest.from_file(str(APP), default_timeout=TIMEOUT)

    try:
        yield make
    finally:
        config.set_option("runner.magicEnabled", magic)


def _clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _metric(at: AppTest, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def test_page_renders_and_a_control_changes_the_result(page):
    at = page().run()
    _clean(at)
    assert not at.error
    assert at.success[0].value.startswith("Goal met: ")
    assert any(c.value.startswith("Baseline: Goal met") for c in at.caption)
    before = _metric(at, "Alarms answered within 120 s")
    assert len(at.table) == 2  # headline KPIs, cost per municipality
    assert [b.proto.label for b in at.get("download_button")] == [
        "What-if as a config overlay (.yaml)", "What-if as Excel (.xlsx)"]

    at.toggle(key="nurse_on").set_value(False).run()
    _clean(at)
    after = _metric(at, "Alarms answered within 120 s")
    assert after != before
    assert "No nurse backup" in at.markdown[0].value

    at.number_input(key="within").set_value(10.0).run()  # the verdict changes
    _clean(at)
    assert at.error[0].value.startswith("Goal not met: ")
    assert "within 10 s" in at.error[0].value

    at.checkbox(key="goal_on").uncheck().run()  # no goal: said so, no verdict
    _clean(at)
    assert not at.error and not at.success
    assert at.info[0].value.startswith("No goal")


def test_bad_values_are_messages_not_tracebacks(page):
    at = page().run()
    for key in ("op_night", "op_day", "op_evening"):
        at.number_input(key=key).set_value(0)
    at.run()
    _clean(at)
    assert "every block has 0 people" in at.error[0].value
    assert not at.metric  # nothing computed from a refused what-if

    at = page().run()
    at.file_uploader(key="rota").upload("roster.csv", b"pool,day\noperators,mon\n",
                                        "text/csv")
    at.run()
    _clean(at)
    assert "rota file roster.csv" in at.error[0].value
    # every control is bounded: the browser cannot send values outside these
    bounds = {k: (at.number_input(key=k).proto.min, at.number_input(key=k).proto.max)
              for k in ("op_day", "nurse_delay", "goal_share", "within", "replications")}
    assert bounds == {"op_day": (0, whatif.MAX_BLOCK_STAFF), "nurse_delay": whatif.DELAY_S,
                      "goal_share": (50.0, 99.9), "within": whatif.WITHIN_S,
                      "replications": whatif.REPLICATIONS}
    assert (at.slider(key="volume").min, at.slider(key="volume").max) == whatif.VOLUME


def test_a_rota_file_from_roster_runs(page):
    at = page().run()
    at.file_uploader(key="rota").upload(
        "roster.csv", b"pool,day,start,end,people\n" + b"".join(
            f"operators,{d},07:00,23:00,2\noperators,{d},23:00,07:00,1\n".encode()
            for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")), "text/csv")
    at.run()
    _clean(at)
    assert not at.error
    assert "Rota file roster.csv for operators" in at.markdown[0].value
    assert at.number_input(key="op_day").disabled


def test_norwegian_labels(page, short, monkeypatch):
    monkeypatch.setattr(sys, "argv", [str(APP), "--config", str(short), "--lang", "nb"])
    at = page().run()
    _clean(at)
    assert at.success[0].value.startswith("Målet er nådd: ")
    assert at.title[0].value == "Hva om? Respons"
    assert "\u00a0%" in _metric(at, "Alarmer besvart innen 120 s")


def _expected(short: Path, **change) -> str:
    """The goal KPI's mean for a what-if, computed without the page."""
    cfg = load_config(short)
    _, base = whatif.start(cfg)
    what = whatif.build(cfg, dataclasses.replace(base, **change))
    out = results.assemble(what, results.run_chunk(what, tuple(range(what.replications))))
    return fmt(out.doc["kpis"][GOAL_KPI]["mean"], "share")


SESSIONS = [
    {"op_day": 2},
    {"op_night": 2, "op_evening": 2},
    {"nurse_on": False},
    {"volume": 2.0},  # 1.5 rounds to the same share as session 4 on the 2020 workforce
    {"talk": 1.4, "op_day": 3},
]


def _change(field: str) -> str:
    return {"op_day": "operators", "op_night": "operators", "op_evening": "operators",
            "nurse_on": "nurse_backup"}.get(field, field)


def _what_if(session: dict) -> dict:
    ops = [1, 1, 1]
    out: dict = {}
    for k, v in session.items():
        if k.startswith("op_"):
            ops[["op_night", "op_day", "op_evening"].index(k)] = v
            out["operators"] = tuple(ops)
        else:
            out[_change(k)] = v
    return out


def test_five_sessions_at_once_get_their_own_results(page, short):
    """Five sessions change controls at the same time (threads); each shows the result of
    its own what-if, computed independently, and the results differ."""
    apps = [page() for _ in SESSIONS]
    for at in apps:
        at.run()
    shown: dict[int, str] = {}
    failures: list[BaseException] = []

    def session(i: int) -> None:
        try:
            at = apps[i]
            for key, value in SESSIONS[i].items():
                widget = at.toggle(key=key) if key == "nurse_on" else (
                    at.slider(key=key) if key in ("volume", "talk") else
                    at.number_input(key=key))
                widget.set_value(value)
            at.run()
            _clean(at)
            shown[i] = _metric(at, "Alarms answered within 120 s")
        except BaseException as e:  # noqa: BLE001 - reported below
            failures.append(e)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(len(SESSIONS))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    assert not failures, failures
    expected = {i: _expected(short, **_what_if(s)) for i, s in enumerate(SESSIONS)}
    assert shown == expected
    assert len(set(shown.values())) == len(SESSIONS)
    # and each session kept its own controls
    assert apps[2].toggle(key="nurse_on").value is False
    assert apps[0].toggle(key="nurse_on").value is True


def test_a_slow_what_if_does_not_hold_up_another_session(page):
    quick = page().run()  # its replications are now cached
    slow = page().run()
    slow.number_input(key="replications").set_value(60)
    slow.number_input(key="within").set_value(110.0)  # a config nobody has run yet
    slow.slider(key="volume").set_value(1.35)
    done: list[float] = []
    t = threading.Thread(target=lambda: (slow.run(), done.append(time.monotonic())))
    t.start()
    time.sleep(0.5)
    quick.number_input(key="replications").set_value(4).run()
    quick_done = time.monotonic()
    _clean(quick)
    assert quick.success, "the quick session got no verdict"
    still_running = t.is_alive()
    t.join(TIMEOUT)
    _clean(slow)
    assert still_running and done and done[0] > quick_done


def test_a_config_without_goal_or_nurses(page, monkeypatch):
    """The M/M/c validation config: no nurse pool (its control is off) and no goal (the page
    says so instead of a verdict)."""
    mmc = DATA / "validation" / "mmc.yaml"
    monkeypatch.setattr(sys, "argv", [str(APP), "--config", str(mmc)])
    at = page().run()
    _clean(at)
    assert not at.error and at.info[0].value.startswith("No goal")
    assert at.toggle(key="nurse_on").disabled and not at.checkbox(key="goal_on").value
    assert any(c.value == "This config has no nurse pool." for c in at.caption)


def test_the_unchanged_baseline_shows_its_range_over_the_assumptions(page, short, monkeypatch):
    """The 2020 baseline as shipped carries its uncertainty study's range; a short period (as
    in the other tests) is another config and shows none."""
    def ranges(at: AppTest) -> list[str]:
        _clean(at)
        return [c.value for c in at.caption if c.value.startswith("Over the assumptions'")]

    monkeypatch.setattr(sys, "argv", [str(APP), "--lang", "en"])
    found = ranges(page().run())
    assert len(found) == 2 and "of alarms within 120 s" in found[0]
    monkeypatch.setattr(sys, "argv", [str(APP), "--config", str(short), "--lang", "en"])
    assert ranges(page().run()) == []
