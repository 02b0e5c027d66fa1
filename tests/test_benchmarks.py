"""The benchmark script runs (a quick smoke run, no timing asserted), and the parallel runner
gives exactly the serial results."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from respons.analysis.kpis import Context, kpis
from respons.config import ScenarioConfig
from respons.engine.events import EventArrays
from respons.runs import replications as runner

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "configs" / "vaernes-2020.yaml"


def test_benchmark_script_quick_run_writes_the_tables(tmp_path: Path):
    out = tmp_path / "performance.md"
    out.write_text("# Performance\n\nNotes kept by hand.\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "benchmarks/run.py", "--quick", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Performance\n\nNotes kept by hand.\n")  # hand-written part kept
    for heading in ("Ciw against respons", "2020 baseline", "Report: default `simulate`",
                    "Replications on 2 processes", "Memory", "Scaling"):
        assert f"### {heading}" in text, heading
    assert "| events off (simulate + KPIs) |" in text
    assert "| `simulate` (figures as PNG and report.html) |" in text
    assert "python benchmarks/run.py --quick" in text and "numpy" in text


def test_benchmark_results_replace_only_their_own_block(tmp_path: Path):
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = tmp_path / "docs" / "performance.md"
    bench.write(out, "first")
    assert out.read_text().startswith("# Performance\n")
    out.write_text(out.read_text() + "\nNotes after.\n")
    bench.write(out, "second")
    text = out.read_text()
    assert "first" not in text and text.count("second") == 1 and text.endswith("Notes after.\n")


def short_baseline(replications: int) -> ScenarioConfig:
    with open(BASELINE, encoding="utf-8") as f:
        d = yaml.safe_load(f)
    d["period"] = {"start": "2020-06-01", "end": "2020-06-15"}
    d["replications"] = replications
    return ScenarioConfig.model_validate(d)


def test_two_processes_give_exactly_the_serial_results():
    cfg = short_baseline(3)
    serial = runner.run(cfg, keep_events=True)
    seen: list[tuple[int, int]] = []
    parallel = runner.run(cfg, keep_events=True, progress=lambda d, n: seen.append((d, n)),
                          jobs=2)
    pd.testing.assert_frame_equal(parallel.replications, serial.replications, check_exact=True)
    pd.testing.assert_frame_equal(parallel.events, serial.events, check_exact=True)
    assert parallel.summary == serial.summary
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert parallel.replications["replication"].tolist() == [0, 1, 2]


def test_kpis_from_arrays_equal_kpis_from_the_event_table():
    from respons.engine.replication import simulate_replication

    cfg = short_baseline(1)
    res = simulate_replication(cfg, 0)
    ctx = Context(cfg.target_s, res.horizon_s, res.staff_seconds, res.roles)
    from_arrays = kpis(res.arrays, ctx)
    from_table = kpis(res.events, ctx)
    # Plain-string columns (not categorical) give the same too.
    plain = res.events.astype({c: object for c in ("category", "outcome", "answered_by",
                                                     "municipality")})
    from_plain = kpis(plain, ctx)
    for name, value in from_arrays.items():
        np.testing.assert_equal(from_table[name], value, err_msg=name)
        np.testing.assert_equal(from_plain[name], value, err_msg=name)
    a = EventArrays.from_frame(res.events)
    np.testing.assert_array_equal(a.outcome, res.arrays.outcome)
    assert a.outcomes == res.arrays.outcomes and a.pools == res.arrays.pools
