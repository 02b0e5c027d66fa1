"""The public Python API (respons/__init__.py) and the README's "Use from Python" example."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import respons
from respons.errors import UserError

README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Use from Python"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_example_runs_and_prints_the_headline(tmp_path):
    code = _readme_example()
    assert len(code.strip().splitlines()) <= 12
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert re.search(r"\d+\.\d% of alarms within 120 s \[\d+\.\d%, \d+\.\d%\]", out.stdout)
    assert "Erlang C: 97.0% within 120 s" in out.stdout  # a = 0.4 on 2 agents: exact


def test_simulate_matches_the_runner_and_is_reproducible():
    cfg = respons.load_config("vaernes-2020", set=["period.end=2020-02-01"])
    a = respons.simulate(cfg, replications=2, seed=11, events=False)
    b = respons.simulate(cfg, replications=2, seed=11, jobs=2, events=False)
    assert a.events is None
    assert a.replications.equals(b.replications)
    c = respons.simulate(cfg, replications=2, seed=12, events=False)
    assert not a.replications.equals(c.replications)


def test_load_config_by_name_path_and_default_agree():
    by_name = respons.load_config("vaernes-2020")
    by_path = respons.load_config(Path(__file__).resolve().parents[1]
                                  / "configs" / "vaernes-2020.yaml")
    assert by_name == by_path == respons.load_config()
    assert "vaernes-2019" in respons.builtin_configs()
    assert respons.load_config("vaernes-2020", set=["target_s=60"]).target_s == 60


def test_bad_input_is_a_user_error_naming_the_field():
    with pytest.raises(UserError, match="target_s"):
        respons.load_config("vaernes-2020", set=["target_s=-1"])
    with pytest.raises(UserError, match="does not exist"):
        respons.load_config("no-such-config.yaml")


def test_import_is_light():
    code = "import sys, respons; print(sorted(m for m in ('pandas', 'simpy', 'scipy', " \
           "'matplotlib', 'pydantic') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.strip() == "[]"
